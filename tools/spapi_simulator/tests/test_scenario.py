"""Scenario invariants, without HTTP: determinism, coverage, transitions, mutations,
inventory, settlements, money helpers."""

import pytest

from spapi_simulator.clock import DAY
from spapi_simulator.money import prorate
from spapi_simulator.scenario import ALL_INCLUDED, Scenario, ScenarioError, render_order
from spapi_simulator import settlement as settle
from spapi_simulator.testing import START, amount, parse_settlement

ALL = set(ALL_INCLUDED)


@pytest.fixture(scope="module")
def big():
    return Scenario(seed=7, orders=400, start=START)


def _render_all(scenario, now):
    return [render_order(o, now, ALL) for o in scenario.orders if o.created <= now]


def test_same_seed_same_scenario_other_seed_other_scenario():
    a, b, c = (Scenario(seed=s, orders=60, start=START) for s in (3, 3, 4))
    now = START + 3 * DAY
    assert _render_all(a, now) == _render_all(b, now)
    assert [o.order_id for o in a.orders] != [o.order_id for o in c.orders]
    assert len(a.orders) == 60


def test_scenario_covers_what_a_seller_sees(big):
    now = START + 8 * DAY
    orders = [o for o in big.orders if o.created <= now]
    currencies = {o.currency for o in orders}
    assert {"USD", "CAD", "EUR", "GBP", "JPY"} <= currencies
    assert {o.market.code for o in orders} >= {"US", "CA", "DE", "FR", "UK", "JP"}
    assert {o.channel for o in orders} == {"FBA", "FBM"}
    assert any(len(o.items) >= 3 for o in orders)
    assert any(i.qty > 1 for o in orders for i in o.items)
    assert any(i.promotion_ids for o in orders for i in o.items)
    assert any(i.shipping for o in orders for i in o.items)
    assert any(i.gift for o in orders for i in o.items)
    business = [o for o in orders if o.business]
    assert business and all(o.buyer.get("buyerCompanyName") for o in business)
    na_fba = [o for o in orders if o.channel == "FBA" and o.market.region == "NA"]
    assert na_fba and all("buyerName" not in render_order(o, now, ALL).get("buyer", {}) for o in na_fba)
    replacements = [o for o in orders if o.replacement_of]
    assert replacements
    for o in replacements:
        assert o.replacement_of in big.by_id
        assert big.by_id[o.replacement_of].created < o.created
        rendered = render_order(o, now, ALL)
        assert rendered["associatedOrders"] == [{"orderId": o.replacement_of,
                                                 "associationType": "REPLACEMENT_ORIGINAL_ID"}]
    statuses = {o.status(now)[0] for o in orders}
    assert {"PENDING", "UNSHIPPED", "SHIPPED", "CANCELLED"} <= statuses or \
        {"UNSHIPPED", "SHIPPED", "CANCELLED"} <= statuses


def test_some_parcels_go_to_another_person_at_home_or_elsewhere(big):
    """Gift orders as on a real order report: the recipient's name is not the buyer's, at the
    buyer's address (as another order of the scenario would give it) or at another one."""
    now = START + 8 * DAY
    fbm = [render_order(o, now, ALL) for o in big.orders
           if o.channel == "FBM" and o.buyer.get("buyerName") and not o.business and o.created <= now]
    fbm = [o for o in fbm if "recipient" in o]  # (pending orders name nobody yet)
    gifts = [o for o in fbm if o["recipient"]["deliveryAddress"]["name"] != o["buyer"]["buyerName"]]
    assert 0.05 < len(gifts) / len(fbm) < 0.3
    for order in gifts:
        address = order["recipient"]["deliveryAddress"]
        assert address["phone"] and address["addressLine1"]
        assert all(item["fulfillment"]["packing"]["giftOption"]["giftMessage"]
                   for item in order["orderItems"])


def test_order_totals_add_up(big):
    now = START + 8 * DAY
    for order in _render_all(big, now):
        if "proceeds" not in order:
            continue
        items_total = sum(float(i["proceeds"]["proceedsTotal"]["amount"]) for i in order["orderItems"])
        assert abs(float(order["proceeds"]["grandTotal"]["amount"]) - items_total) < 0.001
        for item in order["orderItems"]:
            parts = sum(float(b["subtotal"]["amount"]) for b in item["proceeds"]["breakdowns"])
            assert abs(parts - float(item["proceeds"]["proceedsTotal"]["amount"])) < 0.001


