from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    amazon_order_item_id = fields.Char(string="Amazon Order Item", copy=False, index="btree_not_null")
    amazon_offer_id = fields.Many2one(comodel_name="amazon.seller.offer", copy=False)
    amazon_gift_message = fields.Text(
        string="Gift Message", copy=False,
        help="The buyer's gift message for this item: print it for the parcel.")
    amazon_customized_url = fields.Char(
        string="Amazon Custom Data", copy=False,
        help="Amazon Custom: the personalisation the buyer chose (also attached to the order).")

    def _prepare_procurement_values(self):
        """The delivery of an FBM order is due when Amazon wants it shipped."""
        values = super()._prepare_procurement_values()
        if self.order_id.amazon_ship_by:
            values["date_deadline"] = self.order_id.amazon_ship_by
        return values

    def _action_launch_stock_rule(self, **kwargs):
        """FBA lines are shipped by Amazon: no procurement, the importer moves their stock out of
        the account's FBA location itself."""
        fba_lines = self.filtered(lambda line: line.order_id.amazon_fulfillment_channel == "fba")
        return super(SaleOrderLine, self - fba_lines)._action_launch_stock_rule(**kwargs)
