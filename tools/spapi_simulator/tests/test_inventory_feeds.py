"""FBA stock over simulated time (orders, inbound shipments) and the JSON_LISTINGS_FEED that
sets merchant-fulfilled quantities, through HTTP like the connector uses them."""

import json

import pytest

from spapi_simulator.testing import START, http, http_json, make_sim

US = "ATVPDKIKX0DER"
DE = "A1PA6795UKMFR9"


@pytest.fixture()
def sim():
    simulator = make_sim(seed=3, orders=40, rate_limits=False)
    yield simulator
    simulator.stop()


@pytest.fixture()
def token(sim):
    return sim.issue_token()


def summaries(sim, token, marketplace_id=US):
    """{sku: inventory summary} of every page of getInventorySummaries, with details."""
    path = ("/fba/inventory/v1/summaries?granularityType=Marketplace&details=true"
            f"&granularityId={marketplace_id}&marketplaceIds={marketplace_id}")
    out, next_token = {}, None
    while True:
        status, _, body = http_json(sim, "GET", path + (f"&nextToken={next_token}" if next_token
                                                        else ""), token)
        assert status == 200, body
        out.update({s["sellerSku"]: s for s in body["payload"]["inventorySummaries"]})
        next_token = (body.get("pagination") or {}).get("nextToken")
        if not next_token:
            return out


def send_listings_feed(sim, token, messages, marketplace_ids=(US,), raw=None):
    """createFeedDocument, upload, createFeed, then getFeed twice: (feed, processing report)."""
    _, _, document = http_json(sim, "POST", "/feeds/2021-06-30/documents", token,
                               {"contentType": "application/json; charset=UTF-8"})
    content = raw if raw is not None else json.dumps(
        {"header": {"sellerId": "A2SIMSELLER0001", "version": "2.0"},
         "messages": messages}).encode()
    status, _, _ = http(sim, "PUT", document["url"][len(sim.url):], raw=content,
                        headers={"Content-Type": "application/json"})
    assert status == 200
    _, _, created = http_json(sim, "POST", "/feeds/2021-06-30/feeds", token, {
        "feedType": "JSON_LISTINGS_FEED", "marketplaceIds": list(marketplace_ids),
        "inputFeedDocumentId": document["feedDocumentId"]})
    feed_path = f"/feeds/2021-06-30/feeds/{created['feedId']}"
    http_json(sim, "GET", feed_path, token)
    _, _, feed = http_json(sim, "GET", feed_path, token)
    _, _, result = http_json(sim, "GET", "/feeds/2021-06-30/documents/"
                             + feed["resultFeedDocumentId"], token)
    _, _, report = http(sim, "GET", result["url"][len(sim.url):])
    return feed, json.loads(report)


def quantity_patch(message_id, sku, quantity):
    return {"messageId": message_id, "sku": sku, "operationType": "PATCH",
            "productType": "PRODUCT",
            "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                         "value": [{"fulfillment_channel_code": "DEFAULT",
                                    "quantity": quantity}]}]}


def test_inbound_shipment_becomes_fulfillable_once_received(sim, token):
    sku = next(iter(summaries(sim, token)))
    before = summaries(sim, token)[sku]["inventoryDetails"]
    status, _, answer = http_json(sim, "POST", "/_simulator/inbound", body={
        "marketplaceId": US, "sku": sku, "quantity": 12, "shipInHours": 2, "transitHours": 24})
    assert status == 200, answer
    working = summaries(sim, token)[sku]["inventoryDetails"]
    assert working["inboundWorkingQuantity"] == before["inboundWorkingQuantity"] + 12
    sim.advance(hours=3)
    shipped = summaries(sim, token)[sku]["inventoryDetails"]
    assert shipped["inboundWorkingQuantity"] == before["inboundWorkingQuantity"]
    assert shipped["inboundShippedQuantity"] >= 12
    sim.advance(hours=24)
    receiving = summaries(sim, token)[sku]["inventoryDetails"]
    assert receiving["inboundReceivingQuantity"] >= 12
    sim.advance(hours=6)
    received = summaries(sim, token)[sku]["inventoryDetails"]
    shipped_orders = sum(
        item.qty for order in sim.scenario.orders if order.channel == "FBA"
        and order.market.id == US for item in order.items if item.sku == sku
        and order.status(START)[0] != "SHIPPED" and order.status(sim.now())[0] == "SHIPPED")
    seeded = sum(s.quantity for s in sim.scenario.inbound if s.code == "US" and s.sku == sku
                 and s.stage(START) != "received" and s.stage(sim.now()) == "received")
    assert received["fulfillableQuantity"] + received["reservedQuantity"]["totalReservedQuantity"] \
        == before["fulfillableQuantity"] + before["reservedQuantity"]["totalReservedQuantity"] \
        + seeded - shipped_orders


