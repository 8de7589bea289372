"""Reports: requested reports (orders, listings, customer returns: returns.py, removal orders:
removals.py) and the settlement reports that appear by
themselves, one per marketplace every 14 simulated days; `Store` keeps them with the feeds and
the documents of one simulator.

A report's content is the scenario as it was at its creation time (or dataEndTime when
earlier), so it does not depend on when it is polled.  See documents.py for the processing
states and the document URLs.
"""

import gzip
import time
import zlib

from . import removals, returns, vat_invoices
from . import settlement as settle
from .clock import DAY, iso, parse_iso
from .const import (
    FBA_RETURNS_REPORT, FBM_RETURNS_REPORT, LISTINGS_ENCODING, MARKETPLACE_BY_ID, MARKETPLACES,
    ORDER_REPORT, REMOVAL_ORDERS_REPORT, REMOVAL_SHIPMENTS_REPORT, REQUESTABLE_REPORTS,
    SETTLEMENT_REPORT, VAT_INVOICE_REPORT,
)
from .documents import DONE_AFTER, Document, Job, Pages
from .errors import ScenarioError
from .feeds import FeedStore
from .money import fmt
from .orders import CANCELLED
from .vat_invoices import VatInvoices

ORDER_REPORT_COLUMNS = [
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
    "fulfillment-channel", "sales-channel", "order-channel", "url", "ship-service-level",
    "product-name", "sku", "asin", "item-status", "quantity", "currency", "item-price",
    "item-tax", "shipping-price", "shipping-tax", "gift-wrap-price", "gift-wrap-tax",
    "item-promotion-discount", "ship-promotion-discount", "ship-city", "ship-state",
    "ship-postal-code", "ship-country", "promotion-ids", "is-business-order",
    "purchase-order-number", "price-designation",
]
LISTINGS_COLUMNS = [
    "item-name", "item-description", "listing-id", "seller-sku", "price", "quantity", "open-date",
    "image-url", "item-is-marketplace", "product-id-type", "zshop-shipping-fee", "item-note",
    "item-condition", "zshop-category1", "zshop-browse-path", "zshop-storefront-feature",
    "asin1", "asin2", "asin3", "will-ship-internationally", "expedited-shipping",
    "zshop-boldface", "product-id", "bid-for-featured-placement", "add-delete",
    "pending-quantity", "fulfillment-channel", "merchant-shipping-group", "status",
]
_STATUS_WORD = {"PENDING": "Pending", "UNSHIPPED": "Unshipped", "PARTIALLY_SHIPPED": "PartiallyShipped",
                "SHIPPED": "Shipped", "CANCELLED": "Cancelled"}
_AFN_CHANNEL = {"NA": "AMAZON_NA", "EU": "AMAZON_EU", "FE": "AMAZON_FE"}


