"""Buy Shipping for merchant-fulfilled orders (Amazon Shipping API v2, apis/shipping.py): the
rates Amazon's carriers quote for an order's packages, the labels bought with them, their
voiding and their tracking over simulated time.

A label bought for an Amazon order ships that order's package at Amazon, exactly as a
confirmShipment would (an `orders.Package` with the label's tracking number and carrier): the
Orders API shows the order SHIPPED (or PARTIALLY_SHIPPED); voiding the label takes the package
off again.  A rate request's token lives ``TOKEN_MINUTES`` simulated minutes and buys once.
"""

import base64
import random

from .clock import DAY, iso, parse_iso
from .documents import blank_png, text_pdf
from .errors import ScenarioError
from .money import fmt
from .orders import CANCELLED, PENDING, SHIPPED, Package

HOUR = 3600
TOKEN_MINUTES = 10
PICKUP_HOURS = 8                 # the carrier picks up within this many hours of the ship date
FORMATS = ("PDF", "PNG", "ZPL")
LABEL_SIZE = {"width": 4, "length": 6, "unit": "INCH"}
# per marketplace: (carrierId, carrierName, serviceId, serviceName, base, per kg (minor units),
# max kg, max longest side cm, transit days)
SERVICES = {
    "US": [("USPS", "USPS", "USPS_GROUND_ADVANTAGE", "USPS Ground Advantage", 525, 90, 31.7, 108, 4),
           ("UPS", "UPS", "UPS_GROUND", "UPS Ground", 899, 110, 68.0, 270, 3),
           ("UPS", "UPS", "UPS_2ND_DAY_AIR", "UPS 2nd Day Air", 1899, 240, 68.0, 270, 2)],
    "CA": [("CANADA_POST", "Canada Post", "CP_EXPEDITED", "Expedited Parcel", 1150, 150, 30.0, 200, 3),
           ("PUROLATOR", "Purolator", "PUR_GROUND", "Purolator Ground", 1390, 130, 68.0, 270, 4)],
    "DE": [("DHL", "DHL", "DHL_PAKET", "DHL Paket", 549, 30, 31.5, 120, 2),
           ("DPD", "DPD", "DPD_CLASSIC", "DPD Classic", 499, 35, 31.5, 175, 2),
           ("HERMES", "Hermes", "HERMES_PAKET", "Hermes Päckchen", 399, 45, 25.0, 120, 3)],
    "FR": [("COLISSIMO", "Colissimo", "COLISSIMO_DOMICILE", "Colissimo Domicile", 695, 40, 30.0, 150, 2),
           ("CHRONOPOST", "Chronopost", "CHRONO_13", "Chrono 13", 1490, 80, 30.0, 150, 1)],
    "UK": [("ROYAL_MAIL", "Royal Mail", "RM_TRACKED_48", "Royal Mail Tracked 48", 345, 25, 20.0, 61, 2),
           ("EVRI", "Evri", "EVRI_STANDARD", "Evri Standard", 299, 30, 15.0, 120, 3),
           ("DPD_UK", "DPD", "DPD_NEXT_DAY", "DPD Next Day", 699, 40, 30.0, 175, 1)],
    "JP": [("YAMATO", "Yamato Transport", "TA_Q_BIN", "宅急便", 930, 60, 25.0, 160, 1),
           ("SAGAWA", "Sagawa Express", "HIKYAKU", "飛脚宅配便", 880, 65, 30.0, 160, 2)],
}
_TO_KG = {"KILOGRAM": 1.0, "GRAM": 0.001, "POUND": 0.45359237, "OUNCE": 0.028349523}
_TO_CM = {"CENTIMETER": 1.0, "INCH": 2.54}
_DIGITS = "0123456789"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


def _bad(message, code="InvalidInput"):
    return ScenarioError(400, code, message)


class Book:
    """Everything Buy Shipping holds: rate requests by token, shipments by id."""

    def __init__(self):
        self.requests = {}          # requestToken -> RateRequest
        self.shipments = {}         # shipmentId -> Shipment
        self.refuse_next = None     # message of the next getRates refused (test hook)


class RateRequest:
    def __init__(self, token, order, packages, ship_date, now):
        self.token, self.order, self.packages = token, order, packages
        self.ship_date, self.created = ship_date, now
        self.rates = {}             # rateId -> (service row, charge minor)
        self.used = False


