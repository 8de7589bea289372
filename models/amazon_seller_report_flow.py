from datetime import timedelta
import json
import time

from odoo import fields, models

from ..exceptions import AmazonBadRequest
from ..formats.tab_report import ReportFileError
from ..utils import parse_datetime, to_amazon_timestamp

# Seconds waited before each getReport of a report just requested: Amazon often needs minutes,
# then the report stays pending in the flow's state and a later run downloads it.
REPORT_POLL_DELAYS = (0, 1)
# Statuses of a report Amazon is still preparing.
IN_PREPARATION = ("IN_QUEUE", "IN_PROGRESS")
# When a report is still in preparation, the scheduled action comes back this much later.
PENDING_RETRY_DELAY = timedelta(minutes=2)


class AmazonSellerReportFlow(models.AbstractModel):
    """What the flows reading Amazon's requested reports share: a report is requested
    (createReport), polled briefly (getReport) and, while Amazon still prepares it, kept in the
    flow's state (``resume_token``: {key: report id}) for the next run, which the flow's
    scheduled action (``_cron_xmlid``) comes back for soon."""

    _name = "amazon.seller.report.flow"
    _inherit = "amazon.seller.flow"
    _description = "Amazon Flow Reading Reports"
    _cron_xmlid = None
    # {report type: parser (content → (rows, problems))} of the reports of a period it reads
    _parsers = {}

    def _poll(self, gateway, report_id):
        """getReport a few times, briefly: the report's metadata as last seen."""
        report = {}
        for delay in REPORT_POLL_DELAYS:
            time.sleep(delay)
            report = gateway.get_report(report_id)
            if report.get("processingStatus") not in IN_PREPARATION:
                break
        return report

    def _pending_note(self, stats):
        """What a run's summary adds for the reports Amazon still prepares."""
        if not stats["pending"]:
            return ""
        return self.env._(
            "; %(count)s report(s) still in preparation at Amazon: the next run imports them",
            count=stats["pending"])

    def _needs_person(self, account, state, error):
        return super()._needs_person(account, state, error) \
            and not getattr(error, "heals_itself", False)

    def _come_back_later(self):
        cron = self.env.ref(self._cron_xmlid, raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(fields.Datetime.now() + PENDING_RETRY_DELAY)

    @staticmethod
    def _pending_reports(state):
        """{key: report id} requested and not imported yet."""
        try:
            pending = json.loads(state.resume_token or "{}")
        except ValueError:
            return {}
        return pending if isinstance(pending, dict) else {}

    @staticmethod
    def _save_pending_reports(state, pending):
        state.resume_token = json.dumps(pending, sort_keys=True) if pending else False

    # === REPORTS OF A PERIOD (returns, removals) === #

    def _run_reports(self, account, state, stats, commit, lookback, initial_days):
        """Request each report type of ``_parsers`` for each marketplace of the account, for the days
        since the checkpoint (``lookback`` before it: Amazon updates rows of earlier days; the
        first time ``initial_days``), and import each one as it is done
        (``_import_report``), committing after each. Reports still in preparation wait in the
        state with their period for the next run; the checkpoint advances once all of them
        are imported. Return whether the run finished."""
        gateway = account._get_gateway()
        pending = self._pending_reports(state)
        now = fields.Datetime.now()
        since = pending.pop("_since", None) or to_amazon_timestamp(
            state.checkpoint - lookback if state.checkpoint
            else now - timedelta(days=initial_days))
        until = pending.pop("_until", None) or to_amazon_timestamp(now)
        for marketplace in account.marketplace_ids:
            for report_type in self._parsers:
                key = f"{report_type}:{marketplace.marketplace_id}"
                if key not in pending:
                    pending[key] = gateway.create_report(
                        report_type, [marketplace.marketplace_id],
                        dataStartTime=since, dataEndTime=until)
                    self._save_period(state, pending, since, until)
                try:
                    report = self._poll(gateway, pending[key])
                except AmazonBadRequest as error:  # Amazon no longer knows it: ask again
                    del pending[key]
                    self._save_period(state, pending, since, until)
                    error.heals_itself = True
                    raise
                if report.get("processingStatus") in IN_PREPARATION:
                    stats["pending"] += 1
                    continue
                del pending[key]
                self._import_report(account, marketplace, report_type, gateway, report, stats)
                self._save_period(state, pending, since, until)
                if commit:
                    commit()
        if pending:
            self._come_back_later()
        else:
            state.checkpoint = parse_datetime(until)
        return True

    def _save_period(self, state, pending, since, until):
        self._save_pending_reports(state, {**pending, "_since": since, "_until": until}
                                   if pending else {})

    def _import_report(self, account, marketplace, report_type, gateway, report, stats):
        """Download one report, read it with its parser (``_parsers``), store its rows
        (``_store_rows``, all of them or none) and record its unreadable lines."""
        if self._report_failed(account, marketplace, report_type, report, stats):
            return
        content = gateway.get_report_document(report["reportDocumentId"])
        try:
            rows, problems = self._parsers[report_type](content)
        except ReportFileError as error:
            self._record_unreadable(account, marketplace, report_type, error, stats)
            return
        with self.env.cr.savepoint():
            self._store_rows(account, marketplace, report_type, rows, stats)
        self._record_row_problems(account, marketplace, report_type, problems, stats)

    def _store_rows(self, account, marketplace, report_type, rows, stats):
        raise NotImplementedError

    def _report_failed(self, account, marketplace, report_type, report, stats):
        """Record that Amazon could not produce a report (the next run asks again); True when
        there is nothing to import."""
        if report.get("processingStatus") == "DONE" and report.get("reportDocumentId"):
            return False
        if report.get("processingStatus") != "CANCELLED":  # cancelled: nothing for the period
            self.env["amazon.seller.sync.error"]._record(
                account, self._flow, {f"{report_type}:{marketplace.marketplace_id}": self.env._(
                    "Amazon could not produce the report %(report)s of %(marketplace)s "
                    "(%(status)s): the next run asks again.", report=report_type,
                    marketplace=marketplace.name, status=report.get("processingStatus") or "?")})
            stats["failed"] += 1
        return True

    def _record_row_problems(self, account, marketplace, report_type, problems, stats):
        """The report's unreadable lines as errors naming report, marketplace and line; the
        report's own error (if any) resolved."""
        SyncError = self.env["amazon.seller.sync.error"]
        ref = f"{report_type}:{marketplace.marketplace_id}"
        failures = {f"{ref} line {problem.line}": self.env._(
            "%(report)s of %(marketplace)s, line %(line)s: %(reason)s.", report=report_type,
            marketplace=marketplace.name, line=problem.line,
            reason=problem.reason._translate(self.env.lang)) for problem in problems}
        SyncError._record(account, self._flow, failures, unretryable=set(failures))
        stats["failed"] += len(failures)
        SyncError._resolve(account, self._flow, [ref])

    def _record_unreadable(self, account, marketplace, report_type, error, stats):
        self.env["amazon.seller.sync.error"]._record(account, self._flow, {
            f"{report_type}:{marketplace.marketplace_id}": self.env._(
                "The report %(report)s of %(marketplace)s cannot be read: %(reason)s.",
                report=report_type, marketplace=marketplace.name,
                reason=error.describe(self.env))})
        stats["failed"] += 1
