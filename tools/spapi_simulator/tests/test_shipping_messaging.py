"""Buy Shipping (Shipping API v2), buyer messages (Messaging API v1) and review requests
(Solicitations API v1) through the real python-amazon-sp-api client."""

import base64

import pytest

pytest.importorskip("sp_api")

from sp_api.api import Messaging, Orders, Shipping, ShippingV2, Solicitations  # noqa: E402
from sp_api.base import Marketplaces, SellingApiException  # noqa: E402

from spapi_simulator.testing import client, http_json, make_sim  # noqa: E402

US, DE = "ATVPDKIKX0DER", "A1PA6795UKMFR9"
SHIP_FROM = {"name": "Warehouse", "addressLine1": "400 Pine St", "city": "Seattle",
             "stateOrRegion": "WA", "postalCode": "98101", "countryCode": "US"}
LABEL = {"format": "PDF", "size": {"width": 4, "length": 6, "unit": "INCH"},
         "pageLayout": "DEFAULT", "needFileJoining": False, "requestedDocumentTypes": ["LABEL"]}


@pytest.fixture()
def sim():
    """Merchant-fulfilled orders waiting to ship (US and DE)."""
    simulator = make_sim(seed=7, orders=20, rate_limits=False, profile="fbm2")
    yield simulator
    simulator.stop()


@pytest.fixture()
def mixed():
    """The default profile: FBA and FBM orders of every state, mostly past."""
    simulator = make_sim(seed=7, orders=60, rate_limits=False)
    yield simulator
    simulator.stop()


def _order(sim, status, channel="MERCHANT", marketplace=US):
    return next(o for o in sim.orders_summary(status)
                if o["fulfilledBy"] == channel and o["marketplaceId"] == marketplace)


def _rates_body(order_id, kg=1.2, items=()):
    return {"shipFrom": SHIP_FROM, "channelDetails": {
                "channelType": "AMAZON", "amazonOrderDetails": {"orderId": order_id}},
            "packages": [{"packageClientReferenceId": "P1",
                          "dimensions": {"length": 30, "width": 20, "height": 10, "unit": "CENTIMETER"},
                          "weight": {"value": kg, "unit": "KILOGRAM"},
                          "insuredValue": {"value": 20, "unit": "USD"},
                          "items": list(items) or [{"quantity": 1}]}]}


def _error(call):
    with pytest.raises(SellingApiException) as caught:
        call()
    return caught.value.code, caught.value.error[0]


def _rates_and_label(sim, api, order_id, fmt="PDF"):
    rates = api.get_rates(**_rates_body(order_id)).payload
    rate = next(r for r in rates["rates"] if r["carrierId"] == "UPS")
    bought = api.purchase_shipment(requestToken=rates["requestToken"], rateId=rate["rateId"],
                                   requestedDocumentSpecification=dict(LABEL, format=fmt)).payload
    return rate, bought


