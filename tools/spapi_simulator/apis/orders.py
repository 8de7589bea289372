"""Orders API 2026-01-01 (searchOrders, getOrder) and Orders v0 confirmShipment.  The orders
themselves are the scenario's (scenario.py); their JSON comes from order_json.py."""

from ..clock import iso
from ..const import MARKETPLACE_BY_ID
from ..errors import ScenarioError
from ..order_json import ALL_INCLUDED, render_order
from .base import Operation, stored_page

FULFILLMENT_STATUSES = ("PENDING_AVAILABILITY", "PENDING", "UNSHIPPED", "PARTIALLY_SHIPPED",
                        "SHIPPED", "CANCELLED", "UNFULFILLABLE")


def _included(req):
    included = req.many("includedData")
    bad = [x for x in included if x not in ALL_INCLUDED]
    if bad:
        raise ScenarioError(400, "InvalidInput", "Invalid includedData: %s" % ",".join(bad))
    return set(included)


def search_orders(sim, req):
    now = req.now
    included = _included(req)
    size = req.integer("maxResultsPerPage", 100, 1, 100)
    filters = {k: req.one(k) for k in ("createdAfter", "createdBefore", "lastUpdatedAfter",
                                       "lastUpdatedBefore", "fulfillmentStatuses",
                                       "marketplaceIds", "fulfilledBy") if req.one(k)}
    token = req.one("paginationToken")
    if token:
        ids, offset, extra = stored_page(sim, token, "orders", param="paginationToken")
        for key, value in filters.items():
            if extra["filters"].get(key) != value:
                raise ScenarioError(400, "InvalidInput",
                                    "%s must have the value it had when the token was issued." % key)
        cutoff_key, cutoff = extra["cutoff_key"], extra["cutoff"]
    else:
        ids, offset, cutoff_key, cutoff = _search(sim, req, now)
        extra = {"kind": "orders", "filters": filters, "cutoff_key": cutoff_key, "cutoff": cutoff}
    chunk, next_token = sim.store.pages.page(ids, offset, size, extra)
    result = {"orders": [render_order(sim.scenario.by_id[i], now, included) for i in chunk]}
    if next_token:
        result["pagination"] = {"nextToken": next_token}
    result[cutoff_key] = iso(cutoff)
    return 200, result


def _search(sim, req, now):
    """(order ids, 0, cutoff parameter name, cutoff) of a first searchOrders page."""
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
    for order, status, updated in sim.scenario.visible(now):
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


def get_order(sim, req):
    order = sim.scenario.by_id.get(req.args["orderId"])
    if order is None or order.created > req.now:
        raise ScenarioError(404, "NotFound", "Order %s not found." % req.args["orderId"])
    return 200, {"order": render_order(order, req.now, _included(req))}


def confirm_shipment(sim, req):
    sim.scenario.confirm_shipment(req.args["orderId"], req.body, req.now)
    return 204, None


OPERATIONS = [
    Operation("GET", "/orders/2026-01-01/orders", "searchOrders", search_orders, 0.0056, 20),
    Operation("GET", "/orders/2026-01-01/orders/{orderId}", "getOrder", get_order, 0.5, 30),
    Operation("POST", "/orders/v0/orders/{orderId}/shipmentConfirmation", "confirmShipment",
              confirm_shipment, 2.0, 10),
]
