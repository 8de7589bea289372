"""The living seller: a deterministic set of orders whose visible state is a pure function of
simulated "now", plus the mutations made through the API (shipment confirmations,
cancellations), which stamp `lastUpdatedTime`.

Every order is generated from its own random stream (seed, index), so the scenario is the same
for the same seed and order count whatever happens at run time.
"""

import copy
import random

from .clock import DAY, iso, parse_iso
from .const import (
    MARKETPLACE_BY_CODE, MARKETPLACE_BY_ID, MARKETPLACES, ORDER_PREFIXES, TAX_RATE,
    build_catalogue, fba_fee_usd, PRICE_FACTOR,
)
from .money import money, pct, to_minor

HOUR = 3600
HISTORY_DAYS = 30          # the scenario starts this many days before "start"
ARRIVAL_DAYS = 7           # future orders arrive over this many days after "start"
ARRIVING_SHARE = 0.2       # share of orders (default profile) created after "start"
OLD_FBM_DAYS = 3           # FBM orders older than this at start were shipped via Seller Central
PROFILES = ("default", "fbm2")

PENDING, UNSHIPPED, PARTIALLY_SHIPPED, SHIPPED, CANCELLED = (
    "PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED", "CANCELLED")

_FIRST = ["Emma", "Liam", "Olivia", "Noah", "Mia", "Lukas", "Chloé", "Hugo", "Sophie", "Oliver",
          "Yuki", "Haruto", "Amelia", "Jack", "Léa", "Felix"]
_LAST = ["Smith", "Miller", "Schmidt", "Müller", "Martin", "Bernard", "Jones", "Taylor",
         "Sato", "Suzuki", "Brown", "Wagner", "Dubois", "Wilson", "Tanaka", "Roy"]
_CITIES = {
    "US": [("Seattle", "WA", "98101"), ("Austin", "TX", "73301"), ("Denver", "CO", "80202"),
           ("Boston", "MA", "02108")],
    "CA": [("Toronto", "ON", "M5H 2N2"), ("Vancouver", "BC", "V6B 1A1"), ("Montréal", "QC", "H2Y 1C6")],
    "DE": [("Berlin", "Berlin", "10115"), ("München", "Bayern", "80331"), ("Hamburg", "Hamburg", "20095")],
    "FR": [("Paris", "Île-de-France", "75001"), ("Lyon", "Rhône", "69001"), ("Lille", "Nord", "59000")],
    "UK": [("London", "Greater London", "SW1A 1AA"), ("Leeds", "West Yorkshire", "LS1 4AP"),
           ("Bristol", "Bristol", "BS1 4DJ")],
    "JP": [("渋谷区", "東京都", "150-0002"), ("大阪市", "大阪府", "530-0001"), ("札幌市", "北海道", "060-0001")],
}
_STREETS = {"US": "Main Street", "CA": "King Street", "DE": "Hauptstraße", "FR": "rue de la Paix",
            "UK": "High Street", "JP": "1-2-3"}
_COMPANIES = ["Acme Supplies Ltd", "Globex GmbH", "Initech SARL", "Umbrella Trading KK",
              "Stark Office Inc."]
_CARRIERS = {"US": ("UPS", "UPS Ground"), "CA": ("Canada Post", "Expedited Parcel"),
             "DE": ("DHL", "DHL Paket"), "FR": ("Colissimo", "Colissimo Domicile"),
             "UK": ("Royal Mail", "Royal Mail Tracked 48"), "JP": ("Yamato Transport", "宅急便")}
_SHIPPING_CHARGE = {"USD": 499, "CAD": 699, "EUR": 399, "GBP": 349, "JPY": 500}
_GIFT_CHARGE = {"USD": 399, "CAD": 499, "EUR": 299, "GBP": 299, "JPY": 300}
_MARKET_WEIGHTS = [("US", 40), ("CA", 8), ("DE", 18), ("FR", 10), ("UK", 14), ("JP", 10)]
ALL_INCLUDED = ("BUYER", "RECIPIENT", "PROCEEDS", "EXPENSE", "PROMOTION", "CANCELLATION",
                "FULFILLMENT", "PACKAGES", "TAX", "PAYMENT", "FULFILLMENT_ORDERS")


