"""HTTP front of the simulator: routing, access tokens, rate limits, faults, sandbox cases,
the call log, the documents route and the `/_simulator/` control API.  `Simulator` is also the
in-process Python API.  The SP-API operations themselves live in apis/, one module per API.
"""

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import inbound, mcf, messaging, payouts, shipping
from .apis import OPERATIONS, RATE_LIMITS, Request, auth
from .clock import Clock, iso
from .documents import Document
from .const import (
    DOWNLOAD_OPERATION, LWA_OPERATION, MARKETPLACE_BY_ID, MARKETPLACES, SELLER_ID, UPLOAD_OPERATION,
)
from .errors import ScenarioError
from .faults import FaultInjector
from .rate_limits import BucketSet
from .reports import Store
from .sandbox import Sandbox, default_models_dir
from .scenario import Scenario

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

# (method, path template, operationId) of every SP-API operation, in routing order
ROUTES = [(op.method, op.path, op.name) for op in OPERATIONS]
_COMPILED = [(op.method, re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", op.path) + "$"), op)
             for op in OPERATIONS]


def _error(code, message, details=""):
    return {"errors": [{"code": code, "message": message, "details": details}]}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SPAPISimulator/1.0"
    # answers go out at once: with Nagle, every keep-alive call waits ~40 ms for a delayed ACK
    disable_nagle_algorithm = True

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
                 start_time=None, listing_samples=False, settlements=None, auto_returns=True,
                 auto_removals=True):
        self.seed = seed
        self.clock = Clock(time_scale, start_time)
        self.scenario = Scenario(seed=seed, orders=orders, start=self.clock.start, profile=profile,
                                 orders_file=orders_file, listing_samples=listing_samples,
                                 settlements=settlements, auto_returns=auto_returns,
                                 auto_removals=auto_removals)
        self.store = Store(self.scenario, base_url=lambda: self.url)
        self.buckets = BucketSet(RATE_LIMITS, self.clock.now, enabled=rate_limits)
        self.faults = FaultInjector(faults, seed)
        if models_dir is None:
            models_dir = default_models_dir()
        self.sandbox = Sandbox(models_dir or None)
        self.host, self.port = host, port
        self.lock = threading.RLock()
        self._tokens = {}
        self._auth_codes = {}  # authorization code -> its consent (website authorization workflow)
        self._authorizations = []
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

    def publish_document(self, doc_id, content, content_type="application/zip"):
        """Serve ``content`` (bytes) under ``/_documents/<doc_id>`` like one of Amazon's
        pre-signed URLs (an Amazon Custom personalisation file...); return its URL."""
        self.store.documents[doc_id] = Document(doc_id, content, None, content_type)
        return self.store.doc_url(doc_id)

    def catalogue(self):
        """The stable SKU catalogue: [{sku, asin, title, base_price, offers{CODE: {...}}}]."""
        return [dict(c, offers={k: dict(v) for k, v in c["offers"].items()})
                for c in self.scenario.catalogue]

    def add_listing(self, sku, title, price, quantity=10, channel="FBM", barcode=None,
                    status="Active", marketplace_ids=None):
        """List an SKU beside the catalogue in the listings reports requested from now on (an
        SKU a connector does not know; with `barcode`, an EAN as product-id)."""
        with self.lock:
            self.scenario.add_listing(sku, title, price, quantity, channel, barcode, status,
                                      marketplace_ids)

    def remove_listing(self, sku):
        """Take an SKU off the listings reports requested from now on."""
        with self.lock:
            self.scenario.remove_listing(sku)

    def add_listing_row(self, row, marketplace_ids=None):
        """Append a raw (malformed) row, bytes or text, to the listings reports from now on."""
        with self.lock:
            self.scenario.add_listing_row(row, marketplace_ids)

    def add_customer_return(self, order_id, sku=None, quantity=1, when=None, delivered_at=None,
                            **columns):
        """A customer return in the returns reports requested from now on (see
        Scenario.add_customer_return); ``when`` defaults to now.  Returns the CustomerReturn."""
        with self.lock:
            return self.scenario.add_customer_return(
                order_id, sku, quantity, self.now() if when is None else when, delivered_at,
                **columns)

    def set_auto_returns(self, enabled):
        """Switch the returns that the scenario's refunds bring on or off (explicit returns
        stay)."""
        with self.lock:
            self.scenario.auto_returns = bool(enabled)

    def add_removal_order(self, order_id, order_type, lines, when=None, status="Completed",
                          marketplace_id=None, shipped_at=None, disposed_at=None, **columns):
        """A removal order in the removal reports requested from now on (see
        Scenario.add_removal_order); ``when`` defaults to now.  Returns the RemovalOrder."""
        with self.lock:
            return self.scenario.add_removal_order(
                order_id, order_type, lines, self.now() if when is None else when, status,
                marketplace_id, shipped_at, disposed_at, **columns)

    def set_auto_removals(self, enabled):
        """Switch the seeded removal orders on or off (explicit ones stay)."""
        with self.lock:
            self.scenario.auto_removals = bool(enabled)

    def inbound_plan(self, plan_id):
        """An inbound plan of the Fulfillment Inbound API (inbound.InboundPlan): its
        ``shipments`` (``shipment_id``, ``confirmation_id``, ``items``, ``status(now)``)."""
        with self.lock:
            return inbound.get(self.scenario, plan_id)

    def ship_inbound_shipment(self, confirmation_id, when=None):
        """The seller's boxes of shipment ``FBA…`` leave: IN_TRANSIT (inbound.ship)."""
        with self.lock:
            return inbound.ship(self.scenario, confirmation_id,
                                self.now() if when is None else when)

    def receive_inbound_shipment(self, confirmation_id, quantities=None, close=True, when=None):
        """Amazon counts shipment ``FBA…``: ``quantities`` {sku: units received so far}
        (default: all it holds); ``close`` ends the receiving, short or over (inbound.receive)."""
        with self.lock:
            return inbound.receive(self.scenario, confirmation_id, quantities, close,
                                   self.now() if when is None else when)

    def fulfillment_order(self, order_id):
        """getFulfillmentOrder's payload of an MCF order, now (mcf.py)."""
        with self.lock:
            return mcf.get(self.scenario, order_id, self.now()).render(self.now())

    def ship_fulfillment_order(self, order_id, carrier=None, tracking_number=None,
                               quantities=None):
        """Ship an open MCF order now: Complete with one SHIPPED shipment and one package
        (``carrier`` / ``tracking_number`` default to the marketplace's carrier and a number of
        its shape); CompletePartialled when ``quantities`` ({sellerFulfillmentOrderItemId:
        units}) ships fewer units.  Returns the new status."""
        with self.lock:
            now = self.now()
            order = mcf.ship(self.scenario, order_id, now, carrier, tracking_number, quantities)
            return order.status(now)[0]

    def make_fulfillment_order_unfulfillable(self, order_id):
        """An open MCF order becomes Unfulfillable now (its units are no longer reserved)."""
        with self.lock:
            now = self.now()
            return mcf.make_unfulfillable(self.scenario, order_id, now).status(now)[0]

    def purchased_shipments(self):
        """Every label bought through Buy Shipping (Shipping API v2), in purchase order:
        [{shipmentId, orderId, rateId, carrierId, trackingId, cancelled}] (trackingId of the
        first package)."""
        with self.lock:
            return [s.summary() for s in shipping.book(self.scenario).shipments.values()]

    def refuse_next_rates(self, message):
        """The next getRates answers 400 InvalidInput with ``message``."""
        with self.lock:
            shipping.book(self.scenario).refuse_next = str(message)

    def messages_sent(self, order_id):
        """Buyer messages sent for an order (Messaging API): [(action, body, time ISO-8601)],
        action as in the Messaging model (``confirmDeliveryDetails``, ``warranty``...)."""
        with self.lock:
            return messaging.sent(self.scenario, "messages", order_id)

    def solicitations_sent(self, order_id):
        """Review requests sent for an order (Solicitations API): [(action, time ISO-8601)]."""
        with self.lock:
            return messaging.sent(self.scenario, "solicitations", order_id)

    def cancel_order(self, order_id):
        """A buyer cancellation arriving now (PENDING/UNSHIPPED orders only)."""
        with self.lock:
            order = self.scenario.cancel(order_id, self.now())
            return order.status(self.now())[0]

    def request_cancellation(self, order_id, reason="No longer needed"):
        """The buyer asks to cancel an UNSHIPPED seller-fulfilled order, now: it stays UNSHIPPED,
        its lastUpdatedTime moves to now and, with includedData=CANCELLATION, every item shows
        ``cancellation.cancellationRequest`` {requester: BUYER, cancelReason: reason}.  Returns
        the order's status."""
        with self.lock:
            order = self.scenario.request_cancellation(order_id, reason, self.now())
            return order.status(self.now())[0]

    def set_summary_difference(self, settlement_id, amount):
        """listSummary of settlement ``settlement_id`` answers a netProceeds off by ``amount``
        (a decimal in the settlement's currency, e.g. "0.05" or -1.5; 0 = none), carried by an
        ``Other`` / ``Unreconciled`` breakdown; the settlement file is unchanged."""
        from decimal import Decimal
        from .const import CURRENCY_DECIMALS
        with self.lock:
            currency = self._settlement_currency(settlement_id)
            minor = int(Decimal(str(amount)) * 10 ** CURRENCY_DECIMALS.get(currency, 2))
            if minor:
                self.scenario.summary_differences[str(settlement_id)] = minor
            else:
                self.scenario.summary_differences.pop(str(settlement_id), None)

    def _settlement_currency(self, settlement_id):
        from . import settlement as settle
        for market in MARKETPLACES:
            for k in range(settle.period_of(self.scenario, self.now()) + 1):
                if settle.settlement_id(self.scenario, market.code, k) == str(settlement_id):
                    return market.currency
        raise ScenarioError(404, "NotFound", "No settlement %s." % settlement_id)

    def payouts(self):
        """Every payout of listPayouts now (Transfers 2024-06-01 Payout objects, grouped by
        marketplace, the most recent first within each)."""
        with self.lock:
            return payouts.payouts(self.scenario, self.now(), self.store.settlement)

    def fail_payout(self, settlement_id, reason=None):
        """The payout of a closed settlement, not PAID yet, fails (FAILED with ``reason`` in
        statusHistory; from now, or from IN_TRANSIT when later); its amount is back in the
        AVAILABLE balance.  Returns the Payout object."""
        with self.lock:
            return payouts.fail(self.scenario, self.now(), self.store.settlement,
                                str(settlement_id), reason)

    def set_vcs_self_invoicing(self, enabled):
        """Whether the seller chose self-invoicing when enrolling in Amazon's VAT Calculation
        Service (default True).  False: UPLOAD_VAT_INVOICE feeds are rejected with
        FeatureNotAvailable and the VAT invoice data report says is-amazon-invoiced=true."""
        with self.lock:
            self.scenario.vcs_self_invoicing = bool(enabled)

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
        with self.lock:
            return self.store.settlement_summaries(now)

    def inventory(self, marketplace_id):
        return self.scenario.inventory(MARKETPLACE_BY_ID[marketplace_id].code, self.now())

    def add_inbound(self, marketplace_id, sku, quantity, ship_in_hours=0, transit_hours=48):
        """An inbound shipment of ``quantity`` units of ``sku`` created now: inbound (working,
        shipped, receiving) until Amazon received it, then fulfillable (inventory.py)."""
        with self.lock:
            shipment = self.scenario.add_inbound(MARKETPLACE_BY_ID[marketplace_id].code, sku,
                                                 quantity, self.now(), ship_in_hours,
                                                 transit_hours)
            return {"sku": sku, "quantity": quantity, "shippedAt": iso(shipment.shipped_at),
                    "arrivesAt": iso(shipment.arrives_at), "receivedAt": iso(shipment.received_at)}

    def add_products(self, marketplace_id, skus, fba_quantity=None, fbm_quantity=None):
        """SKUs beyond the catalogue on a marketplace: ``fba_quantity`` fulfillable units at
        Amazon and/or ``fbm_quantity`` units on their merchant-fulfilled listing."""
        with self.lock:
            self.scenario.add_products(MARKETPLACE_BY_ID[marketplace_id].code, list(skus),
                                       fba_quantity, fbm_quantity)

    def listing_quantities(self, marketplace_id):
        """{sku: quantity} of the merchant-fulfilled listings of a marketplace, as the listings
        feeds processed by now left them (feeds DONE by now are processed first)."""
        with self.lock:
            self.store.process_due(self.now())
            code = MARKETPLACE_BY_ID[marketplace_id].code
            return {sku: quantity for (market, sku), quantity
                    in self.scenario.listing_quantity.items() if market == code}

    def reject_listings_feeds(self, count=1):
        """The next ``count`` JSON_LISTINGS_FEED feeds end FATAL (Amazon could not process
        them), whatever their content."""
        with self.lock:
            self.store.listings_feeds_to_reject = int(count)

    def vat_invoices(self):
        """Invoices and credit notes accepted through UPLOAD_VAT_INVOICE feeds (feeds DONE by
        now are processed first), in processing order: [{feedId, orderId, shippingId,
        invoiceNumber, documentType, totalAmount, totalVatAmount, marketplaceId, currency,
        inputFeedDocumentId}]; absent options are None."""
        with self.lock:
            self.store.process_due(self.now())
            return [dict(record) for record in self.store.vat.accepted]

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
        if path == auth.PATH:
            return self._lwa(handler, method, raw)
        if path == auth.CONSENT_PATH:
            return self._consent(handler, method, query, raw)
        for route_method, regex, op in _COMPILED:
            found = regex.match(path)
            if found and route_method == method:
                return self._api(handler, op, method, path, query, raw, found.groupdict())
        self._log("unknown", method, path, _flat(query), 404)
        self._send(handler, 404, _error("NotFound", "Resource not found: %s %s" % (method, path)))

    def _api(self, handler, op, method, path, query, raw, args):
        operation = op.name
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
        if self._fault(handler, rule, operation, method, path, params, headers):
            return
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
                status, result = op.handler(self, request)
        except ScenarioError as exc:
            status, result = exc.status, _error(exc.code, exc.message)
        self._log(operation, method, path, params, status,
                  fault=rule.kind if rule is not None else None)
        return self._send(handler, status, result, headers)

    def _fault(self, handler, rule, operation, method, path, params, headers):
        """Apply a drawn fault rule (or None): sleep for `slow`; answer and log 429, 429empty,
        500, 503, drop or malformed, and then return True."""
        if rule is not None and rule.kind == "slow":
            time.sleep(rule.seconds)
        if rule is None or rule.kind not in _FAULT_STATUS:
            return False
        kind = rule.kind
        self._log(operation, method, path, params, _FAULT_STATUS[kind], fault=kind)
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
        return True

    # -- LWA (the rule is in apis/auth.py) ---------------------------------------------------
    def _lwa(self, handler, method, raw):
        form, params = auth.parse_form(raw)
        if self._fault(handler, self.faults.draw(LWA_OPERATION), LWA_OPERATION, method, auth.PATH,
                       params, {}):
            return
        status, body = auth.answer(method, form, self._mint_token, self._redeem_code)
        self._log(LWA_OPERATION, method, auth.PATH, params, status)
        self._send(handler, status, body, auth.HEADERS)

    # -- Seller Central's consent page (website authorization workflow) ----------------------
    def _consent(self, handler, method, query, raw):
        """GET: the consent page of the application; POST (its Authorize button): a new
        authorization code, and the seller sent back to the redirect URI with it."""
        if method == "POST":
            query = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
        params = {k: v for k, v in _flat(query).items()
                  if k in ("application_id", "state", "redirect_uri", "version")}
        problem = auth.consent_problem(params)
        operation = "authorizeConsent" if method == "POST" else "consentPage"
        self._log(operation, method, auth.CONSENT_PATH, params, 400 if problem else
                  (302 if method == "POST" else 200))
        if problem:
            return self._send(handler, 400, auth.consent_error(problem),
                              content_type="text/html; charset=utf-8")
        if method != "POST":
            return self._send(handler, 200, auth.consent_page(params, SELLER_ID),
                              content_type="text/html; charset=utf-8")
        code = self.authorize(params["application_id"], params["redirect_uri"])
        location = auth.redirect_location(params["redirect_uri"], code, params["state"], SELLER_ID)
        return self._send(handler, 302, b"", {"Location": location},
                          content_type="text/html; charset=utf-8")

    def authorize(self, application_id, redirect_uri=None):
        """The seller authorises ``application_id``: a new authorization code (valid once, for
        auth.CODE_LIFETIME simulated seconds), as Authorize on the consent page gives it."""
        with self._calls_lock:
            self._request_counter += 1
            code = "ANsim%06d%x" % (len(self._auth_codes) + 1,
                                    hash((application_id, self._request_counter)) & 0xFFFFFFFF)
            self._auth_codes[code] = {"applicationId": application_id, "redirectUri": redirect_uri,
                                      "expires": self.now() + auth.CODE_LIFETIME, "used": False}
        return code

    def authorizations(self):
        """The refresh tokens issued for authorization codes, oldest first."""
        with self._calls_lock:
            return [dict(entry) for entry in self._authorizations]

    def _redeem_code(self, code, redirect_uri):
        """The refresh token of a valid, unused ``code`` (then used), else None."""
        with self._calls_lock:
            grant = self._auth_codes.get(code)
            if grant is None or grant["used"] or self.now() > grant["expires"]:
                return None
            if redirect_uri and grant["redirectUri"] and redirect_uri != grant["redirectUri"]:
                return None
            grant["used"] = True
            refresh = "Atzr|SIMOAUTH%04d-%s" % (len(self._authorizations) + 1, code[-8:])
            self._authorizations.append({"applicationId": grant["applicationId"],
                                         "refreshToken": refresh, "sellerId": SELLER_ID})
        return refresh

    def _mint_token(self, refresh):
        """A new access token, remembered with the refresh token it was granted for."""
        with self._calls_lock:
            self._request_counter += 1
            token = "Atza|SIM%06d.%x" % (len(self._tokens) + 1, hash((refresh, self._request_counter)) & 0xFFFFFFFF)
            self._tokens[token] = refresh
        return token

    def issue_token(self, refresh_token="sim-refresh"):
        """An access token without an HTTP round trip (for tests using raw HTTP)."""
        return auth.answer("POST", {"grant_type": "refresh_token", "client_id": "sim",
                                    "client_secret": "sim", "refresh_token": refresh_token},
                           self._mint_token)[1]["access_token"]

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
        if rule is not None and rule.kind == "truncate":
            content = content[: max(1, len(content) // 2)]
        elif self._fault(handler, rule, operation, method, path, params, {}):
            return
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
        if name == "oauth/authorizations":
            return 200, {"authorizations": self.authorizations()}
        if name == "oauth/codes" and method == "POST":
            return 200, {"code": self.authorize(body["applicationId"], body.get("redirectUri"))}
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
        if name == "listings" and method == "POST":
            self.add_listing(body["sku"], body.get("title") or body["sku"], body["price"],
                             body.get("quantity", 10), body.get("channel", "FBM"),
                             body.get("barcode"), body.get("status", "Active"),
                             body.get("marketplaceIds"))
            return 200, {"sku": body["sku"]}
        if name == "listings/rows" and method == "POST":
            raw = body["row"]
            self.add_listing_row(raw.encode("latin-1") if body.get("latin1") else raw,
                                 body.get("marketplaceIds"))
            return 200, {"rows": len(self.scenario.raw_listing_rows)}
        found = re.match(r"^listings/([^/]+)$", name)
        if found and method == "DELETE":
            self.remove_listing(found.group(1))
            return 200, {"sku": found.group(1), "listed": False}
        found = re.match(r"^orders/([^/]+)/cancellation_request$", name)
        if found and method == "POST":
            return 200, {"orderId": found.group(1), "status": self.request_cancellation(
                found.group(1), body.get("reason") or "No longer needed")}
        if name == "settlements":
            return 200, {"settlements": self.settlements()}
        found = re.match(r"^settlements/([^/]+)/summary_difference$", name)
        if found and method == "POST":
            self.set_summary_difference(found.group(1), body.get("amount", 0))
            return 200, {"settlementId": found.group(1), "amount": str(body.get("amount", 0))}
        if name == "payouts":
            return 200, {"payouts": self.payouts()}
        found = re.match(r"^payouts/([^/]+)/fail$", name)
        if found and method == "POST":
            return 200, self.fail_payout(found.group(1), body.get("reason"))
        if name == "vcs_self_invoicing" and method == "POST":
            self.set_vcs_self_invoicing(body.get("enabled", True))
            return 200, {"enabled": self.scenario.vcs_self_invoicing}
        if name == "inventory":
            mp = (query.get("marketplaceId") or [MARKETPLACES[0].id])[0]
            return 200, {"marketplaceId": mp, "inventory": self.inventory(mp)}
        if name == "inbound" and method == "POST":
            return 200, self.add_inbound(body["marketplaceId"], body["sku"], body["quantity"],
                                         float(body.get("shipInHours", 0)),
                                         float(body.get("transitHours", 48)))
        if name == "products" and method == "POST":
            self.add_products(body["marketplaceId"], body["skus"], body.get("fbaQuantity"),
                              body.get("fbmQuantity"))
            return 200, {"added": len(body["skus"])}
        if name == "listings":
            mp = (query.get("marketplaceId") or [MARKETPLACES[0].id])[0]
            return 200, {"marketplaceId": mp, "quantities": self.listing_quantities(mp)}
        if name == "feeds/reject" and method == "POST":
            self.reject_listings_feeds(body.get("count", 1))
            return 200, {"count": self.store.listings_feeds_to_reject}
        if name == "vat_invoices":
            return 200, {"vatInvoices": self.vat_invoices()}
        if name == "returns" and method == "POST":
            ret = self.add_customer_return(body["orderId"], body.get("sku"), body.get("quantity", 1),
                                           body.get("when"), body.get("deliveredAt"),
                                           **(body.get("columns") or {}))
            return 200, {"orderId": ret.order.order_id, "sku": ret.item.sku, "quantity": ret.qty,
                         "channel": ret.channel, "when": iso(ret.at)}
        if name == "returns/auto" and method == "POST":
            self.set_auto_returns(body.get("enabled", True))
            return 200, {"enabled": self.scenario.auto_returns}
        if name == "removals" and method == "POST":
            order = self.add_removal_order(body.get("orderId"), body.get("orderType"),
                                           body.get("lines"), body.get("when"),
                                           body.get("status", "Completed"),
                                           body.get("marketplaceId"), body.get("shippedAt"),
                                           body.get("disposedAt"), **(body.get("columns") or {}))
            return 200, removal_json(order)
        if name == "removals" and method == "GET":
            return 200, {"removalOrders": [removal_json(o) for o in self.scenario.removals()]}
        if name == "removals/auto" and method == "POST":
            self.set_auto_removals(body.get("enabled", True))
            return 200, {"enabled": self.scenario.auto_removals}
        found = re.match(r"^fulfillment_orders/([^/]+)(?:/(ship|unfulfillable))?$", name)
        if found and method == "GET" and not found.group(2):
            return 200, self.fulfillment_order(found.group(1))
        if found and method == "POST" and found.group(2) == "ship":
            status = self.ship_fulfillment_order(found.group(1), body.get("carrier"),
                                                 body.get("trackingNumber"),
                                                 body.get("quantities"))
            return 200, {"sellerFulfillmentOrderId": found.group(1), "status": status}
        if found and method == "POST" and found.group(2) == "unfulfillable":
            status = self.make_fulfillment_order_unfulfillable(found.group(1))
            return 200, {"sellerFulfillmentOrderId": found.group(1), "status": status}
        return 404, {"error": "unknown control endpoint %s %s" % (method, name)}


def removal_json(order):
    """The control API's view of a removal order."""
    return {"orderId": order.order_id, "orderType": order.order_type,
            "marketplaceId": order.market.id, "when": iso(order.at), "status": order.status,
            "explicit": order.explicit,
            "lines": [{"sku": l.sku, "disposition": l.disposition, "quantity": l.quantity,
                       ("shippedQuantity" if order.order_type == "Return" else "disposedQuantity"): l.done,
                       "cancelledQuantity": l.cancelled, "doneAt": iso(l.done_at)}
                      for l in order.lines]}


_FAULT_STATUS = {"429": 429, "429empty": 429, "500": 500, "503": 503, "malformed": 200, "drop": 0}


def _flat(query):
    return {k: (v[0] if len(v) == 1 else list(v)) for k, v in query.items()}
