"""The living seller: a deterministic set of orders whose visible state is a pure function of
simulated "now", plus the mutations made through the API (shipment confirmations,
cancellations), which stamp `lastUpdatedTime`.

Every order is generated from its own random stream (seed, index), so the scenario is the same
for the same seed and order count whatever happens at run time.

`Scenario` is the facade the server and the APIs use; the pieces live beside it: the order
model in orders.py, its generation in generator.py, its JSON (and replay) in order_json.py, FBA
stock in inventory.py, money events and settlements in settlement.py.
"""

import json
import random

from . import settlement, shipping
from .clock import DAY, parse_iso
from .const import LISTING_SAMPLE_BAD_ROWS, LISTING_SAMPLES, MARKETPLACES, build_catalogue
from .errors import ScenarioError
from .generator import (
    ARRIVAL_DAYS, ARRIVING_SHARE, HISTORY_DAYS, HOUR, OLD_FBM_DAYS, generate_order,
)
from .inventory import add_inbound, add_products, init_stock, stock_summaries
from .order_json import ALL_INCLUDED, filter_included, order_from_json, render_order
from .removals import add_removal_order, all_removals
from .returns import add_customer_return, all_returns
from .orders import (
    CANCELLED, PARTIALLY_SHIPPED, PENDING, SHIPPED, UNSHIPPED, Item, Order, Package,
)

PROFILES = ("default", "fbm2")

__all__ = [  # this module's names since before the split, wherever they live now
    "ALL_INCLUDED", "ARRIVAL_DAYS", "ARRIVING_SHARE", "CANCELLED", "HISTORY_DAYS", "HOUR",
    "OLD_FBM_DAYS", "PARTIALLY_SHIPPED", "PENDING", "PROFILES", "SHIPPED", "UNSHIPPED", "Item",
    "Order", "Package", "Scenario", "ScenarioError", "filter_included", "order_from_json",
    "render_order",
]


