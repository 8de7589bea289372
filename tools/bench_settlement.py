"""``python -m tools.bench settlement [--rows N]``: posting one settlement against its ceiling.

Set-up (untimed, committed): one North-American account (amazon.com, USD, the company's
currency) and N/4 FBA orders of the simulator's catalogue SKUs, one buyer each, every one
invoiced and posted (15 % sales tax, the company's default): real ``sale.order`` records created
and confirmed with the ORM in batches of ``SETUP_BATCH``, then ``_create_invoices(grouped=True)``
and ``action_post()`` per batch, as the invoicing flow does. The goods are service products so
that no stock move has to be made first (the settlement never looks at deliveries): the set-up of
25,000 orders then takes minutes, not an hour. ``--keep-db`` reuses these orders while their
invoices are still posted and unpaid and they are still N/4.

The file (untimed): one Settlement V2 flat file (US style, the 24 columns) with, per order,
ItemPrice/Principal (the invoice's untaxed amount), ItemPrice/Tax (its tax), ItemFees/
Commission (-15 %) and ItemFees/FBAPerUnitFulfillmentFee (the simulator's fee), spread over a
14-day period of one calendar month, plus Subscription Fee, Storage Fee, Cost of Advertising and
Current Reserve Amount rows: N rows (+4), and Σ rows = total-amount.

What is measured, on one database and in one process:

1. **connector**: ``env["amazon.seller.settlement.import"]._import_file(account, content,
   filename)`` (parse, store every row, map the rows to rules and orders, check) then
   ``env["amazon.seller.settlement.posting"]._post(settlement)`` (one bank statement in the Amazon Payments journal, the invoices
   reconciled with their receivable lines).
2. **bare ORM**: the same journal items made and reconciled the way a hand-written batch would,
   from values computed beforehand: one ``account.bank.statement`` with one statement line whose
   ``line_ids`` hold the liquidity line, one receivable line per order (its invoice's partner,
   account and amount) and one line per fee account and the reserve, plus the disbursement line
   to the payouts in transit; then ONE ``env["account.move.line"]._reconcile_plan([...])`` of
   every (statement receivable line, invoice receivable line) pair, with the connector's own
   switch (``amazon_settlement_posting``: no "Invoice paid" message per order). This is the
   ceiling: no file, no rules, no searching.

Both parts work on the very same invoices: each runs in a savepoint that is rolled back (the
connector first), so both start from the same database state and there is one set of N/4
invoiced orders to set up, not two. After each part the books it wrote are read back (balance
per account of the statement's moves, invoices paid) and compared: a difference is printed and
makes the exit status 1 (not like for like), the figures are still given. Both timings end with
``env.flush_all()``. The peak RSS of each part is the process's high-water mark reset just
before it (``/proc/self/clear_refs``, then ``resource.getrusage``): the set-up's peak does not
count. Target: ratio ≤ 1.5, peak RSS < 600 MB.

The last line is ``ratio=<connector seconds ÷ bare ORM seconds>`` with 2 decimals (here a time
ratio: lower is better). ``--profile`` runs the connector part under cProfile:
``.build/bench_settlement.prof`` and its top 30 by cumulative time.
"""

import random
import resource
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from odoo.fields import Command

from .bench_invoices import start_profiler
from .bench_orders import BARE_CONTEXT, BenchError, print_profile, rolled_back
from .spapi_simulator.const import build_catalogue, fba_fee_usd
from .spapi_simulator.settlement import COLUMNS

ACCOUNT_NAME = "Bench settlement NA"
MARKETPLACE_XMLID = "amazon_seller.marketplace_us"
SEED = 1
SETUP_BATCH = 500
ROWS_PER_ORDER = 4
# The connector's own switch on its _reconcile_plan (no "Invoice paid" message per order): the
# bare ORM uses it too, so that both write the same.
POST_CONTEXT = {"amazon_settlement_posting": True}
COMMISSION = Decimal("0.15")
RESERVE = Decimal("0.10")
SETTLEMENT_ID = "90000000001"
# payments field of each non-order row, for the bare ORM (the connector finds it by its rules)
FEE_ACCOUNTS = {
    "Commission": "fee_account_id",
    "FBAPerUnitFulfillmentFee": "fba_fee_account_id",
    "Subscription Fee": "subscription_account_id",
    "Storage Fee": "storage_account_id",
    "TransactionTotalAmount": "advertising_account_id",
    "Current Reserve Amount": "reserve_account_id",
}