class ScenarioError(Exception):
    """A request Amazon would reject: carries the HTTP status and an Amazon error code."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for value, weight in pairs:
        x -= weight
        if x <= 0:
            return value
    return pairs[-1][0]


class Item:
    """One order line; all money in integer minor units of the order currency."""

    def __init__(self, item_id, sku, asin, title, qty, unit):
        self.item_id, self.sku, self.asin, self.title = item_id, sku, asin, title
        self.qty, self.unit = qty, unit
        self.shipping = self.gift = self.discount_item = self.discount_ship = 0
        self.tax_item = self.tax_ship = self.tax_gift = 0
        self.promotion_ids = []
        self.gift_message = None
        self.business_price = False

    @property
    def principal(self):
        return self.unit * self.qty

    @property
    def tax(self):
        return self.tax_item + self.tax_ship + self.tax_gift

    @property
    def total(self):
        return (self.principal + self.shipping + self.gift + self.tax
                - self.discount_item - self.discount_ship)


class Package:
    def __init__(self, reference, carrier, service, tracking, ship_time, stamp, quantities):
        self.reference, self.carrier, self.service = reference, carrier, service
        self.tracking, self.ship_time, self.stamp = tracking, ship_time, stamp
        self.quantities = quantities  # {orderItemId: qty}


class Order:
    """An order's fixed facts and schedule; its state at a time comes from `view(now)`."""

    def __init__(self, order_id, market, channel, created):
        self.order_id, self.market, self.channel, self.created = order_id, market, channel, created
        self.items = []
        self.unshipped_at = created + 600
        self.auto_ship_at = None        # FBA shipment, or FBM shipped via Seller Central
        self.cancel_at = None           # scheduled buyer cancellation
        self.cancel_reason = "BUYER_CANCELLED"
        self.refund_delay = None        # refund of one unit of the first line, after shipping
        self.replacement_of = None
        self.business = False
        self.buyer = {}
        self.address = {}
        self.tax_registration = None
        self.prime = False
        self.service_level = "STANDARD"
        self.packages = []              # confirmShipment mutations (and Seller Central ones)
        self.cancelled_by_api = None    # stamp of a cancellation made via the control API
        self.raw = None                 # replayed Orders 2026-01-01 JSON (--orders-file)
        self.raw_status = None
        self.raw_updated = None

    # -- schedule ---------------------------------------------------------------------------
    @property
    def currency(self):
        return self.market.currency

    def _timeline(self):
        """(time, status) events, in order, from the schedule and the mutations."""
        if self.raw is not None:
            events = [(self.created, self.raw_status)]
        else:
            events = [(self.created, PENDING)]
            first_ship = min([p.stamp for p in self.packages] + [self.auto_ship_at or float("inf")])
            cancel = self.cancel_at if (self.cancel_at is not None and self.cancel_at < first_ship) else None
            if cancel is not None and cancel <= self.unshipped_at:
                events.append((cancel, CANCELLED))
                return events
            events.append((self.unshipped_at, UNSHIPPED))
            if self.auto_ship_at is not None and (cancel is None or self.auto_ship_at < cancel):
                events.append((self.auto_ship_at, SHIPPED))
            if cancel is not None and not self.packages:
                events.append((cancel, CANCELLED))
        done = {}
        for pkg in sorted(self.packages, key=lambda p: p.stamp):
            for item_id, qty in pkg.quantities.items():
                done[item_id] = done.get(item_id, 0) + qty
            full = all(done.get(i.item_id, 0) >= i.qty for i in self.items)
            events.append((pkg.stamp, SHIPPED if full else PARTIALLY_SHIPPED))
        if self.cancelled_by_api is not None:
            events.append((self.cancelled_by_api, CANCELLED))
        events.sort(key=lambda e: e[0])
        return events

    def status(self, now):
        """(status, lastUpdatedTime) at `now`, or (None, None) when not yet created."""
        if now < self.created:
            return None, None
        status, updated = None, self.created
        for t, s in self._timeline():
            if t <= now:
                status, updated = s, t
        if self.raw_updated and self.raw is not None and self.raw_updated <= now:
            updated = max(updated, self.raw_updated)
        return status, updated

    def shipped_quantities(self, now):
        """{orderItemId: units shipped} at `now`."""
        status, _ = self.status(now)
        if status is None:
            return {}
        out = {}
        if self.raw is not None and status == SHIPPED and not self.packages:
            return {i.item_id: i.qty for i in self.items}
        if self.auto_ship_at is not None and self.auto_ship_at <= now and status == SHIPPED \
                and not self.packages:
            return {i.item_id: i.qty for i in self.items}
        for pkg in self.packages:
            if pkg.stamp <= now:
                for item_id, qty in pkg.quantities.items():
                    out[item_id] = out.get(item_id, 0) + qty
        return out

    def ship_events(self):
        """[(time, item, qty, shipment_id)] - every shipment ever (past or future)."""
        out = []
        if self.replacement_of:
            return out
        if self.raw is not None:
            if self.raw_status == SHIPPED and not self.packages:
                t = self.raw_updated or self.created
                out.extend((t, i, i.qty, "R" + self.order_id[-7:]) for i in self.items)
        elif self.auto_ship_at is not None and not self.packages:
            status_at_ship = self.status(self.auto_ship_at)[0]
            if status_at_ship == SHIPPED:
                out.extend((self.auto_ship_at, i, i.qty, "D" + self.order_id[-7:].replace("-", ""))
                           for i in self.items)
        by_id = {i.item_id: i for i in self.items}
        for n, pkg in enumerate(sorted(self.packages, key=lambda p: p.stamp)):
            for item_id, qty in pkg.quantities.items():
                out.append((pkg.stamp, by_id[item_id], qty,
                            "P%s%d" % (self.order_id[-7:], n + 1)))
        return out

    def refund_events(self):
        """[(time, item, qty, adjustment_id)]: one unit of the first line, when planned."""
        if self.refund_delay is None or not self.items:
            return []
        events = [e for e in self.ship_events() if e[1] is self.items[0]]
        if not events:
            return []
        return [(events[0][0] + self.refund_delay, self.items[0], 1,
                 "ADJ" + self.order_id.replace("-", "")[-9:])]


