"""A day per role in a browser (README, *Usage*): each journey is walked by a user holding only
the groups the README gives the role."""
from datetime import timedelta
import json
import os
import tempfile

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from ..tools import demo_setup
from .common import AmazonSellerCase
from .orders import make_order


@tagged("post_install", "-at_install")
class TestJourneys(HttpCase):

    def start_simulator(self, orders=()):
        from ..tools.spapi_simulator import Simulator

        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
            json.dump(list(orders), file)
        self.addCleanup(os.unlink, file.name)
        simulator = Simulator(orders_file=file.name, models_dir=False, rate_limits=False).start()
        self.addCleanup(simulator.stop)
        return simulator

    def make_account(self, simulator, marketplace):
        return self.env["amazon.seller.account"].create({
            "name": "Journey Seller", "region": "EU" if marketplace == "de" else "NA",
            "endpoint_url": simulator.url, "sync_enabled": True,
            "marketplace_ids": [self.env.ref(f"amazon_seller.marketplace_{marketplace}").id],
            **AmazonSellerCase.credentials(),
        })

    def test_warehouse_ships_amazon_deliveries_in_bulk(self):
        """Test in a browser that the warehouse validates the Amazon deliveries to ship at once
        with DHL and a tracking number each, and that Amazon then has them shipped by DHL."""
        simulator = self.start_simulator([
            make_order("302-3000001-3000001", items=(("JOURNEY-MUG", 2, "12.90"),)),
            make_order("302-3000002-3000002", items=(("JOURNEY-MUG", 1, "12.90"),)),
        ])
        account = self.make_account(simulator, "de")
        product = self.env["product.product"].create({
            "name": "Journey mug", "default_code": "JOURNEY-MUG", "is_storable": True})
        demo_setup.set_on_hand(self.env, account.warehouse_id.lot_stock_id, {product: 10})
        demo_setup.demo_carriers(self.env, self.env.company)
        account._flow_state("orders").checkpoint = "2020-01-01 00:00:00"
        self.assertEqual(self.env["amazon.seller.order.import"]._run_now(account)["created"], 2)
        pickings = self.env["sale.order"].search(
            [("amazon_account_id", "=", account.id)]).picking_ids
        self.assertEqual(pickings.mapped("state"), ["assigned", "assigned"], "goods on hand")

        new_test_user(self.env, login="warehouse_journey", groups="stock.group_stock_user,"
                      "amazon_seller.group_amazon_seller_user")
        self.start_tour("/odoo/action-amazon_seller.action_amazon_to_ship",
                        "amazon_seller_warehouse_journey", login="warehouse_journey")

        self.assertEqual(sorted(pickings.mapped("carrier_tracking_ref")), ["JJD0001", "JJD0002"])
        self.assertEqual(pickings.mapped("state"), ["done", "done"])
        self.assertEqual(pickings.carrier_id.name, "DHL")
        # the scheduled action (triggered by the validation, once committed) sends them
        pickings.amazon_next_attempt = fields.Datetime.now() - timedelta(seconds=1)
        self.env["amazon.seller.shipment.export"]._run_now(account)
        self.assertEqual(pickings.mapped("amazon_confirmation_state"), ["sent", "sent"])
        self.assertEqual(simulator.order_status("302-3000001-3000001"), "SHIPPED")
        self.assertEqual(simulator.order_status("302-3000002-3000002"), "SHIPPED")
        self.assertEqual(len(simulator.calls(operation="confirmShipment")), 2)

    def test_accountant_maps_posts_and_matches_a_settlement(self):
        """Test in a browser that the accountant imports a settlement file with an unknown fee,
        creates its rule from the row, posts the settlement and matches its bank deposit."""
        simulator = self.start_simulator()
        account = self.make_account(simulator, "us")
        company = account.company_id
        bank = self.env["account.journal"].search([
            ("company_id", "=", company.id), ("type", "=", "bank"),
            ("id", "not in", account.payments_ids.journal_id.ids)], limit=1)
        deposit = self.env["account.bank.statement.line"].create({
            "journal_id": bank.id, "date": "2026-06-16", "amount": 87.50,
            "payment_ref": "AMAZON.COM SERVICES 5561",
        })
        self.assertEqual(company.currency_id.name, "USD")

        new_test_user(self.env, login="accountant_journey", groups="account.group_account_user,"
                      "amazon_seller.group_amazon_seller_user")
        self.start_tour("/odoo/action-amazon_seller.action_amazon_settlements",
                        "amazon_seller_accountant_journey", login="accountant_journey")

        settlement = self.env["amazon.seller.settlement"].search([("settlement_ref", "=", "5561")])
        self.assertEqual((settlement.state, settlement.total_amount), ("deposited", 87.50))
        self.assertEqual(settlement.deposit_line_id, deposit)
        self.assertTrue(deposit.is_reconciled)
        rule = self.env["amazon.seller.settlement.rule"].search(
            [("amount_description", "=", "Mystery Fee")])
        self.assertEqual((rule.transaction_type, rule.amount_type, rule.payments_account),
                         ("ServiceFee", "other-transaction", "other_fee_account_id"))
