"""Multi-Channel Fulfilment (Fulfillment Outbound 2020-07-01) ↔ plain values. Pure, no ORM.

:func:`fulfillment_order_request` builds the ``CreateFulfillmentOrderRequest`` of a delivery of
another channel; :func:`read_fulfillment_order` reads what ``getFulfillmentOrder`` answers: the
order's status and what left, per item (the delivery's move, named in
``sellerFulfillmentOrderItemId``) with the packages' carriers and tracking numbers.
"""

from dataclasses import dataclass, field
from decimal import Decimal
import re

from ..utils import to_amazon_timestamp

# Amazon's limits: the seller's order id (letters, digits, - and _) and comment.
ORDER_ID_LENGTH = 40
COMMENT_LENGTH = 1000
_NOT_IN_ID = re.compile(r"[^A-Za-z0-9_-]+")


def seller_order_id(reference):
    """The ``sellerFulfillmentOrderId`` a delivery reference gives (``WH/OUT/00012`` →
    ``WH-OUT-00012``)."""
    return _NOT_IN_ID.sub("-", reference).strip("-")[:ORDER_ID_LENGTH]


def fulfillment_order_request(order_id, marketplace_id, displayable_ref, ordered_at, address,
                              items, speed="Standard", comment=""):
    """``address``: name, street, street2, city, state_code, zip, country_code, phone;
    ``items``: [(item id, SKU, quantity)]."""
    destination = {
        "name": address["name"], "addressLine1": address["street"],
        "city": address["city"], "postalCode": address["zip"],
        "countryCode": address["country_code"],
    }
    for key, name in (("street2", "addressLine2"), ("state_code", "stateOrRegion"),
                      ("phone", "phone")):
        if address.get(key):
            destination[name] = address[key]
    return {
        "marketplaceId": marketplace_id,
        "sellerFulfillmentOrderId": order_id,
        "displayableOrderId": displayable_ref[:ORDER_ID_LENGTH],
        "displayableOrderDate": to_amazon_timestamp(ordered_at),
        "displayableOrderComment": (comment or displayable_ref)[:COMMENT_LENGTH],
        "shippingSpeedCategory": speed,
        "destinationAddress": destination,
        "fulfillmentAction": "Ship",
        "items": [{"sellerSku": sku, "sellerFulfillmentOrderItemId": str(item_id),
                   "quantity": int(quantity)} for item_id, sku, quantity in items],
    }


def fulfillment_preview_request(order_request, speeds=("Standard", "Expedited", "Priority")):
    """The ``GetFulfillmentPreviewRequest`` of what :func:`fulfillment_order_request` would
    send: the same address and items, every shipping speed."""
    return {"marketplaceId": order_request["marketplaceId"],
            "address": order_request["destinationAddress"],
            "items": order_request["items"], "shippingSpeedCategories": list(speeds)}


@dataclass
class Preview:
    speed: str
    fulfillable: bool
    fee: Decimal
    currency: str
    ships_by: str = None
    arrives_by: str = None
    unfulfillable: list = field(default_factory=list)  # [(SKU, reasons)]


def read_previews(payload):
    """``getFulfillmentPreview``'s previews: per speed, whether Amazon can ship, its fees
    (``Decimal``), the latest ship and arrival dates, the items it cannot ship and why."""
    previews = []
    for raw in payload.get("fulfillmentPreviews") or []:
        fee, currency = Decimal(0), None
        for estimated in raw.get("estimatedFees") or []:
            amount = estimated.get("amount") or {}
            fee += Decimal(str(amount.get("value") or 0))
            currency = currency or amount.get("currencyCode")
        shipments = raw.get("fulfillmentPreviewShipments") or []
        previews.append(Preview(
            speed=raw.get("shippingSpeedCategory"), fulfillable=bool(raw.get("isFulfillable")),
            fee=fee, currency=currency,
            ships_by=max((s.get("latestShipDate") or "" for s in shipments), default=None),
            arrives_by=max((s.get("latestArrivalDate") or "" for s in shipments), default=None),
            unfulfillable=[(item.get("sellerSku"), ", ".join(item.get("itemUnfulfillableReasons")
                                                             or []))
                           for item in raw.get("unfulfillablePreviewItems") or []]))
    return previews


@dataclass
class FulfillmentState:
    status: str
    shipped: dict = field(default_factory=dict)  # item id → units shipped
    trackings: list = field(default_factory=list)  # [(carrier, tracking number)]
    shipment_ids: list = field(default_factory=list)


def read_fulfillment_order(payload):
    """The order's status, units shipped per item and the packages' tracking numbers."""
    order = payload.get("fulfillmentOrder") or {}
    state = FulfillmentState(status=(order.get("fulfillmentOrderStatus") or "").upper())
    for shipment in payload.get("fulfillmentShipments") or []:
        if (shipment.get("fulfillmentShipmentStatus") or "").upper() != "SHIPPED":
            continue
        state.shipment_ids.append(shipment.get("amazonShipmentId") or "")
        for item in shipment.get("fulfillmentShipmentItem") or []:
            key = item.get("sellerFulfillmentOrderItemId") or ""
            state.shipped[key] = state.shipped.get(key, 0) + int(item.get("quantity") or 0)
        for package in shipment.get("fulfillmentShipmentPackage") or []:
            pair = (package.get("carrierCode") or "", package.get("trackingNumber") or "")
            if pair[1] and pair not in state.trackings:
                state.trackings.append(pair)
    return state
