"""Every implemented operation's answers validate against Amazon's official Swagger models in
../shared/amazon/sp-api-models (never copied into the repository).  Objects are checked
strictly: a property the model does not define fails the test."""

import copy
import json
import os
import re
import time

import pytest

from spapi_simulator.const import RATE_LIMITS
from spapi_simulator.sandbox import Sandbox
from spapi_simulator.testing import http, http_json, make_sim, models_dir

MODELS = models_dir()
pytestmark = pytest.mark.skipif(
    MODELS is None, reason="Amazon's SP-API models not found at <repo>/../shared/amazon/sp-api-models")
jsonschema = pytest.importorskip("jsonschema")

FILES = {
    "sellers": "sellers.json", "orders": "orders_2026-01-01.json", "v0": "ordersV0.json",
    "reports": "reports_2021-06-30.json", "feeds": "feeds_2021-06-30.json",
    "inventory": "fbaInventory.json", "finances": "finances_2024-06-19.json",
    "outbound": "fulfillmentOutbound_2020-07-01.json",
    "inbound": "fulfillmentInbound_2024-03-20.json",
    "shipping": "shippingV2.json", "messaging": "messaging.json",
    "solicitations": "solicitations.json", "transfers": "transfers_2024-06-01.json",
}
ALL = "BUYER,RECIPIENT,PROCEEDS,EXPENSE,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES,TAX,PAYMENT,FULFILLMENT_ORDERS"


