from odoo import fields, models
from odoo.tools import date_utils

from ..exceptions import AmazonError
from ..formats.finance_mapper import read_balance


class AmazonSellerBalanceCheck(models.Model):
    """Amazon's balances at a month end (Finances ``listBalances``) beside Odoo's books of the
    same day, per account and currency, the difference explained rather than hidden: orders
    shipped and not settled yet (Amazon's deferred money, Odoo's open Amazon receivables), the
    reserve Amazon holds, what Amazon has available but not paid out."""

    _name = "amazon.seller.balance.check"
    _description = "Amazon Month-End Balance Check"
    _order = "date desc, account_id, currency_id"

    account_id = fields.Many2one(comodel_name="amazon.seller.account", required=True,
                                 ondelete="cascade", index=True)
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    marketplace_id = fields.Many2one(comodel_name="amazon.seller.marketplace", required=True)
    currency_id = fields.Many2one(comodel_name="res.currency", required=True)
    date = fields.Date(string="Month End", required=True)
    amazon_available = fields.Monetary(string="Amazon: Available")
    amazon_deferred = fields.Monetary(string="Amazon: Deferred",
                                      help="Money of orders shipped, not released yet.")
    amazon_reserve = fields.Monetary(string="Amazon: Reserve")
    amazon_total = fields.Monetary(string="Amazon: Total")
    odoo_balance = fields.Monetary(string="Odoo: Amazon Balance",
                                   help="The Amazon Payments journal's account at that day.")
    odoo_reserve = fields.Monetary(string="Odoo: Reserve")
    odoo_receivable = fields.Monetary(
        string="Odoo: Open Receivables",
        help="Amazon orders invoiced and not settled yet at that day.")
    odoo_total = fields.Monetary(string="Odoo: Total")
    difference = fields.Monetary(help="Amazon's total less Odoo's.")
    note = fields.Text(string="Explanation")

    _check_unique = models.Constraint("UNIQUE(account_id, marketplace_id, date)",
                                      "One balance check per account, marketplace and day.")


