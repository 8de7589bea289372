"""Money views of the settlements through the real python-amazon-sp-api client: Finances
2024-06-19 listSummary / listBalances and Transfers 2024-06-01 listPayouts (the library has no
method for them: `client._request(path, params={..., "method": "GET"}, add_marketplace=False)`),
the buyer's cancellation request (Orders 2026-01-01) and the VAT invoice data report."""

import io
import json
from decimal import Decimal

import pytest

pytest.importorskip("sp_api")

from sp_api.api import Feeds, Finances, Orders, Reports  # noqa: E402
from sp_api.base import SellingApiException  # noqa: E402

from spapi_simulator import settlement as settle  # noqa: E402
from spapi_simulator.clock import DAY, iso  # noqa: E402
from spapi_simulator.testing import amount, client, make_sim, parse_settlement  # noqa: E402

US, DE = "ATVPDKIKX0DER", "A1PA6795UKMFR9"
SUMMARY, BALANCES = "/finances/2024-06-19/summary", "/finances/2024-06-19/balances"
PAYOUTS = "/finances/transfers/2024-06-01/payouts"


@pytest.fixture
def sim():
    simulator = make_sim(seed=21, orders=160, rate_limits=False)
    yield simulator
    simulator.stop()


def call(sim, path, **params):
    api = client(sim, Finances, version="2024-06-19")
    return api._request(path, params=dict(params, method="GET"), add_marketplace=False)


def get(sim, path, **params):
    return call(sim, path, **params).payload


def file_of(sim, settlement_id):
    summary = next(s for s in sim.settlements() if s["settlementId"] == settlement_id)
    text = sim.store.report_document(summary["reportDocumentId"], sim.now())[0].content.decode()
    return parse_settlement(text)


def leaves(breakdowns):
    out = Decimal(0)
    for b in breakdowns:
        out += leaves(b["breakdowns"]) if b.get("breakdowns") else Decimal(str(b["breakdownAmount"]["currencyAmount"]))
    return out


def test_summary_net_equals_the_settlement_file_to_the_cent(sim):
    answer = get(sim, SUMMARY, marketplaceIds=[US, DE])
    summaries = answer["summaries"]
    assert {s["partnerMetadata"]["marketplaceId"] for s in summaries} == {US, DE}
    assert len(summaries) == len([s for s in sim.settlements() if s["marketplaceId"] in (US, DE)])
    for s in summaries:
        sid = s["relatedIdentifiers"][0]["relatedIdentifierValue"]
        head, rows = file_of(sim, sid)
        net = Decimal(str(s["netProceeds"]["currencyAmount"]))
        assert net == amount(head["total-amount"]) == sum(amount(r["amount"]) for r in rows)
        assert leaves(s["breakdowns"]) == net
        top = {b["breakdownType"]: Decimal(str(b["breakdownAmount"]["currencyAmount"])) for b in s["breakdowns"]}
        assert top["Sales"] > 0 and top["Expenses"] < 0 and sum(top.values()) == net
        refunds = sum(amount(r["amount"]) for r in rows if r["transaction-type"] == "Refund")
        assert top.get("Refunds", Decimal(0)) == refunds
    one = get(sim, SUMMARY, relatedIdentifierName="SETTLEMENT_ID", relatedIdentifierValue=sid)["summaries"]
    assert [x["relatedIdentifiers"] for x in one] == [s["relatedIdentifiers"]]
    first = summaries[0]
    by_period = get(sim, SUMMARY, marketplaceIds=[first["partnerMetadata"]["marketplaceId"]],
                    periodStart=first["periodStart"][:10], periodEnd=first["periodStart"][:10])
    assert [x["periodStart"] for x in by_period["summaries"]] == [first["periodStart"]]


def test_summary_difference_fault_and_bad_requests(sim):
    sid = next(s["settlementId"] for s in sim.settlements() if s["marketplaceId"] == DE)
    sim.set_summary_difference(sid, "-0.05")
    [s] = get(sim, SUMMARY, relatedIdentifierName="SETTLEMENT_ID", relatedIdentifierValue=sid)["summaries"]
    head, _rows = file_of(sim, sid)
    assert Decimal(str(s["netProceeds"]["currencyAmount"])) == amount(head["total-amount"]) - Decimal("0.05")
    assert s["breakdowns"][-1]["breakdownType"] == "Other" and leaves(s["breakdowns"]) == \
        Decimal(str(s["netProceeds"]["currencyAmount"]))
    sim.set_summary_difference(sid, 0)
    [s] = get(sim, SUMMARY, relatedIdentifierName="SETTLEMENT_ID", relatedIdentifierValue=sid)["summaries"]
    assert Decimal(str(s["netProceeds"]["currencyAmount"])) == amount(head["total-amount"])
    for params in ({"relatedIdentifierName": "ORDER_ID", "relatedIdentifierValue": "1"},
                   {"relatedIdentifierValue": sid}, {"marketplaceIds": ["NOPE"]},
                   {"periodStart": "2026-06-01", "periodEnd": "2026-05-01"}):
        with pytest.raises(SellingApiException) as err:
            get(sim, SUMMARY, **params)
        assert err.value.code == 400


