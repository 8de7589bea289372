"""Finances API 2024-06-19: listTransactions over the transactions of finances.py (the same
money events as the settlements), listSummary (one summary per closed settlement, from the
file's own rows) and listBalances (the seller's money at Amazon at a date)."""

import re

from .. import finances, payouts
from .. import settlement as settle
from ..clock import DAY, day_floor, parse_iso
from ..const import MARKETPLACE_BY_ID, MARKETPLACES
from ..errors import ScenarioError
from ..finances import transactions
from .base import Operation, stored_page

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SUMMARY_PAGE = 20


def _day(req, name, end=False):
    """A `format: date` parameter (a date-time is taken too) as epoch seconds: the start of the
    day, or its last second with `end`."""
    value = req.one(name)
    if value in (None, ""):
        return None
    try:
        t = parse_iso(value)
    except ValueError:
        raise ScenarioError(400, "InvalidInput", "%s must be an ISO-8601 date (YYYY-MM-DD): %s"
                            % (name, value))
    return t + DAY - 1 if end and _DATE.match(value.strip()) else t


def _marketplaces(req):
    ids = req.many("marketplaceIds")
    bad = [m for m in ids if m not in MARKETPLACE_BY_ID]
    if bad:
        raise ScenarioError(400, "InvalidInput", "Invalid marketplaceIds: %s" % ",".join(bad))
    return ids


def _account_type_ok(req, accepted):
    value = req.one("accountType")
    return value in (None, "") or value.replace("_", " ").lower() == accepted.replace("_", " ").lower()


def list_transactions(sim, req):
    token = req.one("nextToken")
    if token:
        rows, offset, extra = stored_page(sim, token, "transactions", param="nextToken")
    else:
        after, before = req.time("postedAfter"), req.time("postedBefore")
        if after is None:
            raise ScenarioError(400, "InvalidInput", "Start date cannot be null",)
        before = min(before if before is not None else req.now, req.now - 120)
        if after >= before:
            raise ScenarioError(400, "InvalidInput", "postedAfter must be before postedBefore.")
        rows = transactions(sim.scenario, req.now, after, before,
                            req.one("marketplaceId"), req.one("transactionStatus"))
        offset, extra = 0, {"kind": "transactions"}
    chunk, next_token = sim.store.pages.page(rows, offset, 100, extra)
    payload = {"transactions": chunk}
    if next_token:
        payload["nextToken"] = next_token
    return 200, {"payload": payload}


def list_summary(sim, req):
    token = req.one("nextToken")
    if token:
        rows, offset, extra = stored_page(sim, token, "summaries", param="nextToken")
    else:
        ids = _marketplaces(req)
        name, value = req.one("relatedIdentifierName"), req.one("relatedIdentifierValue")
        if bool(name) != bool(value):
            raise ScenarioError(400, "InvalidInput",
                                "relatedIdentifierName and relatedIdentifierValue go together.")
        if name and name != "SETTLEMENT_ID":
            raise ScenarioError(400, "InvalidInput",
                                "Invalid relatedIdentifierName %s: only SETTLEMENT_ID." % name)
        start, end = _day(req, "periodStart"), _day(req, "periodEnd", end=True)
        if start is not None and end is not None and end < start:
            raise ScenarioError(400, "InvalidInput", "periodEnd is before periodStart.")
        rows = [] if not _account_type_ok(req, finances.ACCOUNT_TYPE) else finances.summaries(
            sim.scenario, req.now, sim.store.settlement, ids, value, start, end)
        offset, extra = 0, {"kind": "summaries"}
    chunk, next_token = sim.store.pages.page(rows, offset, SUMMARY_PAGE, extra)
    out = {"summaries": chunk}
    if next_token:
        out["nextToken"] = next_token
    return 200, out


def _fresh(sim):
    return lambda code, k: settle.build(sim.scenario, code, k)


def list_balances(sim, req):
    if req.one("nextToken"):
        raise ScenarioError(400, "InvalidInput", "Invalid nextToken.")
    ids = _marketplaces(req)
    kind = req.one("balanceType") or "TOTAL"
    if kind not in finances.BALANCE_TYPES:
        raise ScenarioError(400, "InvalidInput", "Invalid balanceType %s (one of %s)."
                            % (kind, ", ".join(finances.BALANCE_TYPES)))
    as_of = _day(req, "asOfDate", end=True)
    if as_of is not None and day_floor(as_of) > day_floor(req.now):
        raise ScenarioError(400, "InvalidInput", "asOfDate cannot be in the future.")
    t = req.now if as_of is None else min(as_of, req.now)
    out = []
    if _account_type_ok(req, finances.ACCOUNT_TYPE):
        for market in MARKETPLACES:
            if ids and market.id not in ids:
                continue
            failed = payouts.failed_amount(sim.scenario, market.code, t, sim.store.settlement)
            # open periods are built afresh (later shipments change them), never cached
            parts, last = finances.balance_parts(sim.scenario, market.code, t, _fresh(sim), failed)
            out.append(finances.balance(market, parts, kind,
                                        as_of=day_floor(as_of) if as_of is not None else None,
                                        updated=last if last is not None else t))
    return 200, {"balances": out}


OPERATIONS = [
    Operation("GET", "/finances/2024-06-19/transactions", "listTransactions", list_transactions,
              0.5, 10),
    Operation("GET", "/finances/2024-06-19/summary", "listSummary", list_summary, 0.5, 10),
    Operation("GET", "/finances/2024-06-19/balances", "listBalances", list_balances, 0.5, 10),
]
