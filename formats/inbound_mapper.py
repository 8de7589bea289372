"""Sending stock to FBA (Fulfillment Inbound 2024-03-20, and the two v0 operations Amazon keeps:
getLabels, getShipmentItemsByShipmentId) ↔ plain values. Pure, no ORM.

:func:`inbound_plan_request` builds ``createInboundPlan``'s body; :func:`read_options` reads the
packing, placement or transportation options Amazon offers, their fees and discounts in
``Decimal``; :func:`box_groupings` packs each packing group's items into boxes for
``setPackingInformation``; :func:`read_shipment` and :func:`read_receipts` read a shipment and
what Amazon received of it.
"""

from dataclasses import dataclass, field
from decimal import Decimal
import math

from ..utils import parse_datetime

# Amazon's limit for a box of a small-parcel shipment (kg); boxes are filled below it.
BOX_MAX_KG = Decimal("22.5")
# Amazon's statuses of a shipment once it has left the seller.
SHIPMENT_LEFT_STATUSES = ("SHIPPED", "IN_TRANSIT", "DELIVERED", "CHECKED_IN", "RECEIVING",
                          "CLOSED", "MIXED")
SHIPMENT_FINAL_STATUSES = ("CLOSED", "CANCELLED", "DELETED", "ABANDONED")


class InboundDataError(ValueError):
    """What Amazon answered cannot be read (a field missing)."""


def inbound_plan_request(name, marketplace_id, address, items, label_owner="SELLER"):
    """``address``: name, company, street, street2, city, state_code, zip, country_code, phone,
    email; ``items``: [(SKU, quantity)]. Prep and labels are the seller's (``AMAZON`` is refused
    for labels in the US)."""
    source = {"name": address["name"], "addressLine1": address["street"],
              "city": address["city"], "postalCode": address["zip"],
              "countryCode": address["country_code"], "phoneNumber": address["phone"]}
    for key, amazon_key in (("company", "companyName"), ("street2", "addressLine2"),
                            ("state_code", "stateOrProvinceCode"), ("email", "email")):
        if address.get(key):
            source[amazon_key] = address[key]
    return {
        "name": name[:40],
        "destinationMarketplaces": [marketplace_id],
        "sourceAddress": source,
        "items": [{"msku": sku, "quantity": int(quantity), "prepOwner": "SELLER",
                   "labelOwner": label_owner} for sku, quantity in items],
    }


@dataclass
class Option:
    """A packing, placement or transportation option: its id, net fee (fees − discounts) in
    ``currency``, what it means (shipments, packing groups, carrier) and until when it holds."""

    ref: str
    fee: Decimal = Decimal(0)
    currency: str = None
    status: str = None
    expires_at: object = None
    shipment_refs: list = field(default_factory=list)
    group_refs: list = field(default_factory=list)
    shipment_ref: str = None
    carrier: str = None
    partnered: bool = False


def _money(incentives):
    """Σ fees − Σ discounts of Amazon's ``Incentive`` list, and their currency."""
    total, currency = Decimal(0), None
    for incentive in incentives or []:
        value = incentive.get("value") or {}
        amount = Decimal(str(value.get("amount", 0)))
        currency = currency or value.get("code")
        total += -amount if incentive.get("type") == "DISCOUNT" else amount
    return total, currency


def read_options(kind, options):
    """The :class:`Option` list of a ``list…Options`` answer; ``kind`` packing, placement or
    transportation."""
    result = []
    for raw in options or []:
        ref = raw.get(f"{kind}OptionId")
        if not ref:
            raise InboundDataError(f"a {kind} option without {kind}OptionId")
        if kind == "transportation":
            cost = ((raw.get("quote") or {}).get("cost")) or {}
            fee, currency = Decimal(str(cost.get("amount", 0))), cost.get("code")
        else:
            fee, currency = _money(raw.get("fees"))
            discount, discount_currency = _money(raw.get("discounts"))
            fee, currency = fee + discount, currency or discount_currency
        carrier = raw.get("carrier") or {}
        result.append(Option(
            ref=ref, fee=fee, currency=currency, status=raw.get("status"),
            expires_at=parse_datetime(raw["expiration"]) if raw.get("expiration") else None,
            shipment_refs=list(raw.get("shipmentIds") or []),
            group_refs=list(raw.get("packingGroups") or []),
            shipment_ref=raw.get("shipmentId"),
            carrier=carrier.get("name") or raw.get("shippingSolution"),
            partnered=raw.get("shippingSolution") == "AMAZON_PARTNERED_CARRIER"))
    return result


