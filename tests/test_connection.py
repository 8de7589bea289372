from odoo.tests import tagged

from .common import AmazonSellerCase, SimulatorCase
from .loopback import LoopbackServer
from .test_gateway import PARTICIPATIONS


@tagged("post_install", "-at_install")
class TestConnection(AmazonSellerCase):

    def test_connection_success_names_the_marketplaces(self):
        """Test that a working connection is reported with the marketplaces Amazon lists."""
        with LoopbackServer() as server:
            self.point_at(self.account, server.url)
            server.answer(body=PARTICIPATIONS)
            action = self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("Amazon.com", action["params"]["message"])

    def test_connection_failure_gives_amazons_reason(self):
        """Test that refused credentials are reported with Amazon's reason, not a traceback."""
        with LoopbackServer() as server:
            self.point_at(self.account, server.url)
            server.answer_token(400, {"error": "invalid_grant",
                                      "error_description": "The request has an invalid grant parameter : refresh_token"})
            action = self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("invalid grant parameter", action["params"]["message"])
        self.assertIn("refused the credentials", action["params"]["message"])

    def test_missing_credentials_are_named(self):
        """Test that missing credentials are named before anything is sent."""
        self.account.write({"lwa_client_secret": False, "refresh_token": " "})
        action = self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("LWA Client Secret", action["params"]["message"])
        self.assertIn("Refresh Token", action["params"]["message"])
        self.assertNotIn("LWA Client ID", action["params"]["message"])

    def test_unreachable_endpoint_is_reported(self):
        """Test that an endpoint nobody listens on gives a clear message naming it."""
        with LoopbackServer() as server:
            url = server.url
        self.point_at(self.account, url)
        action = self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn(f"cannot be reached at {url}: check the server's network connection and DNS",
                      action["params"]["message"])
        self.assertNotIn("Errno", action["params"]["message"])
        self.assertNotIn("Connection refused", action["params"]["message"])


@tagged("post_install", "-at_install")
class TestConnectionThroughSimulator(SimulatorCase):

    def test_connection_success(self):
        """Test that the connection test asks Sellers getMarketplaceParticipations once."""
        action = self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "success", action["params"]["message"])
        self.assertEqual(
            [call["operation"] for call in self.simulator.calls()],
            ["lwaToken", "getMarketplaceParticipations"])
        listed = {entry["marketplace"]["name"] for entry in self._participations()}
        self.assertTrue(listed)
        for name in listed:
            self.assertIn(name, action["params"]["message"])

    def test_connection_refused(self):
        """Test that a client secret Amazon refuses is reported with LWA's reason."""
        self.account.write({"lwa_client_secret": "invalid-secret", **self._fresh_token()})
        action = self.account.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("invalid_client", action["params"]["message"])

    def _fresh_token(self):
        return {"refresh_token": self.credentials()["refresh_token"]}

    def _participations(self):
        from ..tools.spapi_simulator.testing import http_json
        token = self.simulator.issue_token()
        status, _headers, body = http_json(
            self.simulator, "GET", "/sellers/v1/marketplaceParticipations", token=token)
        self.assertEqual(status, 200)
        return body["payload"]

    def test_refused_credentials_stop_the_sync_with_an_activity(self):
        """Test that a sync with refused credentials fails cleanly and asks the responsible."""
        self.account.write({"lwa_client_secret": "invalid-secret", **self._fresh_token()})
        stats = self.sync_orders(self.account)
        self.assertEqual(sum(stats.values()), 0)
        self.assertTrue(self.orders_state(self.account).failed)
        self.assertIn("invalid_client", self.orders_state(self.account).last_message)
        self.assertEqual(self.account.activity_ids.user_id, self.account.user_id)
        self.sync_orders(self.account)
        self.assertEqual(len(self.account.activity_ids), 1, "one activity, not one per run")
