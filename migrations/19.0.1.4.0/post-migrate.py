"""After 19.0.1.4.0 is loaded: a company that already has Odoo's One-Stop-Shop fiscal positions
(``l10n_eu_oss``, now a dependency that the update installs) said it is past the EU threshold,
so its EU distance sales are taxed through the One-Stop-Shop; the others are asked. The accounts
earlier versions created under their English name get their name in each installed language.
The credit notes settlements made from refunds point at their order, which shows them beside
its returns (refunded, not returned until a return comes)."""

from odoo import SUPERUSER_ID, api

from odoo.addons.amazon_seller.models.amazon_seller_payments import PAYMENT_ACCOUNTS


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for company in env["res.company"].search([("amazon_eu_distance_sales", "=", "ask")]):
        if company._amazon_in_eu() and company._amazon_oss_positions():
            # a plain column write: the OSS mapping exists, nothing to create
            cr.execute("UPDATE res_company SET amazon_eu_distance_sales = 'oss' WHERE id = %s",
                       [company.id])
    languages = [lang for lang, _label in env["res.lang"].get_installed() if lang != "en_US"]
    for payments in env["amazon.seller.payments"].search([]):
        for field, (name, _type, _reconcile) in PAYMENT_ACCOUNTS.items():
            account = payments[field].with_context(lang="en_US")
            if account.name != name._source:
                continue  # renamed by the accountant
            for lang in languages:
                if account.with_context(lang=lang).name == name._source:
                    account.with_context(lang=lang).name = name._translate(lang)
    cr.execute("""
        UPDATE account_move move SET amazon_sale_order_id = sale.id
          FROM sale_order sale
         WHERE move.move_type = 'out_refund' AND move.amazon_sale_order_id IS NULL
           AND move.amazon_order_ref = sale.amazon_order_ref
           AND move.amazon_account_id = sale.amazon_account_id
     RETURNING sale.id""")
    refunded = {row[0] for row in cr.fetchall()}
    env.invalidate_all()
    env["sale.order"].browse(refunded)._compute_amazon_return_state()
