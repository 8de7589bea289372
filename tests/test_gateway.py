import socket
from urllib.parse import parse_qs

from odoo.tests import BaseCase, tagged

from ..exceptions import (
    AmazonBadRequest,
    AmazonServerError,
    AmazonThrottled,
    AmazonTimeout,
    AmazonUnauthorized,
    AmazonUnreachable,
)
from ..gateway import SpApiGateway
from .common import AmazonSellerCase
from .loopback import LoopbackServer

PARTICIPATIONS = {"payload": [{
    "marketplace": {"id": "ATVPDKIKX0DER", "name": "Amazon.com", "countryCode": "US",
                    "defaultCurrencyCode": "USD", "defaultLanguageCode": "en_US",
                    "domainName": "www.amazon.com"},
    "participation": {"isParticipating": True, "hasSuspendedListings": False},
}]}


@tagged("post_install", "-at_install")
class TestGateway(BaseCase):
    """The real python-amazon-sp-api client against a loopback server with scripted answers."""

    def setUp(self):
        super().setUp()
        self.server = self.enterContext(LoopbackServer())

    def gateway(self, timeout=5, endpoint_url=None):
        return SpApiGateway(AmazonSellerCase.credentials(), "NA",
                            endpoint_url=endpoint_url or self.server.url, timeout=timeout)

    def call(self, gateway=None):
        return (gateway or self.gateway()).get_marketplace_participations()

    def test_success_reaches_the_endpoint_with_a_token(self):
        """Test that the token request and the API call both go to the configured endpoint."""
        gateway = self.gateway()
        self.server.answer(body=PARTICIPATIONS)
        participations = self.call(gateway)
        self.assertEqual(participations[0]["marketplace"]["id"], "ATVPDKIKX0DER")
        (token_method, token_path, _, token_body), (method, path, headers, _) = self.server.requests
        self.assertEqual((token_method, token_path), ("POST", "/auth/o2/token"))
        form = parse_qs(token_body.decode())
        self.assertEqual(form["refresh_token"], [gateway.credentials["refresh_token"]])
        self.assertEqual(form["client_id"], [gateway.credentials["lwa_app_id"]])
        self.assertEqual((method, path), ("GET", "/sellers/v1/marketplaceParticipations"))
        self.assertEqual(headers["x-amz-access-token"], "Atza|loopback")

    def test_throttled_with_and_without_body(self):
        """Test that HTTP 429 is reported as throttling, even when Amazon sends no body."""
        self.server.answer(429, {"errors": [{"code": "QuotaExceeded",
                                             "message": "You exceeded your quota for the requested resource."}]})
        self.server.answer(429, b"")
        gateway = self.gateway()
        with self.assertRaises(AmazonThrottled) as caught:
            self.call(gateway)
        self.assertEqual(caught.exception.code, "QuotaExceeded")
        self.assertIn("exceeded your quota", caught.exception.message)
        with self.assertRaises(AmazonThrottled) as caught:
            self.call(gateway)
        self.assertEqual(caught.exception.status, 429)
        self.assertTrue(caught.exception.retryable)

    def test_unauthorized(self):
        """Test that 401 and 403 are reported as refused credentials."""
        self.server.answer(401, b"")
        self.server.answer(403, {"errors": [{"code": "Unauthorized",
                                             "message": "Access to requested resource is denied."}]})
        gateway = self.gateway()
        for status in (401, 403):
            with self.assertRaises(AmazonUnauthorized) as caught:
                self.call(gateway)
            self.assertEqual(caught.exception.status, status)
            self.assertFalse(caught.exception.retryable)
        self.assertIn("denied", caught.exception.message)

    def test_refused_token_is_not_reused(self):
        """Test that after a 403 the next call asks Login with Amazon for a new token."""
        gateway = self.gateway()
        self.server.answer(403, b"")
        self.server.answer(body=PARTICIPATIONS)
        with self.assertRaises(AmazonUnauthorized):
            self.call(gateway)
        self.call(gateway)
        token_requests = [r for r in self.server.requests if r[1] == "/auth/o2/token"]
        self.assertEqual(len(token_requests), 2)

    def test_bad_request_carries_amazons_message(self):
        """Test that a 400 is reported with Amazon's own message and code."""
        self.server.answer(400, {"errors": [{"code": "InvalidInput",
                                             "message": "Invalid marketplaceId", "details": "XYZ"}]})
        with self.assertRaises(AmazonBadRequest) as caught:
            self.call()
        self.assertEqual(caught.exception.code, "InvalidInput")
        self.assertEqual(caught.exception.message, "Invalid marketplaceId (XYZ)")

    def test_server_errors(self):
        """Test that 500 and 503 (with or without body) are retryable server errors."""
        self.server.answer(500, {"errors": [{"code": "InternalFailure", "message": "We encountered an internal error."}]})
        self.server.answer(503, b"Service Unavailable", content_type="text/plain")
        gateway = self.gateway()
        for status in (500, 503):
            with self.assertRaises(AmazonServerError) as caught:
                self.call(gateway)
            self.assertEqual(caught.exception.status, status)
            self.assertTrue(caught.exception.retryable)

    def test_malformed_json_is_a_server_error(self):
        """Test that a 200 whose JSON is cut off is not mistaken for an empty success."""
        self.server.answer(200, b'{"payload": [{"marketplace": ')
        with self.assertRaises(AmazonServerError) as caught:
            self.call()
        self.assertIn("unreadable", caught.exception.message)

    def test_timeout(self):
        """Test that an answer slower than the client timeout is reported as a timeout."""
        self.server.answer(body=PARTICIPATIONS, delay=1.5)
        with self.assertRaises(AmazonTimeout):
            self.call(self.gateway(timeout=0.5))

    def test_unreachable_endpoint(self):
        """Test that a closed port is reported as unreachable."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed_port = probe.getsockname()[1]
        with self.assertRaises(AmazonUnreachable):
            self.call(self.gateway(endpoint_url=f"http://127.0.0.1:{closed_port}"))

    def test_lwa_refusal(self):
        """Test that Login with Amazon refusing the client is reported with its description."""
        self.server.answer_token(401, {"error": "invalid_client",
                                       "error_description": "Client authentication failed"})
        with self.assertRaises(AmazonUnauthorized) as caught:
            self.call()
        self.assertIn("Client authentication failed", caught.exception.message)
        self.assertEqual(caught.exception.code, "invalid_client")
        self.assertEqual(len(self.server.requests), 1, "no API call without a token")
