from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from .common import AmazonSellerCase, SimulatorCase

ACCESS_ERROR = "odoo.exceptions.AccessError"
# Who may do what over JSON-RPC (written out: the README's roles).
ROLES = {
    "plain": "base.group_user",
    "portal": "base.group_portal",
    "amazon_user": "base.group_user,amazon_seller.group_amazon_seller_user",
    "amazon_manager": "base.group_user,amazon_seller.group_amazon_seller_manager",
    "inventory": "base.group_user,stock.group_stock_user",
    "accounting": "base.group_user,account.group_account_manager",
    "other_company_manager": "base.group_user,amazon_seller.group_amazon_seller_manager",
    "administrator": "base.group_user,base.group_system,amazon_seller.group_amazon_seller_manager",
}
ALLOWED = {
    "test_connection": {"amazon_manager", "administrator"},
    "open_sync_wizard": {"amazon_manager", "administrator"},
    "run_sync_wizard": {"amazon_manager", "administrator"},
    "retry_sync_error": {"amazon_manager", "administrator"},
    "sync_listings": {"amazon_manager", "administrator"},
    "map_offer": {"amazon_manager", "administrator"},
    "change_endpoint": {"administrator"},
    "change_marketplace": {"administrator"},
}


@tagged("post_install", "-at_install")
class TestRoleMatrix(HttpCase):
    """Every public operation that talks to Amazon, imports or configures, by role, over
    JSON-RPC as the web client calls it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from ..tools.spapi_simulator import Simulator

        cls.simulator = Simulator(orders=5, models_dir=False, rate_limits=False).start()
        cls.addClassCleanup(cls.simulator.stop)
        cls.account = cls.env["amazon.seller.account"].create({
            "name": "Matrix Seller", "region": "NA", "endpoint_url": cls.simulator.url,
            "marketplace_ids": [cls.env.ref("amazon_seller.marketplace_us").id],
            **AmazonSellerCase.credentials(),
        })
        cls.error = cls.env["amazon.seller.sync.error"].create({
            "account_id": cls.account.id, "flow": "orders", "amazon_ref": "111-0000000-0000000",
            "message": "broken"})
        cls.offer = cls.env["amazon.seller.offer"].create({
            "account_id": cls.account.id, "marketplace_id": cls.env.ref("amazon_seller.marketplace_us").id,
            "sku": "MATRIX-SKU"})
        cls.product = cls.env["product.product"].create({"name": "Matrix product", "is_storable": True})
        other_company = cls.env["res.company"].create({"name": "Other Seller Co"})
        main_company = cls.env.company
        cls.users = {}
        for role, groups in ROLES.items():
            company = other_company if role == "other_company_manager" else main_company
            cls.users[role] = new_test_user(
                cls.env, login=f"matrix-{role}", groups=groups, company_id=company.id,
                company_ids=[company.id])

    def call(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": model, "method": method, "args": args, "kwargs": kwargs or {}})

    def operations(self):
        account_id = self.account.id
        return {
            "test_connection": lambda: self.call(
                "amazon.seller.account", "action_test_connection", [[account_id]]),
            "open_sync_wizard": lambda: self.call(
                "amazon.seller.account", "action_open_sync_wizard", [[account_id]]),
            "run_sync_wizard": lambda: self.call(
                "amazon.seller.order.sync.wizard", "action_sync", [[self.call(
                    "amazon.seller.order.sync.wizard", "create",
                    [{"account_id": account_id, "mode": "refs",
                      "order_refs": "111-0000000-0000000"}])]]),
            "retry_sync_error": lambda: self.call(
                "amazon.seller.sync.error", "action_retry", [[self.error.id]]),
            "sync_listings": lambda: self.call(
                "amazon.seller.account", "action_sync_listings", [[account_id]]),
            "map_offer": lambda: self.call(
                "amazon.seller.offer", "write", [[self.offer.id], {"product_id": self.product.id}]),
            "change_endpoint": lambda: self.call(
                "amazon.seller.account", "write", [[account_id], {
                    "endpoint_url": "http://127.0.0.1:9", **AmazonSellerCase.credentials()}]),
            "change_marketplace": lambda: self.call(
                "amazon.seller.marketplace", "write",
                [[self.env.ref("amazon_seller.marketplace_us").id], {"name": "Elsewhere"}]),
        }

    @mute_logger("odoo.http", "odoo.addons.amazon_seller.models.amazon_seller_flow")
    def test_role_operation_matrix(self):
        """Test that only the README's roles may test, synchronise, retry, map or reconfigure."""
        for role in ROLES:
            self.authenticate(f"matrix-{role}", f"matrix-{role}")
            for operation, run in self.operations().items():
                with self.subTest(role=role, operation=operation):
                    try:
                        run()
                        denied = None
                    except JsonRpcException as error:
                        denied = error.args[0] if error.args else str(error)
                    if role in ALLOWED[operation]:
                        self.assertIsNone(denied, f"{role} may {operation}")
                    else:
                        self.assertIsNotNone(denied, f"{role} may not {operation}")
                        self.assertIn("AccessError", str(denied), f"{role}: {operation}")
        calls = {call["operation"] for call in self.simulator.calls()}
        self.assertIn("getMarketplaceParticipations", calls, "the allowed test did reach Amazon")
        self.assertIn("getReportDocument", calls, "the allowed listings sync did reach Amazon")
        self.assertEqual(self.offer.product_id, self.product)


