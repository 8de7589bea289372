"""Amazon order (an Orders API 2026-01-01 ``Order`` dict) → plain values for Odoo.

Pure functions, no ORM: the importer decides what to do with what they return. Amounts are
``Decimal`` so that sums are exact; every line carries its amount *including* the tax Amazon
reports for it (``gross``), which lets the importer derive prices whatever the taxes in Odoo.

What the mapper reads is checked on the way: a value of the wrong type, a quantity that is not a
whole number of units, an amount that is not a finite decimal, a timestamp out of this century...
raise ``AmazonDataError`` naming the field by its path in the order
(``orderItems[2].quantityOrdered``, items counted from 0) and quoting the value, cut short. What
it does not read is left alone.
"""

from collections import defaultdict
import hashlib
import math

from odoo.tools.translate import LazyTranslate

from .. import const
from ..utils import ZERO, AmazonDataError, parse_amount, parse_money, parse_timestamp, shorten

_lt = LazyTranslate(__name__)

#: The longest ``orderId`` accepted: Amazon's are 19 characters (``3-7-7``), but the Orders API
#: model gives no maxLength; 50 leaves room for other formats while refusing garbage.
ORDER_ID_MAX_LENGTH = 50
#: The largest ``quantityOrdered`` accepted (the model gives no maximum; no order line reaches it).
QUANTITY_LIMIT = 10 ** 6


_KNOWN_STATUSES = {value for value, _label in const.ORDER_STATUSES}


def map_order(order):
    """Everything the importer needs from one order, or ``AmazonDataError`` naming what is
    missing or wrong."""
    if not isinstance(order, dict):
        raise AmazonDataError(_lt("the order %(value)s is not an object", value=shorten(order)))
    order_ref = order.get("orderId")
    if order_ref is None or order_ref == "":
        raise AmazonDataError(_lt("%(field)s is missing", field="orderId"))
    if not isinstance(order_ref, str):
        raise AmazonDataError(_lt("%(field)s %(value)s is not a string",
                                  field="orderId", value=shorten(order_ref)))
    if len(order_ref) > ORDER_ID_MAX_LENGTH:
        raise AmazonDataError(_lt("%(field)s %(value)s is longer than %(limit)s characters",
                                  field="orderId", value=shorten(order_ref),
                                  limit=ORDER_ID_MAX_LENGTH))
    fulfillment = _object(order, "fulfillment", "")
    channel = const.FULFILLED_BY_TO_CHANNEL.get(_text(fulfillment, "fulfilledBy", "fulfillment"))
    if not channel:
        raise AmazonDataError(_lt("%(field)s %(value)s is unknown", field="fulfillment.fulfilledBy",
                                  value=shorten(fulfillment.get("fulfilledBy"))))
    status = _text(fulfillment, "fulfillmentStatus", "fulfillment", default=None)
    if status not in _KNOWN_STATUSES:
        raise AmazonDataError(_lt("%(field)s %(value)s is unknown",
                                  field="fulfillment.fulfillmentStatus", value=shorten(status)))
    sales_channel = _object(order, "salesChannel", "")
    marketplace_id = _text(sales_channel, "marketplaceId", "salesChannel")
    if not marketplace_id:
        raise AmazonDataError(_lt("%(field)s is missing", field="salesChannel.marketplaceId"))
    programs = _list(order, "programs", "")
    buyer = _object(order, "buyer", "")
    grand_total = _object(_object(order, "proceeds", ""), "grandTotal", "proceeds")
    items = _list(order, "orderItems", "")
    lines = map_lines(items, order_cancelled=status == "CANCELLED")
    lines += _order_level_lines(_object(order, "proceeds", ""))
    if grand_total:
        total = parse_amount(grand_total.get("amount"), "proceeds.grandTotal.amount")
        if total < 0:
            raise AmazonDataError(_lt("%(field)s %(value)s is negative",
                                      field="proceeds.grandTotal.amount",
                                      value=shorten(grand_total["amount"])))
    else:
        total = sum((l["gross"] for l in lines), ZERO)
    created = parse_timestamp(order.get("createdTime"), "createdTime")
    last_updated = order.get("lastUpdatedTime")
    if not created and (last_updated is None or last_updated == ""):
        raise AmazonDataError(  # no version known
            _lt("lastUpdatedTime and createdTime are missing"))
    ship_by = _object(fulfillment, "shipByWindow", "fulfillment").get("latestDateTime")
    deliver_by = _object(fulfillment, "deliverByWindow", "fulfillment").get("latestDateTime")
    return {
        "order_ref": order_ref,
        "status": status,
        "channel": channel,
        "marketplace_id": marketplace_id,
        "marketplace_name": _text(sales_channel, "marketplaceName", "salesChannel"),
        "currency": (_text(grand_total, "currencyCode", "proceeds.grandTotal")
                     or _first_item_currency(items)),
        "created": created,
        "last_updated": (created if last_updated is None or last_updated == ""
                         else parse_timestamp(last_updated, "lastUpdatedTime")),
        "ship_by": parse_timestamp(ship_by, "fulfillment.shipByWindow.latestDateTime"),
        "deliver_by": parse_timestamp(deliver_by, "fulfillment.deliverByWindow.latestDateTime"),
        "is_prime": const.PROGRAM_PRIME in programs,
        "is_business": const.PROGRAM_BUSINESS in programs,
        "purchase_order_number": _text(buyer, "buyerPurchaseOrderNumber", "buyer") or False,
        "replaced_order_ref": _replaced_order_ref(order),
        "promotion_ids": _all_promotion_ids(items),
        "cancel_request": _buyer_cancel_request(items),
        "buyer_tax": _buyer_tax_registration(order),
        "grand_total": total,
        "tax_collected_by_amazon": any(
            _collected_by_marketplace(item, f"orderItems[{index}]")
            for index, item in enumerate(items)),
        "buyer": {
            "name": _text(buyer, "buyerName", "buyer").strip(),
            "email": _text(buyer, "buyerEmail", "buyer").strip().lower(),
            "company_name": _text(buyer, "buyerCompanyName", "buyer").strip(),
        },
        "address": map_address(
            _object(_object(order, "recipient", ""), "deliveryAddress", "recipient")),
        "lines": lines,
    }


