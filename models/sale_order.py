from odoo import fields, models

from .. import const


class SaleOrder(models.Model):
    _inherit = "sale.order"

    amazon_account_id = fields.Many2one(
        comodel_name="amazon.seller.account", string="Amazon Account", readonly=True, copy=False,
        index="btree_not_null",
    )
    amazon_order_ref = fields.Char(string="Amazon Order", readonly=True, copy=False)
    amazon_marketplace_id = fields.Many2one(
        comodel_name="amazon.seller.marketplace", string="Marketplace", readonly=True, copy=False,
    )
    amazon_fulfillment_channel = fields.Selection(
        selection=const.FULFILLMENT_CHANNELS, string="Fulfilment", readonly=True, copy=False,
    )
    amazon_status = fields.Selection(
        selection=const.ORDER_STATUSES, string="Amazon Status", readonly=True, copy=False,
    )
    amazon_last_update = fields.Datetime(
        string="Amazon Last Update", readonly=True, copy=False,
        help="Amazon's lastUpdatedTime of the version imported: older versions are ignored.",
    )
    amazon_ship_by = fields.Datetime(string="Ship By", readonly=True, copy=False)
    amazon_deliver_by = fields.Datetime(string="Deliver By", readonly=True, copy=False)
    amazon_is_prime = fields.Boolean(string="Prime", readonly=True, copy=False)
    amazon_is_business = fields.Boolean(string="Business Order", readonly=True, copy=False)
    amazon_purchase_order_number = fields.Char(string="Buyer PO Number", readonly=True, copy=False)
    amazon_replaced_order_id = fields.Many2one(
        comodel_name="sale.order", string="Replaces Order", readonly=True, copy=False,
        help="The Amazon order this replacement order was sent for.",
    )

    _amazon_order_unique = models.Constraint(
        "UNIQUE(amazon_account_id, amazon_order_ref)",
        "An Amazon order can only be imported once per account.",
    )

    def _prepare_confirmation_values(self):
        """Amazon orders keep the date the buyer ordered, not the import's."""
        values = super()._prepare_confirmation_values()
        if self and all(self.mapped("amazon_order_ref")):
            values.pop("date_order", None)
        return values
