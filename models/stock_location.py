from odoo import fields, models

from ..const import MCF_SHIPPING_SPEEDS


class StockLocation(models.Model):
    _inherit = "stock.location"

    amazon_marketplace_id = fields.Many2one(
        comodel_name="amazon.seller.marketplace", string="Amazon Marketplace", readonly=True,
        index="btree_not_null",
        help="The FBA stock of this Amazon marketplace, when its account keeps marketplaces "
             "apart.")


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    amazon_mcf_account_id = fields.Many2one(
        comodel_name="amazon.seller.account", string="Fulfilled by Amazon",
        help="Deliveries of this warehouse's other sales (web shop, B2B...) are shipped by "
             "Amazon from this account's FBA stock (Multi-Channel Fulfilment): sent to Amazon "
             "at once, validated when Amazon ships them, with its tracking numbers.")
    amazon_mcf_speed = fields.Selection(
        selection=MCF_SHIPPING_SPEEDS, string="Amazon Shipping Speed", default="Standard")
