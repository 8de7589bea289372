"""Multi-Channel Fulfilment: the fulfillment orders a seller creates through the Fulfillment
Outbound API 2020-07-01 (apis/fulfillment_outbound.py) for another sales channel, their
status over simulated time, their shipment, what they hold and take out of the FBA stock, and
their rows in the settlement files.

An order created with ``fulfillmentAction`` ``Ship`` is ``Received`` at creation, ``Planning``
PLANNING_AFTER later, ``Processing`` (picking started, one ``PENDING`` shipment) after
PROCESSING_AFTER and ``Complete`` (the shipment ``SHIPPED`` with one package) after SHIP_AFTER.
A ``Hold`` order stays ``Received`` until updateFulfillmentOrder releases it with ``Ship``
(its timeline starts then); Amazon cancels a held order after HOLD_DAYS.  Tests move orders on
at once: ``ship`` (Complete, or CompletePartialled with fewer units) and ``make_unfulfillable``.

Stock: every unit of an order is reserved from creation until it ships (then it is gone), is
cancelled or found unfulfillable (then it is back).
"""

import random

from .clock import DAY, iso, parse_iso
from .const import (
    MARKETPLACE_BY_CODE, MARKETPLACE_BY_ID, MARKETPLACES, PRICE_FACTOR, RETURN_CENTERS, fba_fee_usd,
)
from .errors import ScenarioError
from .money import to_minor
from .returns import _tracking

MINUTE, HOUR = 60, 3600
PLANNING_AFTER = 5 * MINUTE     # Received -> Planning
PROCESSING_AFTER = 2 * HOUR     # Planning -> Processing (picking begins)
SHIP_AFTER = 8 * HOUR           # Processing -> Complete (the shipment leaves)
HOLD_DAYS = 14                  # Amazon cancels a Hold order after this many days
LIST_DEFAULT_HOURS = 36         # listAllFulfillmentOrders without queryStartDate
PAGE_SIZE = 5                   # listAllFulfillmentOrders page size (small: paging is visible)
MAX_LINES, MAX_UNITS = 100, 250
# Days from shipping to the estimated arrival, per shipping speed.
TRANSIT_DAYS = {"Standard": 4, "Expedited": 2, "Priority": 1, "ScheduledDelivery": 2}
MCF_CARRIERS = {"US": "USPS", "CA": "UPS", "DE": "DHL", "FR": "UPS", "UK": "AMZN_UK", "JP": "UPS"}
MCF_FEE_FACTOR = 1.3            # as settlement.MCF_FEE_FACTOR (multi-channel costs more)

SPEEDS = ("Standard", "Expedited", "Priority", "ScheduledDelivery")
ACTIONS = ("Ship", "Hold")
POLICIES = ("FillOrKill", "FillAll", "FillAllAvailable")
RECEIVED, PLANNING, PROCESSING = "Received", "Planning", "Processing"
COMPLETE, PARTIAL, CANCELLED, UNFULFILLABLE = ("Complete", "CompletePartialled", "Cancelled",
                                               "Unfulfillable")
OPEN = (RECEIVED, PLANNING, PROCESSING)
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _bad(message):
    return ScenarioError(400, "InvalidInput", message)


class McfItem:
    def __init__(self, raw, fnsku):
        self.raw = dict(raw)
        self.sku = raw["sellerSku"]
        self.item_id = raw["sellerFulfillmentOrderItemId"]
        self.qty = raw["quantity"]
        self.fnsku = fnsku
        self.shipped = None     # units shipped (None: every unit, when the order ships)


