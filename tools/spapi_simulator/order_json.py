"""Orders 2026-01-01 JSON: the `Order` object of an order at a time (limited to the requested
includedData sets), and orders replayed from such objects (--orders-file)."""

import copy

from .clock import DAY, iso, parse_iso
from .const import MARKETPLACE_BY_CODE, MARKETPLACE_BY_ID
from .money import money, to_minor
from .orders import CANCELLED, PENDING, UNSHIPPED, Item, Order

ALL_INCLUDED = ("BUYER", "RECIPIENT", "PROCEEDS", "EXPENSE", "PROMOTION", "CANCELLATION",
                "FULFILLMENT", "PACKAGES", "TAX", "PAYMENT", "FULFILLMENT_ORDERS")


def render_order(order, now, included):
    """The Orders 2026-01-01 `Order` object at `now`, limited to the includedData sets."""
    status, updated = order.status(now)
    if order.raw is not None:
        return _render_raw(order, now, status, updated, included)
    m, cur = order.market, order.currency
    out = {
        "orderId": order.order_id,
        "createdTime": iso(order.created),
        "lastUpdatedTime": iso(updated),
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": m.id, "marketplaceName": m.name},
    }
    programs = []
    if order.prime:
        programs.append("PRIME")
    if order.business:
        programs.append("AMAZON_BUSINESS")
    if programs:
        out["programs"] = programs
    if order.replacement_of:
        out["associatedOrders"] = [{"orderId": order.replacement_of,
                                    "associationType": "REPLACEMENT_ORIGINAL_ID"}]
    pending = status == PENDING
    if "BUYER" in included and order.buyer and not pending:
        out["buyer"] = dict(order.buyer)
    if "RECIPIENT" in included and not pending:
        out["recipient"] = {"deliveryAddress": dict(order.address)}
    if "TAX" in included and order.tax_registration and not pending:
        out["tax"] = {"taxRegistrations": [dict(order.tax_registration)],
                      "taxInvoicing": {"buyerInvoicePreference": "BUSINESS"}}
    if "FULFILLMENT" in included:
        ship_by_end = order.created - order.created % DAY + 2 * DAY - 1
        out["fulfillment"] = {
            "fulfillmentStatus": status,
            "fulfilledBy": "AMAZON" if order.channel == "FBA" else "MERCHANT",
            "fulfillmentServiceLevel": order.service_level,
            "shipByWindow": {"earliestDateTime": iso(order.unshipped_at),
                             "latestDateTime": iso(max(ship_by_end, order.unshipped_at))},
            "deliverByWindow": {"earliestDateTime": iso(ship_by_end + 1 + DAY),
                                "latestDateTime": iso(ship_by_end + 5 * DAY)},
        }
    shipped = order.shipped_quantities(now)
    items = []
    for item in order.items:
        entry = {
            "orderItemId": item.item_id,
            "quantityOrdered": item.qty,
            "product": {
                "asin": item.asin, "title": item.title, "sellerSku": item.sku,
                "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
                "price": {"unitPrice": money(item.unit, cur)},
            },
        }
        if item.business_price:
            entry["product"]["price"]["priceDesignation"] = "BUSINESS_PRICE"
        if "PROCEEDS" in included and not pending:
            entry["proceeds"] = {"proceedsTotal": money(item.total, cur),
                                 "breakdowns": _item_breakdowns(item, cur)}
        if "PROMOTION" in included and item.promotion_ids:
            entry["promotion"] = {"breakdowns": [{"promotionId": p} for p in item.promotion_ids]}
        request = order.cancel_request if (order.cancel_request is not None
                                           and order.cancel_request[0] <= now) else None
        if "CANCELLATION" in included and status == CANCELLED:
            execution = "BUYER" if order.cancelled_by_api is None else "AMAZON"
            entry["cancellation"] = {
                "cancellationRequest": {"requester": "BUYER",
                                        "cancelReason": request[1] if request else order.cancel_reason},
                "cancellationExecution": {"cancelledBy": execution, "cancelReason": order.cancel_reason},
            }
        elif "CANCELLATION" in included and request:
            # the buyer asked to cancel; the seller has not acted on it (yet)
            entry["cancellation"] = {"cancellationRequest": {"requester": "BUYER",
                                                             "cancelReason": request[1]}}
        if "FULFILLMENT" in included:
            done = shipped.get(item.item_id, 0)
            fulfil = {"quantityFulfilled": done,
                      "quantityUnfulfilled": 0 if status == CANCELLED else item.qty - done}
            if item.gift or item.gift_message:
                gift = {"giftMessage": item.gift_message}
                if item.gift:
                    gift["giftWrapLevel"] = "STANDARD"
                fulfil["packing"] = {"giftOption": gift}
            entry["fulfillment"] = fulfil
        if "TAX" in included and m.tax_mode == "exclusive":
            entry["tax"] = {"taxCollections": [{"model": "MARKETPLACE_FACILITATOR",
                                                "responsibleParty": "Amazon Services, Inc."}]}
        items.append(entry)
    out["orderItems"] = items
    if "PROCEEDS" in included and not pending:
        out["proceeds"] = {"grandTotal": money(sum(i.total for i in order.items), cur),
                           "breakdowns": _order_breakdowns(order.items, cur)}
    if "PACKAGES" in included and order.channel == "FBM":
        packages = [p for p in order.packages if p.stamp <= now]
        if packages:
            out["packages"] = [_render_package(p) for p in packages]
    return out


