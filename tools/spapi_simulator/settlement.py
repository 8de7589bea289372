"""Money: the scenario's shipment and refund events, and the Settlement V2 flat files
generated from them every 14 simulated days per marketplace, plus fees, promotions,
marketplace-facilitator tax, reserves, service fees and reimbursements.

Invariant of every report: the first data row is the summary and the sum of `amount` over all
other rows equals its `total-amount`.  Numbers and dates are written in the marketplace's
style (see const.MARKETPLACES.settlement_style): "us" = `2026-06-17 08:14:22 UTC` and `12.30`,
"eu" = `17.06.2026 08:14:22 UTC` and `12,30`, "iso"/"iso_jp" = ISO-8601 with an offset.

Optional situations, off by default, switched on per scenario with `Scenario(settlements=...)`
(`Simulator(settlements=...)`, `--settlements SPEC`), see KNOBS and README.md: negative
settlements carried into the next one (`Payable to Amazon`, `Successful charge`), multi-channel
fulfilment fees, customer-return reimbursements (and their reversal) on a refund's order and
adjustment ids, an order item split over two row blocks, a refund posted before its sale.
A negative total is always carried into the next settlement of the marketplace.
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
MCF_FEE_FACTOR = 1.3            # multi-channel fulfilment costs more than FBA for Amazon orders
RETURN_REIMBURSE_AFTER = 20 * DAY   # the customer kept the item: Amazon pays the seller back
REVERSAL_AFTER = 10 * DAY           # ... and takes it back when the item shows up after all
CHARGE_AFTER = 3 * DAY              # Amazon charges the card this long into the next period

# Knobs of the optional situations: name -> default.  A probability (0..1) is drawn per
# (marketplace, period) or per order from the seed; "negative" and "late_sale" also accept a
# list of period indices / a mode (see `knobs`).
KNOBS = {
    "negative": 0.0,        # period made negative by heavy advertising (prob., or [k, ...])
    "charge": 0.5,          # after a negative period, Amazon charged the seller's card
    "mcf": 0.0,             # period with 1-3 multi-channel fulfilment orders (fees only)
    "return_reimbursement": 0.0,  # refund whose item never came back: reimbursed later
    "reversal": 0.3,        # ... and that reimbursement reversed later still
    "warehouse_damage": 0.5,      # period with a WAREHOUSE_DAMAGE reimbursement (SKU, no order)
    "split": 0.0,           # shipment whose non-Principal rows post in a later block
    "late_sale": 0.0,       # refunded order whose sale posts after the refund (prob., "same"
                            # = later in the refund's file, "next" = in a later settlement)
}

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


def knobs(scenario):
    """The scenario's settlement knobs over the defaults (unknown names refused)."""
    given = dict(getattr(scenario, "settlement_knobs", None) or {})
    unknown = set(given) - set(KNOBS)
    if unknown:
        raise ValueError("unknown settlement knob(s): %s (known: %s)"
                         % (", ".join(sorted(unknown)), ", ".join(KNOBS)))
    return {**KNOBS, **given}


def parse_knobs(spec):
    """`negative=1,mcf=0.5,late_sale=same,negative=k1+k3` -> {name: value} (command line)."""
    out = {}
    for part in filter(None, (p.strip() for p in (spec or "").split(","))):
        name, _, value = part.partition("=")
        if name not in KNOBS or not value:
            raise ValueError("bad settlement knob %r (known: %s)" % (part, ", ".join(KNOBS)))
        if value.startswith("k"):
            out[name] = [int(v) for v in value[1:].split("+")]
        elif value in ("same", "next"):
            out[name] = value
        else:
            out[name] = float(value)
    return out


def _draw(value, rng, k=None):
    """Does a knob fire? A probability (one draw of `rng`, always consumed) or a list of
    period indices."""
    roll = rng.random()
    if isinstance(value, (list, tuple, set, frozenset)):
        return k in value
    return roll < float(value or 0)


def _order_rng(scenario, order, what):
    return random.Random("settlement-%s-%s-%s" % (scenario.seed, what, order.order_id))


