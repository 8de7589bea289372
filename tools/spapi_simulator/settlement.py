"""Money: the scenario's shipment and refund events, and the Settlement V2 flat files
generated from them every 14 simulated days per marketplace, plus fees, promotions,
marketplace-facilitator tax, reserves, service fees and reimbursements.

Invariant of every report: the first data row is the summary and the sum of `amount` over all
other rows equals its `total-amount`.  Numbers and dates are written in the marketplace's
style (see const.MARKETPLACES.settlement_style): "us" = `2026-06-17 08:14:22 UTC` and `12.30`,
"eu" = `17.06.2026 08:14:22 UTC` and `12,30`, "iso"/"iso_jp" = ISO-8601 with an offset.
"""

import random
import time
import zlib

from .clock import DAY, day_floor
from .const import MARKETPLACE_BY_CODE, PRICE_FACTOR, SUBSCRIPTION_FEE, fba_fee_usd
from .money import fmt, pct, prorate, to_minor

PERIOD_DAYS = 14
READY_AFTER = 6 * 3600          # the report appears this long after the period ends
COMMISSION_RATE = 0.15
RESERVE_RATE = 0.10

COLUMNS = [
    "settlement-id", "settlement-start-date", "settlement-end-date", "deposit-date",
    "total-amount", "currency", "transaction-type", "order-id", "merchant-order-id",
    "adjustment-id", "shipment-id", "marketplace-name", "amount-type", "amount-description",
    "amount", "fulfillment-id", "posted-date", "posted-date-time", "order-item-code",
    "merchant-order-item-id", "merchant-adjustment-item-id", "sku", "quantity-purchased",
    "promotion-id",
]


# -- periods -----------------------------------------------------------------------------------
def anchor(scenario):
    return day_floor(scenario.history_start)


def period_bounds(scenario, k):
    """[start, end) of settlement period k (UTC midnight boundaries)."""
    start = anchor(scenario) + k * PERIOD_DAYS * DAY
    return start, start + PERIOD_DAYS * DAY


def closed_periods(scenario, now):
    """Indices of the periods whose report exists at `now`."""
    out, k = [], 0
    while True:
        _, end = period_bounds(scenario, k)
        if end + READY_AFTER > now:
            return out
        out.append(k)
        k += 1


