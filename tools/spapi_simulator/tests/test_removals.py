"""The FBA removal reports (removal order detail, removal shipment detail) through the real
python-amazon-sp-api client, and what removals do to getInventorySummaries."""

import re

import pytest

pytest.importorskip("sp_api")

from sp_api.api import Inventories  # noqa: E402
from sp_api.base import Marketplaces  # noqa: E402

from spapi_simulator import removals  # noqa: E402
from spapi_simulator.clock import DAY, iso, parse_iso  # noqa: E402
from spapi_simulator.errors import ScenarioError  # noqa: E402
from spapi_simulator.testing import START, client, http_json, make_sim  # noqa: E402
from test_returns import ALL, DE, UK, US, fetch  # noqa: E402

ORDERS = "GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA"
SHIPMENTS = "GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA"
ORDERS_HEADER = ("request-date\torder-id\torder-source\torder-type\torder-status\t"
                 "last-updated-date\tsku\tfnsku\tdisposition\trequested-quantity\t"
                 "cancelled-quantity\tdisposed-quantity\tshipped-quantity\tin-process-quantity\t"
                 "removal-fee\tcurrency")
SHIPMENTS_HEADER = ("request-date\torder-id\tshipment-date\tsku\tfnsku\tdisposition\t"
                    "shipped-quantity\tcarrier\ttracking-number\tremoval-order-type")
HISTORY = iso(START - 40 * DAY)


@pytest.fixture()
def quiet():
    simulator = make_sim(seed=5, orders=30, rate_limits=False, auto_removals=False)
    yield simulator
    simulator.stop()


def _inject(sim):
    scenario = sim.scenario                        # a ReplayCase reaches cls.simulator.scenario
    scenario.add_removal_order(
        "RMV-20261105-01", "Return",
        [("SIM-MUG-001", "Sellable", 3),
         {"sku": "SIM-CBL-050", "disposition": "Unsellable", "quantity": 2,
          "shipped_quantity": 1}],
        when="2026-05-20T14:21:09Z", marketplace_id=DE, tracking_number="00340434161094042557")
    return sim.add_removal_order(None, "Disposal", [("SIM-CBL-050", "Sellable", 4)],
                                 when=START - 3 * DAY, marketplace_id="UK",
                                 order_source="Automated Long-Term Storage Removal")