def _strict(definitions):
    """Definitions with additionalProperties=false wherever the model lists properties (except
    for definitions combined through allOf, which must stay open)."""
    out = copy.deepcopy(definitions)
    in_all_of = set()
    for d in out.values():
        for part in d.get("allOf", []):
            if "$ref" in part:
                in_all_of.add(part["$ref"].split("/")[-1])

    def walk(node):
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node and "allOf" not in node:
                node["additionalProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    for name, d in out.items():
        if name not in in_all_of and "allOf" not in d:
            walk(d)
    return out


_DOCS = {}


def model(key):
    if key not in _DOCS:
        with open(os.path.join(MODELS, FILES[key]), encoding="utf-8") as handle:
            _DOCS[key] = json.load(handle)
    return _DOCS[key]


def response_schema(key, path, method, status):
    op = model(key)["paths"][path][method]
    return op["responses"][str(status)].get("schema")


def validate(key, path, method, status, body):
    """Validate a response body against the model's schema for (path, method, status)."""
    schema = response_schema(key, path, method, status)
    assert schema is not None, "no schema for %s %s %s" % (method, path, status)
    full = {"definitions": _strict(model(key)["definitions"])}
    full.update(schema)
    jsonschema.Draft4Validator(full).validate(body)
    _check_date_times(full, body)


def _check_date_times(schema, body):
    """Date-time strings are ISO-8601 (jsonschema does not check Swagger formats by itself)."""
    text = json.dumps(body)
    for value in re.findall(r'"(?:\w*(?:Time|Date|Before|After))": "([^"]*)"', text):
        assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$", value), value


@pytest.fixture(scope="module")
def sim():
    simulator = make_sim(seed=31, orders=250, rate_limits=False)
    simulator.advance(days=6)
    yield simulator
    simulator.stop()


@pytest.fixture(scope="module")
def token(sim):
    return sim.issue_token()


def test_rate_limit_table_matches_the_models():
    seen = {}
    for key in FILES:
        if key == "v0":
            doc = model(key)
            ops = {"confirmShipment": doc["paths"]["/orders/v0/orders/{orderId}/shipmentConfirmation"]["post"]}
        else:
            ops = {op["operationId"]: op for item in model(key)["paths"].values()
                   for op in item.values() if isinstance(op, dict) and "operationId" in op}
        for op_id, op in ops.items():
            found = re.search(r"\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|", op.get("description", ""))
            if op_id in RATE_LIMITS and found:
                seen[op_id] = (float(found.group(1)), int(found.group(2)))
    assert seen == {k: (float(v[0]), v[1]) for k, v in RATE_LIMITS.items() if k in seen}
    # the Fulfillment Inbound v0 operations Amazon keeps (its v0 model is not among the models)
    assert set(RATE_LIMITS) - set(seen) == {"getLabels", "getShipmentItemsByShipmentId"}


def test_search_orders_and_get_order_conform(sim, token):
    path = "/orders/2026-01-01/orders"
    statuses = set()
    for included in ("", ALL, "FULFILLMENT,PACKAGES"):
        query = "lastUpdatedAfter=2000-01-01T00:00:00Z&maxResultsPerPage=100" + \
            ("&includedData=" + included if included else "")
        while True:
            status, _, body = http_json(sim, "GET", path + "?" + query, token)
            assert status == 200
            validate("orders", path, "get", 200, body)
            statuses |= {o.get("fulfillment", {}).get("fulfillmentStatus") for o in body["orders"]}
            if "pagination" not in body:
                break
            query = query.split("&paginationToken")[0] + "&paginationToken=" + body["pagination"]["nextToken"]
    assert {"PENDING", "UNSHIPPED", "SHIPPED", "CANCELLED"} <= statuses
    for summary in sim.orders_summary()[::25]:
        status, _, body = http_json(sim, "GET", "%s/%s?includedData=%s" % (path, summary["orderId"], ALL), token)
        validate("orders", path + "/{orderId}", "get", 200, body)
    for query, code in (("createdAfter=bad", 400), ("", 400)):
        status, _, body = http_json(sim, "GET", path + "?" + query, token)
        assert status == code
        validate("orders", path, "get", code, body)
    status, _, body = http_json(sim, "GET", path + "/000-0000000-0000000", token)
    validate("orders", path + "/{orderId}", "get", 404, body)
    status, _, body = http_json(sim, "GET", path + "?createdAfter=2020-01-01T00:00:00Z", "forged")
    assert status == 403
    validate("orders", path, "get", 403, body)


def test_confirm_shipment_conforms(sim, token):
    path = "/orders/v0/orders/{orderId}/shipmentConfirmation"
    order = next(o for o in sim.orders_summary("UNSHIPPED") if o["fulfilledBy"] == "MERCHANT")
    full = http_json(sim, "GET", "/orders/2026-01-01/orders/%s" % order["orderId"], token)[2]["order"]
    body = {"marketplaceId": order["marketplaceId"], "packageDetail": {
        "packageReferenceId": "1", "carrierCode": "Other", "carrierName": "Courier",
        "trackingNumber": "T1", "shipDate": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(sim.now() - 60)),
        "orderItems": [{"orderItemId": i["orderItemId"], "quantity": 1} for i in full["orderItems"]]}}
    request_schema = {"definitions": model("v0")["definitions"],
                      "$ref": "#/definitions/ConfirmShipmentRequest"}
    jsonschema.Draft4Validator(request_schema).validate(body)
    status, _, raw = http(sim, "POST", path.format(orderId=order["orderId"]), token, body)
    assert status == 204 and raw == b""
    status, _, answer = http_json(sim, "POST", path.format(orderId=order["orderId"]), token, body)
    assert status == 400
    validate("v0", path, "post", 400, answer)
    status, _, answer = http_json(sim, "POST", path.format(orderId="999-9999999-9999999"), token, body)
    validate("v0", path, "post", 404, answer)


def test_sellers_inventory_finances_conform(sim, token):
    path = "/sellers/v1/marketplaceParticipations"
    validate("sellers", path, "get", 200, http_json(sim, "GET", path, token)[2])
    path = "/fba/inventory/v1/summaries"
    for mp in ("ATVPDKIKX0DER", "A1VC38T7YXB528"):
        for details in ("true", "false"):
            body = http_json(sim, "GET", "%s?granularityType=Marketplace&granularityId=%s&marketplaceIds=%s"
                             "&details=%s" % (path, mp, mp, details), token)[2]
            validate("inventory", path, "get", 200, body)
    status, _, body = http_json(sim, "GET", path + "?granularityType=Marketplace", token)
    assert status == 400
    validate("inventory", path, "get", 400, body)
    path = "/finances/2024-06-19/transactions"
    query = "?postedAfter=2000-01-01T00:00:00Z"
    pages = 0
    while True:
        status, _, body = http_json(sim, "GET", path + query, token)
        validate("finances", path, "get", 200, body)
        pages += 1
        if not body["payload"].get("nextToken"):
            break
        query = "?nextToken=" + body["payload"]["nextToken"]
    assert pages > 1
    status, _, body = http_json(sim, "GET", path, token)
    assert status == 400
    validate("finances", path, "get", 400, body)


