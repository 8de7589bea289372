from odoo import fields, models

EU_DISTANCE_SALES = [
    ("ask", "Not Decided Yet"),
    ("home", "Below the Threshold: VAT of the Country Shipped From"),
    ("oss", "Past the Threshold: VAT of the Buyer's Country (OSS)"),
]


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
    amazon_eu_distance_sales = fields.Selection(
        selection=EU_DISTANCE_SALES, string="EU Distance Sales", default="ask", required=True,
        help="How goods sold to consumers in another EU country are taxed. Below the EU "
             "threshold (EUR 10,000 a year of such sales) they bear the VAT of the country they "
             "ship from; past it the VAT of the buyer's country, declared through the "
             "One-Stop-Shop with the fiscal positions and taxes of Odoo's OSS module (created "
             "when you choose it). Until you decide, Odoo's own fiscal positions apply and the "
             "Amazon accounts' responsible is asked.")

    def write(self, vals):
        result = super().write(vals)
        if vals.get("amazon_eu_distance_sales") == "oss":
            self._amazon_map_oss_taxes()
        return result

    def _amazon_in_eu(self):
        self.ensure_one()
        return self.account_fiscal_country_id in self.env.ref("base.europe").country_ids

    def _amazon_map_oss_taxes(self):
        """Odoo's own One-Stop-Shop mapping (``l10n_eu_oss``, the button of Settings ▸
        Accounting): a fiscal position "OSS B2C <country>" per other EU country, with that
        country's rates for the company's sales taxes."""
        self.filtered(lambda company: company._amazon_in_eu()).sudo()._map_eu_taxes()

    def _amazon_oss_positions(self):
        """The company's One-Stop-Shop fiscal positions: those of taxes carrying Odoo's OSS tag."""
        self.ensure_one()
        return self.env["account.fiscal.position"].sudo().search([
            ("company_id", "=", self.id), ("foreign_vat", "=", False),
            ("tax_ids.invoice_repartition_line_ids.tag_ids", "=",
             self.env.ref("l10n_eu_oss.tag_oss").id)])

    def _amazon_registered_position(self, country):
        """The fiscal position of the company's VAT number in ``country`` (Odoo's foreign tax
        ID), or none."""
        self.ensure_one()
        return self.env["account.fiscal.position"].sudo().search([
            ("company_id", "=", self.id), ("foreign_vat", "!=", False),
            ("country_id", "=", country.id)], limit=1)

    def _amazon_input_tax_account(self):
        """Where tax Amazon charges on its fees is booked: the tax account of the company's
        default purchase tax (the input tax the seller reclaims), or none."""
        self.ensure_one()
        return self.account_purchase_tax_id.invoice_repartition_line_ids.filtered(
            lambda line: line.repartition_type == "tax" and line.account_id).account_id[:1]