class AmazonSellerAccount(models.Model):
    _inherit = "amazon.seller.account"

    balance_check_ids = fields.One2many(comodel_name="amazon.seller.balance.check",
                                        inverse_name="account_id", string="Balance Checks")
    balance_difference_count = fields.Integer(
        string="Balance Differences", compute="_compute_balance_difference_count",
        help="Marketplaces whose last month-end balance at Amazon differs from Odoo's.")

    def _compute_balance_difference_count(self):
        for account in self:
            latest = {}
            for check in account.balance_check_ids.sorted("date"):
                latest[check.marketplace_id] = check
            account.balance_difference_count = sum(
                1 for check in latest.values()
                if not check.currency_id.is_zero(check.difference))

    def action_check_balances(self):
        """Compare Amazon's balances with Odoo's at the last month end, now."""
        self._amazon_check_month_end(force=True)
        return True

    def _amazon_check_month_end(self, force=False):
        """Once per month end (the last one past), per marketplace: Amazon's balances against
        Odoo's books of that day. Amazon unreachable, the next run tries again."""
        month_end = date_utils.start_of(fields.Date.context_today(self), "month") \
            - date_utils.relativedelta(days=1)
        Check = self.env["amazon.seller.balance.check"]
        for account in self:
            for marketplace in account.marketplace_ids:
                done = Check.search([("account_id", "=", account.id),
                                     ("marketplace_id", "=", marketplace.id),
                                     ("date", "=", month_end)])
                if done and not force:
                    continue
                try:
                    amounts, currency_code = read_balance(
                        account._get_gateway().list_balances(
                            marketplace.marketplace_id, fields.Date.to_string(month_end)),
                        marketplace.marketplace_id)
                except AmazonError:
                    return
                if amounts is None:
                    continue
                values = account._balance_check_values(marketplace, month_end, amounts,
                                                       currency_code)
                if done:
                    done.write(values)
                else:
                    Check.create(values)

    def _balance_check_values(self, marketplace, day, amazon, currency_code):
        currency = self.env["res.currency"].with_context(active_test=False).search(
            [("name", "=", currency_code)], limit=1) or marketplace.currency_id
        payments = self._payments_in(currency)
        balance = self._booked(payments.journal_id.default_account_id, currency, day) \
            if payments else 0.0
        reserve = self._booked(payments.reserve_account_id, currency, day) if payments else 0.0
        receivable = self._open_amazon_receivables(marketplace, currency, day)
        values = {
            "account_id": self.id, "marketplace_id": marketplace.id,
            "currency_id": currency.id, "date": day,
            "amazon_available": float(amazon.get("AVAILABLE", 0)),
            "amazon_deferred": float(amazon.get("DEFERRED", 0)),
            "amazon_reserve": float(amazon.get("ACCOUNT_LEVEL_RESERVE", 0)),
            "amazon_total": float(amazon.get("TOTAL", 0)),
            "odoo_balance": balance, "odoo_reserve": reserve, "odoo_receivable": receivable,
            "odoo_total": balance + reserve + receivable,
        }
        values["difference"] = currency.round(values["amazon_total"] - values["odoo_total"])
        values["note"] = self._balance_explanation(values, currency)
        return values

    def _balance_explanation(self, values, currency):
        def money(amount):
            return f"{currency.round(amount):.{currency.decimal_places}f} {currency.name}"
        if currency.is_zero(values["difference"]):
            return self.env._("Amazon's total equals Odoo's books.")
        lines = [
            self.env._("Orders shipped and not settled yet: Amazon defers %(amazon)s, Odoo's "
                       "open Amazon receivables are %(odoo)s (Amazon counts them net of its "
                       "fees, Odoo at the invoiced amount; business orders paid later, and "
                       "DD+7 payments held 7 days after delivery, stay deferred).",
                       amazon=money(values["amazon_deferred"]),
                       odoo=money(values["odoo_receivable"])),
            self.env._("Reserve: Amazon holds %(amazon)s, Odoo's reserve account %(odoo)s.",
                       amazon=money(values["amazon_reserve"]), odoo=money(values["odoo_reserve"])),
            self.env._("Available at Amazon, not paid out: %(amazon)s; Odoo's Amazon balance "
                       "%(odoo)s (a settlement not imported or posted yet, a failed payout).",
                       amazon=money(values["amazon_available"]),
                       odoo=money(values["odoo_balance"])),
        ]
        return "\n".join(lines)

    def _booked(self, account, currency, day):
        """What ``account`` holds at the end of ``day``, in ``currency``."""
        if not account:
            return 0.0
        foreign = currency != self.company_id.currency_id
        [(total,)] = self.env["account.move.line"].sudo()._read_group([
            ("account_id", "=", account.id), ("parent_state", "=", "posted"),
            ("date", "<=", day), ("company_id", "=", self.company_id.id)],
            [], ["amount_currency:sum" if foreign else "balance:sum"])
        return currency.round(total or 0.0)

    def _open_amazon_receivables(self, marketplace, currency, day):
        """Amazon invoices of the marketplace posted by ``day`` and not settled by then."""
        invoices = self.env["account.move"].sudo().search([
            ("amazon_account_id", "=", self.id), ("amazon_marketplace_id", "=", marketplace.id),
            ("move_type", "in", ("out_invoice", "out_refund")), ("state", "=", "posted"),
            ("invoice_date", "<=", day), ("currency_id", "=", currency.id)])
        open_amount = 0.0
        for invoice in invoices:
            receivable = invoice.line_ids.filtered(
                lambda l: l.account_id.account_type == "asset_receivable")
            settled = sum(partial.amount for line in receivable
                          for partial in (line.matched_debit_ids | line.matched_credit_ids)
                          if partial.max_date <= day)
            sign = -1 if invoice.move_type == "out_refund" else 1
            open_amount += sign * (invoice.amount_total - settled)
        return currency.round(open_amount)