def test_reports_conform(sim, token):
    base = "/reports/2021-06-30"
    status, _, created = http_json(sim, "POST", base + "/reports", token, {
        "reportType": "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL", "marketplaceIds": ["ATVPDKIKX0DER"]})
    assert status == 202
    validate("reports", base + "/reports", "post", 202, created)
    for _ in range(2):
        report = http_json(sim, "GET", base + "/reports/" + created["reportId"], token)[2]
        validate("reports", base + "/reports/{reportId}", "get", 200, report)
    status, _, listing = http_json(sim, "GET", base + "/reports?reportTypes=GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2,"
                                   "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL&pageSize=5", token)
    validate("reports", base + "/reports", "get", 200, listing)
    assert listing["nextToken"]
    document = http_json(sim, "GET", base + "/documents/" + report["reportDocumentId"], token)[2]
    validate("reports", base + "/documents/{reportDocumentId}", "get", 200, document)
    for bad in ({"reportType": "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2", "marketplaceIds": ["ATVPDKIKX0DER"]},
                {"reportType": "GET_NOTHING", "marketplaceIds": ["ATVPDKIKX0DER"]}, {}):
        status, _, body = http_json(sim, "POST", base + "/reports", token, bad)
        assert status == 400
        validate("reports", base + "/reports", "post", 400, body)
    status, _, body = http_json(sim, "GET", base + "/reports/nope", token)
    validate("reports", base + "/reports/{reportId}", "get", 404, body)


def _feed_round_trip(sim, token, content_type, content, spec):
    """createFeedDocument, PUT, createFeed (`spec` + the document id), getFeed twice and
    getFeedDocument of the result, each answer validated; the last getFeed answer."""
    base = "/feeds/2021-06-30"
    status, _, doc = http_json(sim, "POST", base + "/documents", token, {"contentType": content_type})
    assert status == 201
    validate("feeds", base + "/documents", "post", 201, doc)
    assert http(sim, "PUT", doc["url"][len(sim.url):], raw=content,
                headers={"Content-Type": content_type})[0] == 200
    spec = dict(spec, inputFeedDocumentId=doc["feedDocumentId"])
    request_schema = {"definitions": model("feeds")["definitions"],
                      "$ref": "#/definitions/CreateFeedSpecification"}
    jsonschema.Draft4Validator(request_schema).validate(spec)
    status, _, feed = http_json(sim, "POST", base + "/feeds", token, spec)
    assert status == 202
    validate("feeds", base + "/feeds", "post", 202, feed)
    for _ in range(2):
        state = http_json(sim, "GET", base + "/feeds/" + feed["feedId"], token)[2]
        validate("feeds", base + "/feeds/{feedId}", "get", 200, state)
    assert state["processingStatus"] == "DONE"
    result = http_json(sim, "GET", base + "/documents/" + state["resultFeedDocumentId"], token)[2]
    validate("feeds", base + "/documents/{feedDocumentId}", "get", 200, result)
    return state


def test_feeds_conform(sim, token):
    _feed_round_trip(sim, token, "application/json", b'{"header": {}, "messages": []}',
                     {"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": ["ATVPDKIKX0DER"]})
    status, _, body = http_json(sim, "POST", "/feeds/2021-06-30/feeds", token, {"feedType": "X"})
    validate("feeds", "/feeds/2021-06-30/feeds", "post", 400, body)


