import json

from odoo.tests import BaseCase, tagged

from ..formats.stock_mapper import listings_quantity_feed, map_inventory_summary, read_processing_report
from ..utils import AmazonDataError


def summary(**details):
    return {"sellerSku": " SKU-1 ", "inventoryDetails": {
        "fulfillableQuantity": 7, "inboundWorkingQuantity": 1, "inboundShippedQuantity": 2,
        "inboundReceivingQuantity": 3, "reservedQuantity": {"totalReservedQuantity": 4},
        "unfulfillableQuantity": {"totalUnfulfillableQuantity": 5}, **details}}


@tagged("post_install", "-at_install")
class TestStockMapper(BaseCase):
    """Inventory summaries and listings feeds as plain values (pure, no database)."""

    def test_summary_quantities(self):
        """Test that inbound adds working, shipped and receiving units."""
        self.assertEqual(map_inventory_summary(summary()), {
            "sku": "SKU-1", "fulfillable": 7, "inbound": 6, "reserved": 4, "unfulfillable": 5})

    def test_wrong_quantities_are_named(self):
        """Test that a quantity that is no whole number >= 0 is named by its path."""
        with self.assertRaisesRegex(AmazonDataError, r"inventorySummaries\[3\]\.inventoryDetails"
                                                     r"\.fulfillableQuantity -1 is not a whole"):
            map_inventory_summary(summary(fulfillableQuantity=-1), "inventorySummaries[3]")
        with self.assertRaisesRegex(AmazonDataError, "totalReservedQuantity '2'"):
            map_inventory_summary(summary(reservedQuantity={"totalReservedQuantity": "2"}))
        with self.assertRaisesRegex(AmazonDataError, "inventoryDetails is missing"):
            map_inventory_summary({"sellerSku": "SKU-1"})

    def test_feed_document(self):
        """Test that the feed holds one PATCH of fulfillment_availability per SKU."""
        document = json.loads(listings_quantity_feed("A2SELLER", [("A", 3), ("B", 0)]))
        self.assertEqual(document["header"]["sellerId"], "A2SELLER")
        self.assertEqual(document["header"]["version"], "2.0")
        self.assertEqual(document["messages"][1], {
            "messageId": 2, "sku": "B", "operationType": "PATCH", "productType": "PRODUCT",
            "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                         "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}]}]})

    def test_processing_report(self):
        """Test that errors are read per message, feed-wide ones apart, warnings left out."""
        report = json.dumps({"issues": [
            {"messageId": 2, "code": "90220", "severity": "ERROR", "message": "bad quantity"},
            {"messageId": 3, "code": "99", "severity": "WARNING", "message": "just saying"},
            {"code": "InvalidJSON", "severity": "ERROR", "message": "unreadable"},
        ], "summary": {"messagesProcessed": 3}}).encode()
        per_message, whole_feed, summary_ = read_processing_report(report)
        self.assertEqual(per_message, {2: "90220: bad quantity"})
        self.assertEqual(whole_feed, ["InvalidJSON: unreadable"])
        self.assertEqual(summary_["messagesProcessed"], 3)
        with self.assertRaisesRegex(AmazonDataError, "not JSON"):
            read_processing_report(b"<html>")
