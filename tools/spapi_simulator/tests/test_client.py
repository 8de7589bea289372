"""The real python-amazon-sp-api client, unmodified, against the simulator."""

import zlib
import io
import json
import time

import pytest

pytest.importorskip("sp_api")

from sp_api.api import Feeds, Finances, Inventories, Orders, Reports, Sellers  # noqa: E402
from sp_api.auth.exceptions import AuthorizationError  # noqa: E402
from sp_api.base import Marketplaces, SellingApiException  # noqa: E402

from spapi_simulator.clock import DAY  # noqa: E402
from spapi_simulator.testing import amount, client, make_sim, parse_settlement  # noqa: E402


@pytest.fixture(scope="module")
def sim():
    simulator = make_sim(seed=21, orders=160, rate_limits=False)
    yield simulator
    simulator.stop()


def test_lwa_failure_reaches_the_client(sim):
    with pytest.raises(AuthorizationError) as err:
        client(sim, Sellers, app_id="invalid-app").get_marketplace_participation()
    assert err.value.status_code == 401
    with pytest.raises(AuthorizationError):
        client(sim, Sellers, refresh_token="invalid-refresh").get_marketplace_participation()


def test_orders_search_get_and_confirm_shipment(sim):
    orders = client(sim, Orders, version="2026-01-01")
    res = orders.search_orders(lastUpdatedAfter="2020-01-01T00:00:00Z", maxResultsPerPage=10,
                               marketplaceIds=["ATVPDKIKX0DER", "A1PA6795UKMFR9", "A1VC38T7YXB528"],
                               fulfilledBy=["MERCHANT"], fulfillmentStatuses=["UNSHIPPED"],
                               includedData=["BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT"])
    found = res.payload["orders"]
    assert found and all(o["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED" for o in found)
    pages = 1
    while res.next_token:
        res = orders.search_orders(lastUpdatedAfter="2020-01-01T00:00:00Z", maxResultsPerPage=10,
                                   marketplaceIds=["ATVPDKIKX0DER", "A1PA6795UKMFR9", "A1VC38T7YXB528"],
                                   fulfilledBy=["MERCHANT"], fulfillmentStatuses=["UNSHIPPED"],
                                   paginationToken=res.next_token)
        found += res.payload["orders"]
        pages += 1
    assert len({o["orderId"] for o in found}) == len(found)
    target = next(o for o in found if o["orderItems"][0]["quantityOrdered"] >= 1)
    got = orders.get_order(target["orderId"], includedData=["PROCEEDS", "FULFILLMENT"]).payload["order"]
    assert got["orderId"] == target["orderId"] and "proceeds" in got
    v0 = client(sim, Orders)
    item = got["orderItems"][0]
    ship = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(sim.now() - 300))
    result = v0.confirm_shipment(target["orderId"], marketplaceId=got["salesChannel"]["marketplaceId"],
                                 packageDetail={"packageReferenceId": "1", "carrierCode": "UPS",
                                                "trackingNumber": "1Z42", "shipDate": ship,
                                                "orderItems": [{"orderItemId": item["orderItemId"],
                                                                "quantity": item["quantityOrdered"]}]})
    assert result.payload == {"status_code": 204}
    assert sim.order_status(target["orderId"]) in ("SHIPPED", "PARTIALLY_SHIPPED")
    with pytest.raises(SellingApiException) as err:                 # same item again: over-shipping
        v0.confirm_shipment(target["orderId"], marketplaceId=got["salesChannel"]["marketplaceId"],
                            packageDetail={"packageReferenceId": "2", "carrierCode": "UPS",
                                           "trackingNumber": "1Z43", "shipDate": ship,
                                           "orderItems": [{"orderItemId": item["orderItemId"], "quantity": 1}]})
    assert "exceeds" in str(err.value.message)
    counts = sim.call_counts()
    assert counts["searchOrders"] >= pages and counts["confirmShipment"] >= 2


