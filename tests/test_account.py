from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.modules.neutralize import neutralize_database
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import AmazonSellerCase


@tagged("post_install", "-at_install")
class TestAccount(AmazonSellerCase):

    def test_new_account_is_not_synchronised(self):
        """Test that a new account waits for the user to enable synchronisation."""
        self.assertFalse(self.account.sync_enabled)
        self.assertEqual(self.account.company_id, self.env.company)
        self.assertEqual(self.account.user_id, self.env.user)
        self.assertTrue(self.account.credentials_complete)

    def test_secrets_hidden_from_non_administrators(self):
        """Test that Amazon users and managers without system rights cannot read the secrets."""
        for groups in ("amazon_seller.group_amazon_seller_user",
                       "amazon_seller.group_amazon_seller_manager"):
            user = new_test_user(self.env, login=f"amz-{groups[-7:]}", groups=f"base.group_user,{groups}")
            account = self.account.with_user(user)
            self.assertEqual(account.name, "Test Seller NA")
            self.assertTrue(account.credentials_complete)
            for secret in ("lwa_app_id", "lwa_client_secret", "refresh_token"):
                with self.assertRaises(AccessError):
                    account.read([secret])
        self.assertTrue(self.account.refresh_token.startswith("Atzr|test-"))

    def test_plain_user_cannot_change_accounts(self):
        """Test that an Amazon user may read but not modify an account."""
        user = new_test_user(self.env, login="amz-reader",
                             groups="base.group_user,amazon_seller.group_amazon_seller_user")
        with self.assertRaises(AccessError):
            self.account.with_user(user).write({"sync_enabled": True})
        with self.assertRaises(AccessError):
            self.env["amazon.seller.account"].with_user(user).create({"name": "x"})

    def test_copy_leaves_secrets_behind(self):
        """Test that duplicating an account copies no credentials and no synchronisation."""
        self.account.sync_enabled = True
        copy = self.account.copy()
        self.assertFalse(copy.lwa_client_secret or copy.refresh_token or copy.lwa_app_id)
        self.assertFalse(copy.sync_enabled)
        self.assertFalse(copy.credentials_complete)

    def test_accounts_of_other_companies_are_invisible(self):
        """Test the multi-company rule: a user sees the accounts of his companies only."""
        other_company = self.env["res.company"].create({"name": "Other Co"})
        other_account = self.env["amazon.seller.account"].create({
            "name": "Other Seller", "company_id": other_company.id})
        user = new_test_user(self.env, login="amz-mc",
                             groups="base.group_user,amazon_seller.group_amazon_seller_manager",
                             company_id=self.env.company.id, company_ids=[self.env.company.id])
        visible = self.env["amazon.seller.account"].with_user(user).search([])
        self.assertIn(self.account, visible)
        self.assertNotIn(other_account, visible)

    def test_neutralize_wipes_credentials(self):
        """Test that neutralizing the database removes the secrets and stops synchronisation."""
        self.account.write({"sync_enabled": True, "connection_tested": "2026-01-01 00:00:00"})
        self.env.flush_all()
        neutralize_database(self.env.cr)
        self.env.invalidate_all()
        self.assertFalse(self.account.lwa_app_id or self.account.lwa_client_secret
                         or self.account.refresh_token)
        self.assertFalse(self.account.sync_enabled)
        self.assertFalse(self.account.connection_tested, "the next copy's set-up tests again")

    def test_endpoint_url_must_be_a_base_url(self):
        """Test that a malformed endpoint URL is refused with a clear message."""
        for url in ("127.0.0.1:8073", "ftp://host", "http://", "http://host:port", "http://h/?a=1"):
            with self.assertRaises(ValidationError, msg=url) as caught:
                self.point_at(self.account, url)
            self.assertIn(url, caught.exception.args[0])
        for url in ("http://127.0.0.1:8073", "https://sim.example.com/spapi", ""):
            self.point_at(self.account, url)
            self.assertEqual(self.account.endpoint_url or "", url)

    def test_marketplaces_belong_to_the_region(self):
        """Test that a European marketplace cannot be added to a North-American account."""
        with self.assertRaises(ValidationError) as caught:
            self.account.marketplace_ids = [(4, self.marketplace_de.id)]
        self.assertIn("Germany", caught.exception.args[0])

    def test_marketplace_reference_data(self):
        """Test that the shipped marketplaces are complete and their ids unique."""
        marketplaces = self.env["amazon.seller.marketplace"].search([])
        self.assertGreaterEqual(len(marketplaces), 23)
        self.assertEqual(self.marketplace_de.currency_id.name, "EUR")
        self.assertEqual(self.env.ref("amazon_seller.marketplace_jp").region, "FE")
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["amazon.seller.marketplace"].create({
                "name": "Clone", "marketplace_id": "ATVPDKIKX0DER", "region": "NA",
                "country_id": self.env.ref("base.us").id,
                "currency_id": self.env.ref("base.USD").id, "domain": "amazon.com"})
