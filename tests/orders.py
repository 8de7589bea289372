"""Build Orders API 2026-01-01 ``Order`` dicts for tests that replay chosen orders."""

from decimal import Decimal

MARKETPLACES = {
    "US": ("ATVPDKIKX0DER", "Amazon.com", "USD", "US"),
    "DE": ("A1PA6795UKMFR9", "Amazon.de", "EUR", "DE"),
    "FR": ("A13V1IB3VIYZZH", "Amazon.fr", "EUR", "FR"),
    "UK": ("A1F83G8C2ARO7P", "Amazon.co.uk", "GBP", "GB"),
    "JP": ("A1VC38T7YXB528", "Amazon.co.jp", "JPY", "JP"),
}


def money(amount, currency):
    return {"amount": str(amount), "currencyCode": currency}


def make_order(order_id, market="DE", fulfilled_by="MERCHANT", status="UNSHIPPED",
               items=(("SKU-1", 1, "10.00"),), buyer_name="Erika Mustermann",
               updated="2026-11-01T10:00:00Z", currency=None, shipping=None):
    """An order with one item per (sku, quantity, unit price); prices include tax (EU style)."""
    marketplace_id, marketplace_name, default_currency, country = MARKETPLACES[market]
    currency = currency or default_currency
    order_items, total = [], Decimal(0)
    for index, (sku, quantity, unit_price) in enumerate(items):
        subtotal = Decimal(unit_price) * quantity
        breakdowns = [{"type": "ITEM", "subtotal": money(subtotal, currency)}]
        if shipping and index == 0:
            breakdowns.append({"type": "SHIPPING", "subtotal": money(shipping, currency)})
            subtotal += Decimal(shipping)
        total += subtotal
        order_items.append({
            "orderItemId": f"{order_id.replace('-', '')}{index}",
            "quantityOrdered": quantity,
            "product": {"asin": f"B0TEST{index:04d}", "title": f"Test product {sku}",
                        "sellerSku": sku, "price": {"unitPrice": money(unit_price, currency)}},
            "proceeds": {"proceedsTotal": money(subtotal, currency), "breakdowns": breakdowns},
            "fulfillment": {"quantityFulfilled": 0, "quantityUnfulfilled": quantity},
        })
    return {
        "orderId": order_id,
        "createdTime": "2026-10-30T08:00:00Z",
        "lastUpdatedTime": updated,
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": marketplace_id,
                         "marketplaceName": marketplace_name},
        "buyer": {"buyerName": buyer_name, "buyerEmail": f"{order_id}@marketplace.amazon.de"},
        "recipient": {"deliveryAddress": {
            "name": buyer_name, "addressLine1": "Hauptstraße 1", "city": "Berlin",
            "postalCode": "10115", "countryCode": country, "addressType": "RESIDENTIAL"}},
        "fulfillment": {
            "fulfillmentStatus": status, "fulfilledBy": fulfilled_by,
            "shipByWindow": {"latestDateTime": "2026-11-03T23:59:59Z"},
            "deliverByWindow": {"latestDateTime": "2026-11-06T23:59:59Z"},
        },
        "orderItems": order_items,
        "proceeds": {"grandTotal": money(total, currency)},
    }


def with_facilitator_tax(order, tax, responsible="Amazon Services, Inc."):
    """``order`` with a first item whose tax Amazon collects as marketplace facilitator or
    deemed supplier (``responsible`` withholds and remits it)."""
    item = order["orderItems"][0]
    currency = item["proceeds"]["proceedsTotal"]["currencyCode"]
    item["proceeds"]["breakdowns"].append({"type": "TAX", "subtotal": money(tax, currency)})
    item["tax"] = {"taxCollections": [{"model": "MARKETPLACE_FACILITATOR",
                                       "responsibleParty": responsible}]}
    total = float(order["proceeds"]["grandTotal"]["amount"]) + float(tax)
    order["proceeds"]["grandTotal"] = money(f"{total:.2f}", currency)
    return order