class Shipment:
    def __init__(self, shipment_id, request, rate_id, service, charge, fmt, size, now):
        self.shipment_id, self.request, self.rate_id = shipment_id, request, rate_id
        self.service, self.charge, self.format, self.size = service, charge, fmt, size
        self.order = request.order
        self.created = now
        self.packages = []          # [(packageClientReferenceId, orders.Package)]
        self.cancelled_at = None

    @property
    def carrier_id(self):
        return self.service[0]

    def pickup(self):
        return max(self.created, self.request.ship_date) + PICKUP_HOURS * HOUR

    def delivery(self):
        return self.pickup() + self.service[8] * DAY

    def promise(self):
        start = self.delivery()
        return promise(self.request.ship_date, start)

    def summary(self):
        return {"shipmentId": self.shipment_id, "orderId": self.order.order_id,
                "rateId": self.rate_id, "carrierId": self.carrier_id,
                "trackingId": self.packages[0][1].tracking if self.packages else None,
                "cancelled": self.cancelled_at is not None}


def promise(ship_date, delivery):
    return {"deliveryWindow": {"start": iso(delivery), "end": iso(delivery + DAY)},
            "pickupWindow": {"start": iso(ship_date), "end": iso(ship_date + PICKUP_HOURS * HOUR)}}


def book(scenario):
    return scenario.buy_shipping


def _order(scenario, order_id, now):
    order = scenario.by_id.get(order_id)
    if order is None or order.created > now:
        raise _bad("Order %s not found." % order_id)
    if order.channel != "FBM":
        raise _bad("Order %s is fulfilled by Amazon: Buy Shipping is for merchant-fulfilled "
                   "orders only." % order_id)
    status = order.status(now)[0]
    if status == CANCELLED:
        raise _bad("Order %s is cancelled." % order_id)
    if status == PENDING:
        raise _bad("Order %s is pending." % order_id)
    if status == SHIPPED:
        raise _bad("Order %s is already shipped." % order_id)
    return order


def _number(value, what):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad("%s must be a number." % what)
    return float(value)


def _package(raw, order, index):
    """(reference, kg, [cm sides], {orderItemId: units}) of one requested package."""
    if not isinstance(raw, dict):
        raise _bad("packages[%d] must be an object." % index)
    for field in ("dimensions", "weight", "insuredValue", "packageClientReferenceId", "items"):
        if raw.get(field) in (None, ""):
            raise _bad("packages[%d].%s is required." % (index, field))
    weight, dims = raw["weight"], raw["dimensions"]
    if not isinstance(weight, dict) or weight.get("unit") not in _TO_KG:
        raise _bad("packages[%d].weight.unit must be one of %s." % (index, ", ".join(_TO_KG)))
    kg = _number(weight.get("value"), "packages[%d].weight.value" % index) * _TO_KG[weight["unit"]]
    if kg <= 0:
        raise _bad("packages[%d].weight.value must be greater than 0." % index)
    if not isinstance(dims, dict) or dims.get("unit") not in _TO_CM:
        raise _bad("packages[%d].dimensions.unit must be INCH or CENTIMETER." % index)
    sides = [_number(dims.get(k), "packages[%d].dimensions.%s" % (index, k)) * _TO_CM[dims["unit"]]
             for k in ("length", "width", "height")]
    if min(sides) <= 0:
        raise _bad("packages[%d].dimensions must be greater than 0." % index)
    by_id = {i.item_id: i for i in order.items}
    units = {}
    for item in raw["items"] if isinstance(raw["items"], list) else []:
        ident = str((item or {}).get("itemIdentifier") or "")
        qty = (item or {}).get("quantity")
        if not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
            raise _bad("packages[%d].items[].quantity must be a positive integer." % index)
        if ident in by_id:
            units[ident] = units.get(ident, 0) + qty
    return str(raw["packageClientReferenceId"]), kg, sides, units


