from collections import defaultdict
from datetime import datetime, time, timedelta
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, split_every

from ..exceptions import AmazonError
from ..utils import notification_action, proposed_fee_role, settlement_row_kind
from .amazon_seller_settlement_rule import RULE_KINDS

_logger = logging.getLogger(__name__)

# Amazon order ids per query when a settlement's orders and invoices are looked up.
READ_CHUNK = 5000

SETTLEMENT_STATES = [
    ("to_review", "To Review"),
    ("ready", "Ready"),
    ("posted", "Posted"),
    ("deposited", "Deposited"),
]
# States of a booked settlement: a deposited one is posted for every purpose.
BOOKED_STATES = ("posted", "deposited")
# The values that tell settlement rows apart: a row of another settlement (same account and
# currency) with the same values is the same money booked again. The marketplace too: each one
# has settlements of its own, whose service fees may fall on the same second. The posted
# date-time to the second (``_read_group`` truncates datetimes to the hour at the finest,
# minutes and seconds are read as numbers), last.
ROW_KEY = ["transaction_type", "order_ref", "adjustment_ref", "amount_type",
           "amount_description", "amount", "order_item_code", "sku", "marketplace_name",
           "posted_date:hour", "posted_date:minute_number", "posted_date:second_number"]
# Rows quoted in the message naming rows another settlement booked already.
SAMPLE_ROWS = 3
# How far from its expected day a bank line of the payout (or of other money Amazon sent to the
# bank) is looked for.
DEPOSIT_WINDOW = timedelta(days=5)


