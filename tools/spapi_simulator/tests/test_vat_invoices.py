"""UPLOAD_VAT_INVOICE (VAT invoice upload) through the real python-amazon-sp-api client:
createFeedDocument -> PUT of the PDF -> createFeed with feedOptions -> getFeed until DONE ->
the processing report; and the simulator's record of what it accepted."""

import io
import json

import pytest

pytest.importorskip("sp_api")

from sp_api.api import Feeds  # noqa: E402
from sp_api.base import SellingApiException  # noqa: E402

from spapi_simulator.testing import client, http_json, make_sim  # noqa: E402

DE, FR, UK, US, IT = "A1PA6795UKMFR9", "A13V1IB3VIYZZH", "A1F83G8C2ARO7P", "ATVPDKIKX0DER", "APJ6JRA9NG5V4"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def sim():
    simulator = make_sim(seed=21, orders=160, rate_limits=False)
    yield simulator
    simulator.stop()


def shipped(sim, marketplace, n=0):
    """The n-th shipped order id of a marketplace."""
    return [o["orderId"] for o in sim.orders_summary("SHIPPED") if o["marketplaceId"] == marketplace][n]


def options(order_id=None, number="INV/2026/0001", kind="Invoice", total="119.00", vat="19.00", **extra):
    out = {"metadata:orderid": order_id, "metadata:invoicenumber": number,
           "metadata:documenttype": kind, "metadata:totalamount": total, "metadata:totalvatamount": vat}
    out.update(("metadata:" + k, v) for k, v in extra.items())
    return {k: v for k, v in out.items() if v is not None}


def submit(feeds, feed_options, marketplace=DE, content=PDF):
    """createFeedDocument, PUT, createFeed; the feed id."""
    _, feed = feeds.submit_feed("UPLOAD_VAT_INVOICE", io.BytesIO(content), content_type="application/pdf",
                                marketplaceIds=[marketplace], feedOptions=feed_options)
    return feed.payload["feedId"]


def report(feeds, feed_id):
    """Poll getFeed until DONE (second poll) and return the processing report."""
    states = [feeds.get_feed(feed_id).payload for _ in range(2)]
    assert [s["processingStatus"] for s in states] == ["IN_PROGRESS", "DONE"]
    return json.loads(feeds.get_feed_result_document(states[-1]["resultFeedDocumentId"]))


def accepted(result):
    return result["summary"]["messagesAccepted"] == 1 and result["issues"] == []


def rejected(result, code, *words):
    """The report rejects the upload with one issue of `code` whose message names `words`."""
    assert result["summary"] == {"errors": 1, "warnings": 0, "messagesProcessed": 1,
                                 "messagesAccepted": 0, "messagesInvalid": 1}, result
    [issue] = result["issues"]
    assert issue["code"] == code and issue["severity"] == "ERROR" and issue["messageId"] == 1, issue
    assert all(w in issue["message"] for w in words), issue["message"]
    return issue["message"]


def test_invoice_accepted_and_recorded(sim):
    feeds = client(sim, Feeds)
    order_id = shipped(sim, DE)
    feed_id = submit(feeds, options(order_id))
    result = report(feeds, feed_id)
    assert accepted(result) and result["header"]["feedId"] == feed_id
    assert result["summary"] == {"errors": 0, "warnings": 0, "messagesProcessed": 1,
                                 "messagesAccepted": 1, "messagesInvalid": 0}
    [record] = sim.vat_invoices()
    assert record == {"feedId": feed_id, "orderId": order_id, "shippingId": None,
                      "invoiceNumber": "INV/2026/0001", "documentType": "Invoice", "totalAmount": "119.00",
                      "totalVatAmount": "19.00", "marketplaceId": DE, "currency": "EUR",
                      "inputFeedDocumentId": record["inputFeedDocumentId"]}
    assert http_json(sim, "GET", "/_simulator/vat_invoices")[2] == {"vatInvoices": [record]}


def test_credit_note_by_shipping_id_and_mixed_case_keys(sim):
    feeds = client(sim, Feeds)
    order = sim.scenario.by_id[shipped(sim, FR)]
    ship_id = order.ship_events()[0][3]
    assert accepted(report(feeds, submit(feeds, options(order.order_id, "FA-1"), FR)))
    credit = {"metadata:ShippingId": ship_id, "metadata:InvoiceNumber": "AV-1",
              "metadata:DocumentType": "CreditNote", "metadata:TotalAmount": "12.30"}
    assert accepted(report(feeds, submit(feeds, credit, FR)))
    first, second = sim.vat_invoices()
    assert (first["documentType"], second["documentType"]) == ("Invoice", "CreditNote")
    assert second["orderId"] == order.order_id and second["shippingId"] == ship_id
    assert second["totalVatAmount"] is None and second["marketplaceId"] == FR


@pytest.mark.parametrize("case", ["unknown order", "other marketplace", "not a pdf", "bad amount",
                                  "bad vat amount", "missing keys", "document type", "unknown shipment",
                                  "not uploaded", "no order there"])