class Scenario:
    """All orders, the catalogue, inventory and listing quantities of the simulated seller."""

    def __init__(self, seed=1, orders=50, start=0, profile="default", orders_file=None):
        if profile not in PROFILES:
            raise ValueError("unknown profile %r (known: %s)" % (profile, ", ".join(PROFILES)))
        self.seed, self.start, self.profile = seed, int(start), profile
        self.history_start = self.start - HISTORY_DAYS * DAY
        self.catalogue = build_catalogue()
        self.by_sku = {c["sku"]: c for c in self.catalogue}
        self.orders = []
        self.by_id = {}
        rng = random.Random("scenario-%s" % seed)
        self.listing_quantity = {(m.code, c["sku"]): rng.randint(5, 60)
                                 for m in MARKETPLACES for c in self.catalogue}
        if orders_file:
            self._load_file(orders_file)
        else:
            for index in range(int(orders)):
                self._add(self._generate(index))
        self.orders.sort(key=lambda o: (o.created, o.order_id))
        self._init_inventory(rng)

    # -- generation ----------------------------------------------------------------------------
    def _add(self, order):
        while order.order_id in self.by_id:      # vanishingly rare id collision
            order.order_id = order.order_id[:-1] + str((int(order.order_id[-1]) + 1) % 10)
        self.orders.append(order)
        self.by_id[order.order_id] = order

    def _order_id(self, rng, code):
        return "%s-%07d-%07d" % (rng.choice(ORDER_PREFIXES[code]), rng.randrange(10 ** 7),
                                 rng.randrange(10 ** 7))

    def _generate(self, index):
        rng = random.Random("order-%s-%d" % (self.seed, index))
        fbm2 = self.profile == "fbm2"
        if fbm2:
            code = "US" if rng.random() < 0.7 else "DE"
            channel = "FBM"
            created = self.start - rng.randint(HOUR, 2 * DAY)
        else:
            code = _weighted(rng, _MARKET_WEIGHTS)
            channel = "FBA" if rng.random() < 0.55 else "FBM"
            if rng.random() < ARRIVING_SHARE:
                created = self.start + rng.randint(60, ARRIVAL_DAYS * DAY)
            else:
                created = self.start - rng.randint(600, HISTORY_DAYS * DAY - HOUR)
        market = MARKETPLACE_BY_CODE[code]
        order = Order(self._order_id(rng, code), market, channel, created)
        order.prime = channel == "FBA" and rng.random() < 0.7
        order.service_level = rng.choice(["NEXT_DAY", "SECOND_DAY"]) if order.prime else \
            rng.choice(["STANDARD", "STANDARD", "EXPEDITED"])
        order.business = (not fbm2) and code != "JP" and rng.random() < 0.1
        self._people(rng, order)

        offered = [c for c in self.catalogue if c["offers"][code]["channel"] == channel]
        lines = 2 if fbm2 else _weighted(rng, [(1, 55), (2, 30), (3, 10), (4, 5)])
        charge_shipping = channel == "FBM" and rng.random() < 0.6 or \
            channel == "FBA" and not order.prime and rng.random() < 0.3
        for n, product in enumerate(rng.sample(offered, min(lines, len(offered)))):
            qty = rng.randint(1, 2) if fbm2 else _weighted(rng, [(1, 70), (2, 20), (3, 7), (5, 3)])
            unit = product["offers"][code]["price_minor"]
            item = Item("%014d" % rng.randrange(10 ** 13, 10 ** 14), product["sku"],
                        product["asin"], product["title"], qty, unit)
            if order.business:
                item.unit = unit - pct(unit, 0.05)
                item.business_price = True
            if charge_shipping:
                item.shipping = _SHIPPING_CHARGE[market.currency] * (1 if n == 0 else 0) + \
                    (pct(_SHIPPING_CHARGE[market.currency], 0.2) * (qty - 1 if n == 0 else qty))
            if rng.random() < 0.05:
                item.gift = _GIFT_CHARGE[market.currency]
                item.gift_message = "Happy birthday!"
            if rng.random() < 0.15:
                item.discount_item = pct(item.principal, 0.10)
                item.promotion_ids.append("SIM-PROMO-10PCT-%s" % code)
            if item.shipping and rng.random() < 0.25:
                item.discount_ship = item.shipping
                item.promotion_ids.append("SIM-FREESHIP-%s" % code)
            if market.tax_mode == "exclusive":
                rate = TAX_RATE[code]
                item.tax_item = pct(item.principal - item.discount_item, rate)
                item.tax_ship = pct(item.shipping - item.discount_ship, rate)
                item.tax_gift = pct(item.gift, rate)
            order.items.append(item)

        # schedule
        long_pending = (not fbm2) and rng.random() < 0.05
        if fbm2:
            order.unshipped_at = created + rng.randint(600, 1800)
        else:
            order.unshipped_at = created + (rng.randint(DAY, 2 * DAY) if long_pending
                                            else rng.randint(600, 3 * HOUR))
        if channel == "FBA":
            order.auto_ship_at = order.unshipped_at + rng.randint(6 * HOUR, 40 * HOUR)
        elif created < self.start - OLD_FBM_DAYS * DAY:
            ship = order.unshipped_at + rng.randint(8 * HOUR, 48 * HOUR)
            carrier, service = _CARRIERS[code]
            order.packages.append(Package("1", carrier, service, "SC%010d" % rng.randrange(10 ** 10),
                                          ship, ship, {i.item_id: i.qty for i in order.items}))
        if not fbm2:
            roll = rng.random()
            if roll < 0.04:
                order.cancel_at = created + (order.unshipped_at - created) // 2
                order.packages = []
            elif roll < 0.06 and channel == "FBM" and not order.packages:
                order.cancel_at = order.unshipped_at + rng.randint(HOUR, 20 * HOUR)
                order.cancel_reason = "BUYER_REQUESTED"
            if rng.random() < 0.06:
                order.refund_delay = rng.randint(2 * DAY, 10 * DAY)
            if index >= 5 and rng.random() < 0.03:
                self._make_replacement(rng, order)
        return order

    def _make_replacement(self, rng, order):
        """Turn `order` into a free replacement of an earlier order of the same marketplace."""
        earlier = [o for o in self.orders if o.market is order.market and not o.replacement_of
                   and o.channel == order.channel and o.items]
        if not earlier:
            return
        original = rng.choice(earlier)
        order.replacement_of = original.order_id
        order.created = original.created + rng.randint(3 * DAY, 10 * DAY)
        order.unshipped_at = order.created + 600
        if order.auto_ship_at is not None:
            order.auto_ship_at = order.unshipped_at + 12 * HOUR
        order.packages = []
        order.cancel_at = order.refund_delay = None
        first = original.items[0]
        item = Item(order.items[0].item_id, first.sku, first.asin, first.title, 1, 0)
        order.items = [item]
        order.buyer, order.address = dict(original.buyer), dict(original.address)
        order.business = original.business

    def _people(self, rng, order):
        code = order.market.code
        name = "%s %s" % (rng.choice(_FIRST), rng.choice(_LAST))
        city, state, postal = rng.choice(_CITIES[code])
        na_fba = order.channel == "FBA" and order.market.region == "NA"
        buyer = {}
        if not na_fba:
            buyer["buyerName"] = name
        if order.channel == "FBM":
            buyer["buyerEmail"] = "%s@marketplace.%s" % (
                "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(15)),
                order.market.domain.replace("www.", ""))
        address = {"city": city, "stateOrRegion": state, "postalCode": postal,
                   "countryCode": order.market.country,
                   "addressType": "COMMERCIAL" if order.business else "RESIDENTIAL"}
        if order.channel == "FBM":
            address = dict({"name": name, "addressLine1": "%d %s" % (rng.randint(1, 250),
                                                                   _STREETS[code])}, **address)
            address["phone"] = "+%d %d" % (rng.randint(1, 89), rng.randrange(10 ** 8, 10 ** 9))
        if order.business:
            company = rng.choice(_COMPANIES)
            buyer["buyerCompanyName"] = company
            if rng.random() < 0.5:
                buyer["buyerPurchaseOrderNumber"] = "PO-%06d" % rng.randrange(10 ** 6)
            if order.channel == "FBM":
                address["companyName"] = company
            if order.market.region == "EU":
                order.tax_registration = {
                    "entityType": "BUYER", "taxRegistrationType": "VAT",
                    "taxRegistrationNumber": "%s%09d" % (order.market.country, rng.randrange(10 ** 9)),
                    "legalName": company,
                }
        order.buyer, order.address = buyer, address

    # -- replay ------------------------------------------------------------------------------
    def _load_file(self, path):
        import json
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        if isinstance(data, dict):
            data = data.get("orders") or [data.get("order")]
        for raw in data:
            self._add(order_from_json(raw))

    # -- inventory ---------------------------------------------------------------------------
    def _init_inventory(self, rng):
        """Initial FBA stock per (marketplace, sku): enough for every FBA unit ever ordered
        plus a seeded buffer, so stock never goes negative."""
        need = {}
        for order in self.orders:
            if order.channel == "FBA":
                for item in order.items:
                    key = (order.market.code, item.sku)
                    need[key] = need.get(key, 0) + item.qty
        self.fba_initial = {}
        self.fba_extra = {}
        for m in MARKETPLACES:
            for c in self.catalogue:
                if c["offers"][m.code]["channel"] != "FBA":
                    continue
                key = (m.code, c["sku"])
                self.fba_initial[key] = need.get(key, 0) + rng.randint(20, 150)
                self.fba_extra[key] = (rng.randint(0, 3), rng.randint(0, 20), rng.randint(0, 10))

    def inventory(self, code, now):
        """FBA inventory summaries for a marketplace at `now` (pure function of now)."""
        shipped, reserved, changed = {}, {}, {}
        for order in self.orders:
            if order.channel != "FBA" or order.market.code != code or order.created > now:
                continue
            status, updated = order.status(now)
            for item in order.items:
                key = item.sku
                if status == SHIPPED:
                    shipped[key] = shipped.get(key, 0) + item.qty
                elif status in (PENDING, UNSHIPPED, PARTIALLY_SHIPPED):
                    reserved[key] = reserved.get(key, 0) + item.qty
                changed[key] = max(changed.get(key, 0), updated)
        out = []
        for c in self.catalogue:
            key = (code, c["sku"])
            if key not in self.fba_initial:
                continue
            unfulfillable, inbound, researching = self.fba_extra[key]
            fulfillable = self.fba_initial[key] - shipped.get(c["sku"], 0) - reserved.get(c["sku"], 0)
            out.append({
                "sku": c["sku"], "asin": c["asin"], "title": c["title"],
                "fnsku": "X00SIM" + c["asin"][-4:],
                "fulfillable": fulfillable, "reserved": reserved.get(c["sku"], 0),
                "unfulfillable": unfulfillable, "inbound": inbound, "researching": researching,
                "updated": max(changed.get(c["sku"], 0), self.history_start),
            })
        return out

    # -- mutations ---------------------------------------------------------------------------
    def confirm_shipment(self, order_id, body, now):
        """Apply a confirmShipment request; raise ScenarioError for what Amazon rejects."""
        order = self.by_id.get(order_id)
        if order is None or order.created > now:
            raise ScenarioError(404, "NotFound", "Order %s not found." % order_id)
        if not isinstance(body, dict):
            raise ScenarioError(400, "InvalidInput", "Request body must be a JSON object.")
        if body.get("marketplaceId") != order.market.id:
            raise ScenarioError(400, "InvalidInput",
                                "marketplaceId %r does not match the order's marketplace."
                                % body.get("marketplaceId"))
        detail = body.get("packageDetail")
        if not isinstance(detail, dict):
            raise ScenarioError(400, "InvalidInput", "Missing required field: packageDetail.")
        for field in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate", "orderItems"):
            if detail.get(field) in (None, "", []):
                raise ScenarioError(400, "InvalidInput", "Missing required field: %s." % field)
        reference = str(detail["packageReferenceId"])
        if not reference.isdigit() or int(reference) <= 0:
            raise ScenarioError(400, "InvalidInput",
                                "packageReferenceId must be a positive integer.")
        if detail["carrierCode"] == "Other" and not detail.get("carrierName"):
            raise ScenarioError(400, "InvalidInput",
                                "carrierName is required when carrierCode is Other.")
        try:
            ship_time = parse_iso(detail["shipDate"])
        except (ValueError, TypeError):
            raise ScenarioError(400, "InvalidInput", "shipDate is not an ISO-8601 date-time.")
        if ship_time < order.created - 60 or ship_time > now + DAY:
            raise ScenarioError(400, "InvalidInput", "shipDate is outside the allowed range.")
        if order.channel != "FBM":
            raise ScenarioError(400, "InvalidInput",
                                "Order %s is fulfilled by Amazon." % order_id)
        status, _ = order.status(now)
        if status == CANCELLED:
            raise ScenarioError(400, "InvalidInput", "Order %s is cancelled." % order_id)
        if status == PENDING:
            raise ScenarioError(400, "InvalidInput", "Order %s is pending." % order_id)
        if any(p.reference == reference for p in order.packages):
            raise ScenarioError(400, "InvalidInput",
                                "packageReferenceId %s is already used for this order." % reference)
        shipped = order.shipped_quantities(now)
        by_id = {i.item_id: i for i in order.items}
        quantities = {}
        for line in detail["orderItems"]:
            item_id = str((line or {}).get("orderItemId", ""))
            qty = (line or {}).get("quantity")
            if item_id not in by_id:
                raise ScenarioError(400, "InvalidInput",
                                    "Order item %s is not part of order %s." % (item_id, order_id))
            if not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
                raise ScenarioError(400, "InvalidInput", "quantity must be a positive integer.")
            quantities[item_id] = quantities.get(item_id, 0) + qty
        for item_id, qty in quantities.items():
            if shipped.get(item_id, 0) + qty > by_id[item_id].qty:
                raise ScenarioError(400, "InvalidInput",
                                    "Quantity %d for order item %s exceeds the unshipped quantity %d."
                                    % (qty, item_id, by_id[item_id].qty - shipped.get(item_id, 0)))
        carrier = detail.get("carrierName") if detail["carrierCode"] == "Other" else detail["carrierCode"]
        order.packages.append(Package(reference, carrier, detail.get("shippingMethod") or "",
                                      str(detail["trackingNumber"]), ship_time, int(now), quantities))
        return order

    def cancel(self, order_id, now):
        """A buyer cancellation arriving now (control API); only before anything shipped."""
        order = self.by_id.get(order_id)
        if order is None or order.created > now:
            raise ScenarioError(404, "NotFound", "Order %s not found." % order_id)
        status, _ = order.status(now)
        if status not in (PENDING, UNSHIPPED):
            raise ScenarioError(400, "InvalidInput", "Order %s is %s." % (order_id, status))
        order.cancelled_by_api = int(now)
        return order

    # -- queries -----------------------------------------------------------------------------
    def visible(self, now):
        """[(order, status, updated)] for orders created at or before now."""
        out = []
        for order in self.orders:
            if order.created > now:
                break
            status, updated = order.status(now)
            out.append((order, status, updated))
        return out

    def money_events(self, now_limit=None):
        """Every shipment and refund event: (time, kind, order, item, qty, reference)."""
        out = []
        for order in self.orders:
            for t, item, qty, ref in order.ship_events():
                out.append((t, "ship", order, item, qty, ref))
            for t, item, qty, ref in order.refund_events():
                out.append((t, "refund", order, item, qty, ref))
        if now_limit is not None:
            out = [e for e in out if e[0] <= now_limit]
        out.sort(key=lambda e: (e[0], e[2].order_id, e[3].item_id))
        return out

    def fba_fee(self, order, item, qty):
        """FBA per-unit fulfilment fee for `qty` units, in minor units (positive)."""
        base = self.by_sku.get(item.sku, {}).get("base_price", 20.0)
        return to_minor(fba_fee_usd(base) * PRICE_FACTOR[order.market.code], order.currency) * qty


