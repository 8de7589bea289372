"""FBA removal orders: the rows of the two removal reports,
`GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA` (one row per removal order, SKU and
disposition) and `GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA` (one row per shipped
package line of `Return` orders), and what removals take out of the FBA stock.

Removal orders come from `Scenario.add_removal_order()` and, unless switched off
(`scenario.auto_removals = False`), from the seed: per marketplace one disposal of
unfulfillable units (when the seed left some) and one return to the seller, both requested
and completed within the history period.  Every generated value is drawn from a stream of its
own (seed, marketplace or order id, line number), so the same seed gives the same rows and
nothing else of the scenario moves.

A report shows the orders as they stood at its creation time (or dataEndTime when earlier):
a line's units are in process from the request until they ship (`Return`) or are disposed
of (`Disposal`, `Liquidations`); an order given as `Completed` or `Cancelled` is `Pending`
until its first units leave, `Processing` until its last do, then takes its final status
(its cancelled units are counted from then on).  `Pending`, `Planning` and `Processing`
orders keep their status.
"""

import random
import time

from .clock import DAY, as_time
from .const import MARKETPLACE_BY_CODE, MARKETPLACE_BY_ID, MARKETPLACES
from .errors import ScenarioError
from .money import fmt, to_minor
from .returns import _tracking, column_key, fnsku

HOUR = 3600

DETAIL_COLUMNS = [
    "request-date", "order-id", "order-source", "order-type", "order-status",
    "last-updated-date", "sku", "fnsku", "disposition", "requested-quantity",
    "cancelled-quantity", "disposed-quantity", "shipped-quantity", "in-process-quantity",
    "removal-fee", "currency",
]
SHIPMENT_COLUMNS = [
    "request-date", "order-id", "shipment-date", "sku", "fnsku", "disposition",
    "shipped-quantity", "carrier", "tracking-number", "removal-order-type",
]

ORDER_TYPES = ("Return", "Disposal", "Liquidations")
STATUSES = ("Pending", "Planning", "Processing", "Completed", "Cancelled")
FINAL_STATUSES = ("Completed", "Cancelled")
DISPOSITIONS = ("Sellable", "Unsellable")
MANUAL = "Seller-initiated Manual Removal"
LONG_TERM_STORAGE = "Automated Long-Term Storage Removal"

SHIP_AFTER = 2 * DAY        # a Return line ships this long after the request (default)
DISPOSE_AFTER = DAY         # a Disposal / Liquidations line is disposed of this long after it

# The carrier removal shipments travel with, per marketplace code.
REMOVAL_CARRIERS = {"US": "UPS", "CA": "UPS", "DE": "DHL", "FR": "UPS", "UK": "AMZN_UK",
                    "JP": "UPS"}
# Removal fee per unit shipped back or disposed of, in minor units of the currency.
_FEE_RETURN = {"USD": 104, "CAD": 97, "EUR": 50, "GBP": 49, "JPY": 30}
_FEE_DISPOSAL = {"USD": 104, "CAD": 97, "EUR": 25, "GBP": 20, "JPY": 10}
_ID_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"

# Columns set through the parameters (order id, type, status, lines), not through **columns.
_PARAMETER_COLUMNS = {"order-id", "order-type", "order-status", "sku", "disposition",
                      "requested-quantity", "cancelled-quantity", "disposed-quantity",
                      "shipped-quantity", "in-process-quantity", "removal-order-type",
                      "request-date", "shipment-date", "last-updated-date"}
_DETAIL_KEYS = {column_key(c): c for c in DETAIL_COLUMNS if c not in _PARAMETER_COLUMNS}
_SHIPMENT_KEYS = {column_key(c): c for c in SHIPMENT_COLUMNS if c not in _PARAMETER_COLUMNS}
_LINE_KEYS = {"sku", "disposition", "quantity", "requested_quantity", "shipped_quantity",
              "disposed_quantity", "cancelled_quantity", "shipped_at", "disposed_at", "carrier",
              "tracking_number", "removal_fee", "fnsku"}