class FulfillmentOrder:
    """One MCF order; its status is a function of time and of the mutations stamped on it."""

    def __init__(self, scenario, body, market, items, now):
        self.body = dict(body)
        self.order_id = body["sellerFulfillmentOrderId"]
        self.market = market
        self.items = items
        self.created = int(now)
        self.action = body.get("fulfillmentAction") or "Ship"
        self.released = self.created if self.action == "Ship" else None
        self.cancelled_at = None
        self.unfulfillable_at = None
        self.shipped_at = None          # explicit shipment time (ship()); else the timeline's
        rng = random.Random("mcf-%s-%s" % (scenario.seed, self.order_id))
        self.amazon_order_id = "S01-%07d-%07d" % (rng.randrange(10 ** 7), rng.randrange(10 ** 7))
        self.shipment_id = "D" + "".join(rng.choice(_ALNUM) for _ in range(8))
        self.carrier = MCF_CARRIERS.get(market.code, "UPS")
        self.tracking_number = _tracking(rng, self.carrier)
        self.item_codes = {i.item_id: "%014d" % rng.randrange(10 ** 13, 10 ** 14) for i in items}
        self.center = RETURN_CENTERS.get(market.code, "PHX7")

    # -- timeline --------------------------------------------------------------------------
    def ship_time(self):
        if self.shipped_at is not None:
            return self.shipped_at
        if self.released is None:
            return None
        return self.released + SHIP_AFTER

    def transitions(self):
        """[(time, status)] in order, the last one possibly in the future."""
        out = [(self.created, RECEIVED)]
        ends = [t for t in (self.cancelled_at, self.unfulfillable_at) if t is not None]
        ship = self.ship_time()
        if self.released is not None:
            for delay, status in ((PLANNING_AFTER, PLANNING), (PROCESSING_AFTER, PROCESSING)):
                t = self.released + delay
                if (ship is None or t < ship) and not any(e <= t for e in ends):
                    out.append((t, status))
            if ship is not None and not any(e <= ship for e in ends):
                out.append((ship, PARTIAL if self.partial() else COMPLETE))
        else:
            auto = self.created + HOLD_DAYS * DAY
            if not any(e <= auto for e in ends):
                out.append((auto, CANCELLED))
        if self.cancelled_at is not None:
            out.append((self.cancelled_at, CANCELLED))
        if self.unfulfillable_at is not None:
            out.append((self.unfulfillable_at, UNFULFILLABLE))
        out.sort(key=lambda x: x[0])
        # nothing follows a final status
        for n, (_t, status) in enumerate(out):
            if status not in OPEN:
                return out[:n + 1]
        return out

    def status(self, now):
        """(status, statusUpdatedDate) at `now`."""
        current = (RECEIVED, self.created)
        for t, status in self.transitions():
            if t <= now:
                current = (status, t)
        return current

    def partial(self):
        return any(i.shipped is not None and i.shipped < i.qty for i in self.items)

    def shipped_qty(self, item, now):
        status, _ = self.status(now)
        if status not in (COMPLETE, PARTIAL):
            return 0
        return item.qty if item.shipped is None else item.shipped

    def reserved_qty(self, item, now):
        status, _ = self.status(now)
        return item.qty if status in OPEN else 0

    def arrival(self):
        ship = self.ship_time()
        speed = self.body.get("shippingSpeedCategory")
        window = self.body.get("deliveryWindow") or {}
        if speed == "ScheduledDelivery" and window.get("endDate"):
            return parse_iso(window["endDate"])
        return None if ship is None else ship + TRANSIT_DAYS.get(speed, 4) * DAY

    # -- JSON ------------------------------------------------------------------------------
    def header(self, now):
        status, updated = self.status(now)
        b = self.body
        out = {"sellerFulfillmentOrderId": self.order_id, "marketplaceId": self.market.id,
               "displayableOrderId": b["displayableOrderId"],
               "displayableOrderDate": iso(parse_iso(b["displayableOrderDate"])),
               "displayableOrderComment": b["displayableOrderComment"],
               "shippingSpeedCategory": b["shippingSpeedCategory"],
               "destinationAddress": dict(b["destinationAddress"]),
               "fulfillmentAction": "Ship" if self.released is not None else "Hold",
               "fulfillmentPolicy": b.get("fulfillmentPolicy") or "FillOrKill",
               "receivedDate": iso(self.created), "fulfillmentOrderStatus": status,
               "statusUpdatedDate": iso(updated)}
        for key in ("deliveryWindow", "codSettings", "notificationEmails", "featureConstraints"):
            if b.get(key) not in (None, [], {}):
                out[key] = b[key]
        return out

    def render(self, now):
        status, _ = self.status(now)
        items = []
        for item in self.items:
            entry = {"sellerSku": item.sku, "sellerFulfillmentOrderItemId": item.item_id,
                     "quantity": item.qty, "fulfillmentNetworkSku": item.fnsku,
                     "orderItemDisposition": "Sellable",
                     "cancelledQuantity": item.qty if status == CANCELLED else 0,
                     "unfulfillableQuantity": (item.qty if status == UNFULFILLABLE else
                                               item.qty - self.shipped_qty(item, now)
                                               if status == PARTIAL else 0)}
            for key in ("giftMessage", "displayableComment", "perUnitDeclaredValue",
                        "perUnitPrice", "perUnitTax"):
                if item.raw.get(key) not in (None, ""):
                    entry[key] = item.raw[key]
            if status not in (CANCELLED, UNFULFILLABLE) and self.ship_time() is not None:
                entry["estimatedShipDate"] = iso(self.ship_time())
                entry["estimatedArrivalDate"] = iso(self.arrival())
            items.append(entry)
        payload = {"fulfillmentOrder": self.header(now), "fulfillmentOrderItems": items,
                   "fulfillmentShipments": self.shipments(now), "returnItems": [],
                   "returnAuthorizations": []}
        if self.body.get("paymentInformation"):
            payload["paymentInformation"] = self.body["paymentInformation"]
        return payload

    def shipments(self, now):
        status, _ = self.status(now)
        if status not in (PROCESSING, COMPLETE, PARTIAL):
            return []
        shipped = status != PROCESSING
        lines = []
        for item in self.items:
            qty = self.shipped_qty(item, now) if shipped else item.qty
            if qty:
                lines.append({"sellerSku": item.sku, "sellerFulfillmentOrderItemId": item.item_id,
                              "quantity": qty, "packageNumber": 1})
        shipment = {"amazonShipmentId": self.shipment_id, "fulfillmentCenterId": self.center,
                    "fulfillmentShipmentStatus": "SHIPPED" if shipped else "PENDING",
                    "shippingDate": iso(self.ship_time()),
                    "estimatedArrivalDate": iso(self.arrival()),
                    "fulfillmentShipmentItem": lines}
        if shipped:
            shipment["fulfillmentShipmentPackage"] = [{
                "packageNumber": 1, "carrierCode": self.carrier,
                "trackingNumber": self.tracking_number,
                "estimatedArrivalDate": iso(self.arrival())}]
        return [shipment]