# -- rendering ---------------------------------------------------------------------------------
def render_order(order, now, included):
    """The Orders 2026-01-01 `Order` object at `now`, limited to the includedData sets."""
    status, updated = order.status(now)
    if order.raw is not None:
        return _render_raw(order, now, status, updated, included)
    m, cur = order.market, order.currency
    out = {
        "orderId": order.order_id,
        "createdTime": iso(order.created),
        "lastUpdatedTime": iso(updated),
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": m.id, "marketplaceName": m.name},
    }
    programs = []
    if order.prime:
        programs.append("PRIME")
    if order.business:
        programs.append("AMAZON_BUSINESS")
    if programs:
        out["programs"] = programs
    if order.replacement_of:
        out["associatedOrders"] = [{"orderId": order.replacement_of,
                                    "associationType": "REPLACEMENT_ORIGINAL_ID"}]
    pending = status == PENDING
    if "BUYER" in included and order.buyer and not pending:
        out["buyer"] = dict(order.buyer)
    if "RECIPIENT" in included and not pending:
        out["recipient"] = {"deliveryAddress": dict(order.address)}
    if "TAX" in included and order.tax_registration and not pending:
        out["tax"] = {"taxRegistrations": [dict(order.tax_registration)],
                      "taxInvoicing": {"buyerInvoicePreference": "BUSINESS"}}
    if "FULFILLMENT" in included:
        ship_by_end = order.created - order.created % DAY + 2 * DAY - 1
        out["fulfillment"] = {
            "fulfillmentStatus": status,
            "fulfilledBy": "AMAZON" if order.channel == "FBA" else "MERCHANT",
            "fulfillmentServiceLevel": order.service_level,
            "shipByWindow": {"earliestDateTime": iso(order.unshipped_at),
                             "latestDateTime": iso(max(ship_by_end, order.unshipped_at))},
            "deliverByWindow": {"earliestDateTime": iso(ship_by_end + 1 + DAY),
                                "latestDateTime": iso(ship_by_end + 5 * DAY)},
        }
    shipped = order.shipped_quantities(now)
    items = []
    for item in order.items:
        entry = {
            "orderItemId": item.item_id,
            "quantityOrdered": item.qty,
            "product": {
                "asin": item.asin, "title": item.title, "sellerSku": item.sku,
                "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
                "price": {"unitPrice": money(item.unit, cur)},
            },
        }
        if item.business_price:
            entry["product"]["price"]["priceDesignation"] = "BUSINESS_PRICE"
        if "PROCEEDS" in included and not pending:
            entry["proceeds"] = {"proceedsTotal": money(item.total, cur),
                                 "breakdowns": _item_breakdowns(item, cur)}
        if "PROMOTION" in included and item.promotion_ids:
            entry["promotion"] = {"breakdowns": [{"promotionId": p} for p in item.promotion_ids]}
        if "CANCELLATION" in included and status == CANCELLED:
            execution = "BUYER" if order.cancelled_by_api is None else "AMAZON"
            entry["cancellation"] = {
                "cancellationRequest": {"requester": "BUYER", "cancelReason": order.cancel_reason},
                "cancellationExecution": {"cancelledBy": execution, "cancelReason": order.cancel_reason},
            }
        if "FULFILLMENT" in included:
            done = shipped.get(item.item_id, 0)
            fulfil = {"quantityFulfilled": done,
                      "quantityUnfulfilled": 0 if status == CANCELLED else item.qty - done}
            if item.gift:
                fulfil["packing"] = {"giftOption": {"giftMessage": item.gift_message,
                                                    "giftWrapLevel": "STANDARD"}}
            entry["fulfillment"] = fulfil
        if "TAX" in included and m.tax_mode == "exclusive":
            entry["tax"] = {"taxCollections": [{"model": "MARKETPLACE_FACILITATOR",
                                                "responsibleParty": "Amazon Services, Inc."}]}
        items.append(entry)
    out["orderItems"] = items
    if "PROCEEDS" in included and not pending:
        out["proceeds"] = {"grandTotal": money(sum(i.total for i in order.items), cur),
                           "breakdowns": _order_breakdowns(order.items, cur)}
    if "PACKAGES" in included and order.channel == "FBM":
        packages = [p for p in order.packages if p.stamp <= now]
        if packages:
            out["packages"] = [_render_package(p) for p in packages]
    return out


