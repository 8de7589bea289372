"""``python -m tools.bench invoices [--orders N]``: the invoicing flow against its ceiling.

Set-up (untimed, committed): the SP-API simulator serves N FBA orders that Amazon SHIPPED, in
the US (sales tax collected by Amazon as marketplace facilitator) and in Germany (VAT included),
picked in generation order from the simulator's ``default`` profile (same seed, same orders:
1 to 4 lines, shipping, gift wrap, promotions, business buyers; no replacement). Two accounts
(North America with amazon.com, Europe with amazon.de) import them with the orders flow: FBA
orders are confirmed and their goods leave the account's FBA location at import (storable
products, stocked there beforehand), so the N orders are shipped and wait for their invoice.

What is measured, on one database and in one process, in each round:

1. **connector**: the invoicing flow, ``env["amazon.seller.invoicing"]._run_now(account)`` for
   both accounts: it finds the shipped orders to invoice, ``_create_invoices(grouped=True)`` per
   batch of ``INVOICE_BATCH`` (200) orders, dates each invoice at its shipment, one
   ``action_post()`` per batch, inside a savepoint, and records the run.
2. **bare ORM**: the very same orders invoiced the way a hand-written batch would: the same
   batches (per account, oldest first, ``INVOICE_BATCH`` orders each), each
   ``_create_invoices(grouped=True)``, ``invoice_date`` written per date (the dates the
   connector gave, known beforehand), one ``action_post()``. It runs with the connector's own
   switch (``mail_notrack``), so that both produce the same invoices and chatter. This is the
   ceiling: what the ORM costs without searching, shipment dates, savepoints and bookkeeping.

Both use the addon's overrides of ``sale.order`` and ``account.move`` (what an Amazon order
invoices, its account on the invoice, the facilitator tax account, the EU invoice upload mark on
posting): the invoices must be the same, and they are compared,
field by field and line by line (partner, currency, date, amounts, accounts, taxes), after every
round; a difference stops the benchmark. Each part runs in a savepoint that is rolled back, so
both start from the same database state; the best time of each over the rounds is kept. Both
timings end with ``env.flush_all()``. A two-order warm-up through the bare path runs first.
Each round line also gives the CPU seconds of this process (``time.process_time()``: Odoo's
Python, not PostgreSQL): on a shared machine they vary far less than wall time, and tell
Python work from waiting on the database.

The last line is ``ratio=<connector orders/s ÷ bare ORM orders/s>`` with 2 decimals. Target:
ratio ≥ 0.8. Exit status: 0 when both parts ran and gave the same invoices, 1 otherwise.
With ``--keep-db``, the orders of the previous run are invoiced again when they are still N
(the import, a minute or two for 2,000 orders, is skipped; the module is not updated, so only
with the code the database was created with). ``--profile`` runs one round, both parts under
cProfile: ``.build/bench_invoices.prof`` (connector, its top 30 printed) and
``.build/bench_invoices_bare.prof`` (bare ORM), to compare function by function.
"""

import json
import time
from collections import Counter
from dataclasses import dataclass

from .bench_orders import (
    ACCOUNTS, BenchError, create_pricelists, create_products, print_profile, print_sync_errors,
    rolled_back, setup_connector,
)
from .bench_orders import Timing as WallTiming
from .spapi_simulator import Simulator
from .spapi_simulator.generator import generate_order
from .spapi_simulator.order_json import ALL_INCLUDED, render_order
from .spapi_simulator.orders import SHIPPED
from .spapi_simulator.scenario import Scenario

ACCOUNT_NAME = "Bench invoices {region}"
SEED = 1
# The connector's own switch on _create_invoices: the bare path uses it too (same invoices).
BARE_CONTEXT = {"mail_notrack": True}
# Units of each product in each FBA location: more than N orders ever ship.
FBA_STOCK_PER_ORDER = 10