# -- validation and mutations ------------------------------------------------------------------
def _text(body, key, limit, required=True):
    value = body.get(key)
    if value in (None, ""):
        if required:
            raise _bad("Missing required field: %s." % key)
        return None
    if not isinstance(value, str):
        raise _bad("%s must be a string." % key)
    if len(value) > limit:
        raise _bad("%s must be at most %d characters." % (key, limit))
    return value


def _money(value, what):
    if not isinstance(value, dict) or not value.get("currencyCode") or value.get("value") in (None, ""):
        raise _bad("%s must have currencyCode and value." % what)
    try:
        float(value["value"])
    except (TypeError, ValueError):
        raise _bad("%s.value is not a decimal number: %r" % (what, value["value"]))


def _market(body):
    marketplace_id = body.get("marketplaceId")
    if marketplace_id:
        market = MARKETPLACE_BY_ID.get(marketplace_id)
        if market is None:
            raise _bad("Invalid marketplaceId: %s." % marketplace_id)
        return market
    country = (body.get("destinationAddress") or {}).get("countryCode")
    for market in MARKETPLACES:
        if market.country == country:
            return market
    raise _bad("Missing required field: marketplaceId.")


def _address(address, market):
    if not isinstance(address, dict):
        raise _bad("Missing required field: destinationAddress.")
    required = ["name", "addressLine1", "postalCode", "countryCode"]
    if address.get("countryCode") != "JP":
        required.insert(2, "city")
    for key in required:
        if not isinstance(address.get(key), str) or not address[key].strip():
            raise _bad("Missing required field: destinationAddress.%s." % key)
    if len(address["countryCode"]) != 2:
        raise _bad("destinationAddress.countryCode must be an ISO 3166-1 alpha-2 code.")