def test_rates_for_fbm_orders_and_refusals(sim, mixed):
    api = client(sim, ShippingV2, marketplace=Marketplaces.US)
    order = _order(sim, "UNSHIPPED")
    rates = api.get_rates(**_rates_body(order["orderId"])).payload
    names = [r["serviceName"] for r in rates["rates"]]
    assert names == ["USPS Ground Advantage", "UPS Ground", "UPS 2nd Day Air"]
    assert all(r["totalCharge"]["unit"] == "USD" and r["totalCharge"]["value"] > 0
               for r in rates["rates"])
    again = api.get_rates(**_rates_body(order["orderId"])).payload
    assert [r["totalCharge"] for r in again["rates"]] == [r["totalCharge"] for r in rates["rates"]]
    heavier = api.get_rates(**_rates_body(order["orderId"], kg=5)).payload["rates"]
    assert [r["totalCharge"]["value"] for r in heavier] > [r["totalCharge"]["value"] for r in rates["rates"]]
    # a 40 kg parcel is over the USPS limit: USPS is ineligible, with the reason
    heavy = api.get_rates(**_rates_body(order["orderId"], kg=40)).payload
    assert [r["carrierId"] for r in heavy["rates"]] == ["UPS", "UPS"]
    assert heavy["ineligibleRates"][0]["ineligibilityReasons"][0]["code"] == "WEIGHT_RESTRICTIONS"
    other = client(mixed, ShippingV2, marketplace=Marketplaces.US)
    fba = _order(mixed, "SHIPPED", "AMAZON")
    code, error = _error(lambda: other.get_rates(**_rates_body(fba["orderId"])))
    assert code == 400 and "fulfilled by Amazon" in error["message"]
    cancelled = next(o for o in mixed.orders_summary("CANCELLED") if o["fulfilledBy"] == "MERCHANT")
    assert "is cancelled" in _error(lambda: other.get_rates(**_rates_body(cancelled["orderId"])))[1]["message"]
    assert _error(lambda: api.get_rates(**_rates_body("111-0000000-0000000")))[1]["message"] \
        == "Order 111-0000000-0000000 not found."
    assert "greater than 0" in _error(lambda: api.get_rates(**_rates_body(order["orderId"], kg=0)))[1]["message"]
    sim.refuse_next_rates("Ship-from address not serviceable.")
    assert _error(lambda: api.get_rates(**_rates_body(order["orderId"])))[1]["message"] \
        == "Ship-from address not serviceable."
    assert api.get_rates(**_rates_body(order["orderId"])).payload["rates"]
    # the versioned Shipping class and a German order: German carriers, euros
    de = client(sim, Shipping, version="v2", marketplace=Marketplaces.DE)
    german = de.get_rates(**_rates_body(_order(sim, "UNSHIPPED", marketplace=DE)["orderId"])).payload
    assert {r["carrierName"] for r in german["rates"]} == {"DHL", "DPD", "Hermes"}
    assert german["rates"][0]["totalCharge"]["unit"] == "EUR"


def test_purchase_ships_the_order_and_cancel_unships_it(sim):
    api = client(sim, ShippingV2, marketplace=Marketplaces.US)
    orders = client(sim, Orders, marketplace=Marketplaces.US, version="2026-01-01")
    order = _order(sim, "UNSHIPPED")
    rate, bought = _rates_and_label(sim, api, order["orderId"])
    detail = bought["packageDocumentDetails"][0]
    label = base64.b64decode(detail["packageDocuments"][0]["contents"])
    assert label.startswith(b"%PDF") and detail["trackingId"].startswith("1Z")
    assert bought["promise"]["deliveryWindow"]["start"]
    assert sim.order_status(order["orderId"]) == "SHIPPED"
    shown = orders.get_order(order["orderId"], includedData=["PACKAGES"]).payload["order"]
    package = shown["packages"][0]
    assert (package["trackingNumber"], package["carrier"]) == (detail["trackingId"], "UPS")
    assert sim.purchased_shipments() == [{
        "shipmentId": bought["shipmentId"], "orderId": order["orderId"], "rateId": rate["rateId"],
        "carrierId": "UPS", "trackingId": detail["trackingId"], "cancelled": False}]
    again = api.get_shipment_documents(bought["shipmentId"], packageClientReferenceId="P1",
                                       format="PDF").payload
    assert again["packageDocumentDetail"]["trackingId"] == detail["trackingId"]
    # the order is shipped: no more rates for it
    assert "already shipped" in _error(lambda: api.get_rates(**_rates_body(order["orderId"])))[1]["message"]
    tracked = api.get_tracking(trackingId=detail["trackingId"], carrierId="UPS").payload
    assert tracked["summary"]["status"] == "PreTransit"
    # Amazon knows the shipment: a confirmShipment for the same units over-ships
    item = sim.scenario.by_id[order["orderId"]].items[0]
    status, _, answer = http_json(sim, "POST", "/orders/v0/orders/%s/shipmentConfirmation"
                                  % order["orderId"], sim.issue_token(), {
        "marketplaceId": US, "packageDetail": {
            "packageReferenceId": "2", "carrierCode": "UPS", "trackingNumber": detail["trackingId"],
            "shipDate": shown["packages"][0]["shipTime"],
            "orderItems": [{"orderItemId": item.item_id, "quantity": item.qty}]}})
    assert status == 400 and "exceeds the unshipped quantity 0" in answer["errors"][0]["message"]
    assert api.cancel_shipment(bought["shipmentId"]).payload == {}
    assert sim.order_status(order["orderId"]) == "UNSHIPPED"
    assert sim.purchased_shipments()[0]["cancelled"] is True
    assert _error(lambda: api.cancel_shipment(bought["shipmentId"]))[0] == 400
    assert _error(lambda: api.get_shipment_documents(
        bought["shipmentId"], packageClientReferenceId="P1"))[0] == 400
    assert api.get_tracking(trackingId=detail["trackingId"],
                            carrierId="UPS").payload["summary"]["status"] == "PickupCancelled"


