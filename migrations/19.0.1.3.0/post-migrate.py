"""After 19.0.1.3.0 is loaded: rows carrying an earlier payout have a kind of their own, a
posted settlement knows its disbursement line, *deposited* is a state, the payments setups of EU
marketplaces in a German company get the reverse charge on Amazon's fees, and every setup gets
its Amazon Lending account.

The default rules *Payable to Amazon* and *Failed Disbursement* (noupdate data) become
*Earlier Payout* rules where the accountant left them as they were; a posted settlement's
disbursement is the last line of its statement, as the posting always created it. A posted
settlement matched with its bank deposit becomes *deposited*, which replaces the ``deposited``
boolean (its column goes). The period and deposit dates became Date fields: Odoo converted their
columns itself when the module was loaded (``ALTER COLUMN ... TYPE date USING column::date``, the
UTC day of the stored UTC datetime), so nothing is done for them here.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid in ("settlement_rule_payable_to_amazon", "settlement_rule_failed_disbursement"):
        rule = env.ref(f"amazon_seller.{xmlid}", raise_if_not_found=False)
        if rule and rule.kind == "transit":
            rule.kind = "carried"
    Payments = env["amazon.seller.payments"]
    for payments in Payments.search([("loan_account_id", "=", False)]):
        payments.loan_account_id = Payments._role_accounts(payments.company_id)["loan_account_id"]
    for payments in Payments.search([("fee_tax_ids", "=", False)]):
        payments.fee_tax_ids = payments._default_fee_taxes(payments.account_id,
                                                           payments.currency_id)
    cr.execute("""
        UPDATE amazon_seller_settlement settlement
           SET disbursement_line_id = (SELECT max(line.id) FROM account_bank_statement_line line
                                        WHERE line.statement_id = settlement.statement_id)
         WHERE settlement.statement_id IS NOT NULL AND settlement.disbursement_line_id IS NULL
    """)
    cr.execute("""
        UPDATE amazon_seller_settlement SET state = 'deposited'
         WHERE state = 'posted' AND deposit_line_id IS NOT NULL
    """)
    cr.execute("ALTER TABLE amazon_seller_settlement DROP COLUMN IF EXISTS deposited")
