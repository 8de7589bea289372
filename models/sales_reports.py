from odoo import models
from odoo.tools import SQL


class SaleReport(models.Model):
    """Sales analysis without the tax Amazon collects itself: it is not revenue."""

    _inherit = "sale.report"

    def _where_sale(self):
        return super()._where_sale() + """
            AND NOT COALESCE(l.amazon_collected_tax, FALSE)"""


class AccountInvoiceReport(models.Model):
    """Invoice analysis without the tax Amazon collects itself (its invoice lines book the
    marketplace facilitator liability, not revenue)."""

    _inherit = "account.invoice.report"

    def _where(self):
        mf_tax = self.env.ref("amazon_seller.product_amazon_mf_tax", raise_if_not_found=False)
        if not mf_tax:
            return super()._where()
        return SQL("%s AND line.product_id IS DISTINCT FROM %s", super()._where(), mf_tax.id)