class RemovalLine:
    """`quantity` units of `sku` with one disposition; `done` of them leave (ship or are
    disposed of) at `done_at`, `cancelled` are cancelled, the rest stay in process."""

    def __init__(self, sku, disposition, quantity, done, cancelled, done_at, n, overrides=None):
        self.sku, self.disposition, self.quantity = sku, disposition, quantity
        self.done, self.cancelled, self.done_at, self.n = done, cancelled, int(done_at), n
        self.overrides = dict(overrides or {})


class RemovalOrder:
    """A removal order of marketplace `market` requested at `at`; `status` is its final (or
    lasting) status."""

    def __init__(self, order_id, order_type, market, at, status, lines, source=MANUAL,
                 overrides=None, explicit=False):
        self.order_id, self.order_type, self.market = order_id, order_type, market
        self.at, self.status, self.lines, self.source = int(at), status, lines, source
        self.overrides = dict(overrides or {})
        self.explicit = explicit

    @property
    def final_at(self):
        """When a Completed / Cancelled order takes its final status: when its last units
        leave (its request date when none do)."""
        return max([self.at] + [line.done_at for line in self.lines if line.done])

    def status_at(self, t):
        if self.status not in FINAL_STATUSES or t >= self.final_at:
            return self.status
        if any(line.done and line.done_at <= t for line in self.lines):
            return "Processing"
        return "Pending"

    def updated_at(self, t):
        """last-updated-date as of `t` (>= the request date)."""
        return max([self.at] + [line.done_at for line in self.lines
                                if line.done and line.done_at <= t])

    def quantities(self, line, t):
        """(done, cancelled, in process) units of `line` as of `t`."""
        done = line.done if line.done_at <= t else 0
        cancelled = line.cancelled if (self.status not in FINAL_STATUSES
                                       or t >= self.final_at) else 0
        return done, cancelled, line.quantity - done - cancelled


def _count(value, what, minimum=0):
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ScenarioError(400, "InvalidInput", "%s must be an integer >= %d: %r"
                            % (what, minimum, value))
    return value


def _market(scenario, marketplace_id, skus):
    if marketplace_id is not None:
        market = MARKETPLACE_BY_ID.get(marketplace_id) or MARKETPLACE_BY_CODE.get(marketplace_id)
        if market is None:
            raise ScenarioError(400, "InvalidInput", "Unknown marketplace %r." % (marketplace_id,))
        return market
    for market in MARKETPLACES:
        if all((market.code, sku) in scenario.fba_initial for sku in skus):
            return market
    raise ScenarioError(400, "InvalidInput", "No marketplace has all of %s as FBA SKUs."
                        % ", ".join(skus))


def _overrides(columns, keys, what):
    out = {}
    for key, value in columns.items():
        column = keys.get(key) or (key if key in keys.values() else None)
        if column is None:
            raise ScenarioError(400, "InvalidInput", "%s is no column %s (known: %s)."
                                % (key, what, ", ".join(sorted(keys))))
        out[column] = "" if value is None else str(value)
    return out


