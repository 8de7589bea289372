from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    amazon_team_default_id = fields.Many2one(
        related="company_id.amazon_team_default_id", readonly=False,
        domain="[('company_id', 'in', (company_id, False))]")
    amazon_invoice_orders_default = fields.Boolean(
        related="company_id.amazon_invoice_orders_default", readonly=False)
    amazon_stock_buffer_default = fields.Integer(
        related="company_id.amazon_stock_buffer_default", readonly=False)
