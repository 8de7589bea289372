"""Benchmarks of the amazon_seller connector against the bare ORM, run from the repository root.

    python -m tools.bench orders [--orders N] [--rounds R] [--keep-db] [--profile] [--db NAME]
    python -m tools.bench invoices [--orders N] [--rounds R] [--keep-db] [--profile] [--db NAME]
    python -m tools.bench inventory [--skus N] [--rounds R] [--keep-db] [--profile] [--db NAME]
    python -m tools.bench settlement [--rows N] [--rounds R] [--keep-db] [--profile] [--db NAME]
    python -m tools.bench returns [--returns N] [--rounds R] [--keep-db] [--profile] [--db NAME]
    python -m tools.bench labels [--deliveries N] [--rounds R] [--profile] [--db NAME]

Each benchmark runs in one process, on a fresh database (``tools/setup.sh testdb``, about ten
seconds; ``--keep-db`` reuses the database of the previous run), with Odoo loaded in-process and
the SP-API simulator serving from a thread of the same process. It prints human-readable lines
and ends with one machine-readable line, ``ratio=<connector / bare ORM>`` (2 decimals).

Sub-commands (see the module of each for what it measures and why):

* ``orders``: :mod:`tools.bench_orders`, the import of N FBM orders (partners, orders,
  confirmation, deliveries) against the bare ORM creating and confirming the same N orders.
* ``invoices``: :mod:`tools.bench_invoices`, the invoicing of N shipped FBA orders (the invoicing
  flow) against the bare ORM's ``_create_invoices`` and ``action_post`` on the same orders.
* ``inventory``: :mod:`tools.bench_inventory`, the FBA inventory pull and the FBM stock push of
  N SKUs against the bare ORM applying the same stock adjustments (its ratio is bare ORM
  seconds ÷ connector seconds, the same sense as the others: higher is better).
* ``settlement``: :mod:`tools.bench_settlement`, the import and posting of one settlement file of
  N rows (N/4 invoiced FBA orders) against the bare ORM making the same statement and
  reconciling it with one ``_reconcile_plan``; here ``ratio`` is connector seconds ÷ bare ORM
  seconds (lower is better), and each part's peak RSS is printed.
* ``returns``: :mod:`tools.bench_returns`, the returns flow bringing back N FBA return rows
  (one unit each, of the shipped orders holding N units) against the bare ORM making the same
  return moves.
* ``labels``: :mod:`tools.bench_labels`, the Buy Shipping labels of N FBM deliveries bought in
  one action; no bare ORM here: against the HTTP floor, the same N ``getRates`` and
  ``purchaseShipment`` made in sequence with the gateway (``ratio`` is connector labels/s ÷
  HTTP-only labels/s).

Any Python may start it: when Odoo is not importable, it re-executes itself with the project's
venv and Odoo's source on PYTHONPATH (both set up by ``make test`` / ``tools/setup.sh env``).
Timings are for humans and CI trends; tests never assert them.
"""

import argparse
import contextlib
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / ".build"
VENV_PYTHON = BUILD / "venv" / "bin" / "python"
ODOO_PYTHONPATH = BUILD / "odoo" / "usr" / "lib" / "python3" / "dist-packages"
ODOO_CONF = BUILD / "odoo.conf"
DEFAULT_DB = "amazon_seller_bench"
REEXEC_MARKER = "AMAZON_SELLER_BENCH_REEXEC"


# === Interpreter and database === #

def ensure_odoo_importable():
    """Re-execute this command with the project's venv when Odoo (or the SP-API client) is missing."""
    try:
        import odoo  # noqa: F401, PLC0415
        import sp_api  # noqa: F401, PLC0415
        return
    except ImportError as error:
        missing = error.name
    if os.environ.get(REEXEC_MARKER) or not VENV_PYTHON.exists():
        sys.exit(f"bench: cannot import {missing} even with {VENV_PYTHON}; run `make setup` first")
    env = dict(os.environ, **{REEXEC_MARKER: "1"})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ODOO_PYTHONPATH), env.get("PYTHONPATH")]))
    os.chdir(ROOT)
    os.execve(str(VENV_PYTHON), [str(VENV_PYTHON), "-m", "tools.bench", *sys.argv[1:]], env)


def create_database(db):
    """A fresh database ``db`` with amazon_seller installed (drops the previous one)."""
    print(f"bench: creating the database {db} (tools/setup.sh testdb)", flush=True)
    subprocess.run(["bash", str(ROOT / "tools" / "setup.sh"), "testdb", db], cwd=ROOT, check=True)


@contextlib.contextmanager
def odoo_environment(db):
    """Yield a superuser environment on ``db``, Odoo loaded in this process, logging at WARNING.

    Nothing is rolled back or committed on exit: each benchmark commits what it wants to keep.
    """
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    odoo.tools.config.parse_config(
        ["-c", str(ODOO_CONF), "-d", db, "--log-level=warn", "--no-http"], setup_logging=True,
    )
    logging.getLogger().setLevel(logging.WARNING)
    threading.current_thread().dbname = db
    registry = Registry(db)
    with registry.cursor() as cr:
        yield odoo.api.Environment(cr, odoo.api.SUPERUSER_ID, {})


