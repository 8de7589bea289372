from collections import Counter
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged

from .common import ReplayCase, SimulatorCase
from .orders import make_order


@tagged("post_install", "-at_install")
class TestOrderImport(ReplayCase):
    """Chosen orders replayed by the simulator: failures, unknown SKUs, FBA stock, the wizard."""

    @classmethod
    def replay_orders(cls):
        broken = make_order("302-0000002-0000002", items=(("KNOWN-1", 1, "20.00"),))
        del broken["orderItems"][0]["product"]["sellerSku"]
        return [
            make_order("302-0000001-0000001", items=(("KNOWN-1", 2, "19.99"), ("KNOWN-2", 1, "5.00")),
                       shipping="4.99"),
            broken,
            make_order("302-0000003-0000003", items=(("KNOWN-2", 1, "7.00"),), currency="ZZZ"),
            make_order("302-0000004-0000004", items=(("NEW-SKU", 3, "9.99"),)),
            make_order("302-0000005-0000005", fulfilled_by="AMAZON", status="SHIPPED",
                       items=(("LOT-1", 3, "15.00"), ("KNOWN-1", 2, "19.99")), buyer_name=""),
            make_order("302-0000006-0000006", fulfilled_by="AMAZON", status="SHIPPED",
                       items=(("LOT-1", 50, "15.00"),)),
            make_order("302-0000007-0000007", status="PENDING"),
        ]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.known = cls.map_skus(["KNOWN-1", "KNOWN-2"])
        cls.lot_product = cls.map_skus(["LOT-1"], tracking="lot")["LOT-1"]
        fba = cls.account.fba_location_id
        cls.lot = cls.env["stock.lot"].create({"name": "L-0001", "product_id": cls.lot_product.id})
        Quant = cls.env["stock.quant"]
        Quant._update_available_quantity(cls.lot_product, fba, 10, lot_id=cls.lot)
        Quant._update_available_quantity(cls.known["KNOWN-1"], fba, 5)

    def order(self, ref):
        return self.env["sale.order"].search(
            [("amazon_account_id", "=", self.account.id), ("amazon_order_ref", "=", ref)])

    def errors(self):
        return self.env["amazon.seller.sync.error"].search([("account_id", "=", self.account.id)])

    def test_failing_orders_do_not_block_their_neighbours(self):
        """Test that broken orders are recorded with their reason while the others import."""
        stats = self.sync_orders(self.account)

        self.assertEqual(stats["created"], 4)
        self.assertEqual(stats["failed"], 2)
        self.assertEqual(stats["skipped"], 1, "the pending order waits")
        self.assertTrue(self.order("302-0000004-0000004"), "the order after the broken ones")
        messages = dict((e.amazon_ref, e.message) for e in self.errors())
        self.assertEqual(set(messages), {"302-0000002-0000002", "302-0000003-0000003"})
        self.assertIn("sellerSku", messages["302-0000002-0000002"])
        self.assertIn("302-0000002-0000002", messages["302-0000002-0000002"])
        self.assertIn("ZZZ", messages["302-0000003-0000003"])
        self.assertEqual(self.account.sync_error_count, 2)

    def test_failures_are_recorded_in_the_users_language(self):
        """Test that the reasons of the broken orders are recorded in German for a German user."""
        self.env["res.lang"]._activate_lang("de_DE")
        self.env["amazon.seller.order.import"].with_context(lang="de_DE")._run_now(self.account)

        self.assertEqual(dict((e.amazon_ref, e.message) for e in self.errors()), {
            "302-0000002-0000002":
                "Auftrag 302-0000002-0000002: orderItems[0].product.sellerSku fehlt",
            "302-0000003-0000003": "Auftrag 302-0000003-0000003: die Währung 'ZZZ' ist Odoo unbekannt",
        })

    def test_failed_order_is_retried_until_it_imports(self):
        """Test that a failed order is retried on demand once Odoo can take it, and only then."""
        self.sync_orders(self.account)
        self.env["res.currency"].create({"name": "ZZZ", "symbol": "Z"})
        errors = self.errors()

        errors.action_retry()

        order = self.order("302-0000003-0000003")
        self.assertEqual(order.currency_id.name, "ZZZ")
        self.assertEqual(order.amount_total, 7.0)
        fixed = errors.filtered(lambda e: e.amazon_ref == "302-0000003-0000003")
        broken = errors - fixed
        self.assertEqual(fixed.state, "resolved")
        self.assertEqual((broken.state, broken.attempt_count), ("open", 2))
        self.assertGreater(broken.next_retry, fields.Datetime.now())

    def test_due_failures_are_retried_by_the_scheduled_sync(self):
        """Test that the next synchronisation retries failures whose time has come."""
        self.sync_orders(self.account)
        self.env["res.currency"].create({"name": "ZZZ", "symbol": "Z"})
        self.errors().next_retry = fields.Datetime.now() - timedelta(minutes=1)
        self.simulator.reset_calls()

        self.sync_orders(self.account)

        self.assertTrue(self.order("302-0000003-0000003"))
        self.assertEqual(self.simulator.call_counts().get("getOrder"), 2)

    def test_unknown_sku_holds_the_order_until_mapped(self):
        """Test that an unmapped SKU keeps its order a quotation, asks once, and mapping confirms."""
        self.sync_orders(self.account)
        order = self.order("302-0000004-0000004")
        line = order.order_line.filtered("amazon_order_item_id")
        self.assertEqual((order.state, order.amazon_awaiting_mapping), ("draft", True))
        self.assertFalse(order.picking_ids, "nothing reaches the warehouse")
        self.assertEqual(line.product_id, self.env.ref("amazon_seller.product_amazon_placeholder"))
        self.assertEqual(line.product_uom_qty, 3)
        self.assertAlmostEqual(order.amount_total, 29.97)
        offer = line.amazon_offer_id
        self.assertEqual((offer.sku, offer.product_id.id), ("NEW-SKU", False))
        self.assertEqual(offer.activity_ids.user_id, self.account.user_id)
        self.assertIn("NEW-SKU", offer.activity_ids.summary)

        product = self.env["product.product"].create({"name": "New thing", "is_storable": True})
        offer.product_id = product

        self.assertEqual((order.state, order.amazon_awaiting_mapping), ("sale", False))
        self.assertEqual(line.product_id, product)
        self.assertEqual(line.name, "[NEW-SKU] Test product NEW-SKU")
        self.assertAlmostEqual(order.amount_total, 29.97)
        self.assertEqual(order.picking_ids.move_ids.product_id, product)
        self.assertEqual(order.picking_ids.move_ids.product_uom_qty, 3)
        self.assertFalse(offer.activity_ids, "the mapping activity is done")

    def test_fbm_order_lines_shipping_and_delivery(self):
        """Test an FBM order: lines per SKU, a shipping line, confirmed with a delivery to do."""
        self.sync_orders(self.account)
        order = self.order("302-0000001-0000001")
        self.assertEqual(order.state, "sale")
        self.assertAlmostEqual(order.amount_total, 2 * 19.99 + 5.00 + 4.99)
        self.assertEqual(order.order_line.filtered("amazon_order_item_id").product_id,
                         self.known["KNOWN-1"] | self.known["KNOWN-2"])
        shipping = order.order_line.filtered(
            lambda l: l.product_id == self.env.ref("amazon_seller.product_amazon_shipping"))
        self.assertAlmostEqual(shipping.price_total, 4.99)
        self.assertEqual(len(order.picking_ids), 1)
        self.assertNotEqual(order.picking_ids.state, "done")
        self.assertEqual(order.picking_ids.move_ids.product_id,
                         self.known["KNOWN-1"] | self.known["KNOWN-2"])
        self.assertEqual(order.amazon_ship_by, fields.Datetime.to_datetime("2026-11-03 23:59:59"))
        self.assertEqual(order.date_order, fields.Datetime.to_datetime("2026-10-30 08:00:00"))

    def test_fba_order_leaves_the_fba_location_exactly(self):
        """Test that FBA orders take their goods out of the FBA location, lots included."""
        fba = self.account.fba_location_id
        Quant = self.env["stock.quant"]
        self.sync_orders(self.account)

        order = self.order("302-0000005-0000005")
        self.assertFalse(order.picking_ids, "nothing left for anyone to process")
        on_hand = lambda product, **lot: sum(Quant._gather(product, fba, **lot).mapped("quantity"))
        self.assertEqual(on_hand(self.lot_product, lot_id=self.lot), 7)
        self.assertEqual(on_hand(self.known["KNOWN-1"]), 3)
        lines = order.order_line.filtered("amazon_order_item_id")
        self.assertEqual(lines.mapped("qty_delivered"), lines.mapped("product_uom_qty"))
        moves = lines.move_ids
        self.assertEqual(set(moves.mapped("state")), {"done"})
        self.assertEqual(moves.move_line_ids.filtered(
            lambda ml: ml.product_id == self.lot_product).lot_id, self.lot)
        self.assertTrue(order.partner_id.amazon_placeholder_name)
        self.assertIn("Amazon.de", order.partner_id.name)

    def test_placeholder_name_completed_by_later_data(self):
        """Test that a buyer imported without a name gets it when Amazon sends it later."""
        self.sync_orders(self.account)
        order = self.order("302-0000005-0000005")
        later = make_order("302-0000005-0000005", fulfilled_by="AMAZON", status="SHIPPED",
                           items=(("LOT-1", 3, "15.00"),), buyer_name="Max Mustermann",
                           updated="2026-11-02T10:00:00Z")
        stats = self.env["amazon.seller.order.import"]._import_orders(self.account, [later])
        self.assertEqual(stats["updated"], 1)
        self.assertEqual(order.partner_id.name, "Max Mustermann")
        self.assertFalse(order.partner_id.amazon_placeholder_name)
        self.assertEqual(order.partner_shipping_id.name, "Max Mustermann")

    def test_fba_lots_missing_leave_an_activity(self):
        """Test that an FBA order needing more lots than the location holds still imports."""
        self.sync_orders(self.account)
        order = self.order("302-0000006-0000006")
        self.assertEqual(order.state, "sale")
        self.assertNotEqual(order.order_line.move_ids.state, "done")
        self.assertIn("lots", order.activity_ids.summary)

    def test_wizard_imports_given_orders(self):
        """Test the wizard: order ids are checked, fetched one by one and counted."""
        Wizard = self.env["amazon.seller.order.sync.wizard"]
        wizard = Form(Wizard.with_context(default_account_id=self.account.id))
        wizard.mode = "refs"
        wizard.order_refs = "302-0000001-0000001 oops"
        with self.assertRaises(UserError) as caught:
            wizard.save().action_sync()
        self.assertIn("oops", caught.exception.args[0])
        record = Wizard.create({"account_id": self.account.id, "mode": "refs",
                                "order_refs": "302-0000001-0000001,\n302-0000004-0000004"})
        record.action_sync()
        self.assertEqual(record.result, "2 created, 0 updated, 0 skipped, 0 failed.")
        self.assertEqual(self.simulator.call_counts().get("getOrder"), 2)

    def test_wizard_imports_a_period(self):
        """Test the wizard on a period: searchOrders by creation date, checkpoint untouched."""
        checkpoint = self.orders_state(self.account).checkpoint
        wizard = self.env["amazon.seller.order.sync.wizard"].create({
            "account_id": self.account.id, "mode": "period",
            "date_from": "2026-10-01 00:00:00", "date_to": "2026-10-31 00:00:00"})
        wizard.action_sync()
        self.assertEqual(wizard.result, "4 created, 0 updated, 1 skipped, 2 failed.")
        self.assertEqual(self.orders_state(self.account).checkpoint, checkpoint)

    def test_sync_lock_is_exclusive(self):
        """Test that a second worker cannot take a flow of an account another one is running,
        while the account's other flows stay free."""
        importer = self.env["amazon.seller.order.import"]
        self.assertTrue(importer._try_lock(self.account))
        try:
            with self.registry.cursor() as other_cr:
                other_env = self.env(cr=other_cr)
                self.assertFalse(other_env["amazon.seller.order.import"]._try_lock(self.account))
                exporter = other_env["amazon.seller.shipment.export"]
                self.assertTrue(exporter._try_lock(self.account), "another flow, another lock")
                exporter._unlock(self.account)
        finally:
            importer._unlock(self.account)
        with self.registry.cursor() as other_cr:
            other = self.env(cr=other_cr)["amazon.seller.order.import"]
            self.assertTrue(other._try_lock(self.account))
            other._unlock(self.account)