def _render_package(p):
    return {
        "packageReferenceId": p.reference,
        "createdTime": iso(p.stamp),
        "packageStatus": {"status": "SHIPPED"},
        "carrier": p.carrier,
        "shipTime": iso(p.ship_time),
        "shippingService": p.service,
        "trackingNumber": p.tracking,
        "packageItems": [{"orderItemId": k, "quantity": v} for k, v in p.quantities.items()],
    }


def _breakdown_parts(item):
    return [("ITEM", item.principal), ("SHIPPING", item.shipping), ("GIFT_WRAP", item.gift)]


def _item_breakdowns(item, cur):
    out = [{"type": t, "subtotal": money(v, cur)} for t, v in _breakdown_parts(item) if v or t == "ITEM"]
    if item.tax:
        details = [(s, v) for s, v in (("ITEM", item.tax_item), ("SHIPPING", item.tax_ship),
                                       ("GIFT_WRAP", item.tax_gift)) if v]
        out.append({"type": "TAX", "subtotal": money(item.tax, cur),
                    "detailedBreakdowns": [{"subtype": s, "value": money(v, cur)} for s, v in details]})
    discount = item.discount_item + item.discount_ship
    if discount:
        details = [(s, v) for s, v in (("ITEM", item.discount_item), ("SHIPPING", item.discount_ship)) if v]
        out.append({"type": "DISCOUNT", "subtotal": money(-discount, cur),
                    "detailedBreakdowns": [{"subtype": s, "value": money(-v, cur)} for s, v in details]})
    return out


def _order_breakdowns(items, cur):
    sums = {}
    for item in items:
        for t, v in _breakdown_parts(item) + [("TAX", item.tax),
                                               ("DISCOUNT", -(item.discount_item + item.discount_ship))]:
            sums[t] = sums.get(t, 0) + v
    return [{"type": t, "subtotal": money(sums[t], cur)}
            for t in ("ITEM", "SHIPPING", "GIFT_WRAP", "TAX", "DISCOUNT") if sums.get(t) or t == "ITEM"]


