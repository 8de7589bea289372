"""Messaging API v1 (buyer messages of an order) and Solicitations API v1 (the review
request).  What an order offers, and what was sent, live in messaging.py."""

from .. import messaging
from .base import Operation

MESSAGING = "/messaging/v1"
SOLICITATIONS = "/solicitations/v1"


def _marketplaces(req):
    """The marketplaceIds query parameter (python-amazon-sp-api's solicitation POST sends it
    in the body unless given as a keyword: accepted there too)."""
    found = req.many("marketplaceIds")
    if not found and isinstance(req.body, dict):
        found = list(req.body.get("marketplaceIds") or [])
    return found


def _order(sim, req):
    return messaging.order(sim.scenario, req.args["amazonOrderId"], _marketplaces(req), req.now)


def get_messaging_actions_for_order(sim, req):
    order = _order(sim, req)
    return 200, messaging.hal(MESSAGING, order.order_id, order.market.id,
                              messaging.messaging_actions(sim.scenario, order, req.now), "messages")


def _sender(action):
    def handler(sim, req):
        messaging.send_message(sim.scenario, _order(sim, req), action, req.body, req.now)
        return 201, {}
    return handler


def get_solicitation_actions_for_order(sim, req):
    order = _order(sim, req)
    return 200, messaging.hal(SOLICITATIONS, order.order_id, order.market.id,
                              messaging.solicitation_actions(sim.scenario, order, req.now),
                              "solicitations")


def create_product_review_and_seller_feedback_solicitation(sim, req):
    messaging.solicit(sim.scenario, _order(sim, req), req.now)
    return 201, {}


_MESSAGES = MESSAGING + "/orders/{amazonOrderId}/messages/"
# operationIds as in Amazon's model (confirmCustomizationDetails and CreateWarranty included)
OPERATIONS = [
    Operation("GET", MESSAGING + "/orders/{amazonOrderId}", "getMessagingActionsForOrder",
              get_messaging_actions_for_order, 1.0, 5),
    Operation("POST", _MESSAGES + "confirmCustomizationDetails", "confirmCustomizationDetails",
              _sender("confirmCustomizationDetails"), 1.0, 5),
    Operation("POST", _MESSAGES + "confirmDeliveryDetails", "createConfirmDeliveryDetails",
              _sender("confirmDeliveryDetails"), 1.0, 5),
    Operation("POST", _MESSAGES + "confirmOrderDetails", "createConfirmOrderDetails",
              _sender("confirmOrderDetails"), 1.0, 5),
    Operation("POST", _MESSAGES + "warranty", "CreateWarranty", _sender("warranty"), 1.0, 5),
    Operation("POST", _MESSAGES + "unexpectedProblem", "createUnexpectedProblem",
              _sender("unexpectedProblem"), 1.0, 5),
    Operation("GET", SOLICITATIONS + "/orders/{amazonOrderId}", "getSolicitationActionsForOrder",
              get_solicitation_actions_for_order, 1.0, 5),
    Operation("POST", SOLICITATIONS + "/orders/{amazonOrderId}/solicitations/"
              "productReviewAndSellerFeedback", "createProductReviewAndSellerFeedbackSolicitation",
              create_product_review_and_seller_feedback_solicitation, 1.0, 5),
]