def create(scenario, body, now):
    """createFulfillmentOrder: validate like Amazon, then store the order (ScenarioError 400
    for what Amazon refuses)."""
    if not isinstance(body, dict):
        raise _bad("Request body must be a JSON object.")
    order_id = _text(body, "sellerFulfillmentOrderId", 40)
    _text(body, "displayableOrderId", 40)
    if body.get("displayableOrderComment") is None:
        raise _bad("Missing required field: displayableOrderComment.")
    _text(body, "displayableOrderComment", 750, required=False)
    date = _text(body, "displayableOrderDate", 64)
    try:
        parse_iso(date)
    except ValueError:
        raise _bad("displayableOrderDate is not an ISO-8601 date-time: %s" % date)
    speed = body.get("shippingSpeedCategory")
    if speed in (None, ""):
        raise _bad("Missing required field: shippingSpeedCategory.")
    if speed not in SPEEDS:
        raise _bad("Invalid shippingSpeedCategory: %s." % speed)
    action = body.get("fulfillmentAction") or "Ship"
    if action not in ACTIONS:
        raise _bad("Invalid fulfillmentAction: %s." % action)
    policy = body.get("fulfillmentPolicy")
    if policy is not None and policy not in POLICIES:
        raise _bad("Invalid fulfillmentPolicy: %s." % policy)
    _address(body.get("destinationAddress"), None)
    market = _market(body)
    if speed == "ScheduledDelivery":
        if market.code != "JP":
            raise _bad("ScheduledDelivery is only available in the JP marketplace.")
        if action == "Hold":
            raise _bad("Hold is not a valid fulfillmentAction when shippingSpeedCategory is "
                       "ScheduledDelivery.")
    if order_id in scenario.fulfillment_orders:
        raise _bad("A fulfillment order with sellerFulfillmentOrderId %s already exists."
                   % order_id)
    raw_items = body.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise _bad("Missing required field: items.")
    if len(raw_items) > MAX_LINES:
        raise _bad("A fulfillment order has at most %d items." % MAX_LINES)
    items, seen, units = [], set(), {}
    stock = {r["sku"]: r for r in scenario.inventory(market.code, now)}
    for raw in raw_items:
        if not isinstance(raw, dict):
            raise _bad("Every item must be an object.")
        item_id = _text(raw, "sellerFulfillmentOrderItemId", 50)
        sku = _text(raw, "sellerSku", 50)
        qty = raw.get("quantity")
        if qty is None:
            raise _bad("Missing required field: quantity.")
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
            raise _bad("quantity for Item Id: %s must be a whole number >= 1." % item_id)
        if item_id in seen:
            raise _bad("Duplicate sellerFulfillmentOrderItemId: %s." % item_id)
        seen.add(item_id)
        if (market.code, sku) not in scenario.fba_initial:
            raise _bad("the SellerSKU for Item Id: %s is invalid." % item_id)
        for key in ("perUnitDeclaredValue", "perUnitPrice", "perUnitTax"):
            if raw.get(key) is not None:
                _money(raw[key], key)
        units[sku] = units.get(sku, 0) + qty
        items.append(McfItem(raw, stock[sku]["fnsku"]))
    if sum(units.values()) > MAX_UNITS:
        raise _bad("A fulfillment order has at most %d units." % MAX_UNITS)
    for sku, qty in units.items():
        available = stock[sku]["fulfillable"]
        if qty > available:
            raise _bad("Insufficient fulfillable inventory for SellerSKU %s: %d units requested, "
                       "%d fulfillable." % (sku, qty, available))
    order = FulfillmentOrder(scenario, body, market, items, now)
    scenario.fulfillment_orders[order_id] = order
    return order


