"""``python -m tools.bench returns [--returns N]``: the customer-returns flow against its ceiling.

Set-up (untimed, committed): the shipped FBA orders of the invoicing benchmark (US and DE, the
simulator's ``default`` profile, 1 to 4 lines each) are imported, as many as hold N units
(4,181 orders for the default N = 10,000); then, in the simulator, every unit of the first line
of each SKU of each order (the line the flow matches the SKU's returns to) gets an FBA customer
return of its own, one row of one unit, processed yesterday, with its own license plate: N
rows, three in four ``SELLABLE``, the others ``CUSTOMER_DAMAGED``. With ``--keep-db``, the
orders of the previous run are reused when they still hold N units (the import, about two
minutes at N = 10,000, is
skipped; the simulator serves the same orders file again).

What is measured, on one database and in one process, in each round:

1. **connector**: the returns flow, ``env["amazon.seller.return.import"]._run_now(account)`` for
   both accounts: ``createReport`` of both returns reports per marketplace, ``getReport``,
   ``getReportDocument``, the rows parsed, N ``amazon.seller.return`` records created and
   matched to their order line, and N done return moves (customer → FBA location, or the
   unsellable location) with ``origin_returned_move_id``, in one savepoint per report.
2. **bare ORM**: the very same N return moves (same products, quantities, locations, origin
   moves, computed beforehand) created in one ``stock.move.create``, confirmed and done in one
   ``_action_done()``. The ceiling: no HTTP, no parsing, no return records, no matching.

Each part runs in a savepoint that is rolled back; the best time of each over the rounds is
kept; both end with ``env.flush_all()``. After each connector round the done return moves are
counted: fewer than N stops the benchmark. The last line is ``ratio=<connector returns/s ÷ bare
ORM returns/s>`` (2 decimals). Target: ratio ≥ 0.8 (the connector also stores and matches the
N returns and reads two reports per marketplace). ``--profile`` runs one round with the
connector part under cProfile (``.build/bench_returns.prof``, its top 30 printed) and the bare
ORM part too (``.build/bench_returns_bare.prof``), to compare function by function.
"""

import cProfile
from datetime import datetime, timedelta
import time
import uuid

from .bench_invoices import ACCOUNT_NAME
from .bench_invoices import set_up as set_up_shipped_orders
from .bench_orders import ACCOUNTS, BenchError, print_profile, rolled_back
from .bench_orders import Timing as OrderTiming

ORDERS_FILE = "bench_invoices_orders.json"


class Timing(OrderTiming):
    def line(self):
        return f"{self.label + ':':<10} {self.orders} returns in {self.seconds:.1f} s = " \
               f"{self.rate:.1f} returns/s"


def run(env, args, build_dir):
    n = args.returns
    rounds = 1 if args.profile else max(args.rounds, 1)
    try:
        sim, accounts = set_up(env, n, build_dir, args.keep_db)
        try:
            planned = plan_bare_moves(env, accounts, n)
            if len(planned) != n:
                raise BenchError(f"{len(planned)} return moves planned instead of {n}")
            connector = bare = None
            for _round in range(rounds):
                with rolled_back(env):
                    timing = time_connector(env, accounts, n, args.profile, build_dir)
                with rolled_back(env):
                    bare_timing = time_bare(env, planned, n, args.profile, build_dir)
                print(f"round {_round + 1}: {timing.line()} | {bare_timing.line()}", flush=True)
                connector = min(connector or timing, timing, key=lambda t: t.seconds)
                bare = min(bare or bare_timing, bare_timing, key=lambda t: t.seconds)
        finally:
            sim.stop()
    except BenchError as error:
        print(f"error: {error}")
        return 1
    ratio = (n / connector.seconds) / (n / bare.seconds)
    print(f"best: {connector.line()} | {bare.line()}")
    print(f"ratio={ratio:.2f}")
    return 0


