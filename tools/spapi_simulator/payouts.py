"""Transfers 2024-06-01 `listPayouts`: one payout per settlement, the deposit of its total.

A settlement closes (its report appears) READY_AFTER after its period: the payout is STARTED
then, IN_TRANSIT six hours later (when the bank trace id appears) and PAID at the settlement's
deposit date.  A settlement of zero or negative total has a NO_PAYOUT payout without amount
(its debt is carried into the next settlement).  `fail_payout` makes a payout that is not PAID
yet FAILED; the money is then back in the seller's AVAILABLE balance (finances.py)."""

import zlib

from . import settlement as settle
from .clock import iso
from .const import MARKETPLACES, SELLER_ID
from .errors import ScenarioError
from .finances import _amount

ACCOUNT_TYPE = "STANDARD_ORDERS"
IN_TRANSIT_AFTER = 6 * 3600
FAILURE_REASON = "The bank rejected the deposit: the account is closed."
# The payment network of the seller's deposit method, per marketplace
RAILS = {"US": "ACH", "CA": "EFT", "DE": "SEPA", "FR": "SEPA", "UK": "BACS", "JP": "ZENGIN"}


def trace_id(settlement_id):
    """Amazon's bank trace id of a payout: AMZN + 11 digits, the same for the same settlement."""
    return "AMZN%011d" % (zlib.crc32(("trace-%s" % settlement_id).encode()) % 10 ** 11)


def account_tail(code):
    return "%04d" % (zlib.crc32(("tail-%s" % code).encode()) % 10000)


def find(scenario, now, settlement_id):
    """(code, k) of a settlement closed at `now`, or ScenarioError 404."""
    for market in MARKETPLACES:
        for k in settle.closed_periods(scenario, now):
            if settle.settlement_id(scenario, market.code, k) == settlement_id:
                return market.code, k
    raise ScenarioError(404, "NotFound", "No closed settlement %s." % settlement_id)


def status_history(settlement, failed, now):
    created = settlement.end + settle.READY_AFTER
    if settlement.total <= 0:
        return [{"status": "NO_PAYOUT", "lastUpdatedDate": iso(created)}]
    steps = [("STARTED", created), ("IN_TRANSIT", created + IN_TRANSIT_AFTER)]
    if failed is not None:
        steps.append(("FAILED", failed[0]))
    else:
        steps.append(("PAID", settlement.deposit))
    out = []
    for status, at in steps:
        if at <= now:
            entry = {"status": status, "lastUpdatedDate": iso(at)}
            if status == "FAILED":
                entry["failureReason"] = failed[1]
            out.append(entry)
    return out


def payout(scenario, settlement, now):
    """The Payout object of a closed settlement at `now`."""
    failed = scenario.failed_payouts.get(settlement.settlement_id)
    history = status_history(settlement, failed, now)
    out = {"id": settlement.settlement_id,
           "partnerMetadata": {"partnerId": SELLER_ID, "accountType": ACCOUNT_TYPE,
                               "marketplaceId": settlement.market.id},
           "currentStatus": history[-1]["status"], "statusHistory": history}
    if settlement.total > 0:
        out.update({"type": "SCHEDULED", "amount": _amount(settlement.total, settlement.currency),
                    "accountTail": account_tail(settlement.code), "paymentMethod": "BANK_ACCOUNT"})
    out["creationDate"] = history[0]["lastUpdatedDate"]
    if settlement.total > 0:
        out["paymentRail"] = RAILS[settlement.code]
        if len(history) > 1:
            out["traceId"] = trace_id(settlement.settlement_id)
    out["period"] = {"startDate": iso(settlement.start), "endDate": iso(settlement.end - 1)}
    out["relatedIdentifiers"] = [{"relatedIdentifierName": "SETTLEMENT_ID",
                                  "relatedIdentifierValue": settlement.settlement_id}]
    return out


def payouts(scenario, now, get, marketplace_ids=(), after=None, before=None, payout_id=None):
    """Payouts created by `now`, grouped by marketplace (account group), the most recent first
    within each; `get(code, k)` builds a settlement."""
    out = []
    closed = settle.closed_periods(scenario, now)
    for market in MARKETPLACES:
        if marketplace_ids and market.id not in marketplace_ids:
            continue
        group = []
        for k in reversed(closed):
            sid = settle.settlement_id(scenario, market.code, k)
            if payout_id and sid != payout_id:
                continue
            created = settle.period_bounds(scenario, k)[1] + settle.READY_AFTER
            if (after is not None and created < after) or (before is not None and created >= before):
                continue
            group.append(payout(scenario, get(market.code, k), now))
        out += group
    return out


def fail(scenario, now, get, settlement_id, reason=None):
    """The payout of a closed settlement fails now (or when it reaches IN_TRANSIT, if later):
    refused for a payout already PAID or without payout."""
    code, k = find(scenario, now, settlement_id)
    s = get(code, k)
    if s.total <= 0:
        raise ScenarioError(400, "InvalidInput", "Settlement %s has no payout." % settlement_id)
    if s.deposit <= now:
        raise ScenarioError(400, "InvalidInput", "The payout of settlement %s is already PAID."
                            % settlement_id)
    at = max(int(now), s.end + settle.READY_AFTER + IN_TRANSIT_AFTER)
    scenario.failed_payouts[settlement_id] = (at, reason or FAILURE_REASON)
    return payout(scenario, s, max(now, at))


def failed_amount(scenario, code, t, get):
    """Σ of the payouts of a marketplace that failed by `t` (their money is back at Amazon)."""
    total = 0
    for k in settle.closed_periods(scenario, t):
        sid = settle.settlement_id(scenario, code, k)
        failed = scenario.failed_payouts.get(sid)
        if failed is not None and failed[0] <= t:
            total += get(code, k).total
    return total
