"""Finances 2024-06-19 `listTransactions`: the same money events as the settlements, one
transaction per shipment, refund or service fee.  A transaction is RELEASED once the
settlement period it belongs to is closed, DEFERRED before."""

from . import settlement as settle
from .clock import iso
from .const import MARKETPLACES, SELLER_ID
from .money import fmt


def _amount(minor, currency):
    return {"currencyCode": currency, "currencyAmount": float(fmt(minor, currency))}


def _breakdowns(rows, currency):
    by_type = {}
    for ttype, atype, desc, minor, promo in rows:
        by_type.setdefault(atype, []).append((desc, minor))
    out = []
    for atype, parts in by_type.items():
        out.append({"breakdownType": atype,
                    "breakdownAmount": _amount(sum(m for _, m in parts), currency),
                    "breakdowns": [{"breakdownType": d, "breakdownAmount": _amount(m, currency)}
                                   for d, m in parts]})
    return out


def transactions(scenario, now, posted_after, posted_before, marketplace_id=None, status=None):
    """Transactions posted in [posted_after, posted_before], oldest first."""
    closed = set(settle.closed_periods(scenario, now))
    out = []
    for market in MARKETPLACES:
        if marketplace_id and market.id != marketplace_id:
            continue
        cur = market.currency
        meta = {"sellingPartnerId": SELLER_ID, "accountType": "Standard Orders",
                "marketplaceId": market.id}
        details = {"marketplaceId": market.id, "marketplaceName": market.name}
        entries = []
        for (t, kind, order, item, qty, ref), rows in settle.market_events(scenario, market.code, posted_before):
            if t < posted_after or not rows:
                continue
            entries.append((t, "Shipment" if kind == "ship" else "Refund", ref, rows, {
                "relatedIdentifiers": [
                    {"relatedIdentifierName": "ORDER_ID", "relatedIdentifierValue": order.order_id},
                    {"relatedIdentifierName": "SHIPMENT_ID" if kind == "ship" else "REFUND_ID",
                     "relatedIdentifierValue": ref}],
                "items": [{
                    "totalAmount": _amount(sum(r[3] for r in rows), cur),
                    "breakdowns": _breakdowns(rows, cur),
                    "relatedIdentifiers": [{"itemRelatedIdentifierName": "ORDER_ADJUSTMENT_ITEM_ID",
                                            "itemRelatedIdentifierValue": item.item_id}],
                    "contexts": [{"contextType": "ProductContext", "asin": item.asin, "sku": item.sku,
                                  "quantityShipped": qty,
                                  "fulfillmentNetwork": "AFN" if order.channel == "FBA" else "MFN"}],
                }],
            }))
        first = max(0, settle.period_of(scenario, posted_after))
        last = settle.period_of(scenario, posted_before)
        for k in range(first, last + 1):
            for t, ttype, atype, desc, minor, extra in settle.other_rows(scenario, market.code, k):
                if posted_after <= t <= posted_before:
                    ref = "%s-%d-%s" % (market.code, k, desc.replace(" ", ""))
                    entries.append((t, ttype, ref, [(ttype, atype, desc, minor, "")], {
                        "relatedIdentifiers": [{"relatedIdentifierName": "TRANSFER_ID",
                                                "relatedIdentifierValue": ref}]}))
        for t, ttype, ref, rows, extra in entries:
            released = settle.period_of(scenario, t) in closed
            tstatus = "RELEASED" if released else "DEFERRED"
            if status and status != tstatus:
                continue
            tx = {"sellingPartnerMetadata": dict(meta), "transactionType": ttype,
                  "transactionId": "TX-%s-%s" % (market.code, ref), "transactionStatus": tstatus,
                  "description": ttype, "postedDate": iso(t),
                  "totalAmount": _amount(sum(r[3] for r in rows), cur),
                  "marketplaceDetails": dict(details),
                  "breakdowns": _breakdowns(rows, cur)}
            tx.update(extra)
            tx["transactionId"] = "TX-%s-%s-%d" % (market.code, ref, int(t))
            out.append(tx)
    out.sort(key=lambda tx: (tx["postedDate"], tx["transactionId"]))
    return out

