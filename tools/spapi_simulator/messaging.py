"""Buyer messages (Messaging API v1) and review requests (Solicitations API v1): which
actions an order offers now, and what was sent.

Messaging: nothing for a pending or cancelled order, nor once ``WINDOW_DAYS`` passed since its
delivery (or, not delivered, since its latest deliver-by date); ``confirmDeliveryDetails`` and
``unexpectedProblem`` while unshipped, partially shipped or shipped; ``confirmOrderDetails`` and
``confirmCustomizationDetails`` while an FBM order is unshipped; ``warranty`` once (partly)
shipped.  Solicitations: ``productReviewAndSellerFeedback`` from ``REVIEW_FROM_DAYS`` to
``REVIEW_TO_DAYS`` days after the delivery, once per order.
"""

from .clock import DAY, iso, parse_iso
from .errors import ScenarioError
from .orders import CANCELLED, PARTIALLY_SHIPPED, PENDING, SHIPPED, UNSHIPPED
from . import shipping

WINDOW_DAYS = 30
REVIEW_FROM_DAYS, REVIEW_TO_DAYS = 5, 30
DELIVERY_DAYS = 3               # a shipment without a Buy Shipping label arrives this much later
REVIEW = "productReviewAndSellerFeedback"
# action -> (longest text, or None when the message has no text)
ACTIONS = {"confirmCustomizationDetails": 800, "confirmDeliveryDetails": 2000,
           "confirmOrderDetails": 2000, "unexpectedProblem": 2000, "warranty": None}


def order(scenario, order_id, marketplace_ids, now):
    found = scenario.by_id.get(order_id)
    if found is None or found.created > now:
        raise ScenarioError(404, "NotFound", "Order %s not found." % order_id)
    if marketplace_ids != [found.market.id]:
        raise ScenarioError(400, "InvalidInput", "marketplaceIds must be exactly the order's "
                            "marketplace (%s)." % found.market.id)
    return found


def delivered_at(scenario, order, now):
    """When the order was (or will be) delivered, or None while nothing shipped."""
    by_label = shipping.delivered_at(scenario, order)
    if by_label is not None:
        return by_label
    shipped = [t for t, _item, _qty, _ref in order.ship_events() if t <= now]
    return max(shipped) + DELIVERY_DAYS * DAY if shipped else None


def _latest_delivery(order):
    ship_by_end = order.created - order.created % DAY + 2 * DAY - 1
    return ship_by_end + 5 * DAY


def messaging_actions(scenario, order, now):
    status = order.status(now)[0]
    if status in (None, PENDING, CANCELLED):
        return []
    delivered = delivered_at(scenario, order, now)
    if now > (delivered or _latest_delivery(order)) + WINDOW_DAYS * DAY:
        return []
    out = ["confirmDeliveryDetails", "unexpectedProblem"]
    if status == UNSHIPPED and order.channel == "FBM":
        out += ["confirmOrderDetails", "confirmCustomizationDetails"]
    if status in (SHIPPED, PARTIALLY_SHIPPED):
        out.append("warranty")
    return sorted(out)


def _refused(kind):
    return ScenarioError(403, "Unauthorized", "The requested %s is not available for this "
                         "amazonOrderId." % kind)


def send_message(scenario, order, action, body, now):
    if action not in messaging_actions(scenario, order, now):
        raise _refused("messaging action %s" % action)
    if not isinstance(body, dict):
        raise ScenarioError(400, "InvalidInput", "The request body must be a JSON object.")
    longest = ACTIONS[action]
    if longest is not None:
        text = body.get("text")
        if not isinstance(text, str) or not text:
            raise ScenarioError(400, "InvalidInput", "text is required.")
        if len(text) > longest:
            raise ScenarioError(400, "InvalidInput", "text must be at most %d characters (%d "
                                "given)." % (longest, len(text)))
    else:
        dates = []
        for field in ("coverageStartDate", "coverageEndDate"):
            if body.get(field) is not None:
                try:
                    dates.append(parse_iso(body[field]))
                except (TypeError, ValueError):
                    raise ScenarioError(400, "InvalidInput", "%s is not an ISO-8601 date-time."
                                        % field)
        if len(dates) == 2 and dates[1] < dates[0]:
            raise ScenarioError(400, "InvalidInput", "coverageEndDate is before coverageStartDate.")
    sent = {k: v for k, v in body.items() if k not in ("marketplaceIds", "MarketplaceIds")}
    _log(scenario, "messages").setdefault(order.order_id, []).append((action, sent, iso(now)))


def solicitation_actions(scenario, order, now):
    if order.order_id in _log(scenario, "solicitations"):
        return []
    delivered = delivered_at(scenario, order, now)
    if delivered is None or order.status(now)[0] not in (SHIPPED, PARTIALLY_SHIPPED):
        return []
    if delivered + REVIEW_FROM_DAYS * DAY <= now <= delivered + REVIEW_TO_DAYS * DAY:
        return [REVIEW]
    return []


def solicit(scenario, order, now):
    if REVIEW not in solicitation_actions(scenario, order, now):
        if order.order_id in _log(scenario, "solicitations"):
            raise _refused("solicitation")
        raise ScenarioError(403, "Unauthorized", "You can't use this feature to request a review "
                            "outside the %d-%d day range after the order delivery date."
                            % (REVIEW_FROM_DAYS, REVIEW_TO_DAYS))
    _log(scenario, "solicitations")[order.order_id] = [(REVIEW, iso(now))]


def _log(scenario, kind):
    return getattr(scenario, "sent_" + kind)


def sent(scenario, kind, order_id):
    return list(_log(scenario, kind).get(order_id, []))


def hal(base, order_id, marketplace_id, actions, segment):
    """The HAL answer of getMessagingActionsForOrder / getSolicitationActionsForOrder."""
    query = "?marketplaceIds=%s" % marketplace_id
    root = "%s/orders/%s" % (base, order_id)
    links = [{"href": "%s/%s/%s%s" % (root, segment, a, query), "name": a} for a in actions]
    return {"_links": {"actions": links, "self": {"href": root + query}},
            "_embedded": {"actions": [
                {"_links": {"schema": {"href": "%s/%s/%s/schema" % (root, segment, a), "name": a},
                            "self": {"href": "%s/%s/%s%s" % (root, segment, a, query), "name": a}}}
                for a in actions]}}
