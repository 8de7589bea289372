from datetime import datetime, timedelta
import importlib.util
import os
from unittest.mock import patch

from odoo import fields
from odoo.tests import BaseCase, tagged

from ..utils import RetryPolicy, advisory_lock_key
from .common import AmazonSellerCase, OrderSyncCase, SimulatorCase

# 2026-06-01 00:00:00 UTC: the simulated "now" of the checkpoint tests, far from the local clock.
JUNE_FIRST = 1780272000


def load_migration(name):
    """A script of migrations/19.0.1.1.0 (its folder name is no Python package name)."""
    path = os.path.join(os.path.dirname(__file__), os.pardir, "migrations", "19.0.1.1.0", name)
    spec = importlib.util.spec_from_file_location(f"amazon_seller_{name[:-3]}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestRetryPolicy(BaseCase):
    """The one retry policy every flow follows (pure)."""

    def test_delays_grow_to_a_cap_then_wait_for_a_person(self):
        """Test that delays double from 5 minutes, stop at a day, and end after 10 failures."""
        policy = RetryPolicy()
        self.assertEqual([policy.delay(n) for n in (1, 2, 3, 4)],
                         [timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20),
                          timedelta(minutes=40)])
        self.assertEqual(policy.delay(12), timedelta(days=1))
        now = datetime(2026, 11, 1, 12, 0)
        self.assertEqual(policy.next_retry(now, 2), datetime(2026, 11, 1, 12, 10))
        self.assertEqual(policy.next_retry(now, 9), datetime(2026, 11, 2, 9, 20))
        self.assertIsNone(policy.next_retry(now, 10))

    def test_each_flow_has_its_own_lock(self):
        """Test that the flows' advisory lock keys differ and fit PostgreSQL's int4."""
        keys = {flow: advisory_lock_key(flow) for flow in (
            "orders", "shipments", "listings", "inventory", "stock_push", "invoicing", "settlements")}
        self.assertEqual(len(set(keys.values())), 7)
        self.assertTrue(all(0 < key < 2 ** 31 for key in keys.values()))


@tagged("post_install", "-at_install")
class TestSyncErrors(AmazonSellerCase):
    """The one error model: per flow and Amazon reference, retried with the policy."""

    def record(self, flow="orders", ref="302-0000001-0000001", reason="broken"):
        return self.env["amazon.seller.sync.error"]._record(self.account, flow, {ref: reason})

    def error(self, flow="orders", ref="302-0000001-0000001"):
        return self.env["amazon.seller.sync.error"].search([
            ("account_id", "=", self.account.id), ("flow", "=", flow), ("amazon_ref", "=", ref)])

    def test_second_retry_waits_longer_than_the_first(self):
        """Test that a failure recorded again is retried later than the first time."""
        with patch.object(fields.Datetime, "now", return_value=datetime(2026, 11, 1, 12, 0)):
            self.record()
            first = self.error().next_retry
            self.record()
            second = self.error().next_retry
        self.assertEqual(first, datetime(2026, 11, 1, 12, 5))
        self.assertEqual(second, datetime(2026, 11, 1, 12, 10))
        self.assertEqual(self.error().attempt_count, 2)

    def test_exhausted_retries_wait_for_a_person(self):
        """Test that after ten failures an error is no longer retried and asks for attention."""
        for _attempt in range(9):
            self.assertFalse(self.record())
        self.assertEqual(self.error().state, "open")
        exhausted = self.record()
        self.assertEqual(exhausted, self.error())
        self.assertEqual((self.error().state, self.error().next_retry), ("needs_attention", False))
        self.assertFalse(self.env["amazon.seller.sync.error"]._due(self.account, "orders", 10))
        self.assertIn("needs you", self.account.activity_ids.summary)

    def test_same_reference_in_two_flows_is_two_errors(self):
        """Test that errors are kept per flow: a SKU and an order may share a reference."""
        self.record(flow="orders", ref="REF-1")
        self.record(flow="shipments", ref="REF-1")
        self.assertEqual(len(self.error("orders", "REF-1") | self.error("shipments", "REF-1")), 2)
        self.env["amazon.seller.sync.error"]._resolve(self.account, "shipments", ["REF-1"])
        self.assertEqual(self.error("orders", "REF-1").state, "open")
        self.assertEqual(self.error("shipments", "REF-1").state, "resolved")


@tagged("post_install", "-at_install")
class TestCheckpoint(SimulatorCase):
    """Enough FBM orders for three pages, on a simulator whose clock reads 2026-06-01."""

    simulator_options = {"orders": 240, "profile": "fbm2", "rate_limits": False,
                         "start_time": JUNE_FIRST}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.sync_enabled = True
        cls.set_checkpoint(cls.account)
        skus = {entry["sku"] for entry in cls.simulator.catalogue()}
        product = cls.env["product.product"].create({"name": "Any", "is_storable": True})
        cls.env["amazon.seller.offer"].create([{
            "account_id": cls.account.id, "marketplace_id": marketplace.id, "sku": sku,
            "fulfillment_channel": "fbm", "product_id": product.id,
        } for sku in skus for marketplace in cls.account.marketplace_ids])

    def test_run_out_of_time_keeps_the_checkpoint(self):
        """Test that a run stopped for lack of time leaves the checkpoint and saves its page."""
        importer = self.env["amazon.seller.order.import"]
        stats, complete = importer._run_and_record(self.account, commit=lambda: 0)
        state = self.orders_state(self.account)
        self.assertFalse(complete)
        self.assertEqual(stats["created"], 100, "one page stored")
        self.assertEqual(state.checkpoint, datetime(2020, 1, 1))
        self.assertTrue(state.resume_token)
        self.assertIn("stopped for lack of time", state.last_message)
        self.assertFalse(state.failed)

    def test_complete_run_moves_the_checkpoint_to_amazons_bound(self):
        """Test that the checkpoint becomes Amazon's lastUpdatedBefore, not the local clock."""
        self.sync_orders(self.account)
        state = self.orders_state(self.account)
        self.assertGreaterEqual(state.checkpoint, datetime(2026, 6, 1, 0, 0))
        self.assertLess(state.checkpoint, datetime(2026, 6, 1, 0, 30))
        self.assertFalse(state.resume_token)
        self.assertEqual(state.last_success, state.last_run)


