"""Customer returns: the rows of the two returns reports, `GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA`
(units Amazon's fulfilment centres took back) and `GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE`
(returns of merchant-fulfilled orders).

Returns come from the refunds the scenario plans (`Order.refund_events()`), unless switched off
(`scenario.auto_returns = False`), and from `Scenario.add_customer_return()`: explicit returns
of an order replace its automatic ones.  Every generated value is drawn from a stream of its
own (seed, order id, SKU, row number), so the same seed gives the same rows and nothing else of
the scenario moves.  A report holds the returns as they stood at its creation time (or
dataEndTime when earlier): an FBM return is `Approved` until its item is delivered back (and
refunded), `Closed` from then on.
"""

import random
import re
import time
import zlib

from . import settlement
from .clock import DAY, as_time
from .const import RETURN_CARRIERS, RETURN_CENTERS
from .errors import ScenarioError
from .money import fmt, prorate, to_minor

HOUR = 3600

FBA_RETURN_COLUMNS = [
    "return-date", "order-id", "sku", "asin", "fnsku", "product-name", "quantity",
    "fulfillment-center-id", "detailed-disposition", "reason", "status", "license-plate-number",
    "customer-comments",
]
FBM_RETURN_COLUMNS = [
    "Order ID", "Order date", "Return request date", "Return request status", "Amazon RMA ID",
    "Seller RMA ID", "Label type", "Label cost", "Currency code", "Return carrier", "Tracking ID",
    "Label to be paid by", "A-to-z claim", "Is prime", "ASIN", "Merchant SKU", "Item Name",
    "Return quantity", "Return reason", "In policy", "Return type", "Resolution",
    "Invoice number", "Return delivery date", "Order Amount", "Order quantity",
    "SafeT action reason", "SafeT claim id", "SafeT claim state", "SafeT claim creation time",
    "SafeT claim reimbursement amount", "Refunded Amount", "Category",
]

REFUND_ONLY_SHARE = 0.2     # refunded FBA orders Amazon refunds without a return
UNSELLABLE_SHARE = 0.25     # FBA returns that come back unsellable
FBA_RETURN_BEFORE_REFUND = DAY      # the centre processes the return about a day before the refund
FBM_REQUEST_BEFORE_REFUND = 5 * DAY  # the buyer asks about 5 days before the seller refunds
FBM_DELIVERED_AFTER = 4 * DAY        # explicit FBM returns: delivered back this long after the request

SELLABLE = "SELLABLE"
UNSELLABLE = ("CUSTOMER_DAMAGED", "DEFECTIVE")
DISPOSITIONS = (SELLABLE, "CUSTOMER_DAMAGED", "DEFECTIVE", "CARRIER_DAMAGED", "DAMAGED")
_SELLABLE_REASONS = ["UNWANTED_ITEM", "UNWANTED_ITEM", "ORDERED_WRONG_ITEM", "NOT_AS_DESCRIBED"]
_DAMAGED_REASONS = ["UNWANTED_ITEM", "NOT_AS_DESCRIBED", "ORDERED_WRONG_ITEM"]
_FBM_REASONS = ["CR-UNWANTED_ITEM", "CR-UNWANTED_ITEM", "CR-ORDERED_WRONG_ITEM", "CR-DEFECTIVE",
                "AMZ-PG-BAD-DESC", "CR-DAMAGED_BY_CARRIER"]
_COMMENTS = {
    "de": ["Farbe gefällt mir nicht", "Artikel kam beschädigt an", "Zu groß"],
    "fr": ["Ne correspond pas à la description", "Article arrivé abîmé"],
    "ja": ["イメージと違いました"],
}
_COMMENTS_EN = ["Changed my mind", "Does not work", "Arrived too late", "Not as pictured"]
_LABEL_COST = {"USD": 599, "CAD": 899, "EUR": 499, "GBP": 349, "JPY": 800}
_CATEGORIES = {"MUG": "Kitchen", "TEA": "Grocery", "KNF": "Kitchen", "BRD": "Kitchen",
               "LMP": "Lighting", "CBL": "Electronics", "CHG": "Electronics", "BTL": "Sports",
               "BAG": "Apparel", "NTB": "Office Products", "PEN": "Office Products",
               "TOW": "Home", "CND": "Home", "YGM": "Sports", "SPK": "Electronics",
               "HDP": "Electronics", "PLT": "Lawn and Garden", "CLK": "Home",
               "GLV": "Lawn and Garden"}
_ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"


