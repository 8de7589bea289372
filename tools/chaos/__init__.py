"""Chaos test of the amazon_seller connector: a real Odoo server killed at random moments.

    python -m tools.chaos [--orders N] [--kills K] [--seed S] [--faults SPEC] [--keep-db] ...

What runs, each in its own process (session) so that killing one never kills another:

* the SP-API simulator (``python -m tools.spapi_simulator``) with ``--orders N`` orders of the
  default profile (every marketplace, FBA and FBM, cancellations, replacements...), faults at a
  low rate (default ``500:0.05,429:0.03,drop:0.02``: server errors, throttling, dropped
  connections on every SP-API operation), rate limits off (``--rate-limits`` to keep them), a
  clock 12 hours behind the real one running 30 times faster, all orders of its arrival week
  already visible;
* a fresh database (``tools/setup.sh testdb``), set up through ``odoo shell`` (setup_db.py):
  three accounts covering the simulator's six marketplaces, products, offers, stock, carriers,
  the two Amazon crons every minute;
* Odoo in prefork mode (``--workers=2 --max-cron-threads=2``): the HTTP workers and the cron
  worker processes are children of one master in their own process group, SIGKILLed all at
  once - the way a crash, an OOM kill or a pulled plug ends a production server. (Threaded mode
  would die just as abruptly; prefork is what production runs, with the orders and the
  shipments crons in two processes at the same time.)

Meanwhile, in the harness: a warehouse user validates the open FBM deliveries through JSON-RPC
(carrier, tracking number, some partially so that the backorder becomes package 2), which
queues their confirmations; a ticker keeps both crons due every two seconds; the killer waits
for a call in the simulator's log showing the targeted work under way - a searchOrders page
(order sync: the first kill lands in the initial import, every second later one waits for the
incremental sync) or a confirmShipment (confirmations, killed at once or within 0.05 s, so
that some kills fall between Amazon's 204 and Odoo's commit) - then SIGKILLs the server's
process group after a seeded random delay, restarts it, and does it again, K times
(alternating targets, shuffled with ``--seed``). After the last kill the warehouse user gets
``--ship-timeout`` seconds to validate what is still open.

Then: no more kills nor validations, faults off; the crons run until nothing is left to do
(retry backoffs, real minutes, are made due at once: time passes, the calls stay the ones the
addon makes), bounded by ``--drain-timeout``. The checks (checks.py) compare Odoo with the
simulator's own view: every importable order exactly once per account, statuses, channels and
totals equal to the cent, and in the call log exactly one successful confirmShipment per
package Odoo queued and no attempt after it (the simulator refuses a reused package reference:
a second confirmation shows as a call after the 204), each delivery 'sent' with the quantities
it shipped. A summary gives the figures; the exit status is 0 when every check passes, 1 when
one fails (with the orders/packages, their call-log lines and the kills as evidence), 2 when
the harness itself could not run. Processes and the database are cleaned up in every case
(``--keep-db`` keeps the database); logs stay in ``.build/chaos/<db>/``.

The code under test is copied at the start (``--code``: the working tree, or a git revision)
and every process of the run loads that copy: the checkout may change meanwhile.

Any Python may start it: without psycopg2 and the SP-API client it re-executes itself with the
project's venv (``make setup``).
"""

import argparse
import atexit
import signal
import sys

DEFAULT_FAULTS = "500:0.05,429:0.03,drop:0.02"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m tools.chaos",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=300, metavar="N",
                        help="orders in the simulator (default 300)")
    parser.add_argument("--kills", type=int, default=5, metavar="K",
                        help="SIGKILLs of the server (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="simulator scenario and every random "
                        "choice of the harness (default 1)")
    parser.add_argument("--faults", default=DEFAULT_FAULTS, metavar="SPEC",
                        help=f"simulator fault SPEC during the chaos (default {DEFAULT_FAULTS}; "
                             "'' for none)")
    parser.add_argument("--profile", choices=("default", "fbm2"), default="default",
                        help="simulator profile (fbm2: all FBM, US and DE: more confirmations)")
    parser.add_argument("--time-scale", type=float, default=30.0, metavar="X",
                        help="simulated seconds per real second (default 30)")
    parser.add_argument("--rate-limits", action="store_true",
                        help="keep the simulator's rate limits (default off: 429 faults only)")
    parser.add_argument("--code", default="worktree", metavar="worktree|head|REV",
                        help="code under test, copied at the start: the working tree (default), "
                             "the last commit or any git revision (others may be editing the "
                             "checkout meanwhile)")
    parser.add_argument("--db", default="amazon_seller_chaos", help="database to (re)create")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--workers", type=int, default=2, help="Odoo HTTP workers (default 2)")
    parser.add_argument("--cron-workers", type=int, default=2,
                        help="Odoo cron worker processes (default 2)")
    parser.add_argument("--tick", type=float, default=2.0,
                        help="seconds between cron triggers (default 2)")
    parser.add_argument("--target-timeout", type=float, default=30.0,
                        help="seconds a kill waits for its target before killing anyway (default 30)")
    parser.add_argument("--cool-down", type=float, nargs=2, default=(1.0, 4.0), metavar=("MIN", "MAX"),
                        help="seconds of peace after each restart (default 1 4)")
    parser.add_argument("--ship-timeout", type=float, default=60.0,
                        help="seconds the warehouse user gets after the last kill to validate the "
                             "deliveries still open (default 60)")
    parser.add_argument("--drain-timeout", type=float, default=300.0,
                        help="seconds the crons get to finish after the chaos (default 300)")
    args = parser.parse_args(argv)
    if args.orders < 1 or args.kills < 0:
        parser.error("--orders must be at least 1 and --kills not negative")
    return args


def main(argv=None):
    from .env import ChaosError, ensure_venv  # noqa: PLC0415

    argv = sys.argv[1:] if argv is None else argv
    ensure_venv(argv)
    args = parse_args(argv)
    from .run import ChaosRun, say  # noqa: PLC0415

    run = ChaosRun(args)
    atexit.register(run.cleanup)

    def interrupted(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, interrupted)
    try:
        return run.execute()
    except ChaosError as error:
        say(f"error: {error}")
        run.report_partial()
        return 2
    finally:
        run.cleanup()
