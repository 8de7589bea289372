"""``python -m tools.bench orders [--orders N]``: the order import against its ceiling.

What is measured, on one database and in one process:

1. **connector**: the orders flow (``amazon.seller.order.import``) for the two accounts the simulator's
   ``fbm2`` profile needs (North America with amazon.com, Europe with amazon.de), importing N
   FBM orders of 2 lines each, all UNSHIPPED: buyer and delivery partners, sale orders, their
   confirmation and deliveries. Rate limits are off, so the time is Odoo's and the client's,
   never the simulator's throttling.
2. **bare ORM**: the very orders the connector produced (same buyers, addresses, lines, prices
   and taxes), created again the way a hand-written batch import would: ``res.partner.create``
   of N buyers and of N delivery addresses, one ``sale.order.create`` of N orders with their
   lines, one ``action_confirm()`` (which creates the deliveries). This is the ceiling: what the
   ORM costs without HTTP, JSON, mapping and bookkeeping. It runs with the usual switches of a
   batch import (``BARE_CONTEXT``: no creation message, no field tracking), as the connector does.

Both timings end with ``env.flush_all()``, so every pending write has reached PostgreSQL. Everything fetched or computed before a timed section (the
connector's orders read back as plain values) is prepared untimed. A two-order
warm-up through the bare path runs first, so that neither part pays alone for Odoo's cold
caches. The connector runs first, the bare ORM second, on a database then holding the
connector's N orders, pickings and partners as well (indexed searches: a small effect, if any,
in the connector's favour).

SP-API calls per 100 orders come from the simulator's call log over the connector part: every
operation counts except ``lwaToken`` (the Login with Amazon token request, which is not an SP-API
operation and is cached per process); the breakdown printed includes it.

The last line is ``ratio=<connector orders/s ÷ bare ORM orders/s>`` with 2 decimals. Targets:
ratio ≥ 0.8 and ≤ 1.1 SP-API calls per 100 orders. Exit status: 0 when both parts ran, 1 when
the connector did not import the N orders (nothing worth timing).
"""

import cProfile
from contextlib import contextmanager
import io
import pstats
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass

from odoo.fields import Command

from .spapi_simulator import Simulator

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
    """Run the ``orders`` benchmark on ``env``; return the exit status.

    Each round times the connector, reads its orders back as plain values, rolls its work back,
    then times the bare ORM creating those same orders and rolls that back too: both parts start
    from the same database state, and the best time of each over the rounds is kept (the
    machine is shared, its noise only ever adds time).
    """
    n = args.orders
    rounds = 1 if args.profile else max(args.rounds, 1)
    sim = Simulator(orders=n, profile="fbm2", rate_limits=False, models_dir=False, port=0).start()
    try:
        catalogue = sim.catalogue()
        products = create_products(env, catalogue)
        accounts = setup_connector(env, sim, catalogue, products)
        create_pricelists(env, ("USD", "EUR"))
        warm_up(env, products)
        env.cr.commit()
        connector = bare = None
        for _round in range(rounds):
            with rolled_back(env):
                timing, calls = time_connector(env, sim, accounts, n, args.profile, build_dir)
                prepared = prepare_orders(env, accounts)
            with rolled_back(env):
                bare_timing = time_bare_orm(env, prepared, n)
            print(f"round {_round + 1}: {timing.line()} | {bare_timing.line()}")
            connector = min(connector or timing, timing, key=lambda t: t.seconds)
            bare = min(bare or bare_timing, bare_timing, key=lambda t: t.seconds)
    except BenchError as error:
        print(f"error: {error}")
        return 1
    finally:
        sim.stop()
    return report(connector, bare, calls, n)


@contextmanager
def rolled_back(env):
    """Run the body in a savepoint that is always rolled back."""
    savepoint = env.cr.savepoint()
    try:
        yield
    finally:
        savepoint.close(rollback=True)
        env.invalidate_all()
        env.registry.clear_all_caches()  # ormcaches may hold ids of rolled-back records


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