@tagged("post_install", "-at_install")
class TestOrderCron(OrderSyncCase):
    """The orders flow's scheduled action, run as Odoo runs it."""

    simulator_options = {"orders": 30, "seed": 4, "rate_limits": False}

    def test_cron_imports_every_account(self):
        """Test that the scheduled action imports each enabled account and records its run."""
        self.accounts.sync_enabled = True
        with self.enter_registry_test_mode():
            self.env.ref("amazon_seller.ir_cron_sync_orders").method_direct_trigger()
        for account in self.accounts:
            state = self.orders_state(account)
            self.assertTrue(self.imported(account), account.name)
            self.assertTrue(state.last_success)
            self.assertFalse(state.failed)
            self.assertGreater(state.checkpoint, datetime(2020, 1, 1))
        self.assertEqual(self.orders_state(self.account).flow, "orders")

    def test_a_crashing_account_does_not_stop_the_others(self):
        """Test that a bug in one account's run is logged, recorded, undone, and others go on."""
        self.accounts.sync_enabled = True
        Importer = type(self.env["amazon.seller.order.import"])
        original = Importer._import_orders
        crashing = self.account_eu

        def import_orders(importer, account, orders):
            if account == crashing:
                original(importer, account, orders)  # work the runner must undo
                raise RuntimeError("boom")
            return original(importer, account, orders)

        with patch.object(Importer, "_import_orders", import_orders), \
                self.assertLogs("odoo.addons.amazon_seller.models.amazon_seller_flow", "ERROR") as logs, \
                self.enter_registry_test_mode():
            self.env.ref("amazon_seller.ir_cron_sync_orders").method_direct_trigger()
        self.assertIn("boom", "\n".join(logs.output))
        state = self.orders_state(crashing)
        self.assertTrue(state.failed)
        self.assertEqual(state.last_message, "unexpected error: boom")
        self.assertFalse(self.imported(crashing), "the crashed batch is undone")
        self.assertEqual(state.checkpoint, datetime(2020, 1, 1))
        for account in self.accounts - crashing:
            self.assertTrue(self.imported(account), account.name)
            self.assertFalse(self.orders_state(account).failed)


@tagged("post_install", "-at_install")
class TestMigration(AmazonSellerCase):
    """Databases of 19.0.1.0.0 move their order checkpoint and errors to the flows."""

    def test_order_state_and_errors_migrate(self):
        """Test that the account's order sync columns and errors become the orders flow's."""
        cr = self.env.cr
        account = self.account
        cr.execute("DELETE FROM amazon_seller_flow_state WHERE account_id = %s", [account.id])
        cr.execute("""
            ALTER TABLE amazon_seller_account ADD COLUMN orders_checkpoint timestamp,
                ADD COLUMN orders_resume_token varchar, ADD COLUMN orders_resume_window timestamp,
                ADD COLUMN last_sync_date timestamp, ADD COLUMN last_sync_message varchar,
                ADD COLUMN last_sync_failed boolean;
            UPDATE amazon_seller_account SET orders_checkpoint = '2026-10-01 08:00:00',
                orders_resume_token = 'page-7', orders_resume_window = '2026-10-02 00:00:00',
                last_sync_date = '2026-10-02 09:00:00', last_sync_message = '3 created',
                last_sync_failed = false WHERE id = %s;
            ALTER TABLE amazon_seller_sync_error RENAME COLUMN amazon_ref TO amazon_order_ref;
            ALTER TABLE amazon_seller_sync_error DROP COLUMN flow;
        """, [account.id])
        cr.execute("""INSERT INTO amazon_seller_sync_error (account_id, amazon_order_ref, message,
                      state, attempt_count) VALUES (%s, '302-0000009-0000009', 'broken', 'open', 2)""",
                   [account.id])
        cron = self.env.ref("amazon_seller.ir_cron_sync_orders")
        cron.write({"model_id": self.env["ir.model"]._get_id("amazon.seller.account"),
                    "code": "model._cron_sync_orders()"})
        self.env.flush_all()

        load_migration("pre-migrate.py").migrate(cr, "19.0.1.0.0")
        load_migration("post-migrate.py").migrate(cr, "19.0.1.0.0")
        self.env.invalidate_all()

        state = account._flow_state("orders")
        self.assertEqual(
            (state.checkpoint, state.resume_token, state.resume_window, state.last_run,
             state.last_message, state.failed, state.last_success),
            (datetime(2026, 10, 1, 8), "page-7", datetime(2026, 10, 2), datetime(2026, 10, 2, 9),
             "3 created", False, datetime(2026, 10, 2, 9)))
        cr.execute("SELECT 1 FROM information_schema.columns WHERE table_name = "
                   "'amazon_seller_account' AND column_name = 'orders_checkpoint'")
        self.assertFalse(cr.fetchall(), "the old columns are dropped")
        error = self.env["amazon.seller.sync.error"].search([("account_id", "=", account.id)])
        self.assertEqual((error.flow, error.amazon_ref, error.attempt_count),
                         ("orders", "302-0000009-0000009", 2))
        self.assertEqual((cron.model_id.model, cron.code),
                         ("amazon.seller.order.import", "model._cron_run()"))
