import base64
import csv
from datetime import timedelta
from decimal import Decimal
import io

from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.web.controllers.export import ExportXlsxWriter

from ..models.amazon_seller_settlement import _summary_category
from ..month_end import Row, csv_cell, export_category, month_end_table


class MonthEndXlsxWriter(ExportXlsxWriter):
    """Odoo's own export writer (bold header, monetary format), text always written as text:
    a description "=HYPERLINK(...)" stays a string, never a formula. Like Odoo's exports it
    reads the request's environment, so it writes from a user's click, not from a cron."""

    def write(self, row, column, cell_value, style=None):
        if isinstance(cell_value, str):
            self.worksheet.write_string(row, column, cell_value, style)
        else:
            super().write(row, column, cell_value, style)


class AmazonSellerMonthEndWizard(models.TransientModel):
    """Month-end export that ties to the payouts and the ledger: every row of the settlements
    of the company paid out (deposit date) in the period, per month, Amazon account,
    marketplace, currency, category, description, account and tax, in the settlement's and in
    the company's currency, with a total per currency equal to the payouts."""

    _name = "amazon.seller.month.end.wizard"
    _description = "Amazon Month-End Export"

    date_from = fields.Date(required=True, default=lambda self: fields.Date.today().replace(day=1))
    date_to = fields.Date(required=True, default=fields.Date.today)
    company_id = fields.Many2one(comodel_name="res.company", required=True,
                                 default=lambda self: self.env.company)
    account_ids = fields.Many2many(comodel_name="amazon.seller.account", string="Amazon Accounts",
                                   domain="[('company_id', '=', company_id)]",
                                   help="Empty: every account of the company.")
    file_format = fields.Selection(selection=[("csv", "CSV"), ("xlsx", "Excel (XLSX)")],
                                   default="csv", required=True)
    file = fields.Binary(readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    # === ACTION METHODS === #

    def action_export(self):
        self.ensure_one()
        settlements = self._settlements()
        if not settlements:
            raise UserError(self.env._(
                "No posted Amazon settlement was paid out between %(start)s and %(end)s.",
                start=self.date_from, end=self.date_to))
        header, table = month_end_table(self._rows(settlements),
                                        self.company_id.currency_id.name, self.env._)
        content = self._xlsx(header, table) if self.file_format == "xlsx" \
            else self._csv(header, table)
        self.write({"file": base64.b64encode(content),
                    "filename": f"amazon-month-end-{self.date_from}-{self.date_to}.{self.file_format}"})
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "new", "name": self.env._("Month-End Export")}

    # === BUSINESS METHODS === #

    def _settlements(self):
        """The company's posted settlements (any state once booked: a statement) whose payout
        was deposited in the period, so that their totals are the month's payouts. The bounds
        are the period's days."""
        accounts = self.account_ids or self.env["amazon.seller.account"].search(
            [("company_id", "=", self.company_id.id)])
        return self.env["amazon.seller.settlement"].search([
            ("account_id", "in", accounts.ids), ("statement_id", "!=", False),
            ("deposit_date", ">=", self.date_from),
            ("deposit_date", "<", self.date_to + timedelta(days=1)),
        ])

    def _rows(self, settlements):
        """The settlements' rows summed per settlement, marketplace, rule, kind and description
        (one grouped read: a month may hold 100,000 rows), each with its category, its fee type
        in words as summaries and journal items show it, the account and taxes the posting books
        it on (``_account_for``, ``_taxes_for``: the setup's reverse charge included), and its
        amount converted (``_amount_in_company``)."""
        receivables = self._receivable_accounts(settlements)
        marketplaces = self._default_marketplaces(settlements.account_id)
        bookings = {}  # (rule, Amazon account, currency): (account, taxes) its rows are booked on
        rows = []
        for settlement, marketplace, rule, kind, description, amount in self.env[
                "amazon.seller.settlement.line"]._read_group(
                [("settlement_id", "in", settlements.ids)],
                ["settlement_id", "marketplace_name", "rule_id", "kind", "amount_description"],
                ["amount:sum"]):
            key = (rule, settlement.account_id, settlement.currency_id)
            if key not in bookings:
                payments = settlement.account_id._payments_in(settlement.currency_id)
                bookings[key] = (rule._account_for(payments), rule._taxes_for(payments)[0])
            account, taxes = bookings[key]
            if kind in ("order", "refund"):
                account = receivables[settlement.statement_id.id]
            rows.append(Row(
                settlement.deposit_date.strftime("%Y-%m"), settlement.account_id.name,
                marketplace or marketplaces.get((settlement.account_id, settlement.currency_id), ""),
                settlement.currency_id.name,
                export_category(_summary_category(rule), rule.payments_account),
                rule._label_for(description), account.code or "", account.name or "",
                ", ".join(taxes.mapped("name")),
                self._decimal(amount, settlement.currency_id),
                self._decimal(self._amount_in_company(settlement, amount),
                              self.company_id.currency_id)))
        return rows

    def _amount_in_company(self, settlement, amount):
        """``amount`` of ``settlement`` in the company's currency at the rate of the deposit
        date: the date the payout is booked on the payouts-in-transit account (the
        disbursement), so that a payout's rows add up to what waits for the bank line."""
        return settlement.currency_id._convert(amount, self.company_id.currency_id,
                                               self.company_id, settlement.deposit_date)

    @staticmethod
    def _decimal(amount, currency):
        return Decimal(f"{amount:.{currency.decimal_places}f}")

    def _receivable_accounts(self, settlements):
        """{statement id: the receivable account its order and refund rows were booked on},
        read from the ledger (the company's receivable account, unless buyers have their own:
        then the lowest code)."""
        result = {}
        for statement, account in self.env["account.move.line"]._read_group(
                [("statement_id", "in", settlements.statement_id.ids),
                 ("account_id.account_type", "=", "asset_receivable")],
                ["statement_id", "account_id"]):
            if statement.id not in result or account.code < result[statement.id].code:
                result[statement.id] = account
        return result

    @staticmethod
    def _default_marketplaces(accounts):
        """{(Amazon account, currency): marketplace name} for the rows Amazon gives no
        marketplace (subscription, storage, advertising, reserve, transfers): the account's
        marketplace of that currency, named as settlement files name it (Amazon.com); none where
        several marketplaces share the currency (euro countries): never guessed."""
        result = {}
        for account in accounts:
            for currency, marketplaces in account.marketplace_ids.grouped("currency_id").items():
                if len(marketplaces) == 1:
                    domain = marketplaces.domain
                    result[(account, currency)] = domain[:1].upper() + domain[1:]
        return result

    # === FILES === #

    @staticmethod
    def _csv(header, table):
        """UTF-8 CSV (with BOM, for spreadsheets); no text cell can be read as a formula."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([csv_cell(value) for value in header])
        writer.writerows([[csv_cell(value) for value in row] for row in table])
        return buffer.getvalue().encode("utf-8-sig")

    @staticmethod
    def _xlsx(header, table):
        """The export through Odoo's XLSX writer: amounts as monetary numbers, text as text."""
        amounts = len(header) - 2  # the row ends with its two amounts
        columns = [{"type": "monetary" if index >= amounts else "char"}
                   for index in range(len(header))]
        with MonthEndXlsxWriter(columns, header, len(table)) as writer:
            for row_index, row in enumerate(table, start=1):
                for column, value in enumerate(row):
                    writer.write_cell(row_index, column,
                                      float(value) if isinstance(value, Decimal) else value)
        return writer.value
