import base64
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from ..utils import to_amazon_timestamp
from .common import ReplayCase
from .orders import make_order

ORDER_A = "302-1000001-1000001"
ORDER_B = "302-1000002-1000002"


@tagged("post_install", "-at_install")
class TestShipmentConfirmation(ReplayCase):
    """Validating FBM deliveries confirms their packages on the simulator, once each."""

    @classmethod
    def replay_orders(cls):
        soon = (fields.Datetime.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        orders = [
            make_order(ORDER_A, items=(("SHIP-1", 2, "19.99"), ("SHIP-2", 1, "5.00"))),
            make_order(ORDER_B, items=(("SHIP-2", 1, "5.00"),)),
        ]
        for order in orders:
            order["fulfillment"]["shipByWindow"]["latestDateTime"] = soon
        return orders

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        products = cls.map_skus(["SHIP-1", "SHIP-2"])
        stock = cls.account.warehouse_id.lot_stock_id
        for product in products.values():
            cls.env["stock.quant"]._update_available_quantity(product, stock, 10)
        service = cls.env["product.product"].create({"name": "Carriage", "type": "service"})
        Carrier = cls.env["delivery.carrier"]
        cls.dhl = Carrier.create({"name": "DHL", "product_id": service.id})
        cls.local = Carrier.create({"name": "Speedy Local Couriers", "product_id": service.id})

    def setUp(self):
        """A simulator of its own per test: confirmations change Amazon's side for good."""
        super().setUp()
        from ..tools.spapi_simulator import Simulator

        self.simulator = Simulator(**self.simulator_kwargs()).start()
        self.addCleanup(self.simulator.stop)
        self.point_at(self.account, self.simulator.url)
        self.sync_orders(self.account)

    def picking(self, ref):
        order = self.env["sale.order"].search([("amazon_order_ref", "=", ref)])
        return order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))

    def validate(self, picking, carrier, tracking, quantities=None):
        """Validate like a warehouse user: quantities per product, backorder kept."""
        picking.write({"carrier_id": carrier.id, "carrier_tracking_ref": tracking})
        for move in picking.move_ids:
            move.quantity = (quantities or {}).get(move.product_id.default_code, move.product_uom_qty)
            move.picked = True
        action = picking.button_validate()
        if isinstance(action, dict) and action.get("res_model") == "stock.backorder.confirmation":
            Form(self.env["stock.backorder.confirmation"].with_context(action["context"])).save().process()

    def amazon_packages(self, ref):
        (order,) = [o for o in self.amazon_orders(self.account) if o["orderId"] == ref]
        return order.get("packages") or []

    def test_validation_without_tracking_is_refused(self):
        """Test that an FBM delivery cannot be validated without carrier and tracking number."""
        picking = self.picking(ORDER_A)
        with self.assertRaises(UserError) as caught:
            self.validate(picking, self.dhl, False)
        self.assertIn(ORDER_A, caught.exception.args[0])
        self.assertIn("tracking number", caught.exception.args[0])
        self.assertNotEqual(picking.state, "done")

    def test_integrated_carrier_may_give_tracking_later(self):
        """Test that a carrier connector's delivery validates without a number, then waits for it."""
        picking = self.picking(ORDER_B)
        self.patch(type(self.dhl), "_amazon_gives_tracking", lambda carrier: True)
        self.validate(picking, self.dhl, False)
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.amazon_confirmation_state, "error")
        self.assertIn("tracking number", picking.amazon_confirmation_message)
        self.send_confirmations(picking)
        self.assertFalse(self.simulator.call_counts().get("confirmShipment"))
        picking.carrier_tracking_ref = "GIVEN-LATER"
        action = picking.action_amazon_retry_confirmation()
        self.assertIn("1 confirmation(s) queued", action["params"]["message"])
        self.assertLessEqual(picking.amazon_next_attempt, fields.Datetime.now())
        self.assertTrue(self.env["ir.cron.trigger"].search([
            ("cron_id", "=", self.env.ref("amazon_seller.ir_cron_sync_shipments").id)]))
        self.assertFalse(self.simulator.call_counts().get("confirmShipment"),
                         "nothing is sent inside the button's transaction")
        with self.enter_registry_test_mode():
            self.env.ref("amazon_seller.ir_cron_sync_shipments").method_direct_trigger()
        self.assertEqual(picking.amazon_confirmation_state, "sent")

    def test_full_shipment_confirmed_once(self):
        """Test that a validated delivery is confirmed with its carrier code, then never again."""
        picking = self.picking(ORDER_A)
        self.validate(picking, self.dhl, "JJD000390007")
        self.assertEqual((picking.amazon_confirmation_state, picking.amazon_package_ref), ("to_send", "1"))
        self.assertIn(picking, self.due_confirmations())
        self.assertFalse(self.simulator.call_counts().get("confirmShipment"),
                         "nothing is sent inside the validation's transaction")

        self.send_confirmations(picking)
        self.send_confirmations(picking)

        self.assertEqual(picking.amazon_confirmation_state, "sent")
        self.assertEqual(self.simulator.order_status(ORDER_A), "SHIPPED")
        self.assertEqual(self.simulator.call_counts().get("confirmShipment"), 1)
        (package,) = self.amazon_packages(ORDER_A)
        self.assertEqual((package["carrier"], package["trackingNumber"]), ("DHL", "JJD000390007"))
        self.assertEqual({i["orderItemId"]: i["quantity"] for i in package["packageItems"]},
                         {line.amazon_order_item_id: int(line.product_uom_qty)
                          for line in picking.sale_id.order_line.filtered("amazon_order_item_id")})

    def test_partial_delivery_and_backorder_are_two_packages(self):
        """Test that a partial delivery and its backorder confirm packages 1 and 2."""
        first = self.picking(ORDER_A)
        self.validate(first, self.dhl, "TRACK-1", quantities={"SHIP-1": 1, "SHIP-2": 0})
        self.send_confirmations(first)
        self.assertEqual(self.simulator.order_status(ORDER_A), "PARTIALLY_SHIPPED")

        backorder = self.picking(ORDER_A)
        self.assertNotEqual(backorder, first)
        self.validate(backorder, self.dhl, "TRACK-2")
        self.send_confirmations(backorder)

        self.assertEqual((first.amazon_package_ref, backorder.amazon_package_ref), ("1", "2"))
        self.assertEqual(self.simulator.order_status(ORDER_A), "SHIPPED")
        packages = {p["packageReferenceId"]: p for p in self.amazon_packages(ORDER_A)}
        self.assertEqual(sum(i["quantity"] for i in packages["1"]["packageItems"]), 1)
        self.assertEqual(sum(i["quantity"] for i in packages["2"]["packageItems"]), 2)

    def test_carrier_without_amazon_code_is_other(self):
        """Test that a carrier Amazon has no code for is sent as Other with its name."""
        picking = self.picking(ORDER_B)
        self.validate(picking, self.local, "SLC-42")
        self.send_confirmations(picking)
        self.assertEqual(picking.amazon_confirmation_state, "sent")
        (package,) = self.amazon_packages(ORDER_B)
        self.assertEqual(package["carrier"], "Speedy Local Couriers")
        self.dhl.amazon_carrier_id = self.env.ref("amazon_seller.carrier_code_dhl_ecommerce")
        self.assertEqual(self.env["amazon.seller.carrier"]._for_carrier(self.dhl).code, "DHL eCommerce")

    def test_amazon_rejection_is_shown_and_escalated(self):
        """Test that Amazon's refusal is kept word for word and, repeated, asks a person."""
        picking = self.picking(ORDER_B)
        picking.sale_id.order_line.filtered("amazon_order_item_id").amazon_order_item_id = "999"
        self.validate(picking, self.dhl, "JJD1")
        for _attempt in range(3):
            self.send_confirmations(picking)
        self.assertEqual(picking.amazon_confirmation_state, "error")
        self.assertIn("999", picking.amazon_confirmation_message)
        self.assertEqual(picking.amazon_confirmation_attempts, 3)
        self.assertGreater(picking.amazon_next_attempt, fields.Datetime.now())
        self.assertEqual(picking.activity_ids.user_id, self.account.user_id)
        self.assertEqual(self.simulator.order_status(ORDER_B), "UNSHIPPED")
        Picking = self.env["stock.picking"]
        self.assertNotIn(picking, self.due_confirmations(), "backing off")
        action = self.env.ref("amazon_seller.action_amazon_to_ship")
        failed_filter = self.env["stock.picking"].search(
            safe_eval(action.domain) + [("amazon_confirmation_state", "in", ("error", "cancelled"))])
        self.assertIn(picking, failed_filter, "Confirmation Failed finds done deliveries too")
        picking.amazon_next_attempt = fields.Datetime.now() - timedelta(seconds=1)
        self.assertIn(picking, self.due_confirmations(), "due again")

    def test_retry_after_server_error_succeeds_once(self):
        """Test that a 500 leaves the confirmation to retry, and the retry sends it once."""
        picking = self.picking(ORDER_B)
        self.validate(picking, self.dhl, "JJD2")
        self.simulator.set_faults("500:#1@confirmShipment")
        try:
            self.send_confirmations(picking)
            self.assertEqual(picking.amazon_confirmation_state, "error")
            self.send_confirmations(picking)
            self.send_confirmations(picking)
        finally:
            self.simulator.set_faults("")
        self.assertEqual(picking.amazon_confirmation_state, "sent", picking.amazon_confirmation_message)
        self.assertEqual(self.simulator.call_counts().get("confirmShipment"), 2)
        self.assertEqual(len(self.amazon_packages(ORDER_B)), 1)

    def test_retry_after_lost_answer_does_not_confirm_again(self):
        """Test that a retry finds the package Amazon took although its answer was lost."""
        from sp_api.api import Orders

        from ..tools.spapi_simulator.testing import client

        picking = self.picking(ORDER_B)
        self.validate(picking, self.dhl, "JJD4")
        self.simulator.set_faults("drop:#1@confirmShipment")
        try:
            self.send_confirmations(picking)
        finally:
            self.simulator.set_faults("")
        self.assertEqual(picking.amazon_confirmation_state, "error")
        # what the lost request would have done on Amazon's side
        line = picking.sale_id.order_line.filtered("amazon_order_item_id")
        client(self.simulator, Orders).confirm_shipment(
            order_id=ORDER_B, marketplaceId=picking.sale_id.amazon_marketplace_id.marketplace_id,
            packageDetail={"packageReferenceId": picking.amazon_package_ref, "carrierCode": "DHL",
                           "trackingNumber": "JJD4", "shipDate": to_amazon_timestamp(fields.Datetime.now()),
                           "orderItems": [{"orderItemId": line.amazon_order_item_id, "quantity": 1}]})
        self.simulator.reset_calls()

        self.send_confirmations(picking)

        self.assertEqual(picking.amazon_confirmation_state, "sent")
        self.assertFalse(self.simulator.call_counts().get("confirmShipment"))
        self.assertEqual(self.simulator.call_counts().get("getOrder"), 1)

    def test_retry_rereads_state_under_lock(self):
        """Test that a retry racing a worker that already sent the package sends nothing."""
        picking = self.picking(ORDER_B)
        self.validate(picking, self.dhl, "JJD3")
        # another worker sent it and committed: the row says so, this cache does not
        self.env.flush_all()
        self.env.cr.execute("UPDATE stock_picking SET amazon_confirmation_state = 'sent' "
                            "WHERE id = %s", [picking.id])
        self.env["amazon.seller.shipment.export"]._send(picking, {"sent": 0, "failed": 0})
        self.assertEqual(picking.amazon_confirmation_state, "sent")
        self.assertFalse(self.simulator.call_counts().get("confirmShipment"))
        self.assertEqual(self.simulator.order_status(ORDER_B), "UNSHIPPED")

    def test_ship_by_deadline_and_late_shipment_rate(self):
        """Test the ship-by date on deliveries, the overdue filter and the late-shipment rate."""
        picking_a, picking_b = self.picking(ORDER_A), self.picking(ORDER_B)
        self.assertEqual(picking_a.amazon_ship_by, picking_a.sale_id.amazon_ship_by)
        self.assertTrue(picking_a.amazon_ship_by)
        self.validate(picking_a, self.dhl, "ON-TIME")
        past = fields.Datetime.now() - timedelta(hours=1)
        (picking_a.sale_id | picking_b.sale_id).amazon_ship_by = past
        picking_a.date_done = past - timedelta(hours=1)
        overdue = self.env["stock.picking"].search([
            ("amazon_ship_by", "<", fields.Datetime.now()), ("state", "not in", ("done", "cancel"))])
        self.assertIn(picking_b, overdue)
        self.assertNotIn(picking_a, overdue)
        self.account.invalidate_recordset(["late_shipment_rate_7d", "late_shipment_rate_30d"])
        self.assertEqual(self.account.late_shipment_rate_7d, 50.0)
        self.assertEqual(self.account.late_shipment_rate_30d, 50.0)

    # === the shipments flow: runner, throttling, retry policy, locks === #

    def reject(self, picking):
        """Make Amazon refuse the picking's package (an order item it does not know)."""
        picking.sale_id.order_line.filtered("amazon_order_item_id").amazon_order_item_id = "999"

    def test_cron_confirms_due_packages(self):
        """Test that the scheduled action sends what is due and records the flow's run."""
        picking = self.picking(ORDER_B)
        self.validate(picking, self.dhl, "JJD5")
        with self.enter_registry_test_mode():
            self.env.ref("amazon_seller.ir_cron_sync_shipments").method_direct_trigger()
        self.assertEqual(picking.amazon_confirmation_state, "sent")
        self.assertEqual(self.simulator.call_counts().get("confirmShipment"), 1)
        state = self.account._flow_state("shipments")
        self.assertEqual((state.last_message, state.failed), ("1 sent, 0 failed", False))

    def test_throttled_confirmation_is_no_attempt_and_stops_the_run(self):
        """Test that a 429 counts no attempt, stops the run, and asks nobody for help."""
        exporter = self.env["amazon.seller.shipment.export"]
        picking_a, picking_b = self.picking(ORDER_A), self.picking(ORDER_B)
        self.validate(picking_a, self.dhl, "JJD6")
        self.validate(picking_b, self.dhl, "JJD7")
        self.simulator.set_faults("429:#1@confirmShipment")
        try:
            exporter._run_now(self.account)
        finally:
            self.simulator.set_faults("")
        self.assertEqual(self.simulator.call_counts().get("confirmShipment"), 1, "the run stopped")
        self.assertEqual((picking_a | picking_b).mapped("amazon_confirmation_state"), ["to_send"] * 2)
        self.assertEqual((picking_a | picking_b).mapped("amazon_confirmation_attempts"), [0, 0])
        throttled = (picking_a | picking_b).filtered(
            lambda p: p.amazon_next_attempt > fields.Datetime.now())
        self.assertEqual(len(throttled), 1, "the throttled package waits its turn")
        state = self.account._flow_state("shipments")
        self.assertTrue(state.failed)
        self.assertIn("429", state.last_message)
        self.assertFalse(self.account.activity_ids, "throttling needs nobody")
        self.assertFalse((picking_a | picking_b).activity_ids)
        self.assertFalse(self.env["amazon.seller.sync.error"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "shipments")]))

    def test_second_confirmation_retry_waits_longer(self):
        """Test that the second failed confirmation waits longer than the first."""
        picking = self.picking(ORDER_B)
        self.reject(picking)
        self.validate(picking, self.dhl, "JJD8")
        delays = []
        for _attempt in range(2):
            before = fields.Datetime.now()
            self.send_confirmations(picking)
            delays.append(picking.amazon_next_attempt - before)
        self.assertAlmostEqual(delays[0].total_seconds(), 5 * 60, delta=5)
        self.assertAlmostEqual(delays[1].total_seconds(), 10 * 60, delta=5)
        error = self.env["amazon.seller.sync.error"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "shipments")])
        self.assertEqual((error.amazon_ref, error.attempt_count, error.res_id),
                         (f"{ORDER_B}/1", 2, picking.id))

    def test_activity_from_the_third_failure_only(self):
        """Test that no activity comes before the third failed confirmation, one after it."""
        picking = self.picking(ORDER_B)
        self.reject(picking)
        self.validate(picking, self.dhl, "JJD9")
        counts = []
        for _attempt in range(4):
            self.send_confirmations(picking)
            counts.append(len(picking.activity_ids))
        self.assertEqual(counts, [0, 0, 1, 1])

    def test_locked_delivery_is_skipped(self):
        """Test that the sender skips a delivery another transaction holds, and sends nothing."""
        with self.registry.cursor() as setup_cr:
            warehouse = self.env(cr=setup_cr)["stock.warehouse"].search(
                [("company_id", "=", self.account.company_id.id)], limit=1)
            held_id = self.env(cr=setup_cr)["stock.picking"].create(
                {"picking_type_id": warehouse.out_type_id.id}).id
        self.addCleanup(self.delete_committed_picking, held_id)
        stats = {"sent": 0, "failed": 0}
        with self.registry.cursor() as holder_cr, self.registry.cursor() as sender_cr:
            holder_cr.execute("SELECT id FROM stock_picking WHERE id = %s FOR UPDATE", [held_id])
            sender_cr.execute("SET LOCAL lock_timeout = '2s'")  # a blocking lock fails, not hangs
            picking = self.env(cr=sender_cr)["stock.picking"].browse(held_id)
            self.env(cr=sender_cr)["amazon.seller.shipment.export"]._send(picking, stats)
            self.assertFalse(picking._amazon_lock(), "held by the other transaction")
            holder_cr.rollback()
            self.assertTrue(picking._amazon_lock(), "free once the other one ended")
            sender_cr.rollback()
        self.assertEqual(stats, {"sent": 0, "failed": 0})
        self.assertFalse(self.simulator.call_counts().get("confirmShipment"))

    def delete_committed_picking(self, picking_id):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM stock_picking WHERE id = %s", [picking_id])

    def confirm_on_amazon(self, picking, tracking):
        """What a confirmation that reached Amazon did there (its answer lost to us)."""
        from sp_api.api import Orders

        from ..tools.spapi_simulator.testing import client

        line = picking.sale_id.order_line.filtered("amazon_order_item_id")[:1]
        client(self.simulator, Orders).confirm_shipment(
            order_id=picking.sale_id.amazon_order_ref,
            marketplaceId=picking.sale_id.amazon_marketplace_id.marketplace_id,
            packageDetail={"packageReferenceId": picking.amazon_package_ref, "carrierCode": "DHL",
                           "trackingNumber": tracking,
                           "shipDate": to_amazon_timestamp(fields.Datetime.now()),
                           "orderItems": [{"orderItemId": line.amazon_order_item_id, "quantity": 1}]})
        self.simulator.reset_calls()

    def test_attempt_recorded_before_a_crash_is_not_resent(self):
        """Test that a package Amazon took before a crash erased our answer is not sent again."""
        picking = self.picking(ORDER_B)
        self.validate(picking, self.dhl, "JJD10")
        # the crashed run had recorded (and committed) its attempt, then Amazon accepted it
        picking.amazon_confirmation_tried = fields.Datetime.now()
        self.confirm_on_amazon(picking, "JJD10")
        self.send_confirmations(picking)
        self.assertEqual(picking.amazon_confirmation_state, "sent")
        self.assertEqual(self.simulator.call_counts(), {"getOrder": 1})

    def test_package_reference_already_used_by_us_means_sent(self):
        """Test that Amazon's "packageReferenceId already used" for our own package means sent."""
        picking = self.picking(ORDER_B)
        self.validate(picking, self.dhl, "JJD11")
        self.confirm_on_amazon(picking, "JJD11")
        self.send_confirmations(picking)
        self.assertEqual(picking.amazon_confirmation_state, "sent")
        self.assertEqual(self.simulator.call_counts(), {"confirmShipment": 1, "getOrder": 1})
        self.assertFalse(self.env["amazon.seller.sync.error"].search(
            [("account_id", "=", self.account.id), ("flow", "=", "shipments")]))

    def test_cancelled_order_stops_its_confirmations(self):
        """Test that a confirmation of an order Amazon cancelled stops, saying why."""
        picking = self.picking(ORDER_B)
        self.validate(picking, self.dhl, "JJD12")
        self.assertEqual(self.simulator.cancel_order(ORDER_B), "CANCELLED")
        self.send_confirmations(picking)
        self.assertEqual(picking.amazon_confirmation_state, "cancelled")
        self.assertIn(f"Amazon cancelled order {ORDER_B}", picking.amazon_confirmation_message)
        self.assertFalse(picking.amazon_next_attempt)
        self.assertEqual(len(picking.activity_ids), 1)
        self.simulator.reset_calls()
        self.send_confirmations(picking)
        self.assertFalse(self.simulator.calls(), "never retried")

    def test_amazon_buyer_gets_no_sms_no_email_no_invitation(self):
        """Test that validating, confirming and re-notifying send the Amazon buyer nothing."""
        from odoo.modules import module as odoo_module

        self.account.company_id.write({"stock_move_email_validation": True,
                                       "stock_text_confirmation": True,
                                       "stock_confirmation_type": "sms",
                                       "has_received_warning_stock_sms": False})
        picking = self.picking(ORDER_B)
        buyer = picking.sale_id.partner_id
        (buyer | picking.partner_id).write({"phone": "+49 30 1234567"})
        before = self.env["mail.message"].search([])
        # stock_sms sends nothing at all while tests run: pretend they don't
        with patch.object(odoo_module, "current_test", False):
            picking.write({"carrier_id": self.dhl.id, "carrier_tracking_ref": "JJD13"})
            picking.move_ids.write({"quantity": 1, "picked": True})
            result = picking.button_validate()
            self.send_confirmations(picking)
            picking.sale_id._send_order_confirmation_mail()
        self.assertIs(result, True, "no SMS pop-up")
        self.assertEqual((picking.state, picking.amazon_confirmation_state), ("done", "sent"))
        recipients = buyer | buyer.child_ids
        self.assertFalse(self.env["sms.sms"].search([("partner_id", "in", recipients.ids)]))
        new = self.env["mail.message"].search([]) - before
        self.assertTrue(new, "the delivery's chatter did get its notes")
        self.assertFalse(new.filtered(lambda m: m.partner_ids & recipients),
                         "no message addressed to the buyer")
        self.assertFalse(self.env["mail.mail"].search([("recipient_ids", "in", recipients.ids)]))
        self.assertFalse(self.env["mail.mail"].search([("email_to", "ilike", "marketplace.amazon")]))
        wizard = self.env["portal.wizard"].create({"partner_ids": [buyer.id]})
        with self.assertRaises(UserError):
            wizard.user_ids.action_grant_access()

    def test_other_customers_still_get_their_sms(self):
        """Test that the SMS guard is about Amazon buyers only (the check can fail)."""
        from odoo.modules import module as odoo_module

        self.account.company_id.write({"stock_text_confirmation": True,
                                       "stock_confirmation_type": "sms"})
        customer = self.env["res.partner"].create({"name": "Walk-in", "phone": "+49 30 7654321"})
        product = self.env["product.product"].search([("default_code", "=", "SHIP-2")])
        order = self.env["sale.order"].create({"partner_id": customer.id, "order_line": [
            (0, 0, {"product_id": product.id, "product_uom_qty": 1})]})
        order.action_confirm()
        with patch.object(odoo_module, "current_test", False):
            order.picking_ids.move_ids.write({"quantity": 1, "picked": True})
            order.picking_ids.with_context(skip_sms=False)._send_confirmation_email()
        self.assertTrue(self.env["sms.sms"].search([("partner_id", "=", customer.id)]))

    # === shipping in bulk === #

    def test_bulk_validation_with_one_carrier(self):
        """Test that several deliveries are validated at once, each with its tracking number."""
        pickings = self.picking(ORDER_A) | self.picking(ORDER_B)
        action = pickings.action_amazon_bulk_validate()
        wizard = self.env["amazon.seller.ship.wizard"].with_context(action["context"]).create(
            {"carrier_id": self.dhl.id})
        self.assertEqual(wizard.line_ids.picking_id, pickings)
        with self.assertRaises(UserError) as caught:
            wizard.action_validate()
        self.assertIn(ORDER_A, caught.exception.args[0])
        for line, tracking in zip(wizard.line_ids.sorted("amazon_order_ref"), ("BULK-A", "BULK-B")):
            line.tracking_ref = tracking
        wizard.action_validate()
        self.assertEqual(pickings.mapped("state"), ["done", "done"])
        self.assertEqual(pickings.mapped("amazon_confirmation_state"), ["to_send", "to_send"])
        self.send_confirmations(pickings)
        self.assertEqual({p["trackingNumber"] for p in self.amazon_packages(ORDER_A)}, {"BULK-A"})
        self.assertEqual({p["trackingNumber"] for p in self.amazon_packages(ORDER_B)}, {"BULK-B"})

    def test_tracking_file_validates_what_it_can_and_says_why_not_the_rest(self):
        """Test a carrier's CSV (Windows-1252, semicolons): good lines ship, bad ones are named."""
        content = "\r\n".join([
            "amazon-order-id;carrier;tracking-number;ship-date",
            f"{ORDER_A};DHL;JJD100;23.11.2026",
            f"{ORDER_B};Speedy Local Couriers;SLC-1;",
            "999-9999999-9999999;DHL;JJD101;",
            f"{ORDER_A};DHL;JJD102;",
            f"{ORDER_B};;;",
            "302-1000009-1000009;Überseekurier;UK-1;",
        ]).encode("cp1252")
        wizard = self.env["amazon.seller.tracking.import.wizard"].create({
            "file": base64.b64encode(content), "filename": "carrier.csv"})
        wizard.action_import()
        picking_a = self.env["sale.order"].search([("amazon_order_ref", "=", ORDER_A)]).picking_ids
        picking_b = self.env["sale.order"].search([("amazon_order_ref", "=", ORDER_B)]).picking_ids
        self.assertEqual((picking_a.state, picking_a.carrier_tracking_ref), ("done", "JJD100"))
        self.assertEqual(picking_a.date_done, datetime(2026, 11, 23))
        self.assertEqual((picking_b.state, picking_b.carrier_id), ("done", self.local))
        self.assertEqual(wizard.result.splitlines(), [
            "2 deliveries validated; Amazon hears of them within minutes.",
            "Line 4: 999-9999999-9999999 is no Amazon delivery waiting to ship",
            f"Line 5: {ORDER_A} appears twice in the file",
            "Line 6: no tracking number",
            "Line 7: 302-1000009-1000009 is no Amazon delivery waiting to ship",
        ])

    def test_tracking_file_problems_in_the_users_language(self):
        """Test that the parser's reasons reach a German user in German."""
        self.env["res.lang"]._activate_lang("de_DE")
        Wizard = self.env["amazon.seller.tracking.import.wizard"].with_context(lang="de_DE")
        wizard = Wizard.create({"file": base64.b64encode(b"order-id;tracking\n302-1;\n"),
                                "filename": "carrier.csv"})
        wizard.action_import()
        self.assertEqual(wizard.result.splitlines()[1:], ["Zeile 2: keine Sendungsnummer"])
        wizard = Wizard.create({"file": b"", "filename": "empty.csv"})
        with self.assertRaises(UserError) as caught:
            wizard.action_import()
        self.assertEqual(caught.exception.args[0],
                         "empty.csv kann nicht gelesen werden: die Datei ist leer.")

    def test_unreadable_tracking_file_is_refused_clearly(self):
        """Test that a file without tracking column is refused naming the file and the column."""
        wizard = self.env["amazon.seller.tracking.import.wizard"].create({
            "file": base64.b64encode(b"order,carrier\n302-1,DHL\n"), "filename": "wrong.csv"})
        with self.assertRaises(UserError) as caught:
            wizard.action_import()
        self.assertIn("wrong.csv cannot be read: no tracking number column", caught.exception.args[0])
