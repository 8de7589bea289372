"""Sending stock to FBA through the real python-amazon-sp-api client: the Fulfillment Inbound
API 2024-03-20 (plan, packing, boxes, placement with fees, shipments, transportation,
operation status), the v0 getLabels (a PDF) and getShipmentItemsByShipmentId (receipts), the
test hooks, the FBA stock and the settlement rows; getFulfillmentPreview of Fulfillment
Outbound."""

import pytest

pytest.importorskip("sp_api")

from sp_api.api import FulfillmentInbound, FulfillmentOutbound, Inventories  # noqa: E402
from sp_api.base import Marketplaces, SellingApiException  # noqa: E402

from spapi_simulator.testing import client, http, make_sim, parse_settlement  # noqa: E402

US = "ATVPDKIKX0DER"
PLANS = "/inbound/fba/2024-03-20/inboundPlans"
ADDRESS = {"name": "Warehouse", "addressLine1": "400 Pine St", "city": "Seattle",
           "stateOrProvinceCode": "WA", "postalCode": "98101", "countryCode": "US",
           "phoneNumber": "2065550199"}


@pytest.fixture()
def sim():
    simulator = make_sim(seed=7, orders=20, rate_limits=False)
    simulator.add_products(US, ["IN-MUG", "IN-TEA"], fba_quantity=5)
    yield simulator
    simulator.stop()


def call(api, verb, path, body=None, **params):
    return api._request(PLANS + path, params=dict(params, method=verb), data=dict(body or {}),
                        add_marketplace=False).payload


def status(api, operation_id):
    return api.get_inbound_operation_status(operation_id).payload


def plan_through_placement(sim, api, items=(("IN-MUG", 30), ("IN-TEA", 12))):
    answer = call(api, "POST", "", {
        "name": "Restock", "destinationMarketplaces": [US], "sourceAddress": ADDRESS,
        "items": [{"msku": sku, "quantity": q, "prepOwner": "SELLER", "labelOwner": "SELLER"}
                  for sku, q in items]})
    plan = answer["inboundPlanId"]
    assert status(api, answer["operationId"])["operationStatus"] == "SUCCESS"
    call(api, "POST", f"/{plan}/packingOptions")
    option = call(api, "GET", f"/{plan}/packingOptions")["packingOptions"][0]
    assert option["status"] == "OFFERED" and option["fees"][0]["value"]["code"] == "USD"
    call(api, "POST", f"/{plan}/packingOptions/{option['packingOptionId']}/confirmation")
    group = option["packingGroups"][0]
    items_of_group = call(api, "GET", f"/{plan}/packingGroups/{group}/items")["items"]
    boxes = [{"contentInformationSource": "BOX_CONTENT_PROVIDED", "quantity": 1,
              "dimensions": {"unitOfMeasurement": "CM", "length": 40, "width": 30, "height": 30},
              "weight": {"unit": "KG", "value": 12},
              "items": [{"msku": i["msku"], "quantity": i["quantity"], "prepOwner": "SELLER",
                         "labelOwner": "SELLER"} for i in items_of_group]}]
    op = call(api, "POST", f"/{plan}/packingInformation",
              {"packageGroupings": [{"packingGroupId": group, "boxes": boxes}]})["operationId"]
    assert status(api, op)["operationStatus"] == "SUCCESS"
    call(api, "POST", f"/{plan}/placementOptions", {})
    return plan, call(api, "GET", f"/{plan}/placementOptions")["placementOptions"]