def test_balances_follow_the_open_settlement_and_the_reserve(sim):
    t = sim.now()
    [total] = get(sim, BALANCES, marketplaceIds=[US])["balances"]
    assert total["balanceType"] == "TOTAL" and "lastUpdatedTime" in total
    parts = {b["balanceType"]: Decimal(str(b["amount"]["currencyAmount"])) for b in total["balances"]}
    reserved = {b["balanceType"]: Decimal(str(b["amount"]["currencyAmount"]))
                for b in total["balances"][1]["balances"]}
    k = settle.period_of(sim.scenario, t)
    rows = [r for r in settle.build(sim.scenario, "US", k).rows if r["posted"] <= t]
    minor = lambda v: Decimal(v) / 100  # noqa: E731
    assert Decimal(str(total["amount"]["currencyAmount"])) == minor(sum(r["amount"] for r in rows))
    assert reserved["DEFERRED"] == minor(sum(r["amount"] for r in rows
                                             if r["transaction-type"] in ("Order", "Refund")))
    previous = settle.build(sim.scenario, "US", k - 1)
    held = -next(r["amount"] for r in previous.rows if r["amount-description"] == "Current Reserve Amount")
    assert reserved["ACCOUNT_LEVEL_RESERVE"] == minor(held) > 0
    assert parts["RESERVED"] == reserved["DEFERRED"] + reserved["ACCOUNT_LEVEL_RESERVE"]
    [deferred] = get(sim, BALANCES, marketplaceIds=[US], balanceType="DEFERRED")["balances"]
    assert deferred["balanceType"] == "DEFERRED" and "balances" not in deferred
    past = get(sim, BALANCES, marketplaceIds=[US], asOfDate=iso(t - 3 * DAY)[:10])["balances"][0]
    assert past["asOfDate"].startswith(iso(t - 3 * DAY)[:10]) and "lastUpdatedTime" not in past
    assert len(get(sim, BALANCES)["balances"]) == 6
    for params in ({"balanceType": "NOPE"}, {"asOfDate": iso(t + 3 * DAY)[:10]}, {"marketplaceIds": ["X"]}):
        with pytest.raises(SellingApiException) as err:
            get(sim, BALANCES, **params)
        assert err.value.code == 400


def test_payouts_one_per_settlement_in_transit_then_paid_or_failed(sim):
    payouts = sim.payouts()
    settlements = {s["settlementId"]: s for s in sim.settlements()}
    assert {p["id"] for p in payouts} == set(settlements)
    for p in payouts:
        s = settlements[p["id"]]
        assert p["relatedIdentifiers"] == [{"relatedIdentifierName": "SETTLEMENT_ID",
                                           "relatedIdentifierValue": p["id"]}]
        if amount(s["totalAmount"]) > 0:
            assert Decimal(str(p["amount"]["currencyAmount"])) == amount(s["totalAmount"])
            assert p["amount"]["currencyCode"] == s["currency"] and p["traceId"].startswith("AMZN")
        else:
            assert p["currentStatus"] == "NO_PAYOUT" and "amount" not in p
    # the next settlement closes: STARTED, then IN_TRANSIT until its deposit date, then PAID
    end = settle.period_bounds(sim.scenario, settle.period_of(sim.scenario, sim.now()))[1]
    sim.advance(seconds=end + settle.READY_AFTER + 7 * 3600 - sim.now())
    fresh = [p for p in get(sim, PAYOUTS, marketplaceIds=[DE])["payouts"] if p["id"] not in settlements]
    assert len(fresh) == 1 and fresh[0]["currentStatus"] == "IN_TRANSIT"
    [again] = get(sim, PAYOUTS, payoutId=fresh[0]["id"])["payouts"]
    assert again["traceId"] == fresh[0]["traceId"]
    us = next(p for p in sim.payouts() if p["id"] not in settlements and p["partnerMetadata"]["marketplaceId"] == US)
    before = get(sim, BALANCES, marketplaceIds=[US], balanceType="AVAILABLE")["balances"][0]
    failed = sim.fail_payout(us["id"])
    assert failed["currentStatus"] == "FAILED" and failed["statusHistory"][-1]["failureReason"]
    after = get(sim, BALANCES, marketplaceIds=[US], balanceType="AVAILABLE")["balances"][0]
    assert Decimal(str(after["amount"]["currencyAmount"])) - Decimal(str(before["amount"]["currencyAmount"])) \
        == Decimal(str(us["amount"]["currencyAmount"]))
    sim.advance(days=2)
    states = {p["id"]: p["currentStatus"] for p in get(sim, PAYOUTS)["payouts"]}
    assert states[fresh[0]["id"]] == "PAID" and states[us["id"]] == "FAILED"
    with pytest.raises(Exception):
        sim.fail_payout(fresh[0]["id"])
    page = call(sim, PAYOUTS)           # the client moves nextToken to .next_token
    assert len(page.payload["payouts"]) == 10 and page.next_token
    rest = get(sim, PAYOUTS, nextToken=page.next_token)["payouts"]
    assert len(page.payload["payouts"]) + len(rest) == len(sim.payouts())