def setup_connector(env, sim, catalogue, products, name="Bench {region}", **values):
    """The two accounts pointing at the simulator and the offers mapping every SKU (with the
    catalogue's channel for that marketplace, FBM for every SKU the fbm2 orders use); ``values``
    are added to the accounts'."""
    accounts = env["amazon.seller.account"].create([{
        "name": name.format(region=region),
        "region": region,
        "marketplace_ids": [Command.set(env.ref(xmlid).ids)],
        "endpoint_url": sim.url,
        "lwa_app_id": "bench",
        "lwa_client_secret": "bench",
        # fresh per run: the client's process-wide token cache is keyed by refresh token
        "refresh_token": f"bench-{uuid.uuid4().hex}",
        "sync_enabled": True,
        **values,
    } for region, _code, xmlid in ACCOUNTS])
    for account in accounts:
        account._flow_state("orders").checkpoint = "2020-01-01 00:00:00"
    env["amazon.seller.offer"].create([{
        "account_id": account.id,
        "marketplace_id": env.ref(xmlid).id,
        "sku": entry["sku"],
        "product_id": products[entry["sku"]].id,
        "fulfillment_channel": entry["offers"][code]["channel"].lower(),
    } for account, (_region, code, xmlid) in zip(accounts, ACCOUNTS) for entry in catalogue])
    return accounts


def create_pricelists(env, currency_codes):
    """The orders' currencies active with a pricelist each, before either part runs: both parts
    then use the same pricelists (the rolled-back connector part creates none of its own)."""
    currencies = env["res.currency"].with_context(active_test=False).search(
        [("name", "in", list(currency_codes))])
    currencies.active = True
    env["product.pricelist"].create([{"name": f"Bench {currency.name}", "currency_id": currency.id,
                                      "company_id": env.company.id} for currency in currencies])


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
    """Time a run of the orders flow for every account; return (Timing, {operation: calls})."""
    sim.reset_calls()
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    importer = env["amazon.seller.order.import"]
    results = [importer._run_now(account) for account in accounts]
    env.flush_all()
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - start
    calls = sim.call_counts()

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


def time_bare_orm(env, prepared, n):
    """Time the batch creation and confirmation, with the plain ORM, of the very orders the
    connector produced: same buyers and addresses, same lines, prices and taxes."""
    start = time.perf_counter()
    orders = create_and_confirm(env, prepared)
    env.flush_all()
    seconds = time.perf_counter() - start

    delivered = orders.filtered(lambda order: order.state == "sale" and order.picking_ids)
    if len(delivered) != n:
        raise BenchError(f"the bare ORM confirmed and delivered {len(delivered)} of {n} orders")
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


ADDRESS_FIELDS = ("street", "street2", "city", "zip", "state_id", "country_id")


def prepare_orders(env, accounts):
    """[PreparedOrder] copying the connector's orders as pure values (read untimed)."""
    prepared = []
    for order in env["sale.order"].search([("amazon_account_id", "in", accounts.ids)]):
        buyer, delivery = order.partner_id, order.partner_shipping_id
        prepared.append(PreparedOrder(
            buyer={"name": buyer.name, "email": buyer.email, **_address(buyer)},
            delivery={"type": "delivery", "name": delivery.name, "phone": delivery.phone,
                      **_address(delivery)},
            order={
                "client_order_ref": f"bare {order.client_order_ref}",
                "date_order": order.date_order,
                "pricelist_id": order.pricelist_id.id,
                "fiscal_position_id": order.fiscal_position_id.id,
                "warehouse_id": order.warehouse_id.id,
                "order_line": [Command.create({
                    "product_id": line.product_id.id,
                    "name": line.name,
                    "product_uom_qty": line.product_uom_qty,
                    "price_unit": line.price_unit,
                    "tax_ids": [Command.set(line.tax_ids.ids)],
                }) for line in order.order_line],
            },
        ))
    return prepared


def _address(partner):
    values = partner.read(ADDRESS_FIELDS, load=None)[0]
    return {name: values[name] for name in ADDRESS_FIELDS}


# === Report === #

def report(connector, bare, calls, n):
    """Print the figures, the last line being ``ratio=...``; return the exit status."""
    print(connector.line())
    print(bare.line())
    api_calls = sum(count for operation, count in calls.items() if operation != LWA_OPERATION)
    breakdown = " ".join(f"{operation}={count}" for operation, count in sorted(calls.items()))
    print(f"SP-API calls: {breakdown or 'none'} -> {api_calls / n * 100:.2f} calls per 100 orders "
          f"({LWA_OPERATION} excluded)")
    print(f"ratio={connector.rate / bare.rate:.2f}")
    return 0
