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



# -- listSummary ---------------------------------------------------------------------------------
ACCOUNT_TYPE = "Standard Orders"

# (top-level breakdownType, second-level breakdownType) of a settlement row; the third level is
# the row's amount-description.
_SALES = {"ItemPrice": "Product Charges", "Promotion": "Promotional Rebates",
          "ItemWithheldTax": "Marketplace Withheld Tax"}
_REFUNDS = dict(_SALES, ItemFees="Fee Refunds")


def summary_category(row):
    """(category, subcategory) of a settlement row in listSummary's breakdowns."""
    ttype, atype, desc = row["transaction-type"], row["amount-type"], row["amount-description"]
    if ttype == "Order" and atype in _SALES:
        return "Sales", _SALES[atype]
    if ttype == "Refund":
        return "Refunds", _REFUNDS.get(atype, "Other")
    if ttype == "Order" or atype in ("ItemFees", "Shipment-Fees"):
        return "Expenses", ("FBA Fees" if desc.startswith("FBA") or "Chargeback" in desc
                            else "Selling Fees")
    if ttype == "ServiceFee":
        return "Expenses", ("Advertising" if atype == "Cost of Advertising" else "Service Fees")
    if ttype == "Adjustment":
        return "Reimbursements", desc
    if ttype == "Transfer":
        return "Reserves", desc
    return "Transfers", desc


CATEGORIES = ("Sales", "Refunds", "Expenses", "Reimbursements", "Reserves", "Transfers", "Other")


def _tree(rows, currency, difference=0):
    """Breakdowns (category > subcategory > amount-description) of settlement rows; a summary
    difference is one `Other` / `Unreconciled` entry."""
    tree = {}
    for row in rows:
        cat, sub = summary_category(row)
        leaf = tree.setdefault(cat, {}).setdefault(sub, {})
        leaf[row["amount-description"]] = leaf.get(row["amount-description"], 0) + row["amount"]
    if difference:
        tree.setdefault("Other", {}).setdefault("Unreconciled", {})["Unreconciled"] = difference
    out = []
    for cat in CATEGORIES:
        if cat not in tree:
            continue
        subs = []
        for sub, leaves in tree[cat].items():
            subs.append({"breakdownType": sub,
                         "breakdownAmount": _amount(sum(leaves.values()), currency),
                         "breakdowns": [{"breakdownType": d, "breakdownAmount": _amount(m, currency),
                                         "breakdowns": []} for d, m in leaves.items()]})
        out.append({"breakdownType": cat,
                    "breakdownAmount": _amount(sum(sum(l.values()) for l in tree[cat].values()),
                                               currency),
                    "breakdowns": subs})
    return out


def summary(scenario, settlement, difference=0):
    """listSummary's Summary of one settlement: netProceeds = the file's total-amount (plus
    the `difference` fault, minor units)."""
    cur = settlement.currency
    return {
        "partnerMetadata": {"partnerId": SELLER_ID, "accountType": ACCOUNT_TYPE,
                            "marketplaceId": settlement.market.id},
        "netProceeds": _amount(settlement.total + difference, cur),
        "relatedIdentifiers": [{"relatedIdentifierName": "SETTLEMENT_ID",
                                "relatedIdentifierValue": settlement.settlement_id}],
        "breakdowns": _tree(settlement.rows, cur, difference),
        "periodStart": iso(settlement.start),
        "periodEnd": iso(settlement.end - 1),
    }


def summaries(scenario, now, get, marketplace_ids=(), settlement_id=None, start=None, end=None):
    """Summaries of the settlements closed at `now` (`get(code, k)` builds one), by marketplace
    then period, that match the filters: a settlement id, and/or a period overlapping
    [start, end] (epoch seconds)."""
    out = []
    closed = settle.closed_periods(scenario, now)
    for market in MARKETPLACES:
        if marketplace_ids and market.id not in marketplace_ids:
            continue
        for k in closed:
            p_start, p_end = settle.period_bounds(scenario, k)
            if start is not None and p_end <= start:
                continue
            if end is not None and p_start > end:
                continue
            if settlement_id and settle.settlement_id(scenario, market.code, k) != settlement_id:
                continue
            s = get(market.code, k)
            out.append(summary(scenario, s, scenario.summary_differences.get(s.settlement_id, 0)))
    return out


# -- listBalances --------------------------------------------------------------------------------
BALANCE_TYPES = ("AVAILABLE", "RESERVED", "ACCOUNT_LEVEL_RESERVE", "DEFERRED", "TOTAL")
_RESERVE_ROWS = ("Previous Reserve Amount Balance", "Current Reserve Amount")


def balance_parts(scenario, code, t, get, failed_amount):
    """{AVAILABLE, DEFERRED, ACCOUNT_LEVEL_RESERVE: minor units} of a marketplace at `t`, and
    the time of the last money movement counted (see README.md, listBalances)."""
    closed = set(settle.closed_periods(scenario, t))
    parts = {"AVAILABLE": failed_amount, "DEFERRED": 0, "ACCOUNT_LEVEL_RESERVE": 0}
    last = None
    for k in range(0, settle.period_of(scenario, t) + 1):
        if k in closed:
            continue
        for row in get(code, k).rows:
            if row["posted"] > t:
                continue
            if row["transaction-type"] in ("Order", "Refund"):
                parts["DEFERRED"] += row["amount"]
            elif row["transaction-type"] == "Transfer" and row["amount-description"] in _RESERVE_ROWS:
                parts["ACCOUNT_LEVEL_RESERVE"] += row["amount"]
            else:
                parts["AVAILABLE"] += row["amount"]
            last = row["posted"] if last is None else max(last, row["posted"])
    return parts, last


def balance(market, parts, balance_type, as_of=None, updated=None):
    """One Balance of listBalances (TOTAL > AVAILABLE, RESERVED > DEFERRED, ACCOUNT_LEVEL_RESERVE
    for TOTAL; the asked type with its own sub-balances otherwise)."""
    cur = market.currency

    def node(kind, subs=None):
        value = (parts["DEFERRED"] + parts["ACCOUNT_LEVEL_RESERVE"] if kind == "RESERVED" else
                 parts["AVAILABLE"] + parts["DEFERRED"] + parts["ACCOUNT_LEVEL_RESERVE"]
                 if kind == "TOTAL" else parts[kind])
        out = {"balanceType": kind, "amount": _amount(value, cur)}
        if subs:
            out["balances"] = subs
        return out

    reserved = node("RESERVED", [node("DEFERRED"), node("ACCOUNT_LEVEL_RESERVE")])
    if balance_type == "TOTAL":
        top = node("TOTAL", [node("AVAILABLE"), reserved])
    elif balance_type == "RESERVED":
        top = reserved
    else:
        top = node(balance_type)
    top = dict({"partnerMetadata": {"partnerId": SELLER_ID, "accountType": ACCOUNT_TYPE,
                                    "marketplaceId": market.id}}, **top)
    if as_of is not None:
        top["asOfDate"] = iso(as_of)
    else:
        top["lastUpdatedTime"] = iso(updated)
    return top