def _buyer_cancel_request(items):
    """The buyer's reason when an item carries a cancellation request
    (``orderItems[].cancellation.cancellationRequest``) not executed yet, ``False``
    otherwise."""
    for item in items:
        cancellation = (item.get("cancellation") or {}) if isinstance(item, dict) else {}
        request = cancellation.get("cancellationRequest") or {}
        if request and not cancellation.get("cancellationExecution"):  # not cancelled yet
            return (request.get("cancelReason") or "").strip() or "-"
    return False


def map_address(address, path="recipient.deliveryAddress"):
    """A ``CustomerAddress`` (found at ``path``) as partner-like values (country and state as
    codes)."""
    street2 = " ".join(filter(None, [_text(address, "addressLine2", path),
                                     _text(address, "addressLine3", path)]))
    return {
        "name": _text(address, "name", path).strip(),
        "company_name": _text(address, "companyName", path).strip(),
        "street": _text(address, "addressLine1", path).strip(),
        "street2": street2.strip(),
        "city": (_text(address, "city", path) or _text(address, "municipality", path)).strip(),
        "state_code": _text(address, "stateOrRegion", path).strip(),
        "zip": _text(address, "postalCode", path).strip(),
        "country_code": _text(address, "countryCode", path).strip().upper(),
        "phone": _text(address, "phone", path).strip(),
    }


