import json
import os
import tempfile

from odoo.tests import HttpCase, new_test_user, tagged

from .common import AmazonSellerCase


@tagged("post_install", "-at_install")
class TestUi(HttpCase):

    def test_account_form_explains_bad_input(self):
        """Test in a browser that the account form refuses a bad URL and names missing credentials."""
        self.start_tour("/odoo/action-amazon_seller.amazon_seller_account_action",
                        "amazon_seller_account_tour", login="admin")
        account = self.env["amazon.seller.account"].search([("name", "=", "Tour Seller")])
        self.assertEqual(account.endpoint_url, "http://127.0.0.1:9")
        self.assertEqual(account.lwa_app_id, "amzn1.application-oa2-client.tour")
        self.assertFalse(account.refresh_token)


@tagged("post_install", "-at_install")
class TestDeliveryUi(HttpCase):

    def test_delivery_needs_tracking_then_queues_confirmation(self):
        """Test in a browser that an FBM delivery asks for tracking, then queues its confirmation."""
        from ..tools.spapi_simulator import Simulator

        from .orders import make_order

        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
            json.dump([make_order("302-2000001-2000001", items=(("TOUR-SKU", 1, "9.99"),))], file)
        self.addCleanup(os.unlink, file.name)
        simulator = Simulator(orders_file=file.name, models_dir=False, rate_limits=False).start()
        self.addCleanup(simulator.stop)
        account = self.env["amazon.seller.account"].create({
            "name": "Tour Seller", "region": "EU", "endpoint_url": simulator.url,
            "marketplace_ids": [self.env.ref("amazon_seller.marketplace_de").id],
            **AmazonSellerCase.credentials(),
        })
        product = self.env["product.product"].create({"name": "Tour product", "is_storable": True})
        self.env["amazon.seller.offer"].create({
            "account_id": account.id, "marketplace_id": self.env.ref("amazon_seller.marketplace_de").id,
            "sku": "TOUR-SKU", "fulfillment_channel": "fbm", "product_id": product.id})
        self.env["stock.quant"]._update_available_quantity(product, account.warehouse_id.lot_stock_id, 5)
        service = self.env["product.product"].create({"name": "Carriage", "type": "service"})
        self.env["delivery.carrier"].create({"name": "Tour Carrier", "product_id": service.id})
        account._flow_state("orders").checkpoint = "2020-01-01 00:00:00"
        self.assertEqual(self.env["amazon.seller.order.import"]._run_now(account)["created"], 1)

        # exactly the groups the README gives the warehouse
        new_test_user(self.env, login="warehouse", groups="stock.group_stock_user,"
                      "amazon_seller.group_amazon_seller_user")
        self.start_tour("/odoo/action-amazon_seller.action_amazon_to_ship",
                        "amazon_seller_delivery_tour", login="warehouse")

        picking = self.env["sale.order"].search([("amazon_account_id", "=", account.id)]).picking_ids
        self.assertEqual((picking.state, picking.carrier_tracking_ref), ("done", "TOUR-123"))
        self.assertEqual((picking.amazon_confirmation_state, picking.amazon_package_ref), ("to_send", "1"))
        self.assertFalse(simulator.call_counts().get("confirmShipment"), "sent after commit, by the cron")


