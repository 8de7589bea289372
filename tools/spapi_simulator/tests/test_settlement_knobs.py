"""Settlement situations switched on by the scenario's knobs (settlement.KNOBS): negative
settlements and their debt, multi-channel fulfilment fees, customer-return reimbursements, split
row blocks, refunds before their sale; and periods spanning two calendar months."""

import re
import time

import pytest

from spapi_simulator import settlement as settle
from spapi_simulator.clock import DAY
from spapi_simulator.scenario import Scenario
from spapi_simulator.testing import START, amount, make_sim, parse_settlement

NOW = START + 40 * DAY


def scenario(**knobs):
    return Scenario(seed=7, orders=400, start=START, settlements=knobs)


def files(sc, code):
    """[(Settlement, summary, rows)] of every closed period of a marketplace, parsed back."""
    out = []
    for k in settle.closed_periods(sc, NOW):
        s = settle.build(sc, code, k)
        summary, rows = parse_settlement(settle.render(s))
        assert sum(amount(r["amount"]) for r in rows) == amount(summary["total-amount"])
        out.append((s, summary, rows))
    return out


def described(rows, description):
    return [r for r in rows if r["amount-description"] == description]


def blocks(rows, key):
    """How many runs of consecutive rows have `key(row)` true."""
    runs, inside = 0, False
    for row in rows:
        if key(row) and not inside:
            runs += 1
        inside = key(row)
    return runs


# === Negative settlements === #

def test_negative_settlement_is_carried_into_the_next_with_the_card_charge():
    sc = scenario(negative=[1], charge=[2])
    (_s0, _, _), (s1, summary1, _), (s2, _, rows2), *_rest = files(sc, "US")
    assert s1.total < 0 and amount(summary1["total-amount"]) < 0
    assert summary1["deposit-date"] == time.strftime("%Y-%m-%d %H:%M:%S UTC",
                                                     time.gmtime(s1.end + 2 * DAY))
    (payable,) = described(rows2, "Payable to Amazon")
    (charge,) = described(rows2, "Successful charge")
    assert (payable["transaction-type"], payable["amount-type"]) == ("other-transaction",
                                                                     "other-transaction")
    assert (charge["transaction-type"], charge["amount-type"]) == ("other-transaction",
                                                                   "other-transaction")
    assert amount(payable["amount"]) == amount(summary1["total-amount"])
    assert amount(charge["amount"]) == -amount(summary1["total-amount"])
    assert payable["order-id"] == "" and payable["marketplace-name"] == "amazon.com"


def test_uncharged_debt_lowers_the_next_payout():
    charged = scenario(negative=[1], charge=1)
    uncharged = scenario(negative=[1], charge=0)
    debt = settle.build(charged, "DE", 1).total
    assert debt < 0 and settle.build(uncharged, "DE", 1).total == debt
    rows = parse_settlement(settle.render(settle.build(uncharged, "DE", 2)))[1]
    assert described(rows, "Successful charge") == []
    assert [r["amount"] for r in described(rows, "Payable to Amazon")] == ["-198,10"]
    assert debt == -19810, "seeded: the same debt on every run"
    assert settle.build(uncharged, "DE", 2).total - settle.build(charged, "DE", 2).total == debt


def test_negative_by_probability_is_seeded_and_no_debt_rows_without_a_negative():
    first = [settle.build(scenario(negative=0.5), "UK", k).total for k in range(3)]
    again = [settle.build(scenario(negative=0.5), "UK", k).total for k in range(3)]
    assert first == again
    plain = scenario()
    for code in ("US", "DE", "UK", "JP"):
        chain = settle.build_chain(plain, code, 2)
        for before, after in zip(chain, chain[1:]):
            debt = [r for r in after.rows if r["amount-description"] == "Payable to Amazon"]
            assert bool(debt) == (before.total < 0), (code, after.k)


# === Multi-channel fulfilment === #

def test_mcf_rows_are_fees_of_non_amazon_orders():
    """Multi-channel orders as Amazon writes them (S01- ids, CONSUMER- merchant ids, a 0.00
    price, the fulfilment fee, an order-level transportation fee), never orders of the scenario."""
    sc = scenario(mcf=1)
    for code in ("US", "DE"):
        for _s, _summary, rows in files(sc, code):
            mcf = [r for r in rows if r["marketplace-name"] == "Non-Amazon %s" % code]
            assert mcf, "every period has multi-channel orders when forced"
            by_order = {}
            for row in mcf:
                assert re.fullmatch(r"S01-\d{7}-\d{7}", row["order-id"])
                assert row["order-id"] not in sc.by_id
                assert row["merchant-order-id"].startswith("CONSUMER-")
                by_order.setdefault(row["order-id"], []).append(row)
            for order_rows in by_order.values():
                codes = {(r["amount-type"], r["amount-description"]): r for r in order_rows}
                assert set(codes) == {("ItemPrice", "Principal"),
                                      ("ItemFees", "FBAPerUnitFulfillmentFee"),
                                      ("Shipment-Fees", "FBA transportation fee")}
                price = codes[("ItemPrice", "Principal")]
                assert amount(price["amount"]) == 0 and price["sku"] and price["order-item-code"]
                assert price["merchant-order-item-id"]
                assert amount(codes[("ItemFees", "FBAPerUnitFulfillmentFee")]["amount"]) < 0
                transport = codes[("Shipment-Fees", "FBA transportation fee")]
                assert amount(transport["amount"]) < 0
                assert not transport["sku"] and not transport["order-item-code"]
    plain_rows = [r for _s, _m, rows in files(scenario(), "US") for r in rows]
    assert not [r for r in plain_rows if r["marketplace-name"].startswith("Non-Amazon")]


