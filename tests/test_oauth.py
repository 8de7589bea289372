"""Connect in one click: the website authorization workflow against the simulator's Seller
Central consent page and LWA, through Odoo's HTTP callback."""

from datetime import timedelta
import re
from urllib.parse import parse_qs, urlsplit

import requests

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from ..exceptions import AmazonUnauthorized
from ..gateway import SpApiGateway
from ..models.amazon_seller_oauth import (
    PARAM_APPLICATION_ID, PARAM_LWA_CLIENT_ID, PARAM_LWA_CLIENT_SECRET,
)

APPLICATION_ID = "amzn1.sp.solution.oauth-test"
CLIENT = {"lwa_app_id": "amzn1.application-oa2-client.oauth", "lwa_client_secret": "oauth-secret"}


class OAuthCase(HttpCase):
    """A simulator, the SP-API application in Settings ▸ Amazon and a new account on the
    simulator without credentials; an Amazon manager who is no administrator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from ..tools.spapi_simulator import Simulator
        from ..tools.spapi_simulator.const import SELLER_ID

        cls.seller_id = SELLER_ID
        cls.simulator = Simulator(models_dir=False, rate_limits=False, orders=5).start()
        cls.addClassCleanup(cls.simulator.stop)
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param(PARAM_APPLICATION_ID, APPLICATION_ID)
        params.set_param(PARAM_LWA_CLIENT_ID, CLIENT["lwa_app_id"])
        params.set_param(PARAM_LWA_CLIENT_SECRET, CLIENT["lwa_client_secret"])
        cls.account = cls.env["amazon.seller.account"].create({
            "name": "Connect Seller", "region": "NA", "endpoint_url": cls.simulator.url})
        new_test_user(cls.env, login="oauth_manager", groups="sales_team.group_sale_salesman_all_leads,"
                      "amazon_seller.group_amazon_seller_manager")

    def setUp(self):
        super().setUp()
        self.simulator.reset_calls()

    def connect_url(self, login="oauth_manager"):
        """Connect on the account, as ``login``: the consent page's URL."""
        self.authenticate(login, login)
        action = self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": "amazon.seller.account", "method": "action_connect",
            "args": [[self.account.id]], "kwargs": {}})
        self.assertEqual((action["type"], action["target"]), ("ir.actions.act_url", "self"))
        return action["url"]

    def authorize(self, consent_url):
        """The seller's Authorize on the consent page: the callback URL Seller Central sends to."""
        page = requests.get(consent_url, timeout=10)
        self.assertEqual(page.status_code, 200)
        form = dict(re.findall(r"name='(\w+)' value='([^']*)'", page.text))
        answer = requests.post(self.simulator.url + "/apps/authorize/consent", data=form,
                               allow_redirects=False, timeout=10)
        self.assertEqual(answer.status_code, 302)
        return answer.headers["Location"]

    def callback(self, url):
        """Odoo's answer to the callback (not followed), the cache cleared after."""
        response = self.url_open(url, allow_redirects=False)
        self.env.invalidate_all()
        return response

    def assert_refused(self, response, words):
        self.assertEqual(response.status_code, 400)
        self.assertIn("The account was not connected", response.text)
        self.assertIn(words, response.text)
        self.assertNotIn("Traceback", response.text)