# === Command line === #

def parse_args(argv):
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=DEFAULT_DB,
                        help=f"database to (re)create and use (default {DEFAULT_DB})")
    common.add_argument("--keep-db", action="store_true",
                        help="reuse the database as it is instead of recreating it")
    common.add_argument("--profile", action="store_true",
                        help="run the connector part under cProfile: .build/bench_<command>.prof "
                             "and the 30 entries of highest cumulative time")

    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    orders = commands.add_parser(
        "orders", parents=[common],
        help="connector import of N FBM orders vs the bare ORM creating and confirming them",
    )
    orders.add_argument("--rounds", type=int, default=2, metavar="R",
                        help="measure each part R times from the same database state and keep "
                             "the best time of each (default 2; 1 with --profile)")
    orders.add_argument("--orders", type=int, default=2000, metavar="N",
                        help="number of orders, 2 lines each (default 2000)")
    invoices = commands.add_parser(
        "invoices", parents=[common],
        help="connector invoicing of N shipped orders vs the bare ORM's _create_invoices and "
             "action_post on the same orders",
    )
    invoices.add_argument("--rounds", type=int, default=2, metavar="R",
                          help="measure each part R times from the same database state and keep "
                               "the best time of each (default 2; 1 with --profile)")
    invoices.add_argument("--orders", type=int, default=2000, metavar="N",
                          help="number of shipped FBA orders to invoice (default 2000)")
    inventory = commands.add_parser(
        "inventory", parents=[common],
        help="connector FBA inventory pull and FBM stock push of N SKUs vs the bare ORM applying "
             "the same stock adjustments",
    )
    inventory.add_argument("--rounds", type=int, default=2, metavar="R",
                           help="measure each part R times from the same database state and keep "
                                "the best time of each (default 2; 1 with --profile)")
    inventory.add_argument("--skus", type=int, default=20000, metavar="N",
                           help="number of SKUs, each FBA and FBM (default 20000)")
    settlement = commands.add_parser(
        "settlement", parents=[common],
        help="connector import and posting of one settlement file of N rows vs the bare ORM "
             "making the same bank statement and one _reconcile_plan",
    )
    settlement.add_argument("--rounds", type=int, default=1, metavar="R",
                            help="measure each part R times from the same database state and "
                                 "keep the best time of each (default 1)")
    settlement.add_argument("--rows", type=int, default=100_000, metavar="N",
                            help="rows of the settlement file, 4 per invoiced FBA order "
                                 "(default 100000: 25,000 orders)")
    returns = commands.add_parser(
        "returns", parents=[common],
        help="connector import of N FBA customer return rows vs the bare ORM making the same "
             "return moves",
    )
    returns.add_argument("--rounds", type=int, default=2, metavar="R",
                         help="measure each part R times from the same database state and keep "
                              "the best time of each (default 2; 1 with --profile)")
    returns.add_argument("--returns", type=int, default=10_000, metavar="N",
                         help="FBA return rows of one unit each, over the shipped orders holding "
                              "N units (default 10000: about 4,200 orders)")
    labels = commands.add_parser(
        "labels", parents=[common],
        help="connector buying the Buy Shipping labels of N FBM deliveries in one action vs the "
             "same N getRates and purchaseShipment made with the gateway",
    )
    labels.add_argument("--rounds", type=int, default=2, metavar="R",
                        help="measure each part R times from the same state and keep the best "
                             "time of each (default 2; 1 with --profile)")
    labels.add_argument("--deliveries", type=int, default=200, metavar="N",
                        help="FBM deliveries of amazon.com orders, one label each (default 200)")
    args = parser.parse_args(argv)
    if getattr(args, "orders", 1) < 1:
        parser.error("--orders must be at least 1")
    if getattr(args, "returns", 1) < 1:
        parser.error("--returns must be at least 1")
    if getattr(args, "skus", 1) < 1:
        parser.error("--skus must be at least 1")
    if getattr(args, "deliveries", 1) < 1:
        parser.error("--deliveries must be at least 1")
    if getattr(args, "rows", 4) < 4:
        parser.error("--rows must be at least 4")
    return args


def main(argv=None):
    ensure_odoo_importable()
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not args.keep_db:
        create_database(args.db)
    from . import (  # noqa: PLC0415 - need Odoo
        bench_inventory, bench_invoices, bench_labels, bench_orders, bench_returns,
        bench_settlement)

    benchmarks = {"orders": bench_orders.run, "invoices": bench_invoices.run,
                  "inventory": bench_inventory.run, "settlement": bench_settlement.run,
                  "returns": bench_returns.run, "labels": bench_labels.run}
    with odoo_environment(args.db) as env:
        return benchmarks[args.command](env, args, build_dir=BUILD)


if __name__ == "__main__":
    sys.exit(main())
