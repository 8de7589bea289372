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