def _quote(service, kg, sides):
    """(charge in minor units, None) or (None, ineligibility reason) of one package."""
    _cid, _name, _sid, _sname, base, per_kg, max_kg, max_cm, _days = service
    if kg > max_kg:
        return None, {"code": "WEIGHT_RESTRICTIONS",
                      "message": "Package weight %.2f kg exceeds the %s limit of %.1f kg."
                                 % (kg, service[3], max_kg)}
    if max(sides) > max_cm:
        return None, {"code": "SIZE_RESTRICTIONS",
                      "message": "Package length %.0f cm exceeds the %s limit of %d cm."
                                 % (max(sides), service[3], max_cm)}
    billed = max(kg, sides[0] * sides[1] * sides[2] / 5000.0)
    return base + int(round(per_kg * billed)), None


def rates(scenario, body, now):
    """getRates: a RateRequest with its rates and the ineligible services."""
    shipping = book(scenario)
    if shipping.refuse_next is not None:
        message, shipping.refuse_next = shipping.refuse_next, None
        raise _bad(message)
    if not isinstance(body, dict):
        raise _bad("Request body must be a JSON object.", "InvalidRequest")
    channel = body.get("channelDetails")
    if not isinstance(channel, dict):
        raise _bad("ChannelDetails object cannot be null", "InvalidRequest")
    if channel.get("channelType") != "AMAZON":
        raise _bad("channelDetails.channelType must be AMAZON (the simulator rates Amazon "
                   "orders only).")
    order_id = (channel.get("amazonOrderDetails") or {}).get("orderId")
    if not order_id:
        raise _bad("channelDetails.amazonOrderDetails.orderId is required.")
    order = _order(scenario, order_id, now)
    if not isinstance(body.get("shipFrom"), dict):
        raise _bad("shipFrom is required.")
    raw_packages = body.get("packages")
    if not isinstance(raw_packages, list) or not raw_packages:
        raise _bad("packages is required and must not be empty.")
    packages = [_package(raw, order, n) for n, raw in enumerate(raw_packages)]
    if len({p[0] for p in packages}) != len(packages):
        raise _bad("packageClientReferenceId must be unique in a request.")
    shipped = order.shipped_quantities(now)
    wanted = {}
    for _ref, _kg, _sides, units in packages:
        for item_id, qty in units.items():
            wanted[item_id] = wanted.get(item_id, 0) + qty
    for item in order.items:
        left = item.qty - shipped.get(item.item_id, 0)
        if wanted.get(item.item_id, 0) > left:
            raise _bad("Quantity %d for order item %s exceeds the unshipped quantity %d."
                       % (wanted[item.item_id], item.item_id, left))
    ship_date = now
    if body.get("shipDate"):
        try:
            ship_date = max(now, parse_iso(body["shipDate"]))
        except (TypeError, ValueError):
            raise _bad("shipDate is not an ISO-8601 date-time.")
    rng = random.Random("rates-%s-%d" % (scenario.seed, len(shipping.requests)))
    token = "amzn1.rq." + "".join(rng.choice(_UPPER) for _ in range(24))
    request = RateRequest(token, order, packages, ship_date, now)
    out, ineligible = [], []
    for service in SERVICES[order.market.code]:
        quotes = [_quote(service, kg, sides) for _ref, kg, sides, _units in packages]
        reasons = [reason for _charge, reason in quotes if reason]
        if reasons:
            ineligible.append({"carrierId": service[0], "carrierName": service[1],
                               "serviceId": service[2], "serviceName": service[3],
                               "ineligibilityReasons": reasons})
            continue
        charge = sum(c for c, _reason in quotes)
        rate_id = "rate-%s-%s" % (token[-8:], service[2])
        request.rates[rate_id] = (service, charge)
        delivery = ship_date + PICKUP_HOURS * HOUR + service[8] * DAY
        out.append({"rateId": rate_id, "carrierId": service[0], "carrierName": service[1],
                    "serviceId": service[2], "serviceName": service[3],
                    "totalCharge": {"value": float(fmt(charge, order.currency)),
                                    "unit": order.currency},
                    "promise": promise(ship_date, delivery),
                    "supportedDocumentSpecifications": [
                        {"format": fmt, "size": dict(LABEL_SIZE), "printOptions": [
                            {"supportedDPIs": [203, 300], "supportedPageLayouts": ["DEFAULT"],
                             "supportedFileJoiningOptions": [False],
                             "supportedDocumentDetails": [{"name": "LABEL", "isMandatory": True}]}]}
                        for fmt in FORMATS],
                    "requiresAdditionalInputs": False, "paymentType": "PAY_THROUGH_AMAZON"})
    shipping.requests[token] = request
    return {"requestToken": token, "rates": out, "ineligibleRates": ineligible}


