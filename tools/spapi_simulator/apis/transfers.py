"""Transfers API 2024-06-01: listPayouts, one payout per closed settlement (payouts.py)."""

from .. import payouts
from ..errors import ScenarioError
from .base import Operation, stored_page
from .finances import _account_type_ok, _marketplaces

PAGE = 10


def list_payouts(sim, req):
    token = req.one("nextToken")
    if token:
        rows, offset, extra = stored_page(sim, token, "payouts", param="nextToken")
    else:
        ids = _marketplaces(req)
        after, before = req.time("createdAfter"), req.time("createdBefore")
        if after is not None and before is not None and before <= after:
            raise ScenarioError(400, "InvalidInput", "createdBefore must be after createdAfter.")
        rows = [] if not _account_type_ok(req, payouts.ACCOUNT_TYPE) else payouts.payouts(
            sim.scenario, req.now, sim.store.settlement, ids, after, before, req.one("payoutId"))
        offset, extra = 0, {"kind": "payouts"}
    chunk, next_token = sim.store.pages.page(rows, offset, PAGE, extra)
    out = {"payouts": chunk}
    if next_token:
        out["nextToken"] = next_token
    return 200, out


OPERATIONS = [
    Operation("GET", "/finances/transfers/2024-06-01/payouts", "listPayouts", list_payouts, 0.5, 10),
]
