"""Multi-Channel Fulfilment through the real python-amazon-sp-api client: the Fulfillment
Outbound API 2020-07-01 (create, get, update, cancel, list), the status over simulated time,
the test helpers, the FBA stock and the settlement rows."""

import re

import pytest

pytest.importorskip("sp_api")

from sp_api.api import FulfillmentOutbound, Inventories  # noqa: E402
from sp_api.base import Marketplaces, SellingApiException  # noqa: E402

from spapi_simulator import mcf  # noqa: E402
from spapi_simulator.testing import client, http_json, make_sim, parse_settlement  # noqa: E402

US = "ATVPDKIKX0DER"
DE = "A1PA6795UKMFR9"


@pytest.fixture()
def sim():
    simulator = make_sim(seed=7, orders=20, rate_limits=False)
    yield simulator
    simulator.stop()


@pytest.fixture()
def api(sim):
    return client(sim, FulfillmentOutbound, marketplace=Marketplaces.US)


def fba_sku(sim, code="US"):
    return next(c["sku"] for c in sim.catalogue() if c["offers"][code]["channel"] == "FBA")


def body(sim, order_id="SHOP-1001", qty=2, sku=None, **extra):
    out = {"marketplaceId": US, "sellerFulfillmentOrderId": order_id,
           "displayableOrderId": order_id, "displayableOrderDate": "2026-05-28T18:00:00Z",
           "displayableOrderComment": "Thank you for your order",
           "shippingSpeedCategory": "Standard",
           "destinationAddress": {"name": "Jane Doe", "addressLine1": "1 Main St",
                                  "city": "Seattle", "stateOrRegion": "WA",
                                  "postalCode": "98101", "countryCode": "US",
                                  "phone": "+12065550100"},
           "notificationEmails": ["jane@example.com"],
           "items": [{"sellerSku": sku or fba_sku(sim), "sellerFulfillmentOrderItemId": "L1",
                      "quantity": qty,
                      "perUnitDeclaredValue": {"currencyCode": "USD", "value": "12.50"}}]}
    out.update(extra)
    return out


def error_of(call):
    with pytest.raises(SellingApiException) as info:
        call()
    return info.value.code, info.value.error


def fulfillable(sim, sku, mp=US):
    return next(r["fulfillable"] for r in sim.scenario.inventory(
        {US: "US", DE: "DE"}[mp], sim.now()) if r["sku"] == sku)