def test_vat_invoice_feed_conforms(sim, token):
    base = "/feeds/2021-06-30"
    order = next(o for o in sim.orders_summary("SHIPPED") if o["marketplaceId"] == "A1PA6795UKMFR9")
    spec = {"feedType": "UPLOAD_VAT_INVOICE", "marketplaceIds": ["A1PA6795UKMFR9"],
            "feedOptions": {"metadata:orderid": order["orderId"], "metadata:invoicenumber": "C-1",
                            "metadata:documenttype": "Invoice", "metadata:totalamount": "119.00",
                            "metadata:totalvatamount": "19.00"}}
    _feed_round_trip(sim, token, "application/pdf", b"%PDF-1.4\n%%EOF\n", spec)
    listing = http_json(sim, "GET", base + "/feeds?feedTypes=UPLOAD_VAT_INVOICE", token)[2]
    validate("feeds", base + "/feeds", "get", 200, listing)
    doc = http_json(sim, "POST", base + "/documents", token, {"contentType": "application/pdf"})[2]
    spec["inputFeedDocumentId"] = doc["feedDocumentId"]
    for change in ({"marketplaceIds": ["ATVPDKIKX0DER"]}, {"feedOptions": None},
                   {"feedOptions": dict(spec["feedOptions"], **{"metadata:totalamount": 119})}):
        status, _, answer = http_json(sim, "POST", base + "/feeds", token,
                                      {k: v for k, v in dict(spec, **change).items() if v is not None})
        assert status == 400
        validate("feeds", base + "/feeds", "post", 400, answer)


def test_rate_limited_answer_conforms():
    sim = make_sim(seed=2, orders=10, rate_limits=True)
    try:
        token = sim.issue_token()
        path = "/fba/inventory/v1/summaries?granularityType=Marketplace&granularityId=ATVPDKIKX0DER" \
               "&marketplaceIds=ATVPDKIKX0DER"
        answers = [http_json(sim, "GET", path, token) for _ in range(3)]
        status, headers, body = answers[-1]
        assert status == 429
        validate("inventory", "/fba/inventory/v1/summaries", "get", 429, body)
        assert all("x-amzn-RateLimit-Limit" in a[1] for a in answers)
    finally:
        sim.stop()


def test_sandbox_cases_served_verbatim():
    sandbox = Sandbox(MODELS)
    assert len(sandbox) > 50
    sim = make_sim(seed=2, orders=10, rate_limits=False, models_dir=MODELS)
    try:
        token = sim.issue_token()
        op = model("orders")["paths"]["/orders/2026-01-01/orders"]["get"]
        case = op["responses"]["200"]["x-amzn-api-sandbox"]["static"][0]
        params = case["request"]["parameters"]
        query = "&".join("%s=%s" % (k, ",".join(v["value"]) if isinstance(v["value"], list) else v["value"])
                         for k, v in params.items())
        status, _, body = http_json(sim, "GET", "/orders/2026-01-01/orders?" + query, token)
        assert status == 200 and body == case["response"]
        status, _, body = http_json(sim, "GET", "/orders/2026-01-01/orders/TEST_CASE_400", token)
        assert status == 400 and body == model("orders")["paths"]["/orders/2026-01-01/orders/{orderId}"]["get"][
            "responses"]["400"]["x-amzn-api-sandbox"]["static"][0]["response"]
        v0 = model("v0")["paths"]["/orders/v0/orders/{orderId}/shipmentConfirmation"]["post"]["responses"]
        case = v0["204"]["x-amzn-api-sandbox"]["static"][0]["request"]["parameters"]
        status, _, raw = http(sim, "POST", "/orders/v0/orders/%s/shipmentConfirmation" % case["orderId"]["value"],
                              token, case["body"]["value"])
        assert status == 204
        # catch-all cases (no parameters) do not mask the living scenario
        status, _, body = http_json(sim, "GET", "/sellers/v1/marketplaceParticipations", token)
        assert len(body["payload"]) == 6
        assert [c["sandbox"] for c in sim.calls()][-4:] == [True, True, True, False]
    finally:
        sim.stop()