def test_token_expiry_reuse_zpl_and_tracking_over_time(sim):
    api = client(sim, ShippingV2, marketplace=Marketplaces.US)
    first, second = [o["orderId"] for o in sim.orders_summary("UNSHIPPED")
                     if o["fulfilledBy"] == "MERCHANT" and o["marketplaceId"] == US][:2]
    rates = api.get_rates(**_rates_body(first)).payload
    sim.advance(minutes=11)
    code, error = _error(lambda: api.purchase_shipment(
        requestToken=rates["requestToken"], rateId=rates["rates"][0]["rateId"],
        requestedDocumentSpecification=LABEL))
    assert (code, error["code"]) == (400, "TOKEN_EXPIRED")
    _rate, bought = _rates_and_label(sim, api, second, fmt="ZPL")
    document = bought["packageDocumentDetails"][0]["packageDocuments"][0]
    assert document["format"] == "ZPL"
    assert base64.b64decode(document["contents"]).startswith(b"^XA")
    tracking = bought["packageDocumentDetails"][0]["trackingId"]
    sim.advance(hours=10)
    assert api.get_tracking(trackingId=tracking, carrierId="UPS").payload["summary"]["status"] == "InTransit"
    assert "picked up" in _error(lambda: api.cancel_shipment(bought["shipmentId"]))[1]["message"]
    sim.advance(days=4)
    tracked = api.get_tracking(trackingId=tracking, carrierId="UPS").payload
    assert tracked["summary"]["status"] == "Delivered"
    assert tracked["eventHistory"][-1]["eventCode"] == "Delivered"
    # a used token buys nothing more
    rates = api.get_rates(**_rates_body(first)).payload
    api.purchase_shipment(requestToken=rates["requestToken"], rateId=rates["rates"][0]["rateId"],
                          requestedDocumentSpecification=LABEL)
    assert "already used" in _error(lambda: api.purchase_shipment(
        requestToken=rates["requestToken"], rateId=rates["rates"][0]["rateId"],
        requestedDocumentSpecification=LABEL))[1]["message"]


def test_partial_label_then_confirm_shipment_for_the_rest(sim):
    api = client(sim, ShippingV2, marketplace=Marketplaces.US)
    order = next(sim.scenario.by_id[o["orderId"]] for o in sim.orders_summary("UNSHIPPED")
                 if o["marketplaceId"] == US and o["items"] > 1)
    first = order.items[0]
    rates = api.get_rates(**_rates_body(order.order_id, items=[
        {"itemIdentifier": first.item_id, "quantity": first.qty}])).payload
    api.purchase_shipment(requestToken=rates["requestToken"], rateId=rates["rates"][0]["rateId"],
                          requestedDocumentSpecification=LABEL)
    assert sim.order_status(order.order_id) == "PARTIALLY_SHIPPED"


def _messaging(sim, marketplace=Marketplaces.US):
    return client(sim, Messaging, marketplace=marketplace)


def _actions(answer):
    return sorted(a["name"] for a in answer["_links"]["actions"])