def column_key(name):
    """A column's keyword: `detailed-disposition` -> detailed_disposition, `Amazon RMA ID` ->
    amazon_rma_id."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


_KEYS = {"FBA": {column_key(c): c for c in FBA_RETURN_COLUMNS},
         "FBM": {column_key(c): c for c in FBM_RETURN_COLUMNS}}


class CustomerReturn:
    """One returns-report row: `qty` units of `item` of `order`; `at` is the return date (FBA,
    processed at the fulfilment centre) or the return request date (FBM); `closed` (FBM) is
    when the item was delivered back and refunded (None: never within the scenario)."""

    def __init__(self, order, item, qty, at, n=0, closed=None, delivered=None, overrides=None,
                 explicit=False):
        self.order, self.item, self.qty, self.at, self.n = order, item, qty, int(at), n
        self.closed = None if closed is None else int(closed)
        self.delivered = self.closed if delivered is None else int(delivered)
        self.overrides = dict(overrides or {})
        self.explicit = explicit

    @property
    def channel(self):
        return self.order.channel

    def rng(self, scenario):
        return random.Random("return-%s-%s-%s-%d" % (scenario.seed, self.order.order_id,
                                                     self.item.sku, self.n))


def add_customer_return(scenario, order_id, sku=None, quantity=1, when=None, delivered_at=None,
                        **columns):
    """An explicit return (see Scenario.add_customer_return)."""
    order = scenario.by_id.get(order_id)
    if order is None:
        raise ScenarioError(404, "NotFound", "Order %s not found." % order_id)
    items = [i for i in order.items if sku is None or i.sku == sku]
    if not items:
        raise ScenarioError(400, "InvalidInput", "SKU %s is not part of order %s." % (sku, order_id))
    item = items[0]
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise ScenarioError(400, "InvalidInput", "quantity must be a positive integer.")
    at = scenario.start if when is None else as_time(when, "when")
    keys = _KEYS[order.channel]
    overrides = {}
    for key, value in columns.items():
        column = keys.get(key) or (key if key in keys.values() else None)
        if column is None:
            raise ScenarioError(400, "InvalidInput", "%s is no column of the %s returns report "
                                "(known: %s)." % (key, order.channel, ", ".join(sorted(keys))))
        overrides[column] = "" if value is None else str(value)
    closed = None
    if order.channel == "FBM":
        closed = at + FBM_DELIVERED_AFTER if delivered_at is None else as_time(delivered_at, "delivered_at")
    elif delivered_at is not None:
        raise ScenarioError(400, "InvalidInput", "delivered_at applies to FBM returns only.")
    n = sum(1 for r in scenario.customer_returns if r.order is order and r.item is item)
    scenario.customer_returns.append(CustomerReturn(order, item, quantity, at, n, closed,
                                                    overrides=overrides, explicit=True))
    return scenario.customer_returns[-1]


def refund_only(scenario, order):
    """Whether Amazon refunds this FBA order's refund without a return: a fifth of them, and
    those the settlement knob `return_reimbursement` reimburses (the item never came back)."""
    if random.Random("refund-only-%s-%s" % (scenario.seed, order.order_id)).random() < REFUND_ONLY_SHARE:
        return True
    options = settlement.knobs(scenario)
    chance = options["return_reimbursement"]
    return bool(chance) and settlement._draw(
        chance, settlement._order_rng(scenario, order, "return-reimbursement"))


def automatic_returns(scenario, order):
    """The returns the planned refunds of an order bring (none for refund-only ones)."""
    out = []
    if order.replacement_of:
        return out
    for n, (t, item, qty, _ref) in enumerate(order.refund_events()):
        rng = random.Random("return-time-%s-%s-%d" % (scenario.seed, order.order_id, n))
        if order.channel == "FBA":
            if refund_only(scenario, order):
                continue
            out.append(CustomerReturn(order, item, qty, t - FBA_RETURN_BEFORE_REFUND
                                      + rng.randint(-3 * HOUR, 3 * HOUR), n))
        else:
            shipped = t - order.refund_delay
            requested = max(shipped + 12 * HOUR,
                            t - FBM_REQUEST_BEFORE_REFUND + rng.randint(-6 * HOUR, 6 * HOUR))
            delivered = max(requested + HOUR, t - rng.randint(2 * HOUR, 20 * HOUR))
            out.append(CustomerReturn(order, item, qty, min(requested, t - 2 * HOUR), n,
                                      closed=t, delivered=min(delivered, t)))
    return out


def all_returns(scenario):
    """Every return of the scenario: the explicit ones, and the automatic ones of the orders
    that have no explicit one (when automatic returns are on)."""
    explicit = {r.order.order_id for r in scenario.customer_returns}
    out = list(scenario.customer_returns)
    if scenario.auto_returns:
        for order in scenario.orders:
            if order.order_id not in explicit:
                out.extend(automatic_returns(scenario, order))
    out.sort(key=lambda r: (r.at, r.order.order_id, r.item.sku, r.n))
    return out


def _iso_offset(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(int(t)))


def _date(t):
    return time.strftime("%Y-%m-%d", time.gmtime(int(t)))


def fnsku(sku, asin):
    """The FBA label of an SKU: X00 and seven characters from the SKU, fixed per SKU."""
    return "X00%07X" % (zlib.crc32(("%s/%s" % (sku, asin)).encode("utf-8")) % 0x10000000)


def fba_row(scenario, ret):
    """{column: value} of an FBA customer return."""
    rng = ret.rng(scenario)
    order, item = ret.order, ret.item
    if rng.random() < UNSELLABLE_SHARE:
        disposition = rng.choice(UNSELLABLE)
        reason = "DEFECTIVE" if disposition == "DEFECTIVE" else rng.choice(_DAMAGED_REASONS)
        status = rng.choice(["Unit returned to inventory", "Reimbursed"])
    else:
        disposition = SELLABLE
        reason = rng.choice(_SELLABLE_REASONS)
        status = "Unit returned to inventory"
    comments = _COMMENTS.get(order.market.language[:2], []) + _COMMENTS_EN
    comment = rng.choice(comments) if rng.random() < 0.4 else ""
    row = {
        "return-date": _iso_offset(ret.at), "order-id": order.order_id, "sku": item.sku,
        "asin": item.asin, "fnsku": fnsku(item.sku, item.asin), "product-name": item.title,
        "quantity": str(ret.qty),
        "fulfillment-center-id": RETURN_CENTERS.get(order.market.code, "XFC1"),
        "detailed-disposition": disposition, "reason": reason, "status": status,
        "license-plate-number": "LPNRR%09d" % rng.randrange(10 ** 9),
        "customer-comments": comment,
    }
    row.update(ret.overrides)
    return row


def _tracking(rng, carrier):
    if carrier == "DHL":
        return "00340434%012d" % rng.randrange(10 ** 12)
    if carrier == "UPS":
        return "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTVWXYZ") for _ in range(16))
    if carrier == "USPS":
        return "9202%018d" % rng.randrange(10 ** 18)
    if carrier == "Royal Mail":
        return "%s%s%09dGB" % (rng.choice("FHJKTW"), rng.choice("BDGMPQ"), rng.randrange(10 ** 9))
    return "%012d" % rng.randrange(10 ** 12)


def refund_amount(order, item, qty):
    """What the buyer gets back for `qty` units of `item` (principal and its tax, less the
    item's promotion), in minor units - the settlement's Refund ItemPrice and Promotion rows."""
    return (prorate(item.principal, 0, qty, item.qty) + prorate(item.tax_item, 0, qty, item.qty)
            - prorate(item.discount_item, 0, qty, item.qty))


def fbm_row(scenario, ret, now):
    """{column: value} of a merchant-fulfilled return, as it stands at `now`."""
    rng = ret.rng(scenario)
    order, item, cur = ret.order, ret.item, ret.order.currency
    closed = ret.closed is not None and ret.closed <= now
    carrier = RETURN_CARRIERS.get(order.market.code, "UPS")
    prepaid = rng.random() < 0.5
    reason = rng.choice(_FBM_REASONS)
    seller_fault = reason in ("CR-DEFECTIVE", "AMZ-PG-BAD-DESC", "CR-DAMAGED_BY_CARRIER")
    row = {
        "Order ID": order.order_id, "Order date": _date(order.created),
        "Return request date": _date(ret.at),
        "Return request status": "Closed" if closed else "Approved",
        "Amazon RMA ID": "D" + "".join(rng.choice(_ALNUM) for _ in range(10)),
        "Seller RMA ID": "",
        "Label type": "Prepaid label" if prepaid else "AmazonUnPaidLabel",
        "Label cost": fmt(_LABEL_COST.get(cur, to_minor(5, cur)) if prepaid else 0, cur),
        "Currency code": cur, "Return carrier": carrier, "Tracking ID": _tracking(rng, carrier),
        "Label to be paid by": "Seller" if prepaid and seller_fault else "Customer",
        "A-to-z claim": "N", "Is prime": "Y" if order.prime else "N",
        "ASIN": item.asin, "Merchant SKU": item.sku, "Item Name": item.title,
        "Return quantity": str(ret.qty), "Return reason": reason, "In policy": "Y",
        "Return type": "C-Returns", "Resolution": "StandardRefund", "Invoice number": "",
        "Return delivery date": _date(ret.delivered) if closed and ret.delivered is not None else "",
        "Order Amount": fmt(item.principal + item.tax_item - item.discount_item, cur),
        "Order quantity": str(item.qty),
        "Refunded Amount": fmt(refund_amount(order, item, ret.qty), cur) if closed else "",
        "Category": _CATEGORIES.get((item.sku.split("-") + ["", ""])[1], "Home"),
    }
    row.update(ret.overrides)
    return row


def report(scenario, channel, marketplace_ids, start, end):
    """The text of a returns report: the returns of `channel` ("FBA"/"FBM") in the
    marketplaces whose date (return date / return request date) is within [start, end], as
    they stood at `end`."""
    columns = FBA_RETURN_COLUMNS if channel == "FBA" else FBM_RETURN_COLUMNS
    lines = ["\t".join(columns)]
    for ret in all_returns(scenario):
        if ret.channel != channel or ret.order.market.id not in marketplace_ids:
            continue
        if not start <= ret.at <= end:
            continue
        row = fba_row(scenario, ret) if channel == "FBA" else fbm_row(scenario, ret, end)
        lines.append("\t".join(row.get(c, "").replace("\t", " ").replace("\n", " ")
                               for c in columns))
    return "\n".join(lines) + "\n"
