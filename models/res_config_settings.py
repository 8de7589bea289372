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
    amazon_eu_distance_sales = fields.Selection(
        related="company_id.amazon_eu_distance_sales", readonly=False)
    amazon_company_in_eu = fields.Boolean(
        string="Company in the EU", compute="_compute_amazon_company_in_eu")

    def _compute_amazon_company_in_eu(self):
        for settings in self:
            settings.amazon_company_in_eu = settings.company_id._amazon_in_eu()