@dataclass
class Timing:
    label: str
    rows: int
    seconds: float
    cpu: float
    peak_mb: float

    def line(self):
        return (f"{self.label + ':':<10} {self.rows} rows in {self.seconds:.1f} s = "
                f"{self.rows / self.seconds if self.seconds else float('inf'):.0f} rows/s "
                f"(Odoo CPU {self.cpu:.1f} s, peak RSS {self.peak_mb:.0f} MB)")


@dataclass
class OrderMoney:
    """One invoiced order as the file and the bare ORM see it (amounts in cents)."""
    ref: str
    item_code: str
    sku: str
    qty: int
    untaxed: int
    tax: int
    fba_fee: int
    partner_id: int
    receivable_id: int          # the invoice's receivable account.move.line
    receivable_account_id: int

    @property
    def commission(self):
        return int((Decimal(self.untaxed) * COMMISSION).quantize(Decimal(1)))


def run(env, args, build_dir):
    """Run the ``settlement`` benchmark on ``env``; return the exit status."""
    n = max(args.rows // ROWS_PER_ORDER, 1)
    started = time.perf_counter()
    try:
        account = reusable_account(env, n) if args.keep_db else None
        if account:
            print(f"bench: reusing the {n} invoiced orders of the previous run")
        else:
            account = set_up(env, n)
        payments = account.payments_ids.filtered(lambda p: p.currency_id.name == "USD")
        orders = read_orders(env, account)
        if len(orders) != n:
            raise BenchError(f"{len(orders)} invoiced orders instead of {n}")
        period = settlement_period()
        content, rows, extras = settlement_file(orders, period)
        print(f"bench: settlement file of {rows} rows ({len(content) / 1e6:.1f} MB) for "
              f"{n} orders", flush=True)
        warm_up(env, account, payments, orders[:2], period)
        rounds = 1 if args.profile else max(args.rounds, 1)
        connector = bare = None
        same = True
        for _round in range(rounds):
            with rolled_back(env):
                timing, books = time_connector(env, account, content, rows, args.profile,
                                               build_dir)
            with rolled_back(env):
                bare_timing, bare_books = time_bare_orm(env, payments, orders, extras, period,
                                                        rows)
            same = compare(books, bare_books) and same
            print(f"round {_round + 1}: {timing.line()} | {bare_timing.line()}", flush=True)
            connector = min(connector or timing, timing, key=lambda t: t.seconds)
            bare = min(bare or bare_timing, bare_timing, key=lambda t: t.seconds)
    except BenchError as error:
        print(f"error: {error}")
        return 1
    print(connector.line())
    print(bare.line())
    print(f"benchmark duration: {time.perf_counter() - started:.0f} s")
    print(f"ratio={connector.seconds / bare.seconds:.2f}")
    return 0 if same else 1


# === Set-up (untimed, committed) === #

def set_up(env, n):
    """The account, its payments journal, products and N invoiced FBA orders; committed."""
    env = env(context=dict(env.context, **BARE_CONTEXT))
    account = env["amazon.seller.account"].create({
        "name": ACCOUNT_NAME, "region": "NA",
        "marketplace_ids": [Command.set(env.ref(MARKETPLACE_XMLID).ids)],
        "endpoint_url": "http://127.0.0.1:9", "lwa_app_id": "bench", "lwa_client_secret": "bench",
        "refresh_token": "bench-settlement", "sync_enabled": False,
    })
    env["amazon.seller.payments"]._ensure_for(account)
    catalogue = build_catalogue()
    products = env["product.product"].create([{
        "name": entry["title"], "default_code": entry["sku"], "type": "service",
        "invoice_policy": "order", "list_price": entry["base_price"],
    } for entry in catalogue])
    env.cr.commit()
    rng = random.Random(f"bench-settlement-{SEED}")
    started = time.perf_counter()
    print(f"bench: creating and invoicing {n} FBA orders (untimed)", flush=True)
    for first in range(0, n, SETUP_BATCH):
        count = min(SETUP_BATCH, n - first)
        partners = env["res.partner"].create([
            {"name": f"Amazon buyer {first + i:07d}"} for i in range(count)])
        orders = env["sale.order"].create([{
            "partner_id": partner.id, "amazon_account_id": account.id,
            "amazon_order_ref": f"114-{first + i:07d}-{rng.randrange(10 ** 7):07d}",
            "amazon_fulfillment_channel": "fba",
            "order_line": [Command.create({
                "product_id": (product := rng.choice(products)).id,
                "product_uom_qty": rng.choice((1, 1, 1, 2, 3)),
                "price_unit": product.list_price,
                "amazon_order_item_id": f"{first + i:014d}",
            })],
        } for i, partner in enumerate(partners)])
        orders.action_confirm()
        invoices = orders._create_invoices(grouped=True)
        invoices.action_post()
        env.cr.commit()
        env.invalidate_all()
        done = first + count
        if done % 5000 == 0 or done == n:
            print(f"bench: {done} orders invoiced ({time.perf_counter() - started:.0f} s)",
                  flush=True)
    return account.with_env(env(context={}))


def reusable_account(env, n):
    """The account of a previous run still holding exactly N unpaid invoiced orders, else None."""
    account = env["amazon.seller.account"].search([("name", "=", ACCOUNT_NAME)], limit=1)
    if account and len(read_orders(env, account)) == n:
        return account
    return None


def read_orders(env, account):
    """[OrderMoney] of the account's orders whose invoice is posted and not paid, by order ref."""
    Line = env["account.move.line"]
    receivables = Line.search_fetch([
        ("move_id.amazon_account_id", "=", account.id), ("move_id.move_type", "=", "out_invoice"),
        ("parent_state", "=", "posted"), ("account_id.account_type", "=", "asset_receivable"),
        ("reconciled", "=", False),
    ], ["move_id", "partner_id", "account_id", "balance"])
    moves = {m["id"]: m for m in env["account.move"].search_read(
        [("id", "in", receivables.move_id.ids)],
        ["invoice_origin", "amount_untaxed", "amount_tax", "amount_total"])}
    lines = env["sale.order.line"].search_read(
        [("order_id.amazon_account_id", "=", account.id), ("display_type", "=", False)],
        ["order_id", "amazon_order_item_id", "product_id", "product_uom_qty"])
    orders = {o["id"]: o for o in env["sale.order"].search_read(
        [("amazon_account_id", "=", account.id)], ["name", "amazon_order_ref"])}
    by_name = {o["name"]: o for o in orders.values()}
    products = {p["id"]: p for p in env["product.product"].search_read(
        [("id", "in", list({l["product_id"][0] for l in lines}))], ["default_code", "list_price"])}
    line_of = {l["order_id"][0]: l for l in lines}
    out = []
    for receivable in receivables:
        move = moves[receivable.move_id.id]
        order = by_name[move["invoice_origin"]]
        line = line_of[order["id"]]
        product = products[line["product_id"][0]]
        qty = int(line["product_uom_qty"])
        out.append(OrderMoney(
            ref=order["amazon_order_ref"], item_code=line["amazon_order_item_id"] or "",
            sku=product["default_code"], qty=qty, untaxed=cents(move["amount_untaxed"]),
            tax=cents(move["amount_tax"]),
            fba_fee=cents(fba_fee_usd(product["list_price"])) * qty,
            partner_id=receivable.partner_id.commercial_partner_id.id,
            receivable_id=receivable.id, receivable_account_id=receivable.account_id.id))
    env.invalidate_all()
    return sorted(out, key=lambda o: o.ref)


def cents(value):
    return int((Decimal(str(value)) * 100).quantize(Decimal(1)))


def fmt(minor):
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100}.{abs(minor) % 100:02d}"