def test_fulfillment_outbound_conforms(sim, token):
    base = "/fba/outbound/2020-07-01/fulfillmentOrders"
    sku = next(c["sku"] for c in sim.catalogue() if c["offers"]["DE"]["channel"] == "FBA")
    body = {"marketplaceId": "A1PA6795UKMFR9", "sellerFulfillmentOrderId": "CONF-1",
            "displayableOrderId": "CONF-1", "displayableOrderDate": "2026-05-28T18:00:00Z",
            "displayableOrderComment": "Danke", "shippingSpeedCategory": "Expedited",
            "destinationAddress": {"name": "Erika Mustermann", "addressLine1": "Hauptstr. 1",
                                   "city": "Berlin", "postalCode": "10115", "countryCode": "DE"},
            "notificationEmails": ["erika@example.com"],
            "items": [{"sellerSku": sku, "sellerFulfillmentOrderItemId": "1", "quantity": 1,
                       "perUnitDeclaredValue": {"currencyCode": "EUR", "value": "9.99"}}]}
    status, _h, answer = http_json(sim, "POST", base, token, body)
    assert status == 200
    validate("outbound", base, "post", 200, answer)
    for moment in (0, 3 * 3600, 9 * 3600):
        sim.advance(seconds=moment)
        status, _h, answer = http_json(sim, "GET", base + "/CONF-1", token)
        assert status == 200
        validate("outbound", base + "/{sellerFulfillmentOrderId}", "get", 200, answer)
        status, _h, answer = http_json(sim, "GET", base, token)
        validate("outbound", base, "get", 200, answer)
    status, _h, answer = http_json(sim, "PUT", base + "/CONF-1/cancel", token)
    assert status == 400
    validate("outbound", base + "/{sellerFulfillmentOrderId}/cancel", "put", 400, answer)


def test_buy_shipping_messaging_and_solicitations_conform():
    sim = make_sim(seed=7, orders=10, rate_limits=False, profile="fbm2")
    try:
        token = sim.issue_token()
        order = next(o for o in sim.orders_summary("UNSHIPPED") if o["marketplaceId"] == "ATVPDKIKX0DER")
        base = "/shipping/v2/shipments"
        body = {"shipFrom": {"name": "W", "addressLine1": "1 Main St", "city": "Seattle",
                             "stateOrRegion": "WA", "postalCode": "98101", "countryCode": "US"},
                "channelDetails": {"channelType": "AMAZON",
                                   "amazonOrderDetails": {"orderId": order["orderId"]}},
                "packages": [{"packageClientReferenceId": "P1", "insuredValue": {"value": 1, "unit": "USD"},
                              "dimensions": {"length": 10, "width": 10, "height": 10, "unit": "INCH"},
                              "weight": {"value": 80, "unit": "POUND"}, "items": [{"quantity": 1}]}]}
        status, _, rates = http_json(sim, "POST", base + "/rates", token, body)
        assert status == 200 and rates["payload"]["ineligibleRates"]
        validate("shipping", base + "/rates", "post", 200, rates)
        spec = {"format": "PDF", "size": {"width": 4, "length": 6, "unit": "INCH"},
                "needFileJoining": False, "requestedDocumentTypes": ["LABEL"]}
        status, _, bought = http_json(sim, "POST", base, token, {
            "requestToken": rates["payload"]["requestToken"],
            "rateId": rates["payload"]["rates"][0]["rateId"], "requestedDocumentSpecification": spec})
        assert status == 200
        validate("shipping", base, "post", 200, bought)
        shipment = bought["payload"]["shipmentId"]
        tracking = bought["payload"]["packageDocumentDetails"][0]["trackingId"]
        path = "/shipping/v2/shipments/{shipmentId}/documents"
        answer = http_json(sim, "GET", "%s/%s/documents?packageClientReferenceId=P1" % (base, shipment), token)
        validate("shipping", path, "get", 200, answer[2])
        carrier = rates["payload"]["rates"][0]["carrierId"]
        answer = http_json(sim, "GET", "/shipping/v2/tracking?trackingId=%s&carrierId=%s"
                           % (tracking, carrier), token)
        validate("shipping", "/shipping/v2/tracking", "get", 200, answer[2])
        answer = http_json(sim, "PUT", "%s/%s/cancel" % (base, shipment), token)
        validate("shipping", "/shipping/v2/shipments/{shipmentId}/cancel", "put", 200, answer[2])
        answer = http_json(sim, "PUT", "%s/%s/cancel" % (base, shipment), token)
        assert answer[0] == 400
        validate("shipping", "/shipping/v2/shipments/{shipmentId}/cancel", "put", 400, answer[2])
        query = "?marketplaceIds=ATVPDKIKX0DER"
        path = "/messaging/v1/orders/%s" % order["orderId"]
        answer = http_json(sim, "GET", path + query, token)
        assert answer[2]["_links"]["actions"]
        validate("messaging", "/messaging/v1/orders/{amazonOrderId}", "get", 200, answer[2])
        answer = http_json(sim, "POST", path + "/messages/confirmDeliveryDetails" + query, token,
                           {"text": "Hello"})
        assert answer[0] == 201
        validate("messaging", "/messaging/v1/orders/{amazonOrderId}/messages/confirmDeliveryDetails",
                 "post", 201, answer[2])
        answer = http_json(sim, "POST", path + "/messages/warranty" + query, token, {})
        assert answer[0] == 403
        validate("messaging", "/messaging/v1/orders/{amazonOrderId}/messages/warranty", "post", 403,
                 answer[2])
        path = "/solicitations/v1/orders/%s" % order["orderId"]
        answer = http_json(sim, "GET", path + query, token)
        validate("solicitations", "/solicitations/v1/orders/{amazonOrderId}", "get", 200, answer[2])
        answer = http_json(sim, "POST", path + "/solicitations/productReviewAndSellerFeedback" + query,
                           token)
        assert answer[0] == 403
        validate("solicitations", "/solicitations/v1/orders/{amazonOrderId}/solicitations/"
                 "productReviewAndSellerFeedback", "post", 403, answer[2])
    finally:
        sim.stop()


