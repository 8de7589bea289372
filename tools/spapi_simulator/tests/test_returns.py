"""The customer-returns reports (FBA and FBM) through the real python-amazon-sp-api client."""

import csv
import io
import json

import pytest

pytest.importorskip("sp_api")

from sp_api.api import ReportsV2  # noqa: E402

from spapi_simulator import returns  # noqa: E402
from spapi_simulator.clock import DAY, iso, parse_iso  # noqa: E402
from spapi_simulator.errors import ScenarioError  # noqa: E402
from spapi_simulator.testing import START, client, http_json, make_sim  # noqa: E402

FBA = "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"
FBM = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
DE, UK, US = "A1PA6795UKMFR9", "A1F83G8C2ARO7P", "ATVPDKIKX0DER"
ALL = [DE, UK, US, "A2EUQ1WTGCTBG2", "A13V1IB3VIYZZH", "A1VC38T7YXB528"]

FBA_HEADER = ("return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\t"
              "fulfillment-center-id\tdetailed-disposition\treason\tstatus\tlicense-plate-number\t"
              "customer-comments")
FBM_HEADER = ("Order ID\tOrder date\tReturn request date\tReturn request status\tAmazon RMA ID\t"
              "Seller RMA ID\tLabel type\tLabel cost\tCurrency code\tReturn carrier\tTracking ID\t"
              "Label to be paid by\tA-to-z claim\tIs prime\tASIN\tMerchant SKU\tItem Name\t"
              "Return quantity\tReturn reason\tIn policy\tReturn type\tResolution\tInvoice number\t"
              "Return delivery date\tOrder Amount\tOrder quantity\tSafeT action reason\t"
              "SafeT claim id\tSafeT claim state\tSafeT claim creation time\t"
              "SafeT claim reimbursement amount\tRefunded Amount\tCategory")