@dataclass
class Timing(WallTiming):
    """A Timing with the CPU seconds of this process (Odoo's Python, not PostgreSQL's): less
    sensitive than wall time to the other jobs of a shared machine."""
    cpu: float = 0.0

    def line(self):
        return f"{super().line()} (Odoo CPU {self.cpu:.1f} s)"


def run(env, args, build_dir):
    """Run the ``invoices`` benchmark on ``env``; return the exit status.

    Each round times the connector invoicing the N orders, reads its invoices back as plain
    values, rolls back, times the bare ORM invoicing the same orders, compares its invoices
    with the connector's, and rolls back.
    """
    n = args.orders
    rounds = 1 if args.profile else max(args.rounds, 1)
    started = time.perf_counter()
    try:
        accounts = reusable_accounts(env, n) if args.keep_db else None
        if accounts:
            print(f"bench: invoicing again the {n} shipped orders of the previous run")
        else:
            accounts = set_up(env, n, build_dir)
        orders = orders_to_invoice(env, accounts)
        if len(orders) != n:
            raise BenchError(f"{len(orders)} orders wait for their invoice instead of {n}")
        batches = connector_batches(orders, accounts)
        with rolled_back(env):
            invoice_bare(env, [batches[0][:2]], {})
        connector = bare = None
        for _round in range(rounds):
            with rolled_back(env):
                timing = time_connector(env, accounts, n, args.profile, build_dir)
                reference = read_invoices(env["account.move"].search(
                    [("amazon_account_id", "in", accounts.ids), ("move_type", "=", "out_invoice")]))
            dates = {origin: values["invoice_date"] for origin, values in reference.items()}
            with rolled_back(env):
                bare_timing, invoices = time_bare_orm(env, batches, dates, n, args.profile,
                                                      build_dir)
                compare(reference, read_invoices(invoices))
            print(f"round {_round + 1}: {timing.line()} | {bare_timing.line()}", flush=True)
            connector = min(connector or timing, timing, key=lambda t: t.seconds)
            bare = min(bare or bare_timing, bare_timing, key=lambda t: t.seconds)
    except BenchError as error:
        print(f"error: {error}")
        return 1
    return report(connector, bare, reference, time.perf_counter() - started)


# === Set-up (untimed, committed) === #

def set_up(env, n, build_dir, units=None):
    """Accounts, products, stock and N imported FBA orders shipped by Amazon; committed. With
    ``units``, as many orders as hold that many units instead (N is then a bound)."""
    start = int(time.time())
    orders_file = build_dir / "bench_invoices_orders.json"
    orders_file.parent.mkdir(parents=True, exist_ok=True)
    picked = shipped_fba_orders(n, start, units)
    n = len(picked)
    orders_file.write_text(json.dumps(picked), encoding="utf-8")
    sim = Simulator(orders_file=str(orders_file), rate_limits=False, models_dir=False, port=0,
                    start_time=start).start()
    try:
        catalogue = sim.catalogue()
        products = create_products(env, catalogue)
        env["product.product"].concat(*products.values()).is_storable = True
        accounts = create_accounts(env, sim, catalogue, products)
        for account in accounts:
            for product in products.values():
                env["stock.quant"]._update_available_quantity(
                    product, account.fba_location_id, FBA_STOCK_PER_ORDER * n)
        create_pricelists(env, ("USD", "EUR"))
        env.cr.commit()
        print(f"bench: importing the {n} shipped FBA orders (untimed)", flush=True)
        importing = time.perf_counter()
        importer = env["amazon.seller.order.import"]
        for account in accounts:
            importer._run_now(account)
        env.flush_all()
        failed = env["amazon.seller.sync.error"].search_count([("account_id", "in", accounts.ids)])
        if failed:
            print_sync_errors(env, accounts)
            raise BenchError(f"{failed} orders could not be imported: not the N orders asked for")
        env.cr.commit()
        print(f"bench: {n} orders imported in {time.perf_counter() - importing:.0f} s", flush=True)
    finally:
        sim.stop()
    return accounts