def test_messaging_actions_follow_the_order(sim, mixed):
    api = _messaging(sim)
    unshipped = _order(sim, "UNSHIPPED")["orderId"]
    answer = api.get_messaging_actions_for_order(unshipped).payload
    assert _actions(answer) == ["confirmCustomizationDetails", "confirmDeliveryDetails",
                                "confirmOrderDetails", "unexpectedProblem"]
    assert answer["_embedded"]["actions"][0]["_links"]["schema"]["href"].endswith("/schema")
    api.create_confirm_delivery_details(unshipped, body={"text": "Is the doorbell working?"})
    api.create_unexpected_problem(unshipped, body={"text": "A short delay, sorry."})
    api.confirm_customization_details(unshipped, body={"text": "Name spelt ANNA?"})
    api.create_confirm_order_details(unshipped, body={"text": "Blue, right?"})
    sent = sim.messages_sent(unshipped)
    assert [s[0] for s in sent] == ["confirmDeliveryDetails", "unexpectedProblem",
                                    "confirmCustomizationDetails", "confirmOrderDetails"]
    assert sent[0][1] == {"text": "Is the doorbell working?"}
    code, error = _error(lambda: api.create_warranty(unshipped, body={
        "coverageStartDate": "2026-06-01T00:00:00Z", "coverageEndDate": "2028-06-01T00:00:00Z"}))
    assert code == 403 and "not available" in error["message"]
    code, error = _error(lambda: api.create_unexpected_problem(unshipped, body={"text": "x" * 2001}))
    assert code == 400 and "2000" in error["message"]
    assert _error(lambda: api.get_messaging_actions_for_order(unshipped, marketplaceIds=[DE]))[0] == 400
    # once shipped (a Buy Shipping label): warranty, no more order details
    _rates_and_label(sim, client(sim, ShippingV2, marketplace=Marketplaces.US), unshipped)
    assert _actions(api.get_messaging_actions_for_order(unshipped).payload) == [
        "confirmDeliveryDetails", "unexpectedProblem", "warranty"]
    api.create_warranty(unshipped, body={"coverageStartDate": "2026-06-01T00:00:00Z",
                                         "coverageEndDate": "2028-06-01T00:00:00Z"})
    assert sim.messages_sent(unshipped)[-1][0] == "warranty"
    # cancelled orders, and orders delivered more than 30 days ago: nothing
    other = _messaging(mixed)
    cancelled = next(o["orderId"] for o in mixed.orders_summary("CANCELLED")
                     if o["marketplaceId"] == US)
    assert _actions(other.get_messaging_actions_for_order(cancelled).payload) == []
    old = next(o["orderId"] for o in mixed.orders_summary("SHIPPED") if o["marketplaceId"] == US)
    assert "warranty" in _actions(other.get_messaging_actions_for_order(old).payload)
    mixed.advance(days=40)
    assert _actions(other.get_messaging_actions_for_order(old).payload) == []


def test_review_request_window_and_once(sim):
    api = client(sim, Solicitations, marketplace=Marketplaces.US)
    ship = client(sim, ShippingV2, marketplace=Marketplaces.US)
    order_id = _order(sim, "UNSHIPPED")["orderId"]
    assert _actions(api.get_solicitation_actions_for_order(order_id).payload) == []
    _rates_and_label(sim, ship, order_id)
    code, error = _error(lambda: api.create_product_review_and_seller_feedback_solicitation(order_id))
    assert code == 403 and "5-30 day range" in error["message"]
    sim.advance(days=9)          # delivered ~3 days after the purchase, 5 days later
    assert _actions(api.get_solicitation_actions_for_order(order_id).payload) == [
        "productReviewAndSellerFeedback"]
    api.create_product_review_and_seller_feedback_solicitation(order_id)
    assert [s[0] for s in sim.solicitations_sent(order_id)] == ["productReviewAndSellerFeedback"]
    assert _actions(api.get_solicitation_actions_for_order(order_id).payload) == []
    code, error = _error(lambda: api.create_product_review_and_seller_feedback_solicitation(order_id))
    assert code == 403 and error["message"] == (
        "The requested solicitation is not available for this amazonOrderId.")
