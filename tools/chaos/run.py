"""One chaos run, phase by phase: set-up, chaos (kills), drain, checks, report, clean-up."""

import random
import re
import shutil
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

from . import checks
from .actors import (
    CONFIRM_OPERATION, IN_FLIGHT_SQL, JOB_QUERIES, CronTicker, Killer, WarehouseUser, describe_call,
)
from .env import APP_NAME, BUILD, ChaosError, pg_connect
from .processes import (
    OdooServer, SimulatorProcess, addon_digest, create_database, drop_database, setup_database,
    snapshot_addon, update_module,
)

# The simulator starts this long before "now" and is advanced by ARRIVAL_DAYS at once: every
# order of its 7 days of arrivals is then visible, and its clock stays behind the real one
# (so that a delivery validated now never ships before its order was created, nor more than a
# day after Amazon's "now": confirmShipment's shipDate rules).
SIM_BEHIND = timedelta(hours=12)
ARRIVAL_DAYS = 7


class SimClock:
    """The simulator's clock, modelled locally from one reading: simulated = read + scale x real."""

    def __init__(self, simulator, time_scale):
        self.simulator, self.scale = simulator, time_scale
        self.sync()

    def sync(self):
        self.sim0, self.real0 = self.simulator.get("time")["nowEpoch"], time.time()

    def now(self):
        return self.sim0 + (time.time() - self.real0) * self.scale

    def safe_to_ship(self):
        """Whether a delivery validated now (ship date: the real now) is after every order the
        simulator has created (its clock must stay behind the real one, with a margin)."""
        return self.now() < time.time() - 120


