"""``python -m tools.bench inventory [--skus N]``: the FBA inventory pull and the FBM stock push
against the bare ORM applying the same stock adjustments.

Set-up (untimed, committed): the SP-API simulator (rate limits off: the time is Odoo's and the
client's, never the simulator's throttling) stocks N SKUs at Amazon on amazon.com, each with its
own fulfillable quantity (0 to 199), and lists them merchant-fulfilled. One North American
account maps each SKU twice: an FBA offer and an FBM offer (*Sync stock* on, stock buffer 2) of
one storable product per SKU. The FBA location holds, before each part, quantities that differ
from Amazon's for three SKUs in four; the warehouse holds some of each product.

What is measured, on one database and in one process, in each round:

1. **connector**: the inventory flow (``amazon.seller.inventory.import``: every page of
   ``getInventorySummaries``, the summaries mapped, inbound/reserved/unfulfillable stored on the
   N FBA offers, the FBA location adjusted with one validated inventory move per product that
   differs), then the stock push flow (``amazon.seller.stock.push``: the free quantity of the N
   FBM offers computed, one ``JSON_LISTINGS_FEED`` of N PATCH messages built, uploaded and
   created). Reading the processing report back is a later run, not timed.
2. **bare ORM**: the very adjustments the connector made (the same products, quantities and
   locations, computed beforehand), applied the way ``stock.quant._apply_inventory`` does for
   an inventory count: one ``stock.move.create`` of the inventory moves with their move lines
   and one ``_action_done()``. This is the ceiling: no HTTP, no JSON, no mapping, no offers.

Each part runs in a savepoint that is rolled back, so both start from the same database state;
the best time of each over the rounds is kept. Both timings end with ``env.flush_all()``. The
FBA location of the connector's part is compared with Amazon's quantities after each round: a
difference stops the benchmark.

Printed: both times, then ``ratio=<bare ORM seconds ÷ connector seconds>`` (2 decimals; the
connector's time is the pull and the push together; target ≥ 0.8), and the SP-API calls per
1,000 SKUs next to their floor (one inventory page per 50 SKUs, one feed — createFeedDocument,
its upload and createFeed — per run). ``--profile`` runs one round with the connector part
under cProfile (``.build/bench_inventory.prof``, top 30 printed).
"""

import cProfile
import time
import uuid
from dataclasses import dataclass

from odoo.fields import Command

from .bench_orders import LWA_OPERATION, BenchError, print_profile, rolled_back
from .spapi_simulator import Simulator

US = "ATVPDKIKX0DER"
SKU_FORMAT = "BENCH-INV-{:06d}"
BUFFER = 2
FEED_CALLS = ("createFeedDocument", "documentUpload", "createFeed")


@dataclass
class Timing:
    label: str
    skus: int
    seconds: float
    cpu: float = 0.0

    def line(self):
        rate = self.skus / self.seconds if self.seconds else float("inf")
        return f"{self.label + ':':<22} {self.skus} SKUs in {self.seconds:.2f} s = {rate:.0f} " \
               f"SKUs/s (Odoo CPU {self.cpu:.2f} s)"


def run(env, args, build_dir):
    """Run the ``inventory`` benchmark on ``env``; return the exit status."""
    n = args.skus
    rounds = 1 if args.profile else max(args.rounds, 1)
    sim = Simulator(orders=0, rate_limits=False, models_dir=False, port=0).start()
    try:
        amazon = stock_amazon(sim, n)
        account, products = set_up(env, sim, amazon)
        env.cr.commit()
        best = {}
        for _round in range(rounds):
            with rolled_back(env):
                pull, push, calls, adjustments = time_connector(env, sim, account, products,
                                                                amazon, args.profile, build_dir)
            with rolled_back(env):
                bare = time_bare_orm(env, account, adjustments, n)
            print(f"round {_round + 1}: {pull.line()} | {push.line()} | {bare.line()}",
                  flush=True)
            for key, timing in (("pull", pull), ("push", push), ("bare", bare)):
                best[key] = min(best.get(key, timing), timing, key=lambda t: t.seconds)
    except BenchError as error:
        print(f"error: {error}")
        return 1
    finally:
        sim.stop()
    return report(best, calls, n, len(adjustments))


# === Set-up (untimed, committed) === #

def stock_amazon(sim, n):
    """N SKUs at Amazon (US): {sku: fulfillable}, FBM listings too."""
    skus = [SKU_FORMAT.format(index) for index in range(n)]
    sim.add_products(US, skus, fba_quantity=0, fbm_quantity=0)
    amazon = {sku: (index * 37) % 200 for index, sku in enumerate(skus)}
    sim.scenario.fba_initial.update({("US", sku): quantity for sku, quantity in amazon.items()})
    return amazon


