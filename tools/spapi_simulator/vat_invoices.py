"""UPLOAD_VAT_INVOICE, the invoice upload of Amazon's VAT Calculation Service: what createFeed
refuses outright, the processing of one uploaded PDF with its feedOptions, and the record of
the invoices and credit notes Amazon accepted.

createFeed answers 400 InvalidInput without feedOptions, or unless marketplaceIds is exactly
one VAT invoice marketplace.  Everything else is judged when the feed is processed, one message
per feed; the issue codes are Amazon's error names where Amazon documents one (its numbers in
README.md) and the simulator's own otherwise (InvalidAmount, DuplicateInvoiceNumber,
DuplicateInvoice).  The scenario is read as it was when the feed was created.
"""

import re
import time

from .clock import DAY
from .const import TAX_RATE, VAT_INVOICE_MARKETPLACES
from .errors import ScenarioError
from .money import fmt, prorate

DOCUMENT_TYPES = ("Invoice", "CreditNote")
_PREFIX = "metadata:"
_AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")
_NAMES = (("shippingid", "shippingId"), ("orderid", "orderId"), ("invoicenumber", "invoiceNumber"))
_CODE_BY_ID = {mp: code for code, mp in VAT_INVOICE_MARKETPLACES.items()}


def metadata(feed_options):
    """{orderid: ..., invoicenumber: ...}: the `metadata:` keys of feedOptions, lower-cased
    (Amazon's guides spell them `metadata:orderid` and `metadata:OrderId`)."""
    return {key.lower()[len(_PREFIX):]: value for key, value in (feed_options or {}).items()
            if key.lower().startswith(_PREFIX)}


def check_request(body):
    """Raise the 400 Amazon gives an UPLOAD_VAT_INVOICE createFeed it refuses outright."""
    ids = body["marketplaceIds"]
    if len(ids) != 1 or ids[0] not in VAT_INVOICE_MARKETPLACES.values():
        raise ScenarioError(400, "InvalidInput",
                            "UPLOAD_VAT_INVOICE takes exactly one marketplace among %s; got %s."
                            % (", ".join(VAT_INVOICE_MARKETPLACES), ",".join(ids)))
    if not body.get("feedOptions"):
        raise ScenarioError(400, "InvalidInput",
                            "feedOptions are required for UPLOAD_VAT_INVOICE: metadata:orderid or "
                            "metadata:shippingid, metadata:invoicenumber, metadata:documenttype, "
                            "metadata:totalamount.")


def _issue(code, message):
    return {"messageId": 1, "code": code, "severity": "ERROR", "message": message}


