"""Sending stock to FBA: the inbound plans a seller creates through the Fulfillment Inbound API
2024-03-20 (apis/fulfillment_inbound.py), their packing, placement and transportation options
with Amazon's fees, the shipments Amazon makes of them, their box labels and receipts (the two
v0 operations Amazon keeps: getLabels, getShipmentItemsByShipmentId), what they add to the FBA
stock (inventory.Inbound) and their fees in the settlement files.

Every generate/confirm/set/cancel operation answers an ``operationId``; the operation is
``SUCCESS`` at once, or ``FAILED`` with ``operationProblems`` (an SKU that is no FBA offer of the
marketplace, a step out of order). A shipment is ``WORKING`` once its placement is confirmed,
``READY_TO_SHIP`` once its carrier is, ``IN_TRANSIT`` once shipped (test hook
``ship_shipment``), then received: explicitly by the test hook ``receive_shipment`` (some units,
``RECEIVING``; or final, ``CLOSED``, possibly short or over), else in full ``TRANSIT_HOURS`` +
``inventory.RECEIVING_HOURS`` after it shipped.
"""

import random

from .clock import DAY, iso
from .const import MARKETPLACE_BY_ID
from .documents import text_pdf
from .errors import ScenarioError
from .inventory import HOUR, Inbound, RECEIVING_HOURS
from .money import to_minor

TRANSIT_HOURS = 48
OPTION_DAYS = 7                 # options expire this many days after they are generated
PLACEMENT_FEE_PER_UNIT = {"USD": 0.30, "CAD": 0.40, "EUR": 0.27, "GBP": 0.24, "JPY": 40}
CARRIER_PER_KG = {"USD": 0.55, "CAD": 0.70, "EUR": 0.50, "GBP": 0.45, "JPY": 80}
CENTRES = {"US": ["ABE2", "ONT8", "MDW2"], "CA": ["YYZ4", "YVR2"], "DE": ["LEJ1", "FRA3", "MUC3"],
           "FR": ["ORY1", "LYS1"], "UK": ["LTN1", "BHX4"], "JP": ["NRT1", "KIX1"]}
_ID = "abcdef0123456789"
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


def _bad(message):
    return ScenarioError(400, "BadRequest", message)


def _not_found(what):
    return ScenarioError(404, "NotFound", "%s not found." % what)


def _uuidish(rng, prefix):
    """Amazon's 38-character ids: ``wf`` + a UUID."""
    hexes = "".join(rng.choice(_ID) for _ in range(32))
    return "%s%s-%s-%s-%s-%s" % (prefix, hexes[:8], hexes[8:12], hexes[12:16], hexes[16:20],
                                 hexes[20:32])


class Shipment:
    def __init__(self, plan, rng, centre, items):
        self.plan = plan
        self.shipment_id = _uuidish(rng, "sh")
        self.confirmation_id = "FBA" + "".join(rng.choice(_UPPER) for _ in range(9))
        self.centre = centre
        self.items = dict(items)            # sku -> units planned
        self.confirmed = False
        self.transport = None               # chosen transportation option
        self.shipped_at = None
        self.received = None                # sku -> units, once Amazon counted explicitly
        self.closed_at = None
        self.pending = {}                   # sku -> Inbound still on its way (inventory)

    def auto_received_at(self):
        if self.shipped_at is None:
            return None
        return self.shipped_at + (TRANSIT_HOURS + RECEIVING_HOURS) * HOUR

    def status(self, now):
        if self.plan.cancelled_at is not None:
            return "CANCELLED"
        if not self.confirmed:
            return "UNCONFIRMED"
        if self.shipped_at is None:
            return "READY_TO_SHIP" if self.transport else "WORKING"
        if self.closed_at is not None and now >= self.closed_at:
            return "CLOSED"
        if self.received is not None:
            return "RECEIVING"
        if now >= self.auto_received_at():
            return "CLOSED"
        if now >= self.shipped_at + TRANSIT_HOURS * HOUR:
            return "RECEIVING"
        return "IN_TRANSIT"

    def received_qty(self, sku, now):
        if self.received is not None:
            return self.received.get(sku, 0)
        if self.shipped_at is not None and now >= self.auto_received_at():
            return self.items[sku]
        return 0

    def render(self, now):
        market = self.plan.market
        return {
            "shipmentId": self.shipment_id,
            "shipmentConfirmationId": self.confirmation_id,
            "placementOptionId": self.plan.placement_choice.option_id
            if self.plan.placement_choice else None,
            "name": "%s %s" % (self.plan.name, self.confirmation_id),
            "status": self.status(now),
            "source": {"sourceType": "SELLER_FACILITY", "address": self.plan.source},
            "destination": {"destinationType": "AMAZON_OPTIMIZED", "warehouseId": self.centre,
                            "address": {"name": self.centre, "addressLine1": "1 Fulfilment Way",
                                        "city": "Amazon %s" % self.centre,
                                        "postalCode": "00000", "countryCode": market.country}},
            **({"selectedTransportationOptionId": self.transport.option_id}
               if self.transport else {}),
        }


