"""What acts while the server runs: a warehouse user validating FBM deliveries through JSON-RPC,
a ticker keeping the crons due, and the killer."""

import itertools
import json
import random
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field

from .env import ChaosError, pg_connect

ORDERS_OPERATION = "searchOrders"
CONFIRM_OPERATION = "confirmShipment"


# === JSON-RPC === #

class RpcUnavailable(Exception):
    """The server did not answer (down, killed, restarting)."""


class RpcFault(Exception):
    """Odoo answered with an error (``name``: the exception class, e.g. a UserError)."""

    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


class Rpc:
    """Odoo's JSON-RPC (``/jsonrpc``, ``object.execute_kw``) on whatever port the server has now."""

    def __init__(self, server, db, login, password):
        self.server, self.db, self.login, self.password = server, db, login, password
        self.uid = None
        self._ids = itertools.count(1)

    def call(self, service, method, *args, timeout=60):
        payload = json.dumps({"jsonrpc": "2.0", "method": "call", "id": next(self._ids),
                              "params": {"service": service, "method": method, "args": args}})
        request = urllib.request.Request(f"{self.server.url}/jsonrpc", data=payload.encode(),
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                body = json.loads(answer.read())
        except (OSError, urllib.error.URLError, ValueError) as error:
            raise RpcUnavailable(str(error)) from error
        if body.get("error"):
            data = body["error"].get("data") or {}
            raise RpcFault(data.get("name") or "error", data.get("message") or body["error"].get("message"))
        return body.get("result")

    def execute_kw(self, model, method, args, kwargs=None):
        if self.uid is None:
            self.uid = self.call("common", "login", self.db, self.login, self.password)
            if not self.uid:
                raise ChaosError(f"JSON-RPC login of {self.login} refused")
        return self.call("object", "execute_kw", self.db, self.uid, self.password, model, method,
                         args, kwargs or {})


# === The warehouse user === #

CANDIDATES_SQL = """
SELECT p.id,
       (SELECT count(*) > 1 OR bool_or(m.product_uom_qty > 1) FROM stock_move m
         WHERE m.picking_id = p.id AND m.state NOT IN ('done', 'cancel')) AS splittable
  FROM stock_picking p
  JOIN sale_order so ON so.id = p.sale_id
  JOIN stock_picking_type t ON t.id = p.picking_type_id
 WHERE so.amazon_account_id IS NOT NULL AND so.amazon_fulfillment_channel = 'fbm'
   AND so.amazon_status IN ('UNSHIPPED', 'PARTIALLY_SHIPPED') AND so.state = 'sale'
   AND t.code = 'outgoing' AND p.state IN ('confirmed', 'assigned', 'waiting')
   AND p.amazon_confirmation_state IS NULL
 ORDER BY p.id
"""


class WarehouseUser(threading.Thread):
    """Validates the open FBM deliveries of imported Amazon orders, one per JSON-RPC call (the
    server action of setup_db.py: carrier, tracking number ``CHAOS-<picking id>``, quantities,
    validation), at a human pace, some partially (a backorder that becomes package 2). The
    user is never killed: calls that meet a dead server are simply tried again later."""

    def __init__(self, run, seed, partial_share=0.25, pause=(0.1, 0.6)):
        super().__init__(name="chaos-warehouse-user", daemon=True)
        self.run_ = run
        self.rng = random.Random(f"{seed}-warehouse-user")
        self.partial_share = partial_share
        self.pause = pause
        self.stop_event = threading.Event()
        self.validated = 0
        self.partial = 0
        self.unavailable = 0
        self.refused = Counter()
        self.refusal_examples = {}
        self.stopped_for_clock = False
        self.idle = threading.Event()       # set while there is nothing to validate
        self.error = None

    def run(self):
        try:
            connection = pg_connect(self.run_.db)
            try:
                self._loop(connection)
            finally:
                connection.close()
        except Exception as error:  # noqa: BLE001 - reported by the harness
            self.error = error

    def _loop(self, connection):
        run = self.run_
        rpc = Rpc(run.server, run.db, run.setup["admin_login"], "admin")
        while not self.stop_event.is_set():
            if not run.clock.safe_to_ship():
                self.stopped_for_clock = True  # see SimClock.safe_to_ship
                return
            with connection.cursor() as cr:
                cr.execute(CANDIDATES_SQL)
                candidates = cr.fetchall()
            if not candidates:
                self.idle.set()
                self.stop_event.wait(0.5)
                continue
            self.idle.clear()
            picking_id, splittable = self.rng.choice(candidates)
            partial = bool(splittable) and self.rng.random() < self.partial_share
            context = {"active_model": "stock.picking", "active_ids": [picking_id],
                       "active_id": picking_id, "chaos_partial": partial,
                       "chaos_carrier_id": self.rng.choice(run.setup["carriers"]),
                       "chaos_tracking": f"CHAOS-{picking_id}"}
            try:
                rpc.execute_kw("ir.actions.server", "run", [[run.setup["validate_action"]]],
                               {"context": context})
                self.validated += 1
                self.partial += partial
            except RpcUnavailable:
                self.unavailable += 1
                self.stop_event.wait(0.5)
                continue
            except RpcFault as fault:
                self.refused[fault.name] += 1
                self.refusal_examples.setdefault(fault.name, f"{picking_id}: {fault.message}"[:300])
            self.stop_event.wait(self.rng.uniform(*self.pause))

    def stop(self, timeout=90):
        self.stop_event.set()
        self.join(timeout)
        if self.is_alive():
            raise ChaosError("the warehouse user did not stop")


# === The crons kept due === #

class CronTicker(threading.Thread):
    """Every ``interval`` seconds, a trigger for each Amazon cron (unless one is pending) and a
    ``cron_trigger`` notification: the cron workers run the flows continuously instead of once
    a minute, and a restarted server's cron workers start at once instead of after their first
    60-second sleep."""

    def __init__(self, db, cron_ids, interval=2.0):
        super().__init__(name="chaos-cron-ticker", daemon=True)
        self.db, self.cron_ids, self.interval = db, list(cron_ids), interval
        self.stop_event = threading.Event()
        self.ticks = 0
        self.error = None

    def run(self):
        try:
            db_connection, notify_connection = pg_connect(self.db), pg_connect("postgres")
            try:
                while not self.stop_event.is_set():
                    self.tick(db_connection, notify_connection)
                    self.stop_event.wait(self.interval)
            finally:
                db_connection.close()
                notify_connection.close()
        except Exception as error:  # noqa: BLE001 - reported by the harness
            self.error = error

    def tick(self, db_connection, notify_connection):
        with db_connection.cursor() as cr:
            for cron_id in self.cron_ids:
                cr.execute("""
                    INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, write_uid,
                                                 create_date, write_date)
                    SELECT %(cron)s, now() AT TIME ZONE 'UTC', 1, 1, now() AT TIME ZONE 'UTC',
                           now() AT TIME ZONE 'UTC'
                     WHERE NOT EXISTS (SELECT 1 FROM ir_cron_trigger WHERE cron_id = %(cron)s)
                """, {"cron": cron_id})
        with notify_connection.cursor() as cr:
            cr.execute("SELECT pg_notify('cron_trigger', %s)", [self.db])
        self.ticks += 1

    def stop(self, timeout=30):
        self.stop_event.set()
        self.join(timeout)


# === Kills === #

@dataclass
class Kill:
    """One SIGKILL of the whole server and what it interrupted."""

    index: int
    planned: str                    # "orders" or "shipments"
    target: str                     # what it waited for, after adaptation
    trigger: dict | None            # the call-log entry it fired after, None when untargeted
    delay: float                    # seconds between seeing the trigger and the kill
    sim_time: str                   # simulated time of the kill (the call log's clock)
    uptime: float                   # seconds the killed incarnation had run
    in_flight: list = field(default_factory=list)   # open transactions of Odoo at the kill
    landed: str = ""                # what the database says afterwards (see Killer.classify)

    def line(self):
        trigger = self.trigger
        if trigger:
            what = f"{self.delay:.3f} s (+ polling) after {describe_call(trigger)}"
        else:
            what = "untargeted (nothing to aim at in time)"
        note = "" if self.planned in (self.target, "incremental") else f" (planned: {self.planned})"
        jobs = [job for job, query in JOB_QUERIES.items()
                if any(query in line for line in self.in_flight)]
        work = [line for line in self.in_flight if not any(q in line for q in JOB_QUERIES.values())]
        busy = (f"cron jobs running: {', '.join(jobs) or 'none'}; "
                f"{len(work)} other open transaction(s)" + (f", e.g. {work[0]}" if work else ""))
        return (f"kill {self.index + 1}: during {self.target}{note}, {what}; uptime "
                f"{self.uptime:.1f} s; {busy}" + (f"; {self.landed}" if self.landed else ""))


# The statement a running cron job's own transaction ends on (it holds the job's row lock).
JOB_QUERIES = {}


def describe_call(call):
    """One call-log entry as a short line: operation, order, package, status, fault, time."""
    params = call.get("params") or {}
    order = params.get("orderId") or ""
    package = ((params.get("body") or {}).get("packageDetail") or {}).get("packageReferenceId")
    parts = [call["operation"], order, f"package {package}" if package else "",
             f"HTTP {call['status']}", f"fault {call['fault']}" if call.get("fault") else "",
             f"at {call['time']}"]
    return " ".join(part for part in parts if part)


IN_FLIGHT_SQL = """
SELECT state, round(extract(epoch FROM clock_timestamp() - xact_start)::numeric, 2),
       regexp_replace(left(query, 90), '\\s+', ' ', 'g')
  FROM pg_stat_activity
 WHERE datname = %s AND pid <> pg_backend_pid() AND application_name <> %s
   AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')
 ORDER BY xact_start
"""


class Killer:
    """Chooses the moments: waits for the call that shows the targeted work in progress (a
    searchOrders page for the order sync, a confirmShipment for the confirmations), sleeps a
    random delay, and SIGKILLs the server's whole process group."""

    # seconds between seeing the trigger call and the kill, per target (first kill: initial import)
    DELAYS = {"orders-first": (0.3, 3.0), "orders": (0.0, 0.6), "shipments": (0.0, 0.05)}

    def __init__(self, run, seed, kills, target_timeout):
        self.run_ = run
        self.rng = random.Random(f"{seed}-killer")
        self.target_timeout = target_timeout
        # the first kill hits the initial import; then confirmations and order syncs alternate,
        # every second order-sync kill waiting for the initial import to be over (incremental)
        rest = ["shipments" if i % 2 else ("orders" if i % 4 == 2 else "incremental")
                for i in range(1, kills)]
        self.rng.shuffle(rest)
        self.plan = (["orders"] if kills else []) + rest
        self.kills = []

    def counts(self):
        return self.run_.simulator.get("calls?operation=-")["counts"]

    def work_to_confirm(self):
        with self.run_.db_connection.cursor() as cr:
            cr.execute(CANDIDATES_SQL)
            candidates = cr.rowcount
            cr.execute("SELECT count(*) FROM stock_picking "
                       "WHERE amazon_confirmation_state IN ('to_send', 'error') "
                       "  AND amazon_next_attempt IS NOT NULL")
            return candidates + cr.fetchone()[0]

    def wait_for(self, operation):
        """The number of ``operation`` calls logged before the first one logged from now on,
        or None after the timeout (the entry itself is read after the kill: no time lost)."""
        seen = self.counts().get(operation, 0)
        deadline = time.monotonic() + self.target_timeout
        # confirmations are committed a few ms after Amazon's 204: poll fast for them
        interval = 0.01 if operation == CONFIRM_OPERATION else 0.05
        while time.monotonic() < deadline:
            self.run_.ensure_server()
            if self.counts().get(operation, 0) > seen:
                return seen
            time.sleep(interval)
        return None

    def initial_import_done(self):
        with self.run_.db_connection.cursor() as cr:
            cr.execute("SELECT count(*) FROM amazon_seller_flow_state WHERE flow = 'orders' "
                       "AND checkpoint > '2020-01-01' AND resume_token IS NULL")
            return cr.fetchone()[0] >= len(self.run_.setup["accounts"])

    def kill_once(self, index):
        run = self.run_
        planned = target = self.plan[index]
        position = None
        if target == "incremental":
            deadline = time.monotonic() + 2 * self.target_timeout
            while not self.initial_import_done() and time.monotonic() < deadline:
                time.sleep(0.2)
            target = "orders"
        if target == "shipments":
            if self.work_to_confirm() or not self.initial_import_done():
                position = self.wait_for(CONFIRM_OPERATION)
            if position is None:
                target = "orders"  # nothing (more) to confirm in time: the order sync instead
        if target == "orders":
            position = self.wait_for(ORDERS_OPERATION)
        delay = 0.0
        if position is not None:
            key = "orders-first" if index == 0 and target == "orders" else target
            # half of the confirmation kills at once: Odoo commits a few ms after Amazon's 204
            if key != "shipments" or self.rng.random() < 0.5:
                delay = self.rng.uniform(*self.DELAYS[key])
        time.sleep(delay)
        with run.db_connection.cursor() as cr:
            cr.execute(IN_FLIGHT_SQL, [run.db, "amazon-seller-chaos"])
            in_flight = [f"{state} {age}s: {query}" for state, age, query in cr.fetchall()]
        uptime = time.monotonic() - run.server.started_at
        run.server.kill()
        sim_time = run.simulator.get("time")["now"]
        trigger = None
        if position is not None:
            operation = ORDERS_OPERATION if target == "orders" else CONFIRM_OPERATION
            trigger = run.simulator.calls(operation)[position]
        kill = Kill(index, planned, target, trigger, delay, sim_time, uptime, in_flight)
        kill.landed = self.classify(kill)
        self.kills.append(kill)
        print(f"chaos: {kill.line()}", flush=True)
        return kill

    def classify(self, kill):
        """After the kill, what the database kept of the interrupted work: a package Amazon
        accepted (204) whose confirmation Odoo had not committed is the case that matters; for
        the order sync, whether the initial import was under way."""
        trigger = kill.trigger
        if not trigger or trigger["operation"] != CONFIRM_OPERATION:
            if kill.target != "orders":
                return ""
            return ("incremental sync" if self.initial_import_done()
                    else "initial import not finished")
        params = trigger.get("params") or {}
        package = ((params.get("body") or {}).get("packageDetail") or {}).get("packageReferenceId")
        with self.run_.db_connection.cursor() as cr:
            cr.execute("""
                SELECT p.amazon_confirmation_state FROM stock_picking p
                  JOIN sale_order so ON so.id = p.sale_id
                 WHERE so.amazon_order_ref = %s AND p.amazon_package_ref = %s
            """, [params.get("orderId"), str(package)])
            row = cr.fetchone()
        state = row[0] if row else None
        if trigger["status"] == 204 and state != "sent":
            return (f"Amazon accepted package {package} of {params.get('orderId')} but Odoo had not "
                    f"committed it (still '{state}')")
        return f"package {package} of {params.get('orderId')} is '{state}' in Odoo"
