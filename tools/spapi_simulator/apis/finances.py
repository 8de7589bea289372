"""Finances API 2024-06-19: listTransactions over the transactions of finances.py (the same
money events as the settlements)."""

from ..errors import ScenarioError
from ..finances import transactions
from .base import Operation, stored_page


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


OPERATIONS = [
    Operation("GET", "/finances/2024-06-19/transactions", "listTransactions", list_transactions,
              0.5, 10),
]
