"""Amazon order (an Orders API 2026-01-01 ``Order`` dict) → plain values for Odoo.

Pure functions, no ORM: the importer decides what to do with what they return. Amounts are
``Decimal`` so that sums are exact; every line carries its amount *including* the tax Amazon
reports for it (``gross``), which lets the importer derive prices whatever the taxes in Odoo.
"""

from collections import defaultdict
import hashlib

from . import const
from .utils import ZERO, AmazonDataError, money, parse_datetime


def map_order(order):
    """Everything the importer needs from one order, or ``AmazonDataError`` naming what is missing."""
    order_ref = order.get("orderId")
    if not order_ref:
        raise AmazonDataError("orderId is missing")
    fulfillment = order.get("fulfillment") or {}
    channel = const.FULFILLED_BY_TO_CHANNEL.get(fulfillment.get("fulfilledBy"))
    if not channel:
        raise AmazonDataError(f"fulfillment.fulfilledBy {fulfillment.get('fulfilledBy')!r} is unknown")
    marketplace_id = (order.get("salesChannel") or {}).get("marketplaceId")
    if not marketplace_id:
        raise AmazonDataError("salesChannel.marketplaceId is missing")
    programs = set(order.get("programs") or [])
    buyer = order.get("buyer") or {}
    grand_total = (order.get("proceeds") or {}).get("grandTotal") or {}
    lines = map_lines(order.get("orderItems") or [])
    return {
        "order_ref": order_ref,
        "status": fulfillment.get("fulfillmentStatus"),
        "channel": channel,
        "marketplace_id": marketplace_id,
        "marketplace_name": (order.get("salesChannel") or {}).get("marketplaceName") or "",
        "currency": grand_total.get("currencyCode") or _first_item_currency(order),
        "created": parse_datetime(order.get("createdTime")),
        "last_updated": parse_datetime(order.get("lastUpdatedTime") or order.get("createdTime")),
        "ship_by": parse_datetime((fulfillment.get("shipByWindow") or {}).get("latestDateTime")),
        "deliver_by": parse_datetime((fulfillment.get("deliverByWindow") or {}).get("latestDateTime")),
        "is_prime": const.PROGRAM_PRIME in programs,
        "is_business": const.PROGRAM_BUSINESS in programs,
        "purchase_order_number": buyer.get("buyerPurchaseOrderNumber") or False,
        "replaced_order_ref": _replaced_order_ref(order),
        "grand_total": money(grand_total) if grand_total else sum((l["gross"] for l in lines), ZERO),
        "buyer": {
            "name": (buyer.get("buyerName") or "").strip(),
            "email": (buyer.get("buyerEmail") or "").strip().lower(),
            "company_name": (buyer.get("buyerCompanyName") or "").strip(),
        },
        "address": map_address((order.get("recipient") or {}).get("deliveryAddress") or {}),
        "lines": lines,
    }


def map_address(address):
    """A ``CustomerAddress`` as partner-like values (country and state as codes)."""
    street = address.get("addressLine1") or ""
    street2 = " ".join(filter(None, [address.get("addressLine2"), address.get("addressLine3")]))
    return {
        "name": (address.get("name") or "").strip(),
        "company_name": (address.get("companyName") or "").strip(),
        "street": street.strip(),
        "street2": street2.strip(),
        "city": (address.get("city") or address.get("municipality") or "").strip(),
        "state_code": (address.get("stateOrRegion") or "").strip(),
        "zip": (address.get("postalCode") or "").strip(),
        "country_code": (address.get("countryCode") or "").strip().upper(),
        "phone": (address.get("phone") or "").strip(),
    }