def fetch(sim, report_type, marketplace_ids, start=None, end=None):
    """(header line, [row dicts], raw text) of a report requested, polled and downloaded with
    the real client."""
    reports = client(sim, ReportsV2)
    body = {"reportType": report_type, "marketplaceIds": marketplace_ids}
    if start is not None:
        body["dataStartTime"] = start
    if end is not None:
        body["dataEndTime"] = end
    report_id = reports.create_report(**body).payload["reportId"]
    statuses = [reports.get_report(report_id).payload["processingStatus"] for _ in range(2)]
    assert statuses == ["IN_PROGRESS", "DONE"]
    doc_id = reports.get_report(report_id).payload["reportDocumentId"]
    meta = reports.get_report_document(doc_id).payload
    assert "compressionAlgorithm" not in meta
    text = reports.get_report_document(doc_id, download=True).payload["document"]
    header = text.split("\n", 1)[0]
    rows = list(csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    return header, rows, text


# -- injected returns on replayed orders (the addon's ReplayCase path) -------------------------
def _raw(order_id, marketplace_id, fulfilled_by, sku, asin, title, qty, unit, currency,
         created="2026-05-10T09:00:00Z", status="SHIPPED", programs=None):
    out = {"orderId": order_id, "createdTime": created, "lastUpdatedTime": created,
           "salesChannel": {"channelName": "AMAZON", "marketplaceId": marketplace_id},
           "fulfillment": {"fulfillmentStatus": status, "fulfilledBy": fulfilled_by},
           "orderItems": [{"orderItemId": "10001", "quantityOrdered": qty,
                           "product": {"sellerSku": sku, "asin": asin, "title": title,
                                       "price": {"unitPrice": {"amount": unit, "currencyCode": currency}}}}]}
    if programs:
        out["programs"] = programs
    return out


@pytest.fixture()
def replay(tmp_path):
    orders = [
        _raw("302-1111111-0000001", DE, "AMAZON", "SIM-MUG-001", "B0SIM00101",
             "Ceramic Coffee Mug 350 ml, white", 3, "12.29", "EUR"),
        _raw("204-2222222-0000002", UK, "AMAZON", "SIM-CBL-050", "B0SIM00323",
             "USB-C Cable 2 m, braided", 1, "8.19", "GBP"),
        _raw("302-3333333-0000003", DE, "MERCHANT", "SIM-TEA-010", "B0SIM00175",
             "Loose Leaf Green Tea 250 g", 2, "17.59", "EUR", programs=["PRIME"]),
        _raw("204-4444444-0000004", UK, "MERCHANT", "SIM-PEN-100", "B0SIM00471",
             "Gel Pen Set, 12 colours", 1, "9.89", "GBP"),
    ]
    path = tmp_path / "orders.json"
    path.write_text(json.dumps(orders))
    sim = make_sim(orders_file=str(path), rate_limits=False)
    yield sim
    sim.stop()


def test_injected_fba_returns_exact_rows_and_filters(replay):
    scenario = replay.scenario                       # a ReplayCase reaches cls.simulator.scenario
    scenario.add_customer_return("302-1111111-0000001", "SIM-MUG-001", 2, "2026-05-20T14:21:09Z",
                                 detailed_disposition="CUSTOMER_DAMAGED", reason="UNWANTED_ITEM",
                                 status="Unit returned to inventory",
                                 license_plate_number="LPNRR123456789",
                                 customer_comments="Henkel abgebrochen, Farbe gefällt nicht")
    replay.add_customer_return("204-2222222-0000002", when=START - 2 * DAY,      # epoch, defaults
                               license_plate_number="LPNRR987654321")
    header, rows, text = fetch(replay, FBA, [DE, UK])
    assert header == FBA_HEADER
    assert rows[0] == {
        "return-date": "2026-05-20T14:21:09+00:00", "order-id": "302-1111111-0000001",
        "sku": "SIM-MUG-001", "asin": "B0SIM00101", "fnsku": "X00F0A84E6",
        "product-name": "Ceramic Coffee Mug 350 ml, white", "quantity": "2",
        "fulfillment-center-id": "LEJ1", "detailed-disposition": "CUSTOMER_DAMAGED",
        "reason": "UNWANTED_ITEM", "status": "Unit returned to inventory",
        "license-plate-number": "LPNRR123456789",
        "customer-comments": "Henkel abgebrochen, Farbe gefällt nicht",
    }
    assert rows[0]["fnsku"].startswith("X00") and len(rows[0]["fnsku"]) == 10
    second = rows[1]
    assert (second["return-date"], second["order-id"], second["sku"], second["quantity"],
            second["fulfillment-center-id"], second["license-plate-number"]) == (
        "2026-05-26T20:26:40+00:00", "204-2222222-0000002", "SIM-CBL-050", "1", "BHX4",
        "LPNRR987654321")
    assert second["detailed-disposition"] in returns.DISPOSITIONS
    assert len(rows) == 2 and "\r" not in text
    # marketplace filter
    _, rows, _ = fetch(replay, FBA, [UK])
    assert [r["order-id"] for r in rows] == ["204-2222222-0000002"]
    # date filter: [dataStartTime, dataEndTime], bounds included
    _, rows, _ = fetch(replay, FBA, [DE, UK], "2026-05-20T14:21:09Z", "2026-05-25T00:00:00Z")
    assert [r["order-id"] for r in rows] == ["302-1111111-0000001"]
    _, rows, _ = fetch(replay, FBA, [DE, UK], "2026-05-20T14:21:10Z")
    assert [r["order-id"] for r in rows] == ["204-2222222-0000002"]
    # default window: the 30 days before the report's creation
    replay.advance(days=27)
    _, rows, _ = fetch(replay, FBA, [DE, UK])
    assert [r["order-id"] for r in rows] == ["204-2222222-0000002"]
    replay.advance(days=5)
    assert fetch(replay, FBA, [DE, UK])[1] == []
    assert len(fetch(replay, FBA, [DE, UK], "2026-05-01T00:00:00Z")[1]) == 2
    # FBM orders are not in the FBA report
    _, rows, _ = fetch(replay, FBM, [DE, UK], "2026-05-01T00:00:00Z")
    assert rows == []


def test_injected_fbm_returns_approved_then_closed(replay):
    replay.scenario.add_customer_return(
        "302-3333333-0000003", "SIM-TEA-010", 1, "2026-05-24T08:00:00Z",
        delivered_at="2026-05-29T10:00:00Z", amazon_rma_id="DxYz1234AbC",
        tracking_id="00340434161094042557", label_type="Prepaid label", label_cost="4.99",
        label_to_be_paid_by="Seller", return_reason="CR-DEFECTIVE")
    replay.scenario.add_customer_return(
        "204-4444444-0000004", when="2026-05-12T11:00:00Z", amazon_rma_id="DqWe5678RtY",
        **{"Tracking ID": "FB123456789GB"})
    header, rows, _ = fetch(replay, FBM, [DE, UK])         # now: 2026-05-28T20:26:40Z
    assert header == FBM_HEADER
    assert rows == [
        {"Order ID": "204-4444444-0000004", "Order date": "2026-05-10",
         "Return request date": "2026-05-12", "Return request status": "Closed",
         "Amazon RMA ID": "DqWe5678RtY", "Seller RMA ID": "",
         "Label type": "Prepaid label", "Label cost": "3.49",
         "Currency code": "GBP", "Return carrier": "Royal Mail", "Tracking ID": "FB123456789GB",
         "Label to be paid by": "Customer", "A-to-z claim": "N",
         "Is prime": "N", "ASIN": "B0SIM00471", "Merchant SKU": "SIM-PEN-100",
         "Item Name": "Gel Pen Set, 12 colours", "Return quantity": "1",
         "Return reason": "CR-UNWANTED_ITEM", "In policy": "Y", "Return type": "C-Returns",
         "Resolution": "StandardRefund", "Invoice number": "", "Return delivery date": "2026-05-16",
         "Order Amount": "9.89", "Order quantity": "1", "SafeT action reason": "",
         "SafeT claim id": "", "SafeT claim state": "", "SafeT claim creation time": "",
         "SafeT claim reimbursement amount": "", "Refunded Amount": "9.89",
         "Category": "Office Products"},
        {"Order ID": "302-3333333-0000003", "Order date": "2026-05-10",
         "Return request date": "2026-05-24", "Return request status": "Approved",
         "Amazon RMA ID": "DxYz1234AbC", "Seller RMA ID": "", "Label type": "Prepaid label",
         "Label cost": "4.99", "Currency code": "EUR", "Return carrier": "DHL",
         "Tracking ID": "00340434161094042557", "Label to be paid by": "Seller",
         "A-to-z claim": "N", "Is prime": "Y", "ASIN": "B0SIM00175", "Merchant SKU": "SIM-TEA-010",
         "Item Name": "Loose Leaf Green Tea 250 g", "Return quantity": "1",
         "Return reason": "CR-DEFECTIVE", "In policy": "Y", "Return type": "C-Returns",
         "Resolution": "StandardRefund", "Invoice number": "", "Return delivery date": "",
         "Order Amount": "35.18", "Order quantity": "2", "SafeT action reason": "",
         "SafeT claim id": "", "SafeT claim state": "", "SafeT claim creation time": "",
         "SafeT claim reimbursement amount": "", "Refunded Amount": "", "Category": "Grocery"},
    ]
    _, rows, _ = fetch(replay, FBM, [DE])
    assert [r["Order ID"] for r in rows] == ["302-3333333-0000003"]
    _, rows, _ = fetch(replay, FBM, [DE, UK], "2026-05-01T00:00:00Z", "2026-05-20T00:00:00Z")
    assert [r["Order ID"] for r in rows] == ["204-4444444-0000004"]
    replay.advance(days=2)                                    # delivered back on 2026-05-29
    _, rows, _ = fetch(replay, FBM, [DE])
    assert (rows[0]["Return request status"], rows[0]["Return delivery date"],
            rows[0]["Refunded Amount"]) == ("Closed", "2026-05-29", "17.59")


def test_injection_is_checked(replay):
    scenario = replay.scenario
    with pytest.raises(ScenarioError):
        scenario.add_customer_return("999-0000000-0000000", when=START)
    with pytest.raises(ScenarioError):
        scenario.add_customer_return("302-1111111-0000001", "SIM-NOPE", when=START)
    with pytest.raises(ScenarioError):
        scenario.add_customer_return("302-1111111-0000001", quantity=0, when=START)
    with pytest.raises(ScenarioError):                        # an FBM column on an FBA order
        scenario.add_customer_return("302-1111111-0000001", when=START, tracking_id="1Z")
    assert scenario.customer_returns == []


# -- automatic returns from the scenario's refunds ---------------------------------------------
@pytest.fixture(scope="module")
def sim():
    simulator = make_sim(seed=21, orders=300, rate_limits=False)
    yield simulator
    simulator.stop()


def _refunds(scenario, channel, before):
    return [(o, o.refund_events()[0]) for o in scenario.orders
            if o.channel == channel and o.refund_events() and o.refund_events()[0][0] < before]


def test_automatic_fba_returns_follow_the_refunds(sim):
    scenario = sim.scenario
    _, rows, text = fetch(sim, FBA, ALL)
    by_order = {r["order-id"]: r for r in rows}
    assert len(by_order) == len(rows) and rows
    refunded = _refunds(scenario, "FBA", START)
    refund_only = [o for o, _ in refunded if returns.refund_only(scenario, o)]
    assert refund_only and len(refund_only) < len(refunded)
    for order in refund_only:
        assert order.order_id not in by_order
    for order, (t, item, qty, _) in refunded:
        if order in refund_only or t - DAY - 3 * 3600 < START - 30 * DAY:
            continue
        row = by_order.pop(order.order_id)
        assert (row["sku"], row["asin"], row["product-name"], row["quantity"]) == (
            item.sku, item.asin, item.title, str(qty))
        assert abs(parse_iso(row["return-date"]) - (t - DAY)) <= 3 * 3600
        assert row["fulfillment-center-id"] == returns.RETURN_CENTERS[order.market.code]
        assert row["detailed-disposition"] in returns.DISPOSITIONS
        assert row["license-plate-number"].startswith("LPNRR") and len(row["license-plate-number"]) == 14
    assert by_order == {}                                      # no row without its refund
    _, us_rows, _ = fetch(sim, FBA, [US])
    assert us_rows and all(scenario.by_id[r["order-id"]].market.id == US for r in us_rows)
    assert len(us_rows) < len(rows)


def test_automatic_fbm_returns_follow_the_refunds(sim):
    scenario = sim.scenario
    now = sim.now()
    _, rows, _ = fetch(sim, FBM, ALL, iso(START - 40 * DAY), iso(START + 30 * DAY))
    assert rows
    for row in rows:
        order = scenario.by_id[row["Order ID"]]
        t, item, qty, _ = order.refund_events()[0]
        assert order.channel == "FBM"
        assert (row["Merchant SKU"], row["ASIN"], row["Return quantity"], row["Currency code"]) == (
            item.sku, item.asin, str(qty), order.currency)
        assert row["Amazon RMA ID"].startswith("D") and len(row["Amazon RMA ID"]) == 11
        if t <= now:
            assert row["Return request status"] == "Closed" and row["Return delivery date"]
            assert row["Refunded Amount"]
        else:
            assert row["Return request status"] == "Approved" and not row["Return delivery date"]
        assert row["Return request date"] <= iso(t)[:10]


def test_automatic_rows_are_deterministic():
    texts = []
    for _ in range(2):
        simulator = make_sim(seed=21, orders=300, rate_limits=False)
        try:
            texts.append([fetch(simulator, kind, ALL)[2] for kind in (FBA, FBM)])
        finally:
            simulator.stop()
    assert texts[0] == texts[1]
    assert all(len(text.splitlines()) > 3 for text in texts[0])
    other = make_sim(seed=22, orders=300, rate_limits=False)
    try:
        assert fetch(other, FBA, ALL)[2] != texts[0][0]
    finally:
        other.stop()


def test_explicit_returns_replace_automatic_ones_and_switch():
    simulator = make_sim(seed=21, orders=300, rate_limits=False)
    try:
        _, rows, _ = fetch(simulator, FBA, ALL)
        target = rows[0]["order-id"]
        order = simulator.scenario.by_id[target]
        simulator.add_customer_return(target, order.items[0].sku, 1, START - DAY,
                                      detailed_disposition="DEFECTIVE", reason="DEFECTIVE")
        _, after, _ = fetch(simulator, FBA, ALL)
        mine = [r for r in after if r["order-id"] == target]
        assert len(mine) == 1 and mine[0]["detailed-disposition"] == "DEFECTIVE"
        assert mine[0]["return-date"] == iso(START - DAY).replace("Z", "+00:00")
        assert len(after) == len(rows)
        simulator.set_auto_returns(False)
        _, only, _ = fetch(simulator, FBA, ALL)
        assert [r["order-id"] for r in only] == [target]
        assert fetch(simulator, FBM, ALL)[1] == []
    finally:
        simulator.stop()
    quiet = make_sim(seed=21, orders=300, rate_limits=False, auto_returns=False)
    try:
        assert fetch(quiet, FBA, ALL)[1] == [] and fetch(quiet, FBM, ALL)[1] == []
    finally:
        quiet.stop()


def test_control_api_adds_returns(replay):
    status, _, body = http_json(replay, "POST", "/_simulator/returns", body={
        "orderId": "204-2222222-0000002", "quantity": 1, "when": "2026-05-27T10:00:00Z",
        "columns": {"detailed_disposition": "DEFECTIVE", "reason": "DEFECTIVE"}})
    assert status == 200 and body == {"orderId": "204-2222222-0000002", "sku": "SIM-CBL-050",
                                      "quantity": 1, "channel": "FBA",
                                      "when": "2026-05-27T10:00:00Z"}
    status, _, body = http_json(replay, "POST", "/_simulator/returns", body={
        "orderId": "204-2222222-0000002", "columns": {"tracking_id": "1Z"}})
    assert status == 400 and body["code"] == "InvalidInput"
    assert http_json(replay, "POST", "/_simulator/returns/auto", body={"enabled": False})[2] == {"enabled": False}
    _, rows, _ = fetch(replay, FBA, [UK])
    assert [(r["order-id"], r["detailed-disposition"]) for r in rows] == [("204-2222222-0000002", "DEFECTIVE")]