def test_plan_to_received_stock_and_fees(sim):
    api = client(sim, FulfillmentInbound, marketplace=Marketplaces.US, version="2024-03-20")
    plan, options = plan_through_placement(sim, api)
    assert len(options) == 2
    single = min(options, key=lambda o: len(o["shipmentIds"]))
    assert single["fees"][0]["value"] == {"amount": 12.6, "code": "USD"}, "42 units x $0.30"
    call(api, "POST", f"/{plan}/placementOptions/{single['placementOptionId']}/confirmation")
    shipment_id = single["shipmentIds"][0]
    shipment = call(api, "GET", f"/{plan}/shipments/{shipment_id}")
    assert shipment["status"] == "WORKING" and shipment["shipmentConfirmationId"].startswith("FBA")
    fba_id = shipment["shipmentConfirmationId"]
    items = call(api, "GET", f"/{plan}/shipments/{shipment_id}/items")["items"]
    assert sorted((i["msku"], i["quantity"]) for i in items) == [("IN-MUG", 30), ("IN-TEA", 12)]
    call(api, "POST", f"/{plan}/transportationOptions", {
        "placementOptionId": single["placementOptionId"],
        "shipmentTransportationConfigurations": [
            {"shipmentId": shipment_id, "readyToShipWindow": {"start": "2026-12-08T00:00:00Z"}}]})
    transport = call(api, "GET", f"/{plan}/transportationOptions",
                     placementOptionId=single["placementOptionId"],
                     shipmentId=shipment_id)["transportationOptions"]
    partnered = next(o for o in transport if o["shippingSolution"] == "AMAZON_PARTNERED_CARRIER")
    assert partnered["quote"]["cost"]["code"] == "USD"
    call(api, "POST", f"/{plan}/transportationOptions/confirmation", {"transportationSelections": [
        {"shipmentId": shipment_id, "transportationOptionId": partnered["transportationOptionId"]}]})
    assert call(api, "GET", f"/{plan}/shipments/{shipment_id}")["status"] == "READY_TO_SHIP"

    v0 = client(sim, FulfillmentInbound, marketplace=Marketplaces.US, version="v0")
    url = v0.get_labels(fba_id, PageType="PackageLabel_Plain_Paper", LabelType="UNIQUE",
                        NumberOfPackages=2).payload["DownloadURL"]
    status_code, _headers, pdf = http(sim, "GET", url[len(sim.url):])
    assert status_code == 200 and pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page ") == 2

    inventory = client(sim, Inventories, marketplace=Marketplaces.US)

    def fulfillable():
        rows = inventory.get_inventory_summary_marketplace(
            details=True, marketplaceIds=[US], sellerSkus=["IN-MUG"]).payload["inventorySummaries"]
        return rows[0]["inventoryDetails"]["fulfillableQuantity"]

    before = fulfillable()
    sim.ship_inbound_shipment(fba_id)
    assert call(api, "GET", f"/{plan}/shipments/{shipment_id}")["status"] == "IN_TRANSIT"
    sim.receive_inbound_shipment(fba_id, {"IN-MUG": 20, "IN-TEA": 0}, close=False)
    received = v0.shipment_items_by_shipment(fba_id, MarketplaceId=US).payload["ItemData"]
    assert {(i["SellerSKU"], i["QuantityShipped"], i["QuantityReceived"]) for i in received} == {
        ("IN-MUG", 30, 20), ("IN-TEA", 12, 0)}
    assert fulfillable() == before + 20
    sim.receive_inbound_shipment(fba_id, {"IN-MUG": 29, "IN-TEA": 12})
    assert call(api, "GET", f"/{plan}/shipments/{shipment_id}")["status"] == "CLOSED"
    assert fulfillable() == before + 29, "the missing unit never arrives"

    sim.advance(days=16)
    from spapi_simulator import settlement as settle
    k = settle.period_of(sim.scenario, sim.inbound_plan(plan).fees[0][0])
    summary, rows = parse_settlement(settle.render(sim.store.settlement("US", k)))
    mine = [(r["transaction-type"], r["amount-description"], r["amount"]) for r in rows
            if r["order-id"] == fba_id]
    assert mine[0] == ("other-transaction", "FBA Inbound Placement Service Fee", "-12.60")
    assert mine[1][1] == "FBAInboundTransportationFee" and float(mine[1][2]) < 0
    total = sum(round(float(r["amount"]) * 100) for r in rows if r["amount"])
    assert total == round(float(summary["total-amount"]) * 100)


def test_refusals(sim):
    api = client(sim, FulfillmentInbound, marketplace=Marketplaces.US, version="2024-03-20")
    answer = call(api, "POST", "", {"destinationMarketplaces": [US], "sourceAddress": ADDRESS,
                                    "items": [{"msku": "NOPE", "quantity": 2, "prepOwner": "SELLER",
                                               "labelOwner": "SELLER"}]})
    failed = status(api, answer["operationId"])
    assert failed["operationStatus"] == "FAILED" and "NOPE" in failed["operationProblems"][0]["message"]
    with pytest.raises(SellingApiException):
        call(api, "POST", "", {"destinationMarketplaces": [US], "items": []})
    plan = call(api, "POST", "", {"destinationMarketplaces": [US], "sourceAddress": ADDRESS,
                                  "items": [{"msku": "IN-MUG", "quantity": 2, "prepOwner": "SELLER",
                                             "labelOwner": "SELLER"}]})["inboundPlanId"]
    op = call(api, "POST", f"/{plan}/placementOptions", {})["operationId"]
    refused = status(api, op)
    assert refused["operationStatus"] == "FAILED" and "packing information" in \
        refused["operationProblems"][0]["message"]


def test_fulfillment_preview(sim):
    api = client(sim, FulfillmentOutbound, marketplace=Marketplaces.US)
    address = {"name": "Jane", "addressLine1": "1 Main St", "city": "Seattle",
               "stateOrRegion": "WA", "postalCode": "98101", "countryCode": "US"}
    previews = api.get_fulfillment_preview(marketplaceId=US, address=address, items=[
        {"sellerSku": "IN-MUG", "quantity": 2, "sellerFulfillmentOrderItemId": "1"}]
    ).payload["fulfillmentPreviews"]
    assert [p["shippingSpeedCategory"] for p in previews] == ["Standard", "Expedited", "Priority"]
    assert all(p["isFulfillable"] for p in previews)
    fees = [float(p["estimatedFees"][0]["amount"]["value"]) for p in previews]
    assert fees[0] > 0 and fees[0] < fees[1] < fees[2]
    short = api.get_fulfillment_preview(marketplaceId=US, address=address, items=[
        {"sellerSku": "IN-MUG", "quantity": 99, "sellerFulfillmentOrderItemId": "1"}],
        shippingSpeedCategories=["Standard"]).payload["fulfillmentPreviews"][0]
    assert not short["isFulfillable"]
    assert short["unfulfillablePreviewItems"][0]["itemUnfulfillableReasons"] == ["InventoryUnavailable"]
