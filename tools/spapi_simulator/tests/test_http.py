"""The simulator over HTTP: LWA, access tokens, searchOrders semantics, incremental sync,
rate limits, faults, the call log and the control API."""

import json
import subprocess
import sys
import os
import time
import urllib.error
import urllib.request

import pytest

from spapi_simulator.clock import DAY, parse_iso
from spapi_simulator.testing import START, http, http_json, make_sim

ALL = "BUYER,RECIPIENT,PROCEEDS,EXPENSE,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES,TAX"


@pytest.fixture
def sim():
    simulator = make_sim(seed=5, orders=150, rate_limits=False)
    yield simulator
    simulator.stop()


def _search(sim, token, query):
    """All orders of a searchOrders query, following nextToken; also the last cutoff."""
    out, cutoff, token_q = [], None, ""
    while True:
        status, headers, body = http_json(sim, "GET", "/orders/2026-01-01/orders?" + query + token_q, token)
        assert status == 200, body
        out.extend(body["orders"])
        cutoff = body.get("lastUpdatedBefore") or body.get("createdBefore")
        nxt = body.get("pagination", {}).get("nextToken")
        if not nxt:
            return out, cutoff
        token_q = "&paginationToken=" + nxt


def _form(**fields):
    return "&".join("%s=%s" % kv for kv in fields.items()).encode()


def test_lwa_token_and_invalid_credentials(sim):
    good = dict(grant_type="refresh_token", refresh_token="Atzr|ok", client_id="app", client_secret="s")
    status, _, body = http(sim, "POST", "/auth/o2/token", raw=_form(**good),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    answer = json.loads(body)
    assert status == 200 and answer["token_type"] == "bearer" and answer["expires_in"] == 3600
    assert answer["refresh_token"] == "Atzr|ok" and answer["access_token"]
    status, _, body = http(sim, "POST", "/auth/o2/token", raw=_form(**dict(good, client_id="invalid-app")))
    assert status == 401 and json.loads(body)["error"] == "invalid_client"
    status, _, body = http(sim, "POST", "/auth/o2/token", raw=_form(**dict(good, refresh_token="invalid-rt")))
    assert status == 400 and json.loads(body)["error"] == "invalid_grant"
    status, _, body = http(sim, "POST", "/auth/o2/token", raw=_form(grant_type="password", client_id="a",
                                                                     client_secret="b"))
    assert status == 400 and json.loads(body)["error"] == "unsupported_grant_type"
    # the issued token opens the API, anything else is refused with Amazon's 403 body
    ok = http(sim, "GET", "/sellers/v1/marketplaceParticipations", answer["access_token"])
    assert ok[0] == 200
    for token in (None, "Atza|forged"):
        status, headers, body = http_json(sim, "GET", "/sellers/v1/marketplaceParticipations", token)
        assert status == 403 and body["errors"][0]["code"] == "Unauthorized"
        assert headers["x-amzn-RateLimit-Limit"] == "0.016"
    assert [c["operation"] for c in sim.calls()][:4] == ["lwaToken"] * 4


def test_search_orders_pagination_and_filters(sim):
    token = sim.issue_token()
    everything, cutoff = _search(sim, token, "lastUpdatedAfter=2000-01-01T00:00:00Z&maxResultsPerPage=7")
    visible = sim.orders_summary()
    assert len(everything) == len(visible) > 7
    assert len({o["orderId"] for o in everything}) == len(everything)
    assert abs(parse_iso(cutoff) - sim.now()) < 5
    fbm, _ = _search(sim, token, "lastUpdatedAfter=2000-01-01T00:00:00Z&fulfilledBy=MERCHANT"
                                 "&fulfillmentStatuses=UNSHIPPED,PARTIALLY_SHIPPED&includedData=FULFILLMENT")
    expected = {o["orderId"] for o in visible if o["fulfilledBy"] == "MERCHANT" and o["status"] == "UNSHIPPED"}
    assert {o["orderId"] for o in fbm} == expected and expected
    assert all(o["fulfillment"]["fulfilledBy"] == "MERCHANT" for o in fbm)
    de, _ = _search(sim, token, "createdAfter=2000-01-01T00:00:00Z&marketplaceIds=A1PA6795UKMFR9")
    assert de and {o["salesChannel"]["marketplaceId"] for o in de} == {"A1PA6795UKMFR9"}
    # without includedData only the core of an order comes back
    assert "buyer" not in everything[0] and "proceeds" not in everything[0]
    created_before = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(START - 10 * DAY))
    old, cut = _search(sim, token, "createdAfter=2000-01-01T00:00:00Z&createdBefore=" + created_before)
    assert old and all(parse_iso(o["createdTime"]) <= START - 10 * DAY for o in old)
    assert cut == created_before