def add_removal_order(scenario, order_id, order_type, lines, when=None, status="Completed",
                      marketplace_id=None, shipped_at=None, disposed_at=None, **columns):
    """An explicit removal order (see Scenario.add_removal_order)."""
    if order_type not in ORDER_TYPES:
        raise ScenarioError(400, "InvalidInput", "order_type must be one of %s, not %r."
                            % (", ".join(ORDER_TYPES), order_type))
    if status not in STATUSES:
        raise ScenarioError(400, "InvalidInput", "status must be one of %s, not %r."
                            % (", ".join(STATUSES), status))
    if order_id is not None and (not isinstance(order_id, str) or not order_id.strip()):
        raise ScenarioError(400, "InvalidInput", "order_id must be a non-empty string.")
    if not isinstance(lines, (list, tuple)) or not lines:
        raise ScenarioError(400, "InvalidInput", "A removal order needs at least one line.")
    returned = order_type == "Return"
    if shipped_at is not None and not returned:
        raise ScenarioError(400, "InvalidInput", "shipped_at applies to Return orders only.")
    if disposed_at is not None and returned:
        raise ScenarioError(400, "InvalidInput", "disposed_at applies to Disposal and "
                            "Liquidations orders only.")
    specs = []
    for n, raw in enumerate(lines):
        if isinstance(raw, dict):
            spec = dict(raw)
            unknown = sorted(set(spec) - _LINE_KEYS)
            if unknown:
                raise ScenarioError(400, "InvalidInput", "Unknown line key(s) %s (known: %s)."
                                    % (", ".join(unknown), ", ".join(sorted(_LINE_KEYS))))
            if "requested_quantity" in spec:
                spec.setdefault("quantity", spec.pop("requested_quantity"))
        elif isinstance(raw, (list, tuple)) and len(raw) == 3:
            spec = {"sku": raw[0], "disposition": raw[1], "quantity": raw[2]}
        else:
            raise ScenarioError(400, "InvalidInput", "Line %d is no (sku, disposition, quantity) "
                                "nor a dict: %r." % (n + 1, raw))
        specs.append(spec)
    market = _market(scenario, marketplace_id, [s.get("sku") for s in specs])
    at = scenario.start if when is None else as_time(when, "when")
    out_lines = []
    for n, spec in enumerate(specs):
        sku = spec.get("sku")
        if (market.code, sku) not in scenario.fba_initial:
            raise ScenarioError(400, "InvalidInput", "SKU %s is no FBA SKU of %s."
                                % (sku, market.code))
        disposition = spec.get("disposition")
        if disposition not in DISPOSITIONS:
            raise ScenarioError(400, "InvalidInput", "disposition must be Sellable or "
                                "Unsellable, not %r." % (disposition,))
        quantity = _count(spec.get("quantity"), "quantity", 1)
        wrong = "disposed_quantity" if returned else "shipped_quantity"
        if wrong in spec or (not returned and ({"shipped_at", "carrier", "tracking_number"}
                                               & set(spec))):
            raise ScenarioError(400, "InvalidInput", "Line %d: %s does not apply to %s orders."
                                % (n + 1, wrong if wrong in spec else "shipment data", order_type))
        if returned and "disposed_at" in spec:
            raise ScenarioError(400, "InvalidInput", "Line %d: disposed_at does not apply to "
                                "Return orders." % (n + 1))
        done_key = "shipped_quantity" if returned else "disposed_quantity"
        done = spec.get(done_key)
        cancelled = spec.get("cancelled_quantity")
        if done is not None:
            _count(done, done_key)
        if cancelled is not None:
            _count(cancelled, "cancelled_quantity")
        if status in ("Pending", "Planning") and done:
            raise ScenarioError(400, "InvalidInput", "A %s order has no units %s yet."
                                % (status, "shipped" if returned else "disposed"))
        if status == "Completed":
            if done is None:
                done = quantity - (cancelled or 0)
            if cancelled is None:
                cancelled = quantity - done
        elif status == "Cancelled":
            done = done or 0
            if cancelled is None:
                cancelled = quantity - done
        else:
            done, cancelled = done or 0, cancelled or 0
        if done < 0 or cancelled < 0 or done + cancelled > quantity or (
                status in FINAL_STATUSES and done + cancelled != quantity):
            raise ScenarioError(400, "InvalidInput", "Line %d: %d %s and %d cancelled do not fit "
                                "%d requested units of a %s order." % (
                                    n + 1, done, done_key.split("_")[0], cancelled, quantity,
                                    status))
        if returned:
            leave = spec.get("shipped_at", shipped_at)
            done_at = at + SHIP_AFTER if leave is None else as_time(leave, "shipped_at")
        else:
            leave = spec.get("disposed_at", disposed_at)
            done_at = at + DISPOSE_AFTER if leave is None else as_time(leave, "disposed_at")
        if done_at < at:
            raise ScenarioError(400, "InvalidInput", "Line %d leaves before its request date."
                                % (n + 1))
        overrides = {c: str(spec[k]) for k, c in (("carrier", "carrier"),
                                                  ("tracking_number", "tracking-number"),
                                                  ("removal_fee", "removal-fee"),
                                                  ("fnsku", "fnsku")) if spec.get(k) is not None}
        out_lines.append(RemovalLine(sku, disposition, quantity, done, cancelled, done_at, n,
                                     overrides))
    keys = dict(_DETAIL_KEYS, **(_SHIPMENT_KEYS if returned else {}))
    overrides = _overrides(columns, keys, "of the %s removal reports" % order_type)
    if order_id is None:
        rng = random.Random("removal-id-%s-%d" % (scenario.seed, len(scenario.removal_orders)))
        order_id = "".join(rng.choice(_ID_CHARS) for _ in range(10))
    if any(o.order_id == order_id for o in all_removals(scenario)):
        raise ScenarioError(400, "InvalidInput", "Removal order %s exists already." % order_id)
    order = RemovalOrder(order_id, order_type, market, at, status, out_lines,
                         overrides.pop("order-source", MANUAL), overrides, explicit=True)
    scenario.removal_orders.append(order)
    return order


