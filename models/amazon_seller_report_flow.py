from datetime import timedelta
import json
import time

from odoo import fields, models

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

    def _poll(self, gateway, report_id):
        """getReport a few times, briefly: the report's metadata as last seen."""
        report = {}
        for delay in REPORT_POLL_DELAYS:
            time.sleep(delay)
            report = gateway.get_report(report_id)
            if report.get("processingStatus") not in IN_PREPARATION:
                break
        return report

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