def map_lines(items, order_cancelled=False):
    """One product line per item, then one line per kind of charge summed over the items.

    Each line: ``kind`` (product, shipping, gift_wrap, promotion, other, mf_tax: the tax Amazon
    collects as marketplace facilitator, apart from the lines it was charged on), ``gross``
    (amount with the seller's own tax), ``quantity``, and for products ``sku``, ``title``, ``item_id``,
    ``serial_numbers`` (those Amazon shipped, mostly FBA). Charge lines carry
    ``details`` (gift messages, promotion ids) for their description. Cancelled items (quantity
    0, the item or the whole order cancelled) have no line.
    """
    products, charges, details = [], defaultdict(lambda: ZERO), defaultdict(list)
    for index, item in enumerate(items):
        path = f"orderItems[{index}]"
        if not isinstance(item, dict):
            raise AmazonDataError(_lt("%(field)s %(value)s is not an object",
                                      field=path, value=shorten(item)))
        quantity = item.get("quantityOrdered")
        if type(quantity) is not int or not 0 < quantity <= QUANTITY_LIMIT:  # bool is no quantity
            quantity = _quantity(item, path, order_cancelled)
        if not quantity:
            continue  # fully cancelled item
        product = _object(item, "product", path)
        sku = _text(product, "sellerSku", path, ".product").strip()
        if not sku:
            raise AmazonDataError(_lt("%(field)s is missing", field=f"{path}.product.sellerSku"))
        amounts = _item_amounts(item, product, quantity, path)
        customization = _object(product, "customization", path, ".product")
        products.append({
            "kind": "product",
            "item_id": _text(item, "orderItemId", path, default=None),
            "sku": sku,
            "title": (_text(product, "title", path, ".product") or sku).strip(),
            "quantity": quantity,
            "gross": amounts.pop("product"),
            "gift_message": " / ".join(_gift_messages(item, path)),
            "customized_url": _text(customization, "customizedUrl",
                                    path, ".product.customization").strip(),
            "serial_numbers": _serial_numbers(product, path),
        })
        for kind, amount in amounts.items():
            charges[kind] += amount
        details["gift_wrap"] += _gift_messages(item, path)
        details["promotion"] += _promotion_ids(item, path)
    charge_lines = [
        {"kind": kind, "gross": charges[kind], "quantity": 1,
         "details": sorted(set(details[kind]), key=details[kind].index)}
        for kind in ("shipping", "gift_wrap", "promotion", "other", "mf_tax")
        if kind in charges and (charges[kind] or details[kind])
    ]
    return products + charge_lines


def _serial_numbers(product, path):
    """``product.serialNumbers``: the serial numbers Amazon shipped (mostly FBA), stripped,
    empty ones left out."""
    numbers = _list(product, "serialNumbers", path, ".product")
    for index, number in enumerate(numbers):
        if not isinstance(number, str):
            raise AmazonDataError(_lt("%(field)s %(value)s is not a string",
                                      field=f"{path}.product.serialNumbers[{index}]",
                                      value=shorten(number)))
    return [number.strip() for number in numbers if number.strip()]


def _order_level_lines(proceeds):
    """Charges applied to the whole order (``DELIVERY_TIP``): one line each, with their status
    (PENDING, FINALIZED) as detail; they can appear or change after the order."""
    lines = []
    breakdowns = _list(proceeds, "breakdowns", "proceeds")
    for index, breakdown in enumerate(breakdowns):
        where = f"proceeds.breakdowns[{index}]"
        if not isinstance(breakdown, dict):
            raise AmazonDataError(_lt("%(field)s %(value)s is not an object",
                                      field=where, value=shorten(breakdown)))
        kind = const.ORDER_LEVEL_CHARGE_KINDS.get(_text(breakdown, "type", where))
        if kind:
            lines.append({
                "kind": kind, "quantity": 1,
                "gross": parse_money(breakdown.get("subtotal"), where + ".subtotal"),
                "details": [status] if (status := _text(breakdown, "status", where)) else [],
            })
    return lines


def _buyer_tax_registration(order):
    """The business buyer's tax registration (``tax.taxRegistrations``, entity BUYER) as
    ``{"number", "legal_name"}``, or None."""
    registrations = _list(_object(order, "tax", ""), "taxRegistrations", "tax")
    for index, registration in enumerate(registrations):
        where = f"tax.taxRegistrations[{index}]"
        if not isinstance(registration, dict):
            raise AmazonDataError(_lt("%(field)s %(value)s is not an object",
                                      field=where, value=shorten(registration)))
        number = _text(registration, "taxRegistrationNumber", where).strip()
        if _text(registration, "entityType", where) == "BUYER" and number:
            return {"number": number, "legal_name": _text(registration, "legalName", where).strip()}
    return None


def _all_promotion_ids(items):
    """Every promotion id of the order's items, in order, once, also of promotions without
    amount (they still explain the price)."""
    promotion_ids = []
    for index, item in enumerate(items):
        if isinstance(item, dict):
            promotion_ids += _promotion_ids(item, f"orderItems[{index}]")
    return list(dict.fromkeys(promotion_ids))