def automatic_removals(scenario):
    """Per marketplace: a disposal of unfulfillable units (when the seed left some) and a
    return of sellable units to the seller, requested and completed in the history period."""
    out = []
    for market in MARKETPLACES:
        offers = [c["sku"] for c in scenario.catalogue
                  if c["offers"][market.code]["channel"] == "FBA"
                  and (market.code, c["sku"]) in scenario.fba_initial]
        if not offers:
            continue
        rng = random.Random("removals-%s-%s" % (scenario.seed, market.code))

        def new_id():
            return "".join(rng.choice(_ID_CHARS) for _ in range(10))

        damaged = [s for s in offers if scenario.fba_extra[(market.code, s)][0] > 0]
        disposal_id = new_id()
        if damaged:
            sku = rng.choice(damaged)
            qty = rng.randint(1, scenario.fba_extra[(market.code, sku)][0])
            at = scenario.history_start + rng.randint(2 * 24, 12 * 24) * HOUR + rng.randrange(HOUR)
            done_at = at + rng.randint(20, 60) * HOUR
            out.append(RemovalOrder(disposal_id, "Disposal", market, at, "Completed",
                                    [RemovalLine(sku, "Unsellable", qty, qty, 0, done_at, 0)]))
        return_id = new_id()
        at = scenario.history_start + rng.randint(14 * 24, 24 * 24) * HOUR + rng.randrange(HOUR)
        lines = []
        for n, sku in enumerate(rng.sample(offers, min(len(offers), rng.randint(1, 2)))):
            qty = rng.randint(1, 5)
            cancelled = 1 if qty > 1 and rng.random() < 0.3 else 0
            done_at = at + rng.randint(40, 96) * HOUR
            lines.append(RemovalLine(sku, "Sellable", qty, qty - cancelled, cancelled, done_at, n))
        out.append(RemovalOrder(return_id, "Return", market, at, "Completed", lines))
    return out


def all_removals(scenario):
    """Every removal order: the explicit ones and (when on) the automatic ones, by request
    date and order id."""
    out = list(scenario.removal_orders)
    if scenario.auto_removals:
        out.extend(automatic_removals(scenario))
    out.sort(key=lambda o: (o.at, o.order_id))
    return out


def _iso_offset(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(int(t)))


def _fee(order, line, units):
    cur = order.market.currency
    table = _FEE_RETURN if order.order_type == "Return" else _FEE_DISPOSAL
    return fmt(units * table.get(cur, to_minor(1, cur)), cur)


def _fnsku(scenario, sku):
    product = scenario.by_sku.get(sku) or scenario.extra_skus.get(sku) or {"asin": ""}
    return fnsku(sku, product["asin"])


