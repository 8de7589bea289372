"""``python -m tools.bench orders [--orders N]``: the order import against its ceiling.

What is measured, on one database and in one process:

1. **connector**: ``amazon.seller.account._sync_orders()`` for the two accounts the simulator's
   ``fbm2`` profile needs (North America with amazon.com, Europe with amazon.de), importing N
   FBM orders of 2 lines each, all UNSHIPPED: buyer and delivery partners, sale orders, their
   confirmation and deliveries. Rate limits are off, so the time is Odoo's and the client's,
   never the simulator's throttling.
2. **bare ORM**: the same N orders (same buyers, addresses, products, quantities, prices)
   created the way a hand-written batch import would: ``res.partner.create`` of N buyers and of
   N delivery addresses, one ``sale.order.create`` of N orders with their lines, one
   ``action_confirm()`` (which creates the deliveries). This is the ceiling: what the ORM costs
   without HTTP, JSON, mapping and bookkeeping. It runs with the usual switches of a batch
   import (``BARE_CONTEXT``: no creation message, no field tracking), so that the ratio
   measures the connector's own overhead and not a difference in chatter bookkeeping.

Both timings end with ``env.flush_all()``, so every pending write has reached PostgreSQL; the
commit after each part is untimed. Everything fetched or computed before a timed section (the
simulator's orders, countries, states, pricelists) is pure data prepared untimed. A two-order
warm-up through the bare path runs first, so that neither part pays alone for Odoo's cold
caches. The connector runs first, the bare ORM second, on a database then holding the
connector's N orders, pickings and partners as well (indexed searches: a small effect, if any,
in the connector's favour).

SP-API calls per 100 orders come from the simulator's call log over the connector part: every
operation counts except ``lwaToken`` (the Login with Amazon token request, which is not an SP-API
operation and is cached per process); the breakdown printed includes it.

The last line is ``ratio=<connector orders/s ÷ bare ORM orders/s>`` with 2 decimals. Targets:
ratio ≥ 0.8 and ≤ 1.1 SP-API calls per 100 orders. Exit status: 0 when both parts ran, 1 when
the connector did not import the N orders (nothing worth timing), 2 when the connector is not
there yet (the bare-ORM part still runs, the last line is then ``ratio=n/a``).
"""

import cProfile
import io
import pstats
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone

from odoo.fields import Command

from .spapi_simulator import Simulator
from .spapi_simulator.scenario import ALL_INCLUDED, render_order

# The fbm2 profile spans two regions: one account per region, one marketplace each.
ACCOUNTS = (  # (region, marketplace code, xml id of the marketplace)
    ("NA", "US", "amazon_seller.marketplace_us"),
    ("EU", "DE", "amazon_seller.marketplace_de"),
)
LWA_OPERATION = "lwaToken"
# Batch-import switches of mail.thread for the bare ORM (and the warm-up): without them, Odoo
# writes a creation message and tracking values per record, which the connector also avoids.
BARE_CONTEXT = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
PROFILE_TOP = 30


@dataclass
class Timing:
    label: str
    orders: int
    seconds: float

    @property
    def rate(self):
        return self.orders / self.seconds if self.seconds else float("inf")

    def line(self):
        return f"{self.label + ':':<10} {self.orders} orders in {self.seconds:.1f} s = {self.rate:.1f} orders/s"


class BenchError(Exception):
    """The benchmark cannot give a meaningful figure (printed, exit status 1)."""


def run(env, args, build_dir):
    """Run the ``orders`` benchmark on ``env``; return the exit status."""
    n = args.orders
    sim = Simulator(orders=n, profile="fbm2", rate_limits=False, models_dir=False, port=0).start()
    try:
        catalogue = sim.catalogue()
        products = create_products(env, catalogue)
        accounts, missing = setup_connector(env, sim, catalogue, products)
        warm_up(env, products)
        env.cr.commit()

        connector = calls = None
        if missing:
            print(f"connector: not available yet ({missing}); running the bare-ORM part only")
        else:
            connector, calls = time_connector(env, sim, accounts, n, args.profile, build_dir)
        bare = time_bare_orm(env, sim, products, n)
    except BenchError as error:
        print(f"error: {error}")
        return 1
    finally:
        sim.stop()
    return report(connector, bare, calls, n)


# === Set-up (untimed) === #

def create_products(env, catalogue):
    """One goods product per catalogue SKU: {sku: product.product}."""
    products = env["product.product"].create([{
        "name": entry["title"],
        "default_code": entry["sku"],
        "type": "consu",
        "is_storable": False,
        "list_price": entry["base_price"],
    } for entry in catalogue])
    return dict(zip((entry["sku"] for entry in catalogue), products))