@tagged("post_install", "-at_install")
class TestOrderDeliveries(ReplayCase):
    """Each imported FBM order gets a delivery of its own, once, even from one buyer."""

    @classmethod
    def replay_orders(cls):
        orders = [
            make_order("302-0000021-0000021", items=(("SHIP-1", 2, "12.00"),)),
            make_order("302-0000022-0000022", items=(("SHIP-1", 1, "12.00"), ("SHIP-2", 3, "4.00"))),
        ]
        for order in orders:  # one buyer, one address
            order["buyer"]["buyerEmail"] = "erika@marketplace.amazon.de"
        return orders

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.products = cls.map_skus(["SHIP-1", "SHIP-2"])

    def order(self, ref):
        return self.env["sale.order"].search(
            [("amazon_account_id", "=", self.account.id), ("amazon_order_ref", "=", ref)])

    def deliveries(self):
        return self.env["stock.picking"].search(
            [("sale_id.amazon_account_id", "=", self.account.id)], order="id")

    def test_orders_of_one_batch_get_a_delivery_each(self):
        """Test that two orders of one buyer imported in one batch get a delivery each,
        holding that order's goods only."""
        stats = self.sync_orders(self.account)

        self.assertEqual(stats["created"], 2)
        first, second = self.order("302-0000021-0000021"), self.order("302-0000022-0000022")
        self.assertEqual(first.partner_shipping_id, second.partner_shipping_id)
        deliveries = self.deliveries()
        self.assertEqual(len(deliveries), 2)
        self.assertEqual(deliveries.sale_id, first | second)
        self.assertEqual(deliveries.mapped("origin"), [first.name, second.name])
        self.assertEqual(deliveries.mapped("partner_id"), first.partner_shipping_id)
        self.assertEqual(deliveries.mapped("state"), ["confirmed", "confirmed"], "no stock yet")
        self.assertEqual([(m.product_id.default_code, m.product_uom_qty)
                          for m in first.picking_ids.move_ids], [("SHIP-1", 2)])
        self.assertEqual([(m.product_id.default_code, m.product_uom_qty)
                          for m in second.picking_ids.move_ids], [("SHIP-1", 1), ("SHIP-2", 3)])

    def test_order_imported_again_keeps_its_one_delivery(self):
        """Test that an order Amazon sends again, changed, is updated without a second
        delivery, and that a line added in Odoo later still joins that delivery."""
        self.sync_orders(self.account)
        order = self.order("302-0000021-0000021")
        delivery = order.picking_ids
        later = make_order("302-0000021-0000021", items=(("SHIP-1", 2, "12.00"),),
                           updated="2026-11-02T10:00:00Z")
        later["buyer"]["buyerEmail"] = "erika@marketplace.amazon.de"

        stats = self.env["amazon.seller.order.import"]._import_orders(self.account, [later])

        self.assertEqual((stats["created"], stats["updated"]), (0, 1))
        self.assertEqual(order.amazon_last_update, fields.Datetime.to_datetime("2026-11-02 10:00:00"))
        self.assertEqual(len(self.deliveries()), 2)
        self.assertEqual(order.picking_ids, delivery)
        self.assertEqual(delivery.move_ids.mapped("product_uom_qty"), [2])

        order.action_unlock()
        order.order_line = [Command.create({"product_id": self.products["SHIP-2"].id,
                                            "product_uom_qty": 1})]

        self.assertEqual(order.picking_ids, delivery)
        self.assertEqual([(m.product_id.default_code, m.product_uom_qty) for m in delivery.move_ids],
                         [("SHIP-1", 2), ("SHIP-2", 1)])


