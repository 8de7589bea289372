from datetime import timedelta
import base64
import csv
import io
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import split_every

from ..formats.settlement_parser import SettlementFileError, parse_settlement
from ..utils import parse_datetime, settlement_row_kind, to_amazon_timestamp
from .amazon_seller_settlement import BOOKED_STATES

_logger = logging.getLogger(__name__)

SETTLEMENT_REPORT_TYPE = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
# Amazon keeps settlement report metadata about 90 days: a first run looks that far back.
INITIAL_DAYS = 90
# Settlement reports read per account and run (each: one document download).
REPORTS_PER_RUN = 20
# Rows written per COPY while a settlement is stored.
COPY_CHUNK = 20000
# Row columns of the flat file → settlement line fields.
ROW_FIELDS = {
    "transaction_type": "transaction-type",
    "amount_type": "amount-type",
    "amount_description": "amount-description",
    "order_ref": "order-id",
    "merchant_order_ref": "merchant-order-id",
    "adjustment_ref": "adjustment-id",
    "shipment_ref": "shipment-id",
    "marketplace_name": "marketplace-name",
    "fulfillment_ref": "fulfillment-id",
    "order_item_code": "order-item-code",
    "merchant_order_item_ref": "merchant-order-item-id",
    "merchant_adjustment_item_ref": "merchant-adjustment-item-id",
    "sku": "sku",
    "promotion_ref": "promotion-id",
}


def _sql_value(value):
    """A field value as COPY reads it: False and empty texts are NULL, 0 stays 0."""
    return None if value is False or value is None or value == "" else value