def preview(scenario, body, now):
    """getFulfillmentPreview: per shipping speed asked (default Standard, Expedited, Priority)
    whether Amazon can ship the items from the FBA stock, its fees and dates."""
    if not isinstance(body, dict):
        raise _bad("Request body must be a JSON object.")
    _address(body.get("address"), None)
    market = _market(body)
    raw_items = body.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise _bad("Missing required field: items.")
    speeds = body.get("shippingSpeedCategories") or ["Standard", "Expedited", "Priority"]
    for speed in speeds:
        if speed not in SPEEDS or (speed == "ScheduledDelivery" and market.code != "JP"):
            raise _bad("Invalid shippingSpeedCategory: %s." % speed)
    stock = {r["sku"]: r for r in scenario.inventory(market.code, now)}
    fee_minor, weight, unfulfillable = 0, 0.0, []
    for raw in raw_items:
        item_id = _text(raw, "sellerFulfillmentOrderItemId", 50)
        sku = _text(raw, "sellerSku", 50)
        qty = raw.get("quantity")
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
            raise _bad("quantity for Item Id: %s must be a whole number >= 1." % item_id)
        reasons = []
        if (market.code, sku) not in scenario.fba_initial:
            reasons.append("InvalidSku")
        elif qty > stock[sku]["fulfillable"]:
            reasons.append("InventoryUnavailable")
        if reasons:
            unfulfillable.append({"sellerSku": sku, "quantity": qty,
                                  "sellerFulfillmentOrderItemId": item_id,
                                  "itemUnfulfillableReasons": reasons})
            continue
        product = scenario.by_sku.get(sku)
        base = product["base_price"] if product else 10.0
        fee_minor += to_minor(fba_fee_usd(base) * PRICE_FACTOR[market.code] * MCF_FEE_FACTOR,
                              market.currency) * qty
        weight += 0.5 * qty
    digits = 0 if market.currency == "JPY" else 2
    previews = []
    for index, speed in enumerate(speeds):
        fulfillable = not unfulfillable
        preview = {"shippingSpeedCategory": speed, "isFulfillable": fulfillable,
                   "isCODCapable": False, "marketplaceId": market.id,
                   "estimatedShippingWeight": {"unit": "KILOGRAMS", "value": str(weight)}}
        if fulfillable:
            # faster costs more: +40 % per step above Standard
            minor = fee_minor * (10 + 4 * index) // 10
            transit = TRANSIT_DAYS.get(speed, 4)
            ship_by = now + PROCESSING_AFTER + SHIP_AFTER
            preview["estimatedFees"] = [{"name": "FBAPerUnitFulfillmentFee", "amount": {
                "currencyCode": market.currency, "value": str(round(minor / 10 ** digits, digits))}}]
            preview["fulfillmentPreviewShipments"] = [{
                "earliestShipDate": iso(now + PROCESSING_AFTER), "latestShipDate": iso(ship_by),
                "earliestArrivalDate": iso(ship_by + max(transit - 1, 1) * DAY),
                "latestArrivalDate": iso(ship_by + transit * DAY),
                "fulfillmentPreviewItems": [{
                    "sellerSku": raw["sellerSku"], "quantity": raw["quantity"],
                    "sellerFulfillmentOrderItemId": raw["sellerFulfillmentOrderItemId"]}
                    for raw in raw_items]}]
        else:
            preview["unfulfillablePreviewItems"] = unfulfillable
            preview["orderUnfulfillableReasons"] = ["Some items cannot be fulfilled."]
        previews.append(preview)
    return previews


def get(scenario, order_id, now):
    order = scenario.fulfillment_orders.get(order_id)
    if order is None or order.created > now:
        raise _bad("Requested order not found")
    return order


def cancel(scenario, order_id, now):
    """cancelFulfillmentOrder: Received / Planning orders only (an already cancelled one stays
    cancelled)."""
    order = get(scenario, order_id, now)
    status, _ = order.status(now)
    if status == CANCELLED:
        return order
    if status not in (RECEIVED, PLANNING):
        raise _bad("Fulfillment order %s is %s and can no longer be cancelled."
                   % (order_id, status))
    order.cancelled_at = int(now)
    return order


def update(scenario, order_id, body, now):
    """updateFulfillmentOrder: while Received / Planning; ``fulfillmentAction`` ``Ship``
    releases a Hold order (its timeline starts now); displayable fields, the address, the
    speed, the policy and the notification e-mails are replaced."""
    order = get(scenario, order_id, now)
    if not isinstance(body, dict):
        raise _bad("Request body must be a JSON object.")
    status, _ = order.status(now)
    if status not in (RECEIVED, PLANNING):
        raise _bad("Fulfillment order %s is %s and can no longer be updated." % (order_id, status))
    action = body.get("fulfillmentAction")
    if action is not None and action not in ACTIONS:
        raise _bad("Invalid fulfillmentAction: %s." % action)
    if body.get("shippingSpeedCategory") is not None and body["shippingSpeedCategory"] not in SPEEDS:
        raise _bad("Invalid shippingSpeedCategory: %s." % body["shippingSpeedCategory"])
    if body.get("fulfillmentPolicy") is not None and body["fulfillmentPolicy"] not in POLICIES:
        raise _bad("Invalid fulfillmentPolicy: %s." % body["fulfillmentPolicy"])
    if body.get("destinationAddress") is not None:
        _address(body["destinationAddress"], order.market)
    for key in ("displayableOrderId", "displayableOrderDate", "displayableOrderComment",
                "shippingSpeedCategory", "destinationAddress", "fulfillmentPolicy",
                "notificationEmails", "featureConstraints"):
        if body.get(key) is not None:
            order.body[key] = body[key]
    if action == "Ship" and order.released is None:
        order.released = int(now)
    return order