def _render_package(p):
    return {
        "packageReferenceId": p.reference,
        "createdTime": iso(p.stamp),
        "packageStatus": {"status": "SHIPPED"},
        "carrier": p.carrier,
        "shipTime": iso(p.ship_time),
        "shippingService": p.service,
        "trackingNumber": p.tracking,
        "packageItems": [{"orderItemId": k, "quantity": v} for k, v in p.quantities.items()],
    }


def _breakdown_parts(item):
    return [("ITEM", item.principal), ("SHIPPING", item.shipping), ("GIFT_WRAP", item.gift)]


def _item_breakdowns(item, cur):
    out = [{"type": t, "subtotal": money(v, cur)} for t, v in _breakdown_parts(item) if v or t == "ITEM"]
    if item.tax:
        details = [(s, v) for s, v in (("ITEM", item.tax_item), ("SHIPPING", item.tax_ship),
                                       ("GIFT_WRAP", item.tax_gift)) if v]
        out.append({"type": "TAX", "subtotal": money(item.tax, cur),
                    "detailedBreakdowns": [{"subtype": s, "value": money(v, cur)} for s, v in details]})
    discount = item.discount_item + item.discount_ship
    if discount:
        details = [(s, v) for s, v in (("ITEM", item.discount_item), ("SHIPPING", item.discount_ship)) if v]
        out.append({"type": "DISCOUNT", "subtotal": money(-discount, cur),
                    "detailedBreakdowns": [{"subtype": s, "value": money(-v, cur)} for s, v in details]})
    return out


