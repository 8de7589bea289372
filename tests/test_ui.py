from odoo.tests import HttpCase, tagged


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