@tagged("post_install", "-at_install")
class TestSandboxOrder(SimulatorCase):
    """Amazon's own sandbox searchOrders example, served verbatim by the simulator."""

    @classmethod
    def simulator_kwargs(cls):
        from ..tools.spapi_simulator.sandbox import default_models_dir

        cls.models_dir = default_models_dir()
        return {**super().simulator_kwargs(), "models_dir": cls.models_dir or False}

    def test_amazon_sandbox_example_imported(self):
        """Test that the sandbox's Japanese FBA order imports with Amazon's total."""
        if not self.models_dir:
            self.skipTest("../shared/amazon/sp-api-models is absent: no sandbox cases to replay")
        self.account.write({"region": "FE", "marketplace_ids": [
            (6, 0, [self.env.ref("amazon_seller.marketplace_jp").id])]})
        stats = Counter()
        self.env["amazon.seller.order.import"]._import_window(
            self.account, {"createdAfter": "2024-12-25T00:00:00Z"}, stats)
        self.assertEqual(stats["created"], 1)
        order = self.env["sale.order"].search([("amazon_order_ref", "=", "250-1234567-8901234")])
        self.assertEqual(order.currency_id.name, "JPY")
        self.assertEqual(order.amount_total, 19940)
        self.assertEqual(order.amazon_fulfillment_channel, "fba")
        self.assertEqual(len(order.order_line.filtered("amazon_order_item_id")), 2)
        calls = self.simulator.calls("searchOrders")
        self.assertEqual([(c["status"], c["sandbox"]) for c in calls], [(200, True)] * 2,
                         "the sandbox's static next page token is followed once, not forever")


