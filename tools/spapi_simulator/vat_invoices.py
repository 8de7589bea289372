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

from .const import VAT_INVOICE_MARKETPLACES
from .errors import ScenarioError

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
        if not issues:
            issues = self._duplicate(order.order_id, number, kind)
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
