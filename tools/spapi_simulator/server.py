"""HTTP front of the simulator: routing, LWA, access tokens, rate limits, faults, sandbox cases,
the call log and the `/_simulator/` control API.  `Simulator` is also the in-process Python API.
"""

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import finances
from .buckets import BucketSet
from .clock import Clock, iso, parse_iso
from .const import (
    DOWNLOAD_OPERATION, LWA_OPERATION, MARKETPLACE_BY_ID, MARKETPLACES, RATE_LIMITS, SELLER_ID,
    SETTLEMENT_REPORT, STORE_NAME, UPLOAD_OPERATION,
)
from .money import fmt
from .faults import FaultInjector
from .reports import Store
from .sandbox import Sandbox, default_models_dir
from .scenario import ALL_INCLUDED, Scenario, ScenarioError, render_order

FULFILLMENT_STATUSES = ("PENDING_AVAILABILITY", "PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED",
                        "SHIPPED", "CANCELLED", "UNFULFILLABLE")
QUOTA_EXCEEDED = {"errors": [{"code": "QuotaExceeded",
                              "message": "You exceeded your quota for the requested resource.",
                              "details": ""}]}
UNAUTHORIZED = {"errors": [{"code": "Unauthorized",
                            "message": "Access to requested resource is denied.",
                            "details": "The access token you provided is revoked, malformed or invalid."}]}
SERVER_ERRORS = {
    500: {"errors": [{"code": "InternalFailure", "message": "We encountered an internal error. "
                                                            "Please try again.", "details": ""}]},
    503: {"errors": [{"code": "ServiceUnavailable", "message": "Service temporarily unavailable. "
                                                               "Please try again.", "details": ""}]},
}
MALFORMED_BODY = b'{"payload": {"orders": [{"orderId": "111-0000000-0000000", "createdTime": '