class Option:
    def __init__(self, kind, option_id, fee_minor, currency, now, shipments=(), groups=(),
                 shipment=None, partnered=False, discount_minor=0):
        self.kind, self.option_id = kind, option_id
        self.fee_minor, self.discount_minor, self.currency = fee_minor, discount_minor, currency
        self.expires = now + OPTION_DAYS * DAY
        self.shipments, self.groups = list(shipments), list(groups)
        self.shipment, self.partnered = shipment, partnered
        self.status = "OFFERED"

    def money(self, minor):
        digits = 0 if self.currency == "JPY" else 2
        return round(minor / 10 ** digits, digits)

    def incentives(self, kind):
        minor = self.fee_minor if kind == "FEE" else self.discount_minor
        if not minor and kind == "DISCOUNT":
            return []
        target = {"packing": "Packing Services", "placement": "Placement Services"}[self.kind]
        return [{"type": kind, "target": target,
                 "description": "%s %s" % (target, kind.lower()),
                 "value": {"amount": self.money(minor), "code": self.currency}}]


class InboundPlan:
    def __init__(self, scenario, body, market, items, now):
        self.scenario = scenario
        self.rng = random.Random("inbound-%s-%d-%d" % (scenario.seed, now,
                                                       len(scenario.inbound_plans)))
        self.plan_id = _uuidish(self.rng, "wf")
        self.name = body.get("name") or "Inbound plan %s" % iso(now)[:10]
        self.market = market
        self.items = items                  # sku -> units
        self.source = dict(body["sourceAddress"])
        self.created = int(now)
        self.cancelled_at = None
        self.packing_options, self.placement_options, self.transport_options = {}, {}, {}
        self.packing_choice = self.placement_choice = None
        self.groups = {}                    # packing group id -> {sku: units}
        self.boxes = None                   # packing information given
        self.shipments = []                 # of the confirmed placement
        self.all_shipments = {}             # every shipment any option proposed
        self.fees = []                      # (time, shipment, description, minor): settlement

    @property
    def currency(self):
        return self.market.currency

    # -- the steps ----------------------------------------------------------------------------

    def generate_packing(self, now):
        self._open()
        group = _uuidish(self.rng, "pg")
        self.groups = {group: dict(self.items)}
        option = Option("packing", _uuidish(self.rng, "po"), 0, self.currency, now,
                        groups=[group])
        self.packing_options = {option.option_id: option}

    def confirm_packing(self, option_id):
        self._open()
        option = self._option(self.packing_options, option_id, "packingOptionId")
        self._choose(self.packing_options, option)
        self.packing_choice = option

    def set_packing(self, groupings):
        self._open()
        if not self.packing_choice:
            raise _bad("The inbound plan has no confirmed packing option.")
        seen = {}
        for grouping in groupings or []:
            group = grouping.get("packingGroupId")
            if group not in self.groups:
                raise _bad("Unknown packingGroupId %s." % group)
            counted = {}
            for box in grouping.get("boxes") or []:
                copies = int(box.get("quantity") or 1)
                for item in box.get("items") or []:
                    counted[item["msku"]] = counted.get(item["msku"], 0) + item["quantity"] * copies
            if counted != self.groups[group]:
                wrong = sorted(set(counted) ^ set(self.groups[group])) or sorted(
                    sku for sku in counted if counted[sku] != self.groups[group].get(sku))
                raise _bad("The boxes of packing group %s do not hold its items: %s."
                           % (group, ", ".join(wrong)))
            seen[group] = grouping
        if set(seen) != set(self.groups):
            raise _bad("Packing information is missing for packing group(s) %s."
                       % ", ".join(sorted(set(self.groups) - set(seen))))
        self.boxes = sum(int(box.get("quantity") or 1) for g in seen.values()
                         for box in g.get("boxes") or [])

    def generate_placement(self, now):
        self._open()
        if self.boxes is None:
            raise _bad("The inbound plan has no packing information yet.")
        centres = CENTRES.get(self.market.code, ["XXX1", "XXX2", "XXX3"])
        units = sum(self.items.values())
        # Amazon-optimized splits: one shipment per centre (up to three), no fee
        split = min(len(centres), max(1, len(self.items)), 3)
        skus = sorted(self.items)
        parts = [dict() for _ in range(split)]
        for index, sku in enumerate(skus):
            parts[index % split][sku] = self.items[sku]
        optimized = [Shipment(self, self.rng, centres[i], parts[i]) for i in range(split)]
        minimal = [Shipment(self, self.rng, centres[0], self.items)]
        fee = to_minor(PLACEMENT_FEE_PER_UNIT.get(self.currency, 0.3) * units, self.currency)
        self.placement_options = {}
        for shipments, fee_minor, discount in ((optimized, 0, 0), (minimal, fee, 0)):
            option = Option("placement", _uuidish(self.rng, "pl"), fee_minor, self.currency,
                            now, shipments=[s.shipment_id for s in shipments],
                            discount_minor=discount)
            self.placement_options[option.option_id] = option
            for shipment in shipments:
                self.all_shipments[shipment.shipment_id] = shipment

    def confirm_placement(self, option_id, now):
        self._open()
        option = self._option(self.placement_options, option_id, "placementOptionId")
        self._choose(self.placement_options, option)
        self.placement_choice = option
        self.shipments = [self.all_shipments[s] for s in option.shipments]
        units = sum(self.items.values())
        left = option.fee_minor
        for index, shipment in enumerate(self.shipments):
            shipment.confirmed = True
            share = left if index == len(self.shipments) - 1 else \
                option.fee_minor * sum(shipment.items.values()) // units
            left -= share
            if share:
                self.fees.append((int(now), shipment, "FBA Inbound Placement Service Fee", share))

    def generate_transportation(self, body, now):
        self._open()
        if not self.placement_choice or body.get("placementOptionId") != \
                self.placement_choice.option_id:
            raise _bad("placementOptionId is not the confirmed placement option of the plan.")
        self.transport_options = {}
        for config in body.get("shipmentTransportationConfigurations") or []:
            shipment = self._shipment(config.get("shipmentId"))
            kg = sum(units * 0.5 for units in shipment.items.values())
            cost = max(to_minor(CARRIER_PER_KG.get(self.currency, 0.5) * kg, self.currency), 1)
            for partnered in (True, False):
                option = Option("transportation", _uuidish(self.rng, "to"),
                                cost if partnered else 0, self.currency, now,
                                shipment=shipment, partnered=partnered)
                self.transport_options[option.option_id] = option

    def confirm_transportation(self, selections, now):
        self._open()
        chosen = []
        for selection in selections or []:
            option = self.transport_options.get(selection.get("transportationOptionId"))
            if option is None or option.shipment.shipment_id != selection.get("shipmentId"):
                raise _bad("Unknown transportationOptionId %s for shipment %s."
                           % (selection.get("transportationOptionId"),
                              selection.get("shipmentId")))
            chosen.append(option)
        for option in chosen:
            option.status = "ACCEPTED"
            option.shipment.transport = option
            if option.partnered and option.fee_minor:
                self.fees.append((int(now), option.shipment, "FBAInboundTransportationFee",
                                  option.fee_minor))

    def cancel(self, now):
        if any(s.shipped_at is not None for s in self.shipments):
            raise _bad("The inbound plan cannot be cancelled: a shipment has shipped.")
        self.cancelled_at = int(now)
        for shipment in self.shipments:
            for pending in shipment.pending.values():
                if pending in self.scenario.inbound:
                    self.scenario.inbound.remove(pending)
            shipment.pending = {}

    # -- helpers ------------------------------------------------------------------------------

    def _open(self):
        if self.cancelled_at is not None:
            raise _bad("The inbound plan %s is cancelled." % self.plan_id)

    @staticmethod
    def _option(options, option_id, name):
        option = options.get(option_id)
        if option is None:
            raise _not_found("%s %s" % (name, option_id))
        return option

    @staticmethod
    def _choose(options, chosen):
        for option in options.values():
            option.status = "ACCEPTED" if option is chosen else "EXPIRED"

    def _shipment(self, shipment_id):
        for shipment in self.shipments:
            if shipment.shipment_id == shipment_id:
                return shipment
        raise _not_found("Shipment %s" % shipment_id)

    def status(self):
        if self.cancelled_at is not None:
            return "VOIDED"
        return "SHIPPED" if any(s.shipped_at for s in self.shipments) else "ACTIVE"