@tagged("post_install", "-at_install")
class TestDashboardUi(HttpCase):

    def test_overview_card_opens_flow_errors_and_setup(self):
        """Test in a browser the overview card: figures, a flow's errors, the set-up it continues."""
        from datetime import timedelta

        from odoo import Command, fields

        account = self.env["amazon.seller.account"].create({
            "name": "Dashboard Seller", "region": "NA",
            "marketplace_ids": [self.env.ref("amazon_seller.marketplace_us").id],
            "connection_tested": fields.Datetime.now(),
            **AmazonSellerCase.credentials(),
        })
        product = self.env["product.product"].create({"name": "Late mug", "is_storable": True})
        order = self.env["sale.order"].create({
            "partner_id": self.env["res.partner"].create({"name": "Buyer"}).id,
            "amazon_account_id": account.id, "amazon_order_ref": "111-7000002",
            "amazon_fulfillment_channel": "fbm",
            "amazon_ship_by": fields.Datetime.now() - timedelta(hours=2),
            "order_line": [Command.create({"product_id": product.id})],
        })
        order.action_confirm()
        account._flow_state("orders").write({"last_run": fields.Datetime.now(),
                                             "last_success": fields.Datetime.now()})
        self.env["amazon.seller.sync.error"].create({
            "account_id": account.id, "flow": "orders", "amazon_ref": "111-7000001",
            "message": "Unknown marketplace"})
        self.start_tour("/odoo/action-amazon_seller.action_amazon_seller_dashboard",
                        "amazon_seller_dashboard_tour", login="admin")
        # the e-commerce manager without Inventory rights: the figures lead to the orders
        new_test_user(self.env, login="figures_manager", groups=(
            "sales_team.group_sale_salesman_all_leads,amazon_seller.group_amazon_seller_manager"))
        self.start_tour("/odoo/action-amazon_seller.action_amazon_seller_dashboard",
                        "amazon_seller_manager_figures_tour", login="figures_manager")

    def test_sales_user_reads_revenue_without_amazons_tax(self):
        """Test in a browser, as a sales user, that the sales analysis counts an amazon.com
        order's item price, not the marketplace facilitator tax Amazon collects."""
        from odoo import Command

        account = self.env["amazon.seller.account"].create({
            "name": "Report Seller", "region": "NA",
            "marketplace_ids": [self.env.ref("amazon_seller.marketplace_us").id]})
        lamp = self.env["product.product"].create({"name": "Report lamp", "type": "service",
                                                    "taxes_id": [Command.clear()]})
        order = self.env["sale.order"].create({
            "partner_id": self.env["res.partner"].create({"name": "US buyer"}).id,
            "amazon_account_id": account.id, "amazon_order_ref": "111-7100001",
            "amazon_marketplace_id": self.env.ref("amazon_seller.marketplace_us").id,
            "order_line": [
                Command.create({"product_id": lamp.id, "price_unit": 129.99, "tax_ids": []}),
                Command.create({"product_id": self.env.ref("amazon_seller.product_amazon_mf_tax").id,
                                "price_unit": 10.40, "tax_ids": []})]})
        order.action_confirm()
        self.assertEqual((order.amount_untaxed, order.amount_total), (129.99, 140.39))
        new_test_user(self.env, login="report_sales", groups=(
            "sales_team.group_sale_salesman_all_leads,amazon_seller.group_amazon_seller_user"))
        self.start_tour("/odoo/action-sale.action_order_report_all",
                        "amazon_seller_sales_report_tour", login="report_sales")


@tagged("post_install", "-at_install")
class TestManagerJourney(HttpCase):
    """The e-commerce manager, in a browser, with only the groups the README gives the role
    (credentials are entered by an administrator: Administration ▸ Settings)."""

    def test_new_account_set_up_then_an_sku_mapped_confirms_its_order(self):
        """Test that a manager walks a new account from credentials to synchronisation, then maps
        the SKU an imported order waits for, which confirms it."""
        from unittest.mock import patch

        from ..models import amazon_seller_account as account_module
        from ..tools.spapi_simulator import Simulator
        from .orders import make_order

        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
            json.dump([make_order("113-3000001-3000001", market="US",
                                  items=(("JOURNEY-SKU", 1, "24.00"),))], file)
        self.addCleanup(os.unlink, file.name)
        simulator = Simulator(orders_file=file.name, models_dir=False, rate_limits=False).start()
        self.addCleanup(simulator.stop)
        real_gateway = account_module.SpApiGateway

        def to_simulator(credentials, region, endpoint_url=None):
            """Amazon's production endpoint of the region is the simulator in this test."""
            return real_gateway(credentials=credentials, region=region,
                                endpoint_url=endpoint_url or simulator.url)

        self.env["product.product"].create({"name": "Journey Lamp", "is_storable": True})
        new_test_user(self.env, login="journey_manager",
                      groups="base.group_system,sales_team.group_sale_salesman_all_leads,"
                      "amazon_seller.group_amazon_seller_manager")
        with patch.object(account_module, "SpApiGateway", to_simulator):
            self.start_tour("/odoo/action-amazon_seller.amazon_seller_account_action",
                            "amazon_seller_manager_setup_tour", login="journey_manager")
            account = self.env["amazon.seller.account"].search([("name", "=", "Journey Seller")])
            self.assertEqual(account.setup_step, "done")
            self.assertIn(self.env.ref("amazon_seller.marketplace_us"), account.marketplace_ids)
            self.assertTrue(account.payments_ids and account.sync_enabled)

            account._flow_state("orders").checkpoint = "2020-01-01 00:00:00"
            self.env["amazon.seller.order.import"]._run_now(account)
            order = self.env["sale.order"].search([("amazon_account_id", "=", account.id)])
            self.assertEqual((order.state, order.amazon_awaiting_mapping), ("draft", True))

            self.start_tour("/odoo/action-amazon_seller.amazon_seller_offer_to_map_action",
                            "amazon_seller_manager_mapping_tour", login="journey_manager")
        self.assertEqual((order.state, order.amazon_awaiting_mapping), ("sale", False))
        self.assertEqual(order.order_line.filtered("amazon_offer_id").product_id.name,
                         "Journey Lamp")
