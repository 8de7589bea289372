"""FBA inventory summaries and listings feeds ↔ plain values (pure, no ORM).

* :func:`map_inventory_summary`: one ``InventorySummary`` of FBA Inventory v1
  ``getInventorySummaries`` (with details) → the SKU and its fulfillable, inbound (working +
  shipped + receiving), reserved and unfulfillable quantities, or ``AmazonDataError`` naming
  the field.
* :func:`listings_quantity_feed`: quantities per SKU → a ``JSON_LISTINGS_FEED`` document of
  PATCH messages on ``/attributes/fulfillment_availability`` (listings-feed-schema-v2).
* :func:`read_processing_report`: a feed's processing report → its issues per message and the
  issues of the whole feed.
"""

import json

from .. import const
from ..utils import AmazonDataError, shorten


def map_inventory_summary(summary, path="inventorySummaries[0]"):
    """``{"sku", "fulfillable", "inbound", "reserved", "unfulfillable"}`` of one summary."""
    if not isinstance(summary, dict):
        raise AmazonDataError(f"{path} {shorten(summary)} is not an object")
    sku = summary.get("sellerSku")
    if not isinstance(sku, str) or not sku.strip():
        raise AmazonDataError(f"{path}.sellerSku {shorten(sku)} is missing")
    details = summary.get("inventoryDetails")
    if not isinstance(details, dict):
        raise AmazonDataError(f"{path}.inventoryDetails is missing (details=true was asked)")
    detail_path = f"{path}.inventoryDetails"

    def quantity(container, key, where):
        value = container.get(key, 0)
        if value is None:
            return 0
        if type(value) is not int or value < 0:
            raise AmazonDataError(f"{where}.{key} {shorten(value)} is not a whole number >= 0")
        return value

    def nested(key, total_key):
        container = details.get(key) or {}
        if not isinstance(container, dict):
            raise AmazonDataError(f"{detail_path}.{key} {shorten(container)} is not an object")
        return quantity(container, total_key, f"{detail_path}.{key}")

    return {
        "sku": sku.strip(),
        "fulfillable": quantity(details, "fulfillableQuantity", detail_path),
        "inbound": sum(quantity(details, key, detail_path) for key in (
            "inboundWorkingQuantity", "inboundShippedQuantity", "inboundReceivingQuantity")),
        "reserved": nested("reservedQuantity", "totalReservedQuantity"),
        "unfulfillable": nested("unfulfillableQuantity", "totalUnfulfillableQuantity"),
    }


def listings_quantity_feed(seller_id, quantities):
    """The JSON_LISTINGS_FEED document (bytes) setting the merchant-fulfilled quantity of each
    SKU of ``quantities`` (``[(sku, quantity)]``, message ids 1, 2... in that order)."""
    messages = [{
        "messageId": message_id,
        "sku": sku,
        "operationType": "PATCH",
        "productType": const.LISTINGS_PRODUCT_TYPE,
        "patches": [{
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": const.MERCHANT_FULFILLMENT_CHANNEL_CODE,
                       "quantity": quantity}],
        }],
    } for message_id, (sku, quantity) in enumerate(quantities, start=1)]
    document = {"header": {"sellerId": seller_id, "version": const.LISTINGS_FEED_VERSION,
                           "issueLocale": "en_US"},
                "messages": messages}
    return json.dumps(document, separators=(",", ":")).encode()


def read_processing_report(content):
    """``(errors per messageId {id: "code: message; ..."}, errors of the whole feed [text],
    summary dict)`` of a listings feed processing report; warnings are left out. Raise
    ``AmazonDataError`` when the report is unreadable."""
    try:
        report = json.loads(content)
    except (ValueError, UnicodeDecodeError) as error:
        raise AmazonDataError(f"the processing report is not JSON ({error})") from None
    if not isinstance(report, dict):
        raise AmazonDataError("the processing report is not an object")
    per_message, whole_feed = {}, []
    for issue in report.get("issues") or []:
        if not isinstance(issue, dict) or issue.get("severity") != "ERROR":
            continue
        text = f"{issue.get('code')}: {issue.get('message')}"
        message_id = issue.get("messageId")
        if type(message_id) is int:
            per_message.setdefault(message_id, []).append(text)
        else:
            whole_feed.append(text)
    summary = report.get("summary") if isinstance(report.get("summary"), dict) else {}
    return {key: "; ".join(texts) for key, texts in per_message.items()}, whole_feed, summary