def test_search_orders_rejects_what_amazon_rejects(sim):
    token = sim.issue_token()
    bad = [
        "",                                                              # neither after
        "createdAfter=2020-01-01T00:00:00Z&lastUpdatedAfter=2020-01-01T00:00:00Z",
        "createdAfter=2020-01-01T00:00:00Z&lastUpdatedBefore=2020-02-01T00:00:00Z",
        "lastUpdatedAfter=yesterday",
        "lastUpdatedAfter=2020-01-01T00:00:00Z&maxResultsPerPage=101",
        "lastUpdatedAfter=2020-01-01T00:00:00Z&fulfillmentStatuses=LOST",
        "lastUpdatedAfter=2020-01-01T00:00:00Z&includedData=EVERYTHING",
        "lastUpdatedAfter=2020-01-01T00:00:00Z&lastUpdatedBefore=" +
        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(sim.now())),   # not 2 minutes old
        "lastUpdatedAfter=2020-01-01T00:00:00Z&paginationToken=nonsense",
    ]
    for query in bad:
        status, headers, body = http_json(sim, "GET", "/orders/2026-01-01/orders?" + query, token)
        assert status == 400 and body["errors"][0]["code"] == "InvalidInput", query
    status, _, body = http_json(sim, "GET", "/orders/2026-01-01/orders?lastUpdatedAfter=2020-01-01T00:00:00Z"
                                            "&maxResultsPerPage=5&fulfilledBy=AMAZON", token)
    nxt = body["pagination"]["nextToken"]
    status, _, body = http_json(sim, "GET", "/orders/2026-01-01/orders?lastUpdatedAfter=2020-01-01T00:00:00Z"
                                            "&fulfilledBy=MERCHANT&paginationToken=" + nxt, token)
    assert status == 400                                                # filters changed mid-way
    status, _, body = http_json(sim, "GET", "/orders/2026-01-01/orders/123-4567890-1234567", token)
    assert status == 404 and body["errors"][0]["code"] == "NotFound"


