from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    amazon_team_default_id = fields.Many2one(
        comodel_name="crm.team", string="Amazon Sales Team",
        help="Sales team of the company's new Amazon accounts (a team called Amazon otherwise).")
    amazon_invoice_orders_default = fields.Boolean(
        string="Invoice Amazon Orders", default=True,
        help="Whether the company's new Amazon accounts invoice each order once it shipped.")
    amazon_stock_buffer_default = fields.Integer(
        string="Amazon Stock Buffer",
        help="Units kept back from the quantity offered on Amazon by the company's new accounts, "
             "against selling what is no longer in stock.")

    def _amazon_input_tax_account(self):
        """Where tax Amazon charges on its fees is booked: the tax account of the company's
        default purchase tax (the input tax the seller reclaims), or none."""
        self.ensure_one()
        return self.account_purchase_tax_id.invoice_repartition_line_ids.filtered(
            lambda line: line.repartition_type == "tax" and line.account_id).account_id[:1]