def test_injected_removal_rows_exact_and_filters(quiet):
    disposal = _inject(quiet)
    assert disposal.order_id == "NNH5H3A36Y" and re.fullmatch(r"[A-Z0-9]{10}", disposal.order_id)
    header, rows, text = fetch(quiet, ORDERS, [DE, UK])
    assert header == ORDERS_HEADER and "\r" not in text
    assert rows == [
        {"request-date": "2026-05-20T14:21:09+00:00", "order-id": "RMV-20261105-01",
         "order-source": "Seller-initiated Manual Removal", "order-type": "Return",
         "order-status": "Completed", "last-updated-date": "2026-05-22T14:21:09+00:00",
         "sku": "SIM-MUG-001", "fnsku": "X00F0A84E6", "disposition": "Sellable",
         "requested-quantity": "3", "cancelled-quantity": "0", "disposed-quantity": "0",
         "shipped-quantity": "3", "in-process-quantity": "0", "removal-fee": "1.50",
         "currency": "EUR"},
        {"request-date": "2026-05-20T14:21:09+00:00", "order-id": "RMV-20261105-01",
         "order-source": "Seller-initiated Manual Removal", "order-type": "Return",
         "order-status": "Completed", "last-updated-date": "2026-05-22T14:21:09+00:00",
         "sku": "SIM-CBL-050", "fnsku": "X002097058", "disposition": "Unsellable",
         "requested-quantity": "2", "cancelled-quantity": "1", "disposed-quantity": "0",
         "shipped-quantity": "1", "in-process-quantity": "0", "removal-fee": "0.50",
         "currency": "EUR"},
        {"request-date": "2026-05-25T20:26:40+00:00", "order-id": "NNH5H3A36Y",
         "order-source": "Automated Long-Term Storage Removal", "order-type": "Disposal",
         "order-status": "Completed", "last-updated-date": "2026-05-26T20:26:40+00:00",
         "sku": "SIM-CBL-050", "fnsku": "X002097058", "disposition": "Sellable",
         "requested-quantity": "4", "cancelled-quantity": "0", "disposed-quantity": "4",
         "shipped-quantity": "0", "in-process-quantity": "0", "removal-fee": "0.80",
         "currency": "GBP"},
    ]
    header, rows, _ = fetch(quiet, SHIPMENTS, [DE, UK])
    assert header == SHIPMENTS_HEADER
    assert rows == [
        {"request-date": "2026-05-20T14:21:09+00:00", "order-id": "RMV-20261105-01",
         "shipment-date": "2026-05-22T14:21:09+00:00", "sku": "SIM-MUG-001",
         "fnsku": "X00F0A84E6", "disposition": "Sellable", "shipped-quantity": "3",
         "carrier": "DHL", "tracking-number": "00340434161094042557",
         "removal-order-type": "Return"},
        {"request-date": "2026-05-20T14:21:09+00:00", "order-id": "RMV-20261105-01",
         "shipment-date": "2026-05-22T14:21:09+00:00", "sku": "SIM-CBL-050",
         "fnsku": "X002097058", "disposition": "Unsellable", "shipped-quantity": "1",
         "carrier": "DHL", "tracking-number": "00340434161094042557",
         "removal-order-type": "Return"},
    ]
    # marketplace filter
    assert [r["order-id"] for r in fetch(quiet, ORDERS, [UK])[1]] == ["NNH5H3A36Y"]
    assert fetch(quiet, SHIPMENTS, [UK])[1] == []
    assert fetch(quiet, ORDERS, [US])[1] == []
    # date filter: last-updated-date / shipment-date in [dataStartTime, dataEndTime]
    _, rows, _ = fetch(quiet, ORDERS, [DE, UK], "2026-05-22T14:21:09Z", "2026-05-25T00:00:00Z")
    assert [r["order-id"] for r in rows] == ["RMV-20261105-01"] * 2
    _, rows, _ = fetch(quiet, ORDERS, [DE, UK], "2026-05-22T14:21:10Z")
    assert [r["order-id"] for r in rows] == ["NNH5H3A36Y"]
    assert fetch(quiet, SHIPMENTS, [DE], None, "2026-05-22T14:21:08Z")[1] == []
    assert len(fetch(quiet, SHIPMENTS, [DE], "2026-05-22T14:21:09Z", "2026-05-22T14:21:09Z")[1]) == 2
    # a report ending before the shipment shows the order as it stood then
    _, rows, _ = fetch(quiet, ORDERS, [DE], "2026-05-01T00:00:00Z", "2026-05-21T00:00:00Z")
    assert [(r["order-status"], r["last-updated-date"], r["shipped-quantity"],
             r["cancelled-quantity"], r["in-process-quantity"], r["removal-fee"]) for r in rows] == [
        ("Pending", "2026-05-20T14:21:09+00:00", "0", "0", "3", "0.00"),
        ("Pending", "2026-05-20T14:21:09+00:00", "0", "0", "2", "0.00")]
    # default window: the 30 days before the report's creation
    quiet.advance(days=26)
    assert [r["order-id"] for r in fetch(quiet, ORDERS, [DE, UK])[1]] == ["NNH5H3A36Y"]
    quiet.advance(days=5)
    assert fetch(quiet, ORDERS, [DE, UK])[1] == [] and fetch(quiet, SHIPMENTS, [DE, UK])[1] == []


def _stock(sim, sku):
    inventories = client(sim, Inventories, marketplace=Marketplaces.DE)
    payload = inventories.get_inventory_summary_marketplace(details=True).payload
    entry = {s["sellerSku"]: s for s in payload["inventorySummaries"]}[sku]
    details = entry["inventoryDetails"]
    return (details["fulfillableQuantity"], details["reservedQuantity"]["totalReservedQuantity"],
            details["reservedQuantity"]["fcProcessingQuantity"],
            details["unfulfillableQuantity"]["totalUnfulfillableQuantity"], entry["lastUpdatedTime"])