def setup_connector(env, sim, catalogue, products):
    """The two accounts pointing at the simulator and the offers mapping every SKU (with the
    catalogue's channel for that marketplace, FBM for every SKU the fbm2 orders use).

    Return (accounts, None), or (None, reason) when the connector's models are not there yet.
    """
    if "amazon.seller.offer" not in env.registry:
        return None, "the model amazon.seller.offer does not exist"
    if not hasattr(env["amazon.seller.account"], "_sync_orders"):
        return None, "amazon.seller.account has no _sync_orders()"
    try:
        with env.cr.savepoint():
            accounts = env["amazon.seller.account"].create([{
                "name": f"Bench {region}",
                "region": region,
                "marketplace_ids": [Command.set(env.ref(xmlid).ids)],
                "endpoint_url": sim.url,
                "lwa_app_id": "bench",
                "lwa_client_secret": "bench",
                # fresh per run: the client's process-wide token cache is keyed by refresh token
                "refresh_token": f"bench-{uuid.uuid4().hex}",
                "sync_enabled": True,
            } for region, _code, xmlid in ACCOUNTS])
            env["amazon.seller.offer"].create([{
                "account_id": account.id,
                "marketplace_id": env.ref(xmlid).id,
                "sku": entry["sku"],
                "product_id": products[entry["sku"]].id,
                "fulfillment_channel": entry["offers"][code]["channel"].lower(),
            } for account, (_region, code, xmlid) in zip(accounts, ACCOUNTS) for entry in catalogue])
    except (KeyError, AttributeError, ValueError) as error:
        return None, f"setting up accounts and offers failed: {type(error).__name__}: {error}"
    return accounts, None


def warm_up(env, products):
    """Create and confirm two small orders through the bare path, to warm Odoo's caches."""
    env = env(context=dict(env.context, **BARE_CONTEXT))
    product_ids = [product.id for product in products.values()][:2]
    buyers = env["res.partner"].create([{"name": f"Bench warm-up {i}"} for i in range(2)])
    orders = env["sale.order"].create([{
        "partner_id": buyer.id,
        "order_line": [Command.create({"product_id": pid, "product_uom_qty": 1}) for pid in product_ids],
    } for buyer in buyers])
    orders.action_confirm()
    env.flush_all()


# === Connector (timed) === #

def time_connector(env, sim, accounts, n, profile, build_dir):
    """Time ``_sync_orders()`` of every account; return (Timing, {operation: calls})."""
    sim.reset_calls()
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    results = [account._sync_orders() for account in accounts]
    env.flush_all()
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - start
    calls = sim.call_counts()
    env.cr.commit()

    for account, result in zip(accounts, results):
        print(f"connector {account.name}: " + " ".join(
            f"{key}={(result or {}).get(key, 0)}" for key in ("created", "updated", "skipped", "failed")))
    check_connector_import(env, accounts, n)
    if profiler:
        print_profile(profiler, build_dir / "bench_orders.prof")
    label = "connector (under cProfile: time inflated, ratio not comparable)" if profiler else "connector"
    return Timing(label, n, seconds), calls


def check_connector_import(env, accounts, n):
    """Raise BenchError unless the N orders were imported, confirmed and have a delivery."""
    domain = [("amazon_account_id", "in", accounts.ids), ("state", "=", "sale")]
    confirmed = env["sale.order"].search_count(domain)
    if confirmed != n:
        total = env["sale.order"].search_count([("amazon_account_id", "in", accounts.ids)])
        print_sync_errors(env, accounts)
        raise BenchError(f"the connector imported {total} orders, {confirmed} confirmed, "
                         f"instead of {n} confirmed: not timing an import that did not happen")
    undelivered = env["sale.order"].search_count(domain + [("picking_ids", "=", False)])
    if undelivered:
        raise BenchError(f"{undelivered} of the {n} imported orders have no delivery")


def print_sync_errors(env, accounts, limit=5):
    """Print the most frequent reasons of the orders the connector failed to import."""
    if "amazon.seller.sync.error" not in env.registry:
        return
    errors = env["amazon.seller.sync.error"].search([("account_id", "in", accounts.ids)])
    reasons = Counter(re.sub(r"^Order \S+: ", "", error.message) for error in errors)
    for reason, count in reasons.most_common(limit):
        print(f"  {count} orders failed: {reason[:500]}")