class AmazonSellerSettlementImport(models.AbstractModel):
    """The settlements flow: Amazon's settlement reports (V2 flat file) listed with getReports
    since the flow's checkpoint, downloaded, parsed and stored with every row, then mapped by
    the settlement rules. The same file twice changes nothing; another file of a settlement
    replaces it while it is not posted."""

    _name = "amazon.seller.settlement.import"
    _inherit = "amazon.seller.flow"
    _description = "Amazon Settlement Import"
    _flow = "settlements"

    # === THE FLOW === #

    def _run(self, account, state, stats, commit):
        since = state.checkpoint or fields.Datetime.now() - timedelta(days=INITIAL_DAYS)
        reports = [r for r in account._get_gateway().get_reports(
            [SETTLEMENT_REPORT_TYPE], created_since=to_amazon_timestamp(since),
            marketplace_ids=account.marketplace_ids.mapped("marketplace_id"))
            if r.get("processingStatus") == "DONE" and r.get("reportDocumentId")]
        reports.sort(key=lambda r: r.get("createdTime") or "")
        known = set(self.env["amazon.seller.settlement"].search([
            ("account_id", "=", account.id),
            ("amazon_report_ref", "in", [r["reportId"] for r in reports])]).mapped("amazon_report_ref"))
        for report in [r for r in reports if r["reportId"] not in known][:REPORTS_PER_RUN]:
            self._import_report(account, report, stats)
            state.checkpoint = max(state.checkpoint or since, parse_datetime(report["createdTime"]))
            remaining_time = commit() if commit else float("inf")
            if remaining_time <= 0:
                return False
        account._amazon_refresh_payouts()
        account._amazon_refresh_deferred()
        account._amazon_check_month_end()
        return True

    def _summary(self, stats):
        return self.env._("%(created)s imported, %(skipped)s already there, %(failed)s failed",
                          created=stats["created"], skipped=stats["skipped"],
                          failed=stats["failed"])

    def _import_report(self, account, report, stats):
        content = account._get_gateway().get_report_document(report["reportDocumentId"])
        filename = f"settlement-{report['reportId']}.txt"
        try:
            with self.env.cr.savepoint():
                settlement, outcome = self._import_file(account, content, filename,
                                                         report_ref=report["reportId"])
        except (SettlementFileError, UserError) as error:
            self.env["amazon.seller.sync.error"]._record(
                account, self._flow, {report["reportId"]: self._describe(error)})
            stats["failed"] += 1
            return
        if outcome != "skipped":
            settlement._amazon_check_summary()
        stats[outcome] += 1
        self.env["amazon.seller.sync.error"]._resolve(account, self._flow, [report["reportId"]])

    # === ONE FILE === #

    @api.model
    def _import_file(self, account, content, filename, report_ref=False):
        """Store one settlement file of ``account``; return (settlement, "created" | "skipped"
        | "replaced"). Raise SettlementFileError naming file, line and column for a file that
        cannot be read, UserError for a settlement already posted with another file."""
        parsed = parse_settlement(content, filename=filename)
        Settlement = self.env["amazon.seller.settlement"]
        existing = Settlement.search([("account_id", "=", account.id),
                                      ("settlement_ref", "=", parsed.settlement_id)])
        if existing and existing.file_sha256 == parsed.sha256:
            return existing, "skipped"
        if existing.state in BOOKED_STATES:
            raise UserError(self.env._(
                "Settlement %(settlement)s is posted already: the other file %(file)s is refused.",
                settlement=parsed.settlement_id, file=filename))
        currency = self.env["res.currency"].with_context(active_test=False).search(
            [("name", "=", parsed.currency)], limit=1)
        if not currency:
            raise UserError(self.env._("%(file)s: currency %(currency)s is unknown to Odoo.",
                                       file=filename, currency=parsed.currency))
        values = self._settlement_values(account, parsed, currency, filename, content, report_ref)
        if existing:
            existing.line_ids.unlink()
            existing.attachment_id.unlink()
            existing.write(values)
            settlement, outcome = existing, "replaced"
        else:
            settlement, outcome = Settlement.create(values), "created"
        settlement.attachment_id.res_id = settlement.id
        self._store_rows(settlement, parsed.rows)
        settlement._set_problems()
        return settlement, outcome

    def _store_rows(self, settlement, rows):
        """Store every row, its rule and its order found on the way, with one COPY per chunk:
        the rows are Amazon's immutable data and a settlement may have 100,000 of them, which
        the ORM would create in minutes (related and monetary fields computed row by row)."""
        match = self.env["amazon.seller.settlement.rule"]._matcher(settlement.company_id)
        refs = list({row.values.get("order-id") for row in rows} - {None, ""})
        orders = settlement._orders_by_ref(refs)
        Line = self.env["amazon.seller.settlement.line"]
        Line.flush_model()
        now, uid = fields.Datetime.now(), self.env.uid
        fixed = [settlement.id, settlement.company_id.id, settlement.account_id.id,
                 settlement.currency_id.id, uid, now, uid, now]
        columns = ["settlement_id", "company_id", "account_id", "currency_id", "create_uid",
                   "create_date", "write_uid", "write_date", "line_number", "amount",
                   "posted_date", "quantity", *ROW_FIELDS, "rule_id", "kind", "order_id"]
        for chunk in split_every(COPY_CHUNK, rows):
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for row in chunk:
                values = self._line_values(row)
                rule = match(values["transaction_type"], values["amount_type"],
                             values["amount_description"])
                kind = settlement_row_kind(rule.kind, values["marketplace_name"])
                order = orders.get(values["order_ref"]) if kind in ("order", "refund") else None
                writer.writerow(fixed + [_sql_value(values[column]) for column in columns[8:-3]]
                                + [rule.id or None, kind or None, order])
            buffer.seek(0)
            self.env.cr.copy_expert(
                f"COPY amazon_seller_settlement_line ({', '.join(columns)}) FROM STDIN "
                "WITH (FORMAT csv)", buffer)
        Line.invalidate_model()
        settlement.invalidate_recordset()

    def _settlement_values(self, account, parsed, currency, filename, content, report_ref):
        attachment = self.env["ir.attachment"].create({
            "name": filename, "raw": content, "res_model": "amazon.seller.settlement"})
        return {
            "account_id": account.id, "settlement_ref": parsed.settlement_id,
            "amazon_report_ref": report_ref or False, "currency_id": currency.id,
            "date_start": parsed.start_date.date(), "date_end": parsed.end_date.date(),
            "deposit_date": parsed.deposit_date and parsed.deposit_date.date(),
            "total_amount": float(parsed.total_amount),
            "attachment_id": attachment.id, "file_sha256": parsed.sha256, "state": "to_review",
        }

    @staticmethod
    def _line_values(row):
        columns = row.values
        return {
            "line_number": row.line,
            "amount": row.amount,
            "posted_date": row.posted_date or False,
            "quantity": row.quantity or 0,
            **{field: (columns.get(column) or "").strip() or False
               for field, column in ROW_FIELDS.items()},
        }

    def _describe(self, error):
        """What a person reads of a file that was refused, in their language."""
        if isinstance(error, SettlementFileError):
            return error.describe(self.env)
        return error.args[0]

    # === PEOPLE === #

    def _import_uploads(self, account, files):
        """The *Import Settlement File* wizard: ``[(filename, bytes)]`` → one sentence per file."""
        results = []
        with self._locked(account):
            for filename, content in files:
                try:
                    with self.env.cr.savepoint():
                        settlement, outcome = self._import_file(account, content, filename)
                except (SettlementFileError, UserError) as error:
                    results.append(self._describe(error))
                    continue
                results.append({
                    "created": self.env._("%(file)s: settlement %(settlement)s imported (%(state)s).",
                                          file=filename, settlement=settlement.settlement_ref,
                                          state=dict(settlement._fields["state"]._description_selection(
                                              self.env))[settlement.state]),
                    "skipped": self.env._("%(file)s: settlement %(settlement)s is already imported "
                                          "from this very file: nothing changed.", file=filename,
                                          settlement=settlement.settlement_ref),
                    "replaced": self.env._("%(file)s: settlement %(settlement)s replaced by this "
                                           "file.", file=filename,
                                           settlement=settlement.settlement_ref),
                }[outcome])
        return results

    def _retry_errors(self, account, errors):
        """A person's *Retry*: the next run reads those reports again."""
        errors.write({"next_retry": fields.Datetime.now()})
        self.env.ref("amazon_seller.ir_cron_import_settlements")._trigger()


class AmazonSellerSettlementImportWizard(models.TransientModel):
    """*Import Settlement File*: the settlement reports sellers download from Seller Central."""

    _name = "amazon.seller.settlement.import.wizard"
    _description = "Import Amazon Settlement Files"

    account_id = fields.Many2one(comodel_name="amazon.seller.account", required=True)
    attachment_ids = fields.Many2many(comodel_name="ir.attachment", string="Files")
    result = fields.Text(readonly=True)
    state = fields.Selection(selection=[("draft", "Draft"), ("done", "Done")], default="draft")

    def action_import(self):
        self.ensure_one()
        if not self.attachment_ids:
            raise UserError(self.env._("Add at least one settlement file."))
        self.account_id._check_can_book()
        files = [(attachment.name, base64.b64decode(attachment.datas or b""))
                 for attachment in self.attachment_ids]
        results = self.env["amazon.seller.settlement.import"].sudo()._import_uploads(
            self.account_id.sudo(), files)
        self.write({"state": "done", "result": "\n".join(results)})
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "new",
                "name": self.env._("Import Settlement File")}