def _quantity(item, path, order_cancelled):
    """The item's ``quantityOrdered``: a whole number from 1 to ``QUANTITY_LIMIT``, or 0 (also
    when absent) for an item that is cancelled, as the item itself or its whole order says."""
    value = item.get("quantityOrdered")
    quantity = value
    if type(quantity) is not int:  # bool is an int, but not a quantity
        if quantity is None:
            quantity = 0
        elif not isinstance(quantity, float) or not math.isfinite(quantity):
            raise AmazonDataError(_lt("%(field)s %(value)s is not a number",
                                      field=f"{path}.quantityOrdered", value=shorten(value)))
        elif not quantity.is_integer():
            raise AmazonDataError(_lt("%(field)s %(value)s is not a whole number",
                                      field=f"{path}.quantityOrdered", value=shorten(value)))
        else:
            quantity = int(quantity)
    if quantity > QUANTITY_LIMIT:
        raise AmazonDataError(_lt("%(field)s %(value)s is more than %(limit)s",
                                  field=f"{path}.quantityOrdered", value=shorten(value),
                                  limit=QUANTITY_LIMIT))
    if quantity < 0:
        raise AmazonDataError(_lt("%(field)s %(value)s is negative",
                                  field=f"{path}.quantityOrdered", value=shorten(value)))
    if not quantity and not order_cancelled and not _object(item, "cancellation", path):
        if value is None:
            raise AmazonDataError(_lt("%(field)s is missing and the item is not cancelled",
                                      field=f"{path}.quantityOrdered"))
        raise AmazonDataError(_lt("%(field)s %(value)s is not positive and the item is not "
                                  "cancelled", field=f"{path}.quantityOrdered",
                                  value=shorten(value)))
    return quantity


def _item_amounts(item, product, quantity, path):
    """The item's proceeds split by line kind, each with the tax Amazon attributes to it."""
    breakdowns = _list(_object(item, "proceeds", path), "breakdowns", path, ".proceeds")
    if not breakdowns:  # no proceeds yet: the listed unit price is all there is
        price = _object(product, "price", path, ".product")
        unit_price = parse_money(price.get("unitPrice"), path + ".product.price.unitPrice")
        return {"product": unit_price * quantity}
    amounts = defaultdict(lambda: ZERO)
    for index, breakdown in enumerate(breakdowns):
        where = f"{path}.proceeds.breakdowns[{index}]"
        if not isinstance(breakdown, dict):
            raise AmazonDataError(_lt("%(field)s %(value)s is not an object",
                                      field=where, value=shorten(breakdown)))
        kind = breakdown.get("type")  # checked only where it is looked up
        subtotal = parse_money(breakdown.get("subtotal"), where + ".subtotal")
        if kind == "TAX" and _collected_by_marketplace(item, path):
            amounts["mf_tax"] += subtotal  # Amazon's to remit: not the seller's revenue
        elif kind == "TAX":
            _add_tax(amounts, breakdown, subtotal, where)
        elif kind == "ITEM":
            amounts["product"] += subtotal
        else:
            kind = const.CHARGE_LINE_KINDS.get(_text(breakdown, "type", where), "other")
            amounts[kind] += subtotal
    amounts.setdefault("product", ZERO)
    return dict(amounts)


def _collected_by_marketplace(item, path):
    """Whether Amazon withholds and remits the item's tax itself (marketplace facilitator)."""
    collections = _list(_object(item, "tax", path), "taxCollections", path, ".tax")
    return any(isinstance(collection, dict)
               and collection.get("model") == const.TAX_MODEL_MARKETPLACE_FACILITATOR
               for collection in collections)


def _add_tax(amounts, breakdown, subtotal, path):
    """Attribute a TAX breakdown (found at ``path``) to the line kinds its detailed breakdowns
    name."""
    attributed = ZERO
    for index, detail in enumerate(_list(breakdown, "detailedBreakdowns", path)):
        where = f"{path}.detailedBreakdowns[{index}]"
        if not isinstance(detail, dict):
            raise AmazonDataError(_lt("%(field)s %(value)s is not an object",
                                      field=where, value=shorten(detail)))
        value = parse_money(detail.get("value"), where + ".value")
        if detail.get("subtype") == "ITEM":
            kind = "product"
        else:
            kind = const.CHARGE_LINE_KINDS.get(_text(detail, "subtype", where), "other")
        amounts[kind] += value
        attributed += value
    amounts["product"] += subtotal - attributed


