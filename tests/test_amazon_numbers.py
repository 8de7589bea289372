"""Amazon's own numbers as a second witness, through the simulator: each settlement's summary
(Finances listSummary) against its file, its payout (Transfers listPayouts) with status and
bank trace id, the deposit found by that trace id, and buyers' cancellation requests."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import OrderSyncCase


@tagged("post_install", "-at_install")
class TestAmazonNumbers(OrderSyncCase):

    simulator_options = {"orders": 40, "seed": 3, "rate_limits": False}

    def import_settlements(self):
        self.accounts.sync_enabled = True
        with self.enter_registry_test_mode():
            self.env.ref("amazon_seller.ir_cron_import_settlements").method_direct_trigger()
        return self.env["amazon.seller.settlement"].search(
            [("account_id", "in", self.accounts.ids)])

    def test_summary_checked_and_payouts_read(self):
        """Test that every imported settlement is checked against Amazon's summary (equal by
        default) and knows its payout; a summary Amazon gives differently keeps its settlement
        to review with both figures."""
        settlements = self.import_settlements()
        self.assertTrue(settlements)
        self.assertEqual(set(settlements.mapped("amazon_summary_state")), {"match"})
        for settlement in settlements:
            self.assertAlmostEqual(settlement.amazon_net_proceeds, settlement.total_amount,
                                   places=2)
        paid = settlements.filtered(lambda s: s.amazon_payout_state == "PAID")
        self.assertTrue(paid, "older payouts are paid")
        self.assertTrue(all(s.amazon_payout_trace for s in paid))

        settlement = settlements.filtered(
            lambda s: s.currency_id.decimal_places == 2).sorted("total_amount")[-1]
        self.simulator.set_summary_difference(settlement.settlement_ref, "0.05")
        settlement.action_check_with_amazon()
        self.assertEqual((settlement.amazon_summary_state, settlement.state),
                         ("differs", "to_review"))
        self.assertIn("Amazon's summary gives net proceeds", settlement.problems)
        self.assertAlmostEqual(settlement.amazon_net_proceeds - settlement.total_amount, 0.05,
                               places=2)

    def test_deposit_found_by_trace_id_and_failed_payout_refused(self):
        """Test that the bank line carrying Amazon's trace id is the deposit, before one of the
        same amount nearer the date; a failed payout is not matched."""
        settlement = self.import_settlements().filtered(
            lambda s: s.amazon_payout_trace and s.currency_id == s.company_id.currency_id)[:1]
        bank = self.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", settlement.company_id.id)], limit=1)
        day = settlement.deposit_date or settlement.date_end
        Line = self.env["account.bank.statement.line"]
        common = {"journal_id": bank.id, "amount": settlement.total_amount}
        Line.create({**common, "date": day, "payment_ref": "AMAZON PAYMENTS"})
        traced = Line.create({**common, "date": day.replace(day=max(1, day.day - 2)),
                              "payment_ref": f"AMZN EU {settlement.amazon_payout_trace}"})
        start, end = day.replace(day=1), day.replace(day=28)
        self.assertEqual(settlement._deposit_line_by_trace(start, end), traced)
        settlement.write({"amazon_payout_state": "FAILED", "amazon_payout_failure": "R01"})
        with self.assertRaisesRegex(UserError, "payout of settlement .* failed \\(R01\\)"):
            settlement._check_payout_not_failed()

    def test_buyer_cancellation_request_before_packing(self):
        """Test that a buyer's cancellation request reaches the order and its delivery (and the
        account's responsible), the order still to ship."""
        self.sync_orders(self.account)
        order = self.env["sale.order"].search([
            ("amazon_account_id", "=", self.account.id), ("amazon_fulfillment_channel", "=", "fbm"),
            ("amazon_status", "=", "UNSHIPPED"), ("state", "=", "sale")], limit=1)
        self.assertTrue(order, "the scenario has an unshipped FBM order")
        self.simulator.request_cancellation(order.amazon_order_ref, reason="Ordered by mistake")
        self.sync_orders(self.account)
        self.assertEqual(order.amazon_cancel_request, "Ordered by mistake")
        self.assertEqual(order.picking_ids.amazon_cancel_request, "Ordered by mistake")
        self.assertIn("asks to cancel", order.activity_ids.summary)
        self.assertEqual(order.state, "sale", "the seller decides; Amazon cancels")

    def test_month_end_balances_beside_the_books(self):
        """Test that the settlement run compares Amazon's balances of the last month end with
        Odoo's books, per marketplace, once, the difference explained."""
        self.import_settlements()
        checks = self.account.balance_check_ids
        self.assertEqual(checks.marketplace_id, self.account.marketplace_ids)
        check = checks[:1]
        last_day = fields.Date.today().replace(day=1) - timedelta(days=1)
        self.assertEqual(check.date, last_day)
        self.assertAlmostEqual(check.amazon_total, check.amazon_available + check.amazon_deferred
                               + check.amazon_reserve, places=2)
        self.assertAlmostEqual(check.difference, check.amazon_total - check.odoo_total, places=2)
        if check.difference:
            self.assertIn("Orders shipped and not settled yet", check.note)
        self.account.action_check_balances()
        self.assertEqual(len(self.account.balance_check_ids), len(checks), "once per month end")

    def test_amounts_amazon_holds_per_order(self):
        """Test that an order shipped now, whose money waits for the next settlement, shows
        what Amazon holds of it (its DEFERRED transactions), and that an order a closed
        settlement paid holds nothing."""
        self.accounts.sync_enabled = True
        self.sync_orders(self.account)
        order = self.env["sale.order"].search([
            ("amazon_account_id", "=", self.account.id), ("amazon_fulfillment_channel", "=", "fbm"),
            ("amazon_status", "=", "UNSHIPPED"), ("state", "=", "sale")], limit=1)
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        for move in picking.move_ids:
            self.env["stock.quant"]._update_available_quantity(
                move.product_id, picking.location_id, move.product_uom_qty)
        picking.action_assign()
        service = self.env["product.product"].create({"name": "Carriage", "type": "service"})
        picking.write({"carrier_id": self.env["delivery.carrier"].create(
            {"name": "UPS", "product_id": service.id}).id, "carrier_tracking_ref": "1Z999"})
        picking.move_ids.write({"picked": True})
        picking.move_ids.filtered(lambda m: not m.quantity).write({"quantity": 1})
        picking.button_validate()
        self.send_confirmations(picking)
        self.assertEqual(self.simulator.order_status(order.amazon_order_ref), "SHIPPED")
        self.simulator.advance(minutes=10)  # Amazon posts a shipment's money minutes later
        self.import_settlements()
        self.assertGreater(order.amazon_deferred_amount, 0, "Amazon holds it until settled")
        self.simulator.advance(days=16)  # its settlement period closes: released
        self.import_settlements()
        self.assertEqual(order.amazon_deferred_amount, 0.0)