# === the operations (called by apis/fulfillment_inbound.py under the simulator's lock) === #

def create(scenario, body, now):
    """(plan or None, problems) of a createInboundPlan body; schema errors raise 400."""
    for key in ("destinationMarketplaces", "items", "sourceAddress"):
        if not body.get(key):
            raise _bad("%s is required." % key)
    markets = body["destinationMarketplaces"]
    if len(markets) != 1 or markets[0] not in MARKETPLACE_BY_ID:
        raise _bad("Invalid destinationMarketplace provided: %s." % ", ".join(map(str, markets)))
    for key in ("addressLine1", "city", "countryCode", "name", "phoneNumber", "postalCode"):
        if not body["sourceAddress"].get(key):
            raise _bad("sourceAddress.%s is required." % key)
    market = MARKETPLACE_BY_ID[markets[0]]
    items, problems = {}, []
    for item in body["items"]:
        quantity = item.get("quantity")
        if not item.get("msku") or not isinstance(quantity, int) or quantity < 1:
            raise _bad("Each item needs an msku and a quantity of at least 1.")
        if (market.code, item["msku"]) not in scenario.fba_initial:
            problems.append({"code": "FBA_INB_0004", "severity": "ERROR",
                             "message": "ERROR: The SKU %s is not an FBA offer of marketplace %s."
                             % (item["msku"], market.id),
                             "details": "msku: %s" % item["msku"]})
        items[item["msku"]] = items.get(item["msku"], 0) + quantity
    if problems:
        return None, problems
    plan = InboundPlan(scenario, body, market, items, now)
    scenario.inbound_plans[plan.plan_id] = plan
    return plan, []


