"""FBA stock of the scenario: the initial quantity per (marketplace, SKU) is seeded, and the
stock at a time follows from the FBA orders shipped or reserved by then, from the inbound
shipments received by then and from the removal orders (removals.py) in process or done by then.

An inbound shipment is *working* (the seller prepares it) until it ships, *shipped* until it
reaches the fulfilment centre, *receiving* while Amazon counts it, then its units are
fulfillable. The scenario seeds one per FBA offer (arriving within the first days of the
simulation); more are added with ``Scenario.add_inbound`` (the control API's ``inbound``).
"""

import random

from .const import MARKETPLACES
from .orders import PARTIALLY_SHIPPED, PENDING, SHIPPED, UNSHIPPED
from .mcf import stock_moves as mcf_moves
from .removals import stock_moves as removal_moves

HOUR = 3600
# Hours Amazon takes to receive an inbound shipment once it reached the fulfilment centre.
RECEIVING_HOURS = 6


class Inbound:
    """An inbound shipment of ``quantity`` units of one SKU to one marketplace's centres."""

    def __init__(self, code, sku, quantity, created, shipped_at, arrives_at,
                 received_at=None):
        self.code, self.sku, self.quantity = code, sku, quantity
        self.created, self.shipped_at, self.arrives_at = created, shipped_at, arrives_at
        self.received_at = received_at if received_at is not None \
            else arrives_at + RECEIVING_HOURS * HOUR

    def stage(self, now):
        """``None`` (not created yet), working, shipped, receiving or received at ``now``."""
        if now < self.created:
            return None
        if now < self.shipped_at:
            return "working"
        if now < self.arrives_at:
            return "shipped"
        if now < self.received_at:
            return "receiving"
        return "received"


def init_stock(scenario, rng):
    """Initial FBA stock per (marketplace, sku): enough for every FBA unit ever ordered
    plus a seeded buffer, so stock never goes negative; one seeded inbound shipment per offer
    with inbound units, arriving within the first ten simulated days."""
    need = {}
    for order in scenario.orders:
        if order.channel == "FBA":
            for item in order.items:
                key = (order.market.code, item.sku)
                need[key] = need.get(key, 0) + item.qty
    scenario.fba_initial = {}
    scenario.fba_extra = {}
    scenario.inbound = []
    scenario.extra_skus = {}
    arrivals = random.Random("inbound-%s" % scenario.seed)
    for m in MARKETPLACES:
        for c in scenario.catalogue:
            if c["offers"][m.code]["channel"] != "FBA":
                continue
            key = (m.code, c["sku"])
            scenario.fba_initial[key] = need.get(key, 0) + rng.randint(20, 150)
            scenario.fba_extra[key] = (rng.randint(0, 3), rng.randint(0, 20), rng.randint(0, 10))
            inbound = scenario.fba_extra[key][1]
            if inbound:
                arrives = scenario.start + arrivals.randint(1, 10 * 24) * HOUR
                scenario.inbound.append(Inbound(m.code, c["sku"], inbound, scenario.history_start,
                                                scenario.history_start, arrives))


def add_products(scenario, code, skus, fba_quantity=None, fbm_quantity=None):
    """Make ``skus`` known to the seller on marketplace ``code`` beside the catalogue (any
    number: benchmarks use thousands): with ``fba_quantity`` fulfillable units at Amazon, with
    ``fbm_quantity`` units on their merchant-fulfilled listing."""
    for sku in skus:
        if sku not in scenario.by_sku:
            scenario.extra_skus.setdefault(sku, {
                "sku": sku, "asin": "B0X%07d" % (len(scenario.extra_skus) + 1), "title": sku})
        if fba_quantity is not None:
            scenario.fba_initial[(code, sku)] = int(fba_quantity)
            scenario.fba_extra[(code, sku)] = (0, 0, 0)
        if fbm_quantity is not None:
            scenario.listing_quantity[(code, sku)] = int(fbm_quantity)


def stock_summaries(scenario, code, now):
    """FBA inventory summaries for a marketplace at `now` (pure function of now and of the
    inbound shipments added)."""
    shipped, reserved, changed = {}, {}, {}
    for order in scenario.orders:
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
    stages = {}
    for shipment in scenario.inbound:
        if shipment.code != code:
            continue
        stage = shipment.stage(now)
        if stage is None:
            continue
        quantities = stages.setdefault(shipment.sku, {})
        quantities[stage] = quantities.get(stage, 0) + shipment.quantity
        moved = {"working": shipment.created, "shipped": shipment.shipped_at,
                 "receiving": shipment.arrives_at, "received": shipment.received_at}[stage]
        changed[shipment.sku] = max(changed.get(shipment.sku, 0), moved)
    # removal orders (removals.py): sellable units in process are reserved (fcProcessing),
    # shipped or disposed units are gone; unsellable units leave the unfulfillable ones
    removed = removal_moves(scenario, code, now)
    for sku, (_gone, _held, _damaged, moved) in removed.items():
        changed[sku] = max(changed.get(sku, 0), moved)
    # multi-channel fulfilment orders (mcf.py): reserved until shipped, then gone
    for sku, (gone, held, moved) in mcf_moves(scenario, code, now).items():
        shipped[sku] = shipped.get(sku, 0) + gone
        reserved[sku] = reserved.get(sku, 0) + held
        changed[sku] = max(changed.get(sku, 0), moved)
    out = []
    for (market, sku), initial in scenario.fba_initial.items():
        if market != code:
            continue
        product = scenario.by_sku.get(sku) or scenario.extra_skus[sku]
        unfulfillable, _inbound, researching = scenario.fba_extra[(market, sku)]
        gone, held, damaged, _moved = removed.get(sku, (0, 0, 0, 0))
        unfulfillable = max(0, unfulfillable - damaged)
        inbound = stages.get(sku, {})
        on_hand = initial + inbound.get("received", 0) - shipped.get(sku, 0) \
            - reserved.get(sku, 0)
        # removals never take more than there is; an impossible quantity set by a test stays
        fulfillable = on_hand if on_hand < 0 else max(0, on_hand - gone - held)
        out.append({
            "sku": sku, "asin": product["asin"], "title": product["title"],
            "fnsku": "X00SIM" + product["asin"][-4:],
            "fulfillable": fulfillable, "reserved": reserved.get(sku, 0) + held,
            "fc_processing": held, "unfulfillable": unfulfillable,
            "inbound_working": inbound.get("working", 0),
            "inbound_shipped": inbound.get("shipped", 0),
            "inbound_receiving": inbound.get("receiving", 0),
            "inbound": inbound.get("working", 0) + inbound.get("shipped", 0)
            + inbound.get("receiving", 0),
            "researching": researching,
            "updated": max(changed.get(sku, 0), scenario.history_start),
        })
    return out


def add_inbound(scenario, code, sku, quantity, now, ship_in_hours=0, transit_hours=2 * 24):
    """An inbound shipment created ``now``: it ships after ``ship_in_hours``, reaches Amazon
    ``transit_hours`` later and is received ``RECEIVING_HOURS`` after that."""
    if (code, sku) not in scenario.fba_initial:
        raise KeyError("SKU %s is not an FBA offer on %s" % (sku, code))
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise ValueError("quantity must be a positive integer")
    shipped_at = int(now + ship_in_hours * HOUR)
    shipment = Inbound(code, sku, quantity, int(now), shipped_at,
                       shipped_at + int(transit_hours * HOUR))
    scenario.inbound.append(shipment)
    return shipment