class Store(FeedStore):
    """Reports, feeds (see FeedStore) and documents of one simulator."""

    def __init__(self, scenario, base_url=lambda: ""):
        self.scenario = scenario
        self.base_url = base_url
        self.documents = {}
        self.reports = {}
        self.feeds = {}
        self.settlements = {}
        self.pages = Pages()
        self.vat = VatInvoices(scenario)
        self._next = 50000

    def _new_id(self):
        self._next += 1
        return str(self._next)

    def doc_url(self, doc_id):
        return "%s/_documents/%s" % (self.base_url(), doc_id)

    # -- settlements -------------------------------------------------------------------------
    def sync_settlements(self, now):
        """Register the settlement reports of every closed period (idempotent)."""
        for market in MARKETPLACES:
            for k in settle.closed_periods(self.scenario, now):
                sid = settle.settlement_id(self.scenario, market.code, k)
                report_id = "9" + sid
                if report_id in self.reports:
                    continue
                start, end = settle.period_bounds(self.scenario, k)
                job = Job(report_id, SETTLEMENT_REPORT, [market.id], end + settle.READY_AFTER)
                job.data_start, job.data_end = start, end - 1
                job.settlement = (market.code, k)
                job.document_id = "amzn1.spdoc.1.4.%s.settlement-%s" % (market.region.lower(), sid)
                self.reports[report_id] = job

    def settlement(self, code, k):
        key = (code, k)
        if key not in self.settlements:
            self.settlements[key] = settle.build(self.scenario, code, k)
        return self.settlements[key]

    def settlement_summaries(self, now):
        """Summary of every settlement report available at `now` (the control API's)."""
        out = []
        self.sync_settlements(now)
        for job in self.list_reports(now, types=[SETTLEMENT_REPORT], since=self.scenario.history_start):
            if not job.settlement:
                continue
            s = self.settlement(*job.settlement)
            out.append({"settlementId": s.settlement_id, "reportId": job.job_id,
                        "reportDocumentId": job.document_id, "marketplaceId": s.market.id,
                        "currency": s.currency, "startDate": iso(s.start), "endDate": iso(s.end - 1),
                        "totalAmount": fmt(s.total, s.currency), "rows": len(s.rows)})
        return out

    # -- reports -----------------------------------------------------------------------------
    def create_report(self, body, now):
        if not isinstance(body, dict) or not body.get("reportType"):
            raise ScenarioError(400, "InvalidInput", "reportType is required.")
        report_type = body["reportType"]
        ids = body.get("marketplaceIds")
        if not isinstance(ids, list) or not ids:
            raise ScenarioError(400, "InvalidInput", "marketplaceIds is required.")
        unknown = [m for m in ids if m not in MARKETPLACE_BY_ID]
        if unknown:
            raise ScenarioError(400, "InvalidInput", "Invalid marketplaceIds: %s" % ",".join(unknown))
        if report_type == SETTLEMENT_REPORT:
            raise ScenarioError(400, "InvalidInput",
                                "Report type %s cannot be requested; Amazon generates it." % report_type)
        if report_type not in REQUESTABLE_REPORTS:
            raise ScenarioError(400, "InvalidInput", "Invalid report type %s." % report_type)
        job = Job(self._new_id(), report_type, ids, now)
        try:
            job.data_end = parse_iso(body["dataEndTime"]) if body.get("dataEndTime") else None
            job.data_start = parse_iso(body["dataStartTime"]) if body.get("dataStartTime") else None
        except ValueError as exc:
            raise ScenarioError(400, "InvalidInput", str(exc))
        job.options = body.get("reportOptions") or {}
        if report_type == VAT_INVOICE_REPORT:
            vat_invoices.check_report(body, ids, job.data_start, job.data_end)
        self.reports[job.job_id] = job
        return job

    def report(self, report_id, now, poll=False):
        self.sync_settlements(now)
        job = self.reports.get(report_id)
        if job is None:
            raise ScenarioError(404, "NotFound", "Report %s not found." % report_id)
        if poll and not job.settlement:
            job.polls += 1
        if job.status(now) == "DONE" and job.document_id is None:
            self._produce(job)
        return job

    def report_json(self, job, now):
        status = job.status(now)
        out = {"reportId": job.job_id, "reportType": job.job_type,
               "marketplaceIds": job.marketplace_ids, "createdTime": iso(job.created),
               "processingStatus": status}
        if job.data_start is not None:
            out["dataStartTime"] = iso(job.data_start)
        if job.data_end is not None:
            out["dataEndTime"] = iso(job.data_end)
        if status != "IN_QUEUE":
            out["processingStartTime"] = iso(job.created + (0 if job.settlement else 2))
        if status in ("DONE", "FATAL"):
            out["processingEndTime"] = iso(job.created + (0 if job.settlement else
                                                          min(DONE_AFTER, max(2, now - job.created))))
            if job.document_id is None:
                self._produce(job)
            out["reportDocumentId"] = job.document_id
        return out

    def list_reports(self, now, types=None, statuses=None, marketplaces=None, since=None, until=None):
        self.sync_settlements(now)
        since = now - 90 * DAY if since is None else since
        until = now if until is None else until
        out = []
        for job in self.reports.values():
            if job.created > now or not (since <= job.created <= until):
                continue
            if types and job.job_type not in types:
                continue
            if marketplaces and not set(job.marketplace_ids) & set(marketplaces):
                continue
            if statuses and job.status(now) not in statuses:
                continue
            out.append(job)
        out.sort(key=lambda j: (-j.created, j.job_id))
        return out

    def cancel_report(self, report_id, now):
        job = self.report(report_id, now)
        if job.status(now) != "IN_QUEUE":
            raise ScenarioError(400, "InvalidInput", "Only reports IN_QUEUE can be cancelled.")
        job.cancelled = True

    def _produce(self, job):
        """Create the document of a report that just reached DONE."""
        if job.settlement:
            return
        at = job.created if job.data_end is None else min(job.created, job.data_end)
        if job.job_type == ORDER_REPORT:
            text = self.order_report(job.marketplace_ids, job.data_start or at - 30 * DAY, at)
            doc = Document("amzn1.spdoc.1.4.na.%s" % job.job_id, gzip.compress(text.encode("utf-8"), mtime=0),
                           "GZIP")
        elif job.job_type in (FBA_RETURNS_REPORT, FBM_RETURNS_REPORT):
            channel = "FBA" if job.job_type == FBA_RETURNS_REPORT else "FBM"
            text = returns.report(self.scenario, channel, job.marketplace_ids,
                                  job.data_start or at - 30 * DAY, at)
            doc = Document("amzn1.spdoc.1.4.na.%s" % job.job_id, text.encode("utf-8"))
        elif job.job_type == VAT_INVOICE_REPORT:
            self.process_due(job.created)
            text = vat_invoices.report(self.scenario, self.vat, job.marketplace_ids,
                                       job.data_start or at - 30 * DAY, at, job.options)
            doc = Document("amzn1.spdoc.1.4.eu.%s" % job.job_id, text.encode("utf-8"))
        elif job.job_type in (REMOVAL_ORDERS_REPORT, REMOVAL_SHIPMENTS_REPORT):
            build = (removals.detail_report if job.job_type == REMOVAL_ORDERS_REPORT
                     else removals.shipment_report)
            text = build(self.scenario, job.marketplace_ids, job.data_start or at - 30 * DAY, at)
            doc = Document("amzn1.spdoc.1.4.na.%s" % job.job_id, text.encode("utf-8"))
        else:
            market = MARKETPLACE_BY_ID[job.marketplace_ids[0]]
            encoding = LISTINGS_ENCODING[market.region]
            doc = Document("amzn1.spdoc.1.4.na.%s" % job.job_id, self.listings_report(market.id),
                           content_type="text/plain; charset=%s" % encoding)
        self.documents[doc.doc_id] = doc
        job.document_id = doc.doc_id

    def report_document(self, doc_id, now):
        """(Document, ReportDocument JSON) for getReportDocument."""
        self.sync_settlements(now)
        doc = self.documents.get(doc_id)
        if doc is None:
            for job in self.reports.values():
                if job.settlement and job.document_id == doc_id:
                    text = settle.render(self.settlement(*job.settlement))
                    doc = Document(doc_id, text.encode("utf-8"))
                    self.documents[doc_id] = doc
                    break
        if doc is None or doc.content is None:
            raise ScenarioError(404, "NotFound", "Report document %s not found." % doc_id)
        out = {"reportDocumentId": doc_id, "url": self.doc_url(doc_id)}
        if doc.compression:
            out["compressionAlgorithm"] = doc.compression
        return doc, out

    def order_report(self, marketplace_ids, start, end):
        lines = ["\t".join(ORDER_REPORT_COLUMNS)]
        for order in self.scenario.orders:
            if order.created > end or order.market.id not in marketplace_ids:
                continue
            status, updated = order.status(end)
            if updated < start:
                continue
            shipped = order.shipped_quantities(end)
            cur = order.currency
            for item in order.items:
                if status == CANCELLED:
                    item_status = "Cancelled"
                elif shipped.get(item.item_id, 0) >= item.qty:
                    item_status = "Shipped"
                else:
                    item_status = "Unshipped"
                row = {
                    "amazon-order-id": order.order_id, "purchase-date": _iso_offset(order.created),
                    "last-updated-date": _iso_offset(updated), "order-status": _STATUS_WORD[status],
                    "fulfillment-channel": "Amazon" if order.channel == "FBA" else "Merchant",
                    "sales-channel": order.market.name, "ship-service-level": order.service_level.title(),
                    "product-name": item.title, "sku": item.sku, "asin": item.asin,
                    "item-status": item_status, "quantity": str(item.qty), "currency": cur,
                    "item-price": fmt(item.principal, cur), "item-tax": fmt(item.tax_item, cur),
                    "shipping-price": fmt(item.shipping, cur), "shipping-tax": fmt(item.tax_ship, cur),
                    "gift-wrap-price": fmt(item.gift, cur), "gift-wrap-tax": fmt(item.tax_gift, cur),
                    "item-promotion-discount": fmt(-item.discount_item, cur),
                    "ship-promotion-discount": fmt(-item.discount_ship, cur),
                    "ship-city": order.address.get("city", ""),
                    "ship-state": order.address.get("stateOrRegion", ""),
                    "ship-postal-code": order.address.get("postalCode", ""),
                    "ship-country": order.address.get("countryCode", ""),
                    "promotion-ids": ",".join(item.promotion_ids),
                    "is-business-order": "true" if order.business else "false",
                    "purchase-order-number": order.buyer.get("buyerPurchaseOrderNumber", ""),
                    "price-designation": "BusinessPrice" if item.business_price else "",
                }
                lines.append("\t".join(row.get(c, "") for c in ORDER_REPORT_COLUMNS))
        return "\n".join(lines) + "\n"

    def listings_report(self, marketplace_id):
        """The listings report of a marketplace as bytes, in the region's legacy encoding:
        the catalogue's listings but those taken off or added again (an added SKU of the
        catalogue replaces its row), the added ones, then the raw rows."""
        market = MARKETPLACE_BY_ID[marketplace_id]
        encoding = LISTINGS_ENCODING[market.region]
        opened = time.strftime("%Y-%m-%d %H:%M:%S UTC",
                               time.gmtime(self.scenario.history_start - 200 * DAY))
        lines = ["\t".join(LISTINGS_COLUMNS).encode(encoding)]
        replaced = {extra["sku"] for extra in self.scenario.extra_listings
                    if not extra["marketplace_ids"] or market.id in extra["marketplace_ids"]}
        for product in self.scenario.catalogue:
            if product["sku"] in self.scenario.unlisted or product["sku"] in replaced:
                continue
            offer = product["offers"][market.code]
            fba = offer["channel"] == "FBA"
            row = {
                "item-name": product["title"], "listing-id": "SIM%s%s" % (market.code, product["asin"][-5:]),
                "seller-sku": product["sku"], "price": offer["price"],
                "quantity": "" if fba else str(self.scenario.listing_quantity[(market.code, product["sku"])]),
                "open-date": opened,
                "item-is-marketplace": "y", "product-id-type": "1", "item-condition": "11",
                "asin1": product["asin"], "product-id": product["asin"],
                "will-ship-internationally": "", "pending-quantity": "0",
                "fulfillment-channel": _AFN_CHANNEL[market.region] if fba else "DEFAULT",
                "merchant-shipping-group": "Migrated Template", "status": "Active",
            }
            lines.append("\t".join(row.get(c, "") for c in LISTINGS_COLUMNS).encode(encoding))
        for extra in self.scenario.extra_listings:
            if extra["sku"] in self.scenario.unlisted or (
                    extra["marketplace_ids"] and market.id not in extra["marketplace_ids"]):
                continue
            fba = extra["channel"] == "FBA"
            asin = "B0SIMX%04d" % (zlib.crc32(extra["sku"].encode("utf-8")) % 10000)
            row = {
                "item-name": extra["title"], "listing-id": "SIMX%s%s" % (market.code, asin[-4:]),
                "seller-sku": extra["sku"], "price": extra["price"],
                "quantity": "" if fba else str(extra["quantity"]), "open-date": opened,
                "item-is-marketplace": "y", "item-condition": "11", "asin1": asin,
                "product-id-type": "4" if extra["barcode"] else "1",
                "product-id": extra["barcode"] or asin, "pending-quantity": "0",
                "fulfillment-channel": _AFN_CHANNEL[market.region] if fba else "DEFAULT",
                "merchant-shipping-group": "Migrated Template", "status": extra["status"],
            }
            lines.append("\t".join(row.get(c, "") for c in LISTINGS_COLUMNS).encode(encoding))
        for row, marketplace_ids in self.scenario.raw_listing_rows:
            if marketplace_ids and market.id not in marketplace_ids:
                continue
            lines.append(row if isinstance(row, bytes) else row.encode(encoding))
        return b"\n".join(lines) + b"\n"


def _iso_offset(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(int(t)))