def map_lines(items):
    """One product line per item, then one line per kind of charge summed over the items.

    Each line: ``kind`` (product, shipping, gift_wrap, promotion, other), ``gross`` (amount with
    its tax), ``quantity``, and for products ``sku``, ``title``, ``item_id``. Charge lines carry
    ``details`` (gift messages, promotion ids) for their description.
    """
    products, charges, details = [], defaultdict(lambda: ZERO), defaultdict(list)
    for item in items:
        quantity = int(item.get("quantityOrdered") or 0)
        if quantity <= 0:
            continue  # fully cancelled item
        sku = ((item.get("product") or {}).get("sellerSku") or "").strip()
        if not sku:
            raise AmazonDataError(f"orderItems[{item.get('orderItemId')}].product.sellerSku is missing")
        amounts = _item_amounts(item, quantity)
        products.append({
            "kind": "product",
            "item_id": item.get("orderItemId"),
            "sku": sku,
            "title": (item["product"].get("title") or sku).strip(),
            "quantity": quantity,
            "gross": amounts.pop("product"),
        })
        for kind, amount in amounts.items():
            charges[kind] += amount
        details["gift_wrap"] += _gift_messages(item)
        details["promotion"] += [
            promo["promotionId"] for promo in (item.get("promotion") or {}).get("breakdowns") or []
            if promo.get("promotionId")
        ]
    charge_lines = [
        {"kind": kind, "gross": charges[kind], "quantity": 1,
         "details": sorted(set(details[kind]), key=details[kind].index)}
        for kind in ("shipping", "gift_wrap", "promotion", "other")
        if kind in charges and (charges[kind] or details[kind])
    ]
    return products + charge_lines


def _item_amounts(item, quantity):
    """The item's proceeds split by line kind, each with the tax Amazon attributes to it."""
    breakdowns = (item.get("proceeds") or {}).get("breakdowns")
    if not breakdowns:  # no proceeds yet: the listed unit price is all there is
        unit_price = money(((item.get("product") or {}).get("price") or {}).get("unitPrice"))
        return {"product": unit_price * quantity}
    amounts = defaultdict(lambda: ZERO)
    for breakdown in breakdowns:
        kind = breakdown.get("type")
        if kind == "TAX":
            _add_tax(amounts, breakdown)
        elif kind == "ITEM":
            amounts["product"] += money(breakdown.get("subtotal"))
        else:
            amounts[const.CHARGE_LINE_KINDS.get(kind, "other")] += money(breakdown.get("subtotal"))
    amounts.setdefault("product", ZERO)
    return dict(amounts)


def _add_tax(amounts, breakdown):
    """Attribute a TAX breakdown to the line kinds its detailed breakdowns name."""
    attributed = ZERO
    for detail in breakdown.get("detailedBreakdowns") or []:
        value = money(detail.get("value"))
        subtype = detail.get("subtype")
        kind = "product" if subtype == "ITEM" else const.CHARGE_LINE_KINDS.get(subtype, "other")
        amounts[kind] += value
        attributed += value
    amounts["product"] += money(breakdown.get("subtotal")) - attributed


def _gift_messages(item):
    option = ((item.get("fulfillment") or {}).get("packing") or {}).get("giftOption") or {}
    return [option["giftMessage"].strip()] if (option.get("giftMessage") or "").strip() else []


def _first_item_currency(order):
    for item in order.get("orderItems") or []:
        unit_price = ((item.get("product") or {}).get("price") or {}).get("unitPrice") or {}
        if unit_price.get("currencyCode"):
            return unit_price["currencyCode"]
    return False


def _replaced_order_ref(order):
    for association in order.get("associatedOrders") or []:
        if association.get("associationType") in const.REPLACEMENT_ASSOCIATION_TYPES:
            return association.get("orderId") or False
    return False


def address_key(address):
    """A stable fingerprint of a delivery address, to find the partner that already has it."""
    fields = ("name", "company_name", "street", "street2", "city", "state_code", "zip", "country_code")
    text = "\x1f".join(address.get(name, "").casefold() for name in fields)
    return hashlib.sha1(text.encode()).hexdigest()


def buyer_key(mapped):
    """Who the buyer is, as far as Amazon tells: the buyer's (anonymised) e-mail address, else
    the name at that address, else nobody known — then the order itself, so that anonymous
    buyers never share one partner."""
    buyer = mapped["buyer"]
    if buyer["email"]:
        return f"email:{buyer['email']}"
    if buyer["name"] or mapped["address"]["name"]:
        return f"name:{address_key(mapped['address'])}:{(buyer['name'] or '').casefold()}"
    return f"order:{mapped['order_ref']}"