class Scenario:
    """All orders, the catalogue, inventory and listing quantities of the simulated seller."""

    def __init__(self, seed=1, orders=50, start=0, profile="default", orders_file=None,
                 listing_samples=False, settlements=None, auto_returns=True, auto_removals=True):
        if profile not in PROFILES:
            raise ValueError("unknown profile %r (known: %s)" % (profile, ", ".join(PROFILES)))
        self.seed, self.start, self.profile = seed, int(start), profile
        # optional settlement situations (settlement.KNOBS), validated here
        self.settlement_knobs = dict(settlements or {})
        settlement.knobs(self)
        self.history_start = self.start - HISTORY_DAYS * DAY
        self.catalogue = build_catalogue()
        self.by_sku = {c["sku"]: c for c in self.catalogue}
        self.orders = []
        self.by_id = {}
        rng = random.Random("scenario-%s" % seed)
        self.listing_quantity = {(m.code, c["sku"]): rng.randint(5, 60)
                                 for m in MARKETPLACES for c in self.catalogue}
        # listings beside the catalogue's, SKUs taken off the listings, malformed rows
        self.extra_listings = []
        self.unlisted = set()
        self.raw_listing_rows = []
        # customer returns (returns.py): explicit ones, and whether refunds bring their own
        self.customer_returns = []
        self.auto_returns = bool(auto_returns)
        # FBA removal orders (removals.py): explicit ones, and whether the seed brings its own
        self.removal_orders = []
        self.auto_removals = bool(auto_removals)
        # multi-channel fulfilment orders created through the Fulfillment Outbound API (mcf.py)
        self.fulfillment_orders = {}
        # inbound plans created through the Fulfillment Inbound API (inbound.py)
        self.inbound_plans = {}
        self.inbound_operations = {}
        # Buy Shipping rate requests and labels (shipping.py); messages and review requests
        # sent per order (messaging.py)
        self.buy_shipping = shipping.Book()
        self.sent_messages, self.sent_solicitations = {}, {}
        # money (finances.py, payouts.py): listSummary differences per settlement id (minor
        # units), failed payouts {settlement id: (time, reason)}, and whether the seller chose
        # VCS self-invoicing (False: UPLOAD_VAT_INVOICE answers FeatureNotAvailable)
        self.summary_differences = {}
        self.failed_payouts = {}
        self.vcs_self_invoicing = True
        if listing_samples:
            self.add_listing_samples()
        if orders_file:
            self._load_file(orders_file)
        else:
            for index in range(int(orders)):
                self._add(generate_order(self, index))
        self.orders.sort(key=lambda o: (o.created, o.order_id))
        init_stock(self, rng)

    def _add(self, order):
        while order.order_id in self.by_id:      # vanishingly rare id collision
            order.order_id = order.order_id[:-1] + str((int(order.order_id[-1]) + 1) % 10)
        self.orders.append(order)
        self.by_id[order.order_id] = order

    # -- replay ------------------------------------------------------------------------------
    def _load_file(self, path):
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        if isinstance(data, dict):
            data = data.get("orders") or [data.get("order")]
        for raw in data:
            self._add(order_from_json(raw))

    # -- inventory ---------------------------------------------------------------------------
    def inventory(self, code, now):
        """FBA inventory summaries for a marketplace at `now` (pure function of now)."""
        return stock_summaries(self, code, now)

    # -- listings ----------------------------------------------------------------------------
    def add_listing(self, sku, title, price, quantity=10, channel="FBM", barcode=None,
                    status="Active", marketplace_ids=None):
        """List an SKU beside the catalogue (on every marketplace, or those given): it shows in
        the listings report, with its EAN as product-id when `barcode` is given."""
        if not sku or channel not in ("FBA", "FBM"):
            raise ScenarioError(400, "InvalidInput", "sku and a channel FBA or FBM are required.")
        self.unlisted.discard(sku)
        self.extra_listings = [x for x in self.extra_listings if x["sku"] != sku]
        self.extra_listings.append({
            "sku": sku, "title": title, "price": str(price), "quantity": int(quantity),
            "channel": channel, "barcode": barcode or "", "status": status,
            "marketplace_ids": list(marketplace_ids) if marketplace_ids else None})

    def remove_listing(self, sku):
        """Take an SKU (of the catalogue or added) off the listings reports from now on."""
        self.unlisted.add(sku)

    def add_listing_row(self, row, marketplace_ids=None):
        """Append a row (bytes as given, or text in the report's encoding) to the listings
        reports: malformed rows a connector must report."""
        self.raw_listing_rows.append((row, list(marketplace_ids) if marketplace_ids else None))

    def add_listing_samples(self):
        """The `listing_samples` knob: const.LISTING_SAMPLES and LISTING_SAMPLE_BAD_ROWS."""
        for sample in LISTING_SAMPLES:
            self.add_listing(**sample)
        for row in LISTING_SAMPLE_BAD_ROWS:
            self.add_listing_row(row)

    # -- customer returns --------------------------------------------------------------------
    def add_customer_return(self, order_id, sku=None, quantity=1, when=None, delivered_at=None,
                            **columns):
        """A customer return of ``quantity`` units of ``sku`` (default: the first line) of an
        order, in the FBA returns report (FBA orders) or the FBM one (FBM orders).  ``when``
        (epoch seconds or ISO-8601; default: the scenario's start) is the return date (FBA) or
        the return request date (FBM); an FBM return is delivered back, refunded and `Closed`
        at ``delivered_at`` (default: 4 days after ``when``), `Approved` before.  Keywords
        override generated columns, by column name in snake case (``detailed_disposition``,
        ``license_plate_number``, ``customer_comments``, ``tracking_id``, ``amazon_rma_id``,
        ``return_request_status`` ...) or exact name (``**{"Tracking ID": ...}``).  An order's
        explicit returns replace its automatic ones.  Returns the CustomerReturn."""
        return add_customer_return(self, order_id, sku, quantity, when, delivered_at, **columns)

    def returns(self):
        """Every customer return (explicit and automatic), by date: [CustomerReturn]."""
        return all_returns(self)

    # -- FBA removal orders ------------------------------------------------------------------
    def add_removal_order(self, order_id, order_type, lines, when=None, status="Completed",
                          marketplace_id=None, shipped_at=None, disposed_at=None, **columns):
        """A removal order in the two removal reports (and in the FBA stock).  ``order_id``:
        any string, or None for 10 generated letters/digits; ``order_type`` ``Return`` (shipped
        back to the seller), ``Disposal`` or ``Liquidations``; ``lines`` a list of ``(sku,
        disposition, quantity)`` (``Sellable`` / ``Unsellable``) or of dicts with those keys
        and optionally ``shipped_quantity`` / ``disposed_quantity``, ``cancelled_quantity``,
        ``shipped_at`` / ``disposed_at``, ``carrier``, ``tracking_number``, ``removal_fee``,
        ``fnsku``; ``when`` (epoch seconds or ISO-8601; default: the scenario's start) the
        request date; ``status`` the final (``Completed``, ``Cancelled``) or lasting
        (``Pending``, ``Planning``, ``Processing``) status; ``marketplace_id`` (id or code;
        default: the first of US, CA, DE, FR, UK, JP where every SKU is an FBA SKU).  Return
        lines ship at ``shipped_at`` (default ``when`` + 2 days), disposal lines are disposed
        of at ``disposed_at`` (default ``when`` + 1 day).  Keywords override columns by
        snake-case or exact name (``order_source``, ``removal_fee``, ``currency``, ``fnsku``,
        ``carrier``, ``tracking_number``).  Returns the RemovalOrder."""
        return add_removal_order(self, order_id, order_type, lines, when, status,
                                 marketplace_id, shipped_at, disposed_at, **columns)

    def removals(self):
        """Every removal order (explicit and automatic), by request date: [RemovalOrder]."""
        return all_removals(self)

    def add_inbound(self, code, sku, quantity, now, ship_in_hours=0, transit_hours=48):
        """A new inbound shipment to marketplace ``code``'s fulfilment centres (inventory.py)."""
        return add_inbound(self, code, sku, quantity, now, ship_in_hours, transit_hours)

    def add_products(self, code, skus, fba_quantity=None, fbm_quantity=None):
        """SKUs beyond the catalogue, with FBA stock and/or an FBM listing quantity."""
        add_products(self, code, skus, fba_quantity, fbm_quantity)

    def knows_sku(self, sku):
        """Whether the seller has listed ``sku`` (catalogue or added)."""
        return sku in self.by_sku or sku in self.extra_skus

    # -- mutations ---------------------------------------------------------------------------
    def confirm_shipment(self, order_id, body, now):
        """Apply a confirmShipment request; raise ScenarioError for what Amazon rejects."""
        order = self.by_id.get(order_id)
        if order is None or order.created > now:
            raise ScenarioError(404, "NotFound", "Order %s not found." % order_id)
        if not isinstance(body, dict):
            raise ScenarioError(400, "InvalidInput", "Request body must be a JSON object.")
        if body.get("marketplaceId") != order.market.id:
            raise ScenarioError(400, "InvalidInput",
                                "marketplaceId %r does not match the order's marketplace."
                                % body.get("marketplaceId"))
        detail = body.get("packageDetail")
        if not isinstance(detail, dict):
            raise ScenarioError(400, "InvalidInput", "Missing required field: packageDetail.")
        for field in ("packageReferenceId", "carrierCode", "trackingNumber", "shipDate", "orderItems"):
            if detail.get(field) in (None, "", []):
                raise ScenarioError(400, "InvalidInput", "Missing required field: %s." % field)
        reference = str(detail["packageReferenceId"])
        if not reference.isdigit() or int(reference) <= 0:
            raise ScenarioError(400, "InvalidInput",
                                "packageReferenceId must be a positive integer.")
        if detail["carrierCode"] == "Other" and not detail.get("carrierName"):
            raise ScenarioError(400, "InvalidInput",
                                "carrierName is required when carrierCode is Other.")
        try:
            ship_time = parse_iso(detail["shipDate"])
        except (ValueError, TypeError):
            raise ScenarioError(400, "InvalidInput", "shipDate is not an ISO-8601 date-time.")
        if ship_time < order.created - 60 or ship_time > now + DAY:
            raise ScenarioError(400, "InvalidInput", "shipDate is outside the allowed range.")
        if order.channel != "FBM":
            raise ScenarioError(400, "InvalidInput",
                                "Order %s is fulfilled by Amazon." % order_id)
        status, _ = order.status(now)
        if status == CANCELLED:
            raise ScenarioError(400, "InvalidInput", "Order %s is cancelled." % order_id)
        if status == PENDING:
            raise ScenarioError(400, "InvalidInput", "Order %s is pending." % order_id)
        if any(p.reference == reference for p in order.packages):
            raise ScenarioError(400, "InvalidInput",
                                "packageReferenceId %s is already used for this order." % reference)
        shipped = order.shipped_quantities(now)
        by_id = {i.item_id: i for i in order.items}
        quantities = {}
        for line in detail["orderItems"]:
            item_id = str((line or {}).get("orderItemId", ""))
            qty = (line or {}).get("quantity")
            if item_id not in by_id:
                raise ScenarioError(400, "InvalidInput",
                                    "Order item %s is not part of order %s." % (item_id, order_id))
            if not isinstance(qty, int) or isinstance(qty, bool) or qty <= 0:
                raise ScenarioError(400, "InvalidInput", "quantity must be a positive integer.")
            quantities[item_id] = quantities.get(item_id, 0) + qty
        for item_id, qty in quantities.items():
            if shipped.get(item_id, 0) + qty > by_id[item_id].qty:
                raise ScenarioError(400, "InvalidInput",
                                    "Quantity %d for order item %s exceeds the unshipped quantity %d."
                                    % (qty, item_id, by_id[item_id].qty - shipped.get(item_id, 0)))
        carrier = detail.get("carrierName") if detail["carrierCode"] == "Other" else detail["carrierCode"]
        order.packages.append(Package(reference, carrier, detail.get("shippingMethod") or "",
                                      str(detail["trackingNumber"]), ship_time, int(now), quantities))
        return order

    def cancel(self, order_id, now):
        """A buyer cancellation arriving now (control API); only before anything shipped."""
        order = self.by_id.get(order_id)
        if order is None or order.created > now:
            raise ScenarioError(404, "NotFound", "Order %s not found." % order_id)
        status, _ = order.status(now)
        if status not in (PENDING, UNSHIPPED):
            raise ScenarioError(400, "InvalidInput", "Order %s is %s." % (order_id, status))
        order.cancelled_by_api = int(now)
        return order

    def request_cancellation(self, order_id, reason, now):
        """A buyer's cancellation request on an unshipped seller-fulfilled order, arriving now:
        the order stays UNSHIPPED, its lastUpdatedTime moves to now and its items carry
        ``cancellation.cancellationRequest`` {requester: BUYER, cancelReason: reason}."""
        order = self.by_id.get(order_id)
        if order is None or order.created > now:
            raise ScenarioError(404, "NotFound", "Order %s not found." % order_id)
        if order.channel != "FBM":
            raise ScenarioError(400, "InvalidInput", "Order %s is fulfilled by Amazon." % order_id)
        status, _ = order.status(now)
        if status != UNSHIPPED:
            raise ScenarioError(400, "InvalidInput", "Order %s is %s." % (order_id, status))
        if not reason or not isinstance(reason, str):
            raise ScenarioError(400, "InvalidInput", "A cancellation reason is required.")
        order.cancel_request = (int(now), reason)
        return order

    # -- queries -----------------------------------------------------------------------------
    def visible(self, now):
        """[(order, status, updated)] for orders created at or before now."""
        out = []
        for order in self.orders:
            if order.created > now:
                break
            status, updated = order.status(now)
            out.append((order, status, updated))
        return out

    def money_events(self, now_limit=None):
        """Every shipment and refund event: (time, kind, order, item, qty, reference)."""
        return settlement.money_events(self, now_limit)

    def fba_fee(self, order, item, qty):
        """FBA per-unit fulfilment fee for `qty` units, in minor units (positive)."""
        return settlement.fba_fee(self, order, item, qty)