def get(scenario, plan_id):
    plan = scenario.inbound_plans.get(plan_id)
    if plan is None:
        raise _not_found("Inbound plan %s" % plan_id)
    return plan


def by_confirmation(scenario, confirmation_id):
    for plan in scenario.inbound_plans.values():
        for shipment in plan.shipments:
            if shipment.confirmation_id == confirmation_id:
                return shipment
    raise ScenarioError(400, "InvalidInput", "Shipment %s not found." % confirmation_id)


def ship(scenario, confirmation_id, now):
    """The seller's boxes leave (test hook): IN_TRANSIT, inbound shipped in the FBA stock."""
    shipment = by_confirmation(scenario, confirmation_id)
    if shipment.status(now) not in ("WORKING", "READY_TO_SHIP"):
        raise ScenarioError(400, "InvalidInput", "Shipment %s is %s." % (
            confirmation_id, shipment.status(now)))
    shipment.shipped_at = int(now)
    for sku, units in shipment.items.items():
        pending = Inbound(shipment.plan.market.code, sku, units, shipment.plan.created,
                          int(now), int(now) + TRANSIT_HOURS * HOUR)
        pending.received_at = shipment.auto_received_at()
        scenario.inbound.append(pending)
        shipment.pending[sku] = pending
    return shipment