def test_summary_balances_payouts_and_cancellation_request_conform():
    sim = make_sim(seed=9, orders=120, rate_limits=False, settlements={"negative": [1]})
    try:
        token = sim.issue_token()
        path = "/finances/2024-06-19/summary"
        sid = sim.settlements()[0]["settlementId"]
        sim.set_summary_difference(sid, "1.00")
        for query in ("", "?marketplaceIds=A1PA6795UKMFR9&periodStart=2026-05-01&periodEnd=2026-05-20",
                      "?relatedIdentifierName=SETTLEMENT_ID&relatedIdentifierValue=" + sid):
            status, _, body = http_json(sim, "GET", path + query, token)
            assert status == 200 and body["summaries"]
            validate("finances", path, "get", 200, body)
        status, _, body = http_json(sim, "GET", path + "?relatedIdentifierName=ORDER_ID&relatedIdentifierValue=1", token)
        assert status == 400
        validate("finances", path, "get", 400, body)
        path = "/finances/2024-06-19/balances"
        for query in ("", "?balanceType=RESERVED", "?balanceType=AVAILABLE&marketplaceIds=ATVPDKIKX0DER",
                      "?asOfDate=2026-05-20"):
            status, _, body = http_json(sim, "GET", path + query, token)
            assert status == 200 and body["balances"]
            validate("finances", path, "get", 200, body)
        status, _, body = http_json(sim, "GET", path + "?balanceType=X", token)
        assert status == 400
        validate("finances", path, "get", 400, body)
        path = "/finances/transfers/2024-06-01/payouts"
        from spapi_simulator import settlement as settle
        end = settle.period_bounds(sim.scenario, settle.period_of(sim.scenario, sim.now()))[1]
        sim.advance(seconds=end + settle.READY_AFTER + 7 * 3600 - sim.now())   # IN_TRANSIT now
        in_transit = [p for p in sim.payouts() if p["currentStatus"] == "IN_TRANSIT"]
        assert in_transit
        sim.fail_payout(in_transit[0]["id"])
        query, statuses = "", set()
        while True:
            status, _, body = http_json(sim, "GET", path + query, token)
            assert status == 200
            validate("transfers", path, "get", 200, body)
            statuses |= {p["currentStatus"] for p in body["payouts"]}
            if not body.get("nextToken"):
                break
            query = "?nextToken=" + body["nextToken"]
        assert {"PAID", "IN_TRANSIT", "FAILED", "NO_PAYOUT"} <= statuses
        status, _, body = http_json(sim, "GET", path + "?marketplaceIds=NOPE", token)
        assert status == 400
        validate("transfers", path, "get", 400, body)
        order = next(o for o in sim.orders_summary("UNSHIPPED") if o["fulfilledBy"] == "MERCHANT")
        sim.request_cancellation(order["orderId"], "Found it cheaper elsewhere")
        path = "/orders/2026-01-01/orders/{orderId}"
        status, _, body = http_json(sim, "GET", path.format(orderId=order["orderId"]) + "?includedData=" + ALL, token)
        assert body["order"]["orderItems"][0]["cancellation"]["cancellationRequest"]["requester"] == "BUYER"
        validate("orders", path, "get", 200, body)
    finally:
        sim.stop()