def test_a_removal_in_process_then_shipped_and_the_stock(quiet):
    before = _stock(quiet, "SIM-KNF-020")
    quiet.add_removal_order("RMV-KNF", "Return", [{"sku": "SIM-KNF-020", "disposition": "Sellable",
                                                   "quantity": 5, "shipped_quantity": 4}],
                            marketplace_id=DE, shipped_at=START + DAY, carrier="UPS",
                            status="Completed")
    fulfillable, reserved, processing, unfulfillable, _ = before
    assert _stock(quiet, "SIM-KNF-020")[:4] == (fulfillable - 5, reserved + 5, 5, unfulfillable)
    _, rows, _ = fetch(quiet, ORDERS, [DE])
    assert [(r["order-status"], r["request-date"], r["in-process-quantity"]) for r in rows] == [
        ("Pending", "2026-05-28T20:26:40+00:00", "5")]
    assert fetch(quiet, SHIPMENTS, [DE])[1] == []
    quiet.advance(days=1)
    after = _stock(quiet, "SIM-KNF-020")
    assert after[:4] == (fulfillable - 4, reserved, 0, unfulfillable)   # 1 cancelled: back
    assert after[4] == "2026-05-29T20:26:40Z"
    _, rows, _ = fetch(quiet, ORDERS, [DE])
    assert [(r["order-status"], r["last-updated-date"], r["shipped-quantity"],
             r["cancelled-quantity"], r["in-process-quantity"], r["removal-fee"]) for r in rows] == [
        ("Completed", "2026-05-29T20:26:40+00:00", "4", "1", "0", "2.00")]
    _, rows, _ = fetch(quiet, SHIPMENTS, [DE])
    assert [(r["shipment-date"], r["shipped-quantity"], r["carrier"]) for r in rows] == [
        ("2026-05-29T20:26:40+00:00", "4", "UPS")]
    assert re.fullmatch(r"1Z[0-9A-Z]{16}", rows[0]["tracking-number"])
    # unsellable units leave the unfulfillable ones; a Processing order keeps its status
    damaged = quiet.scenario.fba_extra[("DE", "SIM-CBL-050")][0]
    quiet.add_removal_order("RMV-CBL", "Disposal", [
        {"sku": "SIM-CBL-050", "disposition": "Unsellable", "quantity": 3,
         "disposed_quantity": 1}], marketplace_id=DE, status="Processing",
        disposed_at=START + DAY + 3600)
    quiet.advance(hours=2)
    assert _stock(quiet, "SIM-CBL-050")[3] == max(0, damaged - 1)
    row = [r for r in fetch(quiet, ORDERS, [DE])[1] if r["order-id"] == "RMV-CBL"][0]
    assert (row["order-status"], row["disposed-quantity"], row["in-process-quantity"],
            row["removal-fee"]) == ("Processing", "1", "2", "0.25")


@pytest.fixture(scope="module")
def seeded():
    simulator = make_sim(seed=21, orders=300, rate_limits=False)
    yield simulator
    simulator.stop()


def test_automatic_removals_per_marketplace(seeded):
    scenario = seeded.scenario
    _, rows, _ = fetch(seeded, ORDERS, ALL, HISTORY)
    _, shipped, _ = fetch(seeded, SHIPMENTS, ALL, HISTORY)
    assert rows and shipped
    markets = {o.order_id: o.market for o in scenario.removals()}
    orders = {}
    for row in rows:
        market = markets[row["order-id"]]
        assert row["currency"] == market.currency
        assert (market.code, row["sku"]) in scenario.fba_initial       # an FBA SKU there
        assert scenario.by_sku[row["sku"]]["offers"][market.code]["channel"] == "FBA"
        assert int(row["requested-quantity"]) == sum(int(row[c]) for c in (
            "cancelled-quantity", "disposed-quantity", "shipped-quantity", "in-process-quantity"))
        assert row["order-status"] == "Completed" and row["in-process-quantity"] == "0"
        assert re.fullmatch(r"[A-Z0-9]{10}", row["order-id"])
        assert START - 30 * DAY <= parse_iso(row["request-date"]) \
            < parse_iso(row["last-updated-date"]) < START
        if row["order-type"] == "Disposal":
            assert row["disposition"] == "Unsellable" and row["shipped-quantity"] == "0"
        else:
            assert row["order-type"] == "Return" and row["disposition"] == "Sellable"
        orders.setdefault((market.code, row["order-type"]), set()).add(row["order-id"])
    assert all(len(ids) == 1 for ids in orders.values())
    assert {code for code, kind in orders if kind == "Return"} == {m.code for m in removals.MARKETPLACES}
    assert any(kind == "Disposal" for _, kind in orders)
    returned = {(r["order-id"], r["sku"]): r for r in rows if r["order-type"] == "Return"}
    assert len(shipped) == len(returned)
    for ship in shipped:
        line = returned[(ship["order-id"], ship["sku"])]
        assert (ship["shipped-quantity"], ship["request-date"], ship["removal-order-type"]) == (
            line["shipped-quantity"], line["request-date"], "Return")
        assert ship["carrier"] == removals.REMOVAL_CARRIERS[markets[line["order-id"]].code]
        assert ship["shipment-date"] <= line["last-updated-date"]
    _, us_rows, _ = fetch(seeded, ORDERS, [US], HISTORY)
    assert us_rows and {r["currency"] for r in us_rows} == {"USD"}
    assert all(r["currency"] == "USD" for r in us_rows)


def test_automatic_removals_are_deterministic_and_switch_off():
    texts = []
    for _ in range(2):
        simulator = make_sim(seed=21, orders=300, rate_limits=False)
        try:
            texts.append([fetch(simulator, kind, ALL, HISTORY)[2] for kind in (ORDERS, SHIPMENTS)])
        finally:
            simulator.stop()
    assert texts[0] == texts[1]
    other = make_sim(seed=22, orders=300, rate_limits=False)
    try:
        assert fetch(other, ORDERS, ALL, HISTORY)[2] != texts[0][0]
        status, _, body = http_json(other, "POST", "/_simulator/removals/auto", body={"enabled": False})
        assert (status, body) == (200, {"enabled": False})
        assert fetch(other, ORDERS, ALL, HISTORY)[1] == []
        assert fetch(other, SHIPMENTS, ALL, HISTORY)[1] == []
    finally:
        other.stop()


