from datetime import datetime
import json
import logging
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
from ..utils import mask_secrets
from .common import AmazonSellerCase, SimulatorCase
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


@tagged("post_install", "-at_install")
class TestGatewayOperations(SimulatorCase):
    """The gateway's named operations against the simulator, through the real client."""

    simulator_options = {"orders": 240, "profile": "fbm2", "rate_limits": False}

    def gateway(self):
        return self.account._get_gateway()

    def test_search_orders_yields_every_page(self):
        """Test that search_orders pages through the window and unwraps each page."""
        pages = list(self.gateway().search_orders(
            {"lastUpdatedAfter": "2020-01-01T00:00:00Z"}, ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"]))
        self.assertGreaterEqual(len(pages), 2)
        self.assertEqual([len(page.orders) for page in pages[:-1]], [100] * (len(pages) - 1))
        self.assertTrue(all(page.next_token for page in pages[:-1]))
        self.assertIsNone(pages[-1].next_token)
        ids = [order["orderId"] for page in pages for order in page.orders]
        self.assertEqual(self.simulator.call_counts()["searchOrders"], len(pages))
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(len(ids), len(self.amazon_orders(self.account)))
        self.assertIsInstance(pages[0].last_updated_before, datetime)
        order = self.gateway().get_order(ids[0])
        self.assertEqual(order["orderId"], ids[0])

    def test_report_round_trip_uncompresses_the_document(self):
        """Test createReport, getReport and a GZIP report document read back as bytes."""
        gateway = self.gateway()
        report_id = gateway.create_report(
            "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL", ["ATVPDKIKX0DER"],
            dataStartTime="2020-01-01T00:00:00Z")
        statuses = [gateway.get_report(report_id)["processingStatus"] for _poll in range(2)]
        self.assertEqual(statuses, ["IN_PROGRESS", "DONE"])
        document_id = gateway.get_report(report_id)["reportDocumentId"]
        content = gateway.get_report_document(document_id)
        self.assertTrue(content.startswith(b"amazon-order-id\t"), content[:40])
        reports = list(gateway.get_reports(["GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"]))
        self.assertEqual([report["reportId"] for report in reports], [report_id])

    def test_feed_round_trip(self):
        """Test that a feed is uploaded, created and its processing report read back."""
        sku = self.simulator.catalogue()[0]["sku"]
        content = json.dumps({
            "header": {"sellerId": "A1SELLER", "version": "2.0"},
            "messages": [
                {"messageId": 1, "sku": sku, "operationType": "PATCH", "productType": "PRODUCT",
                 "patches": [{"op": "replace", "path": "/attributes/fulfillment_availability",
                              "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}]}]},
                {"messageId": 2, "sku": "NOT-A-SKU", "operationType": "PATCH",
                 "productType": "PRODUCT", "patches": []},
            ]}).encode()
        gateway = self.gateway()
        feed_id = gateway.submit_feed("JSON_LISTINGS_FEED", content, "application/json",
                                      ["ATVPDKIKX0DER"])
        feed = gateway.get_feed(feed_id)
        if feed["processingStatus"] != "DONE":
            feed = gateway.get_feed(feed_id)
        self.assertEqual(feed["processingStatus"], "DONE")
        result = json.loads(gateway.get_feed_document(feed["resultFeedDocumentId"]))
        self.assertEqual(result["summary"]["messagesAccepted"], 1)
        self.assertEqual([issue["messageId"] for issue in result["issues"]], [2])

    def test_inventory_and_transactions_pages(self):
        """Test that inventory summaries and transactions come back as pages of dicts."""
        gateway = self.gateway()
        summaries = [s for page in gateway.get_inventory_summaries("ATVPDKIKX0DER") for s in page]
        self.assertTrue(summaries)
        self.assertTrue(all("sellerSku" in summary for summary in summaries))
        transactions = [t for page in gateway.list_transactions("2020-01-01T00:00:00Z") for t in page]
        self.assertIsInstance(transactions, list)

    def test_throttled_inventory_page_is_asked_again(self):
        """Test that a throttled page of inventory summaries is asked again after a short wait,
        every page read through one client, none lost."""
        self.simulator.add_products("ATVPDKIKX0DER", [f"THROTTLE-{n:03d}" for n in range(120)],
                                    fba_quantity=1)
        self.simulator.set_faults("429:#1@getInventorySummaries")
        try:
            pages = list(self.gateway().get_inventory_summaries("ATVPDKIKX0DER"))
        finally:
            self.simulator.set_faults(None)
        skus = {summary["sellerSku"] for page in pages for summary in page}
        self.assertLessEqual({f"THROTTLE-{n:03d}" for n in range(120)}, skus)
        self.assertEqual(len(pages), 3)
        self.assertEqual([call["status"] for call in self.simulator.calls("getInventorySummaries")],
                         [429, 200, 200, 200])

    def test_every_call_is_logged_with_secrets_masked(self):
        """Test that a call logs operation, status and rate limit, and no secret or token."""
        gateway = self.gateway()
        with self.assertLogs("odoo.addons.amazon_seller.gateway", "DEBUG") as logs, \
                self.assertLogs("sp_api", "DEBUG") as library_logs:
            logging.getLogger("sp_api").debug("the library's own debug lines stay silent")
            gateway.get_marketplace_participations()
        (line,) = [line for line in logs.output if "getMarketplaceParticipations" in line]
        self.assertIn("GET", line)
        self.assertIn("/sellers/v1/marketplaceParticipations -> HTTP 200", line)
        self.assertIn("rate limit 0.016", line)
        everything = "\n".join(logs.output + library_logs.output)
        for secret in gateway.credentials.values():
            self.assertNotIn(secret, everything)
        self.assertNotIn("Atza|", everything, "no access token")
        self.assertEqual(len(library_logs.output), 1, "only this test's line")

    def test_mask_secrets(self):
        """Test that secret parameters are masked in text, whatever their syntax."""
        text = ('refresh_token=Atzr|abc&client_secret=s3cr3t {"access_token": "Atza|xyz"} '
                "x-amz-access-token: Atza|qrs marketplaceIds=ATVPDKIKX0DER")
        self.assertEqual(
            mask_secrets(text),
            'refresh_token=***&client_secret=*** {"access_token": "***"} '
            "x-amz-access-token: *** marketplaceIds=ATVPDKIKX0DER")