def set_up(env, sim, amazon):
    """The account, a product per SKU with its FBA and FBM offers, stock in the FBA location
    (three in four SKUs differ from Amazon) and in the warehouse."""
    marketplace = env.ref("amazon_seller.marketplace_us")
    account = env["amazon.seller.account"].create({
        "name": f"Bench inventory {uuid.uuid4().hex[:6]}", "region": "NA",
        "marketplace_ids": [Command.set(marketplace.ids)], "endpoint_url": sim.url,
        "lwa_app_id": "bench", "lwa_client_secret": "bench",
        "refresh_token": f"bench-{uuid.uuid4().hex}", "sync_enabled": True,
        "merchant_token": "A2SIMSELLER0001", "stock_buffer": BUFFER, "sync_stock_default": True,
    })
    skus = list(amazon)
    products = env["product.product"].create([
        {"name": sku, "default_code": sku, "is_storable": True} for sku in skus])
    offers = env["amazon.seller.offer"].with_context(mail_create_nolog=True, tracking_disable=True)
    offers.create([{
        "account_id": account.id, "marketplace_id": marketplace.id, "sku": sku,
        "fulfillment_channel": channel, "product_id": product.id,
    } for sku, product in zip(skus, products) for channel in ("fba", "fbm")])
    fba = account.fba_location_id
    stock = account.warehouse_id.lot_stock_id
    quants = []  # new products: one quant each per location, created in one batch
    for index, (sku, product) in enumerate(zip(skus, products)):
        before = amazon[sku] if index % 4 == 0 else (index * 11) % 150
        if before:
            quants.append({"product_id": product.id, "location_id": fba.id, "quantity": before})
        quants.append({"product_id": product.id, "location_id": stock.id,
                       "quantity": (index * 7) % 50 + 1})
    env["stock.quant"].create(quants)
    env.flush_all()
    return account, dict(zip(skus, products))


# === Connector (timed) === #

def time_connector(env, sim, account, products, amazon, profile, build_dir):
    """Time the inventory pull then the stock push; return (pull Timing, push Timing,
    {operation: calls}, [(product id, difference)] the pull applied)."""
    before = location_quantities(env, account.fba_location_id)
    sim.reset_calls()
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    start, cpu_start = time.perf_counter(), time.process_time()
    pulled = env["amazon.seller.inventory.import"]._run_now(account)
    env.flush_all()
    middle, cpu_middle = time.perf_counter(), time.process_time()
    pushed = env["amazon.seller.stock.push"]._run_now(account)
    env.flush_all()
    end, cpu_end = time.perf_counter(), time.process_time()
    if profiler:
        profiler.disable()
    calls = sim.call_counts()
    n = len(amazon)
    mapped = pulled["read"] - pulled["unknown"]  # the simulator's catalogue is not mapped
    if mapped != n or pushed["sent"] != n:
        raise BenchError(f"the connector mapped {mapped} summaries and sent "
                         f"{pushed['sent']} quantities instead of {n}: not timing that")
    after = location_quantities(env, account.fba_location_id)
    wrong = [sku for sku, product in products.items() if after.get(product.id, 0) != amazon[sku]]
    if wrong:
        raise BenchError(f"{len(wrong)} SKUs differ from Amazon after the pull, e.g. {wrong[:3]}")
    adjustments = [(product.id, amazon[sku] - before.get(product.id, 0))
                   for sku, product in products.items()
                   if amazon[sku] != before.get(product.id, 0)]
    if profiler:
        print_profile(profiler, build_dir / "bench_inventory.prof")
    suffix = " (cProfile)" if profiler else ""
    return (Timing("connector pull" + suffix, n, middle - start, cpu_middle - cpu_start),
            Timing("connector push" + suffix, n, end - middle, cpu_end - cpu_middle), calls,
            adjustments)


def location_quantities(env, location):
    return {product.id: quantity for product, quantity in env["stock.quant"]._read_group(
        [("location_id", "=", location.id)], ["product_id"], ["quantity:sum"])}


# === Bare ORM (timed) === #

def time_bare_orm(env, account, adjustments, n):
    """Time the same adjustments as stock.quant._apply_inventory applies a count."""
    company = account.company_id
    fba = account.fba_location_id
    loss = env["product.product"].browse([adjustments[0][0]]).with_company(
        company).property_stock_inventory if adjustments else None
    uom = env.ref("uom.product_uom_unit")
    start, cpu_start = time.perf_counter(), time.process_time()
    values = []
    for product_id, difference in adjustments:
        source, destination = (loss, fba) if difference > 0 else (fba, loss)
        values.append({
            "product_id": product_id, "product_uom": uom.id, "product_uom_qty": abs(difference),
            "company_id": company.id, "state": "confirmed", "location_id": source.id,
            "location_dest_id": destination.id, "is_inventory": True, "picked": True,
            "inventory_name": "bare ORM",
            "move_line_ids": [Command.create({
                "product_id": product_id, "product_uom_id": uom.id, "quantity": abs(difference),
                "location_id": source.id, "location_dest_id": destination.id,
                "company_id": company.id})],
        })
    env["stock.move"].create(values)._action_done()
    env.flush_all()
    return Timing("bare ORM adjustments", n, time.perf_counter() - start,
                  time.process_time() - cpu_start)


# === Report === #

def report(best, calls, n, adjusted):
    connector = best["pull"].seconds + best["push"].seconds
    print(best["pull"].line())
    print(best["push"].line())
    print(Timing("connector pull + push", n, connector,
                 best["pull"].cpu + best["push"].cpu).line())
    print(best["bare"].line() + f" ({adjusted} products adjusted)")
    api_calls = sum(count for operation, count in calls.items() if operation != LWA_OPERATION)
    floor = -(-n // 50) + len(FEED_CALLS)
    breakdown = " ".join(f"{operation}={count}" for operation, count in sorted(calls.items()))
    print(f"SP-API calls: {breakdown} -> {api_calls / n * 1000:.1f} per 1,000 SKUs "
          f"(floor {floor / n * 1000:.1f}: one inventory page per 50 SKUs, one feed per run; "
          f"{LWA_OPERATION} excluded)")
    print(f"pull alone: ratio {best['bare'].seconds / best['pull'].seconds:.2f} (bare ORM ÷ pull)")
    print("ratio = bare ORM seconds ÷ connector seconds (pull + push); target ≥ 0.8")
    print(f"ratio={best['bare'].seconds / connector:.2f}")
    return 0