def choose_transportation(options):
    """The option a shipment goes with: Amazon's partnered small-parcel carrier, the cheapest
    first, else the seller's own carrier."""
    partnered = sorted((o for o in options if o.partnered), key=lambda o: o.fee)
    return partnered[0] if partnered else (options[0] if options else None)


def box_groupings(groups, weights, dimensions):
    """``setPackingInformation``'s ``packageGroupings``: each packing group's items in as many
    boxes as their weight needs (Amazon's 22.5 kg limit), units spread evenly.

    :param groups: {packing group id: [(SKU, quantity)]}
    :param weights: {SKU: kg per unit (Decimal)}
    :param dimensions: (length, width, height) of a box in cm
    """
    length, width, height = dimensions
    groupings = []
    for group_ref, items in groups.items():
        total = sum((weights.get(sku) or Decimal("0.1")) * quantity for sku, quantity in items)
        count = max(1, math.ceil(total / BOX_MAX_KG))
        count = min(count, sum(quantity for _sku, quantity in items))
        boxes = [[] for _ in range(count)]
        slot = 0
        for sku, quantity in items:
            for _unit in range(int(quantity)):
                boxes[slot % count].append(sku)
                slot += 1
        amazon_boxes = []
        for skus in boxes:
            counted = {}
            for sku in skus:
                counted[sku] = counted.get(sku, 0) + 1
            weight = sum((weights.get(sku) or Decimal("0.1")) * n for sku, n in counted.items())
            amazon_boxes.append({
                "contentInformationSource": "BOX_CONTENT_PROVIDED",
                "dimensions": {"unitOfMeasurement": "CM", "length": length, "width": width,
                               "height": height},
                "weight": {"unit": "KG", "value": float(max(weight, Decimal("0.1")))},
                "quantity": 1,
                "items": [{"msku": sku, "quantity": n, "prepOwner": "SELLER",
                           "labelOwner": "SELLER"} for sku, n in counted.items()],
            })
        groupings.append({"packingGroupId": group_ref, "boxes": amazon_boxes})
    return groupings


@dataclass
class Shipment:
    ref: str
    confirmation_ref: str
    status: str
    destination: str
    address: str


def read_shipment(raw):
    """A ``getShipment`` answer: its ids, Amazon's status and the fulfilment centre."""
    if not raw.get("shipmentId"):
        raise InboundDataError("a shipment without shipmentId")
    destination = raw.get("destination") or {}
    address = destination.get("address") or {}
    lines = [address.get("name"), address.get("addressLine1"), address.get("addressLine2"),
             " ".join(filter(None, (address.get("postalCode"), address.get("city")))),
             address.get("countryCode")]
    return Shipment(ref=raw["shipmentId"], confirmation_ref=raw.get("shipmentConfirmationId"),
                    status=(raw.get("status") or "").upper(),
                    destination=destination.get("warehouseId"),
                    address="\n".join(line for line in lines if line))


def read_items(items):
    """``listShipmentItems`` → {SKU: planned units}."""
    planned = {}
    for item in items or []:
        planned[item["msku"]] = planned.get(item["msku"], 0) + int(item.get("quantity") or 0)
    return planned


def read_receipts(item_data):
    """v0 ``getShipmentItemsByShipmentId`` ``ItemData`` → {SKU: (shipped, received)}."""
    receipts = {}
    for item in item_data or []:
        sku = item.get("SellerSKU")
        if not sku:
            raise InboundDataError("a shipment item without SellerSKU")
        shipped, received = receipts.get(sku, (0, 0))
        receipts[sku] = (shipped + int(item.get("QuantityShipped") or 0),
                         received + int(item.get("QuantityReceived") or 0))
    return receipts
