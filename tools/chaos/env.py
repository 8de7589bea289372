"""Where things are, the interpreter, PostgreSQL connections and small HTTP helpers.

Nothing here imports Odoo: the harness only drives Odoo processes, reads the database through
SQL and talks to the simulator over HTTP.
"""

import configparser
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / ".build"
VENV_PYTHON = BUILD / "venv" / "bin" / "python"
ODOO_PYTHONPATH = BUILD / "odoo" / "usr" / "lib" / "python3" / "dist-packages"
ODOO_CONF = BUILD / "odoo.conf"
SETUP_SH = ROOT / "tools" / "setup.sh"
FILESTORE = BUILD / "data" / "filestore"
REEXEC_MARKER = "AMAZON_SELLER_CHAOS_REEXEC"
#: application_name of the harness's own PostgreSQL connections (left out of "in flight" views)
APP_NAME = "amazon-seller-chaos"


class ChaosError(Exception):
    """The harness itself could not go on (set-up, a process that does not start...)."""


def ensure_venv(argv):
    """Re-execute ``python -m tools.chaos`` with the project's venv when psycopg2 or the SP-API
    client are missing (any Python may start the harness, as with tools/bench.py)."""
    try:
        import psycopg2  # noqa: F401, PLC0415
        import sp_api  # noqa: F401, PLC0415
        return
    except ImportError as error:
        missing = error.name
    if os.environ.get(REEXEC_MARKER) or not VENV_PYTHON.exists():
        sys.exit(f"chaos: cannot import {missing} even with {VENV_PYTHON}; run `make setup` first")
    env = dict(os.environ, **{REEXEC_MARKER: "1"})
    os.chdir(ROOT)
    os.execve(str(VENV_PYTHON), [str(VENV_PYTHON), "-m", "tools.chaos", *argv], env)


def odoo_env():
    """The environment of an Odoo subprocess: Odoo's source on PYTHONPATH."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ODOO_PYTHONPATH), env.get("PYTHONPATH")]))
    return env


def db_params():
    """host/port/user(/password) of the project's PostgreSQL, read from .build/odoo.conf."""
    parser = configparser.ConfigParser()
    if not parser.read(ODOO_CONF):
        raise ChaosError(f"{ODOO_CONF} is missing: run `make setup` first")
    options = parser["options"]
    params = {"host": options.get("db_host") or None, "port": options.get("db_port") or None,
              "user": options.get("db_user") or None}
    if options.get("db_password") and options.get("db_password") != "False":
        params["password"] = options["db_password"]
    return {key: value for key, value in params.items() if value}


def pg_connect(dbname, autocommit=True):
    import psycopg2  # noqa: PLC0415

    connection = psycopg2.connect(dbname=dbname, application_name=APP_NAME, connect_timeout=10,
                                  **db_params())
    connection.autocommit = autocommit
    return connection


def free_port():
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_json(method, url, body=None, timeout=10):
    """(status, decoded JSON or None) of one HTTP call; never raises on an HTTP status."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            payload = answer.read()
            return answer.status, json.loads(payload) if payload else None
    except urllib.error.HTTPError as error:
        payload = error.read()
        try:
            return error.code, json.loads(payload) if payload else None
        except ValueError:
            return error.code, None


def wait_until(predicate, timeout, interval=0.2, what="condition"):
    """Poll ``predicate`` until it returns a true value (returned) or ``timeout`` seconds pass
    (ChaosError naming ``what``)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise ChaosError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