def ship(scenario, order_id, now, carrier=None, tracking_number=None, quantities=None):
    """Ship an open order now (test helper): ``Complete``, or ``CompletePartialled`` when
    ``quantities`` ({sellerFulfillmentOrderItemId: units}) ships fewer units than ordered."""
    order = get(scenario, order_id, now)
    status, _ = order.status(now)
    if status not in OPEN:
        raise _bad("Fulfillment order %s is %s." % (order_id, status))
    by_id = {i.item_id: i for i in order.items}
    for item_id, qty in (quantities or {}).items():
        if item_id not in by_id:
            raise _bad("Item %s is not part of fulfillment order %s." % (item_id, order_id))
        if isinstance(qty, bool) or not isinstance(qty, int) or not 0 <= qty <= by_id[item_id].qty:
            raise _bad("Shipped quantity of %s must be 0..%d." % (item_id, by_id[item_id].qty))
    if quantities is not None:
        if not sum(quantities.get(i.item_id, i.qty) for i in order.items):
            raise _bad("At least one unit must ship.")
        for item in order.items:
            item.shipped = quantities.get(item.item_id, item.qty)
    if order.released is None:
        order.released = int(now)
    order.shipped_at = int(now)
    if carrier:
        order.carrier = carrier
    if tracking_number:
        order.tracking_number = str(tracking_number)
    return order


def make_unfulfillable(scenario, order_id, now):
    """Amazon found no sellable unit (test helper): an open order becomes Unfulfillable now."""
    order = get(scenario, order_id, now)
    status, _ = order.status(now)
    if status not in OPEN:
        raise _bad("Fulfillment order %s is %s." % (order_id, status))
    order.unfulfillable_at = int(now)
    return order


def listed(scenario, since, now):
    """listAllFulfillmentOrders: orders whose status changed at or after `since`; without it
    those updated in the last LIST_DEFAULT_HOURS and every open one.  By status update time."""
    rows = []
    for order in scenario.fulfillment_orders.values():
        if order.created > now:
            continue
        status, updated = order.status(now)
        if since is not None:
            keep = updated >= since
        else:
            keep = updated >= now - LIST_DEFAULT_HOURS * HOUR or status in OPEN
        if keep:
            rows.append((updated, order.created, order.order_id))
    rows.sort()
    return [r[2] for r in rows]


# -- FBA stock and settlements ----------------------------------------------------------------
def stock_moves(scenario, code, now):
    """{sku: (units shipped, units reserved, changed)} of marketplace `code`'s MCF orders."""
    out = {}
    for order in getattr(scenario, "fulfillment_orders", {}).values():
        if order.market.code != code or order.created > now:
            continue
        _status, updated = order.status(now)
        for item in order.items:
            gone, held, changed = out.get(item.sku, (0, 0, 0))
            out[item.sku] = (gone + order.shipped_qty(item, now),
                             held + order.reserved_qty(item, now), max(changed, updated))
    return out


def settlement_rows(scenario, code, start, end):
    """Settlement rows of the MCF orders of marketplace `code` shipped in [start, end), in the
    format of the `mcf` knob (settlement.mcf_rows): [(time, ttype, atype, desc, minor, extra)]."""
    market = MARKETPLACE_BY_CODE[code]
    out = []
    for order in getattr(scenario, "fulfillment_orders", {}).values():
        shipped = order.ship_time()
        if order.market.code != code or shipped is None or not start <= shipped < end:
            continue
        status, _ = order.status(shipped)
        if status not in (COMPLETE, PARTIAL):
            continue
        common = {"order-id": order.amazon_order_id, "merchant-order-id": order.order_id,
                  "shipment-id": order.shipment_id, "marketplace-name": "Non-Amazon %s" % code,
                  "fulfillment-id": "AFN"}
        total = 0
        for item in order.items:
            qty = order.shipped_qty(item, shipped)
            if not qty:
                continue
            product = scenario.by_sku.get(item.sku)
            base = product["base_price"] if product else 10.0
            fee = to_minor(fba_fee_usd(base) * PRICE_FACTOR[code] * MCF_FEE_FACTOR,
                           market.currency) * qty
            transport = fee // 5
            total += transport
            extra = dict(common, **{"sku": item.sku, "quantity-purchased": str(qty),
                                    "order-item-code": order.item_codes[item.item_id],
                                    "merchant-order-item-id": item.item_id})
            out.append((shipped, "Order", "ItemPrice", "Principal", 0, extra))
            out.append((shipped, "Order", "ItemFees", "FBAPerUnitFulfillmentFee",
                        -(fee - transport), extra))
        if total:
            out.append((shipped, "Order", "Shipment-Fees", "FBA transportation fee", -total,
                        common))
    out.sort(key=lambda r: (r[0], r[5]["order-id"]))
    return out