def _gift_messages(item, path):
    packing = _object(_object(item, "fulfillment", path), "packing", path, ".fulfillment")
    if not packing:
        return []
    option = _object(packing, "giftOption", path, ".fulfillment.packing")
    message = _text(option, "giftMessage", path, ".fulfillment.packing.giftOption").strip()
    return [message] if message else []


def _promotion_ids(item, path):
    if item.get("promotion") is None:
        return []
    promotion_ids = []
    breakdowns = _list(_object(item, "promotion", path), "breakdowns", path, ".promotion")
    for index, promotion in enumerate(breakdowns):
        where = f"{path}.promotion.breakdowns[{index}]"
        if not isinstance(promotion, dict):
            raise AmazonDataError(_lt("%(field)s %(value)s is not an object",
                                      field=where, value=shorten(promotion)))
        if promotion_id := _text(promotion, "promotionId", where):
            promotion_ids.append(promotion_id)
    return promotion_ids


def _first_item_currency(items):
    for index, item in enumerate(items):
        path = f"orderItems[{index}]"
        price = _object(_object(item, "product", path), "price", path, ".product")
        unit_price = _object(price, "unitPrice", path, ".product.price")
        if currency := _text(unit_price, "currencyCode", path, ".product.price.unitPrice"):
            return currency
    return False


def _replaced_order_ref(order):
    for index, association in enumerate(_list(order, "associatedOrders", "")):
        where = f"associatedOrders[{index}]"
        if not isinstance(association, dict):
            raise AmazonDataError(_lt("%(field)s %(value)s is not an object",
                                      field=where, value=shorten(association)))
        if _text(association, "associationType", where) in const.REPLACEMENT_ASSOCIATION_TYPES:
            return _text(association, "orderId", where) or False
    return False


# === CHECKED ACCESS === #
# ``path + sub`` is where ``container`` is in the order ("" for the order itself), to name the
# field; given in two parts so that the usual case (no error) never joins them.

def _object(container, key, path, sub=""):
    """``container[key]`` when it is an object, ``{}`` when absent, else ``AmazonDataError``."""
    value = container.get(key)
    if isinstance(value, dict):
        return value
    if value is None:
        return {}
    raise AmazonDataError(_lt("%(field)s %(value)s is not an object",
                              field=_field(path + sub, key), value=shorten(value)))


def _list(container, key, path, sub=""):
    """``container[key]`` when it is a list, ``[]`` when absent; ``AmazonDataError`` otherwise."""
    value = container.get(key)
    if isinstance(value, list):
        return value
    if value is None:
        return []
    raise AmazonDataError(_lt("%(field)s %(value)s is not a list",
                              field=_field(path + sub, key), value=shorten(value)))


def _text(container, key, path, sub="", default=""):
    """``container[key]`` when it is a string, ``default`` when absent, else ``AmazonDataError``."""
    value = container.get(key)
    if isinstance(value, str):
        return value
    if value is None:
        return default
    raise AmazonDataError(_lt("%(field)s %(value)s is not a string",
                              field=_field(path + sub, key), value=shorten(value)))


def _field(path, key):
    return f"{path}.{key}" if path else key


def address_key(address):
    """A stable fingerprint of a delivery address, to find the partner that already has it."""
    fields = ("name", "company_name", "street", "street2", "city", "state_code", "zip", "country_code")
    text = "\x1f".join(address.get(name, "").casefold() for name in fields)
    return hashlib.sha1(text.encode()).hexdigest()


def recipient_is_buyer(mapped):
    """Whether the parcel goes to the buyer: the recipient bears the buyer's name, or Amazon
    withholds one of the two names. A gift, an office or a relative is another person, whose
    name, company and phone belong on the delivery, not on the buyer."""
    recipient = mapped["address"]["name"].casefold()
    buyer = (mapped["buyer"]["name"] or "").casefold()
    return not recipient or not buyer or recipient == buyer


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