def shipped_fba_orders(n, start, units=None):
    """Orders 2026-01-01 JSON of the first N FBA orders of the default profile, US or DE, that
    Amazon shipped by ``start`` (replacements left out: they invoice nothing); with ``units``,
    the first ones holding that many units (at most N orders)."""
    scenario = Scenario(seed=SEED, orders=0, start=start, profile="default")
    codes = {code for _region, code, _xmlid in ACCOUNTS}
    picked, held = [], 0
    for index in range(200 * n):
        order = generate_order(scenario, index)
        if (order.channel == "FBA" and order.market.code in codes and not order.replacement_of
                and order.status(start)[0] == SHIPPED):
            picked.append(render_order(order, start, ALL_INCLUDED))
            held += sum(item.qty for item in order.items)
            if len(picked) == n or (units and held >= units):
                return picked
    raise BenchError(f"the simulator's default profile gave only {len(picked)} shipped FBA orders")


def create_accounts(env, sim, catalogue, products):
    """One account per region pointing at the simulator, invoicing on, an offer for every SKU."""
    return setup_connector(env, sim, catalogue, products, name=ACCOUNT_NAME, invoice_orders=True)


def reusable_accounts(env, n):
    """The accounts of a previous run still holding exactly N orders to invoice, else None."""
    accounts = env["amazon.seller.account"].search(
        [("name", "in", [ACCOUNT_NAME.format(region=r) for r, _c, _x in ACCOUNTS])],
        order="id desc", limit=len(ACCOUNTS))
    if len(accounts) == len(ACCOUNTS) and len(orders_to_invoice(env, accounts)) == n:
        return accounts.sorted("id")
    return None


def orders_to_invoice(env, accounts):
    """The accounts' orders the invoicing flow invoices (its own domain, without failures)."""
    return env["sale.order"].search([
        ("amazon_account_id", "in", accounts.ids), ("state", "=", "sale"),
        ("invoice_status", "=", "to invoice"), ("amazon_status", "!=", "CANCELLED"),
    ], order="amazon_account_id, date_order, id")


def connector_batches(orders, accounts):
    """[[order id]]: the batches the invoicing flow makes, per account, the oldest first."""
    # the addon's modules are importable once the registry is loaded
    from odoo.addons.amazon_seller.models.amazon_seller_invoicing import (  # noqa: PLC0415
        INVOICE_BATCH,
    )

    batches = []
    for account in accounts:
        ids = orders.filtered(lambda order, a=account: order.amazon_account_id == a).ids
        batches += [ids[i:i + INVOICE_BATCH] for i in range(0, len(ids), INVOICE_BATCH)]
    return batches


# === Connector (timed) === #

def time_connector(env, accounts, n, profile, build_dir):
    """Time the invoicing flow for every account; return its Timing."""
    profiler = start_profiler(profile)
    start, cpu = time.perf_counter(), time.process_time()
    invoicing = env["amazon.seller.invoicing"]
    stats = Counter()
    for account in accounts:
        stats.update(invoicing._run_now(account))
    env.flush_all()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if profiler:
        profiler.disable()
    if stats["invoiced"] != n or stats["failed"]:
        print_sync_errors(env, accounts)
        raise BenchError(f"the connector invoiced {stats['invoiced']} orders, "
                         f"{stats['failed']} failed, instead of {n} invoiced")
    if profiler:
        print_profile(profiler, build_dir / "bench_invoices.prof")
        return Timing("connector (under cProfile: time inflated, ratio not comparable)", n,
                      seconds, cpu)
    return Timing("connector", n, seconds, cpu)


def start_profiler(profile):
    if not profile:
        return None
    import cProfile  # noqa: PLC0415

    profiler = cProfile.Profile()
    profiler.enable()
    return profiler


# === Bare ORM (timed) === #