def test_reports_order_report_listings_and_settlements(sim):
    reports = client(sim, Reports)
    report_id = reports.create_report(reportType="GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
                                      marketplaceIds=["ATVPDKIKX0DER"]).payload["reportId"]
    statuses = [reports.get_report(report_id).payload["processingStatus"] for _ in range(2)]
    assert statuses == ["IN_PROGRESS", "DONE"]
    doc_id = reports.get_report(report_id).payload["reportDocumentId"]
    meta = reports.get_report_document(doc_id).payload
    assert meta["compressionAlgorithm"] == "GZIP"
    text = reports.get_report_document(doc_id, download=True).payload["document"]
    rows = [line.split("\t") for line in text.strip().split("\n")]
    header = rows[0]
    assert header[0] == "amazon-order-id" and "sku" in header and len(rows) > 5
    assert {r[header.index("sales-channel")] for r in rows[1:]} == {"Amazon.com"}
    listing_id = reports.create_report(reportType="GET_MERCHANT_LISTINGS_ALL_DATA",
                                       marketplaceIds=["A1PA6795UKMFR9"]).payload["reportId"]
    sim.advance(minutes=2)                                             # DONE without polling
    listing = reports.get_report(listing_id).payload
    assert listing["processingStatus"] == "DONE"
    text = reports.get_report_document(listing["reportDocumentId"], download=True).payload["document"]
    skus = {line.split("\t")[3] for line in text.strip().split("\n")[1:]}
    assert skus == {c["sku"] for c in sim.catalogue()}
    with pytest.raises(SellingApiException):
        reports.create_report(reportType="GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2",
                              marketplaceIds=["ATVPDKIKX0DER"])
    settlements = reports.get_reports(reportTypes=["GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"],
                                      marketplaceIds=["A1PA6795UKMFR9"]).payload["reports"]
    assert len(settlements) >= 2 and all(r["processingStatus"] == "DONE" for r in settlements)
    for report in settlements:
        document = reports.get_report_document(report["reportDocumentId"], download=True).payload["document"]
        summary, lines = parse_settlement(document)
        assert summary["currency"] == "EUR"
        assert sum(amount(r["amount"]) for r in lines) == amount(summary["total-amount"])
    before = len(settlements)
    sim.advance(days=15)
    after = reports.get_reports(reportTypes=["GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"],
                                marketplaceIds=["A1PA6795UKMFR9"]).payload["reports"]
    assert len(after) == before + 1                                    # one more every 14 days


def test_truncated_document_fault(sim):
    reports = client(sim, Reports)
    report_id = reports.create_report(reportType="GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
                                      marketplaceIds=["ATVPDKIKX0DER"]).payload["reportId"]
    reports.get_report(report_id)
    doc_id = reports.get_report(report_id).payload["reportDocumentId"]
    sim.set_faults("truncate:#1")
    try:
        with pytest.raises((EOFError, OSError, zlib.error)):
            reports.get_report_document(doc_id, download=True)
        assert reports.get_report_document(doc_id, download=True).payload["document"]
    finally:
        sim.set_faults(None)


def test_empty_429_is_silent_in_the_client(sim):
    sellers = client(sim, Sellers)
    sim.set_faults("429empty:#1@getMarketplaceParticipations")
    try:
        res = sellers.get_marketplace_participation()
        assert res.payload == {} or res.payload is None or not res.payload
        assert sim.calls(operation="getMarketplaceParticipations")[-1]["status"] == 429
        assert len(sellers.get_marketplace_participation().payload) == 6
    finally:
        sim.set_faults(None)


def test_feeds_listings_quantity_update(sim):
    feeds = client(sim, Feeds)
    message = {"header": {"sellerId": "A2SIMSELLER0001", "version": "2.0"}, "messages": [
        {"messageId": 1, "sku": "SIM-GLV-180", "operationType": "PATCH", "productType": "PRODUCT",
         "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                      "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 77}]}]},
        {"messageId": 2, "sku": "NOT-A-SKU", "operationType": "PATCH", "productType": "PRODUCT",
         "patches": []}]}
    _, feed = feeds.submit_feed("JSON_LISTINGS_FEED", io.StringIO(json.dumps(message)),
                                content_type="application/json; charset=UTF-8",
                                marketplaceIds=["ATVPDKIKX0DER"])
    feed_id = feed.payload["feedId"]
    assert feeds.get_feed(feed_id).payload["processingStatus"] == "IN_PROGRESS"
    done = feeds.get_feed(feed_id).payload
    assert done["processingStatus"] == "DONE"
    result = json.loads(feeds.get_feed_result_document(done["resultFeedDocumentId"]))
    assert result["summary"]["messagesAccepted"] == 1 and result["summary"]["messagesInvalid"] == 1
    assert result["issues"][0]["messageId"] == 2
    assert sim.scenario.listing_quantity[("US", "SIM-GLV-180")] == 77


def test_inventory_and_finances(sim):
    inventories = client(sim, Inventories, marketplace=Marketplaces.DE)
    res = inventories.get_inventory_summary_marketplace(details=True)
    summaries = res.payload["inventorySummaries"]
    assert summaries and all(s["inventoryDetails"]["fulfillableQuantity"] >= 0 for s in summaries)
    fba_skus = {c["sku"] for c in sim.catalogue() if c["offers"]["DE"]["channel"] == "FBA"}
    assert {s["sellerSku"] for s in summaries} == fba_skus
    finances = client(sim, Finances, version="2024-06-19")
    after = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(sim.now() - 40 * DAY))
    res = finances.list_transactions(postedAfter=after)
    transactions = list(res.payload["transactions"])
    while res.payload.get("nextToken"):
        res = finances.list_transactions(nextToken=res.payload["nextToken"])
        transactions += res.payload["transactions"]
    assert len(transactions) > 100
    assert {t["transactionType"] for t in transactions} >= {"Shipment", "ServiceFee"}
    assert {t["transactionStatus"] for t in transactions} <= {"RELEASED", "DEFERRED"}
    with pytest.raises(SellingApiException):
        finances.list_transactions(postedBefore=after)
