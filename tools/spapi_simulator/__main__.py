"""Command line: python -m tools.spapi_simulator --host 127.0.0.1 --port 8073 [...]"""

import argparse
import sys

from .clock import parse_iso
from .faults import parse_spec
from .scenario import PROFILES
from .server import Simulator
from .settlement import parse_knobs


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m tools.spapi_simulator",
                                     description="Local simulator of Amazon's Selling Partner API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8073)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--orders", type=int, default=50, help="number of orders in the scenario")
    parser.add_argument("--orders-file", help="replay Orders 2026-01-01 JSON orders from this file")
    parser.add_argument("--profile", choices=PROFILES, default="default",
                        help="fbm2 = all FBM, 2 lines each, UNSHIPPED, US+DE (benchmarks)")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="simulated seconds per real second")
    parser.add_argument("--start", help="simulated start time, ISO-8601 (default: now)")
    parser.add_argument("--faults", default=None, help="fault SPEC, see README.md")
    parser.add_argument("--settlements", default=None,
                        help="settlement knobs, e.g. negative=k1,mcf=1,split=0.2 (see README.md)")
    parser.add_argument("--no-rate-limits", action="store_true", help="switch token buckets off")
    parser.add_argument("--models", default=None,
                        help="Amazon's sp-api-models folder (default: ../shared/amazon/sp-api-models "
                             "beside the repository when it exists)")
    parser.add_argument("--no-models", action="store_true", help="do not serve sandbox cases")
    parser.add_argument("--listing-samples", action="store_true",
                        help="add to the listings reports two SKUs beside the catalogue (one with "
                             "an EAN) and three malformed rows (no SKU, bad price, bad bytes)")
    parser.add_argument("--no-auto-returns", action="store_true",
                        help="refunds bring no customer returns (only explicit ones are reported)")
    parser.add_argument("--no-auto-removals", action="store_true",
                        help="no seeded FBA removal orders (only explicit ones are reported)")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.faults:
        try:
            parse_spec(args.faults)
        except ValueError as exc:
            print("bad --faults: %s" % exc, file=sys.stderr)
            return 2
    try:
        settlements = parse_knobs(args.settlements)
    except ValueError as exc:
        print("bad --settlements: %s" % exc, file=sys.stderr)
        return 2
    sim = Simulator(seed=args.seed, orders=args.orders, time_scale=args.time_scale,
                    rate_limits=not args.no_rate_limits, faults=args.faults,
                    models_dir=False if args.no_models else args.models,
                    orders_file=args.orders_file, host=args.host, port=args.port,
                    profile=args.profile, start_time=parse_iso(args.start) if args.start else None,
                    listing_samples=args.listing_samples, settlements=settlements,
                    auto_returns=not args.no_auto_returns,
                    auto_removals=not args.no_auto_removals)
    print("SP-API simulator on http://%s:%d (seed %s, %d orders, profile %s, %d sandbox cases)"
          % (args.host, args.port, args.seed, len(sim.scenario.orders), args.profile,
             len(sim.sandbox)), flush=True)
    try:
        sim.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