def period_of(scenario, t):
    return int((t - anchor(scenario)) // (PERIOD_DAYS * DAY))


def settlement_id(scenario, code, k):
    return str(10_000_000_000 + zlib.crc32(("%s-%s-%d" % (scenario.seed, code, k)).encode()) % 9_000_000_000)


# -- money events ------------------------------------------------------------------------------
def money_events(scenario, now_limit=None):
    """Every shipment and refund event: (time, kind, order, item, qty, reference)."""
    out = []
    for order in scenario.orders:
        for t, item, qty, ref in order.ship_events():
            out.append((t, "ship", order, item, qty, ref))
        for t, item, qty, ref in order.refund_events():
            out.append((t, "refund", order, item, qty, ref))
    if now_limit is not None:
        out = [e for e in out if e[0] <= now_limit]
    out.sort(key=lambda e: (e[0], e[2].order_id, e[3].item_id))
    return out


def fba_fee(scenario, order, item, qty):
    """FBA per-unit fulfilment fee for `qty` units, in minor units (positive)."""
    base = scenario.by_sku.get(item.sku, {}).get("base_price", 20.0)
    return to_minor(fba_fee_usd(base) * PRICE_FACTOR[order.market.code], order.currency) * qty


# -- money rows --------------------------------------------------------------------------------
def event_rows(scenario, event, done):
    """Rows (transaction-type, amount-type, amount-description, minor, promotion-id) for a
    shipment or refund of `qty` units of an item, `done` units of which were settled before."""
    t, kind, order, item, qty, ref = event
    exclusive = order.market.tax_mode == "exclusive"

    def share(total):
        return prorate(total, done, qty, item.qty)

    principal, shipping, gift = share(item.principal), share(item.shipping), share(item.gift)
    disc_item, disc_ship = share(item.discount_item), share(item.discount_ship)
    tax_item, tax_ship, tax_gift = share(item.tax_item), share(item.tax_ship), share(item.tax_gift)
    commission = pct(principal + shipping + gift - disc_item - disc_ship, COMMISSION_RATE)
    promo = ",".join(item.promotion_ids)
    rows = []
    if kind == "ship":
        rows += [
            ("Order", "ItemPrice", "Principal", principal, ""),
            ("Order", "ItemPrice", "Tax", tax_item, ""),
            ("Order", "ItemPrice", "Shipping", shipping, ""),
            ("Order", "ItemPrice", "ShippingTax", tax_ship, ""),
            ("Order", "ItemPrice", "GiftWrap", gift, ""),
            ("Order", "ItemPrice", "GiftWrapTax", tax_gift, ""),
            ("Order", "Promotion", "Principal", -disc_item, promo),
            ("Order", "Promotion", "Shipping", -disc_ship, promo),
            ("Order", "ItemFees", "Commission", -commission, ""),
        ]
        if order.channel == "FBA":
            rows += [
                ("Order", "ItemFees", "FBAPerUnitFulfillmentFee", -fba_fee(scenario, order, item, qty), ""),
                ("Order", "ItemFees", "ShippingChargeback", -shipping, ""),
                ("Order", "ItemFees", "GiftwrapChargeback", -gift, ""),
            ]
        if exclusive:
            rows += [
                ("Order", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", -tax_item, ""),
                ("Order", "ItemWithheldTax", "MarketplaceFacilitatorTax-Shipping", -tax_ship, ""),
                ("Order", "ItemWithheldTax", "MarketplaceFacilitatorTax-Other", -tax_gift, ""),
            ]
    else:
        refund_fee = min(pct(commission, 0.20), to_minor(5 * PRICE_FACTOR[order.market.code],
                                                         order.currency))
        rows += [
            ("Refund", "ItemPrice", "Principal", -principal, ""),
            ("Refund", "ItemPrice", "Tax", -tax_item, ""),
            ("Refund", "Promotion", "Principal", disc_item, promo),
            ("Refund", "ItemFees", "Commission", commission, ""),
            ("Refund", "ItemFees", "RefundCommission", -refund_fee, ""),
        ]
        if exclusive:
            rows.append(("Refund", "ItemWithheldTax", "MarketplaceFacilitatorTax-Principal",
                         tax_item, ""))
    return [r for r in rows if r[3]]


def market_events(scenario, code, until=None):
    """[(event, rows)] for every money event of a marketplace (replacements carry no money),
    keeping the per-item count of units already settled so shares add up exactly."""
    done = {}
    out = []
    for event in money_events(scenario, until):
        t, kind, order, item, qty, ref = event
        if order.market.code != code or order.replacement_of:
            continue
        key = (order.order_id, item.item_id, kind)
        rows = event_rows(scenario, event, done.get(key, 0))
        done[key] = done.get(key, 0) + qty
        out.append((event, rows))
    return out


def _period_rng(scenario, code, k):
    return random.Random("settlement-%s-%s-%d" % (scenario.seed, code, k))


def other_rows(scenario, code, k):
    """Service fees, reimbursements of period k: [(time, ttype, atype, desc, minor, extra)]."""
    market = MARKETPLACE_BY_CODE[code]
    rng = _period_rng(scenario, code, k)
    start, end = period_bounds(scenario, k)
    factor = PRICE_FACTOR[code]
    cur = market.currency
    out = [(end - DAY, "ServiceFee", "other-transaction", "Subscription Fee",
            -to_minor(SUBSCRIPTION_FEE[cur], cur), {})]
    out.append((end - DAY + 3600, "ServiceFee", "other-transaction", "Storage Fee",
                -to_minor(rng.uniform(2, 25) * factor, cur), {}))
    if rng.random() < 0.6:
        out.append((start + rng.randint(DAY, 12 * DAY), "ServiceFee", "Cost of Advertising",
                    "TransactionTotalAmount", -to_minor(rng.uniform(5, 80) * factor, cur), {}))
    fba = [c for c in scenario.catalogue if c["offers"][code]["channel"] == "FBA"]
    if fba and rng.random() < 0.5:
        product = rng.choice(fba)
        out.append((start + rng.randint(DAY, 12 * DAY), "Adjustment", "FBA Inventory Reimbursement",
                    "WAREHOUSE_DAMAGE", pct(product["offers"][code]["price_minor"], 0.6),
                    {"sku": product["sku"], "quantity-purchased": "1",
                     "adjustment-id": "RMB%08d" % rng.randrange(10 ** 8)}))
    return out


def reserve(scenario, events_by_period, k):
    principal = sum(r[3] for (event, rows) in events_by_period.get(k, [])
                    for r in rows if r[0] == "Order" and r[2] == "Principal" and r[1] == "ItemPrice")
    return pct(max(principal, 0), RESERVE_RATE)


# -- the report --------------------------------------------------------------------------------
class Settlement:
    def __init__(self, sid, code, k, start, end, rows, total):
        self.settlement_id, self.code, self.k = sid, code, k
        self.start, self.end, self.rows, self.total = start, end, rows, total
        self.market = MARKETPLACE_BY_CODE[code]
        self.deposit = end + 2 * DAY

    @property
    def currency(self):
        return self.market.currency


def build(scenario, code, k):
    """Settlement k of marketplace `code`, as rows of {column: value} with minor amounts."""
    start, end = period_bounds(scenario, k)
    market = MARKETPLACE_BY_CODE[code]
    by_period = {}
    for event, rows in market_events(scenario, code, until=end):
        by_period.setdefault(period_of(scenario, event[0]), []).append((event, rows))
    sid = settlement_id(scenario, code, k)
    name = market.domain.replace("www.", "")
    rows = []
    for (t, kind, order, item, qty, ref), money_rows in by_period.get(k, []):
        for ttype, atype, desc, minor, promo in money_rows:
            rows.append({
                "transaction-type": ttype, "order-id": order.order_id,
                "shipment-id": ref if kind == "ship" else "",
                "adjustment-id": ref if kind == "refund" else "",
                "marketplace-name": name, "amount-type": atype, "amount-description": desc,
                "amount": minor, "fulfillment-id": "AFN" if order.channel == "FBA" else "MFN",
                "posted": t, "order-item-code": item.item_id, "sku": item.sku,
                "quantity-purchased": str(qty), "promotion-id": promo if atype == "Promotion" else "",
            })
    for t, ttype, atype, desc, minor, extra in other_rows(scenario, code, k):
        row = {"transaction-type": ttype, "marketplace-name": name, "amount-type": atype,
               "amount-description": desc, "amount": minor, "posted": t}
        row.update(extra)
        rows.append(row)
    previous = reserve(scenario, by_period, k - 1) if k > 0 else 0
    current = reserve(scenario, by_period, k)
    if previous:
        rows.append({"transaction-type": "Transfer", "marketplace-name": name,
                     "amount-type": "other-transaction",
                     "amount-description": "Previous Reserve Amount Balance",
                     "amount": previous, "posted": start})
    if current:
        rows.append({"transaction-type": "Transfer", "marketplace-name": name,
                     "amount-type": "other-transaction", "amount-description": "Current Reserve Amount",
                     "amount": -current, "posted": end - 1})
    total = sum(r["amount"] for r in rows)
    return Settlement(sid, code, k, start, end, rows, total)


def _fmt_time(t, style):
    t = int(t)
    if style == "us":
        return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t))
    if style == "eu":
        return time.strftime("%d.%m.%Y %H:%M:%S UTC", time.gmtime(t))
    if style == "iso_jp":
        return time.strftime("%Y-%m-%dT%H:%M:%S+09:00", time.gmtime(t + 9 * 3600))
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t))


