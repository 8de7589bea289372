from odoo import api, fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    amazon_order_item_id = fields.Char(string="Amazon Order Item", copy=False, index="btree_not_null")
    amazon_offer_id = fields.Many2one(comodel_name="amazon.seller.offer", copy=False)
    amazon_collected_tax = fields.Boolean(
        string="Tax Collected by Amazon", compute="_compute_amazon_collected_tax", store=True,
        help="The marketplace facilitator tax Amazon collects and remits itself: counted as "
             "tax, never as revenue.")
    amazon_gift_message = fields.Text(
        string="Gift Message", copy=False,
        help="The buyer's gift message for this item: print it for the parcel.")
    amazon_customized_url = fields.Char(
        string="Amazon Custom Data", copy=False,
        help="Amazon Custom: the personalisation the buyer chose (also attached to the order).")
    amazon_serial_numbers = fields.Text(
        string="Amazon Serial Numbers", copy=False,
        help="The serial numbers Amazon shipped for this item (FBA), one a line: the delivery "
             "takes these lots first.")

    @api.depends("qty_invoiced", "qty_delivered", "product_uom_qty", "state",
                 "order_id.order_line.qty_delivered")
    def _compute_qty_to_invoice(self):
        """Amazon orders are invoiced as they ship: goods for what left, whatever the product's
        invoicing policy; the order's charges (shipping, tip, tax Amazon collects...) with its
        first shipment."""
        super()._compute_qty_to_invoice()
        for line in self.filtered(lambda l: l.order_id.amazon_order_ref and l.state == "sale"
                                  and not l.display_type):
            if line.product_id.type == "consu":
                line.qty_to_invoice = line.qty_delivered - line.qty_invoiced
            elif line.order_id._amazon_has_shipped():
                line.qty_to_invoice = line.product_uom_qty - line.qty_invoiced
            else:
                line.qty_to_invoice = 0.0

    @api.depends("product_id")
    def _compute_amazon_collected_tax(self):
        mf_tax = self.env.ref("amazon_seller.product_amazon_mf_tax", raise_if_not_found=False)
        for line in self:
            line.amazon_collected_tax = bool(mf_tax) and line.product_id == mf_tax

    def _prepare_invoice_line(self, **optional_values):
        """Tax Amazon collects as marketplace facilitator goes to that liability, never to
        revenue."""
        values = super()._prepare_invoice_line(**optional_values)
        if self.product_id == self.env.ref("amazon_seller.product_amazon_mf_tax",
                                           raise_if_not_found=False):
            payments = self.order_id._amazon_payments()
            if payments:
                values["account_id"] = payments.mf_tax_account_id.id
        return values

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
