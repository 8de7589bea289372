"""The one seam between the addon and the Selling Partner API.

:class:`SpApiGateway` speaks Amazon, not the library: one named method per operation the addon
uses (``search_orders`` yielding pages, ``get_order``, ``confirm_shipment``, reports and their
documents, feeds, inventory summaries, transactions). Each builds the python-amazon-sp-api client
of its API (version, marketplace, credentials, endpoint, token class, timeout), owns pagination and
unwrapping, logs the call at debug level (operation, status, duration, rate limit; secrets and
tokens masked) and turns every failure into one of the addon's exceptions (:mod:`.exceptions`).
It knows nothing of the ORM, so it can be exercised against any HTTP server.
"""

from dataclasses import dataclass
import gzip
import json
import logging
import time
from functools import lru_cache
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from . import const
from .utils import mask_secrets, parse_datetime
from .exceptions import (
    AmazonBadRequest,
    AmazonError,
    AmazonServerError,
    AmazonThrottled,
    AmazonTimeout,
    AmazonUnauthorized,
    AmazonUnreachable,
)

_logger = logging.getLogger(__name__)
# httpx logs every request at INFO: one line per Amazon call would drown Odoo's log. The library
# logs request headers (the access token among them) at DEBUG: the gateway logs calls itself.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("sp_api").setLevel(logging.INFO)

try:
    import httpx
    from sp_api import api as sp_api_clients
    from sp_api.auth import AccessTokenClient
    from sp_api.auth import access_token_client as sp_api_token_module
    from sp_api.auth.exceptions import AuthorizationError
    from sp_api.base import Marketplaces
except ImportError:  # the manifest's external_dependencies tells the user what to install
    sp_api_clients = None


@lru_cache
def _token_client_class(endpoint_url):
    """Return the LWA token client class that asks ``endpoint_url`` instead of api.amazon.com.

    Access tokens are cached process-wide by refresh token; the host joins the cache key so that a
    token issued by one endpoint is never presented to another.
    """
    parts = urlsplit(endpoint_url)

    def _get_cache_key(self, token_flavor=""):
        return AccessTokenClient._get_cache_key(self, token_flavor + self.host)

    return type("EndpointAccessTokenClient", (AccessTokenClient,), {
        "scheme": f"{parts.scheme}://",
        "host": parts.netloc + parts.path.rstrip("/"),
        "_get_cache_key": _get_cache_key,
    })


def _marketplace_enum(marketplace_id):
    return next(m for m in Marketplaces if m.marketplace_id == marketplace_id)


def _amazon_error_message(body):
    """Amazon's own words from an error body (``{"errors": [{"code", "message", "details"}]}``)."""
    try:
        errors = json.loads(body).get("errors") or []
    except (ValueError, AttributeError):
        return None, None
    if not errors or not isinstance(errors[0], dict):
        return None, None
    first = errors[0]
    message = first.get("message") or first.get("code") or ""
    if first.get("details"):
        message = f"{message} ({first['details']})"
    return message, first.get("code")


@dataclass(frozen=True)
class OrdersPage:
    """One page of searchOrders: its orders, the token of the next page (None on the last one)
    and Amazon's upper bound of the window (``lastUpdatedBefore``, naive UTC)."""

    orders: list
    next_token: str | None
    last_updated_before: object


