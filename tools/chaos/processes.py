"""The processes the harness starts: the SP-API simulator, the database (tools/setup.sh testdb
and an ``odoo shell`` set-up), and the Odoo server it kills and restarts."""

import ctypes
import hashlib
import io
import json
import os
import shutil
import tarfile
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from .env import (
    BUILD, FILESTORE, ODOO_CONF, ODOO_PYTHONPATH, ROOT, SETUP_SH, VENV_PYTHON, ChaosError,
    free_port, http_json, odoo_env, pg_connect, wait_until,
)

SETUP_SCRIPT = Path(__file__).with_name("setup_db.py")
ODOO_ADDONS = ODOO_PYTHONPATH / "odoo" / "addons"
# Not loaded by an Odoo server: left out of the digest of the code under test.
NOT_SERVER_CODE = ("tools/", "tests/", "readme/", "static/tests/")
SETUP_MARKER = "CHAOS-SETUP "
ODOO_LAUNCHER = BUILD / "odoo" / "usr" / "bin" / "odoo"


# === Process groups === #

try:  # loaded here, not in the forked child (other threads run meanwhile)
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _PRCTL = None
PR_SET_PDEATHSIG = 1


def die_with_harness():
    """preexec_fn of the long-lived children (simulator, Odoo master): SIGKILL them when the
    harness dies without cleaning up (Linux; Odoo's workers then leave with their master)."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL)


def group_alive(pgid):
    """Pids of the process group ``pgid`` that are still running (zombies count as gone)."""
    alive = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        # fields after the command: state, ppid, pgrp, ...
        if int(fields[2]) == pgid and fields[0] not in (b"Z", b"X"):
            alive.append(int(entry))
    return alive


def kill_group(process, timeout=15):
    """SIGKILL the whole process group of ``process`` (its own session) and wait until none of
    its members runs any more."""
    pgid = process.pid
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired as error:
        raise ChaosError(f"process {pgid} survived SIGKILL") from error
    wait_until(lambda: not group_alive(pgid), timeout, 0.05, f"the processes of group {pgid} to end")


def stop_group(process, timeout=10):
    """SIGTERM the process group, then SIGKILL what is left after ``timeout`` seconds."""
    if process is None or process.poll() is not None and not group_alive(process.pid):
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    kill_group(process)


# === The simulator === #

class SimulatorProcess:
    """``python -m tools.spapi_simulator`` in its own session, so that killing Odoo never kills it."""

    def __init__(self, code_dir, log_path, seed, orders, time_scale, start, faults, profile,
                 rate_limits):
        self.code_dir = code_dir
        self.log_path = log_path
        self.args = {"seed": seed, "orders": orders, "time_scale": time_scale, "start": start,
                     "faults": faults, "profile": profile, "rate_limits": rate_limits}
        self.port = None
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        a = self.args
        self.port = free_port()
        command = [str(VENV_PYTHON), "-m", "tools.spapi_simulator", "--host", "127.0.0.1",
                   "--port", str(self.port), "--seed", str(a["seed"]), "--orders", str(a["orders"]),
                   "--time-scale", str(a["time_scale"]), "--start", a["start"],
                   "--profile", a["profile"], "--no-models"]
        if a["faults"]:
            command += ["--faults", a["faults"]]
        if not a["rate_limits"]:
            command.append("--no-rate-limits")
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, cwd=self.code_dir, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True, preexec_fn=die_with_harness)

        def healthy():
            if self.process.poll() is not None:
                raise ChaosError(f"the simulator stopped (exit {self.process.returncode}): "
                                 f"see {self.log_path}")
            try:
                return self.get("health")
            except (OSError, ValueError):
                return None

        wait_until(healthy, 60, 0.2, "the simulator to answer")
        return self

    def get(self, name, timeout=30):
        status, body = http_json("GET", f"{self.url}/_simulator/{name}", timeout=timeout)
        if status != 200:
            raise ChaosError(f"simulator GET {name}: HTTP {status} {body}")
        return body

    def post(self, name, body=None, timeout=30):
        status, answer = http_json("POST", f"{self.url}/_simulator/{name}", body or {}, timeout)
        if status != 200:
            raise ChaosError(f"simulator POST {name}: HTTP {status} {answer}")
        return answer

    def calls(self, operation=None):
        return self.get(f"calls?operation={operation}" if operation else "calls")["calls"]

    def stop(self):
        if self.process is not None:
            stop_group(self.process, 5)
            self.process = None


# === The code under test === #

def addon_files():
    """The addon's files as git sees them (tracked and new, not ignored): relative paths."""
    try:
        listing = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=ROOT,
                                 capture_output=True, check=True, timeout=60).stdout
        return sorted(path for path in listing.decode().split("\0") if path)
    except (OSError, subprocess.SubprocessError):
        return sorted(str(path.relative_to(ROOT)) for path in ROOT.rglob("*") if path.is_file()
                      and not path.relative_to(ROOT).parts[0].startswith((".build", ".git")))