def _tracking(rng, carrier_id):
    digits = "".join(rng.choice(_DIGITS) for _ in range(20))
    if carrier_id.startswith("UPS"):
        return "1Z" + "".join(rng.choice(_UPPER) for _ in range(16))
    if carrier_id == "USPS":
        return "9400" + digits[:18]
    return digits[:14] if carrier_id in ("DHL", "DPD", "DPD_UK") else "SIM" + digits[:12]


def _spec(spec):
    if not isinstance(spec, dict):
        raise _bad("requestedDocumentSpecification is required.")
    for field in ("format", "size", "needFileJoining", "requestedDocumentTypes"):
        if spec.get(field) is None:
            raise _bad("requestedDocumentSpecification.%s is required." % field)
    if spec["format"] not in FORMATS:
        raise _bad("requestedDocumentSpecification.format must be one of %s." % ", ".join(FORMATS))
    types = spec["requestedDocumentTypes"]
    if not isinstance(types, list) or "LABEL" not in types or set(types) - {"LABEL"}:
        raise _bad("requestedDocumentTypes must be [\"LABEL\"]: the rate supports no other "
                   "document.")
    if spec["needFileJoining"] is not False:
        raise _bad("needFileJoining must be false: the rate supports no file joining.")
    return spec["format"], spec["size"]


def purchase(scenario, body, now):
    """purchaseShipment: the bought Shipment (its packages shipped on the order)."""
    shipping = book(scenario)
    if not isinstance(body, dict):
        raise _bad("Request body must be a JSON object.", "InvalidRequest")
    for field in ("requestToken", "rateId", "requestedDocumentSpecification"):
        if not body.get(field):
            raise _bad("%s is required." % field)
    request = shipping.requests.get(body["requestToken"])
    if request is None:
        raise _bad("requestToken %s is not valid." % body["requestToken"])
    if request.used:
        raise _bad("requestToken %s was already used to purchase a shipment." % request.token)
    if now > request.created + TOKEN_MINUTES * 60:
        raise _bad("The requestToken expired (rates are valid %d minutes): get the rates "
                   "again." % TOKEN_MINUTES, "TOKEN_EXPIRED")
    if body["rateId"] not in request.rates:
        raise _bad("rateId %s is not one of the eligible rates of this requestToken."
                   % body["rateId"])
    fmt, size = _spec(body["requestedDocumentSpecification"])
    order = _order(scenario, request.order.order_id, now)
    shipped = order.shipped_quantities(now)
    left = {i.item_id: i.qty - shipped.get(i.item_id, 0) for i in order.items}
    named = any(units for _ref, _kg, _sides, units in request.packages)
    for _ref, _kg, _sides, units in request.packages:
        for item_id, qty in units.items():
            if qty > left[item_id]:
                raise _bad("Order item %s has only %d units left to ship." % (item_id, left[item_id]))
    service, charge = request.rates[body["rateId"]]
    request.used = True
    rng = random.Random("shipment-%s-%d" % (scenario.seed, len(shipping.shipments)))
    shipment = Shipment("".join(rng.choice(_DIGITS) for _ in range(14)), request, body["rateId"],
                        service, charge, fmt, size, now)
    references = [int(p.reference) for p in order.packages if p.reference.isdigit()]
    for n, (ref, _kg, _sides, units) in enumerate(request.packages):
        if not named:       # no package names the order's items: the first takes what is left
            units = {k: v for k, v in left.items() if v > 0} if n == 0 else {}
        package = Package(str(max(references + [0]) + 1 + n), service[1], service[3],
                          _tracking(rng, service[0]), now, int(now), units)
        if units:
            order.packages.append(package)
        shipment.packages.append((ref, package))
    shipping.shipments[shipment.shipment_id] = shipment
    return shipment


