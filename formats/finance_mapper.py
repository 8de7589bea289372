"""Amazon's own numbers (Finances 2024-06-19 listSummary, Transfers 2024-06-01 listPayouts) →
plain values, in ``Decimal``. Pure, no ORM."""

from dataclasses import dataclass, field
from decimal import Decimal

from ..utils import parse_datetime


def _money(amount):
    return Decimal(str((amount or {}).get("currencyAmount", 0)))


def _related(record, name="SETTLEMENT_ID"):
    return [related.get("relatedIdentifierValue")
            for related in record.get("relatedIdentifiers") or []
            if related.get("relatedIdentifierName") == name]


@dataclass
class Summary:
    """Amazon's summary of a settlement: its net proceeds and its top-level breakdown
    (``Sales``, ``Refunds``, ``Expenses``... → amount)."""

    net: Decimal
    currency: str
    breakdown: dict = field(default_factory=dict)


def read_summary(summaries, settlement_id):
    """The :class:`Summary` of ``settlement_id`` among ``listSummary``'s summaries, or None."""
    for raw in summaries or []:
        if settlement_id in _related(raw):
            net = raw.get("netProceeds") or {}
            return Summary(net=_money(net), currency=net.get("currencyCode"), breakdown={
                item.get("breakdownType"): _money(item.get("breakdownAmount"))
                for item in raw.get("breakdowns") or []})
    return None


@dataclass
class Payout:
    ref: str
    status: str
    trace: str = None
    amount: Decimal = None
    currency: str = None
    failure: str = None
    changed_at: object = None


def read_payouts(payouts):
    """{settlement id: :class:`Payout`} of ``listPayouts``' payouts."""
    found = {}
    for raw in payouts or []:
        history = raw.get("statusHistory") or []
        failure = next((step.get("failureReason") for step in reversed(history)
                        if step.get("status") == "FAILED"), None)
        amount = raw.get("amount") or {}
        payout = Payout(
            ref=raw.get("id"), status=raw.get("currentStatus"), trace=raw.get("traceId"),
            amount=_money(amount) if amount else None, currency=amount.get("currencyCode"),
            failure=failure,
            changed_at=parse_datetime(history[-1]["lastUpdatedDate"])
            if history and history[-1].get("lastUpdatedDate") else None)
        for settlement_id in _related(raw):
            found[settlement_id] = payout
    return found


def read_balance(balances, marketplace_id):
    """{balance type: amount} (``TOTAL``, ``AVAILABLE``, ``RESERVED``, ``DEFERRED``,
    ``ACCOUNT_LEVEL_RESERVE``) of ``listBalances``' balance of one marketplace, and its
    currency; (None, None) when Amazon gives none."""
    for raw in balances or []:
        if (raw.get("partnerMetadata") or {}).get("marketplaceId") not in (None, marketplace_id):
            continue
        amounts, stack = {}, [raw]
        while stack:
            node = stack.pop()
            amounts[node.get("balanceType")] = _money(node.get("amount"))
            stack.extend(node.get("balances") or [])
        return amounts, (raw.get("amount") or {}).get("currencyCode")
    return None, None


def deferred_by_order(transactions):
    """{Amazon order id: (amount, currency)} of ``DEFERRED`` transactions: the money Amazon
    holds back for each order (business orders paid later, DD+7)."""
    held = {}
    for raw in transactions or []:
        if raw.get("transactionStatus") != "DEFERRED":
            continue
        for order_id in _related(raw, "ORDER_ID"):
            total = raw.get("totalAmount") or {}
            amount, currency = held.get(order_id, (Decimal(0), total.get("currencyCode")))
            held[order_id] = (amount + _money(total), currency)
    return held