def addon_digest(root=ROOT, files=None):
    """A digest of the server code of the addon in ``root``."""
    digest = hashlib.sha1()
    for path in files if files is not None else addon_files():
        if path.startswith(NOT_SERVER_CODE) or not (root / path).is_file():
            continue
        digest.update(path.encode() + b"\0" + (root / path).read_bytes() + b"\0")
    return digest.hexdigest()


def snapshot_addon(addons_dir, source="worktree"):
    """Copy the addon into ``addons_dir``/amazon_seller, the code every process of the run loads
    (Odoo and the simulator): other people may edit the checkout meanwhile. ``source``: the
    working tree as it is (tracked and new files), or a git revision (``head``: the last
    commit). Return the snapshot's digest."""
    target = addons_dir / "amazon_seller"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    if source != "worktree":
        try:
            archive = subprocess.run(
                ["git", "archive", "--format=tar", "HEAD" if source == "head" else source],
                cwd=ROOT, capture_output=True, check=True, timeout=120).stdout
        except subprocess.CalledProcessError as error:
            raise ChaosError(f"git archive {source}: {error.stderr.decode().strip()}") from error
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            files = sorted(member.name for member in tar.getmembers() if member.isfile())
            tar.extractall(target, filter="data")
    else:
        files = addon_files()
        for path in files:
            source_path = ROOT / path
            if source_path.is_file():
                (target / path).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source_path, target / path)
    return addon_digest(target, files)


def addons_path(addons_dir):
    return f"--addons-path={ODOO_ADDONS},{addons_dir}"


def update_module(db, addons_dir, log_path):
    """Update amazon_seller in ``db`` from the snapshot (when the checkout changed while
    tools/setup.sh installed it)."""
    command = [str(VENV_PYTHON), "-m", "odoo", "-c", str(ODOO_CONF), "-d", db, addons_path(addons_dir),
               "-u", "amazon_seller", "--stop-after-init", "--log-level=warn"]
    with open(log_path, "ab") as log:
        result = subprocess.run(command, cwd=ROOT, env=odoo_env(), stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=600)
    if result.returncode:
        raise ChaosError(f"updating amazon_seller from the snapshot failed: see {log_path}")


# === The database === #

def create_database(db, log_path, attempts=3):
    """A fresh database ``db`` with amazon_seller (tools/setup.sh testdb, ~10-20 s). Copying the
    template fails while another checkout copies it too: retried a few times."""
    for attempt in range(1, attempts + 1):
        with open(log_path, "ab") as log:
            try:
                result = subprocess.run(["bash", str(SETUP_SH), "testdb", db], cwd=ROOT, stdout=log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        timeout=900)
            except subprocess.TimeoutExpired:
                result = None
        if result is not None and result.returncode == 0:
            return
        if attempt < attempts:
            time.sleep(5 * attempt)
    raise ChaosError(f"tools/setup.sh testdb {db} failed {attempts} times: see {log_path}")


def drop_database(db):
    """Drop ``db`` (closing whatever still holds it) and its filestore."""
    connection = pg_connect("postgres")
    try:
        with connection.cursor() as cr:
            cr.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = %s AND pid <> pg_backend_pid()", [db])
            for _attempt in range(10):
                try:
                    cr.execute(f'DROP DATABASE IF EXISTS "{db}"')
                    break
                except Exception:  # noqa: BLE001 - a backend still closing: try again
                    time.sleep(0.5)
                    cr.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = %s AND pid <> pg_backend_pid()", [db])
    finally:
        connection.close()
    shutil.rmtree(FILESTORE / db, ignore_errors=True)