class AmazonSellerSettlement(models.Model):
    """One Amazon payout: the settlement report (V2 flat file) of an account, every row kept,
    each mapped by the settlement rules. It stays *to review* while a row has no rule or names an
    order Odoo does not hold; it is *ready* to post once everything is understood."""

    _name = "amazon.seller.settlement"
    _description = "Amazon Settlement"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_end desc, id desc"
    _rec_name = "settlement_ref"

    account_id = fields.Many2one(
        comodel_name="amazon.seller.account", required=True, index=True, ondelete="restrict")
    company_id = fields.Many2one(related="account_id.company_id", store=True)
    settlement_ref = fields.Char(string="Settlement ID", required=True, readonly=True)
    amazon_report_ref = fields.Char(string="Amazon Report", readonly=True, index="btree_not_null")
    # Days, not instants: Amazon's period runs from 00:00:00 to 23:59:59 UTC (or between two
    # instants of the same kind) and the books date each row by its UTC day; as datetimes a
    # user in Berlin would see a period of 16–30 June end on 1 July, 01:59, and the deposit
    # of 2 July at "12:00 AM". The instants stay in the attached file.
    date_start = fields.Date(string="From", readonly=True,
                             help="First day of the settlement period (UTC).")
    date_end = fields.Date(string="To", readonly=True,
                           help="Last day of the settlement period (UTC).")
    deposit_date = fields.Date(readonly=True, help="The day Amazon sends the payout (UTC).")
    currency_id = fields.Many2one(comodel_name="res.currency", required=True, readonly=True)
    total_amount = fields.Monetary(string="Payout", readonly=True,
                                   help="What Amazon pays out (negative: what the seller owes).")
    state = fields.Selection(selection=SETTLEMENT_STATES, default="to_review", required=True,
                             tracking=True, index=True)
    attachment_id = fields.Many2one(comodel_name="ir.attachment", string="File", readonly=True)
    file_sha256 = fields.Char(string="File SHA-256", readonly=True)
    line_ids = fields.One2many(comodel_name="amazon.seller.settlement.line",
                               inverse_name="settlement_id", string="Rows")
    line_count = fields.Integer(compute="_compute_counts")
    unmapped_count = fields.Integer(string="Unmapped Rows", compute="_compute_counts")
    missing_order_count = fields.Integer(string="Orders Not in Odoo", compute="_compute_counts")
    problems = fields.Text(readonly=True, help="What keeps the settlement from being posted.")
    statement_id = fields.Many2one(comodel_name="account.bank.statement", readonly=True,
                                   string="Bank Statement", copy=False)
    disbursement_line_id = fields.Many2one(
        comodel_name="account.bank.statement.line", string="Disbursement", readonly=True,
        copy=False, help="The line of the Amazon Payments statement that sends the payout to "
                         "the payouts-in-transit account.")
    deposit_line_id = fields.Many2one(
        comodel_name="account.bank.statement.line", string="Bank Deposit", readonly=True,
        copy=False, help="The line of your bank statement the payout was matched with.")

    sales_amount = fields.Monetary(string="Sales", compute="_compute_summary",
                                   help="Order rows: prices, shipping, promotions, tax charged.")
    refund_amount = fields.Monetary(string="Refunds", compute="_compute_summary")
    fee_amount = fields.Monetary(string="Selling and FBA Fees", compute="_compute_summary")
    advertising_amount = fields.Monetary(string="Advertising", compute="_compute_summary")
    reimbursement_amount = fields.Monetary(string="Reimbursements", compute="_compute_summary")
    reserve_amount = fields.Monetary(string="Reserves", compute="_compute_summary",
                                     help="Previous reserve released less the reserve held now.")
    mf_tax_amount = fields.Monetary(string="Facilitator Tax", compute="_compute_summary",
                                    help="Tax Amazon collected and remits itself.")
    fee_tax_amount = fields.Monetary(
        string="Tax on Fees", compute="_compute_summary",
        help="Tax Amazon charged on its fees (GST/HST, VAT): input tax to reclaim.")
    transfer_amount = fields.Monetary(string="Transfers", compute="_compute_summary",
                                      help="Debts carried from an earlier settlement, card "
                                           "charges, failed disbursements.")
    fee_summary = fields.Html(string="Fees by Type", compute="_compute_summary", sanitize=False)
    order_count = fields.Integer(compute="_compute_summary")
    invoice_count = fields.Integer(string="Invoices", compute="_compute_invoice_count")

    _settlement_unique = models.Constraint(
        "UNIQUE(account_id, settlement_ref)", "A settlement is imported once per account.")

    @api.depends("line_ids.rule_id", "line_ids.amount")
    def _compute_summary(self):
        """The payout explained: what each kind of row adds up to, fees by type."""
        Line = self.env["amazon.seller.settlement.line"]
        sums = defaultdict(lambda: defaultdict(float))
        fees = defaultdict(lambda: defaultdict(float))
        for settlement, rule, description, amount in Line._read_group(
                [("settlement_id", "in", self.ids)],
                ["settlement_id", "rule_id", "amount_description"], ["amount:sum"]):
            category = _summary_category(rule)
            sums[settlement.id][category] += amount
            if category in ("fee", "advertising"):
                fees[settlement.id][rule._label_for(description)] += amount
        orders = dict(Line._read_group(
            [("settlement_id", "in", self.ids), ("kind", "in", ("order", "refund"))],
            ["settlement_id"], ["order_ref:count_distinct"]))
        for settlement in self:
            amounts = sums[settlement.id]
            settlement.update({f"{category}_amount": amounts[category] for category in (
                "sales", "refund", "fee", "advertising", "reimbursement", "reserve", "mf_tax",
                "fee_tax", "transfer")})
            settlement.order_count = orders.get(settlement, 0)
            settlement.fee_summary = self.env["ir.qweb"]._render(
                "amazon_seller.settlement_fee_summary", {
                    "fees": sorted(fees[settlement.id].items(), key=lambda item: item[1]),
                    "currency": settlement.currency_id}) if fees[settlement.id] else False

    def _compute_invoice_count(self):
        for settlement in self:
            settlement.invoice_count = len(settlement._invoices())

    def _invoices(self):
        """The invoices and credit notes of the orders this settlement pays or refunds."""
        self.ensure_one()
        return self.env["account.move"].search([
            ("amazon_account_id", "=", self.account_id.id),
            ("amazon_order_ref", "in", self._order_refs()),
            ("move_type", "in", ("out_invoice", "out_refund"))])

    def _order_refs(self):
        """The Amazon orders this settlement's order and refund rows name."""
        return [ref for (ref,) in self.env["amazon.seller.settlement.line"]._read_group(
            [("settlement_id", "=", self.id), ("kind", "in", ("order", "refund")),
             ("order_ref", "!=", False)], ["order_ref"])]

    @api.depends("line_ids.rule_id", "line_ids.order_id")
    def _compute_counts(self):
        Line = self.env["amazon.seller.settlement.line"]
        rows = dict(Line._read_group([("settlement_id", "in", self.ids)], ["settlement_id"],
                                     ["__count"]))
        unmapped = dict(Line._read_group([("settlement_id", "in", self.ids), ("rule_id", "=", False)],
                                         ["settlement_id"], ["__count"]))
        for settlement in self:
            settlement.line_count = rows.get(settlement, 0)
            settlement.unmapped_count = unmapped.get(settlement, 0)
            settlement.missing_order_count = len(settlement._missing_order_refs()) \
                if settlement.id else 0

    # === ACTIONS === #

    def action_check(self):
        """Map the rows again (after rules were added or orders imported) and say what is
        missing."""
        self._map_and_check()
        return True

    def action_view_unmapped(self):
        return self._lines_action([("rule_id", "=", False)])

    def action_view_lines(self):
        return self._lines_action([])

    def _lines_action(self, domain):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_seller.action_amazon_settlement_lines")
        action["domain"] = [("settlement_id", "=", self.id)] + domain
        return action

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action.update(domain=[("amazon_account_id", "=", self.account_id.id),
                              ("amazon_order_ref", "in", self._order_refs())],
                      context={"create": False})
        return action

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type")
        action.update(domain=[("id", "in", self._invoices().ids)], context={"create": False})
        return action

    def action_view_statement(self):
        """The bank statement lines the settlement was booked as."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window", "res_model": "account.bank.statement.line",
            "name": self.env._("Settlement %(settlement)s", settlement=self.settlement_ref),
            "view_mode": "list,form", "domain": [("statement_id", "=", self.statement_id.id)],
            "context": {"create": False},
        }

    # === MAPPING === #

    def _map_and_check(self):
        """Give every row its rule and its order again (after rules were added or orders
        imported), then list what blocks posting. Rows are handled per distinct code and per
        order, never one by one: a settlement may hold 100,000 rows."""
        Line = self.env["amazon.seller.settlement.line"]
        for settlement in self.filtered(lambda s: s.state not in BOOKED_STATES):
            match = self.env["amazon.seller.settlement.rule"]._matcher(settlement.company_id)
            domain = [("settlement_id", "=", settlement.id)]
            for ttype, atype, description, rule, lines in Line._read_group(
                    domain, ["transaction_type", "amount_type", "amount_description", "rule_id"],
                    ["id:recordset"]):
                wanted = match(ttype, atype, description)
                if wanted != rule:
                    lines.rule_id = wanted
            unmatched = Line._read_group(
                domain + [("kind", "in", ("order", "refund")), ("order_id", "=", False),
                          ("order_ref", "!=", False)], ["order_ref"], ["id:recordset"])
            if unmatched:
                orders = settlement._orders_by_ref([ref for ref, _lines in unmatched])
                for order_ref, lines in unmatched:
                    if order_ref in orders:
                        lines.order_id = orders[order_ref]
            settlement._set_problems()

    def _orders_by_ref(self, order_refs):
        """{Amazon order id: sale order id} of this settlement's account, read in chunks."""
        result = {}
        for refs in split_every(READ_CHUNK, order_refs):
            for order in self.env["sale.order"].search_fetch([
                    ("amazon_account_id", "=", self.account_id.id),
                    ("amazon_order_ref", "in", refs)], ["amazon_order_ref"]):
                result[order.amazon_order_ref] = order.id
        return result

    def _set_problems(self):
        """List what blocks posting; the settlement is *ready* when nothing does."""
        Line = self.env["amazon.seller.settlement.line"]
        problems = self._booked_rows_problems()
        problems += sorted(self.env._("No rule for %(code)s: map it with Create Rule.", code=" / ".join(
            value or "" for value in (ttype, atype, description)))
            for ttype, atype, description in Line._read_group(
                [("settlement_id", "=", self.id), ("rule_id", "=", False)],
                ["transaction_type", "amount_type", "amount_description"]))
        problems += self._fee_tax_problems()
        problems += self._summary_problems()
        for order_ref in self._missing_order_refs():
            problems.append(self.env._(
                "Order %(order)s is not in Odoo: fetch it from Amazon.", order=order_ref))
        for order_ref in self._uninvoiced_order_refs():
            problems.append(self.env._("Order %(order)s is not invoiced yet.", order=order_ref))
        self.write({"problems": "\n".join(problems) or False,
                    "state": "to_review" if problems else "ready"})

    def _booked_rows_problems(self):
        """Rows another booked settlement of the account holds already (the same money in a
        file under another settlement id): a message per such settlement. Rows are compared
        across settlements only, as multisets of their values (two units of one item may give
        two identical rows in one file): this settlement's rows grouped by value, then the
        booked rows of the same posted dates grouped the same way, two queries whatever the
        number of rows."""
        Line = self.env["amazon.seller.settlement.line"].with_context(tz="UTC")
        own = {tuple(key): count for *key, count in Line._read_group(
            [("settlement_id", "=", self.id)], ROW_KEY, ["__count"])}
        if not own:
            return []
        found = defaultdict(list)
        for settlement, *key, count in Line._read_group(
                [("account_id", "=", self.account_id.id), ("settlement_id", "!=", self.id),
                 ("currency_id", "=", self.currency_id.id),
                 ("settlement_id.state", "in", BOOKED_STATES),
                 *self._posted_date_domain(own)], ["settlement_id", *ROW_KEY], ["__count"]):
            if (key := tuple(key)) in own:
                found[settlement].append((key, min(count, own[key])))
        return [self._booked_rows_message(settlement, rows)
                for settlement, rows in sorted(found.items(), key=lambda item: item[0].id)]

    @staticmethod
    def _row_posted(key):
        """The posted date-time of a row's ``ROW_KEY`` values (None when the row has none)."""
        hour, minute, second = key[-3:]
        return hour and hour + timedelta(minutes=minute, seconds=second)

    def _posted_date_domain(self, keys):
        """The rows posted when the rows of ``keys`` were (between the first and the last of
        them, or without a date when one of them has none)."""
        posted = [day for key in keys if (day := self._row_posted(key))]
        domain = [("posted_date", ">=", min(posted)), ("posted_date", "<=", max(posted))] \
            if posted else [("id", "=", False)]
        if len(posted) < len(keys):
            domain = ["|", ("posted_date", "=", False), *domain]
        return domain

    def _booked_rows_message(self, settlement, rows):
        """``rows``: [(ROW_KEY values, how many of them ``settlement`` booked already)]."""
        count = sum(number for _key, number in rows)
        samples = [self._row_label(key) for key, _number in sorted(
            rows, key=lambda row: (self._row_posted(row[0]) or datetime.min,
                                   [str(value) for value in row[0]]))]
        sample = "; ".join(samples[:SAMPLE_ROWS]) + ("; …" if len(samples) > SAMPLE_ROWS else "")
        state = dict(self._fields["state"]._description_selection(self.env))[settlement.state]
        if count == 1:
            return self.env._("1 row was already booked by settlement %(settlement)s (%(state)s): "
                              "%(rows)s", settlement=settlement.settlement_ref, state=state,
                              rows=sample)
        return self.env._("%(count)s rows were already booked by settlement %(settlement)s "
                          "(%(state)s): %(rows)s", count=count,
                          settlement=settlement.settlement_ref, state=state, rows=sample)

    def _row_label(self, key):
        """A row as a person finds it in the file: type, order, code, amount, posted date."""
        ttype, order_ref, adjustment_ref, atype, description, amount = key[:6]
        posted = self._row_posted(key)
        row = " ".join(value for value in (
            ttype, order_ref or adjustment_ref, f"{atype or ''}/{description or ''}",
            f"{amount:.{self.currency_id.decimal_places}f}") if value)
        if not posted:
            return row
        day = fields.Date.to_string(posted) if posted.time() == time.min \
            else f"{fields.Datetime.to_string(posted)} UTC"
        return self.env._("%(row)s on %(day)s", row=row, day=day)

    def _fee_tax_problems(self):
        """Tax on Amazon's fees with nowhere to go: no account on its rule and no default
        purchase tax with a tax account in the company."""
        Line = self.env["amazon.seller.settlement.line"]
        homeless = Line._read_group(
            [("settlement_id", "=", self.id), ("rule_id.kind", "=", "fee_tax"),
             ("rule_id.account_id", "=", False)], ["rule_id"])
        if not homeless or self.company_id._amazon_input_tax_account():
            return []
        return [self.env._(
            "No account for %(code)s: give %(company)s a default purchase tax with a tax "
            "account (Accounting ▸ Configuration ▸ Settings), or an account to the rule.",
            code=rule._code(), company=self.company_id.name) for (rule,) in homeless]

    def _missing_order_refs(self):
        """Orders the order and refund rows name that Odoo does not hold."""
        return sorted(ref for (ref,) in self.env["amazon.seller.settlement.line"]._read_group(
            [("settlement_id", "=", self.id), ("kind", "in", ("order", "refund")),
             ("order_id", "=", False), ("order_ref", "!=", False)], ["order_ref"]))

    def _uninvoiced_order_refs(self):
        """Orders Amazon paid in this settlement that have no posted invoice to clear (refunds
        need none: their credit notes are made when the settlement is posted)."""
        refs = [ref for (ref,) in self.env["amazon.seller.settlement.line"]._read_group(
            [("settlement_id", "=", self.id), ("kind", "=", "order"), ("order_id", "!=", False)],
            ["order_ref"])]
        invoiced = set()
        for chunk in split_every(READ_CHUNK, refs):
            invoiced.update(self.env["account.move"].search_fetch([
                ("amazon_account_id", "=", self.account_id.id),
                ("amazon_order_ref", "in", chunk),
                ("move_type", "=", "out_invoice"), ("state", "=", "posted")],
                ["amazon_order_ref"]).mapped("amazon_order_ref"))
        return sorted(set(refs) - invoiced)

    # === FETCH === #

    def action_fetch_orders(self):
        """Fetch the orders Odoo does not hold from Amazon (getOrder, through the order
        importer), invoice what shipped, and check the settlement again."""
        self.ensure_one()
        self.account_id._check_can_book()
        settlement = self.sudo()
        refs = settlement._missing_order_refs()
        if not refs:
            raise UserError(self.env._("Every order of settlement %(settlement)s is in Odoo.",
                                       settlement=self.settlement_ref))
        importer = self.env["amazon.seller.order.import"].sudo()
        try:
            with importer._locked(settlement.account_id):
                stats = importer._import_order_refs(settlement.account_id, refs)
        except AmazonError as error:
            raise UserError(settlement.account_id._describe_amazon_error(error)) from error
        orders = self.env["sale.order"].sudo().search([
            ("amazon_account_id", "=", settlement.account_id.id),
            ("amazon_order_ref", "in", refs)])
        self.env["amazon.seller.invoicing"].sudo()._invoice_now(orders)
        settlement._map_and_check()
        return notification_action(self.env._(
            "%(created)s of %(wanted)s orders fetched from Amazon, %(failed)s failed (see Amazon: "
            "Sync Errors).", created=stats["created"] + stats["updated"], wanted=len(refs),
            failed=stats["failed"]), "success" if not stats["failed"] else "warning")

    # === POSTING === #

    def action_post(self):
        """Book the settlement as one bank statement of the Amazon Payments journal, all or
        nothing: receivables clear the invoices and credit notes, fees go to their accounts, the
        disbursement leaves exactly the payout in transit. A settlement holding rows another
        one booked in the meantime goes back to review instead, and the person is told why."""
        self.account_id._check_can_book()
        refused = self.browse()
        for settlement in self.sudo():
            if not self.env["amazon.seller.settlement.posting"]._post(settlement):
                refused |= settlement
        if refused:
            return notification_action("\n".join(refused.mapped("problems")), "warning",
                                       next_action={"type": "ir.actions.client",
                                                    "tag": "soft_reload"})
        return True

    # === PAYOUT TO BANK === #

    def action_match_deposit(self):
        """Find the bank statement line of the payout (same amount, deposit date ± 5 days, not
        matched yet) and reconcile it with the payout waiting in transit, and the bank lines of
        the settlement's other money sent to the bank (a micro deposit) with theirs; works
        without the Enterprise reconciliation widget."""
        self.account_id._check_can_book()
        for settlement in self.sudo():
            settlement._match_deposit()
        return True

    def _match_deposit(self):
        """The payout's transit line with its bank line alone (never the settlement's other
        transit lines), then each of those with a bank line of its own where there is one."""
        self.ensure_one()
        if self.state != "posted":
            raise UserError(self.env._("Settlement %(settlement)s is not a posted payout waiting "
                                       "for its deposit.", settlement=self.settlement_ref))
        payments = self.account_id._payments_in(self.currency_id)
        payout = self._payout_in_transit(payments)
        self._check_payout_not_failed()
        day = self.deposit_date or self.date_end
        near = DEPOSIT_WINDOW
        bank_line = self._deposit_line_by_trace(day - near, day + near) \
            or self._bank_lines_of(self.total_amount, day - near, day + near, day)[:1]
        if not bank_line or not payout:
            raise UserError(self._no_deposit_message(payout, day))
        self._reconcile_with_bank(payout, bank_line, payments)
        self.write({"deposit_line_id": bank_line.id, "state": "deposited"})
        notes = [self.env._("Payout matched with the bank line %(line)s.",
                            line=bank_line.display_name)]
        start = (self.date_start or self.date_end) - near
        for line in self._sent_to_the_bank(payments):
            amount = self._in_currency(line)
            match = self._bank_lines_of(amount, start, day + near, day)[:1]
            if match:
                self._reconcile_with_bank(line, match, payments)
                notes.append(self.env._("%(row)s matched with the bank line %(line)s.",
                                        row=line.name, line=match.display_name))
            else:
                notes.append(self.env._("%(row)s of %(amount)s still waits for its bank line.",
                                        row=line.name,
                                        amount=format_amount(self.env, amount, self.currency_id)))
        self.message_post(body="\n".join(notes))

    def _transit_lines(self, payments):
        """The open lines of this settlement's statement on the payouts-in-transit account."""
        return self.statement_id.line_ids.move_id.line_ids.filtered(
            lambda l: l.account_id == payments.transit_account_id and not l.reconciled)

    def _payout_in_transit(self, payments):
        """The transit line waiting for the payout's bank line: the disbursement's own; for a
        negative payout whose debt a later settlement carried (Payable to Amazon), the
        *Successful charge* line that waits for the card or bank line paying Amazon."""
        own = self._transit_lines(payments) & self.disbursement_line_id.move_id.line_ids
        if own or self.total_amount >= 0:
            return own
        return self.env["account.move.line"].search([
            ("account_id", "=", payments.transit_account_id.id),
            ("journal_id", "=", payments.journal_id.id), ("reconciled", "=", False),
            ("parent_state", "=", "posted"), ("balance", "<", 0),
        ], order="date, id").filtered(
            lambda l: self.currency_id.compare_amounts(self._in_currency(l),
                                                       self.total_amount) == 0)[:1]

    def _in_currency(self, move_line):
        """A journal item's amount in the settlement's currency."""
        return move_line.amount_currency if move_line.currency_id == self.currency_id \
            else move_line.balance

    def _bank_amount(self, bank_line):
        """A bank statement line's amount in the settlement's currency."""
        return bank_line.amount_currency if bank_line.foreign_currency_id == self.currency_id \
            else bank_line.amount

    def _sent_to_the_bank(self, payments):
        """The settlement's other money Amazon sent to the bank outside the payout (a micro
        deposit): open transit lines besides the disbursement's. A card charge (money from the
        bank) is left to the negative payout it paid, whose deposit it is."""
        return (self._transit_lines(payments) - self.disbursement_line_id.move_id.line_ids) \
            .filtered(lambda l: l.balance > 0)

    def _reconcile_with_bank(self, transit_line, bank_line, payments):
        """Book the bank line's counterpart on the transit account and reconcile the two."""
        move = bank_line.move_id
        suspense = move.line_ids.filtered(
            lambda l: l.account_id == bank_line.journal_id.suspense_account_id)
        move.button_draft()
        suspense.account_id = payments.transit_account_id
        move.action_post()
        (suspense | transit_line).reconcile()

    def _bank_lines_of(self, amount, start, end, day):
        """Unmatched lines of the company's bank journals of ``amount`` dated ``start`` to
        ``end``: those naming the settlement first, then the nearest to ``day``."""
        lines = self._bank_lines_between(start, end).filtered(
            lambda l: self.currency_id.compare_amounts(self._bank_amount(l), amount) == 0)
        return lines.sorted(lambda l: (self.settlement_ref not in (l.payment_ref or ""),
                                       abs((l.date - day).days)))

    def _bank_lines_between(self, start, end):
        return self.env["account.bank.statement.line"].search([
            ("company_id", "=", self.company_id.id), ("journal_id.type", "=", "bank"),
            ("journal_id", "not in", self.account_id.payments_ids.journal_id.ids),
            ("is_reconciled", "=", False), ("date", ">=", start), ("date", "<=", end),
        ])

    def _no_deposit_message(self, payout, day):
        """Why nothing was matched: a bank line naming the settlement with another amount than
        the ``payout`` waiting in transit, or no bank line of the payout's amount at all."""
        near = DEPOSIT_WINDOW
        named = self._bank_lines_between(day - near, day + near).filtered(
            lambda l: self.settlement_ref in (l.payment_ref or ""))[:1]
        if named and payout:
            amount = self._bank_amount(named)
            return self.env._(
                "The bank line %(line)s names settlement %(settlement)s but is of %(bank)s, not "
                "the payout's %(amount)s: nothing was matched. Check the deposit with Amazon's "
                "payment report.", line=named.display_name, settlement=self.settlement_ref,
                bank=format_amount(self.env, amount, self.currency_id),
                amount=format_amount(self.env, self.total_amount, self.currency_id))
        return self.env._(
            "No bank statement line of %(amount)s %(currency)s between %(start)s and "
            "%(end)s is waiting to be matched: import the bank statement first.",
            amount=self.total_amount, currency=self.currency_id.name,
            start=day - near, end=day + near)

    @api.model
    def _cron_post_ready(self):
        """Scheduled action: post the settlements that are ready, each in its own transaction
        (a settlement a person is posting right now is left to them)."""
        cron = self.env["ir.cron"]
        ready = self.search([("state", "=", "ready")], order="date_end, id")
        cron._commit_progress(remaining=len(ready))
        for settlement in ready:
            try:
                with self.env.cr.savepoint():
                    self.env["amazon.seller.settlement.posting"]._post(settlement)
            except UserError as error:
                settlement.message_post(body=error.args[0])
            except Exception:  # noqa: BLE001 - one settlement's crash never stops the others
                _logger.exception("Amazon settlement %s could not be posted",
                                  settlement.settlement_ref)
                self.env.invalidate_all()
                settlement.message_post(body=self.env._(
                    "Settlement %(settlement)s could not be posted: unexpected error (details "
                    "in the server log). Nothing of it was booked; the next run tries again.",
                    settlement=settlement.settlement_ref))
            if not cron._commit_progress(1):
                break


