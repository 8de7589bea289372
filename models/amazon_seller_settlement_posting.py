from calendar import monthrange
from collections import defaultdict, namedtuple
from datetime import datetime, timedelta
from decimal import Decimal

from psycopg2 import errors as pg_errors

from odoo import Command, fields, models
from odoo.exceptions import UserError
from odoo.tools import split_every

from .amazon_seller_order_import import _Pricing

# Orders per statement line: a month of a large settlement is booked in lines of that many
# orders, so that memory stays bounded (one line of 25,000 orders needs 1.3 GB in Odoo).
ORDERS_PER_LINE = 2000


class AmazonSellerSettlementPosting(models.AbstractModel):
    """Books one settlement, all or nothing, as the accounting design says: refund rows first
    become credit notes, then one bank statement of the Amazon Payments journal gets a line per
    calendar month of posted date (receivables per order reconciled with the invoices and credit
    notes, fees summed per account and tax, reserve carried, facilitator tax netted) and a
    disbursement line leaving exactly the payout in the payouts-in-transit account. Everything
    is reconciled with one ``_reconcile_plan``."""

    _name = "amazon.seller.settlement.posting"
    _description = "Amazon Settlement Posting"

    def _post(self, settlement):
        """The settlement's bank statement, or False when it went back to review."""
        self._lock(settlement)
        if self._back_to_review(settlement):
            return False
        booking = _Booking(settlement)
        credit_notes = self._create_credit_notes(booking)
        receivables = self._open_receivables(booking)
        statement = self.env["account.bank.statement"].create({
            "name": booking.label, "journal_id": booking.journal.id})
        StatementLine = self.env["account.bank.statement.line"]
        for values, keys in self._statement_lines(booking, receivables):
            line = StatementLine.create({**values, "statement_id": statement.id})
            self._reconcile(self._receivable_pairs(booking, line.move_id.line_ids, receivables,
                                                   keys))
            self._release_memory()
        disbursement = StatementLine.create({**self._disbursement_values(booking),
                                             "statement_id": statement.id})
        self._reconcile(self._carried_pairs(booking, statement.line_ids.move_id.line_ids,
                                            disbursement))
        settlement.write({"state": "posted", "statement_id": statement.id,
                          "disbursement_line_id": disbursement.id})
        settlement.message_post(body=self._posting_note(booking, statement, credit_notes))
        return statement

    def _reconcile(self, plan):
        if plan:
            self.env["account.move.line"].with_context(
                amazon_settlement_posting=True)._reconcile_plan(plan)

    def _release_memory(self):
        """Write what is pending and forget the records read: statement lines of a few
        thousand orders at a time keep a 25,000-order settlement within a few hundred MB."""
        self.env.flush_all()
        self.env.invalidate_all()

    def _lock(self, settlement):
        """Hold the settlement's row for the transaction: a second poster (cron and button at
        once) is told so instead of posting it twice."""
        try:
            self.env.cr.execute("SELECT state FROM amazon_seller_settlement WHERE id = %s "
                                "FOR UPDATE NOWAIT", [settlement.id])
        except pg_errors.LockNotAvailable as error:
            raise UserError(self.env._("Settlement %(settlement)s is being posted right now.",
                                       settlement=settlement.settlement_ref)) from error
        settlement.invalidate_recordset(["state"])
        if settlement.state != "ready":
            raise UserError(self.env._(
                "Settlement %(settlement)s is not ready to post: %(problems)s",
                settlement=settlement.settlement_ref,
                problems=settlement.problems or dict(settlement._fields["state"]._description_selection(
                    self.env))[settlement.state]))

    def _back_to_review(self, settlement):
        """Rows another settlement of the account booked since this one was found ready (both
        were ready, the other was posted first): the settlement goes back to review, naming
        them, and nothing is booked."""
        problems = settlement._booked_rows_problems()
        if problems:
            settlement.write({"state": "to_review", "problems": "\n".join(problems)})
        return bool(problems)

    # === CREDIT NOTES === #

    def _create_credit_notes(self, booking):
        """One posted credit note per refund (order, adjustment id), a line per refunded item,
        unless a posted credit note of that refund exists already."""
        groups = booking.refund_groups()
        if not groups:
            return self.env["account.move"]
        existing = self.env["account.move"].search([
            ("move_type", "=", "out_refund"), ("state", "=", "posted"),
            ("amazon_account_id", "=", booking.settlement.account_id.id),
            ("amazon_adjustment_ref", "in", [ref for _order, ref in groups]),
        ])
        known = {(move.amazon_order_ref, move.amazon_adjustment_ref) for move in existing}
        todo = {(order, ref): items for (order, ref), items in groups.items()
                if (order.amazon_order_ref, ref) not in known}
        credit_notes = self.env["account.move"].create([
            self._credit_note_values(booking, order, ref, items)
            for (order, ref), items in todo.items()])
        self._round_to_amazon(booking, credit_notes, [
            -sum(items.values()) for items in todo.values()])
        credit_notes.action_post()
        credit_notes.amazon_sale_order_id._amazon_link_refunds()
        return credit_notes

    def _round_to_amazon(self, booking, moves, totals):
        """Odoo rounds each line's taxes: a last line makes each move Amazon's to the cent."""
        for move, total in zip(moves, totals):
            difference = booking.currency.round(float(total) - move.amount_total)
            if not booking.currency.is_zero(difference):
                move.invoice_line_ids = [Command.create({
                    "product_id": booking.rounding_product.id, "quantity": 1,
                    "name": self.env._("Amazon rounding"), "price_unit": difference,
                    "tax_ids": [Command.clear()]})]

    def _credit_note_values(self, booking, order, adjustment_ref, items):
        """``items``: {(order item code, description, day): Decimal amount (negative)}; a line
        per refunded item and component (the item, its shipping, tax Amazon collects)."""
        collects_tax = bool(order.order_line.filtered(
            lambda l: l.product_id == booking.mf_tax_product))
        components, day = defaultdict(Decimal), None
        for (item_code, description, date), amount in items.items():
            day = max(day or date, date)
            components[(item_code, _component(description, collects_tax))] += amount
        lines = []
        for (item_code, component), amount in sorted(components.items()):
            if component == "mf_tax":
                product, taxes = booking.mf_tax_product, self.env["account.tax"]
            else:
                product, taxes = booking.refunded_product(order, item_code, component)
            lines.append(self._credit_note_line(booking, product, taxes, -amount))
        return {
            "move_type": "out_refund",
            "partner_id": order.partner_invoice_id.id,
            "company_id": order.company_id.id,
            "currency_id": booking.currency.id,
            "fiscal_position_id": order.fiscal_position_id.id,
            "invoice_date": booking.open_date(day or booking.end),
            "invoice_origin": order.name,
            "ref": self.env._("Amazon refund %(order)s / %(adjustment)s",
                              order=order.amazon_order_ref, adjustment=adjustment_ref or "-"),
            "amazon_account_id": order.amazon_account_id.id,
            "amazon_marketplace_id": order.amazon_marketplace_id.id,
            "amazon_adjustment_ref": adjustment_ref or False,
            "amazon_order_ref": order.amazon_order_ref,
            "amazon_sale_order_id": order.id,
            "invoice_line_ids": [Command.create(line) for line in lines],
        }

    def _credit_note_line(self, booking, product, taxes, gross):
        line = {"product_id": product.id, "name": product.display_name, "quantity": 1,
                "price_unit": booking.pricing.price_unit(gross, 1, taxes, product),
                "tax_ids": [Command.set(taxes.ids)]}
        if product == booking.mf_tax_product:
            line["account_id"] = booking.payments.mf_tax_account_id.id
        return line

    # === STATEMENT LINES === #

    def _open_receivables(self, booking):
        """{(order id, kind): _Open} of the open receivable lines of each order's posted
        invoices (order) or credit notes (refund), read once for the whole settlement."""
        order_ids = {ref: order_id for order_id, ref in booking.order_refs.items()}
        result = {}
        for line in self.env["account.move.line"].search_fetch([
            ("move_id.amazon_account_id", "=", booking.settlement.account_id.id),
            ("move_id.amazon_order_ref", "in", list(order_ids)),
            ("move_id.move_type", "in", ("out_invoice", "out_refund")),
            ("parent_state", "=", "posted"), ("reconciled", "=", False),
            ("account_id.account_type", "=", "asset_receivable"),
        ], ["move_id", "account_id", "partner_id", "amount_residual", "amount_residual_currency"]):
            move = line.move_id
            kind = "order" if move.move_type == "out_invoice" else "refund"
            key = (order_ids[move.amazon_order_ref], kind)
            known = result.get(key) or _Open((), line.account_id.id, line.partner_id.id,
                                             Decimal(0), 0.0)
            result[key] = known._replace(
                ids=known.ids + (line.id,),
                residual_currency=known.residual_currency + booking.decimal(
                    line.amount_residual_currency),
                residual=known.residual + line.amount_residual)
        return result

    def _statement_lines(self, booking, receivables):
        """(statement line values, its (order id, kind) keys): a line per calendar month of
        posted date, split every ``ORDERS_PER_LINE`` orders; the month's other rows go on its
        first line."""
        for month in sorted(booking.months):
            date = booking.line_date(month)
            keys = [(order_id, kind) for (_month, kind, order_id) in booking.receivables
                    if _month == month]
            chunks = list(split_every(ORDERS_PER_LINE, keys)) or [()]
            for number, chunk in enumerate(chunks, 1):
                items, net = [], Decimal(0)
                for order_id, kind in chunk:
                    amount = booking.receivables[(month, kind, order_id)]
                    items += self._receivable_values(booking, date, kind, order_id, amount,
                                                     receivables.get((order_id, kind)))
                    net += amount
                if number == 1:
                    for account, rule, name, amount in self._other_sums(booking, month):
                        items += self._other_values(booking, date, account, rule, name, amount)
                        net += amount
                part = f" ({number}/{len(chunks)})" if len(chunks) > 1 else ""
                yield self._statement_line_values(booking, date, month, net, items, part), chunk

    def _statement_line_values(self, booking, date, month, net, items, part):
        """A statement line: the liquidity line moves Amazon's balance by ``net``; ``items``
        land on their accounts."""
        items.insert(0, {"account_id": booking.journal.default_account_id.id,
                         "name": booking.label, **booking.amounts(net, date)})
        items += booking.exchange_difference(items, date)
        return {
            "journal_id": booking.journal.id, "date": date, "amount": float(net),
            "payment_ref": self.env._("Amazon settlement %(settlement)s, %(month)s",
                                      settlement=booking.settlement.settlement_ref,
                                      month=month.strftime("%Y-%m")) + part,
            "line_ids": [Command.create(values) for values in items],
        }

    def _receivable_values(self, booking, date, kind, order_id, amount, open_lines):
        """Amazon paid (order) or took back (refund) ``amount`` for an order: its receivable,
        at the invoices' own residual when the difference is within the currency's tolerance
        (the difference written off), as Amazon says otherwise (left open, listed)."""
        order_ref = booking.order_refs[order_id]
        name = _receivable_name(order_ref, kind)
        if not open_lines:
            partner = self.env["sale.order"].browse(order_id).partner_invoice_id \
                .commercial_partner_id
            account = partner.with_company(booking.company).property_account_receivable_id
            booking.open_differences.append((order_ref, kind, amount, Decimal(0)))
            return [{"account_id": account.id, "partner_id": partner.id, "name": name,
                     **booking.amounts(-amount, date)}]
        values = {"account_id": open_lines.account_id, "partner_id": open_lines.partner_id,
                  "name": name}
        difference = amount - open_lines.residual_currency
        if abs(difference) > booking.tolerance:
            booking.open_differences.append(
                (order_ref, kind, amount, open_lines.residual_currency))
            return [{**values, **booking.amounts(-amount, date)}]
        result = [{**values, **booking.amounts(-open_lines.residual_currency, date,
                                               balance=-open_lines.residual)}]
        if difference:
            result.append({"account_id": booking.payments.other_fee_account_id.id,
                           "name": self.env._("Amazon rounding %(order)s", order=order_ref),
                           **booking.amounts(-difference, date)})
        return result

    def _other_sums(self, booking, month):
        """[(account, rule, label, amount)] of the month's other rows: fees summed per account,
        taxes and analytic (Commission and RefundCommission net out); reserve and transfer rows
        one by one, each to be reconciled with what it carries."""
        sums, rules, labels = defaultdict(Decimal), {}, defaultdict(set)
        for (_month, rule, description), amount in booking.others.items():
            if _month != month:
                continue
            account = rule._account_for(booking.payments)
            label = rule._label_for(description)
            if rule.kind in ("reserve", "transit", "carried"):
                key = (account, rule.id, label)
            else:
                taxes, included = rule._taxes_for(booking.payments)
                key = (account, tuple(taxes.ids), included,
                       str(rule.analytic_distribution or ""))
            sums[key] += amount
            rules.setdefault(key, rule)
            labels[key].add(label)
        return [(key[0], rules[key], ", ".join(sorted(labels[key]))[:250], amount)
                for key, amount in sums.items()]

    def _other_values(self, booking, date, account, rule, name, amount):
        """One journal item of fees, reserve, facilitator tax, reimbursements or transfers; a
        rule's taxes (included in Amazon's amount) split it into base and tax; the reverse
        charge of the payments setup adds its input and output tax beside the fee."""
        if not amount:
            return []
        values = {"account_id": account.id, "name": name,
                  "analytic_distribution": rule.analytic_distribution or False}
        tax_ids, included = rule._taxes_for(booking.payments)
        if not tax_ids:
            return [{**values, **booking.amounts(-amount, date)}]
        taxes = tax_ids.with_context(force_price_include=included).compute_all(
            float(abs(amount)), currency=booking.currency, is_refund=amount > 0)
        sign = Decimal(-1) if amount < 0 else Decimal(1)
        base = Decimal(str(taxes["total_excluded"]))
        result = [{**values, "tax_ids": [Command.set(tax_ids.ids)],
                   "tax_tag_ids": [Command.set(taxes["base_tags"])],
                   **booking.amounts(-sign * base, date)}]
        for tax in taxes["taxes"]:
            result.append({
                "account_id": tax["account_id"] or account.id, "name": tax["name"],
                "tax_repartition_line_id": tax["tax_repartition_line_id"],
                "tax_tag_ids": [Command.set(tax["tag_ids"])],
                **booking.amounts(-sign * Decimal(str(tax["amount"])), date)})
        return result

    def _disbursement_values(self, booking):
        """The payout leaves Amazon's balance for the payouts-in-transit account, where it waits
        for the bank line of the deposit (or, negative, for the card charge that pays Amazon)."""
        settlement = booking.settlement
        date = booking.open_date(fields.Date.to_date(settlement.deposit_date) or booking.end)
        total = booking.total
        name = booking.payout_label
        return {
            "journal_id": booking.journal.id, "date": date, "amount": float(-total),
            "payment_ref": name,
            "line_ids": [
                Command.create({"account_id": booking.journal.default_account_id.id,
                                "name": name, **booking.amounts(-total, date)}),
                Command.create({"account_id": booking.payments.transit_account_id.id,
                                "name": name,
                                **booking.amounts(total, date)}),
            ],
        }

    # === RECONCILIATION === #

    def _receivable_pairs(self, booking, move_lines, receivables, keys):
        """Each order's receivable line of a statement line with its open invoice lines."""
        by_name = move_lines.filtered(
            lambda l: l.account_id.account_type == "asset_receivable").grouped("name")
        Line = self.env["account.move.line"]
        return [by_name[name] | Line.browse(receivables[(order_id, kind)].ids)
                for order_id, kind in keys
                if (order_id, kind) in receivables
                and (name := _receivable_name(booking.order_refs[order_id], kind)) in by_name]

    def _carried_pairs(self, booking, move_lines, disbursement):
        """Previous reserve with the reserve it releases; each row carrying an earlier payout
        (Payable to Amazon, Failed Disbursement) with that payout's transit line."""
        plan = []
        payments = booking.payments
        new_reserve = move_lines.filtered(lambda l: l.account_id == payments.reserve_account_id)
        released = new_reserve.filtered(lambda l: l.balance < 0)
        if released:
            held = self.env["account.move.line"].search([
                ("account_id", "=", booking.payments.reserve_account_id.id),
                ("reconciled", "=", False), ("parent_state", "=", "posted"),
                ("id", "not in", new_reserve.ids), ("balance", ">", 0)], order="date, id")
            if held:
                plan.append(held | released)
        transit = move_lines.filtered(lambda l: l.account_id == payments.transit_account_id)
        carried_names = {rule._label_for(description)
                         for (_month, rule, description) in booking.others
                         if rule.kind == "carried"}
        carried = transit.filtered(lambda l: l.name in carried_names)
        payouts = self._earlier_payouts(booking)
        for line in carried:
            counterpart = self._opposite(payouts, line) or self._opposite(
                transit - carried - disbursement.move_id.line_ids, line)
            if counterpart:
                plan.append(line | counterpart)
                payouts -= counterpart
                transit -= counterpart
        return plan

    def _earlier_payouts(self, booking):
        """The transit lines of the account's earlier payouts in this currency still open."""
        earlier = self.env["amazon.seller.settlement"].search([
            ("account_id", "=", booking.settlement.account_id.id),
            ("currency_id", "=", booking.settlement.currency_id.id),
            ("id", "!=", booking.settlement.id), ("disbursement_line_id", "!=", False)])
        return self.env["account.move.line"].search([
            ("move_id", "in", earlier.disbursement_line_id.move_id.ids),
            ("account_id", "=", booking.payments.transit_account_id.id),
            ("reconciled", "=", False), ("parent_state", "=", "posted")], order="date, id")

    @staticmethod
    def _opposite(lines, line):
        """The first of ``lines`` that cancels ``line`` out."""
        return lines.filtered(lambda l: l.currency_id.compare_amounts(
            l.amount_currency, -line.amount_currency) == 0)[:1]

    def _posting_note(self, booking, statement, credit_notes):
        notes = [self.env._("Posted as bank statement %(statement)s.", statement=statement.name)]
        if credit_notes:
            notes.append(self.env._("Credit notes created for the refunds: %(moves)s.",
                                    moves=", ".join(credit_notes.mapped("name"))))
        for day, locked in booking.moved_dates:
            notes.append(self.env._(
                "Booked on %(day)s, the first open day: the period up to %(locked)s is locked.",
                day=day, locked=locked))
        for order_ref, kind, amount, residual in booking.open_differences:
            notes.append(self.env._(
                "Order %(order)s (%(kind)s): Amazon settled %(amount)s, Odoo had %(residual)s "
                "open; the difference stays open on the customer.", order=order_ref, kind=kind,
                amount=amount, residual=residual))
        return "\n".join(notes)


