from datetime import timedelta
import json

from odoo import fields
from odoo.tests import tagged

from .common import SimulatorCase

US = "ATVPDKIKX0DER"


@tagged("post_install", "-at_install")
class TestStockPush(SimulatorCase):
    """FBM quantities sent with JSON_LISTINGS_FEED to the simulator, reports read back."""

    simulator_options = {"orders": 10, "seed": 6, "rate_limits": False}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.write({"sync_enabled": True, "merchant_token": "A2SIMSELLER0001",
                           "stock_buffer": 2, "sync_stock_default": True})
        cls.simulator.add_products(US, ["PUSH-1", "PUSH-2", "PUSH-3"], fbm_quantity=50)
        Product = cls.env["product.product"]
        cls.product_1 = Product.create({"name": "Push 1", "is_storable": True})
        cls.product_2 = Product.create({"name": "Push 2", "is_storable": True})
        cls.product_3 = Product.create({"name": "Push 3", "is_storable": True})
        cls.unmapped = Product.create({"name": "Not on Amazon", "is_storable": True})
        Offer = cls.env["amazon.seller.offer"]
        us = cls.marketplace_us

        def offer(sku, product, **values):
            return Offer.create({"account_id": cls.account.id, "marketplace_id": us.id,
                                 "sku": sku, "fulfillment_channel": "fbm",
                                 "product_id": product.id, **values})

        cls.offer_1 = offer("PUSH-1", cls.product_1)
        cls.offer_2 = offer("PUSH-2", cls.product_2)
        cls.offer_3 = offer("PUSH-3", cls.product_3, sync_stock=False)
        cls.offer_404 = offer("PUSH-404", cls.unmapped)
        stock = cls.account.warehouse_id.lot_stock_id
        Quant = cls.env["stock.quant"]
        Quant._update_available_quantity(cls.product_1, stock, 10)
        Quant._update_available_quantity(cls.product_2, stock, 1)
        Quant._update_available_quantity(cls.product_3, stock, 30)
        Quant._update_available_quantity(cls.unmapped, stock, 5)

    def setUp(self):
        super().setUp()
        self.simulator.add_products(US, ["PUSH-1", "PUSH-2", "PUSH-3"], fbm_quantity=50)
        self.earlier_feeds = set(self.simulator.store.feeds)

    def push(self):
        """One run of the stock push flow (reading reports of earlier feeds, then sending)."""
        return self.env["amazon.seller.stock.push"]._run_now(self.account)

    def push_and_read_report(self):
        """A run sending, simulated time for Amazon to process, a run reading the report."""
        sent = self.push()
        self.simulator.advance(minutes=2)
        read = self.push()
        return sent, read

    def feeds_sent(self):
        """The listings feeds this test sent, oldest first."""
        return [job for feed_id, job in self.simulator.store.feeds.items()
                if job.job_type == "JSON_LISTINGS_FEED" and feed_id not in self.earlier_feeds]

    def messages(self, job):
        """{sku: quantity} of a listings feed as Amazon received it."""
        content = json.loads(self.simulator.store.documents[job.input_document].content)
        self.assertEqual(content["header"]["sellerId"], "A2SIMSELLER0001")
        return {message["sku"]: message["patches"][0]["value"][0]["quantity"]
                for message in content["messages"]}

    def receive(self, product, quantity):
        """Stock arriving in the warehouse through an applied inventory count (a done move)."""
        quant = self.env["stock.quant"].with_context(inventory_mode=True).create({
            "product_id": product.id, "location_id": self.account.warehouse_id.lot_stock_id.id,
            "inventory_quantity": product.with_context(
                warehouse_id=self.account.warehouse_id.id).qty_available + quantity})
        quant.action_apply_inventory()

    def test_changed_quantities_only_with_buffer(self):
        """Test that the first push sends every synced FBM offer minus the buffer, the second
        sends nothing, and after a stock move only that SKU goes."""
        sent, _read = self.push_and_read_report()
        self.assertEqual(sent["sent"], 3)
        feeds = self.feeds_sent()
        self.assertEqual(len(feeds), 1, "one feed per account and run")
        self.assertEqual(self.messages(feeds[0]), {"PUSH-1": 8, "PUSH-2": 0, "PUSH-404": 3})
        quantities = self.simulator.listing_quantities(US)
        self.assertEqual((quantities["PUSH-1"], quantities["PUSH-2"], quantities["PUSH-3"]),
                         (8, 0, 50))
        self.assertEqual((self.offer_1.stock_pushed_qty, self.offer_2.stock_pushed_qty),
                         (8, 0))
        self.assertTrue(self.offer_2.stock_pushed_date)
        self.assertFalse(self.offer_3.stock_pushed_date, "sync stock is off")

        self.push()
        self.assertEqual(len(self.feeds_sent()), 1, "nothing changed: nothing sent")

        self.receive(self.product_2, 5)
        self.push_and_read_report()
        feeds = self.feeds_sent()
        self.assertEqual(len(feeds), 2)
        self.assertEqual(self.messages(feeds[1]), {"PUSH-2": 4})
        self.assertEqual(self.offer_2.stock_pushed_qty, 4)
        self.assertEqual(self.simulator.listing_quantities(US)["PUSH-2"], 4)

    def test_amazon_refusal_shows_on_the_offer(self):
        """Test that a SKU refused in the processing report keeps Amazon's reason on its offer
        and as an error, and is not sent again before its retry."""
        self.push_and_read_report()
        self.assertIn("18000", self.offer_404.stock_push_error)
        self.assertIn("PUSH-404", self.offer_404.stock_push_error)
        self.assertFalse(self.offer_404.stock_pushed_date)
        self.assertFalse(self.offer_1.stock_push_error)
        error = self.env["amazon.seller.sync.error"].search([
            ("account_id", "=", self.account.id), ("flow", "=", "stock_push")])
        self.assertEqual((error.amazon_ref, error.state), ("PUSH-404", "open"))
        self.push()
        self.assertEqual(len(self.feeds_sent()), 1, "the refused SKU waits for its retry")
        error.next_retry = fields.Datetime.now() - timedelta(seconds=1)
        self.push()
        self.assertEqual(self.messages(self.feeds_sent()[-1]), {"PUSH-404": 3})

    def test_rejected_feed_is_retried(self):
        """Test that a feed Amazon could not process is recorded and sent again once its retry
        is due, then accepted."""
        self.simulator.reject_listings_feeds(1)
        _sent, read = self.push_and_read_report()
        self.assertEqual(read["failed"], 3)
        error = self.env["amazon.seller.sync.error"].search([
            ("account_id", "=", self.account.id), ("flow", "=", "stock_push"),
            ("amazon_ref", "=", "JSON_LISTINGS_FEED")])
        self.assertEqual(error.state, "open")
        self.assertIn("FATAL", error.message)
        self.assertIn("InternalError: The feed could not be processed", error.message)
        self.assertFalse(self.offer_1.stock_pushed_date)
        self.assertEqual(self.simulator.listing_quantities(US)["PUSH-1"], 50)
        self.push()
        self.assertEqual(len(self.feeds_sent()), 1, "the retry waits for its time")
        error.next_retry = fields.Datetime.now() - timedelta(seconds=1)
        self.push_and_read_report()
        self.assertEqual(len(self.feeds_sent()), 2)
        self.assertEqual(self.offer_1.stock_pushed_qty, 8)
        self.assertEqual(self.simulator.listing_quantities(US)["PUSH-1"], 8)
        self.assertEqual(error.state, "resolved")

    def test_done_move_triggers_the_push(self):
        """Test that a done stock move of a product with a synced FBM offer triggers the push,
        and one of a product without any does not."""
        cron = self.env.ref("amazon_seller.ir_cron_push_stock")
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search_count([("cron_id", "=", cron.id)])
        self.receive(self.product_3, 1)  # its offer does not sync
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), before)
        self.receive(self.product_1, 1)
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), before + 1)

    def test_cron_pushes_as_odoo_runs_it(self):
        """Test that the scheduled action sends the feed and, run again later, reads it."""
        cron = self.env.ref("amazon_seller.ir_cron_push_stock")
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.simulator.advance(minutes=2)
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertEqual(self.offer_1.stock_pushed_qty, 8)
        self.assertFalse(self.account._flow_state("stock_push").failed)

    def test_seller_id_is_needed(self):
        """Test that without the Seller ID nothing is sent and the run says why."""
        self.account.merchant_token = False
        self.push()
        state = self.account._flow_state("stock_push")
        self.assertTrue(state.failed)
        self.assertIn("Seller ID", state.last_message)
        self.assertFalse(self.feeds_sent())