@tagged("post_install", "-at_install")
class TestAccountHardening(SimulatorCase):
    """Credentials, marketplaces, deletion and escaping."""

    def test_endpoint_change_requires_the_credentials_again(self):
        """Test that the endpoint cannot be moved without entering the secrets again."""
        with self.assertRaises(ValidationError) as caught:
            self.account.endpoint_url = "http://127.0.0.1:9"
        self.assertIn("enter the LWA client ID, client secret and refresh token again",
                      caught.exception.args[0])
        self.point_at(self.account, "http://127.0.0.1:9")
        self.assertEqual(self.account.endpoint_url, "http://127.0.0.1:9")
        self.account.write({"name": "Renamed", "endpoint_url": "http://127.0.0.1:9/"})
        manager = new_test_user(self.env, login="amz-endpoint",
                                groups="base.group_user,amazon_seller.group_amazon_seller_manager")
        with self.assertRaises(Exception):  # noqa: B017 - AccessError on the restricted field
            self.account.with_user(manager).write({"endpoint_url": self.simulator.url,
                                                   **self.credentials()})

    def test_failing_write_never_logs_the_secrets(self):
        """Test that a write that fails in the database does not show the secrets in the log."""
        secret = "do-not-log-this-secret"
        with self.assertLogs("odoo.sql_db", "ERROR") as logs, self.assertRaises(Exception), \
                self.cr.savepoint():
            self.account.write({"lwa_client_secret": secret, "user_id": 999999999})
            self.env.flush_all()
        self.assertTrue(logs.output, "the failing query was logged")
        self.assertNotIn(secret, "\n".join(logs.output))

    def test_secrets_written_apart_still_saved(self):
        """Test that secrets given with other values are saved, on creation and on write."""
        account = self.env["amazon.seller.account"].create({
            "name": "Apart", "region": "EU", "lwa_app_id": "app", "lwa_client_secret": "secret",
            "refresh_token": "token"})
        self.assertEqual((account.lwa_app_id, account.lwa_client_secret, account.refresh_token),
                         ("app", "secret", "token"))
        account.write({"name": "Apart 2", "refresh_token": "token-2"})
        self.assertEqual((account.name, account.refresh_token), ("Apart 2", "token-2"))

    def test_no_marketplace_no_synchronisation(self):
        """Test that an account without marketplaces can neither enable sync nor run the wizard."""
        self.account.marketplace_ids = [(5,)]
        with self.assertRaises(ValidationError):
            self.account.sync_enabled = True
        with self.assertRaises(UserError):
            self.account.action_open_sync_wizard()
        wizard = self.env["amazon.seller.order.sync.wizard"].create({
            "account_id": self.account.id, "mode": "refs", "order_refs": "111-0000000-0000000"})
        with self.assertRaises(UserError):
            wizard.action_sync()
        self.assertFalse(self.simulator.calls())

    def test_account_with_orders_is_archived_not_deleted(self):
        """Test that an account with orders cannot be deleted, and one without can."""
        partner = self.env["res.partner"].create({"name": "Buyer"})
        self.env["sale.order"].create({"partner_id": partner.id, "amazon_account_id": self.account.id,
                                       "amazon_order_ref": "111-0000001-0000001"})
        with self.assertRaises(UserError) as caught:
            self.account.unlink()
        self.assertIn("archive", caught.exception.args[0])
        empty = self.env["amazon.seller.account"].create({"name": "Empty", "region": "NA"})
        empty.unlink()
        self.assertFalse(empty.exists())

    def test_connection_test_asks_login_with_amazon_afresh(self):
        """Test that each connection test asks LWA for a token: a cached one proves nothing."""
        self.account.action_test_connection()
        self.account.action_test_connection()
        self.assertEqual([call["operation"] for call in self.simulator.calls()],
                         ["lwaToken", "getMarketplaceParticipations"] * 2)

    def test_amazon_data_is_escaped_in_activities(self):
        """Test that HTML in Amazon data shows as text in activity notes, never as markup."""
        self.account._schedule_activity(self.account, "Check", "SKU <b>bold</b><script>x()</script>")
        note = self.account.activity_ids.note
        self.assertIn("&lt;b&gt;bold&lt;/b&gt;", note)
        self.assertNotIn("<b>", note)
        self.assertNotIn("<script", note)



@tagged("post_install", "-at_install")
class TestRoleAccess(AmazonSellerCase):
    """The README's roles are enough for their day."""

    def test_amazon_user_without_sales_rights_sees_amazon_orders(self):
        """Test that Amazon / User alone opens Sales ▸ Amazon ▸ Orders and reads the orders."""
        user = new_test_user(self.env, login="amz-only",
                             groups="base.group_user,amazon_seller.group_amazon_seller_user")
        partner = self.env["res.partner"].create({"name": "Buyer"})
        order = self.env["sale.order"].create({
            "partner_id": partner.id, "amazon_account_id": self.account.id,
            "amazon_order_ref": "111-0000002-0000002"})
        menus = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        self.assertIn(self.env.ref("amazon_seller.menu_amazon_seller_orders").id, menus)
        action = self.env.ref("amazon_seller.action_amazon_orders")
        found = self.env["sale.order"].with_user(user).search_read(
            safe_eval(action.domain or "[]"), ["name", "amazon_order_ref", "amount_total"])
        self.assertIn(order.id, [row["id"] for row in found])