def _order_breakdowns(items, cur):
    sums = {}
    for item in items:
        for t, v in _breakdown_parts(item) + [("TAX", item.tax),
                                               ("DISCOUNT", -(item.discount_item + item.discount_ship))]:
            sums[t] = sums.get(t, 0) + v
    return [{"type": t, "subtotal": money(sums[t], cur)}
            for t in ("ITEM", "SHIPPING", "GIFT_WRAP", "TAX", "DISCOUNT") if sums.get(t) or t == "ITEM"]


def filter_included(order_json, included):
    """Drop the optional datasets of an Order object that were not asked for."""
    keys = {"BUYER": "buyer", "RECIPIENT": "recipient", "PROCEEDS": "proceeds", "TAX": "tax",
            "FULFILLMENT": "fulfillment", "PACKAGES": "packages", "PAYMENT": "payment",
            "FULFILLMENT_ORDERS": "fulfillmentOrders"}
    item_keys = {"PROCEEDS": "proceeds", "EXPENSE": "expense", "PROMOTION": "promotion",
                 "CANCELLATION": "cancellation", "FULFILLMENT": "fulfillment", "TAX": "tax"}
    for name, key in keys.items():
        if name not in included:
            order_json.pop(key, None)
    for item in order_json.get("orderItems", []):
        for name, key in item_keys.items():
            if name not in included:
                item.pop(key, None)
    return order_json


