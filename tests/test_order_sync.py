from collections import Counter
from decimal import Decimal

from odoo import fields
from odoo.tests import tagged

from ..utils import to_amazon_timestamp
from .common import OrderSyncCase


# What the product promises to import (written out, not read from the code under test): FBM
# orders once they can be shipped, FBA orders once Amazon shipped them.
IMPORTABLE = {
    "MERCHANT": {"UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED"},
    "AMAZON": {"SHIPPED"},
}
CHANNELS = {"MERCHANT": "fbm", "AMAZON": "fba"}
PAGE_SIZE = 100  # searchOrders' maxResultsPerPage


def importable(order):
    fulfillment = order["fulfillment"]
    return fulfillment["fulfillmentStatus"] in IMPORTABLE[fulfillment["fulfilledBy"]]


@tagged("post_install", "-at_install")
class TestOrderSync(OrderSyncCase):

    def sync_all(self):
        totals = Counter()
        for account in self.accounts:
            totals.update(self.sync_orders(account))
        return totals

    def test_multi_marketplace_scenario_imported_exactly(self):
        """Test that every importable order of six marketplaces becomes an exact sales order."""
        expected = {o["orderId"]: o for account in self.accounts
                    for o in self.amazon_orders(account) if importable(o)}
        currencies = {o["proceeds"]["grandTotal"]["currencyCode"] for o in expected.values()}
        self.assertGreaterEqual(currencies, {"USD", "CAD", "EUR", "GBP", "JPY"})

        stats = self.sync_all()

        self.assertEqual(stats["created"], len(expected))
        self.assertEqual(stats["failed"], 0)
        orders = self.imported()
        self.assertEqual(sorted(orders.mapped("amazon_order_ref")), sorted(expected))
        for order in orders:
            amazon = expected[order.amazon_order_ref]
            with self.subTest(order=order.amazon_order_ref):
                self.assert_order_matches(order, amazon)
        for account in self.accounts:
            self.assertGreaterEqual(account.late_shipment_rate_30d, 0.0)

    def assert_order_matches(self, order, amazon):
        grand_total = amazon["proceeds"]["grandTotal"]
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.currency_id.name, grand_total["currencyCode"])
        self.assertEqual(order.currency_id.compare_amounts(
            order.amount_total, float(Decimal(grand_total["amount"]))), 0,
            f"total {order.amount_total} != Amazon {grand_total['amount']}")
        self.assertEqual(order.client_order_ref, amazon["orderId"])
        self.assertEqual(order.amazon_marketplace_id.marketplace_id,
                         amazon["salesChannel"]["marketplaceId"])
        items = {item["orderItemId"]: item for item in amazon["orderItems"] if item["quantityOrdered"]}
        product_lines = order.order_line.filtered("amazon_order_item_id")
        self.assertEqual(set(product_lines.mapped("amazon_order_item_id")), set(items))
        for line in product_lines:
            item = items[line.amazon_order_item_id]
            self.assertEqual(line.product_uom_qty, item["quantityOrdered"])
            self.assertEqual(line.product_id, self.products[item["product"]["sellerSku"]])
        delivery = order.partner_shipping_id
        address = amazon["recipient"]["deliveryAddress"]
        self.assertIn(delivery, order.partner_id | order.partner_id.child_ids)
        self.assertEqual(delivery.country_id.code, address["countryCode"])
        self.assertEqual(delivery.zip, address["postalCode"])
        buyer_name = (amazon.get("buyer") or {}).get("buyerName") or address.get("name")
        if buyer_name:
            self.assertEqual(order.partner_id.name, buyer_name)
        else:
            self.assertIn(amazon["orderId"], order.partner_id.name)
            self.assertTrue(order.partner_id.amazon_placeholder_name)
        channel = CHANNELS[amazon["fulfillment"]["fulfilledBy"]]
        self.assertEqual(order.amazon_fulfillment_channel, channel)
        self.assertEqual(order.amazon_is_prime, "PRIME" in (amazon.get("programs") or []))
        replaced = [a["orderId"] for a in amazon.get("associatedOrders") or []
                    if a["associationType"] == "REPLACEMENT_ORIGINAL_ID"]
        original = self.env["sale.order"].search([("amazon_order_ref", "in", replaced)])
        self.assertEqual(order.amazon_replaced_order_id, original)
        if "AMAZON_BUSINESS" in (amazon.get("programs") or []):
            self.assertTrue(order.amazon_is_business)
            self.assertEqual(order.amazon_purchase_order_number,
                             amazon["buyer"].get("buyerPurchaseOrderNumber") or False)
            self.assertEqual(order.partner_id.company_name, amazon["buyer"].get("buyerCompanyName"))
        if channel == "fbm" and amazon["fulfillment"]["fulfillmentStatus"] != "SHIPPED":
            self.assertTrue(order.picking_ids, "an FBM order to ship has its delivery")
            self.assertNotIn("done", order.picking_ids.mapped("state"))
        else:  # delivered at once
            goods = product_lines.filtered(lambda line: line.product_id.type == "consu")
            self.assertEqual(goods.mapped("qty_delivered"), goods.mapped("product_uom_qty"))
            self.assertTrue(all(order.picking_ids.mapped("date_done")))
            self.assertFalse(order._amazon_shipped_late(), "shipped outside Odoo: not late")

    def test_scenario_has_what_the_import_must_handle(self):
        """Test that the scenario exercises replacements, business orders and anonymous buyers."""
        orders = [o for account in self.accounts for o in self.amazon_orders(account) if importable(o)]
        self.assertTrue(any(o.get("associatedOrders") for o in orders))
        self.assertTrue(any("AMAZON_BUSINESS" in (o.get("programs") or []) for o in orders))
        self.assertTrue(any(not (o.get("buyer") or {}).get("buyerName") for o in orders))

    def test_resync_changes_nothing(self):
        """Test that synchronising the same period again neither creates nor changes anything."""
        self.sync_all()
        orders = self.imported()
        served = sum(len(self.amazon_orders(account)) for account in self.accounts)
        partners = self.env["res.partner"].search_count([])
        snapshot = {o.id: (o.amount_total, o.state, len(o.order_line)) for o in orders}
        self.set_checkpoint(self.accounts)

        stats = self.sync_all()

        self.assertEqual(stats["created"], 0)
        self.assertEqual(stats["updated"], 0)
        self.assertEqual(stats["skipped"], served)
        self.assertEqual(self.imported(), orders)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        self.assertEqual({o.id: (o.amount_total, o.state, len(o.order_line)) for o in orders}, snapshot)

    def test_same_buyer_and_address_share_partners(self):
        """Test that a buyer ordering twice to the same address gets one partner and one address."""
        self.sync_all()
        orders = self.imported()
        by_key = {}
        for order in orders:
            by_key.setdefault(order.partner_id.amazon_buyer_key, set()).add(order.partner_id.id)
        self.assertTrue(all(len(ids) == 1 for ids in by_key.values()))
        keys = orders.partner_shipping_id.mapped(
            lambda p: (p.commercial_partner_id.id, p.amazon_address_key))
        self.assertEqual(len(keys), len(set(keys)))
        self.assertFalse(orders.partner_id.child_ids.filtered(
            lambda child: child.amazon_address_key == child.parent_id.amazon_address_key),
            "no child contact repeats its buyer's own address")

    def test_cancellation_cancels_order_and_delivery(self):
        """Test that an order cancelled on Amazon cancels its Odoo order and open delivery."""
        self.sync_all()
        open_orders = self.imported().filtered(
            lambda o: o.amazon_status == "UNSHIPPED" and o.picking_ids)
        self.assertTrue(open_orders, "the scenario has unshipped FBM orders")
        order = open_orders[0]
        self.assertEqual(self.simulator.cancel_order(order.amazon_order_ref), "CANCELLED")

        stats = self.sync_orders(order.amazon_account_id)

        self.assertEqual(stats["updated"], 1)
        self.assertEqual(order.amazon_status, "CANCELLED")
        self.assertEqual(order.state, "cancel")
        self.assertEqual(set(order.picking_ids.mapped("state")), {"cancel"})

    def test_cancellation_after_shipping_raises_activity(self):
        """Test that a cancellation arriving after delivery never cancels silently."""
        self.sync_orders(self.account)
        order = self.imported(self.account).filtered(
            lambda o: o.amazon_fulfillment_channel == "fba")[:1]
        self.assertTrue(order)
        values = {"status": "CANCELLED", "last_updated": order.amazon_last_update,
                  "ship_by": False, "deliver_by": False,
                  "buyer": {"name": ""}, "address": {"name": ""}, "lines": []}
        self.env["amazon.seller.order.import"]._update_order(order, values)
        self.assertEqual(order.state, "sale")
        self.assertIn("cancelled a shipped order", order.activity_ids.summary)

    def test_partial_shipment_status(self):
        """Test that a partially confirmed FBM order is updated to PARTIALLY_SHIPPED."""
        from sp_api.api import Orders

        from ..tools.spapi_simulator.testing import client

        self.sync_all()
        order = self.imported().filtered(
            lambda o: o.amazon_status == "UNSHIPPED" and o.amazon_fulfillment_channel == "fbm"
            and sum(o.order_line.filtered("amazon_order_item_id").mapped("product_uom_qty")) > 1)[:1]
        self.assertTrue(order, "the scenario has an unshipped FBM order of several units")
        line = order.order_line.filtered("amazon_order_item_id")[0]
        client(self.simulator, Orders).confirm_shipment(
            order_id=order.amazon_order_ref,
            marketplaceId=order.amazon_marketplace_id.marketplace_id,
            packageDetail={"packageReferenceId": "1", "carrierCode": "UPS", "trackingNumber": "1Z999",
                           "shipDate": to_amazon_timestamp(fields.Datetime.now()),
                           "orderItems": [{"orderItemId": line.amazon_order_item_id, "quantity": 1}]})

        self.sync_orders(order.amazon_account_id)

        self.assertEqual(order.amazon_status, "PARTIALLY_SHIPPED")
        self.assertEqual(order.state, "sale")



