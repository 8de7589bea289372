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
    # the SP-API application accounts connect to (Connect on the account form): database-wide
    amazon_spapi_application_id = fields.Char(
        string="SP-API Application ID", config_parameter="amazon_seller.spapi_application_id",
        groups="base.group_system",
        help="The application ID (amzn1.sp.solution.…) of your SP-API application: Solution "
             "Provider Portal / Seller Central ▸ Develop Apps, beside the application's name.")
    amazon_spapi_lwa_client_id = fields.Char(
        string="LWA Client ID", config_parameter="amazon_seller.spapi_lwa_client_id",
        groups="base.group_system",
        help="The LWA client identifier of that application (amzn1.application-oa2-client.…), "
             "for the accounts that do not hold their own.")
    amazon_spapi_lwa_client_secret = fields.Char(
        string="LWA Client Secret", config_parameter="amazon_seller.spapi_lwa_client_secret",
        groups="base.group_system",
        help="The client secret beside the LWA client ID (Develop Apps ▸ View).")
    amazon_spapi_application_published = fields.Boolean(
        string="Application Published", config_parameter="amazon_seller.spapi_application_published",
        groups="base.group_system",
        help="Leave off while the application is in draft status: Connect then asks Seller "
             "Central for the beta authorization (version=beta).")
    amazon_company_in_eu = fields.Boolean(
        string="Company in the EU", compute="_compute_amazon_company_in_eu")

    def _compute_amazon_company_in_eu(self):
        for settings in self:
            settings.amazon_company_in_eu = settings.company_id._amazon_in_eu()