@tagged("post_install", "-at_install")
class TestOAuth(OAuthCase):

    def test_connect_stores_the_refresh_token_and_seller_id(self):
        """Test that Connect, Authorize and the callback connect the account: refresh token,
        LWA client of the settings, Seller ID, connection tested, marketplaces from Amazon."""
        consent = urlsplit(self.connect_url())
        query = {k: v[0] for k, v in parse_qs(consent.query).items()}
        self.assertEqual(f"{consent.scheme}://{consent.netloc}{consent.path}",
                         self.simulator.url + "/apps/authorize/consent")
        self.assertEqual(query["application_id"], APPLICATION_ID)
        self.assertEqual(query["redirect_uri"], self.base_url() + "/amazon_seller/oauth/callback")
        self.assertEqual(query["version"], "beta")
        self.assertGreaterEqual(len(query["state"]), 32)
        self.assertNotIn(query["state"], str(self.env["amazon.seller.oauth.state"].sudo()
                                              .search([]).mapped("state_hash")))

        response = self.callback(self.authorize(self.connect_url()))
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertTrue(response.headers["Location"].endswith(
            f"/odoo/action-amazon_seller.amazon_seller_account_action/{self.account.id}"))
        authorization = self.simulator.authorizations()[-1]
        account = self.account.sudo()
        self.assertEqual(account.refresh_token, authorization["refreshToken"])
        self.assertEqual((account.lwa_app_id, account.lwa_client_secret),
                         (CLIENT["lwa_app_id"], CLIENT["lwa_client_secret"]))
        self.assertEqual(account.merchant_token, self.seller_id)
        self.assertTrue(account.connection_tested)
        self.assertEqual(account.marketplace_ids, self.env.ref("amazon_seller.marketplace_us")
                         | self.env.ref("amazon_seller.marketplace_ca"))
        self.assertNotEqual(account.setup_step, "credentials")
        self.assertFalse(account.duplicate_seller_warning)
        self.assertIn("is connected to Amazon", account.message_ids[0].body)
        exchange = [call for call in self.simulator.calls("lwaToken")
                    if call["params"]["grant_type"] == "authorization_code"]
        self.assertEqual(exchange[0]["params"]["redirect_uri"],
                         self.base_url() + "/amazon_seller/oauth/callback")

        # the same answer again: refused, nothing changes
        self.assert_refused(self.callback(response.request.url), "already used")
        self.assertEqual(account.refresh_token, authorization["refreshToken"])

    def test_forged_expired_and_foreign_states_change_nothing(self):
        """Test that a forged state, another user's state and an expired one give the page
        saying why, and that nothing reaches LWA nor the account."""
        self.authenticate("oauth_manager", "oauth_manager")
        self.assert_refused(self.callback(
            "/amazon_seller/oauth/callback?state=forged&spapi_oauth_code=ANx&selling_partner_id=X"),
            "does not belong to a connection you started")
        self.assert_refused(self.callback("/amazon_seller/oauth/callback"),
                            "does not belong to a connection you started")

        callback = self.authorize(self.connect_url())
        self.authenticate("admin", "admin")  # not who clicked Connect
        self.assert_refused(self.callback(callback), "does not belong to a connection you started")

        self.authenticate("oauth_manager", "oauth_manager")
        self.env["amazon.seller.oauth.state"].sudo().search([]).expires = \
            fields.Datetime.now() - timedelta(seconds=1)
        self.assert_refused(self.callback(callback), "took more than 10 minutes")
        self.assertFalse(self.account.sudo().refresh_token or self.account.sudo().merchant_token)
        self.assertFalse([c for c in self.simulator.calls("lwaToken")])

    def test_code_lwa_refuses_changes_nothing(self):
        """Test that a code Login with Amazon refuses gives the page with LWA's reason."""
        state = parse_qs(urlsplit(self.connect_url()).query)["state"][0]
        self.assert_refused(self.callback(
            f"/amazon_seller/oauth/callback?state={state}&spapi_oauth_code=ANbogus"
            f"&selling_partner_id={self.seller_id}"), "Login with Amazon refused")
        self.assertFalse(self.account.sudo().refresh_token or self.account.merchant_token)
        self.assertEqual([c["status"] for c in self.simulator.calls("lwaToken")], [400])

    def test_same_seller_on_the_same_marketplaces_is_warned(self):
        """Test that connecting the seller of another account of the company on its
        marketplaces connects, with a warning on the account and in the result."""
        self.env["amazon.seller.account"].create({
            "name": "Old Seller", "region": "NA", "merchant_token": self.seller_id,
            "marketplace_ids": [self.env.ref("amazon_seller.marketplace_us").id]})
        response = self.callback(self.authorize(self.connect_url()))
        self.assertEqual(response.status_code, 303)
        self.assertIn("Old Seller", self.account.duplicate_seller_warning)
        self.assertIn("imported twice", self.account.message_ids[0].body)
        self.assertTrue(self.account.sudo().refresh_token)

    def test_connect_needs_the_application(self):
        """Test that Connect without the application in the settings says what to do."""
        self.env["ir.config_parameter"].sudo().set_param(PARAM_APPLICATION_ID, False)
        self.assertFalse(self.account.connect_available)
        with self.assertRaisesRegex(Exception, "Settings ▸ Amazon"):
            self.account.action_connect()

    def test_gateway_exchanges_a_code_once(self):
        """Test the gateway's exchange of an authorization code at the simulator's LWA."""
        gateway = SpApiGateway(credentials={**CLIENT, "refresh_token": None}, region="EU",
                               endpoint_url=self.simulator.url)
        code = self.simulator.authorize(APPLICATION_ID, "https://example.com/cb")
        self.assertTrue(gateway.exchange_authorization_code(code, "https://example.com/cb")
                        .startswith("Atzr|SIMOAUTH"))
        with self.assertRaises(AmazonUnauthorized) as caught:
            gateway.exchange_authorization_code(code, "https://example.com/cb")
        self.assertEqual(caught.exception.code, "invalid_grant")


@tagged("post_install", "-at_install")
class TestConnectTour(OAuthCase):

    def test_manager_connects_an_account_in_one_click(self):
        """Test in a browser that the e-commerce manager (the README's groups) connects a new
        account: Connect, Authorize on the simulator's consent page, back on the account."""
        from unittest.mock import patch

        from odoo.tests.common import ChromeBrowser

        new_test_user(self.env, login="connect_manager",
                      groups="base.group_system,sales_team.group_sale_salesman_all_leads,"
                      "amazon_seller.group_amazon_seller_manager")
        # a tour runs on Odoo's pages only: on Seller Central's page (the simulator's), the
        # seller's click on Authorize is this script's
        authorize = """
            if (location.origin === %r && location.pathname === "/apps/authorize/consent") {
                document.addEventListener("DOMContentLoaded", () => {
                    console.log("the seller clicks Authorize on the consent page");
                    document.querySelector("#authorize").click();
                });
            }""" % self.simulator.url
        navigate_to = ChromeBrowser.navigate_to

        def navigate_with_authorize(browser, url, wait_stop=False):
            browser._websocket_request("Page.addScriptToEvaluateOnNewDocument",
                                       params={"source": authorize})
            return navigate_to(browser, url, wait_stop=wait_stop)

        with patch.object(ChromeBrowser, "navigate_to", navigate_with_authorize):
            self.start_tour("/odoo/action-amazon_seller.amazon_seller_account_action",
                            "amazon_seller_connect_tour", login="connect_manager")
        self.assertEqual([call["operation"] for call in self.simulator.calls()][:2],
                         ["consentPage", "authorizeConsent"])
        account = self.account.sudo()
        self.assertEqual(account.refresh_token, self.simulator.authorizations()[-1]["refreshToken"])
        self.assertEqual(account.merchant_token, self.seller_id)
        self.assertEqual(account.setup_step, "sync" if account.payments_ids else "accounting")
