"""FBA stock of the scenario: the initial quantity per (marketplace, SKU) is seeded, and the
stock at a time follows from the FBA orders shipped or reserved by then."""

from .const import MARKETPLACES
from .orders import PARTIALLY_SHIPPED, PENDING, SHIPPED, UNSHIPPED


def init_stock(scenario, rng):
    """Initial FBA stock per (marketplace, sku): enough for every FBA unit ever ordered
    plus a seeded buffer, so stock never goes negative."""
    need = {}
    for order in scenario.orders:
        if order.channel == "FBA":
            for item in order.items:
                key = (order.market.code, item.sku)
                need[key] = need.get(key, 0) + item.qty
    scenario.fba_initial = {}
    scenario.fba_extra = {}
    for m in MARKETPLACES:
        for c in scenario.catalogue:
            if c["offers"][m.code]["channel"] != "FBA":
                continue
            key = (m.code, c["sku"])
            scenario.fba_initial[key] = need.get(key, 0) + rng.randint(20, 150)
            scenario.fba_extra[key] = (rng.randint(0, 3), rng.randint(0, 20), rng.randint(0, 10))


def stock_summaries(scenario, code, now):
    """FBA inventory summaries for a marketplace at `now` (pure function of now)."""
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
    out = []
    for c in scenario.catalogue:
        key = (code, c["sku"])
        if key not in scenario.fba_initial:
            continue
        unfulfillable, inbound, researching = scenario.fba_extra[key]
        fulfillable = scenario.fba_initial[key] - shipped.get(c["sku"], 0) - reserved.get(c["sku"], 0)
        out.append({
            "sku": c["sku"], "asin": c["asin"], "title": c["title"],
            "fnsku": "X00SIM" + c["asin"][-4:],
            "fulfillable": fulfillable, "reserved": reserved.get(c["sku"], 0),
            "unfulfillable": unfulfillable, "inbound": inbound, "researching": researching,
            "updated": max(changed.get(c["sku"], 0), scenario.history_start),
        })
    return out