def test_injection_is_checked(quiet):
    scenario = quiet.scenario
    bad = [
        dict(order_type="Return", lines=[("SIM-NOPE", "Sellable", 1)]),          # unknown SKU
        dict(order_type="Return", lines=[("SIM-PEN-100", "Sellable", 1)]),       # FBM only
        dict(order_type="Return", lines=[("SIM-TEA-010", "Sellable", 1)], marketplace_id=DE),
        dict(order_type="Destroy", lines=[("SIM-MUG-001", "Sellable", 1)]),      # bad type
        dict(order_type="Return", lines=[("SIM-MUG-001", "Sellable", 0)]),       # quantity < 1
        dict(order_type="Return", lines=[("SIM-MUG-001", "Sellable", -2)]),
        dict(order_type="Return", lines=[("SIM-MUG-001", "Sellable", "2")]),
        dict(order_type="Return", lines=[("SIM-MUG-001", "Damaged", 1)]),        # disposition
        dict(order_type="Return", lines=[]),
        dict(order_type="Return", lines=[("SIM-MUG-001", "Sellable", 1)], status="Done"),
        dict(order_type="Return", lines=[{"sku": "SIM-MUG-001", "disposition": "Sellable",
                                          "quantity": 2, "shipped_quantity": 3}]),
        dict(order_type="Return", lines=[{"sku": "SIM-MUG-001", "disposition": "Sellable",
                                          "quantity": 2, "shipped_quantity": 1}], status="Pending"),
        dict(order_type="Return", lines=[{"sku": "SIM-MUG-001", "disposition": "Sellable",
                                          "quantity": 2, "colour": "red"}]),
        dict(order_type="Disposal", lines=[("SIM-MUG-001", "Sellable", 1)], carrier="UPS"),
        dict(order_type="Disposal", lines=[("SIM-MUG-001", "Sellable", 1)], shipped_at=START),
        dict(order_type="Return", lines=[("SIM-MUG-001", "Sellable", 1)], marketplace_id="XX"),
        dict(order_type="Return", lines=[("SIM-MUG-001", "Sellable", 1)], when="yesterday"),
        dict(order_type="Return", lines=[("SIM-MUG-001", "Sellable", 1)], shipped_at=START - DAY),
        dict(order_type="Return", lines=[("SIM-MUG-001", "Sellable", 1)], shipped_quantity=1),
    ]
    for kwargs in bad:
        with pytest.raises(ScenarioError):
            scenario.add_removal_order("RMV-BAD", **kwargs)
    assert scenario.removal_orders == []
    scenario.add_removal_order("RMV-1", "Return", [("SIM-MUG-001", "Sellable", 1)])
    with pytest.raises(ScenarioError):                                        # id taken
        scenario.add_removal_order("RMV-1", "Disposal", [("SIM-MUG-001", "Sellable", 1)])
    assert [o.order_id for o in scenario.removals()] == ["RMV-1"]
    assert scenario.removals()[0].market.code == "US"                       # first FBA market


def test_control_api_adds_removals(quiet):
    status, _, body = http_json(quiet, "POST", "/_simulator/removals", body={
        "orderId": "RMV-HTTP-1", "orderType": "Return", "marketplaceId": UK,
        "when": "2026-05-27T10:00:00Z", "shippedAt": "2026-05-28T09:00:00Z",
        "lines": [["SIM-CBL-050", "Sellable", 2]], "columns": {"tracking_number": "QA0000000042"}})
    assert status == 200 and body == {
        "orderId": "RMV-HTTP-1", "orderType": "Return", "marketplaceId": UK,
        "when": "2026-05-27T10:00:00Z", "status": "Completed", "explicit": True,
        "lines": [{"sku": "SIM-CBL-050", "disposition": "Sellable", "quantity": 2,
                   "shippedQuantity": 2, "cancelledQuantity": 0,
                   "doneAt": "2026-05-28T09:00:00Z"}]}
    status, _, body = http_json(quiet, "POST", "/_simulator/removals", body={
        "orderType": "Return", "marketplaceId": UK, "lines": [["SIM-CBL-050", "Sellable", 0]]})
    assert status == 400 and body["code"] == "InvalidInput"
    assert [o["orderId"] for o in http_json(quiet, "GET", "/_simulator/removals")[2]["removalOrders"]] \
        == ["RMV-HTTP-1"]
    _, rows, _ = fetch(quiet, SHIPMENTS, [UK])
    assert [(r["order-id"], r["carrier"], r["tracking-number"], r["shipment-date"]) for r in rows] == [
        ("RMV-HTTP-1", "AMZN_UK", "QA0000000042", "2026-05-28T09:00:00+00:00")]