def test_rejections_name_the_problem(sim, case):
    feeds = client(sim, Feeds)
    de_order, fr_order = shipped(sim, DE), shipped(sim, FR)
    expect = {
        "unknown order": (options("302-0000000-0000000"), DE, PDF,
                          ("InvalidOrderId", "302-0000000-0000000", "does not exist")),
        "other marketplace": (options(fr_order), DE, PDF, ("InvalidOrderId", fr_order, FR, DE)),
        "not a pdf": (options(de_order), DE, b"<html>invoice</html>", ("InvoiceFileIsNotPDF", "not a PDF",
                                                                      de_order)),
        "bad amount": (options(de_order, total="119,00"), DE, PDF, ("InvalidAmount", "totalamount", "119,00")),
        "bad vat amount": (options(de_order, vat="n/a"), DE, PDF, ("InvalidAmount", "totalvatamount")),
        "missing keys": ({"metadata:orderid": de_order, "metadata:totalamount": "1.00"}, DE, PDF,
                         ("MissingRequestPreferences", "metadata:invoicenumber", "metadata:documenttype")),
        "document type": (options(de_order, kind="Receipt"), DE, PDF, ("InvalidDocumentType", "Receipt")),
        "unknown shipment": (options(de_order, shippingid="X404"), DE, PDF, ("InvalidOrderId", "X404")),
        "not uploaded": (options(de_order, kind="CreditNote"), DE, None, ("NoCreditNoteFileUpload", de_order)),
        "no order there": (options(de_order), IT, PDF, ("InvalidOrderId", de_order, "(IT)")),
    }[case]
    feed_options, marketplace, content, (code, *words) = expect
    if content is None:                          # createFeedDocument without the PUT
        doc_id = feeds.create_feed_document(None, "application/pdf").payload["feedDocumentId"]
        feed_id = feeds.create_feed("UPLOAD_VAT_INVOICE", doc_id, marketplaceIds=[marketplace],
                                    feedOptions=feed_options).payload["feedId"]
    else:
        feed_id = submit(feeds, feed_options, marketplace, content)
    rejected(report(feeds, feed_id), code, *words)
    assert sim.vat_invoices() == []


def test_duplicate_upload_and_duplicate_invoice_number(sim):
    feeds = client(sim, Feeds)
    first, other = shipped(sim, DE, 0), shipped(sim, DE, 1)
    first_feed = submit(feeds, options(first, "INV-7"))
    assert accepted(report(feeds, first_feed))
    again = submit(feeds, options(first, "INV-7", total="120.00"))
    message = rejected(report(feeds, again), "DuplicateInvoice", "INV-7", first, first_feed, "duplicate")
    assert "not applied" in message
    rejected(report(feeds, submit(feeds, options(other, "INV-7"))), "DuplicateInvoiceNumber",
             "INV-7", first, first_feed)
    rejected(report(feeds, submit(feeds, options(first, "INV-7", kind="CreditNote"))),
             "DuplicateInvoiceNumber", "INV-7", "Invoice of order " + first)
    assert accepted(report(feeds, submit(feeds, options(first, "CN-7", kind="CreditNote"))))
    assert [(r["invoiceNumber"], r["totalAmount"]) for r in sim.vat_invoices()] == [("INV-7", "119.00"),
                                                                                    ("CN-7", "119.00")]


def test_uploads_are_processed_in_submission_order_and_without_polling(sim):
    feeds = client(sim, Feeds)
    order_id = shipped(sim, UK)
    older = submit(feeds, options(order_id, "UK-1", total="10.00"), UK)
    newer = submit(feeds, options(order_id, "UK-1", total="11.00"), UK)
    rejected(report(feeds, newer), "DuplicateInvoice", older)      # polled first, still the second
    assert accepted(report(feeds, older))
    later = submit(feeds, options(order_id, "UK-2"), UK)
    sim.advance(minutes=2)                                            # DONE without any getFeed
    assert [r["feedId"] for r in sim.vat_invoices()] == [older, later]


def test_requests_amazon_refuses_outright_get_400(sim):
    feeds = client(sim, Feeds)
    order_id = shipped(sim, DE)
    bad = [([US], options(order_id), "exactly one marketplace"),
           ([DE, FR], options(order_id), "exactly one marketplace"),
           ([DE], None, "feedOptions are required"),
           ([DE], dict(options(order_id), **{"metadata:totalamount": 119.0}), "strings")]
    for marketplaces, feed_options, words in bad:
        doc_id = feeds.create_feed_document(io.BytesIO(PDF), "application/pdf").payload["feedDocumentId"]
        kwargs = {"feedOptions": feed_options} if feed_options is not None else {}
        with pytest.raises(SellingApiException) as err:
            feeds.create_feed("UPLOAD_VAT_INVOICE", doc_id, marketplaceIds=marketplaces, **kwargs)
        assert err.value.code == 400 and err.value.amzn_code == "InvalidInput"
        assert words in err.value.message
    assert sim.call_counts()["createFeed"] == 4 and sim.store.feeds == {}


def test_same_seed_same_answers():
    def run():
        simulator = make_sim(seed=8, orders=60, rate_limits=False)
        try:
            feeds = client(simulator, Feeds)
            order_id = shipped(simulator, DE)
            results = [report(feeds, submit(feeds, options(order_id, number), DE, content))
                       for number, content in (("A-1", PDF), ("A-1", PDF), ("A-2", b"nope"))]
            return results, simulator.vat_invoices()
        finally:
            simulator.stop()
    assert run() == run()