def print_profile(profiler, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(str(path))
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(PROFILE_TOP)
    print(f"profile of the connector part: {path} (top {PROFILE_TOP} by cumulative time)")
    print(out.getvalue().rstrip())


# === Bare ORM (timed) === #

@dataclass
class PreparedOrder:
    """Pure data of one order: the values of its buyer, delivery address and sale order."""
    buyer: dict
    delivery: dict
    order: dict


def time_bare_orm(env, sim, products, n):
    """Time the batch creation and confirmation of the simulator's N orders with the plain ORM."""
    prepared = prepare_orders(env, simulator_orders(sim), products)
    if len(prepared) != n:
        raise BenchError(f"the simulator serves {len(prepared)} orders instead of {n}")
    env.cr.commit()

    start = time.perf_counter()
    orders = create_and_confirm(env, prepared)
    env.flush_all()
    seconds = time.perf_counter() - start
    env.cr.commit()

    confirmed = orders.filtered(lambda order: order.state == "sale")
    delivered = confirmed.filtered("picking_ids")
    if len(delivered) != n:
        raise BenchError(f"the bare ORM confirmed {len(confirmed)} and delivered {len(delivered)} "
                         f"of {n} orders")
    return Timing("bare ORM", n, seconds)


def create_and_confirm(env, prepared):
    """The timed body: partners, orders and confirmation, each in one batch."""
    env = env(context=dict(env.context, **BARE_CONTEXT))
    buyers = env["res.partner"].create([p.buyer for p in prepared])
    deliveries = env["res.partner"].create([
        dict(p.delivery, parent_id=buyer.id) for p, buyer in zip(prepared, buyers)
    ])
    orders = env["sale.order"].create([
        dict(p.order, partner_id=buyer.id, partner_shipping_id=delivery.id)
        for p, buyer, delivery in zip(prepared, buyers, deliveries)
    ])
    orders.action_confirm()
    return orders


def simulator_orders(sim):
    """The Orders 2026-01-01 ``Order`` objects the simulator serves now, rendered in-process
    (what searchOrders returns, without HTTP and outside the call log)."""
    now = sim.now()
    return [render_order(order, now, ALL_INCLUDED) for order, _status, _updated
            in sim.scenario.visible(now)]


def prepare_orders(env, amazon_orders, products):
    """[PreparedOrder] for Amazon orders, resolving countries, states, currencies and SKUs."""
    countries = _countries(env, amazon_orders)
    states = _states(env, countries)
    pricelists = _pricelists(env, amazon_orders)
    prepared = []
    for data in amazon_orders:
        buyer = data.get("buyer", {})
        address = data["recipient"]["deliveryAddress"]
        country = countries[address["countryCode"]]
        lines = data["orderItems"]
        currency = lines[0]["product"]["price"]["unitPrice"]["currencyCode"]
        prepared.append(PreparedOrder(
            buyer={
                "name": buyer.get("buyerName") or address["name"],
                "email": buyer.get("buyerEmail"),
                "country_id": country,
            },
            delivery={
                "type": "delivery",
                "name": address["name"],
                "street": address.get("addressLine1"),
                "city": address.get("city"),
                "zip": address.get("postalCode"),
                "state_id": states.get((address["countryCode"], address.get("stateOrRegion"))),
                "country_id": country,
                "phone": address.get("phone"),
            },
            order={
                "client_order_ref": data["orderId"],
                "date_order": _datetime(data["createdTime"]),
                "pricelist_id": pricelists[currency],
                "order_line": [Command.create({
                    "product_id": products[line["product"]["sellerSku"]].id,
                    "product_uom_qty": line["quantityOrdered"],
                    "price_unit": float(line["product"]["price"]["unitPrice"]["amount"]),
                }) for line in lines],
            },
        ))
    return prepared


def _countries(env, amazon_orders):
    codes = {data["recipient"]["deliveryAddress"]["countryCode"] for data in amazon_orders}
    return {country.code: country.id for country in env["res.country"].search([("code", "in", list(codes))])}


def _states(env, countries):
    """{(country code, state code or name): state id}."""
    states = {}
    for state in env["res.country.state"].search([("country_id", "in", list(countries.values()))]):
        for key in (state.code, state.code.split("-")[-1], state.name):
            states[(state.country_id.code, key)] = state.id
    return states


def _pricelists(env, amazon_orders):
    """{currency code: pricelist id}, one pricelist per order currency (currency activated)."""
    codes = {data["orderItems"][0]["product"]["price"]["unitPrice"]["currencyCode"] for data in amazon_orders}
    currencies = env["res.currency"].with_context(active_test=False).search([("name", "in", list(codes))])
    currencies.filtered(lambda currency: not currency.active).active = True
    return {currency.name: env["product.pricelist"].create({
        "name": f"Bench {currency.name}", "currency_id": currency.id,
    }).id for currency in currencies}


def _datetime(iso):
    """Amazon's ISO-8601 UTC time -> naive UTC datetime, as Odoo stores it."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(timezone.utc).replace(tzinfo=None)


# === Report === #

def report(connector, bare, calls, n):
    """Print the figures, the last line being ``ratio=...``; return the exit status."""
    if connector:
        print(connector.line())
    print(bare.line())
    if connector is None:
        print("ratio=n/a")
        return 2
    api_calls = sum(count for operation, count in calls.items() if operation != LWA_OPERATION)
    breakdown = " ".join(f"{operation}={count}" for operation, count in sorted(calls.items()))
    print(f"SP-API calls: {breakdown or 'none'} -> {api_calls / n * 100:.2f} calls per 100 orders "
          f"({LWA_OPERATION} excluded)")
    print(f"ratio={connector.rate / bare.rate:.2f}")
    return 0