# === The file (untimed) === #

def settlement_period():
    """(start, end, deposit) dates: 14 days of one calendar month, ending yesterday."""
    end = date.today() - timedelta(days=1)
    start = max(end - timedelta(days=13), end.replace(day=1))
    return start, end, end + timedelta(days=2)


def settlement_file(orders, period):
    """(content bytes, number of rows, {description: cents} of the non-order rows)."""
    start, end, deposit = period
    days = (end - start).days + 1
    stamp = "{} {:02d}:{:02d}:{:02d} UTC"
    extras = {
        "Subscription Fee": -3999,
        "Storage Fee": -cents(Decimal(len(orders)) * Decimal("0.07")),
        "TransactionTotalAmount": -cents(Decimal(len(orders)) * Decimal("0.25")),
        "Current Reserve Amount": -int((Decimal(sum(o.untaxed for o in orders)) * RESERVE)
                                       .quantize(Decimal(1))),
    }
    extra_types = {"Subscription Fee": ("ServiceFee", "other-transaction"),
                   "Storage Fee": ("ServiceFee", "other-transaction"),
                   "TransactionTotalAmount": ("ServiceFee", "Cost of Advertising"),
                   "Current Reserve Amount": ("Transfer", "other-transaction")}
    body, total = [], 0
    for index, order in enumerate(orders):
        day = start + timedelta(days=index * days // len(orders))
        seconds = index * 7 % 86400
        when = stamp.format(day.isoformat(), seconds // 3600, seconds // 60 % 60, seconds % 60)
        posted = f"{day.isoformat()} 00:00:00 UTC"
        for atype, description, minor in (("ItemPrice", "Principal", order.untaxed),
                                          ("ItemPrice", "Tax", order.tax),
                                          ("ItemFees", "Commission", -order.commission),
                                          ("ItemFees", "FBAPerUnitFulfillmentFee", -order.fba_fee)):
            values = {"transaction-type": "Order", "order-id": order.ref,
                      "shipment-id": f"D{index:08d}", "marketplace-name": "Amazon.com",
                      "amount-type": atype, "amount-description": description,
                      "amount": fmt(minor), "fulfillment-id": "AFN", "posted-date": posted,
                      "posted-date-time": when, "order-item-code": order.item_code,
                      "sku": order.sku, "quantity-purchased": str(order.qty)}
            body.append(values)
            total += minor
    for description, minor in extras.items():
        ttype, atype = extra_types[description]
        body.append({"transaction-type": ttype, "marketplace-name": "Amazon.com",
                     "amount-type": atype, "amount-description": description,
                     "amount": fmt(minor), "posted-date": f"{end.isoformat()} 00:00:00 UTC",
                     "posted-date-time": f"{end.isoformat()} 12:00:00 UTC"})
        total += minor
    summary = {"settlement-id": SETTLEMENT_ID,
               "settlement-start-date": f"{start.isoformat()} 00:00:00 UTC",
               "settlement-end-date": f"{end.isoformat()} 23:59:59 UTC",
               "deposit-date": f"{deposit.isoformat()} 00:00:00 UTC",
               "total-amount": fmt(total), "currency": "USD"}
    lines = ["\t".join(COLUMNS), "\t".join(summary.get(c, "") for c in COLUMNS)]
    lines += ["\t".join([SETTLEMENT_ID, "", "", "", "", "USD"]
                        + [values.get(c, "") for c in COLUMNS[6:]]) for values in body]
    return ("\n".join(lines) + "\n").encode(), len(body), extras


def warm_up(env, account, payments, orders, period):
    """Both parts once on two orders (rolled back), so that neither pays Odoo's first calls."""
    content, rows, extras = settlement_file(orders, period)
    content = content.replace(SETTLEMENT_ID.encode(), b"90000000000")
    with rolled_back(env):
        settlement, _outcome = env["amazon.seller.settlement.import"]._import_file(
            account, content, "warm-up.txt")
        if settlement.state == "ready":
            post(env, settlement)
        env.flush_all()
    with rolled_back(env):
        time_bare_orm(env, payments, orders, extras, period, rows)


# === Peak memory === #

def reset_peak_rss():
    """Reset this process's RSS high-water mark (Linux ≥ 4.0); False when not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# === Connector (timed) === #

def time_connector(env, account, content, rows, profile, build_dir):
    """Import and post the file with the connector's entry points; (Timing, books)."""
    reset_peak_rss()
    profiler = start_profiler(profile)
    start, cpu = time.perf_counter(), time.process_time()
    settlement, outcome = env["amazon.seller.settlement.import"]._import_file(
        account, content, "bench-settlement.txt")
    imported = time.perf_counter() - start
    if settlement.state != "ready":
        raise BenchError(f"the settlement is {settlement.state} after import ({outcome}), not "
                         f"ready: {(settlement.problems or '')[:500]}")
    post(env, settlement)
    env.flush_all()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if profiler:
        profiler.disable()
    peak = peak_rss_mb()
    print(f"connector: import {imported:.1f} s, post {seconds - imported:.1f} s", flush=True)
    if profiler:
        print_profile(profiler, build_dir / "bench_settlement.prof")
    label = "connector (under cProfile)" if profiler else "connector"
    books = read_books(env, settlement.statement_id, account)
    return Timing(label, rows, seconds, cpu, peak), books


def post(env, settlement):
    """The connector's posting entry point: ``amazon.seller.settlement.posting._post(settlement)``
    since the posting got its own model, ``settlement._post()`` before."""
    if "amazon.seller.settlement.posting" in env:
        return env["amazon.seller.settlement.posting"]._post(settlement)
    return settlement._post()


# === Bare ORM (timed) === #

def time_bare_orm(env, payments, orders, extras, period, rows):
    """Make the same journal items with the ORM and reconcile them in one plan; (Timing, books)."""
    start_day, end, deposit = period
    journal = payments.journal_id
    receivable_lines = [(o.ref, o.receivable_account_id, o.partner_id, o.untaxed + o.tax,
                         o.receivable_id) for o in orders]
    fees = Counter()
    fees[payments.fee_account_id.id] -= sum(o.commission for o in orders)
    fees[payments.fba_fee_account_id.id] -= sum(o.fba_fee for o in orders)
    for description, minor in extras.items():
        fees[payments[FEE_ACCOUNTS[description]].id] += minor
    net = sum(r[3] for r in receivable_lines) + sum(fees.values())
    balance_account = journal.default_account_id.id
    transit = payments.transit_account_id.id
    env.invalidate_all()
    reset_peak_rss()
    start, cpu = time.perf_counter(), time.process_time()
    statement = env["account.bank.statement"].create({
        "name": f"Bench settlement {SETTLEMENT_ID}", "journal_id": journal.id,
        "line_ids": [
            Command.create({
                "journal_id": journal.id, "date": end, "amount": net / 100,
                "payment_ref": f"Amazon settlement {SETTLEMENT_ID}",
                "line_ids": [
                    Command.create({"account_id": balance_account, "name": SETTLEMENT_ID,
                                    "balance": net / 100}),
                    *[Command.create({"account_id": account_id, "partner_id": partner_id,
                                      "name": ref, "balance": -minor / 100})
                      for ref, account_id, partner_id, minor, _line in receivable_lines],
                    *[Command.create({"account_id": account_id, "name": str(account_id),
                                      "balance": -minor / 100})
                      for account_id, minor in fees.items() if minor],
                ]}),
            Command.create({
                "journal_id": journal.id, "date": deposit, "amount": -net / 100,
                "payment_ref": f"Amazon payout {SETTLEMENT_ID}",
                "line_ids": [
                    Command.create({"account_id": balance_account, "name": SETTLEMENT_ID,
                                    "balance": -net / 100}),
                    Command.create({"account_id": transit, "name": SETTLEMENT_ID,
                                    "balance": net / 100})]}),
        ],
    })
    Line = env["account.move.line"]
    made = {line.name: line.id for line in statement.line_ids[:1].move_id.line_ids
            if line.partner_id}
    Line.with_context(**POST_CONTEXT)._reconcile_plan([Line.browse([made[ref], invoice_line])
                          for ref, _a, _p, _m, invoice_line in receivable_lines])
    env.flush_all()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = peak_rss_mb()
    books = read_books(env, statement, payments.account_id)
    return Timing("bare ORM", rows, seconds, cpu, peak), books


# === Same books on both sides (untimed) === #

def read_books(env, statement, account):
    """What a part wrote: balance per account of its statement's moves, and invoices paid."""
    balances = defaultdict(float)
    for line in statement.line_ids.move_id.line_ids:
        balances[line.account_id.code] += line.balance
    paid = env["account.move"].search_count([
        ("amazon_account_id", "=", account.id), ("move_type", "=", "out_invoice"),
        ("payment_state", "in", ("paid", "in_payment"))])
    return {"paid invoices": paid,
            **{code: round(value, 2) for code, value in balances.items() if round(value, 2)}}


def compare(books, bare_books):
    """Print the differences between both parts' books; True when there are none."""
    differences = [f"{key}: connector {books.get(key)}, bare ORM {bare_books.get(key)}"
                   for key in sorted(books.keys() | bare_books.keys(), key=str)
                   if books.get(key) != bare_books.get(key)]
    if differences:
        print("warning: not like for like, the books differ: " + "; ".join(differences[:8]))
        return False
    print(f"books: identical on both sides ({books['paid invoices']} invoices paid, "
          f"{len(books) - 1} accounts)")
    return True