def test_buyer_cancellation_request_on_an_unshipped_fbm_order(sim):
    orders = client(sim, Orders, version="2026-01-01")
    order = next(o for o in sim.orders_summary("UNSHIPPED") if o["fulfilledBy"] == "MERCHANT")
    since = iso(sim.now() - 60)
    sim.advance(minutes=5)
    assert sim.request_cancellation(order["orderId"], reason="Ordered by mistake") == "UNSHIPPED"
    sim.advance(minutes=5)
    found = orders.search_orders(lastUpdatedAfter=since, marketplaceIds=[order["marketplaceId"]],
                                 includedData=["CANCELLATION", "FULFILLMENT"]).payload
    [got] = [o for o in found["orders"] if o["orderId"] == order["orderId"]]
    assert got["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
    assert got["lastUpdatedTime"] > order["lastUpdatedTime"]
    for item in got["orderItems"]:
        assert item["cancellation"] == {"cancellationRequest": {"requester": "BUYER",
                                                                "cancelReason": "Ordered by mistake"}}
    plain = orders.get_order(order["orderId"]).payload["order"]
    assert all("cancellation" not in i for i in plain["orderItems"])
    fba = next(o for o in sim.orders_summary("UNSHIPPED") if o["fulfilledBy"] == "AMAZON")
    with pytest.raises(Exception):
        sim.request_cancellation(fba["orderId"])


def test_vat_invoice_data_report_shows_uploaded_invoices(sim):
    feeds, reports = client(sim, Feeds), client(sim, Reports)
    order = sim.scenario.by_id[next(o["orderId"] for o in sim.orders_summary("SHIPPED")
                                    if o["marketplaceId"] == DE and o["fulfilledBy"] == "MERCHANT")]

    def upload(number):
        return feeds.submit_feed("UPLOAD_VAT_INVOICE", io.BytesIO(b"%PDF-1.4\n%%EOF\n"),
                                 content_type="application/pdf", marketplaceIds=[DE],
                                 feedOptions={"metadata:orderid": order.order_id,
                                              "metadata:invoicenumber": number,
                                              "metadata:documenttype": "Invoice",
                                              "metadata:totalamount": "1.00"})[1]

    upload("RE-1")
    sim.advance(minutes=2)

    def vidr(**options):
        rid = reports.create_report(reportType="GET_FLAT_FILE_VAT_INVOICE_DATA_REPORT", marketplaceIds=[DE],
                                    dataStartTime=iso(order.created - 60), **options).payload["reportId"]
        for _ in range(2):
            state = reports.get_report(rid).payload
        text = reports.get_report_document(state["reportDocumentId"], download=True).payload["document"]
        lines = [l.split("\t") for l in text.split("\n") if l]
        return [dict(zip(lines[0], l)) for l in lines[1:]]

    rows = vidr()
    mine = [r for r in rows if r["order-id"] == order.order_id and r["transaction-type"] == "SHIPMENT"]
    assert mine and all(r["invoice-status"] == "InvoiceUploaded" and "RE-1" in r["invoice-status-description"]
                        for r in mine)
    assert mine[0]["shipping-id"] == order.ship_events()[0][3]
    assert {r["is-amazon-invoiced"] for r in rows} == {"false"}
    pending = vidr(reportOptions={"pendingInvoices": "true"})
    assert order.order_id not in {r["order-id"] for r in pending if r["transaction-type"] == "SHIPMENT"}
    assert pending and {r["invoice-status"] for r in pending} == {"InvoicePending"}
    with pytest.raises(SellingApiException) as err:
        reports.create_report(reportType="GET_FLAT_FILE_VAT_INVOICE_DATA_REPORT", marketplaceIds=[US])
    assert "MarketplaceIdList" in err.value.message
    sim.set_vcs_self_invoicing(False)
    feed = upload("RE-2")
    for _ in range(2):
        state = feeds.get_feed(feed.payload["feedId"]).payload
    result = json.loads(feeds.get_feed_result_document(state["resultFeedDocumentId"]))
    assert [i["code"] for i in result["issues"]] == ["FeatureNotAvailable"]
