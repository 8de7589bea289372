from datetime import timedelta
import json

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const
from ..exceptions import AmazonError, AmazonThrottled
from ..formats.vat_invoice_report import parse_vat_invoice_report
from ..utils import to_amazon_timestamp

# Invoices uploaded per account and run (each is a feed: document, upload, createFeed).
UPLOADS_PER_RUN = 50
# Issues of the processing report meaning the invoice is on Amazon already.
ALREADY_UPLOADED = {"DuplicateInvoice"}


class AmazonSellerInvoiceUpload(models.AbstractModel):
    """The invoice upload flow: on the EU marketplaces Amazon hands the seller's invoices and
    credit notes to the buyer. Each posted invoice / credit note of an Amazon order there is sent
    as a PDF with the Feeds API (``UPLOAD_VAT_INVOICE``), its processing report read back on a
    later run; the state and Amazon's answer show on the invoice; rejections are retried with the
    flow's policy."""

    _name = "amazon.seller.invoice.upload"
    _inherit = "amazon.seller.flow"
    _description = "Amazon Invoice Upload"
    _flow = "invoice_upload"

    # === THE FLOW === #

    def _accounts_to_run(self):
        return super()._accounts_to_run().filtered("upload_invoices")

    def _can_run(self, account):
        return super()._can_run(account) and account.upload_invoices

    def _summary(self, stats):
        return self.env._("%(sent)s sent, %(uploaded)s accepted, %(failed)s rejected",
                          sent=stats["sent"], uploaded=stats["uploaded"], failed=stats["failed"])

    def _run(self, account, state, stats, commit):
        """Read the reports of the feeds sent earlier, then send what waits, one invoice per
        transaction; throttling ends the run and the next one goes on."""
        for move in self._moves(account, "processing"):
            self._read_report(move, stats)
            if commit:
                commit()
        if account.vat_calculation_service:
            self._confirm_from_vat_report(account, self._moves(account, "confirming"), stats)
        self._requeue_due_failures(account)
        for move in self._moves(account, "to_upload", UPLOADS_PER_RUN):
            self._send(move, stats)
            remaining_time = commit() if commit else float("inf")
            if remaining_time <= 0:
                return False
        return True

    @api.model
    def _moves(self, account, upload_state, limit=None):
        return self.env["account.move"].search([
            ("amazon_account_id", "=", account.id), ("amazon_upload_state", "=", upload_state),
            ("state", "=", "posted"),
        ], limit=limit, order="id")

    def _requeue_due_failures(self, account):
        due = self.env["amazon.seller.sync.error"]._due(account, self._flow, UPLOADS_PER_RUN)
        moves = due._records("account.move")
        moves.filtered(lambda m: m.amazon_upload_state == "error").amazon_upload_state = "to_upload"

    # === SENDING === #

    def _send(self, move, stats):
        order = move.invoice_line_ids.sale_line_ids.order_id[:1]
        gateway = move.amazon_account_id._get_gateway()
        try:
            feed_id = gateway.submit_feed(
                const.FEED_TYPE_VAT_INVOICE, self._pdf(move), "application/pdf",
                [move.amazon_marketplace_id.marketplace_id], feed_options=self._options(move, order))
        except AmazonThrottled:
            raise
        except (AmazonError, UserError) as error:
            self._record_failure(move, error.message if isinstance(error, AmazonError)
                                 else error.args[0])
            stats["failed"] += 1
            return
        move.write({"amazon_upload_state": "processing", "amazon_feed_ref": feed_id,
                    "amazon_upload_message": False})
        stats["sent"] += 1

    def _pdf(self, move):
        """The invoice as the buyer gets it, a real PDF (also while tests run)."""
        content, _kind = self.env["ir.actions.report"].with_context(
            force_report_rendering=True)._render_qweb_pdf("account.account_invoices", move.ids)
        return content

    @staticmethod
    def _options(move, order):
        """The feedOptions Amazon reads an uploaded invoice by."""
        total = abs(move.amount_total)
        tax = abs(move.amount_tax)
        return {
            "metadata:orderid": order.amazon_order_ref,
            "metadata:invoicenumber": move.name,
            "metadata:documenttype": "CreditNote" if move.move_type == "out_refund" else "Invoice",
            "metadata:totalamount": f"{total:.{move.currency_id.decimal_places}f}",
            "metadata:totalvatamount": f"{tax:.{move.currency_id.decimal_places}f}",
        }

    # === REPORTS === #

    def _read_report(self, move, stats):
        gateway = move.amazon_account_id._get_gateway()
        feed = gateway.get_feed(move.amazon_feed_ref)
        status = feed.get("processingStatus")
        if status in ("IN_QUEUE", "IN_PROGRESS"):
            return
        if status != "DONE" or not feed.get("resultFeedDocumentId"):
            self._record_failure(move, self.env._("Amazon could not process the upload (%(status)s).",
                                                  status=status))
            stats["failed"] += 1
            return
        report = json.loads(gateway.get_feed_document(feed["resultFeedDocumentId"]))
        issues = [issue for issue in report.get("issues") or [] if issue.get("severity") == "ERROR"]
        if (not issues or all(issue.get("code") in ALREADY_UPLOADED for issue in issues)) \
                and move.amazon_account_id.vat_calculation_service:
            move.write({"amazon_upload_state": "confirming", "amazon_upload_message": self.env._(
                "Amazon received the file; its VAT invoice data report confirms the invoice.")})
            return
        if not issues or all(issue.get("code") in ALREADY_UPLOADED for issue in issues):
            move.write({"amazon_upload_state": "uploaded", "amazon_upload_message": False})
            self.env["amazon.seller.sync.error"]._resolve(move.amazon_account_id, self._flow,
                                                          [move.name])
            stats["uploaded"] += 1
            return
        self._record_failure(move, "; ".join(
            self._explain(issue) for issue in issues))
        stats["failed"] += 1

    def _explain(self, issue):
        if issue.get("code") == "FeatureNotAvailable":
            return self.env._(
                "FeatureNotAvailable: Amazon does not take invoices from this account (its "
                "Invoice Upload is not enabled, or Amazon's VAT Calculation Service issues the "
                "invoices itself). Enable uploads in Seller Central (Tax Document Library, VCS "
                "settings) or turn off Send Invoices to Amazon on the account.")
        return f"{issue.get('code')}: {issue.get('message')}"

    def _confirm_from_vat_report(self, account, moves, stats):
        """The state of the uploads Amazon received, from its VAT invoice data report: uploaded,
        still pending (waiting), or pending with the reason of a rejection (an error)."""
        if not moves:
            return
        gateway = account._get_gateway()
        # the shipments of the oldest invoice waiting onwards, within Amazon's longest range
        start = fields.Datetime.to_datetime(min(moves.mapped("invoice_date"))) - timedelta(days=2)
        end = min(fields.Datetime.now(), start + timedelta(days=const.VIDR_DAYS))
        report_id = gateway.create_report(
            const.VAT_INVOICE_DATA_REPORT_TYPE,
            sorted(set(moves.amazon_marketplace_id.mapped("marketplace_id"))),
            reportOptions={"all": "true"}, dataStartTime=to_amazon_timestamp(start),
            dataEndTime=to_amazon_timestamp(end))
        report = self.env["amazon.seller.report.flow"]._poll(gateway, report_id)
        if report.get("processingStatus") != "DONE" or not report.get("reportDocumentId"):
            return  # asked again at the next run
        states, _problems = parse_vat_invoice_report(
            gateway.get_report_document(report["reportDocumentId"]))
        for move in moves:
            order = move.invoice_line_ids.sale_line_ids.order_id[:1]
            document = "CreditNote" if move.move_type == "out_refund" else "Invoice"
            status, description = states.get((order.amazon_order_ref, document), (None, ""))
            if status == const.VIDR_UPLOADED:
                move.write({"amazon_upload_state": "uploaded", "amazon_upload_message": False})
                stats["uploaded"] += 1
            elif description:
                self._record_failure(move, description)
                stats["failed"] += 1

    def _record_failure(self, move, reason):
        message = self.env._("Amazon refused invoice %(invoice)s: %(reason)s", invoice=move.name,
                             reason=reason)
        move.write({"amazon_upload_state": "error", "amazon_upload_message": message})
        self.env["amazon.seller.sync.error"]._record(
            move.amazon_account_id, self._flow, {move.name: message}, records={move.name: move})

    def _retry_errors(self, account, errors):
        """A person's *Retry*: send those invoices with the next run."""
        moves = errors._records("account.move")
        moves.amazon_upload_state = "to_upload"
        self.env.ref("amazon_seller.ir_cron_upload_invoices")._trigger()
