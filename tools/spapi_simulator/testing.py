"""Helpers for tests that drive the simulator: a started simulator, raw HTTP calls, and
python-amazon-sp-api clients pointed at it (the library is imported lazily)."""

import json
import urllib.error
import urllib.request
import uuid

from .sandbox import default_models_dir
from .server import Simulator

START = 1_780_000_000          # 2026-05-28T20:26:40Z: a fixed simulated start for determinism


def make_sim(**kwargs):
    """A started simulator on a free port, with a fixed start time and no sandbox by default."""
    kwargs.setdefault("start_time", START)
    kwargs.setdefault("models_dir", False)
    return Simulator(**kwargs).start()


def http(sim, method, path, token=None, body=None, raw=None, headers=None, timeout=10):
    """(status, headers, bytes) of one raw HTTP call."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    hdrs = dict(headers or {})
    if token:
        hdrs["x-amz-access-token"] = token
    if body is not None:
        hdrs["Content-Type"] = "application/json"
    request = urllib.request.Request(sim.url + path, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def http_json(sim, method, path, token=None, body=None):
    status, headers, payload = http(sim, method, path, token, body)
    return status, headers, (json.loads(payload) if payload else None)


def token_class(sim):
    """An AccessTokenClient subclass whose token URL is the simulator's."""
    from sp_api.auth import AccessTokenClient
    host = sim.url.split("://", 1)[1]
    return type("SimAccessTokenClient", (AccessTokenClient,), {"scheme": "http://", "host": host})


def client(sim, cls, refresh_token=None, app_id="sim-app", secret="sim-secret", **kwargs):
    """A python-amazon-sp-api client pointed at the simulator (fresh refresh token, so the
    library's process-wide token cache never mixes simulators)."""
    credentials = {"refresh_token": refresh_token or "rt-" + uuid.uuid4().hex,
                   "lwa_app_id": app_id, "lwa_client_secret": secret}
    api = cls(credentials=credentials, auth_token_client_class=token_class(sim), **kwargs)
    api.endpoint = sim.url
    return api


def models_dir():
    """<repo>/../shared/amazon/sp-api-models, or None."""
    return default_models_dir()


def parse_settlement(text):
    """(summary dict, [row dicts]) of a V2 flat file, parsed by header name."""
    lines = [l for l in text.split("\n") if l]
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"))) for line in lines[1:]]
    return rows[0], rows[1:]


def amount(text):
    """A settlement amount ("12.30", "-4,75", "1490") as a Decimal."""
    from decimal import Decimal
    return Decimal(text.replace(",", "."))