def setup_database(db, addons_dir, simulator_url, log_path):
    """Run setup_db.py through ``odoo shell``: accounts on the simulator, products, offers,
    stock, carriers, crons every minute; return what it printed after SETUP_MARKER."""
    command = [str(VENV_PYTHON), "-m", "odoo", "shell", "-c", str(ODOO_CONF), "-d", db,
               addons_path(addons_dir), "--no-http", "--log-level=warn"]
    env = dict(odoo_env(), CHAOS_SIMULATOR_URL=simulator_url)
    with open(SETUP_SCRIPT, "rb") as script, open(log_path, "ab") as log:
        try:
            result = subprocess.run(command, cwd=ROOT, stdin=script, stdout=subprocess.PIPE,
                                    stderr=log, env=env, timeout=600)
        except subprocess.TimeoutExpired as error:
            raise ChaosError(f"the odoo shell set-up took too long: see {log_path}") from error
    output = result.stdout.decode(errors="replace")
    with open(log_path, "a") as log:
        log.write(output)
    for line in output.splitlines():
        if line.startswith(SETUP_MARKER):
            return json.loads(line[len(SETUP_MARKER):])
    raise ChaosError(f"the odoo shell set-up failed (exit {result.returncode}): see {log_path}")


# === The Odoo server === #

class OdooServer:
    """A real Odoo server (prefork: HTTP workers and cron worker processes, in their own session)
    that is SIGKILLed as a whole process group and started again."""

    def __init__(self, db, addons_dir, log_dir, workers, cron_workers):
        self.db = db
        self.addons_dir = addons_dir
        self.log_dir = log_dir
        self.workers = workers
        self.cron_workers = cron_workers
        self.process = None
        self.port = None
        self.incarnation = 0
        self.started_at = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self):
        return self.log_dir / f"odoo-{self.incarnation}.log"

    def command(self):
        # Odoo's launcher script, not ``-m odoo``: the prefork master starts its gevent worker as
        # ``sys.executable sys.argv[0] gevent ...``, which must be a script.
        return [str(VENV_PYTHON), str(ODOO_LAUNCHER), "-c", str(ODOO_CONF), "-d", self.db,
                addons_path(self.addons_dir),
                f"--workers={self.workers}", f"--max-cron-threads={self.cron_workers}",
                "--http-interface=127.0.0.1", f"--http-port={self.port}",
                f"--gevent-port={free_port()}", f"--db-filter=^{self.db}$",
                f"--logfile={self.log_path}", "--log-level=info",
                # (the harness's warehouse user speaks JSON-RPC, deprecated in Odoo 19)
                "--log-handler=odoo.addons.rpc.controllers.jsonrpc:ERROR"]

    def start(self):
        self.incarnation += 1
        self.port = free_port()
        with open(self.log_dir / f"odoo-{self.incarnation}.out", "ab") as out:
            self.process = subprocess.Popen(self.command(), cwd=ROOT, env=odoo_env(), stdout=out,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True, preexec_fn=die_with_harness)
        self.started_at = time.monotonic()
        return self

    def running(self):
        return self.process is not None and self.process.poll() is None

    def healthy(self):
        if not self.running():
            return False
        try:
            with urllib.request.urlopen(f"{self.url}/web/health", timeout=2) as answer:
                return answer.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def wait_ready(self, timeout=90):
        def ready():
            if self.process.poll() is not None:
                raise ChaosError(f"Odoo stopped at start (exit {self.process.returncode}): "
                                 f"see {self.log_path}")
            return self.healthy()

        wait_until(ready, timeout, 0.2, f"Odoo to answer on {self.url}")

    def kill(self):
        """SIGKILL the master, its HTTP and cron workers and the gevent worker at once."""
        if self.process is not None:
            kill_group(self.process)
            self.process = None

    def stop(self):
        if self.process is not None:
            stop_group(self.process, 10)
            self.process = None
