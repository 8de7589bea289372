import base64
import csv
from decimal import Decimal
import io

from odoo import fields, models
from odoo.exceptions import UserError

from ..month_end import month_end_table

try:
    import xlsxwriter
except ImportError:  # Odoo's own spreadsheet export library; CSV works without it
    xlsxwriter = None


class AmazonSellerMonthEndWizard(models.TransientModel):
    """Month-end export: one row per Amazon order of the period with its sales, shipping,
    fees by type, refunds, reimbursements and net, from the settlements' rows."""

    _name = "amazon.seller.month.end.wizard"
    _description = "Amazon Month-End Export"

    date_from = fields.Date(required=True, default=lambda self: fields.Date.today().replace(day=1))
    date_to = fields.Date(required=True, default=fields.Date.today)
    account_ids = fields.Many2many(comodel_name="amazon.seller.account", string="Amazon Accounts",
                                   help="Empty: every account.")
    file_format = fields.Selection(selection=[("csv", "CSV"), ("xlsx", "Excel (XLSX)")],
                                   default="csv", required=True)
    file = fields.Binary(readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    def action_export(self):
        self.ensure_one()
        accounts = self.account_ids or self.env["amazon.seller.account"].search([])
        lines = self.env["amazon.seller.settlement.line"].search([
            ("account_id", "in", accounts.ids), ("order_ref", "!=", False),
            ("posted_date", ">=", fields.Datetime.to_datetime(self.date_from)),
            ("posted_date", "<", fields.Datetime.to_datetime(fields.Date.add(self.date_to, days=1))),
        ])
        if not lines:
            raise UserError(self.env._("No settlement row of an Amazon order between %(start)s "
                                       "and %(end)s.", start=self.date_from, end=self.date_to))
        header, table = month_end_table([{
            "account": line.account_id.name, "order_ref": line.order_ref,
            "marketplace": line.marketplace_name or "", "currency": line.currency_id.name,
            "kind": line.kind, "amount_type": line.amount_type,
            "amount_description": line.amount_description,
            "reimbursement": line.rule_id.payments_account == "reimbursement_account_id",
            "amount": Decimal(f"{line.amount:.{line.currency_id.decimal_places}f}"),
        } for line in lines])
        content = self._xlsx(header, table) if self.file_format == "xlsx" else self._csv(header, table)
        self.write({"file": base64.b64encode(content),
                    "filename": f"amazon-month-end-{self.date_from}-{self.date_to}.{self.file_format}"})
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "new", "name": self.env._("Month-End Export")}

    @staticmethod
    def _csv(header, table):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows([[str(value) for value in row] for row in table])
        return buffer.getvalue().encode("utf-8-sig")

    def _xlsx(self, header, table):
        if xlsxwriter is None:
            raise UserError(self.env._("Excel export needs the xlsxwriter library: export as CSV."))
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = workbook.add_worksheet("Amazon")
        sheet.write_row(0, 0, header)
        for index, row in enumerate(table, start=1):
            sheet.write_row(index, 0, [float(v) if not isinstance(v, str) else v for v in row])
        workbook.close()
        return buffer.getvalue()