def detail_row(scenario, order, line, t):
    """{column: value} of one line of a removal order as it stands at `t`."""
    done, cancelled, in_process = order.quantities(line, t)
    returned = order.order_type == "Return"
    row = {
        "request-date": _iso_offset(order.at), "order-id": order.order_id,
        "order-source": order.source, "order-type": order.order_type,
        "order-status": order.status_at(t), "last-updated-date": _iso_offset(order.updated_at(t)),
        "sku": line.sku, "fnsku": _fnsku(scenario, line.sku), "disposition": line.disposition,
        "requested-quantity": str(line.quantity), "cancelled-quantity": str(cancelled),
        "disposed-quantity": str(0 if returned else done),
        "shipped-quantity": str(done if returned else 0),
        "in-process-quantity": str(in_process), "removal-fee": _fee(order, line, done),
        "currency": order.market.currency,
    }
    row.update({c: v for c, v in order.overrides.items() if c in row})
    row.update({c: v for c, v in line.overrides.items() if c in row})
    return row


def shipment_row(scenario, order, line):
    """{column: value} of the package line a Return line shipped in."""
    carrier = line.overrides.get("carrier") or order.overrides.get("carrier") \
        or REMOVAL_CARRIERS.get(order.market.code, "UPS")
    # lines of an order leaving together with one carrier travel in one package
    rng = random.Random("removal-package-%s-%s-%d-%s" % (scenario.seed, order.order_id,
                                                         line.done_at, carrier))
    if carrier == "AMZN_UK":
        tracking = "QA%010d" % rng.randrange(10 ** 10)
    else:
        tracking = _tracking(rng, carrier)
    row = {
        "request-date": _iso_offset(order.at), "order-id": order.order_id,
        "shipment-date": _iso_offset(line.done_at), "sku": line.sku,
        "fnsku": _fnsku(scenario, line.sku), "disposition": line.disposition,
        "shipped-quantity": str(line.done), "carrier": carrier, "tracking-number": tracking,
        "removal-order-type": "Return",
    }
    row.update({c: v for c, v in order.overrides.items() if c in row})
    row.update({c: v for c, v in line.overrides.items() if c in row})
    return row


def _line(row, columns):
    return "\t".join(row.get(c, "").replace("\t", " ").replace("\n", " ") for c in columns)


def detail_report(scenario, marketplace_ids, start, end):
    """The removal order detail report: lines of the marketplaces' removal orders requested by
    `end` whose last-updated-date (as of `end`) lies within [start, end]."""
    lines = ["\t".join(DETAIL_COLUMNS)]
    for order in all_removals(scenario):
        if order.market.id not in marketplace_ids or order.at > end:
            continue
        if not start <= order.updated_at(end) <= end:
            continue
        for line in order.lines:
            lines.append(_line(detail_row(scenario, order, line, end), DETAIL_COLUMNS))
    return "\n".join(lines) + "\n"


def shipment_report(scenario, marketplace_ids, start, end):
    """The removal shipment detail report: the package lines of the marketplaces' Return
    orders shipped within [start, end], by shipment date."""
    rows = []
    for order in all_removals(scenario):
        if order.order_type != "Return" or order.market.id not in marketplace_ids:
            continue
        for line in order.lines:
            if line.done and start <= line.done_at <= end:
                rows.append((line.done_at, order.order_id, line.n,
                             shipment_row(scenario, order, line)))
    rows.sort(key=lambda r: r[:3])
    return "\n".join(["\t".join(SHIPMENT_COLUMNS)] + [_line(r[3], SHIPMENT_COLUMNS)
                                                       for r in rows]) + "\n"


def stock_moves(scenario, code, now):
    """What the removals of marketplace `code` did to its FBA stock by `now`:
    {sku: (sellable units gone, sellable units in process, unsellable units gone, changed)}."""
    out = {}
    for order in all_removals(scenario):
        if order.market.code != code or order.at > now:
            continue
        for line in order.lines:
            done, _cancelled, in_process = order.quantities(line, now)
            gone, held, damaged, changed = out.get(line.sku, (0, 0, 0, 0))
            if line.disposition == "Sellable":
                gone, held = gone + done, held + in_process
            else:
                damaged += done
            changed = max(changed, order.updated_at(now))
            out[line.sku] = (gone, held, damaged, changed)
    return out