# The open receivable lines of an order's invoices (or credit notes), as a statement line needs
# them: their ids, account and partner, what is open in the settlement's currency (Decimal) and
# in the company's.
_Open = namedtuple("_Open", "ids account_id partner_id residual_currency residual")


class _Booking:
    """What one settlement books, read once: its rows summed per month and order (receivables)
    or rule and description (the rest) in Decimal, and the journal, accounts, dates and currency
    conversion the statement lines need."""

    def __init__(self, settlement):
        self.env = settlement.env
        self.settlement = settlement
        self.company = settlement.company_id
        self.currency = settlement.currency_id
        self.payments = settlement.account_id._payments_in(self.currency)
        if not self.payments:
            raise UserError(self.env._(
                "%(account)s has no Amazon Payments journal in %(currency)s: create it on the "
                "account's Accounting tab.", account=settlement.account_id.name,
                currency=self.currency.name))
        self.journal = self.payments.journal_id
        self.end = fields.Date.to_date(settlement.date_end) or fields.Date.context_today(settlement)
        self.total = Decimal(str(settlement.total_amount))
        self.digits = self.currency.decimal_places
        self.tolerance = Decimal(str(self.currency.rounding))
        self.label = self.env._("Amazon settlement %(settlement)s",
                                settlement=settlement.settlement_ref)
        self.payout_label = self.env._("Amazon payout %(settlement)s",
                                       settlement=settlement.settlement_ref)
        self.mf_tax_product = self.env.ref("amazon_seller.product_amazon_mf_tax")
        self.rounding_product = self.env.ref("amazon_seller.product_amazon_rounding")
        self.pricing = _Pricing(self.env, self.company)
        self.moved_dates, self.open_differences = [], []
        self.order_refs = {}  # sale order id → Amazon order id, read with the sums
        self._lock_dates = {}
        self._read_sums()

    # --- sums --- #

    def decimal(self, amount):
        """A float amount of the settlement's currency, exactly, as Decimal."""
        return round(Decimal(str(amount)), self.digits)

    def _day(self, posted, default):
        """The date of a grouped posted date (a datetime, or None: ``default``)."""
        if not posted:
            return default
        return posted.date() if isinstance(posted, datetime) else posted

    def _month(self, posted):
        return self._day(posted, self.end.replace(day=1))

    def _read_sums(self):
        Line = self.env["amazon.seller.settlement.line"].with_context(tz="UTC")
        domain = [("settlement_id", "=", self.settlement.id)]
        self.receivables, self.others, self.nets = {}, {}, defaultdict(Decimal)
        for month, kind, order, amount in Line._read_group(
                domain + [("kind", "in", ("order", "refund"))],
                ["posted_date:month", "kind", "order_id"], ["amount:sum"]):
            key = (self._month(month), kind, order.id)
            self.order_refs[order.id] = order.amazon_order_ref
            self.receivables[key] = self.decimal(amount)
            self.nets[key[0]] += self.receivables[key]
        for month, rule, description, amount in Line._read_group(
                domain + [("kind", "not in", ("order", "refund"))],
                ["posted_date:month", "rule_id", "amount_description"], ["amount:sum"]):
            key = (self._month(month), rule, description)
            self.others[key] = self.decimal(amount)
            self.nets[key[0]] += self.others[key]
        self.months = set(self.nets)

    def refund_groups(self):
        """{(order, adjustment id): {(order item code, description, day): amount}} of the
        refund rows."""
        Line = self.env["amazon.seller.settlement.line"]
        groups = defaultdict(lambda: defaultdict(Decimal))
        for order, adjustment, item, description, posted, amount in Line._read_group(
                [("settlement_id", "=", self.settlement.id), ("kind", "=", "refund")],
                ["order_id", "adjustment_ref", "order_item_code", "amount_description",
                 "posted_date:day"], ["amount:sum"]):
            day = self._day(posted, self.end)
            groups[(order, adjustment or False)][(item or "", description or "", day)] += \
                self.decimal(amount)
        return groups

    def refunded_product(self, order, item_code, component):
        """The product and taxes a refund gives back: the sold item's, shipping's, or the
        order's first product for a row that names no item."""
        lines = order.order_line.filtered(lambda l: not l.display_type)
        if component == "shipping":
            shipping = lines.filtered(
                lambda l: l.product_id == self.env.ref("amazon_seller.product_amazon_shipping"))
            if shipping:
                return shipping[0].product_id, shipping[0].tax_ids
        line = lines.filtered(lambda l: l.amazon_order_item_id == item_code)[:1] or \
            lines.filtered("amazon_order_item_id")[:1] or lines[:1]
        return line.product_id, line.tax_ids

    # --- dates and amounts --- #

    def line_date(self, month):
        """The last day of ``month`` within the settlement, or the first open day after it."""
        last = month.replace(day=monthrange(month.year, month.month)[1])
        return self.open_date(min(last, self.end))

    def open_date(self, day):
        if day not in self._lock_dates:
            locks = self.company._get_violated_lock_dates(day, True, self.journal)
            open_day = max(lock for lock, _name in locks) + timedelta(days=1) if locks else day
            if locks:
                self.moved_dates.append((open_day, max(lock for lock, _name in locks)))
            self._lock_dates[day] = open_day
        return self._lock_dates[day]

    def amounts(self, amount, date, balance=None):
        """Debit/credit values of ``amount`` (settlement currency) for a journal item; in
        another currency than the company's, ``balance`` given or converted at ``date``."""
        company_currency = self.company.currency_id
        if self.currency == company_currency:
            return {"balance": float(amount)}
        if balance is None:
            balance = self.currency._convert(float(amount), company_currency, self.company, date)
        return {"balance": balance, "amount_currency": float(amount),
                "currency_id": self.currency.id}

    def exchange_difference(self, line_values, date):
        """Receivables booked at the invoices' rates leave a difference in company currency:
        one exchange line for the month, not one exchange move per invoice."""
        if self.currency == self.company.currency_id:
            return []
        company_currency = self.company.currency_id
        difference = company_currency.round(-sum(values["balance"] for values in line_values))
        if company_currency.is_zero(difference):
            return []
        account = self.company.income_currency_exchange_account_id if difference < 0 \
            else self.company.expense_currency_exchange_account_id
        return [{"account_id": account.id, "name": self.env._("Exchange difference"),
                 "balance": difference, "amount_currency": 0.0,
                 "currency_id": self.currency.id}]


def _component(description, collects_tax):
    """What a refund row gives back: tax Amazon collects (Tax, ShippingTax... of a facilitator
    order), shipping (Shipping, ShippingTax), or the item (Principal, GiftWrap, its tax...)."""
    description = (description or "").casefold()
    if collects_tax and description.endswith("tax"):
        return "mf_tax"
    return "shipping" if description.startswith("shipping") else "item"


def _receivable_name(order_ref, kind):
    """The label of an order's receivable line in a settlement: what pairs it with its invoices."""
    return f"{order_ref} ({kind})"
