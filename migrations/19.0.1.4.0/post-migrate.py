"""After 19.0.1.4.0 is loaded: a company that already has Odoo's One-Stop-Shop fiscal positions
(``l10n_eu_oss``, now a dependency that the update installs) said it is past the EU threshold,
so its EU distance sales are taxed through the One-Stop-Shop; the others are asked."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for company in env["res.company"].search([("amazon_eu_distance_sales", "=", "ask")]):
        if company._amazon_in_eu() and company._amazon_oss_positions():
            # a plain column write: the OSS mapping exists, nothing to create
            cr.execute("UPDATE res_company SET amazon_eu_distance_sales = 'oss' WHERE id = %s",
                       [company.id])