def _document(shipment, package, fmt):
    order, service = shipment.order, shipment.service
    lines = ["%s  %s" % (service[1], service[3]), "TRACKING %s" % package.tracking,
             "ORDER %s" % order.order_id,
             "TO %s" % ", ".join(str(order.address.get(k)) for k in ("name", "city", "postalCode")
                                 if order.address.get(k))]
    if fmt == "ZPL":
        content = ("^XA^CI28\n" + "".join("^FO40,%d^A0N,32,32^FD%s^FS\n" % (40 + 50 * n, line)
                                          for n, line in enumerate(lines))
                   + "^FO40,260^BCN,120,Y,N,N^FD%s^FS\n^XZ\n" % package.tracking).encode("utf-8")
    elif fmt == "PNG":
        content = blank_png(288, 432)
    else:
        content = text_pdf([lines], size=(288, 432), font_size=12, top=390)
    return {"type": "LABEL", "format": fmt, "contents": base64.b64encode(content).decode("ascii")}


def package_details(shipment, fmt=None, reference=None):
    return [{"packageClientReferenceId": ref, "trackingId": package.tracking,
             "packageDocuments": [_document(shipment, package, fmt or shipment.format)]}
            for ref, package in shipment.packages if reference is None or ref == reference]


def get(scenario, shipment_id):
    shipment = book(scenario).shipments.get(shipment_id)
    if shipment is None:
        raise ScenarioError(404, "NotFound", "Shipment %s not found." % shipment_id)
    return shipment


def documents(scenario, shipment_id, reference, fmt):
    shipment = get(scenario, shipment_id)
    if shipment.cancelled_at is not None:
        raise _bad("Shipment %s is cancelled: its label is void." % shipment_id)
    if not reference:
        raise _bad("packageClientReferenceId is required.")
    if fmt and fmt not in FORMATS:
        raise _bad("format must be one of %s." % ", ".join(FORMATS))
    details = package_details(shipment, fmt, reference)
    if not details:
        raise _bad("Package %s is not part of shipment %s." % (reference, shipment_id))
    return shipment, details[0]


def cancel(scenario, shipment_id, now):
    """cancelShipment: void the label; its packages leave the order (unshipped again unless
    something else shipped it)."""
    shipment = get(scenario, shipment_id)
    if shipment.cancelled_at is not None:
        raise _bad("Shipment %s is already cancelled." % shipment_id)
    if now >= shipment.pickup():
        raise _bad("Shipment %s was picked up by %s: it can no longer be cancelled."
                   % (shipment_id, shipment.service[1]))
    shipment.cancelled_at = now
    mine = {id(package) for _ref, package in shipment.packages}
    shipment.order.packages = [p for p in shipment.order.packages if id(p) not in mine]
    return shipment


def tracking(scenario, tracking_id, carrier_id, now):
    """getTracking: the label's events up to now."""
    if not tracking_id or not carrier_id:
        raise _bad("trackingId and carrierId are required.")
    for shipment in book(scenario).shipments.values():
        for _ref, package in shipment.packages:
            if package.tracking == tracking_id:
                break
        else:
            continue
        if shipment.carrier_id != carrier_id:
            raise _bad("trackingId %s is not a %s tracking id." % (tracking_id, carrier_id))
        return shipment, _events(shipment, now)
    raise ScenarioError(404, "NotFound", "trackingId %s not found." % tracking_id)


def _events(shipment, now):
    """[(time, eventCode)] so far, and the summary status."""
    events = [(shipment.created, "ReadyForReceive")]
    if shipment.cancelled_at is not None:
        events.append((shipment.cancelled_at, "PickupCancelled"))
        return events, "PickupCancelled"
    pickup, delivery = shipment.pickup(), shipment.delivery()
    plan = [(pickup, "PickupDone"), (pickup + HOUR, "Departed"),
            (pickup + (delivery - pickup) // 2, "ArrivedAtCarrierFacility"),
            (delivery - 4 * HOUR, "OutForDelivery"), (delivery, "Delivered")]
    events.extend(e for e in plan if e[0] <= now)
    last = events[-1][1]
    status = {"ReadyForReceive": "PreTransit", "OutForDelivery": "OutForDelivery",
              "Delivered": "Delivered"}.get(last, "InTransit")
    return events, status


def delivered_at(scenario, order):
    """When the order's Buy Shipping labels (not cancelled) say it arrives, or None."""
    times = [s.delivery() for s in book(scenario).shipments.values()
             if s.order is order and s.cancelled_at is None]
    return max(times) if times else None