def receive(scenario, confirmation_id, quantities, close, now):
    """Amazon counts (test hook): ``quantities`` {sku: units received so far}, default all;
    ``close`` ends the receiving (short or over)."""
    shipment = by_confirmation(scenario, confirmation_id)
    if shipment.shipped_at is None:
        ship(scenario, confirmation_id, now)
    quantities = dict(shipment.items if quantities is None else quantities)
    before = shipment.received or {}
    for sku, units in quantities.items():
        new = units - before.get(sku, 0)
        pending = shipment.pending.get(sku)
        if new > 0:
            scenario.inbound.append(Inbound(shipment.plan.market.code, sku, new,
                                            shipment.plan.created, shipment.shipped_at,
                                            int(now), received_at=int(now)))
            if pending is not None:
                pending.quantity -= new
        elif new < 0:
            raise ScenarioError(400, "InvalidInput", "Received units never go down.")
    shipment.received = dict(before, **quantities)
    for sku, pending in list(shipment.pending.items()):
        if close or pending.quantity <= 0:
            if pending in scenario.inbound:
                scenario.inbound.remove(pending)
            del shipment.pending[sku]
        else:
            pending.received_at = int(now) + 365 * DAY   # receiving until the hook closes it
    if close:
        shipment.closed_at = int(now)
    return shipment


def v0_items(shipment, now):
    """getShipmentItemsByShipmentId's ItemData of a shipment."""
    return [{"ShipmentId": shipment.confirmation_id, "SellerSKU": sku,
             "FulfillmentNetworkSKU": "X00" + "".join(
                 random.Random("fnsku-%s" % sku).choice(_UPPER) for _ in range(7)),
             "QuantityShipped": units if shipment.shipped_at is not None else 0,
             "QuantityReceived": shipment.received_qty(sku, now), "QuantityInCase": 0}
            for sku, units in sorted(shipment.items.items())]


def label_pdf(shipment, boxes):
    """A real PDF: one page per box, with the FBA id, box n of N and the fulfilment centre."""
    return text_pdf(["%s  box %d of %d  to %s" % (shipment.confirmation_id, n + 1, boxes,
                                                  shipment.centre) for n in range(boxes)])


def settlement_rows(scenario, code, start, end):
    """The inbound placement and partnered-carrier fees of marketplace ``code`` booked in
    [start, end), one row per shipment, the FBA shipment id in order-id:
    [(time, ttype, atype, desc, minor, extra)]."""
    out = []
    for plan in getattr(scenario, "inbound_plans", {}).values():
        if plan.market.code != code:
            continue
        for when, shipment, description, minor in plan.fees:
            if start <= when < end:
                out.append((when, "other-transaction", "other-transaction", description, -minor,
                            {"order-id": shipment.confirmation_id}))
    out.sort(key=lambda row: (row[0], row[5]["order-id"], row[3]))
    return out