# (method, path template, operationId)
ROUTES = [
    ("GET", "/sellers/v1/marketplaceParticipations", "getMarketplaceParticipations"),
    ("GET", "/orders/2026-01-01/orders", "searchOrders"),
    ("GET", "/orders/2026-01-01/orders/{orderId}", "getOrder"),
    ("POST", "/orders/v0/orders/{orderId}/shipmentConfirmation", "confirmShipment"),
    ("POST", "/reports/2021-06-30/reports", "createReport"),
    ("GET", "/reports/2021-06-30/reports", "getReports"),
    ("GET", "/reports/2021-06-30/reports/{reportId}", "getReport"),
    ("DELETE", "/reports/2021-06-30/reports/{reportId}", "cancelReport"),
    ("GET", "/reports/2021-06-30/documents/{reportDocumentId}", "getReportDocument"),
    ("POST", "/feeds/2021-06-30/documents", "createFeedDocument"),
    ("GET", "/feeds/2021-06-30/documents/{feedDocumentId}", "getFeedDocument"),
    ("POST", "/feeds/2021-06-30/feeds", "createFeed"),
    ("GET", "/feeds/2021-06-30/feeds", "getFeeds"),
    ("GET", "/feeds/2021-06-30/feeds/{feedId}", "getFeed"),
    ("GET", "/fba/inventory/v1/summaries", "getInventorySummaries"),
    ("GET", "/finances/2024-06-19/transactions", "listTransactions"),
]
_COMPILED = [(m, re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", t) + "$"), op)
             for m, t, op in ROUTES]


def _error(code, message, details=""):
    return {"errors": [{"code": code, "message": message, "details": details}]}


class Request:
    """What an operation handler sees."""

    def __init__(self, method, path, query, body, args, now):
        self.method, self.path, self.query, self.body, self.args, self.now = (
            method, path, query, body, args, now)

    def one(self, name, default=None):
        values = self.query.get(name)
        return values[0] if values else default

    def many(self, name):
        out = []
        for value in self.query.get(name, []):
            out.extend(v for v in value.split(",") if v != "")
        return out

    def time(self, name):
        value = self.one(name)
        if value in (None, ""):
            return None
        try:
            return parse_iso(value)
        except ValueError:
            raise ScenarioError(400, "InvalidInput", "%s is not a valid ISO-8601 date-time: %s"
                                % (name, value))

    def integer(self, name, default, low, high):
        value = self.one(name)
        if value in (None, ""):
            return default
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            raise ScenarioError(400, "InvalidInput", "%s must be between %d and %d." % (name, low, high))
        return number


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SPAPISimulator/1.0"

    def log_message(self, *args):
        pass

    def _go(self):
        try:
            self.server.simulator._dispatch(self)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _go


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class Simulator:
    """A local Selling Partner API.  See README.md for the control API and the faults grammar.

    >>> sim = Simulator(seed=1, orders=50); sim.start(); sim.url; sim.stop()
    """

    def __init__(self, seed=1, orders=50, time_scale=1.0, rate_limits=True, faults=None,
                 models_dir=None, orders_file=None, host="127.0.0.1", port=0, profile="default",
                 start_time=None):
        self.seed = seed
        self.clock = Clock(time_scale, start_time)
        self.scenario = Scenario(seed=seed, orders=orders, start=self.clock.start, profile=profile,
                                 orders_file=orders_file)
        self.store = Store(self.scenario, base_url=lambda: self.url)
        self.buckets = BucketSet(RATE_LIMITS, self.clock.now, enabled=rate_limits)
        self.faults = FaultInjector(faults, seed)
        if models_dir is None:
            models_dir = default_models_dir()
        self.sandbox = Sandbox(models_dir or None)
        self.host, self.port = host, port
        self.lock = threading.RLock()
        self._tokens = {}
        self._calls = []
        self._calls_lock = threading.Lock()
        self._request_counter = 0
        self._server = None
        self._thread = None

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def url(self):
        return "http://%s:%d" % (self.host, self.port)

    def start(self):
        """Serve in a daemon thread; with port=0 a free port is picked (see `url`)."""
        self._server = _Server((self.host, self.port), _Handler)
        self._server.simulator = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="spapi-simulator", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        """Serve in the current thread (the CLI)."""
        self._server = _Server((self.host, self.port), _Handler)
        self._server.simulator = self
        self.port = self._server.server_address[1]
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self._server.server_close()

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- steering (also under /_simulator/) -----------------------------------------------------
    def now(self):
        """Simulated now, epoch seconds."""
        return self.clock.now()

    def advance(self, days=0, hours=0, minutes=0, seconds=0):
        """Move simulated time forward; returns the new simulated now (epoch seconds)."""
        return self.clock.advance(days * 86400 + hours * 3600 + minutes * 60 + seconds)

    def calls(self, operation=None):
        with self._calls_lock:
            return [dict(c) for c in self._calls if operation is None or c["operation"] == operation]

    def call_counts(self):
        counts = {}
        for call in self.calls():
            counts[call["operation"]] = counts.get(call["operation"], 0) + 1
        return counts

    def reset_calls(self):
        with self._calls_lock:
            n = len(self._calls)
            self._calls = []
        return n

    def set_faults(self, spec):
        """Replace the fault rules (ValueError on a bad SPEC); None or "" switches faults off."""
        self.faults.set_spec(spec)

    def set_rate_limits(self, enabled):
        self.buckets.enabled = bool(enabled)
        self.buckets.reset()

    def catalogue(self):
        """The stable SKU catalogue: [{sku, asin, title, base_price, offers{CODE: {...}}}]."""
        return [dict(c, offers={k: dict(v) for k, v in c["offers"].items()})
                for c in self.scenario.catalogue]

    def cancel_order(self, order_id):
        """A buyer cancellation arriving now (PENDING/UNSHIPPED orders only)."""
        with self.lock:
            order = self.scenario.cancel(order_id, self.now())
            return order.status(self.now())[0]

    def order_status(self, order_id):
        order = self.scenario.by_id.get(order_id)
        return None if order is None else order.status(self.now())[0]

    def orders_summary(self, status=None):
        now = self.now()
        out = []
        for order, st, updated in self.scenario.visible(now):
            if status and st != status:
                continue
            out.append({"orderId": order.order_id, "marketplaceId": order.market.id,
                        "fulfilledBy": "AMAZON" if order.channel == "FBA" else "MERCHANT",
                        "status": st, "createdTime": iso(order.created),
                        "lastUpdatedTime": iso(updated), "items": len(order.items),
                        "replacementOf": order.replacement_of})
        return out

    def settlements(self):
        """Summary of every settlement report available now."""
        now = self.now()
        out = []
        with self.lock:
            self.store.sync_settlements(now)
            for job in self.store.list_reports(now, types=[SETTLEMENT_REPORT],
                                               since=self.scenario.history_start):
                if not job.settlement:
                    continue
                s = self.store.settlement(*job.settlement)
                out.append({"settlementId": s.settlement_id, "reportId": job.job_id,
                            "reportDocumentId": job.document_id, "marketplaceId": s.market.id,
                            "currency": s.currency, "startDate": iso(s.start), "endDate": iso(s.end - 1),
                            "totalAmount": fmt(s.total, s.currency), "rows": len(s.rows)})
        return out

    def inventory(self, marketplace_id):
        return self.scenario.inventory(MARKETPLACE_BY_ID[marketplace_id].code, self.now())

    # -- plumbing ----------------------------------------------------------------------------
    def _log(self, operation, method, path, params, status, fault=None, sandbox=False):
        with self._calls_lock:
            self._calls.append({"operation": operation, "method": method, "path": path,
                                "params": params, "status": status, "time": iso(self.now()),
                                "fault": fault, "sandbox": sandbox})

    def _send(self, handler, status, body=None, headers=None, content_type="application/json"):
        if isinstance(body, (dict, list)):
            payload = json.dumps(body).encode("utf-8")
        elif body is None:
            payload = b""
        else:
            payload = body
        handler.send_response(status)
        self._request_counter += 1
        handler.send_header("x-amzn-RequestId", "sim-%08d" % self._request_counter)
        if payload or status not in (204,):
            handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        if payload and handler.command != "HEAD":
            handler.wfile.write(payload)

    @staticmethod
    def _drop(handler):
        handler.close_connection = True
        try:
            handler.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _dispatch(self, handler):
        method = handler.command
        split = urlsplit(handler.path)
        path = split.path
        query = parse_qs(split.query, keep_blank_values=True)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length > 0 else b""
        if path.startswith("/_simulator/"):
            return self._control(handler, method, path, query, raw)
        if path.startswith("/_documents/"):
            return self._document(handler, method, path, query, raw)
        if path == "/auth/o2/token":
            return self._lwa(handler, method, raw)
        for route_method, regex, operation in _COMPILED:
            found = regex.match(path)
            if found and route_method == method:
                return self._api(handler, operation, method, path, query, raw, found.groupdict())
        self._log("unknown", method, path, _flat(query), 404)
        self._send(handler, 404, _error("NotFound", "Resource not found: %s %s" % (method, path)))

    def _api(self, handler, operation, method, path, query, raw, args):
        params = dict(_flat(query), **args)
        limit = self.buckets.header(operation)
        headers = {"x-amzn-RateLimit-Limit": limit} if limit else {}
        token = handler.headers.get("x-amz-access-token")
        if token not in self._tokens:
            self._log(operation, method, path, params, 403)
            return self._send(handler, 403, UNAUTHORIZED, headers)
        body = None
        if raw:
            try:
                body = json.loads(raw.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                self._log(operation, method, path, params, 400)
                return self._send(handler, 400, _error("InvalidInput", "Body is not valid JSON."), headers)
            if isinstance(body, dict):
                params["body"] = body
        rule = self.faults.draw(operation)
        if rule is not None:
            if rule.kind == "slow":
                time.sleep(rule.seconds)
            elif rule.kind in _FAULT_STATUS:
                self._log(operation, method, path, params, _FAULT_STATUS[rule.kind], fault=rule.kind)
                return self._fault(handler, rule, headers)
        if not self.buckets.take(operation):
            self._log(operation, method, path, params, 429)
            return self._send(handler, 429, QUOTA_EXCEEDED, headers)
        case = self.sandbox.lookup(method, path, query, body)
        if case is not None:
            self._log(operation, method, path, params, case.status, sandbox=True)
            return self._send(handler, case.status, case.response if case.has_response and
                              case.status != 204 else None, headers)
        request = Request(method, path, query, body, args, self.now())
        try:
            with self.lock:
                status, result = getattr(self, "op_" + operation)(request)
        except ScenarioError as exc:
            status, result = exc.status, _error(exc.code, exc.message)
        self._log(operation, method, path, params, status,
                  fault=rule.kind if rule is not None else None)
        return self._send(handler, status, result, headers)

    def _fault(self, handler, rule, headers):
        """Answer with a fault (429, 429empty, 500, 503, drop, malformed)."""
        kind = rule.kind
        if kind == "429":
            self._send(handler, 429, QUOTA_EXCEEDED, headers)
        elif kind == "429empty":
            self._send(handler, 429, None, headers)
        elif kind in ("500", "503"):
            self._send(handler, int(kind), SERVER_ERRORS[int(kind)], headers)
        elif kind == "drop":
            self._drop(handler)
        elif kind == "malformed":
            self._send(handler, 200, MALFORMED_BODY, headers)

    # -- LWA ---------------------------------------------------------------------------------
    def _lwa(self, handler, method, raw):
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        params = {k: form.get(k) for k in ("grant_type", "client_id", "scope") if k in form}
        rule = self.faults.draw(LWA_OPERATION)
        if rule is not None:
            if rule.kind == "slow":
                time.sleep(rule.seconds)
            elif rule.kind in _FAULT_STATUS:
                self._log(LWA_OPERATION, method, "/auth/o2/token", params,
                          _FAULT_STATUS[rule.kind], fault=rule.kind)
                return self._fault(handler, rule, {})
        status, body = self._lwa_answer(method, form)
        self._log(LWA_OPERATION, method, "/auth/o2/token", params, status)
        self._send(handler, status, body, {"Cache-Control": "no-store"})

    def _lwa_answer(self, method, form):
        """The LWA rule: client_id or client_secret starting with "invalid" -> 401
        invalid_client; refresh_token starting with "invalid" -> 400 invalid_grant."""
        if method != "POST":
            return 405, {"error": "invalid_request", "error_description": "Use POST."}
        grant = form.get("grant_type")
        if grant not in ("refresh_token", "client_credentials"):
            return 400, {"error": "unsupported_grant_type",
                         "error_description": "The authorization grant type is not supported."}
        if not form.get("client_id") or not form.get("client_secret"):
            return 400, {"error": "invalid_request",
                         "error_description": "The request is missing a required parameter : client_id"}
        if form["client_id"].startswith("invalid") or form["client_secret"].startswith("invalid"):
            return 401, {"error": "invalid_client",
                         "error_description": "Client authentication failed"}
        refresh = form.get("refresh_token")
        if grant == "refresh_token":
            if not refresh:
                return 400, {"error": "invalid_request",
                             "error_description": "The request is missing a required parameter : refresh_token"}
            if refresh.startswith("invalid"):
                return 400, {"error": "invalid_grant",
                             "error_description": "The request has an invalid grant parameter : refresh_token"}
        with self._calls_lock:
            self._request_counter += 1
            token = "Atza|SIM%06d.%x" % (len(self._tokens) + 1, hash((refresh, self._request_counter)) & 0xFFFFFFFF)
            self._tokens[token] = refresh
        body = {"access_token": token, "token_type": "bearer", "expires_in": 3600}
        if grant == "refresh_token":
            body["refresh_token"] = refresh
        return 200, body

    def issue_token(self, refresh_token="sim-refresh"):
        """An access token without an HTTP round trip (for tests using raw HTTP)."""
        return self._lwa_answer("POST", {"grant_type": "refresh_token", "client_id": "sim",
                                         "client_secret": "sim", "refresh_token": refresh_token})[1]["access_token"]

    # -- documents ---------------------------------------------------------------------------
    def _document(self, handler, method, path, query, raw):
        doc_id = path[len("/_documents/"):]
        operation = UPLOAD_OPERATION if method == "PUT" else DOWNLOAD_OPERATION
        params = {"documentId": doc_id}
        if method == "PUT":
            try:
                with self.lock:
                    self.store.upload(doc_id, raw, handler.headers.get("Content-Type"))
            except ScenarioError as exc:
                self._log(operation, method, path, params, exc.status)
                return self._send(handler, exc.status, _error(exc.code, exc.message))
            self._log(operation, method, path, params, 200)
            return self._send(handler, 200, None)
        doc = self.store.documents.get(doc_id)
        if method != "GET" or doc is None or doc.content is None:
            self._log(operation, method, path, params, 404)
            return self._send(handler, 404, b"<Error><Code>NoSuchKey</Code></Error>",
                              content_type="application/xml")
        content = doc.content
        rule = self.faults.draw(operation)
        if rule is not None:
            if rule.kind == "truncate":
                content = content[: max(1, len(content) // 2)]
            elif rule.kind == "slow":
                time.sleep(rule.seconds)
            elif rule.kind in _FAULT_STATUS:
                self._log(operation, method, path, params, _FAULT_STATUS[rule.kind], fault=rule.kind)
                return self._fault(handler, rule, {})
        self._log(operation, method, path, params, 200, fault=rule.kind if rule else None)
        content_type = doc.content_type if not doc.compression else "application/octet-stream"
        return self._send(handler, 200, content, content_type=content_type)

    # -- control API -------------------------------------------------------------------------
    def _control(self, handler, method, path, query, raw):
        try:
            body = json.loads(raw.decode("utf-8")) if raw else {}
        except ValueError:
            return self._send(handler, 400, {"error": "body is not JSON"})
        name = path[len("/_simulator/"):].strip("/")
        try:
            status, result = self._control_answer(method, name, query, body)
        except (ValueError, KeyError, TypeError) as exc:
            status, result = 400, {"error": str(exc)}
        except ScenarioError as exc:
            status, result = exc.status, {"error": exc.message, "code": exc.code}
        return self._send(handler, status, result)

    def _control_answer(self, method, name, query, body):
        now = self.now()
        if name == "health":
            return 200, {"status": "ok", "now": iso(now), "nowEpoch": now, "seed": self.seed,
                         "orders": len(self.scenario.orders), "profile": self.scenario.profile,
                         "timeScale": self.clock.time_scale, "rateLimits": self.buckets.enabled,
                         "faults": self.faults.spec, "sandboxCases": len(self.sandbox),
                         "sellerId": SELLER_ID, "url": self.url}
        if name == "calls":
            if method == "DELETE":
                return 200, {"reset": self.reset_calls()}
            operation = (query.get("operation") or [None])[0]
            return 200, {"calls": self.calls(operation), "counts": self.call_counts()}
        if name == "calls/reset" and method == "POST":
            return 200, {"reset": self.reset_calls()}
        if name == "advance" and method == "POST":
            new = self.advance(float(body.get("days", 0)), float(body.get("hours", 0)),
                               float(body.get("minutes", 0)), float(body.get("seconds", 0)))
            return 200, {"now": iso(new), "nowEpoch": new}
        if name == "time":
            return 200, {"now": iso(now), "nowEpoch": now, "start": iso(self.clock.start)}
        if name == "faults":
            if method == "POST":
                self.set_faults(body.get("spec") or "")
            return 200, {"spec": self.faults.spec}
        if name == "rate_limits":
            if method == "POST":
                self.set_rate_limits(body.get("enabled", True))
            return 200, {"enabled": self.buckets.enabled}
        if name == "catalogue":
            return 200, {"catalogue": self.catalogue()}
        if name == "orders":
            return 200, {"orders": self.orders_summary((query.get("status") or [None])[0])}
        found = re.match(r"^orders/([^/]+)/cancel$", name)
        if found and method == "POST":
            return 200, {"orderId": found.group(1), "status": self.cancel_order(found.group(1))}
        if name == "settlements":
            return 200, {"settlements": self.settlements()}
        if name == "inventory":
            mp = (query.get("marketplaceId") or [MARKETPLACES[0].id])[0]
            return 200, {"marketplaceId": mp, "inventory": self.inventory(mp)}
        return 404, {"error": "unknown control endpoint %s %s" % (method, name)}

    # -- operations --------------------------------------------------------------------------
    def _page(self, token, kind, param="nextToken"):
        """The stored (items, offset, extra) behind a page token of this kind of listing."""
        page = self.store.pages.get(token)
        if page is None or page[2].get("kind") != kind:
            raise ScenarioError(400, "InvalidInput", "Invalid %s." % param)
        return page

    def op_getMarketplaceParticipations(self, req):
        payload = [{
            "marketplace": {"id": m.id, "name": m.name, "countryCode": m.country,
                            "defaultCurrencyCode": m.currency, "defaultLanguageCode": m.language,
                            "domainName": m.domain},
            "participation": {"isParticipating": True, "hasSuspendedListings": False},
            "storeName": STORE_NAME,
        } for m in MARKETPLACES]
        return 200, {"payload": payload}

    def _included(self, req):
        included = req.many("includedData")
        bad = [x for x in included if x not in ALL_INCLUDED]
        if bad:
            raise ScenarioError(400, "InvalidInput", "Invalid includedData: %s" % ",".join(bad))
        return set(included)

    def op_searchOrders(self, req):
        now = req.now
        included = self._included(req)
        size = req.integer("maxResultsPerPage", 100, 1, 100)
        filters = {k: req.one(k) for k in ("createdAfter", "createdBefore", "lastUpdatedAfter",
                                           "lastUpdatedBefore", "fulfillmentStatuses",
                                           "marketplaceIds", "fulfilledBy") if req.one(k)}
        token = req.one("paginationToken")
        if token:
            ids, offset, extra = self._page(token, "orders", param="paginationToken")
            for key, value in filters.items():
                if extra["filters"].get(key) != value:
                    raise ScenarioError(400, "InvalidInput",
                                        "%s must have the value it had when the token was issued." % key)
            cutoff_key, cutoff = extra["cutoff_key"], extra["cutoff"]
        else:
            ids, offset, cutoff_key, cutoff = self._search(req, now)
            extra = {"kind": "orders", "filters": filters, "cutoff_key": cutoff_key, "cutoff": cutoff}
        chunk, next_token = self.store.pages.page(ids, offset, size, extra)
        result = {"orders": [render_order(self.scenario.by_id[i], now, included) for i in chunk]}
        if next_token:
            result["pagination"] = {"nextToken": next_token}
        result[cutoff_key] = iso(cutoff)
        return 200, result

    def _search(self, req, now):
        created_after, created_before = req.time("createdAfter"), req.time("createdBefore")
        updated_after, updated_before = req.time("lastUpdatedAfter"), req.time("lastUpdatedBefore")
        if (created_after is None) == (updated_after is None):
            raise ScenarioError(400, "InvalidInput",
                                "Exactly one of createdAfter and lastUpdatedAfter is required.")
        if created_after is not None and (updated_before is not None):
            raise ScenarioError(400, "InvalidInput",
                                "lastUpdatedBefore cannot be combined with createdAfter.")
        if updated_after is not None and created_before is not None:
            raise ScenarioError(400, "InvalidInput",
                                "createdBefore cannot be combined with lastUpdatedAfter.")
        before = created_before if created_after is not None else updated_before
        after = created_after if created_after is not None else updated_after
        if before is not None:
            if before > now - 120:
                raise ScenarioError(400, "InvalidInput",
                                    "The before date must be at least two minutes before the request.")
            if before < after:
                raise ScenarioError(400, "InvalidInput", "The before date is earlier than the after date.")
        if after > now:
            raise ScenarioError(400, "InvalidInput", "The after date is in the future.")
        cutoff = int(now) if before is None else before
        statuses = req.many("fulfillmentStatuses")
        channels = req.many("fulfilledBy")
        marketplaces = req.many("marketplaceIds")
        for value in statuses:
            if value not in FULFILLMENT_STATUSES:
                raise ScenarioError(400, "InvalidInput", "Invalid fulfillmentStatuses: %s" % value)
        for value in channels:
            if value not in ("MERCHANT", "AMAZON"):
                raise ScenarioError(400, "InvalidInput", "Invalid fulfilledBy: %s" % value)
        if len(marketplaces) > 50:
            raise ScenarioError(400, "InvalidInput", "At most 50 marketplaceIds.")
        for value in marketplaces:
            if value not in MARKETPLACE_BY_ID:
                raise ScenarioError(400, "InvalidInput", "Invalid marketplaceId: %s" % value)
        by_created = created_after is not None
        rows = []
        for order, status, updated in self.scenario.visible(now):
            stamp = order.created if by_created else updated
            if not after <= stamp <= cutoff:
                continue
            if statuses and status not in statuses:
                continue
            if channels and ("AMAZON" if order.channel == "FBA" else "MERCHANT") not in channels:
                continue
            if marketplaces and order.market.id not in marketplaces:
                continue
            rows.append((stamp, order.order_id))
        rows.sort()
        return [r[1] for r in rows], 0, ("createdBefore" if by_created else "lastUpdatedBefore"), cutoff

    def op_getOrder(self, req):
        order = self.scenario.by_id.get(req.args["orderId"])
        if order is None or order.created > req.now:
            raise ScenarioError(404, "NotFound", "Order %s not found." % req.args["orderId"])
        return 200, {"order": render_order(order, req.now, self._included(req))}

    def op_confirmShipment(self, req):
        self.scenario.confirm_shipment(req.args["orderId"], req.body, req.now)
        return 204, None

    def op_createReport(self, req):
        job = self.store.create_report(req.body, req.now)
        return 202, {"reportId": job.job_id}

    def op_getReport(self, req):
        job = self.store.report(req.args["reportId"], req.now, poll=True)
        return 200, self.store.report_json(job, req.now)

    def op_cancelReport(self, req):
        self.store.cancel_report(req.args["reportId"], req.now)
        return 200, None

    def op_getReports(self, req):
        token = req.one("nextToken")
        if token:
            jobs, offset, extra = self._page(token, "reports", param="nextToken")
        else:
            types, statuses = req.many("reportTypes"), req.many("processingStatuses")
            marketplaces = req.many("marketplaceIds")
            if not types and not token:
                raise ScenarioError(400, "InvalidInput", "reportTypes or nextToken is required.")
            for value in statuses:
                if value not in ("CANCELLED", "DONE", "FATAL", "IN_PROGRESS", "IN_QUEUE"):
                    raise ScenarioError(400, "InvalidInput", "Invalid processingStatuses: %s" % value)
            jobs = [j.job_id for j in self.store.list_reports(
                req.now, types, statuses, marketplaces, req.time("createdSince"), req.time("createdUntil"))]
            offset, extra = 0, {"kind": "reports", "size": req.integer("pageSize", 10, 1, 100)}
        chunk, next_token = self.store.pages.page(jobs, offset, extra["size"], extra)
        result = {"reports": [self.store.report_json(self.store.reports[j], req.now) for j in chunk]}
        if next_token:
            result["nextToken"] = next_token
        return 200, result

    def op_getReportDocument(self, req):
        doc, result = self.store.report_document(req.args["reportDocumentId"], req.now)
        return 200, result

    def op_createFeedDocument(self, req):
        return 201, self.store.create_feed_document(req.body)

    def op_createFeed(self, req):
        return 202, {"feedId": self.store.create_feed(req.body, req.now).job_id}

    def op_getFeed(self, req):
        job = self.store.feed(req.args["feedId"], req.now, poll=True)
        return 200, self.store.feed_json(job, req.now)

    def op_getFeeds(self, req):
        types = req.many("feedTypes")
        feeds = [self.store.feed_json(j, req.now) for j in self.store.feeds.values()
                 if not types or j.job_type in types]
        feeds.sort(key=lambda f: f["createdTime"], reverse=True)
        size = req.integer("pageSize", 10, 1, 100)
        return 200, {"feeds": feeds[:size]}

    def op_getFeedDocument(self, req):
        return 200, self.store.feed_document(req.args["feedDocumentId"])

    def op_getInventorySummaries(self, req):
        if req.one("granularityType") != "Marketplace":
            raise ScenarioError(400, "InvalidInput", "granularityType must be Marketplace.")
        marketplaces = req.many("marketplaceIds")
        granularity = req.one("granularityId")
        if len(marketplaces) != 1 or marketplaces[0] not in MARKETPLACE_BY_ID:
            raise ScenarioError(400, "InvalidInput", "Exactly one valid marketplaceIds value is required.")
        if granularity != marketplaces[0]:
            raise ScenarioError(400, "InvalidInput", "granularityId must equal the marketplaceId.")
        token = req.one("nextToken")
        if token:
            rows, offset, extra = self._page(token, "inventory", param="nextToken")
        else:
            rows = self.scenario.inventory(MARKETPLACE_BY_ID[granularity].code, req.now)
            since = req.time("startDateTime")
            skus = req.many("sellerSkus") or ([req.one("sellerSku")] if req.one("sellerSku") else [])
            if since is not None:
                rows = [r for r in rows if r["updated"] >= since]
            elif skus:
                rows = [r for r in rows if r["sku"] in skus]
            offset, extra = 0, {"kind": "inventory", "details": req.one("details") == "true"}
        chunk, next_token = self.store.pages.page(rows, offset, 50, extra)
        details = extra["details"]
        summaries = []
        for r in chunk:
            entry = {"asin": r["asin"], "fnSku": r["fnsku"], "sellerSku": r["sku"],
                     "condition": "NewItem", "lastUpdatedTime": iso(r["updated"]),
                     "productName": r["title"],
                     "totalQuantity": r["fulfillable"] + r["reserved"] + r["unfulfillable"] + r["inbound"]
                     + r["researching"]}
            if details:
                entry["inventoryDetails"] = {
                    "fulfillableQuantity": r["fulfillable"], "inboundWorkingQuantity": 0,
                    "inboundShippedQuantity": r["inbound"], "inboundReceivingQuantity": 0,
                    "reservedQuantity": {"totalReservedQuantity": r["reserved"],
                                         "pendingCustomerOrderQuantity": r["reserved"],
                                         "pendingTransshipmentQuantity": 0, "fcProcessingQuantity": 0},
                    "researchingQuantity": {"totalResearchingQuantity": r["researching"],
                                            "researchingQuantityBreakdown": [
                                                {"name": "researchingQuantityInShortTerm",
                                                 "quantity": r["researching"]}]},
                    "unfulfillableQuantity": {"totalUnfulfillableQuantity": r["unfulfillable"],
                                              "customerDamagedQuantity": 0,
                                              "warehouseDamagedQuantity": r["unfulfillable"],
                                              "distributorDamagedQuantity": 0, "carrierDamagedQuantity": 0,
                                              "defectiveQuantity": 0, "expiredQuantity": 0},
                }
            summaries.append(entry)
        result = {"payload": {"granularity": {"granularityType": "Marketplace", "granularityId": granularity},
                              "inventorySummaries": summaries}}
        if next_token:
            result["pagination"] = {"nextToken": next_token}
        return 200, result

    def op_listTransactions(self, req):
        token = req.one("nextToken")
        if token:
            rows, offset, extra = self._page(token, "transactions", param="nextToken")
        else:
            after, before = req.time("postedAfter"), req.time("postedBefore")
            if after is None:
                raise ScenarioError(400, "InvalidInput", "Start date cannot be null",)
            before = min(before if before is not None else req.now, req.now - 120)
            if after >= before:
                raise ScenarioError(400, "InvalidInput", "postedAfter must be before postedBefore.")
            rows = finances.transactions(self.scenario, req.now, after, before,
                                         req.one("marketplaceId"), req.one("transactionStatus"))
            offset, extra = 0, {"kind": "transactions"}
        chunk, next_token = self.store.pages.page(rows, offset, 100, extra)
        payload = {"transactions": chunk}
        if next_token:
            payload["nextToken"] = next_token
        return 200, {"payload": payload}


_FAULT_STATUS = {"429": 429, "429empty": 429, "500": 500, "503": 503, "malformed": 200, "drop": 0}


def _flat(query):
    return {k: (v[0] if len(v) == 1 else list(v)) for k, v in query.items()}