class VatInvoices:
    """The invoices and credit notes accepted so far (`accepted`, in processing order)."""

    def __init__(self, scenario):
        self.scenario = scenario
        self.accepted = []
        self.rejected = []      # {orderId, documentType, feedId, message} of rejected uploads
        self._by_number = {}

    def process(self, job, content):
        """The issues of one UPLOAD_VAT_INVOICE feed (none: accepted and recorded)."""
        meta = metadata(job.options)
        missing = [_PREFIX + key for key in ("invoicenumber", "documenttype", "totalamount")
                   if not meta.get(key)]
        if not (meta.get("orderid") or meta.get("shippingid")):
            missing.insert(0, "metadata:orderid or metadata:shippingid")
        if missing:
            return [_issue("MissingRequestPreferences", "Provide %s." % ", ".join(missing))]
        if not getattr(self.scenario, "vcs_self_invoicing", True):
            return [_issue("FeatureNotAvailable", "Invoice Upload API is in a closed beta. Contact "
                           "Seller Support or your account manager to use this feature.")]
        number, kind = meta["invoicenumber"], meta["documenttype"]
        names = ", ".join("%s %s" % (label, meta[key]) for key, label in _NAMES if meta.get(key))
        if content is None:
            return [_issue("NoCreditNoteFileUpload" if kind == "CreditNote" else "NoFileUpload",
                           "No document was uploaded for %s." % names)]
        issues = []
        if kind not in DOCUMENT_TYPES:
            issues.append(_issue("InvalidDocumentType", "The document type %s is not supported "
                                 "(Invoice or CreditNote)." % kind))
        for key in ("totalamount", "totalvatamount"):
            if meta.get(key) and not _AMOUNT.match(meta[key]):
                issues.append(_issue("InvalidAmount", "metadata:%s %r is not a decimal number "
                                     "(like 119.00) for %s." % (key, meta[key], names)))
        if not content.startswith(b"%PDF"):
            issues.append(_issue("InvoiceFileIsNotPDF", "The uploaded document is not a PDF for %s."
                                 % names))
        order, problem = self._order(meta, job)
        if problem:
            issues.append(_issue("InvalidOrderId", problem))
            order = None
        if not issues:
            issues = self._duplicate(order.order_id, number, kind)
        if issues and order is not None:
            self.rejected.append({"feedId": job.job_id, "orderId": order.order_id,
                                  "shippingId": meta.get("shippingid"), "documentType": kind,
                                  "message": "; ".join(i["message"] for i in issues)})
        if not issues:
            record = {"feedId": job.job_id, "orderId": order.order_id,
                      "shippingId": meta.get("shippingid"), "invoiceNumber": number,
                      "documentType": kind, "totalAmount": meta["totalamount"],
                      "totalVatAmount": meta.get("totalvatamount") or None,
                      "marketplaceId": job.marketplace_ids[0], "currency": order.currency,
                      "inputFeedDocumentId": job.input_document}
            self.accepted.append(record)
            self._by_number[number] = record
        return issues

    def _order(self, meta, job):
        """(order, None) or (None, why not): the order named by metadata:orderid and/or
        metadata:shippingid, existing when the feed was created, in the feed's marketplace."""
        order = None
        order_id, ship_id = meta.get("orderid"), meta.get("shippingid")
        if order_id:
            order = self.scenario.by_id.get(order_id)
            if order is None or order.created > job.created:
                return None, "Order %s does not exist for this seller." % order_id
        if ship_id:
            shipped = self._shipment_order(ship_id, job.created)
            if shipped is None:
                return None, "Shipment %s does not exist for this seller." % ship_id
            if order is not None and shipped is not order:
                return None, "Shipment %s belongs to order %s, not to order %s." % (
                    ship_id, shipped.order_id, order_id)
            order = shipped
        wanted = job.marketplace_ids[0]
        if order.market.id != wanted:
            return None, "Order %s belongs to marketplace %s (%s), not to %s (%s)." % (
                order.order_id, order.market.id, order.market.code, wanted, _CODE_BY_ID[wanted])
        return order, None

    def _shipment_order(self, ship_id, at):
        for order in self.scenario.orders:
            if order.created <= at and any(e[3] == ship_id and e[0] <= at for e in order.ship_events()):
                return order
        return None

    def _duplicate(self, order_id, number, kind):
        prior = self._by_number.get(number)
        if prior is None:
            return []
        if prior["orderId"] == order_id and prior["documentType"] == kind:
            return [_issue("DuplicateInvoice", "%s %s of order %s was already accepted in feed %s; "
                           "this upload is a duplicate and was not applied."
                           % (kind, number, order_id, prior["feedId"]))]
        return [_issue("DuplicateInvoiceNumber", "Invoice number %s is already used by the %s of "
                       "order %s (feed %s)." % (number, prior["documentType"], prior["orderId"],
                                                prior["feedId"]))]


# -- the VAT invoice data report (VIDR) ----------------------------------------------------------
REPORT_COLUMNS = [
    "shipping-id", "order-id", "transaction-type", "transaction-id", "shipment-date", "order-date",
    "currency", "marketplace-id", "invoice-status", "invoice-status-description",
    "is-amazon-invoiced", "seller-vat-number", "buyer-vat-number", "is-business-order", "sku",
    "asin", "product-name", "quantity-purchased", "item-vat-incl-amount", "item-vat-excl-amount",
    "item-vat-amount", "item-vat-rate", "shipping-vat-incl-amount", "shipping-vat-excl-amount",
    "shipping-vat-amount", "item-promo-vat-incl-amount", "item-promotion-id", "buyer-name",
    "ship-city", "ship-postal-code", "ship-country",
]
SELLER_VAT = {"DE": "DE123456789", "FR": "FR12345678901", "UK": "GB123456789"}
PENDING, UPLOADED = "InvoicePending", "InvoiceUploaded"


def _flag(options, name):
    """A Boolean report option, spelled `name` or `ReportOption=name` (Amazon's example)."""
    for key, value in (options or {}).items():
        if key.split("=")[-1].lower() == name.lower():
            return str(value).lower() == "true"
    return False


def check_report(body, ids, start, end):
    """Raise the 400 Amazon gives a VIDR request it refuses (its VIDR error messages)."""
    if any(m not in VAT_INVOICE_MARKETPLACES.values() for m in ids):
        raise ScenarioError(400, "InvalidInput", "Provided MarketplaceIdList is invalid.")
    options = body.get("reportOptions") or {}
    if not isinstance(options, dict) or any(
            k.split("=")[-1].lower() not in ("pendinginvoices", "all") for k in options):
        raise ScenarioError(400, "InvalidInput", "Provided reportType is not valid.")
    if _flag(options, "all") and not _flag(options, "pendingInvoices"):
        if start is None or end is None:
            raise ScenarioError(400, "InvalidInput",
                                "dataStartTime and dataEndTime are required with all=true.")
        if end < start:
            raise ScenarioError(400, "InvalidInput", "Provided endDate is before the startDate.")
        if end - start > 30 * DAY:
            raise ScenarioError(400, "InvalidInput", "The maximum date range for ReportOptions "
                                "All is 30 days. Try again with a shorter date range.")