@tagged("post_install", "-at_install")
class TestOrderSyncThrottled(OrderSyncCase):
    """Enough FBM orders on US for two pages of searchOrders."""

    simulator_options = {"orders": 240, "profile": "fbm2", "rate_limits": False}

    def test_throttled_in_the_middle_resumes_from_checkpoint(self):
        """Test that a 429 on the second page stops cleanly and the next run resumes."""
        expected = [o for o in self.amazon_orders(self.account) if importable(o)]
        self.assertGreater(len(expected), PAGE_SIZE, "two pages at least")
        checkpoint = self.orders_state(self.account).checkpoint
        self.simulator.set_faults("429:%2@searchOrders")
        try:
            stats = self.sync_orders(self.account)
        finally:
            self.simulator.set_faults("")

        self.assertEqual(stats["created"], PAGE_SIZE, "the first page is stored")
        self.assertTrue(self.orders_state(self.account).failed)
        self.assertIn("429", self.orders_state(self.account).last_message)
        self.assertFalse(self.account.activity_ids, "throttling needs nobody")
        self.assertEqual(self.orders_state(self.account).checkpoint, checkpoint)
        self.assertTrue(self.orders_state(self.account).resume_token, "the next page is remembered")
        self.simulator.reset_calls()

        stats = self.sync_orders(self.account)

        self.assertFalse(self.orders_state(self.account).failed)
        self.assertEqual(self.simulator.call_counts().get("searchOrders"), 1, "resumed at page 2")
        self.assertEqual(stats["created"], len(expected) - PAGE_SIZE)
        self.assertEqual(stats["skipped"], 0)
        self.assertEqual(len(self.imported(self.account)), len(expected))
        self.assertGreater(self.orders_state(self.account).checkpoint, checkpoint)
        self.assertFalse(self.orders_state(self.account).resume_token)

    def test_rejected_resume_token_restarts_the_window(self):
        """Test that a saved page Amazon no longer knows is dropped, not retried forever."""
        self.orders_state(self.account).write({"resume_token": "expired-token",
                                               "resume_window": fields.Datetime.now()})
        self.sync_orders(self.account)
        self.assertTrue(self.orders_state(self.account).failed)
        self.assertFalse(self.orders_state(self.account).resume_token)
        self.assertFalse(self.account.activity_ids, "it heals by itself: nobody is bothered")
        stats = self.sync_orders(self.account)
        self.assertFalse(self.orders_state(self.account).failed)
        self.assertGreater(stats["created"], PAGE_SIZE)