def filter_included(order_json, included):
    """Drop the optional datasets of an Order object that were not asked for."""
    keys = {"BUYER": "buyer", "RECIPIENT": "recipient", "PROCEEDS": "proceeds", "TAX": "tax",
            "FULFILLMENT": "fulfillment", "PACKAGES": "packages", "PAYMENT": "payment",
            "FULFILLMENT_ORDERS": "fulfillmentOrders"}
    item_keys = {"PROCEEDS": "proceeds", "EXPENSE": "expense", "PROMOTION": "promotion",
                 "CANCELLATION": "cancellation", "FULFILLMENT": "fulfillment", "TAX": "tax"}
    for name, key in keys.items():
        if name not in included:
            order_json.pop(key, None)
    for item in order_json.get("orderItems", []):
        for name, key in item_keys.items():
            if name not in included:
                item.pop(key, None)
    return order_json


# -- replay of Orders 2026-01-01 JSON ---------------------------------------------------------
def _minor(money_obj, currency):
    if not money_obj:
        return 0
    return to_minor(money_obj.get("amount", "0"), currency)


def order_from_json(raw):
    """An Order built from an Orders 2026-01-01 `Order` object (served as given, mutable by
    confirmShipment)."""
    mp_id = (raw.get("salesChannel") or {}).get("marketplaceId")
    market = MARKETPLACE_BY_ID.get(mp_id) or MARKETPLACE_BY_CODE["US"]
    fulfillment = raw.get("fulfillment") or {}
    channel = "FBA" if fulfillment.get("fulfilledBy") == "AMAZON" else "FBM"
    order = Order(raw["orderId"], market, channel, int(parse_iso(raw["createdTime"])))
    order.raw = copy.deepcopy(raw)
    order.raw_status = fulfillment.get("fulfillmentStatus") or UNSHIPPED
    order.raw_updated = int(parse_iso(raw.get("lastUpdatedTime") or raw["createdTime"]))
    order.unshipped_at = order.created
    order.prime = "PRIME" in (raw.get("programs") or [])
    for entry in raw.get("orderItems", []):
        product = entry.get("product") or {}
        currency = ((product.get("price") or {}).get("unitPrice") or {}).get("currencyCode") \
            or market.currency
        unit = _minor((product.get("price") or {}).get("unitPrice"), currency)
        item = Item(str(entry["orderItemId"]), product.get("sellerSku") or "", product.get("asin") or "",
                    product.get("title") or "", int(entry.get("quantityOrdered", 1)), unit)
        for b in (entry.get("proceeds") or {}).get("breakdowns", []):
            value = _minor(b.get("subtotal"), currency)
            kind = b.get("type")
            if kind == "SHIPPING":
                item.shipping = value
            elif kind == "GIFT_WRAP":
                item.gift = value
            elif kind == "TAX":
                item.tax_item = value
            elif kind == "DISCOUNT":
                item.discount_item = -value
            elif kind == "ITEM" and value != item.principal:
                item.unit, item.qty = (value // item.qty, item.qty) if value % item.qty == 0 \
                    else (item.unit, item.qty)
        item.promotion_ids = [p.get("promotionId") for p in
                              (entry.get("promotion") or {}).get("breakdowns", []) if p.get("promotionId")]
        order.items.append(item)
    for assoc in raw.get("associatedOrders") or []:
        if assoc.get("associationType") == "REPLACEMENT_ORIGINAL_ID":
            order.replacement_of = assoc.get("orderId")
    return order


def _render_raw(order, now, status, updated, included):
    out = copy.deepcopy(order.raw)
    out["lastUpdatedTime"] = iso(updated)
    fulfillment = out.setdefault("fulfillment", {})
    fulfillment["fulfillmentStatus"] = status
    if order.packages:
        shipped = order.shipped_quantities(now)
        for entry in out.get("orderItems", []):
            done = shipped.get(str(entry["orderItemId"]), 0)
            f = entry.setdefault("fulfillment", {})
            f["quantityFulfilled"] = done
            f["quantityUnfulfilled"] = int(entry.get("quantityOrdered", 0)) - done
        out["packages"] = list(out.get("packages") or []) + [
            _render_package(p) for p in order.packages if p.stamp <= now]
    return filter_included(out, included)