def period_of(scenario, t):
    return int((t - anchor(scenario)) // (PERIOD_DAYS * DAY))


def settlement_id(scenario, code, k):
    return str(10_000_000_000 + zlib.crc32(("%s-%s-%d" % (scenario.seed, code, k)).encode()) % 9_000_000_000)


# -- money events ------------------------------------------------------------------------------
def money_events(scenario, now_limit=None):
    """Every shipment and refund event: (time, kind, order, item, qty, reference)."""
    late = knobs(scenario)["late_sale"]
    out = []
    for order in scenario.orders:
        refunds = order.refund_events()
        delay = _late_sale_delay(scenario, order, refunds, late)
        for t, item, qty, ref in order.ship_events():
            if delay and item is refunds[0][1]:
                t = refunds[0][0] + delay
            out.append((t, "ship", order, item, qty, ref))
        for t, item, qty, ref in refunds:
            out.append((t, "refund", order, item, qty, ref))
    if now_limit is not None:
        out = [e for e in out if e[0] <= now_limit]
    out.sort(key=lambda e: (e[0], e[2].order_id, e[3].item_id))
    return out


def _late_sale_delay(scenario, order, refunds, late):
    """Seconds after its refund at which a refunded item's sale posts, or 0 (posted as
    shipped): an hour ("same": later in the refund's file, unless the period ends first) or
    one period ("next": in a later settlement)."""
    if not late or not refunds or order.replacement_of:
        return 0
    rng = _order_rng(scenario, order, "late-sale")
    if late in ("same", "next"):
        mode = late
    elif rng.random() < float(late):
        mode = "same" if rng.random() < 0.5 else "next"
    else:
        return 0
    if mode == "next":
        return PERIOD_DAYS * DAY
    refund_t = refunds[0][0]
    _start, end = period_bounds(scenario, period_of(scenario, refund_t))
    return min(3600, max(1, int(end - 1 - refund_t)))


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
    return random.Random("settlement-%s-%s-%s" % (scenario.seed, code, k))


# Tax Amazon Ads adds to advertising, per marketplace (Canada: GST 5 % + BC PST 7 %)
ADVERTISING_TAX = {"CA": 0.12}


def other_rows(scenario, code, k):
    """Service fees, reimbursements, multi-channel fulfilment fees of period k:
    [(time, ttype, atype, desc, minor, extra)]."""
    market = MARKETPLACE_BY_CODE[code]
    rng = _period_rng(scenario, code, k)
    start, end = period_bounds(scenario, k)
    factor = PRICE_FACTOR[code]
    cur = market.currency
    options = knobs(scenario)
    out = [(end - DAY, "ServiceFee", "other-transaction", "Subscription Fee",
            -to_minor(SUBSCRIPTION_FEE[cur], cur), {})]
    out.append((end - DAY + 3600, "ServiceFee", "other-transaction", "Storage Fee",
                -to_minor(rng.uniform(2, 25) * factor, cur), {}))
    if rng.random() < 0.6:
        when = start + rng.randint(DAY, 12 * DAY)
        advertising = -to_minor(rng.uniform(5, 80) * factor, cur)
        out.append((when, "ServiceFee", "Cost of Advertising", "TransactionTotalAmount",
                    advertising, {}))
        if code in ADVERTISING_TAX:
            # Amazon Ads charges Canadian sellers GST/HST (or GST + PST) on top: its own row
            out.append((when, "ServiceFee", "Cost of Advertising", "TaxAmount",
                        pct(advertising, ADVERTISING_TAX[code]), {}))
    fba = [c for c in scenario.catalogue if c["offers"][code]["channel"] == "FBA"]
    if fba and _draw(options["warehouse_damage"], rng, k):
        product = rng.choice(fba)
        out.append((start + rng.randint(DAY, 12 * DAY), "Adjustment", "FBA Inventory Reimbursement",
                    "WAREHOUSE_DAMAGE", pct(product["offers"][code]["price_minor"], 0.6),
                    {"sku": product["sku"], "quantity-purchased": "1",
                     "adjustment-id": "RMB%08d" % rng.randrange(10 ** 8)}))
    out += mcf_rows(scenario, code, k, fba, options["mcf"])
    # fulfilment orders created through the Fulfillment Outbound API, shipped in the period
    from .mcf import settlement_rows as mcf_order_rows   # (mcf.py imports returns.py, which imports this)
    out += mcf_order_rows(scenario, code, start, end)
    # inbound placement and partnered-carrier fees of the Fulfillment Inbound API's plans
    from .inbound import settlement_rows as inbound_fee_rows
    out += inbound_fee_rows(scenario, code, start, end)
    out += return_reimbursement_rows(scenario, code, k, options)
    return out


def mcf_rows(scenario, code, k, fba, chance):
    """Orders Amazon fulfilled for another sales channel (the seller's own shop), as real
    settlements write them: an ``S01-…`` order id, the shop's ``CONSUMER-…`` order id, the
    marketplace ``Non-Amazon XX``, a 0.00 item price, the fulfilment fee per item and an
    order-level FBA transportation fee without SKU or order item code."""
    rng = _period_rng(scenario, code, "mcf-%d" % k)
    if not fba or not _draw(chance, rng, k):
        return []
    start, _end = period_bounds(scenario, k)
    market = MARKETPLACE_BY_CODE[code]
    out = []
    for n in range(rng.randint(1, 3)):
        product = rng.choice(fba)
        qty = rng.randint(1, 2)
        fee = to_minor(fba_fee_usd(product["base_price"]) * PRICE_FACTOR[code] * MCF_FEE_FACTOR,
                       market.currency) * qty
        rng.randrange(10 ** 6)  # (the draw the former MCF-nnnnnn id took: later values stay)
        ids = _period_rng(scenario, code, "mcf-ids-%d-%d" % (k, n))
        order_id = "S01-%07d-%07d" % (ids.randrange(10 ** 7), ids.randrange(10 ** 7))
        merchant_id = "CONSUMER-%010d" % ids.randrange(10 ** 10)
        common = {"order-id": order_id, "merchant-order-id": merchant_id,
                  "shipment-id": "M%08d" % rng.randrange(10 ** 8),
                  "marketplace-name": "Non-Amazon %s" % code, "fulfillment-id": "AFN"}
        item = dict(common, **{"sku": product["sku"], "quantity-purchased": str(qty),
                               "order-item-code": "%014d" % ids.randrange(10 ** 13, 10 ** 14),
                               "merchant-order-item-id": "%s-1" % merchant_id})
        posted = start + rng.randint(DAY, 12 * DAY)
        transport = fee // 5  # the fee the file always had, split with the transportation fee
        out.append((posted, "Order", "ItemPrice", "Principal", 0, item))
        out.append((posted, "Order", "ItemFees", "FBAPerUnitFulfillmentFee", -(fee - transport),
                    item))
        out.append((posted, "Order", "Shipment-Fees", "FBA transportation fee", -transport,
                    common))
    return out


def return_reimbursement_rows(scenario, code, k, options):
    """Customer-return reimbursements of period k: the buyer was refunded and never sent the
    item back, so Amazon pays the seller for it, on the refund's order and adjustment ids; some
    are reversed later (the item came back after all)."""
    if not options["return_reimbursement"]:
        return []
    start, end = period_bounds(scenario, k)
    out = []
    for order in scenario.orders:
        if order.market.code != code or order.replacement_of or order.channel != "FBA":
            continue
        for t, item, qty, ref in order.refund_events():
            rng = _order_rng(scenario, order, "return-reimbursement")
            if not _draw(options["return_reimbursement"], rng):
                continue
            unit = prorate(item.principal, 0, qty, item.qty)
            extra = {"order-id": order.order_id, "adjustment-id": ref, "sku": item.sku,
                     "quantity-purchased": str(qty), "fulfillment-id": "AFN",
                     "order-item-code": item.item_id}
            paid = t + RETURN_REIMBURSE_AFTER
            if start <= paid < end:
                out.append((paid, "Adjustment", "other-transaction",
                            "FBA Inventory Reimbursement - Customer Return", unit, dict(extra)))
            if _draw(options["reversal"], rng) and start <= paid + REVERSAL_AFTER < end:
                out.append((paid + REVERSAL_AFTER, "Adjustment", "other-transaction",
                            "REVERSAL_REIMBURSEMENT", -unit, dict(extra)))
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
    return build_chain(scenario, code, k)[k]


def build_chain(scenario, code, k):
    """Settlements 0..k of marketplace `code`: each carries the debt of a negative previous one."""
    by_period = {}
    for event, rows in market_events(scenario, code, until=period_bounds(scenario, k)[1]):
        by_period.setdefault(period_of(scenario, event[0]), []).append((event, rows))
    chain = []
    for j in range(k + 1):
        chain.append(_build_one(scenario, code, j, by_period, chain[-1].total if chain else 0))
    return chain


def _build_one(scenario, code, k, by_period, previous_total):
    start, end = period_bounds(scenario, k)
    market = MARKETPLACE_BY_CODE[code]
    options = knobs(scenario)
    sid = settlement_id(scenario, code, k)
    name = market.domain.replace("www.", "")
    rows = []
    for (t, kind, order, item, qty, ref), money_rows in by_period.get(k, []):
        later = _split_time(scenario, options["split"], (t, kind, order, item, ref), end)
        for ttype, atype, desc, minor, promo in money_rows:
            first_block = atype == "ItemPrice" and desc in ("Principal", "Tax")
            rows.append({
                "transaction-type": ttype, "order-id": order.order_id,
                "shipment-id": ref if kind == "ship" else "",
                "adjustment-id": ref if kind == "refund" else "",
                "marketplace-name": name, "amount-type": atype, "amount-description": desc,
                "amount": minor, "fulfillment-id": "AFN" if order.channel == "FBA" else "MFN",
                "posted": t if first_block or not later else later,
                "order-item-code": item.item_id, "sku": item.sku,
                "quantity-purchased": str(qty), "promotion-id": promo if atype == "Promotion" else "",
            })
    for t, ttype, atype, desc, minor, extra in other_rows(scenario, code, k):
        row = {"transaction-type": ttype, "marketplace-name": name, "amount-type": atype,
               "amount-description": desc, "amount": minor, "posted": t}
        row.update(extra)
        rows.append(row)
    rows += debt_rows(scenario, code, k, previous_total, options["charge"])
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
    rng = _period_rng(scenario, code, "negative-%d" % k)
    if _draw(options["negative"], rng, k):
        # heavy advertising: the period ends with the seller owing Amazon
        owed = to_minor(rng.uniform(50, 400) * PRICE_FACTOR[code], market.currency)
        rows.append({"transaction-type": "ServiceFee", "marketplace-name": name,
                     "amount-type": "Cost of Advertising",
                     "amount-description": "TransactionTotalAmount",
                     "amount": -(max(total, 0) + owed), "posted": end - 2 * DAY})
        total = sum(r["amount"] for r in rows)
    return Settlement(sid, code, k, start, end, rows, total)


def _split_time(scenario, chance, key, end):
    """When a shipment's rows other than ItemPrice Principal/Tax post in a later block of the
    same file (1-3 days later, within the period), else None."""
    t, kind, order, item, ref = key
    if kind != "ship" or not chance:
        return None
    rng = random.Random("settlement-%s-split-%s-%s-%s" % (scenario.seed, order.order_id,
                                                          item.item_id, ref))
    if not _draw(chance, rng):
        return None
    later = min(t + rng.randint(DAY, 3 * DAY), end - 1)
    return later if later > t else None


def debt_rows(scenario, code, k, previous_total, charge):
    """The debt of a negative previous settlement: `Payable to Amazon` (its negative total)
    and, when Amazon charged the seller's card for it, `Successful charge` (the opposite)."""
    if previous_total >= 0 or k == 0:
        return []
    start, _end = period_bounds(scenario, k)
    name = MARKETPLACE_BY_CODE[code].domain.replace("www.", "")
    rows = [{"transaction-type": "other-transaction", "marketplace-name": name,
             "amount-type": "other-transaction", "amount-description": "Payable to Amazon",
             "amount": previous_total, "posted": start}]
    if _draw(charge, _period_rng(scenario, code, "charge-%d" % k), k):
        rows.append({"transaction-type": "other-transaction", "marketplace-name": name,
                     "amount-type": "other-transaction", "amount-description": "Successful charge",
                     "amount": -previous_total, "posted": start + CHARGE_AFTER})
    return rows


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
    for row in sorted(settlement.rows, key=lambda r: r["posted"]):  # stable: blocks stay whole
        values = dict(row)
        values["settlement-id"] = settlement.settlement_id
        values["currency"] = cur
        values["amount"] = fmt(row["amount"], cur, sep)
        values["posted-date"] = _fmt_day(row["posted"], style)
        values["posted-date-time"] = _fmt_time(row["posted"], style)
        lines.append("\t".join(str(values.get(c, "")) for c in COLUMNS))
    return "\n".join(lines) + "\n"