def _summary_category(rule):
    """Where a rule's rows go in the settlement's summary."""
    if not rule:
        return "unmapped"
    if rule.kind in ("order", "mf_tax", "fee_tax", "reserve", "transit", "carried"):
        return {"order": "sales", "transit": "transfer", "carried": "transfer"}.get(
            rule.kind, rule.kind)
    if rule.kind == "refund":
        return "refund"
    if rule.payments_account == "advertising_account_id":
        return "advertising"
    if rule.payments_account == "reimbursement_account_id":
        return "reimbursement"
    if rule.payments_account == "loan_account_id":
        return "transfer"
    return "fee"


class AmazonSellerSettlementLine(models.Model):
    """One row of a settlement report, every column kept."""

    _name = "amazon.seller.settlement.line"
    _description = "Amazon Settlement Row"
    _order = "settlement_id, line_number"

    settlement_id = fields.Many2one(comodel_name="amazon.seller.settlement", required=True,
                                    index=True, ondelete="cascade")
    company_id = fields.Many2one(related="settlement_id.company_id", store=True)
    account_id = fields.Many2one(related="settlement_id.account_id", store=True)
    currency_id = fields.Many2one(related="settlement_id.currency_id", store=True)
    line_number = fields.Integer(string="Line", readonly=True)
    transaction_type = fields.Char(readonly=True, index=True)
    amount_type = fields.Char(readonly=True)
    amount_description = fields.Char(readonly=True)
    amount = fields.Monetary(readonly=True)
    order_ref = fields.Char(string="Order ID", readonly=True, index="btree_not_null")
    merchant_order_ref = fields.Char(string="Merchant Order ID", readonly=True)
    removal_id = fields.Many2one(
        comodel_name="amazon.seller.removal", string="Removal Order",
        compute="_compute_removal_id",
        help="The FBA removal order a removal or disposal fee is for (its order id).")
    inbound_shipment_id = fields.Many2one(
        comodel_name="amazon.seller.inbound.shipment", string="Inbound Shipment",
        compute="_compute_inbound_shipment_id",
        help="The shipment to Amazon an inbound placement or transportation fee is for (its "
             "FBA… id in the row).")
    adjustment_ref = fields.Char(string="Adjustment ID", readonly=True)
    shipment_ref = fields.Char(string="Shipment ID", readonly=True)
    marketplace_name = fields.Char(readonly=True)
    fulfillment_ref = fields.Char(string="Fulfillment ID", readonly=True)
    posted_date = fields.Datetime(readonly=True, index=True)  # rows booked twice are sought by it
    order_item_code = fields.Char(readonly=True)
    merchant_order_item_ref = fields.Char(string="Merchant Order Item ID", readonly=True)
    merchant_adjustment_item_ref = fields.Char(string="Merchant Adjustment Item ID", readonly=True)
    sku = fields.Char(string="SKU", readonly=True)
    quantity = fields.Integer(string="Quantity Purchased", readonly=True)
    promotion_ref = fields.Char(string="Promotion ID", readonly=True)
    rule_id = fields.Many2one(comodel_name="amazon.seller.settlement.rule", readonly=True,
                              index="btree_not_null")
    kind = fields.Selection(selection=RULE_KINDS, compute="_compute_kind", store=True)
    order_id = fields.Many2one(comodel_name="sale.order", readonly=True, index="btree_not_null")

    def _compute_removal_id(self):
        refs = {line.order_ref for line in self if line.order_ref}
        removals = {(removal.account_id.id, removal.order_ref): removal
                    for removal in self.env["amazon.seller.removal"].search(
                        [("order_ref", "in", list(refs))])} if refs else {}
        for line in self:
            line.removal_id = removals.get((line.account_id.id, line.order_ref), False)

    def _compute_inbound_shipment_id(self):
        refs = {ref for line in self for ref in (line.order_ref, line.shipment_ref)
                if ref and ref.startswith("FBA")}
        shipments = {(shipment.account_id.id, shipment.confirmation_ref): shipment
                     for shipment in self.env["amazon.seller.inbound.shipment"].search(
                         [("confirmation_ref", "in", list(refs))])} if refs else {}
        for line in self:
            line.inbound_shipment_id = shipments.get(
                (line.account_id.id, line.order_ref),
                shipments.get((line.account_id.id, line.shipment_ref), False))

    @api.depends("rule_id.kind", "marketplace_name")
    def _compute_kind(self):
        for line in self:
            line.kind = settlement_row_kind(line.rule_id.kind, line.marketplace_name)

    def action_create_rule(self):
        """Open a new rule for this row's code, ready to be completed and saved: proposed as
        the kind and fee account its words name (advertising, FBA, storage... or tax on a
        fee); the payments setup's tax on Amazon's fees applies to it as to every fee."""
        self.ensure_one()
        kind, role = proposed_fee_role(self.transaction_type, self.amount_type,
                                       self.amount_description)
        return {
            "type": "ir.actions.act_window", "res_model": "amazon.seller.settlement.rule",
            "view_mode": "form", "target": "new", "name": self.env._("Create Rule"),
            "context": {"default_transaction_type": self.transaction_type or "*",
                        "default_amount_type": self.amount_type or "*",
                        "default_amount_description": self.amount_description or "*",
                        "default_kind": kind, "default_payments_account": role,
                        "default_company_id": self.company_id.id},
        }