# -- replay of Orders 2026-01-01 JSON ---------------------------------------------------------
def _minor(money_obj, currency):
    if not money_obj:
        return 0
    return to_minor(money_obj.get("amount", "0"), currency)


def order_from_json(raw):
    """An Order built from an Orders 2026-01-01 `Order` object (served as given, mutable by
    confirmShipment)."""
    mp_id = (raw.get("salesChannel") or {}).get("marketplaceId")
    market = MARKETPLACE_BY_ID.get(mp_id) or MARKETPLACE_BY_CODE["US"]
    fulfillment = raw.get("fulfillment") or {}
    channel = "FBA" if fulfillment.get("fulfilledBy") == "AMAZON" else "FBM"
    order = Order(raw["orderId"], market, channel, int(parse_iso(raw["createdTime"])))
    order.raw = copy.deepcopy(raw)
    order.raw_status = fulfillment.get("fulfillmentStatus") or UNSHIPPED
    order.raw_updated = int(parse_iso(raw.get("lastUpdatedTime") or raw["createdTime"]))
    order.unshipped_at = order.created
    for entry in raw.get("orderItems", []):
        product = entry.get("product") or {}
        currency = ((product.get("price") or {}).get("unitPrice") or {}).get("currencyCode") \
            or market.currency
        unit = _minor((product.get("price") or {}).get("unitPrice"), currency)
        item = Item(str(entry["orderItemId"]), product.get("sellerSku") or "", product.get("asin") or "",
                    product.get("title") or "", int(entry.get("quantityOrdered", 1)), unit)
        for b in (entry.get("proceeds") or {}).get("breakdowns", []):
            value = _minor(b.get("subtotal"), currency)
            kind = b.get("type")
            if kind == "SHIPPING":
                item.shipping = value
            elif kind == "GIFT_WRAP":
                item.gift = value
            elif kind == "TAX":
                item.tax_item = value
            elif kind == "DISCOUNT":
                item.discount_item = -value
            elif kind == "ITEM" and value != item.principal:
                item.unit, item.qty = (value // item.qty, item.qty) if value % item.qty == 0 \
                    else (item.unit, item.qty)
        item.promotion_ids = [p.get("promotionId") for p in
                              (entry.get("promotion") or {}).get("breakdowns", []) if p.get("promotionId")]
        order.items.append(item)
    for assoc in raw.get("associatedOrders") or []:
        if assoc.get("associationType") == "REPLACEMENT_ORIGINAL_ID":
            order.replacement_of = assoc.get("orderId")
    return order


def _render_raw(order, now, status, updated, included):
    out = copy.deepcopy(order.raw)
    out["lastUpdatedTime"] = iso(updated)
    fulfillment = out.setdefault("fulfillment", {})
    fulfillment["fulfillmentStatus"] = status
    if order.packages:
        shipped = order.shipped_quantities(now)
        for entry in out.get("orderItems", []):
            done = shipped.get(str(entry["orderItemId"]), 0)
            f = entry.setdefault("fulfillment", {})
            f["quantityFulfilled"] = done
            f["quantityUnfulfilled"] = int(entry.get("quantityOrdered", 0)) - done
        out["packages"] = list(out.get("packages") or []) + [
            _render_package(p) for p in order.packages if p.stamp <= now]
    return filter_included(out, included)
