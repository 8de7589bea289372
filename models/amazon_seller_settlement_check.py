from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_amount

from ..exceptions import AmazonError
from ..formats.finance_mapper import deferred_by_order, read_payouts, read_summary
from ..utils import to_amazon_timestamp

SUMMARY_STATES = [("match", "Matches the File"), ("differs", "Differs from the File"),
                  ("unavailable", "Not Available")]
PAYOUT_STATES = [("STARTED", "Started"), ("IN_TRANSIT", "In Transit"), ("PAID", "Paid"),
                 ("FAILED", "Failed"), ("NO_PAYOUT", "No Payout")]


class AmazonSellerSettlement(models.Model):
    """Amazon's own numbers as a second witness of each settlement: its summary
    (``listSummary``: net proceeds, sales, refunds, expenses) against the file, and its payout
    to the bank (``listPayouts``: status, bank trace id), which *Match Bank Deposit* uses."""

    _inherit = "amazon.seller.settlement"

    amazon_summary_state = fields.Selection(
        selection=SUMMARY_STATES, string="Amazon's Summary", readonly=True, copy=False,
        tracking=True,
        help="Whether Amazon's own summary of the settlement (Finances listSummary) gives the "
             "file's payout.")
    amazon_net_proceeds = fields.Monetary(string="Amazon's Net Proceeds", readonly=True,
                                          copy=False)
    amazon_sales = fields.Monetary(string="Amazon's Sales", readonly=True, copy=False)
    amazon_refunds = fields.Monetary(string="Amazon's Refunds", readonly=True, copy=False)
    amazon_expenses = fields.Monetary(string="Amazon's Expenses", readonly=True, copy=False)
    amazon_summary_checked_at = fields.Datetime(string="Summary Checked", readonly=True,
                                                copy=False)
    amazon_payout_state = fields.Selection(selection=PAYOUT_STATES, string="Amazon's Payout",
                                           readonly=True, copy=False, tracking=True)
    amazon_payout_trace = fields.Char(
        string="Bank Trace ID", readonly=True, copy=False,
        help="Amazon's trace id of the transfer: the bank statement line carrying it is the "
             "deposit.")
    amazon_payout_failure = fields.Char(string="Payout Failure", readonly=True, copy=False)

    # === SUMMARY === #

    def action_check_with_amazon(self):
        """Ask Amazon for its summary and payout of these settlements again."""
        for settlement in self:
            settlement._amazon_check_summary()
        self.account_id._amazon_refresh_payouts(self)
        return True

    def _amazon_check_summary(self):
        """Compare Amazon's summary with the file: a difference keeps the settlement to review,
        both figures side by side. Amazon unreachable or silent, nothing is blocked."""
        self.ensure_one()
        marketplace = self._amazon_marketplace()
        try:
            summaries = self.account_id._get_gateway().get_settlement_summaries(
                self.settlement_ref, marketplace.marketplace_id)
        except AmazonError:
            summaries = []
        summary = read_summary(summaries, self.settlement_ref)
        values = {"amazon_summary_checked_at": fields.Datetime.now()}
        if summary is None:
            values["amazon_summary_state"] = "unavailable"
        else:
            same = self.currency_id.compare_amounts(self.total_amount, float(summary.net)) == 0
            values.update({
                "amazon_summary_state": "match" if same else "differs",
                "amazon_net_proceeds": float(summary.net),
                "amazon_sales": float(summary.breakdown.get("Sales", 0)),
                "amazon_refunds": float(summary.breakdown.get("Refunds", 0)),
                "amazon_expenses": float(summary.breakdown.get("Expenses", 0)),
            })
        self.write(values)
        if self.state in ("to_review", "ready"):
            self._set_problems()

    def _amazon_marketplace(self):
        """The marketplace of this settlement (Amazon settles each apart): the one its rows
        name (``Amazon.fr``), else the account's of its currency, else the account's first."""
        marketplaces = self.account_id.marketplace_ids
        names = {name.lower() for (name,) in self.env["amazon.seller.settlement.line"]._read_group(
            [("settlement_id", "=", self.id)], ["marketplace_name"]) if name}
        return marketplaces.filtered(lambda m: m.domain.lower() in names)[:1] \
            or marketplaces.filtered(lambda m: m.currency_id == self.currency_id)[:1] \
            or marketplaces[:1]

    def _amazon_marketplaces(self):
        marketplaces = self.env["amazon.seller.marketplace"]
        for settlement in self:
            marketplaces |= settlement._amazon_marketplace()
        return marketplaces

    def _summary_problems(self):
        """A sentence when Amazon's summary gives another payout than the file."""
        if self.amazon_summary_state != "differs":
            return []
        return [self.env._(
            "Amazon's summary gives net proceeds of %(amazon)s, the file a payout of %(file)s "
            "(%(difference)s apart): check the settlement in Seller Central before posting.",
            amazon=format_amount(self.env, self.amazon_net_proceeds, self.currency_id),
            file=format_amount(self.env, self.total_amount, self.currency_id),
            difference=format_amount(self.env, self.amazon_net_proceeds - self.total_amount,
                                     self.currency_id))]

    # === PAYOUT === #

    def _deposit_line_by_trace(self, start, end):
        """The unmatched bank line whose reference carries Amazon's trace id, of the payout's
        amount."""
        if not self.amazon_payout_trace:
            return self.env["account.bank.statement.line"]
        return self._bank_lines_between(start, end).filtered(
            lambda line: self.amazon_payout_trace in " ".join(
                filter(None, (line.payment_ref, line.ref, line.narration and str(line.narration))))
            and self.currency_id.compare_amounts(self._bank_amount(line), self.total_amount) == 0
        )[:1]

    def _check_payout_not_failed(self):
        if self.amazon_payout_state == "FAILED":
            raise UserError(self.env._(
                "Amazon's payout of settlement %(settlement)s failed (%(reason)s): no deposit "
                "to match, its payout stays in transit until Amazon pays it again.",
                settlement=self.settlement_ref,
                reason=self.amazon_payout_failure or self.env._("no reason given")))