def _vat(incl, rate, currency):
    """(excl, vat) of a VAT-inclusive amount in minor units."""
    excl = int(round(incl / (1 + rate)))
    return excl, incl - excl


def _status(vat, order, kind, ref):
    """(invoice-status, description) of one transaction from the uploads processed so far: the
    accepted invoice (credit note for a refund) of its order or shipment, else the message of
    the last rejected upload for it."""
    wanted = "Invoice" if kind == "SHIPMENT" else "CreditNote"
    for record in vat.accepted:
        if (record["orderId"] == order.order_id and record["documentType"] == wanted
                and record["shippingId"] in (None, ref)):
            return UPLOADED, "%s %s uploaded in feed %s." % (wanted, record["invoiceNumber"],
                                                            record["feedId"])
    for record in reversed(vat.rejected):
        if record["orderId"] == order.order_id and record["documentType"] == wanted \
                and record["shippingId"] in (None, ref):
            return PENDING, record["message"]
    return PENDING, ""


def report(scenario, vat, marketplace_ids, start, end, options):
    """The tab-separated VIDR: one row per item of every shipment (SHIPMENT) and refund
    (REFUND) of the orders placed in [start, end] in the marketplaces, posted by `end`, with
    the invoice status of the uploads accepted by then; `pendingInvoices` keeps the rows
    still InvoicePending (orders of the 90 days before `end`)."""
    pending_only = _flag(options, "pendingInvoices")
    if pending_only:
        start = end - 90 * DAY
    amazon_invoiced = "false" if getattr(scenario, "vcs_self_invoicing", True) else "true"
    lines = ["\t".join(REPORT_COLUMNS)]
    for order in scenario.orders:
        if order.market.id not in marketplace_ids or not start <= order.created <= end \
                or order.replacement_of:
            continue
        code, cur = order.market.code, order.currency
        rate = TAX_RATE[code]
        events = [(t, "SHIPMENT", item, qty, ref) for t, item, qty, ref in order.ship_events()]
        events += [(t, "REFUND", item, qty, ref) for t, item, qty, ref in order.refund_events()]
        done = {}
        for t, kind, item, qty, ref in sorted(events, key=lambda e: (e[0], e[1])):
            if t > end:
                continue
            key = (item.item_id, kind)
            share = lambda total: prorate(total, done.get(key, 0), qty, item.qty)  # noqa: E731
            sign = 1 if kind == "SHIPMENT" else -1
            principal, shipping = share(item.principal), share(item.shipping)
            promo = share(item.discount_item)
            done[key] = done.get(key, 0) + qty
            status, description = _status(vat, order, kind, ref)
            if pending_only and status != PENDING:
                continue
            excl, tax = _vat(principal, rate, cur)
            ship_excl, ship_tax = _vat(shipping, rate, cur)
            row = {
                "shipping-id": ref, "order-id": order.order_id, "transaction-type": kind,
                "transaction-id": "%s-%s" % (ref, item.item_id[-6:]),
                "shipment-date": _day_time(t), "order-date": _day_time(order.created),
                "currency": cur, "marketplace-id": order.market.id, "invoice-status": status,
                "invoice-status-description": description, "is-amazon-invoiced": amazon_invoiced,
                "seller-vat-number": SELLER_VAT.get(code, ""),
                "buyer-vat-number": (order.tax_registration or {}).get("taxRegistrationId", ""),
                "is-business-order": "true" if order.business else "false",
                "sku": item.sku, "asin": item.asin, "product-name": item.title,
                "quantity-purchased": str(qty),
                "item-vat-incl-amount": fmt(sign * principal, cur),
                "item-vat-excl-amount": fmt(sign * excl, cur), "item-vat-amount": fmt(sign * tax, cur),
                "item-vat-rate": "%.2f" % rate,
                "shipping-vat-incl-amount": fmt(sign * shipping, cur) if kind == "SHIPMENT" else "",
                "shipping-vat-excl-amount": fmt(sign * ship_excl, cur) if kind == "SHIPMENT" else "",
                "shipping-vat-amount": fmt(sign * ship_tax, cur) if kind == "SHIPMENT" else "",
                "item-promo-vat-incl-amount": fmt(-sign * promo, cur) if promo else "",
                "item-promotion-id": ",".join(item.promotion_ids),
                "buyer-name": (order.buyer or {}).get("buyerName", ""),
                "ship-city": (order.address or {}).get("city", ""),
                "ship-postal-code": (order.address or {}).get("postalCode", ""),
                "ship-country": (order.address or {}).get("countryCode", ""),
            }
            lines.append("\t".join(str(row.get(c, "")).replace("\t", " ") for c in REPORT_COLUMNS))
    return "\n".join(lines) + "\n"


def _day_time(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(int(t)))
