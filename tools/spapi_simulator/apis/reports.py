"""Reports API 2021-06-30.  Report jobs, their documents and the settlement reports are kept
by `reports.Store` (reports.py); this module is the HTTP face of it."""

from ..errors import ScenarioError
from .base import Operation, stored_page


def create_report(sim, req):
    job = sim.store.create_report(req.body, req.now)
    return 202, {"reportId": job.job_id}


def get_report(sim, req):
    job = sim.store.report(req.args["reportId"], req.now, poll=True)
    return 200, sim.store.report_json(job, req.now)


def cancel_report(sim, req):
    sim.store.cancel_report(req.args["reportId"], req.now)
    return 200, None


def get_reports(sim, req):
    token = req.one("nextToken")
    if token:
        jobs, offset, extra = stored_page(sim, token, "reports", param="nextToken")
    else:
        types, statuses = req.many("reportTypes"), req.many("processingStatuses")
        marketplaces = req.many("marketplaceIds")
        if not types and not token:
            raise ScenarioError(400, "InvalidInput", "reportTypes or nextToken is required.")
        for value in statuses:
            if value not in ("CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE"):
                raise ScenarioError(400, "InvalidInput", "Invalid processingStatuses: %s" % value)
        jobs = [j.job_id for j in sim.store.list_reports(
            req.now, types, statuses, marketplaces, req.time("createdSince"), req.time("createdUntil"))]
        offset, extra = 0, {"kind": "reports", "size": req.integer("pageSize", 10, 1, 100)}
    chunk, next_token = sim.store.pages.page(jobs, offset, extra["size"], extra)
    result = {"reports": [sim.store.report_json(sim.store.reports[j], req.now) for j in chunk]}
    if next_token:
        result["nextToken"] = next_token
    return 200, result


def get_report_document(sim, req):
    doc, result = sim.store.report_document(req.args["reportDocumentId"], req.now)
    return 200, result


OPERATIONS = [
    Operation("POST", "/reports/2021-06-30/reports", "createReport", create_report, 0.0167, 15),
    Operation("GET", "/reports/2021-06-30/reports", "getReports", get_reports, 0.0222, 10),
    Operation("GET", "/reports/2021-06-30/reports/{reportId}", "getReport", get_report, 2.0, 15),
    Operation("DELETE", "/reports/2021-06-30/reports/{reportId}", "cancelReport", cancel_report,
              0.0222, 10),
    Operation("GET", "/reports/2021-06-30/documents/{reportDocumentId}", "getReportDocument",
              get_report_document, 0.0167, 15),
]