def test_incremental_sync_sees_every_change_once(sim):
    token = sim.issue_token()
    seen = {}
    orders, cutoff = _search(sim, token, "lastUpdatedAfter=2000-01-01T00:00:00Z&includedData=FULFILLMENT")
    for o in orders:
        seen[o["orderId"]] = (o["lastUpdatedTime"], o["fulfillment"]["fulfillmentStatus"])
    unshipped = next(o for o in orders if o["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
                     and o["fulfillment"]["fulfilledBy"] == "MERCHANT")
    full = http_json(sim, "GET", "/orders/2026-01-01/orders/%s?includedData=FULFILLMENT" % unshipped["orderId"],
                     token)[2]["order"]
    sim.advance(seconds=5)
    body = {"marketplaceId": full["salesChannel"]["marketplaceId"], "packageDetail": {
        "packageReferenceId": "1", "carrierCode": "DHL", "trackingNumber": "JD0001",
        "shipDate": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(sim.now() - 60)),
        "orderItems": [{"orderItemId": i["orderItemId"], "quantity": i["quantityOrdered"]}
                       for i in full["orderItems"]]}}
    status, _, _ = http(sim, "POST", "/orders/v0/orders/%s/shipmentConfirmation" % full["orderId"], token, body)
    assert status == 204
    sim.advance(days=3)
    changed, cutoff2 = _search(sim, token, "lastUpdatedAfter=%s&includedData=FULFILLMENT" % cutoff)
    by_id = {o["orderId"]: o for o in changed}
    assert by_id[full["orderId"]]["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    truth = {o["orderId"]: o for o in sim.orders_summary()}
    for order_id, info in truth.items():
        if seen.get(order_id, (None,))[0] != info["lastUpdatedTime"]:
            assert order_id in by_id, "change of %s missed" % order_id      # nothing missed
    assert any(order_id not in seen for order_id in by_id)                 # new orders arrived
    assert all(parse_iso(o["lastUpdatedTime"]) >= parse_iso(cutoff) for o in changed)
    assert parse_iso(cutoff2) > parse_iso(cutoff)


def test_rate_limits_token_bucket_and_headers():
    sim = make_sim(seed=1, orders=20, rate_limits=True)
    try:
        token = sim.issue_token()
        path = "/fba/inventory/v1/summaries?granularityType=Marketplace&granularityId=ATVPDKIKX0DER" \
               "&marketplaceIds=ATVPDKIKX0DER"
        statuses = [http(sim, "GET", path, token)[0] for _ in range(3)]
        assert statuses[:2] == [200, 200] and statuses[2] == 429
        status, headers, body = http_json(sim, "GET", path, token)
        assert status == 429 and body["errors"][0]["code"] == "QuotaExceeded"
        assert headers["x-amzn-RateLimit-Limit"] == "2"
        sim.advance(seconds=0.5)                       # 2 tokens per second: one more call
        assert http(sim, "GET", path, token)[0] == 200
        assert http(sim, "GET", path, token)[0] == 429
        search = "/orders/2026-01-01/orders?lastUpdatedAfter=2020-01-01T00:00:00Z&maxResultsPerPage=1"
        results = [http(sim, "GET", search, token)[0] for _ in range(21)]
        assert results.count(200) == 20 and results[-1] == 429          # burst 20
        sim.set_rate_limits(False)
        assert all(http(sim, "GET", path, token)[0] == 200 for _ in range(5))
        assert sim.call_counts()["getInventorySummaries"] == 11
    finally:
        sim.stop()


def test_faults_on_demand(sim):
    token = sim.issue_token()
    path = "/sellers/v1/marketplaceParticipations"
    sim.set_faults("429:#1@getMarketplaceParticipations,429empty:#1,500:#1,503:#1,malformed:#1")
    status, _, body = http(sim, "GET", path, token)
    assert status == 429 and json.loads(body)["errors"][0]["code"] == "QuotaExceeded"
    status, _, body = http(sim, "GET", path, token)
    assert status == 429 and body == b""
    assert http(sim, "GET", path, token)[0] == 500
    assert http(sim, "GET", path, token)[0] == 503
    status, _, body = http(sim, "GET", path, token)
    assert status == 200
    with pytest.raises(ValueError):
        json.loads(body)
    assert http(sim, "GET", path, token)[0] == 200                      # all rules used up
    sim.set_faults("drop:#1")
    with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):
        http(sim, "GET", path, token)
    sim.set_faults("slow=1.5:#1")
    with pytest.raises((urllib.error.URLError, TimeoutError, OSError)):
        http(sim, "GET", path, token, timeout=0.5)
    sim.set_faults("500:%2@getMarketplaceParticipations")
    assert [http(sim, "GET", path, token)[0] for _ in range(4)] == [200, 500, 200, 500]
    faults = [c["fault"] for c in sim.calls(operation="getMarketplaceParticipations") if c["fault"]]
    assert faults[:5] == ["429", "429empty", "500", "503", "malformed"]
    with pytest.raises(ValueError):
        sim.set_faults("explode:0.5")
    status, _, body = http_json(sim, "POST", "/_simulator/faults", body={"spec": "500:2"})
    assert status == 400


def test_faults_probability_is_seeded():
    def draws(seed):
        s = make_sim(seed=seed, orders=5, rate_limits=False, faults="500:0.3")
        try:
            token = s.issue_token()
            return [http(s, "GET", "/sellers/v1/marketplaceParticipations", token)[0] for _ in range(30)]
        finally:
            s.stop()
    first, again = draws(9), draws(9)
    assert first == again and 500 in first and 200 in first


def test_call_log_and_control_api(sim):
    token = sim.issue_token()
    http(sim, "GET", "/orders/2026-01-01/orders?lastUpdatedAfter=2020-01-01T00:00:00Z", token)
    http(sim, "GET", "/orders/2026-01-01/orders?lastUpdatedAfter=2020-01-01T00:00:00Z", token)
    status, _, body = http_json(sim, "GET", "/_simulator/calls?operation=searchOrders")
    assert status == 200 and len(body["calls"]) == 2 and body["counts"]["searchOrders"] == 2
    call = body["calls"][0]
    assert call["method"] == "GET" and call["status"] == 200
    assert call["params"]["lastUpdatedAfter"] == "2020-01-01T00:00:00Z"
    assert http_json(sim, "POST", "/_simulator/calls/reset")[2]["reset"] == 2
    assert sim.calls() == []
    before = sim.now()
    status, _, body = http_json(sim, "POST", "/_simulator/advance", body={"days": 2})
    assert status == 200 and body["nowEpoch"] - before >= 2 * DAY
    health = http_json(sim, "GET", "/_simulator/health")[2]
    assert health["status"] == "ok" and health["orders"] == 150
    catalogue = http_json(sim, "GET", "/_simulator/catalogue")[2]["catalogue"]
    assert len(catalogue) == 20 and catalogue == sim.catalogue()
    assert {"US", "CA", "DE", "FR", "UK", "JP"} == set(catalogue[0]["offers"])
    victim = next(o for o in sim.orders_summary("UNSHIPPED"))
    status, _, body = http_json(sim, "POST", "/_simulator/orders/%s/cancel" % victim["orderId"])
    assert status == 200 and body["status"] == "CANCELLED"
    assert http_json(sim, "POST", "/_simulator/orders/%s/cancel" % victim["orderId"])[0] == 400
    settlements = http_json(sim, "GET", "/_simulator/settlements")[2]["settlements"]
    assert len(settlements) >= 6
    assert sim.calls() == []                                           # control calls are not logged