class ChaosRun:
    def __init__(self, args):
        self.args = args
        self.db = args.db
        self.log_dir = BUILD / "chaos" / self.db
        self.rng = random.Random(f"{args.seed}-run")
        self.simulator = self.server = self.db_connection = None
        self.user = self.ticker = self.killer = None
        self.setup = {}
        self.clock = None
        self.phases = {}
        self.unexpected_exits = []
        self.expedited = 0
        self.all_calls = []
        self.cleaned = False

    # === The phases === #

    def execute(self):
        started = time.monotonic()
        self.phase_setup()
        self.phases["set-up"] = time.monotonic() - started
        mark = time.monotonic()
        self.phase_chaos()
        self.phases["chaos"] = time.monotonic() - mark
        mark = time.monotonic()
        verdict = self.phase_drain_and_check()
        self.phases["drain and checks"] = time.monotonic() - mark
        self.phases["total"] = time.monotonic() - started
        self.report(verdict)
        return 0 if verdict.ok else 1

    def phase_setup(self):
        args = self.args
        shutil.rmtree(self.log_dir, ignore_errors=True)
        self.log_dir.mkdir(parents=True)
        addons_dir = self.log_dir / "addons"
        snapshot = snapshot_addon(addons_dir, args.code)
        start = datetime.now(timezone.utc) - SIM_BEHIND - timedelta(days=ARRIVAL_DAYS)
        self.simulator = SimulatorProcess(
            addons_dir / "amazon_seller", self.log_dir / "simulator.log", args.seed, args.orders,
            args.time_scale, start.strftime("%Y-%m-%dT%H:%M:%SZ"), args.faults, args.profile,
            args.rate_limits,
        ).start()
        self.simulator.post("advance", {"days": ARRIVAL_DAYS})
        self.clock = SimClock(self.simulator, args.time_scale)
        say(f"simulator on {self.simulator.url}: {args.orders} orders, seed {args.seed}, "
            f"profile {args.profile}, time x{args.time_scale:g}, faults {args.faults or 'none'}")
        say(f"creating the database {self.db} (tools/setup.sh testdb); code under test: "
            f"{'the working tree' if args.code == 'worktree' else 'git ' + args.code}, copied to "
            f"{addons_dir} ({snapshot[:10]})")
        create_database(self.db, self.log_dir / "setup.log")
        if addon_digest() != snapshot:
            say("the checkout differs from the code under test: updating the module from the copy")
            update_module(self.db, addons_dir, self.log_dir / "setup.log")
        self.setup = setup_database(self.db, addons_dir, self.simulator.url, self.log_dir / "setup.log")
        self.setup["accounts"] = {int(k): v for k, v in self.setup["accounts"].items()}
        self.db_connection = pg_connect(self.db)
        self.server = OdooServer(self.db, addons_dir, self.log_dir, args.workers, args.cron_workers)

    def phase_chaos(self):
        args = self.args
        self.start_server()
        say(f"Odoo on {self.server.url}: {args.workers} HTTP workers, {args.cron_workers} cron "
            f"workers (prefork); log {self.server.log_path}")
        JOB_QUERIES.update({flow: f"FROM ir_cron_trigger WHERE cron_id = {cron_id} "
                            for flow, cron_id in self.setup["crons"].items()})
        self.ticker = CronTicker(self.db, self.setup["crons"].values(), args.tick)
        self.ticker.start()
        self.user = WarehouseUser(self, args.seed)
        self.user.start()
        self.killer = Killer(self, args.seed, args.kills, args.target_timeout)
        for index in range(args.kills):
            self.check_helpers()
            self.killer.kill_once(index)
            self.start_server()
            time.sleep(self.rng.uniform(*args.cool_down))
        # no more kills: the warehouse ships what is left (bounded), faults still on
        deadline = time.monotonic() + args.ship_timeout
        while time.monotonic() < deadline and not self.user.idle.wait(0.5):
            self.check_helpers()

    def phase_drain_and_check(self):
        """Stop killing and validating, switch faults off, let the crons finish; compare."""
        self.user.stop()
        self.simulator.post("faults", {"spec": ""})
        self.simulator.post("rate_limits", {"enabled": False})
        deadline = time.monotonic() + self.args.drain_timeout
        for _round in range(5):
            unfinished = self.drain(deadline)
            self.all_calls = self.simulator.calls()  # before the checks' own calls
            amazon = {account_id: checks.amazon_orders(self.simulator.url, account["marketplaces"])
                      for account_id, account in self.setup["accounts"].items()}
            late = self.changed_after_checkpoints(amazon)
            if not late or unfinished:
                break
            say(f"{len(late)} orders changed on Amazon during the checks ({late[0]}): draining again")
        else:
            raise ChaosError("Amazon's orders kept changing after Odoo's synchronisation")
        confirm_calls = [c for c in self.all_calls if c["operation"] == CONFIRM_OPERATION]
        verdict = checks.check(self, amazon, confirm_calls)
        if unfinished:
            verdict.fail("drain", f"the crons did not finish within {self.args.drain_timeout:.0f} s "
                                  "after the chaos (faults off, backoffs made due)", unfinished)
        return verdict

    # === Drain === #

    def drain(self, deadline):
        """Wait until the crons have nothing left to do (three polls in a row); return what was
        still pending at the deadline, or an empty list."""
        stable, last = 0, []
        while True:
            self.check_helpers()
            self.ensure_server()
            self.expedited += self.expedite()
            pending = self.pending()
            if pending:
                stable, last = 0, pending
            else:
                stable += 1
                if stable >= 3:
                    return []
            if time.monotonic() > deadline:
                say(f"the crons did not finish within the drain timeout: {'; '.join(last)}")
                return last
            time.sleep(1.5)

    def expedite(self):
        """Backoffs are real minutes (5, 10, 20...): once the chaos is over, time is made to pass
        for them - every waiting retry becomes due now. Which calls happen does not change."""
        with self.db_connection.cursor() as cr:
            cr.execute("""
                UPDATE stock_picking SET amazon_next_attempt = now() AT TIME ZONE 'UTC'
                 WHERE amazon_confirmation_state IN ('to_send', 'error')
                   AND amazon_next_attempt > now() AT TIME ZONE 'UTC'
            """)
            count = cr.rowcount
            cr.execute("""
                UPDATE amazon_seller_sync_error SET next_retry = now() AT TIME ZONE 'UTC'
                 WHERE state = 'open' AND next_retry > now() AT TIME ZONE 'UTC'
            """)
            return count + cr.rowcount

    def pending(self):
        """What the crons still have to do (empty once everything due is done)."""
        summary = self.simulator.get("orders")["orders"]
        status = {order["orderId"]: order["status"] for order in summary}
        pending = []
        with self.db_connection.cursor() as cr:
            cr.execute("""
                SELECT so.amazon_order_ref, p.amazon_confirmation_state FROM stock_picking p
                  JOIN sale_order so ON so.id = p.sale_id
                 WHERE p.amazon_confirmation_state = 'to_send'
                    OR (p.amazon_confirmation_state = 'error' AND p.amazon_next_attempt IS NOT NULL)
            """)
            waiting = [ref for ref, _state in cr.fetchall() if status.get(ref) != "CANCELLED"]
            if waiting:
                pending.append(f"{len(waiting)} confirmations to send (e.g. {waiting[0]})")
            cr.execute("SELECT flow, count(*) FROM amazon_seller_sync_error WHERE state = 'open' "
                       "GROUP BY flow")
            pending += [f"{count} open {flow} errors" for flow, count in cr.fetchall()]
            cr.execute("""
                SELECT account_id, extract(epoch FROM checkpoint), resume_token
                  FROM amazon_seller_flow_state WHERE flow = 'orders'
            """)
            states = {account: (checkpoint, token) for account, checkpoint, token in cr.fetchall()}
            cr.execute(IN_FLIGHT_SQL, [self.db, APP_NAME])
            busy = cr.fetchall()
        latest = {}
        for order in summary:
            stamp = parse_time(order["lastUpdatedTime"])
            latest[order["marketplaceId"]] = max(latest.get(order["marketplaceId"], 0), stamp)
        for account_id, account in self.setup["accounts"].items():
            checkpoint, token = states.get(account_id, (None, None))
            newest = max((latest.get(m, 0) for m in account["marketplaces"]), default=0)
            if token:
                pending.append(f"{account['name']}: an unfinished page sequence")
            if checkpoint is None or float(checkpoint) < newest:
                pending.append(f"{account['name']}: orders changed after its checkpoint")
        if busy:
            pending.append(f"{len(busy)} open transactions ({busy[0][2][:60]})")
        return pending

    def changed_after_checkpoints(self, amazon):
        with self.db_connection.cursor() as cr:
            cr.execute("SELECT account_id, extract(epoch FROM checkpoint) "
                       "FROM amazon_seller_flow_state WHERE flow = 'orders'")
            checkpoints = {account: float(value or 0) for account, value in cr.fetchall()}
        return [order["orderId"] for account_id, orders in amazon.items() for order in orders
                if parse_time(order["lastUpdatedTime"]) > checkpoints.get(account_id, 0)]

    def start_server(self, attempts=2):
        """Start a new incarnation of the server (another try on fresh ports if it fails)."""
        for attempt in range(1, attempts + 1):
            try:
                self.server.start()
                self.server.wait_ready()
                return
            except ChaosError:
                self.server.kill()
                if attempt == attempts:
                    raise

    def ensure_server(self):
        """A server that stopped by itself (not killed by the harness) is noted and restarted."""
        if not self.server.running():
            self.unexpected_exits.append(f"incarnation {self.server.incarnation} "
                                         f"(exit {self.server.process.returncode})")
            say(f"Odoo stopped by itself: restarting (see {self.server.log_path})")
            self.start_server()

    def check_helpers(self):
        for helper in (self.user, self.ticker):
            if helper is not None and helper.error is not None:
                raise ChaosError(f"{helper.name} failed: {helper.error!r}")

    # === Evidence and report === #

    def order_story(self, ref, calls=True):
        """What happened to one Amazon order: its calls, Odoo's orders and sync errors, and the
        kills (in simulated time, the call log's clock)."""
        lines = []
        if calls:
            lines += [describe_call(c) for c in self.all_calls
                      if (c.get("params") or {}).get("orderId") == ref]
        with self.db_connection.cursor() as cr:
            cr.execute("SELECT name, amazon_status, state, amazon_last_update, create_date "
                       "FROM sale_order WHERE amazon_order_ref = %s", [ref])
            lines += [f"Odoo order {name}: {status} ({state}), Amazon update {update}, "
                      f"created {created}" for name, status, state, update, created in cr.fetchall()]
            cr.execute("SELECT flow, state, attempt_count, left(message, 160) "
                       "FROM amazon_seller_sync_error WHERE amazon_ref LIKE %s", [f"{ref}%"])
            lines += [f"sync error ({flow}, {state}, {attempts} attempts): {message}"
                      for flow, state, attempts, message in cr.fetchall()]
        kills = ", ".join(f"#{k.index + 1} at {k.sim_time}" for k in self.killer.kills)
        lines.append(f"kills (simulated time): {kills or 'none'}")
        return lines

    def recovery(self, kill):
        """The calls about the package of a kill that fell between Amazon's 204 and Odoo's
        commit, after that 204: how the restarted server found out."""
        key = checks.package_key(kill.trigger)
        after = False
        lines = []
        for call in self.all_calls:
            if call is kill.trigger or call == kill.trigger:
                after = True
                continue
            params = call.get("params") or {}
            if after and params.get("orderId") == key[0] and (
                    call["operation"] != CONFIRM_OPERATION or checks.package_key(call) == key):
                lines.append(f"{call['operation']} HTTP {call['status']}"
                             + (f" (fault {call['fault']})" if call.get("fault") else ""))
        return ", ".join(lines) or "no further call about this order"

    def faults_injected(self):
        api_calls = [c for c in self.all_calls if c["operation"] not in ("lwaToken",)]
        faults = Counter(c["fault"] for c in self.all_calls if c.get("fault") and c["fault"] != "slow")
        return len(api_calls), faults

    def log_errors(self):
        """ERROR/CRITICAL lines of every incarnation's log, by message (timestamps and pids out)."""
        errors = Counter()
        for path in sorted(self.log_dir.glob("odoo-*.log")):
            for line in path.read_text(errors="replace").splitlines():
                found = re.match(r"^\S+ \S+ \d+ (ERROR|CRITICAL) \S+ (\S+): (.*)$", line)
                if found:
                    message = re.sub(r"\d+", "N", found.group(3))[:140]
                    errors[f"{found.group(2)}: {message}"] += 1
        return errors

    def report(self, verdict):
        args, kills, user = self.args, self.killer.kills, self.user
        api_calls, faults = self.faults_injected()
        by_target = Counter(k.target if k.trigger else "untargeted" for k in kills)
        window = sum(1 for k in kills if k.landed.startswith("Amazon accepted"))
        f = verdict.figures
        say("== summary ==")
        say(f"simulator: {args.orders} orders, seed {args.seed}, profile {args.profile}, "
            f"time x{args.time_scale:g}, rate limits {'on' if args.rate_limits else 'off'}")
        say(f"kills: {len(kills)} (order sync {by_target['orders']}, confirmations "
            f"{by_target['shipments']}, untargeted {by_target['untargeted']}; {window} between "
            f"Amazon's 204 and Odoo's commit); server incarnations {self.server.incarnation}"
            + (f"; stopped by itself: {', '.join(self.unexpected_exits)}" if self.unexpected_exits else ""))
        for kill in kills:
            say(f"  {kill.line()}")
            if kill.landed.startswith("Amazon accepted"):
                say(f"    then: {self.recovery(kill)}")
        say(f"faults injected: {sum(faults.values())} ("
            + ", ".join(f"{kind}: {count}" for kind, count in sorted(faults.items()))
            + f") over {api_calls} SP-API calls; spec {args.faults or 'none'}")
        say(f"orders: Amazon {f.get('orders: amazon orders', 0)}, importable "
            f"{f.get('orders: importable', 0)}, in Odoo {f.get('orders: odoo orders', 0)}; missing "
            f"{f.get('orders: missing', 0)}, duplicates {f.get('orders: duplicates', 0)}, unexpected "
            f"{f.get('orders: unexpected', 0)}, status/total differences {f.get('orders: mismatches', 0)}")
        say(f"confirmations: deliveries validated {user.validated} (partial {user.partial}), "
            f"packages queued {f.get('confirmations: queued', 0)}, confirmShipment calls "
            f"{f.get('confirmations: confirmShipment calls', 0)} (204: "
            f"{f.get('confirmations: confirmShipment 204', 0)}), confirmed once and sent "
            f"{f.get('confirmations: confirmed once and sent', 0)}, confirmed twice or more "
            f"{f.get('confirmations: confirmed more than once', 0)}, refused as cancelled on Amazon "
            f"{f.get('confirmations: refused: order cancelled on Amazon', 0)}, re-sent after a 204 "
            f"{f.get('confirmations: re-sent after a 204', 0)}")
        if user.refused or user.unavailable or user.stopped_for_clock:
            say(f"warehouse user: {user.unavailable} calls met a dead server; refused by Odoo: "
                + (", ".join(f"{name} x{count}" for name, count in user.refused.items()) or "none")
                + ("; stopped validating: the simulator's clock caught up" if user.stopped_for_clock else ""))
            for name, example in user.refusal_examples.items():
                say(f"  e.g. {name}: {example}")
        errors = self.log_errors()
        say(f"Odoo logs: {sum(errors.values())} ERROR lines in {self.server.incarnation} logs "
            f"({self.log_dir})" + ("; most frequent:" if errors else ""))
        for message, count in errors.most_common(5):
            say(f"  {count} x {message}")
        say(f"drain: {self.expedited} backoffs made due at once")
        say("duration: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in self.phases.items()))
        for check, message, lines in verdict.failures:
            say(f"FAILED check {check}: {message}")
            for line in lines:
                say(f"    {line}")
        say("result: " + ("OK" if verdict.ok else "FAILED"))

    def report_partial(self):
        """After a harness error: what is known so far."""
        try:
            for kill in self.killer.kills if self.killer else []:
                say(f"  {kill.line()}")
            if self.user is not None:
                say(f"warehouse user: validated {self.user.validated}, dead server "
                    f"{self.user.unavailable}, refused {dict(self.user.refused)} "
                    f"{self.user.refusal_examples}")
            errors = self.log_errors() if self.log_dir.exists() else {}
            for message, count in errors.most_common(5):
                say(f"  Odoo log: {count} x {message}")
        except Exception as error:  # noqa: BLE001 - a report must not hide the first error
            say(f"(partial report failed: {error!r})")

    # === Clean-up === #

    def cleanup(self):
        """Stop everything this run started and drop its database (even after a failure)."""
        if self.cleaned:
            return
        self.cleaned = True
        for helper in (self.user, self.ticker):
            if helper is not None:
                helper.stop_event.set()
        for stop in (lambda: self.server and self.server.kill(),
                     lambda: self.simulator and self.simulator.stop(),
                     lambda: self.db_connection and self.db_connection.close(),
                     lambda: self.user and self.user.join(10),
                     lambda: self.ticker and self.ticker.join(10),
                     lambda: None if self.args.keep_db else drop_database(self.db),
                     # the copy of the code goes with the database (--keep-db keeps both)
                     lambda: None if self.args.keep_db else shutil.rmtree(self.log_dir / "addons",
                                                                          ignore_errors=True)):
            try:
                stop()
            except Exception as error:  # noqa: BLE001 - clean up the rest anyway
                say(f"clean-up: {error!r}")


def parse_time(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def say(text):
    print(f"chaos: {text}", flush=True)