def set_up(env, n, build_dir, keep_db=False):
    """Shipped FBA orders holding N units imported (untimed), a simulator serving one return
    row of one unit for each of the first N units."""
    accounts = reusable_accounts(env, n, build_dir) if keep_db else None
    if accounts:
        print(f"bench: bringing back again {n} units of the orders of the previous run")
    else:
        accounts = set_up_shipped_orders(env, n, build_dir, units=n)
    from .spapi_simulator import Simulator  # noqa: PLC0415

    sim = Simulator(orders_file=str(build_dir / ORDERS_FILE), rate_limits=False, models_dir=False,
                    port=0, auto_returns=False, auto_removals=False).start()
    for account in accounts:  # a new endpoint asks for the credentials again
        account.write({"endpoint_url": sim.url, "lwa_app_id": "bench",
                       "lwa_client_secret": "bench", "refresh_token": f"bench-{uuid.uuid4().hex}"})
    yesterday = (datetime.utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for index, (order, line) in enumerate(returned_units(env, accounts, n)):
        sim.scenario.add_customer_return(
            order.amazon_order_ref, line.amazon_offer_id.sku, 1, yesterday,
            detailed_disposition="CUSTOMER_DAMAGED" if index % 4 == 3 else "SELLABLE",
            license_plate_number=f"LPNBENCH{index:08d}")
    env.cr.commit()
    return sim, accounts


def reusable_accounts(env, n, build_dir):
    """The accounts of a previous run whose orders still hold N units, else None."""
    accounts = env["amazon.seller.account"].search(
        [("name", "in", [ACCOUNT_NAME.format(region=r) for r, _c, _x in ACCOUNTS])],
        order="id desc", limit=len(ACCOUNTS))
    if len(accounts) == len(ACCOUNTS) and (build_dir / ORDERS_FILE).exists() \
            and len(returned_units(env, accounts, n)) == n:
        return accounts.sorted("id")
    return None


def returned_units(env, accounts, n):
    """[(order, line)] of the first N units returned: each unit of the first line of each SKU
    of each order (the line the returns flow matches a SKU's return to), orders by id."""
    units = []
    orders = env["sale.order"].search([("amazon_account_id", "in", accounts.ids)], order="id")
    for order in orders:
        skus = set()
        for line in order.order_line.filtered("amazon_order_item_id"):
            sku = line.amazon_offer_id.sku
            if sku in skus:
                continue
            skus.add(sku)
            units += [(order, line)] * int(line.qty_delivered)
            if len(units) >= n:
                return units[:n]
    return units


def time_connector(env, accounts, n, profile=False, build_dir=None):
    importer = env["amazon.seller.return.import"]
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    for account in accounts:
        importer._run_now(account)
    env.flush_all()
    if profiler:
        profiler.disable()
    timing = Timing("connector", n, time.perf_counter() - started)
    done = env["stock.move"].search_count([
        ("amazon_return_id.account_id", "in", accounts.ids), ("state", "=", "done")])
    if profiler:
        print_profile(profiler, build_dir / "bench_returns.prof")
        timing.label = "connector (under cProfile: time inflated, ratio not comparable)"
    if done != n:
        raise BenchError(f"the returns flow brought back {done} returns instead of {n}")
    return timing


def plan_bare_moves(env, accounts, n):
    """The return moves the connector makes, as create values (origin moves known)."""
    values = []
    for index, (order, line) in enumerate(returned_units(env, accounts, n)):
        origin = line.move_ids.filtered(
            lambda m: m.state == "done" and m.location_dest_id.usage == "customer")[:1]
        account = order.amazon_account_id
        destination = account._fba_unsellable_location() if index % 4 == 3 \
            else account._fba_location(order.amazon_marketplace_id)
        values.append({
            "product_id": origin.product_id.id, "product_uom_qty": 1,
            "product_uom": origin.product_uom.id, "location_id": origin.location_dest_id.id,
            "location_dest_id": destination.id, "sale_line_id": line.id,
            "origin_returned_move_id": origin.id, "to_refund": True,
            "company_id": order.company_id.id, "origin": order.name,
        })
    env.cr.commit()  # the unsellable locations, made once
    return values


def time_bare(env, planned, n, profile=False, build_dir=None):
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    moves = env["stock.move"].create(planned)
    moves._action_confirm()
    for move in moves:
        move.quantity = move.product_uom_qty
    moves.picked = True
    moves._action_done()
    env.flush_all()
    seconds = time.perf_counter() - started
    if profiler:
        profiler.disable()
        path = build_dir / "bench_returns_bare.prof"
        profiler.dump_stats(str(path))
        print(f"profile of the bare ORM part: {path}")
        return Timing("bare ORM (under cProfile)", n, seconds)
    return Timing("bare ORM", n, seconds)