def test_status_moves_with_time_and_last_updated_follows(big):
    arriving = [o for o in big.orders if o.created > START and o.channel == "FBA"
                and o.cancel_at is None and not o.replacement_of]
    assert arriving
    order = arriving[0]
    assert order.status(order.created - 1) == (None, None)
    assert order.status(order.created) == ("PENDING", order.created)
    assert order.status(order.unshipped_at) == ("UNSHIPPED", order.unshipped_at)
    assert order.status(order.auto_ship_at - 1)[0] == "UNSHIPPED"
    assert order.status(order.auto_ship_at) == ("SHIPPED", order.auto_ship_at)
    rendered = render_order(order, order.auto_ship_at + 10, ALL)
    assert rendered["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
    assert all(i["fulfillment"]["quantityUnfulfilled"] == 0 for i in rendered["orderItems"])
    pending = render_order(order, order.created, ALL)
    assert "proceeds" not in pending and "recipient" not in pending


def test_scheduled_cancellation(big):
    cancelled = [o for o in big.orders if o.cancel_at is not None and not o.replacement_of]
    assert cancelled
    for order in cancelled:
        status, updated = order.status(order.cancel_at + DAY * 60)
        assert status == "CANCELLED" and updated == order.cancel_at
        assert order.ship_events() == []


def _unshipped_fbm(scenario, now, lines=1, qty=1):
    for o in scenario.orders:
        if o.channel == "FBM" and o.status(now)[0] == "UNSHIPPED" and len(o.items) >= lines \
                and o.items[0].qty >= qty and o.cancel_at is None:
            return o
    raise AssertionError("no unshipped FBM order")


def _body(order, items, ref="1", **detail):
    package = {"packageReferenceId": ref, "carrierCode": "UPS", "trackingNumber": "1Z999",
               "shipDate": "2026-05-28T20:00:00Z",
               "orderItems": [{"orderItemId": i, "quantity": q} for i, q in items]}
    package.update(detail)
    return {"marketplaceId": order.market.id, "packageDetail": package}


def test_confirm_shipment_partial_then_full_and_rejections():
    scenario = Scenario(seed=11, orders=300, start=START)
    now = START + 60
    order = _unshipped_fbm(scenario, now, qty=2)
    first = order.items[0]
    with pytest.raises(ScenarioError) as err:
        scenario.confirm_shipment("000-0000000-0000000", _body(order, [(first.item_id, 1)]), now)
    assert err.value.status == 404
    bad_cases = [
        _body(order, [("99999999999999", 1)]),                         # wrong item
        _body(order, [(first.item_id, first.qty + 1)]),                 # over-shipping
        _body(order, [(first.item_id, 0)]),                             # zero quantity
        _body(order, [(first.item_id, 1)], carrierCode=""),             # missing carrier
        _body(order, [(first.item_id, 1)], carrierCode="Other"),        # Other without name
        _body(order, [(first.item_id, 1)], ref="abc"),                  # bad reference
        dict(_body(order, [(first.item_id, 1)]), marketplaceId="A1VC38T7YXB528"),
    ]
    for body in bad_cases:
        with pytest.raises(ScenarioError) as err:
            scenario.confirm_shipment(order.order_id, body, now)
        assert err.value.status == 400, body
    assert order.status(now)[0] == "UNSHIPPED"
    scenario.confirm_shipment(order.order_id, _body(order, [(first.item_id, 1)]), now)
    status, updated = order.status(now)
    assert status == "PARTIALLY_SHIPPED" and updated == int(now)
    with pytest.raises(ScenarioError):      # same package reference twice
        scenario.confirm_shipment(order.order_id, _body(order, [(first.item_id, 1)]), now + 5)
    rest = [(i.item_id, i.qty - (1 if i is first else 0)) for i in order.items]
    scenario.confirm_shipment(order.order_id, _body(order, [r for r in rest if r[1]], ref="2",
                                                    carrierCode="Other", carrierName="Local"), now + 10)
    assert order.status(now + 10) == ("SHIPPED", int(now + 10))
    rendered = render_order(order, now + 10, ALL)
    assert [p["packageReferenceId"] for p in rendered["packages"]] == ["1", "2"]
    assert rendered["packages"][1]["carrier"] == "Local"
    with pytest.raises(ScenarioError):      # nothing left to ship
        scenario.confirm_shipment(order.order_id, _body(order, [(first.item_id, 1)], ref="3"), now + 20)
    fba = next(o for o in scenario.orders if o.channel == "FBA" and o.created < now)
    with pytest.raises(ScenarioError) as err:
        scenario.confirm_shipment(fba.order_id, _body(fba, [(fba.items[0].item_id, 1)]), now)
    assert "fulfilled by Amazon" in err.value.message


def test_cancel_via_control_only_before_shipping():
    scenario = Scenario(seed=12, orders=200, start=START)
    now = START + 60
    order = _unshipped_fbm(scenario, now)
    scenario.cancel(order.order_id, now)
    assert order.status(now + 1) == ("CANCELLED", int(now))
    with pytest.raises(ScenarioError):
        scenario.cancel(order.order_id, now + 2)
    shipped = next(o for o in scenario.orders if o.status(now)[0] == "SHIPPED")
    with pytest.raises(ScenarioError):
        scenario.cancel(shipped.order_id, now)


def test_fbm2_profile_is_what_benchmarks_need():
    scenario = Scenario(seed=1, orders=2000, start=START, profile="fbm2")
    assert len(scenario.orders) == 2000
    assert all(o.channel == "FBM" and len(o.items) == 2 for o in scenario.orders)
    assert all(o.status(START)[0] == "UNSHIPPED" for o in scenario.orders)
    assert 1 <= len({o.market.code for o in scenario.orders}) <= 2
    assert len({o.order_id for o in scenario.orders}) == 2000


def test_fba_inventory_moves_with_fba_orders(big):
    before = {r["sku"]: r for r in big.inventory("US", START)}
    later = {r["sku"]: r for r in big.inventory("US", START + 8 * DAY)}
    shipped = {}
    for o in big.orders:
        if o.market.code == "US" and o.channel == "FBA":
            for item in o.items:
                moved = (o.status(START + 8 * DAY)[0] == "SHIPPED") - (o.status(START)[0] == "SHIPPED")
                shipped[item.sku] = shipped.get(item.sku, 0) + moved * item.qty
    assert any(shipped.values())
    for sku, row in later.items():
        assert row["fulfillable"] >= 0
        received = sum(s.quantity for s in big.inbound if s.code == "US" and s.sku == sku
                       and s.stage(START) != "received" and s.stage(START + 8 * DAY) == "received")
        total_before = before[sku]["fulfillable"] + before[sku]["reserved"]
        total_after = row["fulfillable"] + row["reserved"]
        assert total_before - total_after == shipped.get(sku, 0) - received


def test_settlements_hold_the_summary_invariant_and_match_shipments(big):
    now = START + 40 * DAY
    periods = settle.closed_periods(big, now)
    assert len(periods) >= 4
    for code in ("US", "CA", "DE", "FR", "UK", "JP"):
        principal_rows = 0
        for k in periods:
            s = settle.build(big, code, k)
            summary, rows = parse_settlement(settle.render(s))
            assert summary["settlement-id"] == s.settlement_id and summary["transaction-type"] == ""
            assert sum(amount(r["amount"]) for r in rows) == amount(summary["total-amount"])
            assert {r["currency"] for r in rows} <= {s.currency}
            if code in ("DE", "FR"):
                assert "," in summary["total-amount"] and "." in summary["settlement-start-date"]
            principal_rows += sum(amount(r["amount"]) for r in rows if r["transaction-type"] == "Order"
                                  and r["amount-type"] == "ItemPrice" and r["amount-description"] == "Principal")
        start, end = settle.period_bounds(big, periods[0])[0], settle.period_bounds(big, periods[-1])[1]
        expected = 0
        for o in big.orders:
            if o.market.code == code and not o.replacement_of:
                for t, item, qty, ref in o.ship_events():
                    if start <= t < end:
                        expected += prorate(item.principal, 0, qty, item.qty) if qty == item.qty else 0
        assert principal_rows * (1 if code == "JP" else 100) == expected


def test_settlements_carry_every_kind_of_row(big):
    now = START + 40 * DAY
    kinds = set()
    for code in ("US", "DE", "UK"):
        for k in settle.closed_periods(big, now):
            for row in settle.build(big, code, k).rows:
                kinds.add((row["transaction-type"], row["amount-type"], row["amount-description"]))
    for wanted in [("Order", "ItemPrice", "Principal"), ("Order", "ItemFees", "Commission"),
                   ("Order", "ItemFees", "FBAPerUnitFulfillmentFee"), ("Order", "Promotion", "Principal"),
                   ("Order", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal"),
                   ("Refund", "ItemPrice", "Principal"), ("ServiceFee", "other-transaction", "Subscription Fee"),
                   ("Transfer", "other-transaction", "Current Reserve Amount"),
                   ("Transfer", "other-transaction", "Previous Reserve Amount Balance")]:
        assert wanted in kinds, wanted
    assert any(k[0] == "Adjustment" for k in kinds)


def test_prorated_shares_add_up_exactly():
    for total, of in [(1001, 3), (5, 7), (123456, 5), (-999, 4)]:
        shares = [prorate(total, n, 1, of) for n in range(of)]
        assert sum(shares) == total
        assert prorate(total, 0, of, of) == total