@tagged("post_install", "-at_install")
class TestImportedOrderLooks(ReplayCase):
    """Imported orders look like what they are: Amazon's, locked, with their team and history."""

    @classmethod
    def replay_orders(cls):
        return [
            make_order("302-0000011-0000011", items=(("LOOK-1", 1, "19.99"),)),
            make_order("302-0000012-0000012", fulfilled_by="AMAZON", status="SHIPPED",
                       items=(("LOOK-1", 2, "19.99"),)),
        ]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        product = cls.map_skus(["LOOK-1"])["LOOK-1"]
        cls.env["stock.quant"]._update_available_quantity(product, cls.account.fba_location_id, 5)
        cls.seller = new_test_user(cls.env, login="amz-salesperson", groups="sales_team.group_sale_salesman")
        cls.account.salesperson_id = cls.seller

    def test_orders_are_locked_with_team_salesperson_and_note(self):
        """Test that imported orders are locked, in the Amazon team, with a chatter note."""
        self.sync_orders(self.account)
        orders = self.env["sale.order"].search([("amazon_account_id", "=", self.account.id)])
        self.assertEqual(len(orders), 2)
        team = self.env["crm.team"].search([("name", "=", "Amazon"),
                                            ("company_id", "=", self.account.company_id.id)])
        self.assertEqual(len(team), 1)
        self.assertEqual(self.account.team_id, team)
        for order in orders:
            self.assertTrue(order.locked)
            self.assertEqual((order.team_id, order.user_id), (team, self.seller))
            self.assertIn(f"Imported from Amazon {order.amazon_order_ref}",
                          order.message_ids.mapped("body")[-1])
        fbm = orders.filtered(lambda o: o.amazon_fulfillment_channel == "fbm")
        with self.assertRaises(UserError):
            fbm.action_cancel()
        fbm._action_cancel()
        with self.assertRaises(UserError) as caught:
            fbm.action_draft()
        self.assertIn("cannot be set back to quotation", caught.exception.args[0])

    def test_fba_order_links_to_its_moves(self):
        """Test that an FBA order shows the moves that took its goods out of the FBA location."""
        self.sync_orders(self.account)
        order = self.env["sale.order"].search([("amazon_order_ref", "=", "302-0000012-0000012")])
        self.assertEqual(order.amazon_fba_move_count, 1)
        action = order.action_amazon_fba_moves()
        moves = self.env["stock.move"].search(action["domain"])
        self.assertEqual(moves.location_id, self.account.fba_location_id)
        self.assertEqual((moves.state, moves.quantity), ("done", 2))