def time_bare_orm(env, batches, dates, n, profile, build_dir):
    """Time the bare ORM invoicing the same orders in the same batches; return (Timing,
    invoices). Under --profile, its profile goes to .build/bench_invoices_bare.prof."""
    profiler = start_profiler(profile)
    start, cpu = time.perf_counter(), time.process_time()
    invoices = invoice_bare(env, batches, dates)
    env.flush_all()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if profiler:
        profiler.disable()
        path = build_dir / "bench_invoices_bare.prof"
        profiler.dump_stats(str(path))
        print(f"profile of the bare ORM part: {path}")
    posted = invoices.filtered(lambda move: move.state == "posted")
    if len(posted) != n:
        raise BenchError(f"the bare ORM posted {len(posted)} invoices for {n} orders")
    return Timing("bare ORM", n, seconds, cpu), invoices


def invoice_bare(env, batches, dates):
    """The timed body: per batch of order ids, the invoices, their dates, one posting."""
    orders = env["sale.order"].with_context(**BARE_CONTEXT)
    invoices = env["account.move"]
    for ids in batches:
        batch_invoices = orders.browse(ids)._create_invoices(grouped=True)
        by_date = batch_invoices.grouped(lambda move: dates.get(move.invoice_origin))
        for date, dated in by_date.items():
            if date:
                dated.invoice_date = date
        batch_invoices.action_post()
        invoices |= batch_invoices
    return invoices


# === Same invoices on both sides (untimed) === #

def read_invoices(invoices):
    """{order name: the invoice as plain values, its lines sorted}."""
    result = {}
    for invoice in invoices:
        result[invoice.invoice_origin] = {
            "state": invoice.state,
            "partner": invoice.partner_id.id,
            "currency": invoice.currency_id.name,
            "invoice_date": invoice.invoice_date,
            "journal": invoice.journal_id.id,
            "fiscal_position": invoice.fiscal_position_id.id,
            "amazon_account": invoice.amazon_account_id.id,
            "amount_untaxed": invoice.amount_untaxed,
            "amount_tax": invoice.amount_tax,
            "amount_total": invoice.amount_total,
            "lines": sorted(
                (line.product_id.id, line.quantity, line.price_unit, line.account_id.id,
                 tuple(line.tax_ids.ids), line.price_total)
                for line in invoice.invoice_line_ids),
        }
    if len(result) != len(invoices):
        raise BenchError(f"{len(invoices)} invoices for {len(result)} orders: not one per order")
    return result


def compare(reference, other):
    """Raise BenchError, naming the first differences, unless both sides gave the same invoices."""
    differences = [f"{origin}: only the connector invoiced it"
                   for origin in reference.keys() - other.keys()]
    differences += [f"{origin}: only the bare ORM invoiced it"
                    for origin in other.keys() - reference.keys()]
    for origin in sorted(reference.keys() & other.keys()):
        for key, value in reference[origin].items():
            if other[origin][key] != value:
                differences.append(
                    f"{origin} {key}: connector {value!r}, bare ORM {other[origin][key]!r}")
    if differences:
        raise BenchError(f"{len(differences)} differences between the invoices of both sides, "
                         "not a like-for-like comparison: " + "; ".join(differences[:5]))


# === Report === #

def report(connector, bare, invoices, seconds):
    """Print the figures, the last line being ``ratio=...``; return the exit status."""
    totals = Counter()
    for values in invoices.values():
        totals[values["currency"]] += values["amount_total"]
    lines = sum(len(values["lines"]) for values in invoices.values())
    print(connector.line())
    print(bare.line())
    print(f"invoices: identical on both sides, {len(invoices)} posted ({lines} lines), totals "
          + ", ".join(f"{currency} {total:,.2f}" for currency, total in sorted(totals.items())))
    print(f"benchmark duration: {seconds:.0f} s")
    print(f"ratio={connector.rate / bare.rate:.2f}")
    return 0