def test_an_inbound_shipment_needs_an_fba_offer(sim):
    status, _, _answer = http_json(sim, "POST", "/_simulator/inbound", body={
        "marketplaceId": US, "sku": "NOT-A-SKU", "quantity": 3})
    assert status == 400


def test_added_products_are_served_on_pages_of_fifty(sim, token):
    skus = [f"BULK-{n:04d}" for n in range(120)]
    status, _, _ = http_json(sim, "POST", "/_simulator/products", body={
        "marketplaceId": DE, "skus": skus, "fbaQuantity": 4, "fbmQuantity": 9})
    assert status == 200
    sim.reset_calls()
    served = summaries(sim, token, DE)
    assert set(skus) <= set(served)
    assert served["BULK-0042"]["inventoryDetails"]["fulfillableQuantity"] == 4
    assert sim.call_counts()["getInventorySummaries"] == 3  # 120 + the catalogue's FBA SKUs
    assert sim.listing_quantities(DE)["BULK-0042"] == 9


def test_listings_feed_sets_quantities_and_reports_each_invalid_message(sim, token):
    feed, report = send_listings_feed(sim, token, [
        quantity_patch(1, "SIM-MUG-001", 7),
        quantity_patch(2, "NOT-A-SKU", 3),
        quantity_patch(3, "SIM-TEA-010", -1),
        quantity_patch(4, "SIM-KNF-020", 2.5),
        quantity_patch(5, "SIM-BRD-030", 0),
    ])
    assert feed["processingStatus"] == "DONE"
    assert report["summary"] == {"errors": 3, "warnings": 0, "messagesProcessed": 5,
                                 "messagesAccepted": 2, "messagesInvalid": 3}
    issues = {issue["messageId"]: issue for issue in report["issues"]}
    assert sorted(issues) == [2, 3, 4]
    assert issues[2]["code"] == "18000" and "NOT-A-SKU" in issues[2]["message"]
    assert issues[3]["code"] == "90220" and issues[3]["severity"] == "ERROR"
    assert "2.5" in issues[4]["message"]
    status, _, listings = http_json(sim, "GET", f"/_simulator/listings?marketplaceId={US}")
    assert status == 200
    assert listings["quantities"]["SIM-MUG-001"] == 7
    assert listings["quantities"]["SIM-BRD-030"] == 0
    assert "NOT-A-SKU" not in listings["quantities"]


def test_a_feed_that_is_no_listings_feed_is_fatal(sim, token):
    feed, report = send_listings_feed(sim, token, None, raw=b"not json")
    assert feed["processingStatus"] == "FATAL"
    assert report["issues"][0]["code"] == "InvalidJSON"


def test_rejected_listings_feeds_change_nothing(sim, token):
    before = sim.listing_quantities(US)["SIM-MUG-001"]
    status, _, _ = http_json(sim, "POST", "/_simulator/feeds/reject", body={"count": 1})
    assert status == 200
    feed, _report = send_listings_feed(sim, token, [quantity_patch(1, "SIM-MUG-001", before + 5)])
    assert feed["processingStatus"] == "FATAL"
    assert sim.listing_quantities(US)["SIM-MUG-001"] == before
    feed, _report = send_listings_feed(sim, token, [quantity_patch(1, "SIM-MUG-001", before + 5)])
    assert feed["processingStatus"] == "DONE"
    assert sim.listing_quantities(US)["SIM-MUG-001"] == before + 5