def test_orders_file_replay(tmp_path):
    raw = {"orderId": "902-0000001-0000001", "createdTime": "2026-05-20T10:00:00Z",
           "lastUpdatedTime": "2026-05-20T11:00:00Z",
           "salesChannel": {"channelName": "AMAZON", "marketplaceId": "A1F83G8C2ARO7P"},
           "fulfillment": {"fulfillmentStatus": "UNSHIPPED", "fulfilledBy": "MERCHANT"},
           "orderItems": [{"orderItemId": "111", "quantityOrdered": 2,
                           "product": {"sellerSku": "SIM-MUG-001",
                                       "price": {"unitPrice": {"amount": "9.50", "currencyCode": "GBP"}}},
                           "proceeds": {"proceedsTotal": {"amount": "19.00", "currencyCode": "GBP"},
                                        "breakdowns": [{"type": "ITEM", "subtotal": {"amount": "19.00",
                                                                                     "currencyCode": "GBP"}}]}}]}
    path = tmp_path / "orders.json"
    path.write_text(json.dumps([raw]))
    sim = make_sim(orders_file=str(path), rate_limits=False)
    try:
        token = sim.issue_token()
        orders, _ = _search(sim, token, "lastUpdatedAfter=2026-01-01T00:00:00Z&includedData=" + ALL)
        assert [o["orderId"] for o in orders] == ["902-0000001-0000001"]
        assert orders[0]["orderItems"][0]["proceeds"] == raw["orderItems"][0]["proceeds"]
        body = {"marketplaceId": "A1F83G8C2ARO7P", "packageDetail": {
            "packageReferenceId": "1", "carrierCode": "Royal Mail", "trackingNumber": "RM1",
            "shipDate": "2026-05-28T08:00:00Z", "orderItems": [{"orderItemId": "111", "quantity": 1}]}}
        assert http(sim, "POST", "/orders/v0/orders/902-0000001-0000001/shipmentConfirmation", token, body)[0] == 204
        order = http_json(sim, "GET", "/orders/2026-01-01/orders/902-0000001-0000001?includedData=FULFILLMENT,PACKAGES",
                          token)[2]["order"]
        assert order["fulfillment"]["fulfillmentStatus"] == "PARTIALLY_SHIPPED"
        assert order["packages"][0]["trackingNumber"] == "RM1"
    finally:
        sim.stop()


def test_command_line_serves_and_rejects_bad_faults(tmp_path):
    package_parent = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=os.path.dirname(package_parent))
    bad = subprocess.run([sys.executable, "-m", "tools.spapi_simulator", "--faults", "nope"],
                         cwd=os.path.dirname(package_parent), env=env, capture_output=True, timeout=30)
    assert bad.returncode == 2 and b"bad --faults" in bad.stderr
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "tools.spapi_simulator", "--port", str(port),
                             "--orders", "12", "--seed", "4"], cwd=os.path.dirname(package_parent),
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 20
        while True:
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/_simulator/health" % port, timeout=2) as r:
                    health = json.loads(r.read())
                break
            except OSError:
                assert time.time() < deadline and proc.poll() is None
                time.sleep(0.1)
        assert health["orders"] == 12 and health["seed"] == 4
    finally:
        proc.terminate()
        proc.wait(10)


def test_fbm2_profile_serves_2000_orders_in_20_pages():
    """The benchmark's scenario: 2,000 distinct FBM orders of 2 items, 100 per page (its speed is
    measured by tools/bench, never asserted here)."""
    sim = make_sim(seed=1, orders=2000, profile="fbm2", rate_limits=False)
    try:
        orders, _ = _search(sim, sim.issue_token(), "lastUpdatedAfter=2000-01-01T00:00:00Z&maxResultsPerPage=100"
                                                    "&fulfillmentStatuses=UNSHIPPED&includedData=" + ALL)
        assert len(orders) == 2000 and len({o["orderId"] for o in orders}) == 2000
        assert all(len(o["orderItems"]) == 2 and o["fulfillment"]["fulfilledBy"] == "MERCHANT" for o in orders)
        assert sim.call_counts() == {"searchOrders": 20}
    finally:
        sim.stop()
