"""``python -m tools.bench returns [--orders N]``: the customer-returns flow against its ceiling.

Set-up (untimed, committed): the N shipped FBA orders of the invoicing benchmark (US and DE,
the simulator's ``default`` profile) are imported; then every order gets, in the simulator, an
FBA customer return of one unit of its first line (three in four ``SELLABLE``, the others
``CUSTOMER_DAMAGED``), processed yesterday, each with its own license plate.

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
ORM returns/s>`` (2 decimals). Target: ratio ≥ 0.5 (the connector also stores and matches the
N returns and reads two reports per marketplace).
"""

from datetime import datetime, timedelta
import time
import uuid

from .bench_invoices import set_up as set_up_shipped_orders
from .bench_orders import BenchError, Timing, rolled_back


def run(env, args, build_dir):
    n = args.orders
    rounds = max(args.rounds, 1)
    try:
        sim, accounts = set_up(env, n, build_dir)
        try:
            planned = plan_bare_moves(env, accounts)
            connector = bare = None
            for _round in range(rounds):
                with rolled_back(env):
                    timing = time_connector(env, accounts, n)
                with rolled_back(env):
                    bare_timing = time_bare(env, planned, n)
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


def set_up(env, n, build_dir):
    """The N shipped FBA orders imported (untimed), a simulator serving one return of each."""
    accounts = set_up_shipped_orders(env, n, build_dir)
    from .spapi_simulator import Simulator  # noqa: PLC0415

    orders_file = build_dir / "bench_invoices_orders.json"
    sim = Simulator(orders_file=str(orders_file), rate_limits=False, models_dir=False, port=0,
                    auto_returns=False, auto_removals=False).start()
    for account in accounts:  # a new endpoint asks for the credentials again
        account.write({"endpoint_url": sim.url, "lwa_app_id": "bench",
                       "lwa_client_secret": "bench", "refresh_token": f"bench-{uuid.uuid4().hex}"})
    yesterday = (datetime.utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    orders = env["sale.order"].search([("amazon_account_id", "in", accounts.ids)], order="id")
    for index, order in enumerate(orders):
        line = order.order_line.filtered("amazon_order_item_id")[:1]
        sim.scenario.add_customer_return(
            order.amazon_order_ref, line.amazon_offer_id.sku, 1, yesterday,
            detailed_disposition="CUSTOMER_DAMAGED" if index % 4 == 3 else "SELLABLE",
            license_plate_number=f"LPNBENCH{index:08d}")
    env.cr.commit()
    return sim, accounts


def time_connector(env, accounts, n):
    importer = env["amazon.seller.return.import"]
    started = time.perf_counter()
    for account in accounts:
        importer._run_now(account)
    env.flush_all()
    timing = Timing("connector", n, time.perf_counter() - started)
    done = env["stock.move"].search_count([
        ("amazon_return_id.account_id", "in", accounts.ids), ("state", "=", "done")])
    if done != n:
        raise BenchError(f"the returns flow brought back {done} returns instead of {n}")
    return timing


def plan_bare_moves(env, accounts):
    """The return moves the connector makes, as create values (origin moves known)."""
    values = []
    orders = env["sale.order"].search([("amazon_account_id", "in", accounts.ids)], order="id")
    for index, order in enumerate(orders):
        line = order.order_line.filtered("amazon_order_item_id")[:1]
        origin = line.move_ids.filtered(lambda m: m.state == "done")[:1]
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


def time_bare(env, planned, n):
    started = time.perf_counter()
    moves = env["stock.move"].create(planned)
    moves._action_confirm()
    for move in moves:
        move.quantity = move.product_uom_qty
    moves.picked = True
    moves._action_done()
    env.flush_all()
    return Timing("bare ORM", n, time.perf_counter() - started)