class SpApiGateway:
    """Calls the Selling Partner API for one seller account.

    :param credentials: dict with ``lwa_app_id``, ``lwa_client_secret`` and ``refresh_token``
    :param region: ``NA``, ``EU`` or ``FE``
    :param endpoint_url: base URL receiving every API call and the LWA token request instead of
        Amazon's production endpoints (the simulator); empty for Amazon itself
    :param timeout: seconds one HTTP call may take
    """

    def __init__(self, credentials, region, endpoint_url=None, timeout=const.DEFAULT_TIMEOUT):
        if sp_api_clients is None:
            raise AmazonError("python-amazon-sp-api is not installed")
        self.credentials = credentials
        self.region = region
        self.endpoint_url = (endpoint_url or "").rstrip("/") or None
        self.timeout = timeout

    # === SELLERS === #

    def get_marketplace_participations(self, fresh_token=False):
        """The seller's marketplace participations (``[{"marketplace", "participation"}]``).

        :param fresh_token: ask Login with Amazon for a new access token rather than reuse the
            cached one (a connection test must prove the current credentials)
        """
        response = self._call("sellers", "getMarketplaceParticipations",
                              "get_marketplace_participation", fresh_token=fresh_token)
        return response.payload or []

    # === AUTHORIZATION (website authorization workflow) === #

    def exchange_authorization_code(self, code, redirect_uri=None):
        """The refresh token Login with Amazon grants for the authorization code Seller Central
        sent to ``redirect_uri`` (``grant_type=authorization_code``), asked of the same token
        endpoint as every access token (the simulator's with an endpoint URL). Only the LWA
        client ID and secret of the credentials are used. A refused code is AmazonUnauthorized
        (``code`` ``invalid_grant``)."""
        token_class = (
            _token_client_class(self.endpoint_url) if self.endpoint_url else AccessTokenClient
        )
        client = token_class(credentials=SimpleNamespace(
            lwa_app_id=self.credentials.get("lwa_app_id"),
            lwa_client_secret=self.credentials.get("lwa_client_secret"), refresh_token=None))
        data = client._auth_code_request_body(code)
        if redirect_uri:
            data["redirect_uri"] = redirect_uri
        started = time.monotonic()
        try:
            answer = client._request(client.scheme + client.host + client.path, data,
                                     client.headers)
        except Exception as error:  # noqa: BLE001 - every library failure becomes ours
            raise self._translate(error) from error
        finally:
            _logger.debug("LWA authorization code exchange at %s in %.0f ms", client.host,
                          (time.monotonic() - started) * 1000)
            client._transport.close()
        refresh_token = (answer or {}).get("refresh_token")
        if not refresh_token:
            raise AmazonServerError("Login with Amazon granted no refresh token")
        return refresh_token

    # === ORDERS === #

    def search_orders(self, filters, marketplace_ids, pagination_token=None):
        """Yield the :class:`OrdersPage` of searchOrders (Orders 2026-01-01) for ``filters``
        (``lastUpdatedAfter`` or ``createdAfter``/``createdBefore``...), starting at
        ``pagination_token`` when given. A token Amazon repeats is taken as the last page."""
        params = {
            **filters,
            "marketplaceIds": list(marketplace_ids),
            "includedData": const.ORDER_INCLUDED_DATA,
            "maxResultsPerPage": const.ORDER_PAGE_SIZE,
        }
        token = pagination_token
        while True:
            response = self._call("orders", "searchOrders", "search_orders",
                                  **params, **({"paginationToken": token} if token else {}))
            previous, token = token, (response.pagination or {}).get("nextToken")
            if token and token == previous:
                _logger.warning("searchOrders repeated its page token %s: taking it as the last page",
                                token)
                token = None
            payload = response.payload or {}
            yield OrdersPage(
                orders=payload.get("orders") or [],
                next_token=token,
                last_updated_before=parse_datetime(payload.get("lastUpdatedBefore")),
            )
            if not token:
                return

    def get_order(self, order_id, included_data=const.ORDER_INCLUDED_DATA):
        """One order (Orders 2026-01-01 getOrder) with the ``included_data`` asked for."""
        response = self._call("orders", "getOrder", "get_order", order_id,
                              includedData=list(included_data))
        payload = response.payload or {}
        return payload.get("order", payload)

    def confirm_shipment(self, order_id, marketplace_id, package_detail):
        """Confirm one package of an FBM order (Orders v0 confirmShipment, not deprecated)."""
        self._call("orders_v0", "confirmShipment", "confirm_shipment", order_id=order_id,
                   marketplaceId=marketplace_id, packageDetail=package_detail,
                   marketplace_id=marketplace_id)

    # === REPORTS === #

    def get_reports(self, report_types, created_since=None, marketplace_ids=None):
        """Yield the reports (metadata dicts) of ``report_types``, newest first, all pages."""
        params = {"reportTypes": list(report_types), "pageSize": 100}
        if created_since:
            params["createdSince"] = created_since
        if marketplace_ids:
            params["marketplaceIds"] = list(marketplace_ids)
        while True:
            response = self._call("reports", "getReports", "get_reports", **params)
            yield from (response.payload or {}).get("reports") or []
            if not response.next_token:
                return
            params = {"nextToken": response.next_token}  # Amazon wants the token alone

    def create_report(self, report_type, marketplace_ids, **options):
        """Request a report; return its ``reportId``."""
        response = self._call("reports", "createReport", "create_report",
                              reportType=report_type, marketplaceIds=list(marketplace_ids), **options)
        return response.payload["reportId"]

    def get_report(self, report_id):
        """A report's metadata: ``processingStatus``, ``reportDocumentId``..."""
        return self._call("reports", "getReport", "get_report", report_id).payload

    def get_report_document(self, document_id):
        """The content of a report document as bytes, uncompressed (the caller decodes it: Amazon
        does not document the encoding)."""
        document = self._call("reports", "getReportDocument", "get_report_document",
                              document_id).payload
        return self._download(document["url"], "getReportDocument",
                               document.get("compressionAlgorithm"))

    def download_document(self, url):
        """The content of a file Amazon links to with a pre-signed URL (an Amazon Custom
        personalisation, ``orderItems[].product.customization.customizedUrl``), as bytes."""
        return self._download(url, "customizedUrl")

    # === FEEDS === #

    def submit_feed(self, feed_type, content, content_type, marketplace_ids, feed_options=None):
        """Create a feed document, upload ``content`` (bytes) to it and create the feed; return
        the ``feedId``."""
        document = self._call("feeds", "createFeedDocument", "create_feed_document",
                              None, content_type).payload
        self._upload(document["url"], content, content_type)
        options = {"feedOptions": feed_options} if feed_options else {}
        response = self._call("feeds", "createFeed", "create_feed", feed_type,
                              document["feedDocumentId"], marketplaceIds=list(marketplace_ids),
                              **options)
        return response.payload["feedId"]

    def get_feed(self, feed_id):
        """A feed's metadata: ``processingStatus``, ``resultFeedDocumentId``..."""
        return self._call("feeds", "getFeed", "get_feed", feed_id).payload

    def get_feed_document(self, document_id):
        """The content of a feed (result) document as bytes, uncompressed."""
        # (the library's own method downloads and decodes with no timeout: read the metadata only)
        document = self._call("feeds", "getFeedDocument", "_request",
                              f"/feeds/2021-06-30/documents/{quote(document_id, safe='')}",
                              params={}, add_marketplace=False).payload
        return self._download(document["url"], "getFeedDocument",
                              document.get("compressionAlgorithm"))

    # === FBA INVENTORY === #

    def get_inventory_summaries(self, marketplace_id, seller_skus=None):
        """Yield pages (lists) of FBA inventory summaries of a marketplace (granularity
        Marketplace, with details), every page, through one client (building one costs more
        than a page). The operation allows 2 calls a second: a throttled page is asked again
        after a short wait (``INVENTORY_PAGE_ATTEMPTS`` times) rather than losing the pages
        already read."""
        params = {"granularityType": "Marketplace", "granularityId": marketplace_id,
                  "marketplaceIds": [marketplace_id], "details": "true"}
        if seller_skus:
            params["sellerSkus"] = list(seller_skus)
        client = self._build_client("fba_inventory", marketplace_id, "getInventorySummaries")
        try:
            while True:
                response = self._call_paced(client, "get_inventory_summary_marketplace", **params)
                yield (response.payload or {}).get("inventorySummaries") or []
                if not response.next_token:
                    return
                params["nextToken"] = response.next_token
        finally:
            client.close()

    def _call_paced(self, client, method, **kwargs):
        """``method`` of ``client``, waiting and asking again when Amazon throttles (a token per
        0.5 s for getInventorySummaries)."""
        for attempt in range(1, const.INVENTORY_PAGE_ATTEMPTS + 1):
            try:
                return self._call_with(client, method, **kwargs)
            except AmazonThrottled:
                if attempt == const.INVENTORY_PAGE_ATTEMPTS:
                    raise
                time.sleep(0.5 * attempt)

    # === MULTI-CHANNEL FULFILMENT (Fulfillment Outbound 2020-07-01) === #

    def create_fulfillment_order(self, body):
        """Ask Amazon to ship an order of another channel from the FBA stock
        (``CreateFulfillmentOrderRequest``, see ``formats.fulfillment_mapper``)."""
        self._call("fulfillment_outbound", "createFulfillmentOrder", "create_fulfillment_order",
                   marketplace_id=body["marketplaceId"], **body)

    def get_fulfillment_preview(self, body):
        """What Amazon would charge and when it would ship and deliver (``getFulfillmentPreview``),
        per shipping speed."""
        return self._call("fulfillment_outbound", "getFulfillmentPreview",
                          "get_fulfillment_preview", marketplace_id=body["marketplaceId"],
                          **body).payload or {}

    def get_fulfillment_order(self, seller_order_id, marketplace_id=None):
        """A fulfilment order as Amazon tells it: its status, items, shipments and packages."""
        return self._call("fulfillment_outbound", "getFulfillmentOrder",
                          "get_fulfillment_order", seller_order_id,
                          marketplace_id=marketplace_id).payload or {}

    def cancel_fulfillment_order(self, seller_order_id, marketplace_id=None):
        """Cancel a fulfilment order Amazon has not started shipping."""
        self._call("fulfillment_outbound", "cancelFulfillmentOrder", "cancel_fulfillment_order",
                   seller_order_id, marketplace_id=marketplace_id)

    # === FULFILLMENT INBOUND (sending stock to FBA) === #

    def create_inbound_plan(self, body):
        """``createInboundPlan``: ``(inboundPlanId, operationId)``."""
        answer = self._inbound("createInboundPlan", "POST", "", body)
        return answer["inboundPlanId"], answer["operationId"]

    def inbound_operation(self, operation_id):
        """``getInboundOperationStatus``: ``operationStatus`` (IN_PROGRESS, SUCCESS, FAILED)
        and ``operationProblems``."""
        return self._call("fulfillment_inbound", "getInboundOperationStatus",
                          "get_inbound_operation_status", operation_id).payload or {}

    def generate_packing_options(self, plan_id):
        return self._inbound("generatePackingOptions", "POST", f"/{plan_id}/packingOptions")[
            "operationId"]

    def list_packing_options(self, plan_id):
        return self._inbound_pages("listPackingOptions", f"/{plan_id}/packingOptions",
                                   "packingOptions")

    def confirm_packing_option(self, plan_id, option_id):
        return self._inbound("confirmPackingOption", "POST",
                             f"/{plan_id}/packingOptions/{option_id}/confirmation")["operationId"]

    def list_packing_group_items(self, plan_id, group_id):
        return self._inbound_pages("listPackingGroupItems",
                                   f"/{plan_id}/packingGroups/{group_id}/items", "items")

    def set_packing_information(self, plan_id, package_groupings):
        return self._inbound("setPackingInformation", "POST", f"/{plan_id}/packingInformation",
                             {"packageGroupings": package_groupings})["operationId"]

    def generate_placement_options(self, plan_id):
        return self._inbound("generatePlacementOptions", "POST", f"/{plan_id}/placementOptions",
                             {})["operationId"]

    def list_placement_options(self, plan_id):
        return self._inbound_pages("listPlacementOptions", f"/{plan_id}/placementOptions",
                                   "placementOptions")

    def confirm_placement_option(self, plan_id, option_id):
        return self._inbound("confirmPlacementOption", "POST",
                             f"/{plan_id}/placementOptions/{option_id}/confirmation")[
            "operationId"]

    def get_inbound_shipment(self, plan_id, shipment_id):
        return self._inbound("getShipment", "GET", f"/{plan_id}/shipments/{shipment_id}")

    def list_inbound_shipment_items(self, plan_id, shipment_id):
        return self._inbound_pages("listShipmentItems",
                                   f"/{plan_id}/shipments/{shipment_id}/items", "items")

    def generate_transportation_options(self, plan_id, placement_id, shipment_ids, ready_at):
        body = {"placementOptionId": placement_id, "shipmentTransportationConfigurations": [
            {"shipmentId": shipment_id, "readyToShipWindow": {"start": ready_at}}
            for shipment_id in shipment_ids]}
        return self._inbound("generateTransportationOptions", "POST",
                             f"/{plan_id}/transportationOptions", body)["operationId"]

    def list_transportation_options(self, plan_id, placement_id, shipment_id):
        return self._inbound_pages("listTransportationOptions",
                                   f"/{plan_id}/transportationOptions", "transportationOptions",
                                   placementOptionId=placement_id, shipmentId=shipment_id)

    def confirm_transportation_options(self, plan_id, selections):
        """``selections``: [(shipmentId, transportationOptionId)]."""
        body = {"transportationSelections": [
            {"shipmentId": shipment_id, "transportationOptionId": option_id}
            for shipment_id, option_id in selections]}
        return self._inbound("confirmTransportationOptions", "POST",
                             f"/{plan_id}/transportationOptions/confirmation", body)[
            "operationId"]

    def cancel_inbound_plan(self, plan_id):
        return self._inbound("cancelInboundPlan", "PUT", f"/{plan_id}/cancellation")[
            "operationId"]

    def get_inbound_labels(self, confirmation_id, boxes, page_type):
        """The box labels of a shipment (v0 ``getLabels``, kept by Amazon) as PDF bytes."""
        payload = self._call("fulfillment_inbound_v0", "getLabels", "get_labels",
                             confirmation_id, PageType=page_type, LabelType="UNIQUE",
                             NumberOfPackages=boxes).payload or {}
        if not payload.get("DownloadURL"):
            raise AmazonServerError("getLabels: the answer has no DownloadURL")
        return self._download(payload["DownloadURL"], "getLabels")

    def get_inbound_receipts(self, confirmation_id, marketplace_id):
        """What Amazon shipped and received of a shipment, per SKU (v0
        ``getShipmentItemsByShipmentId``, kept by Amazon): every page of ``ItemData``."""
        items, params = [], {"MarketplaceId": marketplace_id}
        while True:
            payload = self._call("fulfillment_inbound_v0", "getShipmentItemsByShipmentId",
                                 "shipment_items_by_shipment", confirmation_id,
                                 marketplace_id=marketplace_id, **params).payload or {}
            items += payload.get("ItemData") or []
            if not payload.get("NextToken"):
                return items
            params["NextToken"] = payload["NextToken"]

    def _inbound(self, operation, verb, path, body=None, **params):
        """One 2024-03-20 operation on ``/inbound/fba/2024-03-20/inboundPlans<path>``, through
        the library's request method (some of its named methods have wrong paths)."""
        response = self._call("fulfillment_inbound", operation, "_request",
                              f"/inbound/fba/2024-03-20/inboundPlans{path}",
                              params=dict(params, method=verb), data=dict(body or {}),
                              add_marketplace=False)
        return response.payload or {}

    def _inbound_pages(self, operation, path, key, **params):
        """Every page of a 2024-03-20 list operation (``pagination.nextToken``, asked again as
        ``paginationToken`` beside the other parameters)."""
        return self._get_pages("fulfillment_inbound", operation,
                               f"/inbound/fba/2024-03-20/inboundPlans{path}", key, params,
                               lambda token, asked: dict(asked, paginationToken=token))

    # === BUY SHIPPING (Shipping API v2) === #

    def get_shipping_rates(self, body, marketplace_id=None):
        """``getRates``: the carriers' rates for an order's package."""
        return self._call("shipping", "getRates", "get_rates", marketplace_id=marketplace_id,
                          **body).payload or {}

    def purchase_shipment(self, body, marketplace_id=None):
        """``purchaseShipment``: the label bought with a rate of ``getRates``."""
        return self._call("shipping", "purchaseShipment", "purchase_shipment",
                          marketplace_id=marketplace_id, **body).payload or {}

    def cancel_shipment(self, shipment_id, marketplace_id=None):
        """``cancelShipment``: void a label bought with Buy Shipping."""
        self._call("shipping", "cancelShipment", "cancel_shipment", shipment_id,
                   marketplace_id=marketplace_id)

    # === BUYER MESSAGES (Messaging, Solicitations) === #

    def buyer_message_actions(self, order_id, marketplace_id):
        """The message types Amazon lets the seller send this order's buyer now."""
        payload = self._call("messaging", "getMessagingActionsForOrder",
                             "get_messaging_actions_for_order", order_id,
                             marketplace_id=marketplace_id,
                             marketplaceIds=[marketplace_id]).payload or {}
        return [link.get("name") for link in (payload.get("_links") or {}).get("actions") or []]

    def send_buyer_message(self, order_id, marketplace_id, action, body):
        operation, method = const.BUYER_MESSAGE_METHODS[action]
        self._call("messaging", operation, method, order_id, marketplace_id=marketplace_id,
                   body=body)

    def review_request_actions(self, order_id, marketplace_id):
        payload = self._call("solicitations", "getSolicitationActionsForOrder",
                             "get_solicitation_actions_for_order", order_id,
                             marketplace_id=marketplace_id,
                             marketplaceIds=[marketplace_id]).payload or {}
        return [link.get("name") for link in (payload.get("_links") or {}).get("actions") or []]

    def request_review(self, order_id, marketplace_id):
        self._call("solicitations", "createProductReviewAndSellerFeedbackSolicitation",
                   "create_product_review_and_seller_feedback_solicitation", order_id,
                   marketplace_id=marketplace_id, marketplaceIds=[marketplace_id])

    # === FINANCES === #

    def list_transactions(self, posted_after, posted_before=None, marketplace_id=None,
                          status=None):
        """Yield pages (lists) of Finances 2024-06-19 transactions posted in the period (only
        those of ``status``, e.g. ``DEFERRED``, when given)."""
        params = {"postedAfter": posted_after}
        if status:
            params["transactionStatus"] = status
        if posted_before:
            params["postedBefore"] = posted_before
        if marketplace_id:
            params["marketplaceId"] = marketplace_id
        while True:
            response = self._call("finances", "listTransactions", "list_transactions", **params)
            yield (response.payload or {}).get("transactions") or []
            if not response.next_token:
                return
            params["nextToken"] = response.next_token

    def get_settlement_summaries(self, settlement_id, marketplace_id):
        """Amazon's summaries of a settlement (Finances 2024-06-19 ``listSummary``)."""
        return self._finance_pages("listSummary", "/finances/2024-06-19/summary", "summaries", {
            "relatedIdentifierName": "SETTLEMENT_ID", "relatedIdentifierValue": settlement_id,
            "marketplaceIds": marketplace_id}, marketplace_id)

    def list_balances(self, marketplace_id, as_of):
        """Amazon's balances of a marketplace at the end of the day ``as_of`` (YYYY-MM-DD):
        available, reserved (deferred, account-level reserve), total (``listBalances``)."""
        return self._finance_pages("listBalances", "/finances/2024-06-19/balances", "balances", {
            "marketplaceIds": marketplace_id, "balanceType": "TOTAL", "asOfDate": as_of},
            marketplace_id)

    def list_payouts(self, marketplace_id, created_after):
        """Amazon's payouts to the seller's bank since ``created_after`` (Transfers 2024-06-01
        ``listPayouts``): their status and bank trace id."""
        return self._finance_pages("listPayouts", "/finances/transfers/2024-06-01/payouts",
                                   "payouts", {"marketplaceIds": marketplace_id,
                                               "createdAfter": created_after}, marketplace_id)

    def _finance_pages(self, operation, path, key, params, marketplace_id):
        """Every page of a Finances / Transfers list operation (``nextToken``, asked again
        alone)."""
        return self._get_pages("finances", operation, path, key, params,
                               lambda token, _asked: {"nextToken": token}, marketplace_id)

    # === PRIVATE METHODS === #

    def _get_pages(self, api, operation, path, key, params, next_params, marketplace_id=None):
        """The ``key`` rows of every page of a GET ``path`` the library has no method for;
        ``next_params(token, params)`` gives the parameters of the next page."""
        rows, asked = [], dict(params)
        while True:
            payload = self._call(api, operation, "_request", path,
                                 params=dict(asked, method="GET"), add_marketplace=False,
                                 marketplace_id=marketplace_id).payload or {}
            rows += payload.get(key) or []
            token = payload.get("nextToken") or (payload.get("pagination") or {}).get(
                "nextToken")
            if not token:
                return rows
            asked = next_params(token, params)

    def _call(self, api, operation, method, *args, marketplace_id=None, fresh_token=False,
              **kwargs):
        """Call ``method`` (the library's name) of ``api`` (a key of ``const.APIS``) as the SP-API
        ``operation``; return its ``ApiResponse`` or raise an ``AmazonError``."""
        client = self._build_client(api, marketplace_id, operation)
        if fresh_token:
            self._forget_access_token(client)
        try:
            return self._call_with(client, method, *args, **kwargs)
        finally:
            client.close()

    def _call_with(self, client, method, *args, **kwargs):
        """Call ``method`` of a client built by ``_build_client``; raise an ``AmazonError``."""
        try:
            return getattr(client, method)(*args, **kwargs)
        except AmazonUnauthorized:
            self._forget_access_token(client)
            raise
        except Exception as error:  # noqa: BLE001 - every library failure becomes ours
            raise self._translate(error) from error

    def _translate(self, error):
        """The addon's exception for a failure of the library or of the HTTP layer."""
        if isinstance(error, AmazonError):
            return error
        if isinstance(error, AuthorizationError):
            return self._lwa_error(error)
        if isinstance(error, httpx.TimeoutException):
            return AmazonTimeout(f"no answer within {self.timeout} s ({error})")
        if isinstance(error, httpx.HTTPError):
            return AmazonUnreachable(str(error) or type(error).__name__)
        if isinstance(error, ValueError):  # an LWA answer that is not JSON
            return AmazonServerError(f"unreadable answer: {error}")
        raise error

    def _build_client(self, api, marketplace_id, operation):
        class_name, version = const.APIS[api]
        marketplace = _marketplace_enum(
            marketplace_id or const.REGION_DEFAULT_MARKETPLACE_IDS[self.region]
        )
        token_class = (
            _token_client_class(self.endpoint_url) if self.endpoint_url else AccessTokenClient
        )
        client = getattr(sp_api_clients, class_name)(
            marketplace,
            credentials=dict(self.credentials),
            version=version,
            timeout=self.timeout,
            auth_token_client_class=token_class,
        )
        client.endpoint = self.endpoint_url or const.REGION_ENDPOINTS[self.region]
        # The library raises only when a body has "errors" (a 429 with an empty body comes back
        # as an empty success): judge every answer by its HTTP status instead.
        hooks = client._transport._client.event_hooks
        hooks["request"].append(_start_timer)
        hooks["response"].append(lambda response: self._on_response(operation, response))
        return client

    def _on_response(self, operation, response):
        response.read()
        _log_call(operation, response)
        self._raise_for_status(response)

    def _download(self, url, operation, compression=None):
        """GET a pre-signed document URL (no access token), uncompressed when Amazon says so."""
        try:
            with httpx.Client(timeout=self.timeout, event_hooks={"request": [_start_timer]}) as http:
                response = http.get(url)
        except Exception as error:  # noqa: BLE001
            raise self._translate(error) from error
        _log_call(f"{operation} (download)", response, presigned=True)
        self._raise_for_status(response)
        content = response.content
        if compression == "GZIP" or content[:2] == b"\x1f\x8b":
            try:
                content = gzip.decompress(content)
            except (OSError, EOFError) as error:
                raise AmazonServerError(f"{operation}: the document is not valid GZIP ({error})") \
                    from error
        return content

    def _upload(self, url, content, content_type):
        """PUT a feed document's content to its pre-signed URL."""
        try:
            with httpx.Client(timeout=self.timeout, event_hooks={"request": [_start_timer]}) as http:
                response = http.put(url, content=content, headers={"Content-Type": content_type})
        except Exception as error:  # noqa: BLE001
            raise self._translate(error) from error
        _log_call("createFeedDocument (upload)", response, presigned=True)
        self._raise_for_status(response)

    def _raise_for_status(self, response):
        status = response.status_code
        if status < 400:
            self._check_json_body(response)
            return
        message, code = _amazon_error_message(response.content)
        message = message or f"HTTP {status} {response.reason_phrase}".strip()
        if status == 429:
            raise AmazonThrottled(message, status=status, code=code)
        if status in (401, 403):
            raise AmazonUnauthorized(message, status=status, code=code)
        if status < 500:
            raise AmazonBadRequest(message, status=status, code=code)
        raise AmazonServerError(message, status=status, code=code)

    @staticmethod
    def _lwa_error(error):
        """Map a Login with Amazon refusal: mostly bad credentials, sometimes LWA's own trouble."""
        status = error.status_code
        message = f"Login with Amazon: {error.message or error.error_code} ({error.error_code})"
        if status == 429:
            return AmazonThrottled(message, status=status, code=error.error_code)
        if status and status >= 500:
            return AmazonServerError(message, status=status, code=error.error_code)
        return AmazonUnauthorized(message, status=status, code=error.error_code)

    @staticmethod
    def _check_json_body(response):
        if "json" not in response.headers.get("content-type", "") or not response.content:
            return
        try:
            json.loads(response.content)
        except ValueError as error:
            raise AmazonServerError(
                f"unreadable answer from {response.request.url.path}: {error}",
                status=response.status_code,
            ) from error

    @staticmethod
    def _forget_access_token(client):
        """Drop the cached access token so that the next call asks LWA for a fresh one."""
        sp_api_token_module.cache.pop(client._auth._get_cache_key(), None)


def _start_timer(request):
    request.extensions["amazon_seller_started"] = time.monotonic()


def _log_call(operation, response, presigned=False):
    """One debug line per HTTP exchange: operation, method, URL (secrets masked; a pre-signed
    URL without its signing query), status, duration and the rate limit Amazon announced."""
    if not _logger.isEnabledFor(logging.DEBUG):
        return
    request = response.request
    started = request.extensions.get("amazon_seller_started")
    duration = (time.monotonic() - started) * 1000 if started else 0.0
    url = request.url.copy_with(query=None) if presigned else request.url
    _logger.debug(
        "SP-API %s: %s %s -> HTTP %s in %.0f ms (rate limit %s)",
        operation, request.method, mask_secrets(url), response.status_code, duration,
        response.headers.get("x-amzn-RateLimit-Limit", "-"),
    )
