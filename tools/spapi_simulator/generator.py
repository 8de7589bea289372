"""Seeded generation of the scenario's orders: marketplaces, channels, lines, prices, taxes,
promotions, buyers and addresses, and each order's schedule (unshipped, shipped, cancelled,
refunded, replaced).  Every order comes from its own random stream (seed, index)."""

import random

from .clock import DAY
from .const import MARKETPLACE_BY_CODE, ORDER_PREFIXES, TAX_RATE
from .money import pct
from .orders import Item, Order, Package

HOUR = 3600
HISTORY_DAYS = 30          # the scenario starts this many days before "start"
ARRIVAL_DAYS = 7           # future orders arrive over this many days after "start"
ARRIVING_SHARE = 0.2       # share of orders (default profile) created after "start"
OLD_FBM_DAYS = 3           # FBM orders older than this at start were shipped via Seller Central

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


def _weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for value, weight in pairs:
        x -= weight
        if x <= 0:
            return value
    return pairs[-1][0]


def _order_id(rng, code):
    return "%s-%07d-%07d" % (rng.choice(ORDER_PREFIXES[code]), rng.randrange(10 ** 7),
                             rng.randrange(10 ** 7))


def generate_order(scenario, index):
    """Order number `index` of the scenario, from its own random stream (seed, index)."""
    rng = random.Random("order-%s-%d" % (scenario.seed, index))
    fbm2 = scenario.profile == "fbm2"
    if fbm2:
        code = "US" if rng.random() < 0.7 else "DE"
        channel = "FBM"
        created = scenario.start - rng.randint(HOUR, 2 * DAY)
    else:
        code = _weighted(rng, _MARKET_WEIGHTS)
        channel = "FBA" if rng.random() < 0.55 else "FBM"
        if rng.random() < ARRIVING_SHARE:
            created = scenario.start + rng.randint(60, ARRIVAL_DAYS * DAY)
        else:
            created = scenario.start - rng.randint(600, HISTORY_DAYS * DAY - HOUR)
    market = MARKETPLACE_BY_CODE[code]
    order = Order(_order_id(rng, code), market, channel, created)
    order.prime = channel == "FBA" and rng.random() < 0.7
    order.service_level = rng.choice(["NEXT_DAY", "SECOND_DAY"]) if order.prime else \
        rng.choice(["STANDARD", "STANDARD", "EXPEDITED"])
    order.business = (not fbm2) and code != "JP" and rng.random() < 0.1
    _people(rng, order)

    offered = [c for c in scenario.catalogue if c["offers"][code]["channel"] == channel]
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
    _gift_recipient(order)

    # schedule
    long_pending = (not fbm2) and rng.random() < 0.05
    if fbm2:
        order.unshipped_at = created + rng.randint(600, 1800)
    else:
        order.unshipped_at = created + (rng.randint(DAY, 2 * DAY) if long_pending
                                        else rng.randint(600, 3 * HOUR))
    if channel == "FBA":
        order.auto_ship_at = order.unshipped_at + rng.randint(6 * HOUR, 40 * HOUR)
    elif created < scenario.start - OLD_FBM_DAYS * DAY:
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
            _make_replacement(scenario, rng, order)
    return order


def _make_replacement(scenario, rng, order):
    """Turn `order` into a free replacement of an earlier order of the same marketplace."""
    earlier = [o for o in scenario.orders if o.market is order.market and not o.replacement_of
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


GIFT_SHARE = 0.15          # FBM consumer orders sent to someone other than the buyer


def _gift_recipient(order):
    """Some FBM consumer orders go to another person, as on a real order report (gifts,
    family, an office): the recipient's own name and phone, at the buyer's address (half of
    them) or elsewhere, with a gift message. From a stream of its own, so that every other
    value of the scenario stays what its seed made it."""
    rng = random.Random("recipient-%s" % order.order_id)
    if order.channel != "FBM" or order.business or rng.random() >= GIFT_SHARE:
        return
    address = dict(order.address)
    address["name"] = "%s %s" % (rng.choice(_FIRST), rng.choice(_LAST))
    address["phone"] = "+%d %d" % (rng.randint(1, 89), rng.randrange(10 ** 8, 10 ** 9))
    if rng.random() < 0.5:
        code = order.market.code
        address["city"], address["stateOrRegion"], address["postalCode"] = rng.choice(_CITIES[code])
        address["addressLine1"] = "%d %s" % (rng.randint(1, 250), _STREETS[code])
    if address["name"] == order.buyer.get("buyerName"):
        address["name"] += " Jr."
    order.address = address
    for item in order.items:
        item.gift_message = item.gift_message or "Enjoy!"


def _people(rng, order):
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
