from unittest.mock import patch

from psycopg2 import errors as pg_errors

from odoo.exceptions import RedirectWarning
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ReplayCase
from .orders import make_order

GOOD_1 = "302-3000001-3000001"
GOOD_2 = "302-3000002-3000002"
FRENCH = "302-3000003-3000003"


def french_order():
    order = make_order(FRENCH, items=(("REL-1", 1, "10.00"),))
    order["salesChannel"].update(marketplaceId="A13V1IB3VIYZZH", marketplaceName="Amazon.fr")
    return order


@tagged("post_install", "-at_install")
class TestReliability(ReplayCase):
    """An EU account (DE, UK) on a simulator replaying a few orders, one of them French."""

    @classmethod
    def replay_orders(cls):
        return [
            make_order(GOOD_1, items=(("REL-1", 1, "10.00"),)),
            make_order(GOOD_2, items=(("REL-1", 2, "10.00"),)),
            french_order(),
        ]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.map_skus(["REL-1"])

    def errors(self):
        return self.env["amazon.seller.sync.error"].search([("account_id", "=", self.account.id)])

    def imported_refs(self):
        return set(self.env["sale.order"].search(
            [("amazon_account_id", "=", self.account.id)]).mapped("amazon_order_ref"))

    def test_orders_of_other_marketplaces_are_not_imported(self):
        """Test that an order of a marketplace the account lacks is an error naming all three."""
        self.sync_orders(self.account)
        self.assertEqual(self.imported_refs(), {GOOD_1, GOOD_2})
        wizard = self.env["amazon.seller.order.sync.wizard"].create({
            "account_id": self.account.id, "mode": "refs", "order_refs": FRENCH})
        wizard.action_sync()
        self.assertEqual(wizard.result, "0 created, 0 updated, 0 skipped, 1 failed.")
        self.assertNotIn(FRENCH, self.imported_refs())
        (error,) = self.errors()
        self.assertEqual(error.amazon_ref, FRENCH)
        self.assertIn("Amazon.fr", error.message)
        self.assertIn("Test Seller NA", error.message)

    def test_one_bad_order_never_blocks_its_page(self):
        """Test that odd orders (no id, id not a string, not even a dict, an unexpected error)
        are each reported while the rest of the page imports."""
        Importer = type(self.env["amazon.seller.order.import"])
        original = Importer._prepare_order

        def prepare(importer, account, values, *args):
            if values["order_ref"] == GOOD_2:
                raise RedirectWarning("The company has no warehouse", 0, "Configure")
            return original(importer, account, values, *args)

        no_id = make_order("x", items=(("REL-1", 1, "1.00"),))
        del no_id["orderId"]
        numeric_id = make_order("x", items=(("REL-1", 1, "1.00"),))
        numeric_id["orderId"] = 12345
        page = [make_order(GOOD_1, items=(("REL-1", 1, "10.00"),)), no_id, numeric_id,
                "not an order", make_order(GOOD_2, items=(("REL-1", 1, "10.00"),))]
        with patch.object(Importer, "_prepare_order", prepare), \
                mute_logger("odoo.addons.amazon_seller.models.amazon_seller_order_import"):
            stats = self.env["amazon.seller.order.import"]._import_orders(self.account, page)
        self.assertEqual(self.imported_refs(), {GOOD_1})
        self.assertEqual((stats["created"], stats["failed"]), (1, 4))
        by_ref = {error.amazon_ref: error for error in self.errors()}
        self.assertIn("company has no warehouse", by_ref[GOOD_2].message)
        self.assertEqual(by_ref[GOOD_2].state, "open", "a real order is retried")
        anonymous = [error for ref, error in by_ref.items() if ref.startswith("(no order id)")]
        self.assertEqual(len(anonymous), 3)
        self.assertEqual({error.state for error in anonymous}, {"needs_attention"},
                         "nothing to fetch again: reported once, never retried")
        self.env["amazon.seller.order.import"]._import_orders(self.account, [no_id])
        self.assertEqual(len(self.errors()), 4, "the same order without id is the same error")

    def test_ignored_error_stays_ignored(self):
        """Test that an ignored error records who and when, and is neither retried nor reopened."""
        self.env["amazon.seller.order.import"]._import_order_refs(self.account, [FRENCH])
        (error,) = self.errors()
        error.action_ignore()
        self.assertEqual((error.state, error.ignored_by_id, bool(error.ignored_date)),
                         ("ignored", self.env.user, True))
        self.assertFalse(self.env["amazon.seller.sync.error"]._due(self.account, "orders", 10))
        self.env["amazon.seller.order.import"]._import_order_refs(self.account, [FRENCH])
        self.assertEqual(error.state, "ignored")
        self.assertEqual(self.account.sync_error_count, 0)

    def test_concurrent_update_is_run_again_not_reported(self):
        """Test that a serialization failure is undone and its batch run again in the run."""
        self.account.sync_enabled = True
        Importer = type(self.env["amazon.seller.order.import"])
        original = Importer._import_orders
        collisions = []

        def import_orders(importer, account, orders):
            result = original(importer, account, orders)
            if not collisions:
                collisions.append(1)
                raise pg_errors.SerializationFailure("could not serialize access")
            return result

        with patch.object(Importer, "_import_orders", import_orders), \
                self.enter_registry_test_mode():
            self.env.ref("amazon_seller.ir_cron_sync_orders").method_direct_trigger()
        self.assertEqual(collisions, [1])
        self.assertEqual(self.imported_refs(), {GOOD_1, GOOD_2})
        state = self.orders_state(self.account)
        self.assertFalse(state.failed, state.last_message)
        self.assertNotIn("serialize", " ".join(self.errors().mapped("message")))

    def test_unchanged_order_is_not_written(self):
        """Test that an update bringing nothing new writes nothing on the order."""
        self.sync_orders(self.account)
        order = self.env["sale.order"].search([("amazon_order_ref", "=", GOOD_1)])
        values = {"status": order.amazon_status, "last_updated": order.amazon_last_update,
                  "ship_by": order.amazon_ship_by, "deliver_by": order.amazon_deliver_by,
                  "buyer": {"name": ""}, "address": {"name": ""}, "lines": [],
                  "grand_total": order.amount_total}
        with patch.object(type(order), "write", side_effect=AssertionError("written")):
            self.env["amazon.seller.order.import"]._update_order(order, values)

    def test_backlog_reports_remaining_work(self):
        """Test that an account stopped for lack of time is reported as remaining to ir.cron."""
        self.account.sync_enabled = True
        reports = []

        def commit_progress(cron, processed=0, *, remaining=None, deactivate=False):
            reports.append(remaining)
            return 0  # no time left after every batch

        Importer = type(self.env["amazon.seller.order.import"])
        original = Importer._import_window

        def one_page_then_out_of_time(importer, account, filters, stats, commit=None, state=None):
            upper, _complete = original(importer, account, filters, stats, None, state)
            commit()
            return upper, False  # as if more pages were waiting

        with patch.object(type(self.env["ir.cron"]), "_commit_progress", commit_progress), \
                patch.object(Importer, "_import_window", one_page_then_out_of_time):
            self.env["amazon.seller.order.import"]._cron_run()
        self.assertEqual(reports[0], 1, "one account to run")
        self.assertEqual(reports[-1], 1, "still unfinished: Odoo runs the action again at once")
        self.assertIn("stopped for lack of time", self.orders_state(self.account).last_message)