# === Reimbursements === #

def test_return_reimbursement_reuses_the_refund_ids_and_may_be_reversed():
    sc = scenario(return_reimbursement=1, reversal=1)
    refunds, reimbursed, reversed_ = {}, {}, {}
    for code in ("US", "CA", "DE", "FR", "UK", "JP"):
        for s, _summary, rows in files(sc, code):
            for row in rows:
                ids = (row["order-id"], row["adjustment-id"])
                if row["transaction-type"] == "Refund":
                    refunds.setdefault(ids, s.k)
                elif row["amount-description"] == "FBA Inventory Reimbursement - Customer Return":
                    assert (row["transaction-type"], row["amount-type"]) == ("Adjustment",
                                                                             "other-transaction")
                    assert amount(row["amount"]) > 0 and row["sku"]
                    reimbursed[ids] = (s.k, amount(row["amount"]))
                elif row["amount-description"] == "REVERSAL_REIMBURSEMENT":
                    reversed_[ids] = (s.k, amount(row["amount"]))
    assert reimbursed and reversed_
    for ids, (k, value) in reimbursed.items():
        assert ids in refunds and refunds[ids] <= k, ids
    for ids, (k, value) in reversed_.items():
        assert ids in reimbursed and reimbursed[ids][0] <= k and value == -reimbursed[ids][1]


def test_warehouse_damage_forced_has_a_sku_and_no_order():
    for _s, _summary, rows in files(scenario(warehouse_damage=1), "US"):
        (damage,) = described(rows, "WAREHOUSE_DAMAGE")
        assert damage["transaction-type"] == "Adjustment" and damage["order-id"] == ""
        assert damage["sku"].startswith("SIM-") and damage["adjustment-id"].startswith("RMB")
    for _s, _summary, rows in files(scenario(warehouse_damage=0), "US"):
        assert described(rows, "WAREHOUSE_DAMAGE") == []


# === Split blocks, refunds before their sale === #

def test_split_puts_one_order_item_in_two_blocks_of_the_file():
    split = 0
    for _s, _summary, rows in files(scenario(split=1), "US"):
        for code in {r["order-item-code"] for r in rows if r["transaction-type"] == "Order"} - {""}:
            item_rows = [r for r in rows if r["order-item-code"] == code]
            if blocks(rows, lambda r, c=code: r["order-item-code"] == c) >= 2:
                split += 1
                first = item_rows[0]
                assert (first["amount-type"], first["amount-description"]) == ("ItemPrice", "Principal")
                assert item_rows[-1]["amount-type"] != "ItemPrice"
    assert split >= 5
    for _s, _summary, rows in files(scenario(), "US"):
        for code in {r["order-item-code"] for r in rows} - {""}:
            assert blocks(rows, lambda r, c=code: r["order-item-code"] == c) <= 2


def test_late_sale_same_file_posts_the_refund_first():
    found = 0
    for _s, _summary, rows in files(scenario(late_sale="same"), "US"):
        for index, row in enumerate(rows):
            if row["transaction-type"] == "Refund":
                later = [r for r in rows[index:] if r["transaction-type"] == "Order"
                         and r["order-item-code"] == row["order-item-code"]]
                found += bool(later)
    assert found >= 1


def test_late_sale_next_posts_the_sale_in_a_later_settlement():
    refund_k, sale_k = {}, {}
    for s, _summary, rows in files(scenario(late_sale="next"), "DE"):
        for row in rows:
            key = row["order-item-code"]
            if row["transaction-type"] == "Refund":
                refund_k.setdefault(key, s.k)
            elif row["transaction-type"] == "Order" and row["amount-description"] == "Principal":
                sale_k.setdefault(key, s.k)
    later = [key for key in refund_k if key in sale_k and sale_k[key] > refund_k[key]]
    assert later


# === Two calendar months === #

def test_a_settlement_spans_two_calendar_months():
    sc = scenario()
    spanning = []
    for s, summary, rows in files(sc, "US"):
        months = {r["posted-date"][:7] for r in rows}
        if time.gmtime(s.start).tm_mon != time.gmtime(s.end - 1).tm_mon and len(months) == 2:
            spanning.append((summary["settlement-start-date"], summary["settlement-end-date"],
                             sorted(months)))
    # START is 2026-05-28: the periods run from 2026-04-28 by 14 days
    assert ("2026-05-26 00:00:00 UTC", "2026-06-08 23:59:59 UTC",
            ["2026-05", "2026-06"]) in spanning


# === Knobs === #

def test_knobs_are_parsed_and_checked():
    assert settle.parse_knobs("negative=k1+3,mcf=1,late_sale=same,split=0.25") == {
        "negative": [1, 3], "mcf": 1.0, "late_sale": "same", "split": 0.25}
    with pytest.raises(ValueError):
        settle.parse_knobs("nonsense=1")
    with pytest.raises(ValueError):
        Scenario(seed=1, orders=1, start=START, settlements={"negativ": 1})


def test_simulator_serves_the_knobs_settlements():
    sim = make_sim(seed=3, orders=40, rate_limits=False, settlements={"negative": [1], "mcf": 1})
    try:
        summaries = sim.settlements()
        negative = [s for s in summaries if s["startDate"] == "2026-05-12T00:00:00Z"]
        assert len(negative) == 6, "one per marketplace"
        assert all(amount(s["totalAmount"]) < 0 for s in negative)
    finally:
        sim.stop()