def test_create_get_over_time_and_shipped(sim, api):
    res = api.create_fulfillment_order(**body(sim))
    assert res.payload == {} or res.payload is None
    order = api.get_fulfillment_order("SHOP-1001").payload
    head = order["fulfillmentOrder"]
    assert head["fulfillmentOrderStatus"] == "Received"
    assert head["marketplaceId"] == US and head["fulfillmentAction"] == "Ship"
    assert head["fulfillmentPolicy"] == "FillOrKill"
    assert head["destinationAddress"]["city"] == "Seattle"
    assert order["fulfillmentOrderItems"][0]["quantity"] == 2
    assert order["fulfillmentShipments"] == [] and order["returnItems"] == []
    sim.advance(minutes=6)
    assert api.get_fulfillment_order("SHOP-1001").payload["fulfillmentOrder"][
        "fulfillmentOrderStatus"] == "Planning"
    sim.advance(hours=2)
    order = api.get_fulfillment_order("SHOP-1001").payload
    assert order["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Processing"
    assert order["fulfillmentShipments"][0]["fulfillmentShipmentStatus"] == "PENDING"
    assert "fulfillmentShipmentPackage" not in order["fulfillmentShipments"][0]
    sim.advance(hours=6)
    order = api.get_fulfillment_order("SHOP-1001").payload
    assert order["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Complete"
    (shipment,) = order["fulfillmentShipments"]
    assert shipment["fulfillmentShipmentStatus"] == "SHIPPED"
    assert re.fullmatch(r"D[A-Za-z0-9]{8}", shipment["amazonShipmentId"])
    assert shipment["fulfillmentCenterId"] == "PHX7"
    assert shipment["fulfillmentShipmentItem"] == [
        {"sellerSku": fba_sku(sim), "sellerFulfillmentOrderItemId": "L1", "quantity": 2,
         "packageNumber": 1}]
    (package,) = shipment["fulfillmentShipmentPackage"]
    assert package["carrierCode"] == "USPS" and re.fullmatch(r"9202\d{18}", package["trackingNumber"])


def test_ship_helper_and_partial_and_unfulfillable(sim, api):
    api.create_fulfillment_order(**body(sim, "SHOP-2"))
    assert sim.ship_fulfillment_order("SHOP-2", carrier="UPS",
                                      tracking_number="1Z999AA10123456784") == "Complete"
    order = api.get_fulfillment_order("SHOP-2").payload
    package = order["fulfillmentShipments"][0]["fulfillmentShipmentPackage"][0]
    assert (package["carrierCode"], package["trackingNumber"]) == ("UPS", "1Z999AA10123456784")
    api.create_fulfillment_order(**body(sim, "SHOP-3", qty=3))
    assert sim.ship_fulfillment_order("SHOP-3", quantities={"L1": 1}) == "CompletePartialled"
    item = api.get_fulfillment_order("SHOP-3").payload["fulfillmentOrderItems"][0]
    assert (item["quantity"], item["unfulfillableQuantity"]) == (3, 2)
    api.create_fulfillment_order(**body(sim, "SHOP-4"))
    status, _h, answer = http_json(sim, "POST", "/_simulator/fulfillment_orders/SHOP-4/unfulfillable")
    assert status == 200 and answer["status"] == "Unfulfillable"
    order = api.get_fulfillment_order("SHOP-4").payload
    assert order["fulfillmentOrder"]["fulfillmentOrderStatus"] == "Unfulfillable"
    assert order["fulfillmentOrderItems"][0]["unfulfillableQuantity"] == 2
    sim.advance(days=1)   # nothing moves on after a final status
    assert api.get_fulfillment_order("SHOP-4").payload["fulfillmentOrder"][
        "fulfillmentOrderStatus"] == "Unfulfillable"


def test_cancel_rules(sim, api):
    api.create_fulfillment_order(**body(sim, "C-1"))
    assert api.cancel_fulfillment_order("C-1").payload in ({}, None)
    head = api.get_fulfillment_order("C-1").payload["fulfillmentOrder"]
    assert head["fulfillmentOrderStatus"] == "Cancelled"
    assert api.get_fulfillment_order("C-1").payload["fulfillmentOrderItems"][0]["cancelledQuantity"] == 2
    sim.advance(hours=9)
    assert api.get_fulfillment_order("C-1").payload["fulfillmentOrder"][
        "fulfillmentOrderStatus"] == "Cancelled"
    api.create_fulfillment_order(**body(sim, "C-2"))
    sim.advance(minutes=10)
    api.cancel_fulfillment_order("C-2")   # Planning: still allowed
    api.create_fulfillment_order(**body(sim, "C-3"))
    sim.advance(hours=3)
    assert error_of(lambda: api.cancel_fulfillment_order("C-3")) == (400, [
        {"code": "InvalidInput", "message": "Fulfillment order C-3 is Processing and can no "
                                            "longer be cancelled.", "details": ""}])
    sim.advance(hours=6)
    assert error_of(lambda: api.cancel_fulfillment_order("C-3"))[1][0]["message"] == (
        "Fulfillment order C-3 is Complete and can no longer be cancelled.")
    assert error_of(lambda: api.get_fulfillment_order("NOPE")) == (400, [
        {"code": "InvalidInput", "message": "Requested order not found", "details": ""}])


def test_hold_until_updated_with_ship(sim, api):
    api.create_fulfillment_order(**body(sim, "H-1", fulfillmentAction="Hold"))
    sim.advance(days=2)
    head = api.get_fulfillment_order("H-1").payload["fulfillmentOrder"]
    assert (head["fulfillmentOrderStatus"], head["fulfillmentAction"]) == ("Received", "Hold")
    api.update_fulfillment_order("H-1", fulfillmentAction="Ship")
    sim.advance(hours=8, minutes=1)
    assert api.get_fulfillment_order("H-1").payload["fulfillmentOrder"][
        "fulfillmentOrderStatus"] == "Complete"
    api.create_fulfillment_order(**body(sim, "H-2", fulfillmentAction="Hold"))
    sim.advance(days=14)
    assert api.get_fulfillment_order("H-2").payload["fulfillmentOrder"][
        "fulfillmentOrderStatus"] == "Cancelled"


def test_validation_errors(sim, api):
    def refused(payload):
        code, errors = error_of(lambda: api.create_fulfillment_order(**payload))
        assert code == 400 and len(errors) == 1 and errors[0]["code"] == "InvalidInput"
        return errors[0]["message"]
    sku = fba_sku(sim)
    fbm = next(c["sku"] for c in sim.catalogue() if c["offers"]["US"]["channel"] == "FBM")
    bad = body(sim)
    del bad["shippingSpeedCategory"]
    assert refused(bad) == "Missing required field: shippingSpeedCategory."
    assert refused(body(sim, shippingSpeedCategory="Overnight")) == (
        "Invalid shippingSpeedCategory: Overnight.")
    assert refused(body(sim, "X" * 41)) == "sellerFulfillmentOrderId must be at most 40 characters."
    address = dict(body(sim)["destinationAddress"], postalCode="")
    assert refused(body(sim, destinationAddress=address)) == (
        "Missing required field: destinationAddress.postalCode.")
    assert refused(body(sim, sku=fbm)) == "the SellerSKU for Item Id: L1 is invalid."
    assert refused(body(sim, sku="NO-SUCH-SKU")) == "the SellerSKU for Item Id: L1 is invalid."
    assert refused(body(sim, qty=0)) == "quantity for Item Id: L1 must be a whole number >= 1."
    have = fulfillable(sim, sku)
    assert refused(body(sim, qty=have + 1)) == (
        "Insufficient fulfillable inventory for SellerSKU %s: %d units requested, %d fulfillable."
        % (sku, have + 1, have))
    assert refused(body(sim, shippingSpeedCategory="ScheduledDelivery")) == (
        "ScheduledDelivery is only available in the JP marketplace.")
    api.create_fulfillment_order(**body(sim, "DUP-1"))
    assert refused(body(sim, "DUP-1")) == (
        "A fulfillment order with sellerFulfillmentOrderId DUP-1 already exists.")
    assert [c["status"] for c in sim.calls("createFulfillmentOrder")].count(200) == 1


def test_paging_and_query_start_date(sim, api):
    for n in range(7):
        api.create_fulfillment_order(**body(sim, "P-%d" % n, qty=1))
        sim.advance(minutes=1)
    first = api.list_all_fulfillment_orders().payload
    assert len(first["fulfillmentOrders"]) == mcf.PAGE_SIZE == 5 and first["nextToken"]
    second = api.list_all_fulfillment_orders(nextToken=first["nextToken"]).payload
    assert "nextToken" not in second
    ids = [o["sellerFulfillmentOrderId"] for o in first["fulfillmentOrders"] + second["fulfillmentOrders"]]
    assert sorted(ids) == ["P-%d" % n for n in range(7)]
    since = sim.now() + 1
    sim.advance(minutes=1)
    api.cancel_fulfillment_order("P-6")
    from spapi_simulator.clock import iso
    page = api.list_all_fulfillment_orders(queryStartDate=iso(since)).payload
    # P-3 reached Planning within that minute (5 minutes after its creation), P-6 was cancelled
    assert [(o["sellerFulfillmentOrderId"], o["fulfillmentOrderStatus"])
            for o in page["fulfillmentOrders"]] == [("P-3", "Planning"), ("P-6", "Cancelled")]
    assert error_of(lambda: api.list_all_fulfillment_orders(nextToken="bogus"))[0] == 400


def test_stock_reserved_gone_and_back(sim, api):
    sku = fba_sku(sim)
    inventory = client(sim, Inventories, marketplace=Marketplaces.US)

    def details():
        rows = inventory.get_inventory_summary_marketplace(
            details=True, marketplaceIds=[US], sellerSkus=[sku]).payload["inventorySummaries"]
        d = rows[0]["inventoryDetails"]
        return d["fulfillableQuantity"], d["reservedQuantity"]["totalReservedQuantity"]
    free, held = details()
    api.create_fulfillment_order(**body(sim, "S-1", qty=3))
    api.create_fulfillment_order(**body(sim, "S-2", qty=2))
    assert details() == (free - 5, held + 5)
    api.cancel_fulfillment_order("S-2")
    assert details() == (free - 3, held + 3)
    sim.ship_fulfillment_order("S-1")
    assert details() == (free - 3, held)


def test_settlement_rows_of_shipped_orders():
    sim = make_sim(seed=7, orders=20, rate_limits=False)
    try:
        api = client(sim, FulfillmentOutbound, marketplace=Marketplaces.US)
        api.create_fulfillment_order(**body(sim, "SHOP-77", qty=2))
        sim.ship_fulfillment_order("SHOP-77")
        amazon_id = sim.scenario.fulfillment_orders["SHOP-77"].amazon_order_id
        sim.advance(days=15)
        from spapi_simulator import settlement as settle
        k = settle.period_of(sim.scenario, sim.scenario.fulfillment_orders["SHOP-77"].ship_time())
        _summary, rows = parse_settlement(settle.render(sim.store.settlement("US", k)))
        mine = [r for r in rows if r["merchant-order-id"] == "SHOP-77"]
        assert re.fullmatch(r"S01-\d{7}-\d{7}", amazon_id)
        assert {r["order-id"] for r in mine} == {amazon_id}
        assert {r["marketplace-name"] for r in mine} == {"Non-Amazon US"}
        assert [(r["transaction-type"], r["amount-type"], r["amount-description"]) for r in mine] == [
            ("Order", "ItemPrice", "Principal"), ("Order", "ItemFees", "FBAPerUnitFulfillmentFee"),
            ("Order", "Shipment-Fees", "FBA transportation fee")]
        assert float(mine[0]["amount"]) == 0 and float(mine[1]["amount"]) < 0 and float(mine[2]["amount"]) < 0
        assert mine[0]["merchant-order-item-id"] == "L1" and mine[0]["quantity-purchased"] == "2"
    finally:
        sim.stop()