class SaleOrder(models.Model):
    _inherit = "sale.order"

    amazon_deferred_amount = fields.Monetary(
        string="Held by Amazon", readonly=True, copy=False,
        help="What Amazon holds back of this order (deferred: business orders paid later, DD+7 "
             "payments released 7 days after delivery), as Amazon's transactions last said.")


class AmazonSellerAccount(models.Model):
    _inherit = "amazon.seller.account"

    def _amazon_refresh_deferred(self, days=60):
        """Amazon's deferred transactions of the last ``days`` (Finances ``listTransactions``,
        DEFERRED): what it holds of each order, on the order; orders released go back to zero.
        Amazon unreachable, the next run asks again."""
        since = to_amazon_timestamp(fields.Datetime.now() - timedelta(days=days))
        Order = self.env["sale.order"]
        for account in self:
            held = {}
            try:
                for marketplace in account.marketplace_ids:
                    for page in account._get_gateway().list_transactions(
                            since, marketplace_id=marketplace.marketplace_id, status="DEFERRED"):
                        held.update(deferred_by_order(page))
            except AmazonError:
                continue
            orders = Order.search([("amazon_account_id", "=", account.id), "|",
                                   ("amazon_order_ref", "in", list(held)),
                                   ("amazon_deferred_amount", "!=", 0)])
            for order in orders:
                amount = float(held.get(order.amazon_order_ref, (0, None))[0])
                if order.currency_id.compare_amounts(order.amazon_deferred_amount, amount):
                    order.amazon_deferred_amount = amount

    def _amazon_refresh_payouts(self, settlements=None):
        """Amazon's payouts of the account's settlements not deposited yet: status, trace id,
        failure. Amazon unreachable, they are asked again at the next run."""
        for account in self:
            if settlements is not None:
                pending = settlements.filtered(lambda s, a=account: s.account_id == a)
            else:
                pending = account.env["amazon.seller.settlement"].search([
                    ("account_id", "=", account.id), ("state", "!=", "deposited"),
                    ("amazon_payout_state", "not in", ("PAID", "NO_PAYOUT"))])
            if not pending:
                continue
            since = min(pending.mapped("date_start") or [fields.Date.today()]) - timedelta(days=3)
            found = {}
            for marketplace in pending._amazon_marketplaces():
                try:
                    found.update(read_payouts(account._get_gateway().list_payouts(
                        marketplace.marketplace_id, to_amazon_timestamp(
                            fields.Datetime.to_datetime(since)))))
                except AmazonError:
                    return
            for settlement in pending:
                payout = found.get(settlement.settlement_ref)
                if payout and payout.status != settlement.amazon_payout_state:
                    settlement.write({"amazon_payout_state": payout.status,
                                      "amazon_payout_trace": payout.trace,
                                      "amazon_payout_failure": payout.failure})
                    if payout.status == "FAILED":
                        account._schedule_activity(settlement, self.env._(
                            "Amazon's payout failed"), self.env._(
                            "Amazon could not pay settlement %(settlement)s to the bank: "
                            "%(reason)s. Check the bank account in Seller Central.",
                            settlement=settlement.settlement_ref,
                            reason=payout.failure or self.env._("no reason given")))