def _fmt_day(t, style):
    shift = 9 * 3600 if style == "iso_jp" else 0
    return _fmt_time(day_floor(int(t) + shift) - shift, style)


def render(settlement):
    """The tab-separated V2 flat file text (header, summary row, one row per amount)."""
    style = settlement.market.settlement_style
    sep = "," if style == "eu" else "."
    cur = settlement.currency
    lines = ["\t".join(COLUMNS)]
    summary = {
        "settlement-id": settlement.settlement_id,
        "settlement-start-date": _fmt_time(settlement.start, style),
        "settlement-end-date": _fmt_time(settlement.end - 1, style),
        "deposit-date": _fmt_time(settlement.deposit, style),
        "total-amount": fmt(settlement.total, cur, sep),
        "currency": cur,
    }
    lines.append("\t".join(summary.get(c, "") for c in COLUMNS))
    for row in sorted(settlement.rows, key=lambda r: r["posted"]):
        values = dict(row)
        values["settlement-id"] = settlement.settlement_id
        values["currency"] = cur
        values["amount"] = fmt(row["amount"], cur, sep)
        values["posted-date"] = _fmt_day(row["posted"], style)
        values["posted-date-time"] = _fmt_time(row["posted"], style)
        lines.append("\t".join(str(values.get(c, "")) for c in COLUMNS))
    return "\n".join(lines) + "\n"
