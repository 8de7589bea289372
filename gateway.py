"""The one seam between the addon and the Selling Partner API.

Every call to Amazon goes through :class:`SpApiGateway`: it builds the python-amazon-sp-api client
for an API (version, marketplace, credentials, endpoint, token class, timeout) and turns every
failure into one of the addon's exceptions (:mod:`.exceptions`). It knows nothing of the ORM, so
it can be exercised against any HTTP server, and business code never sees library internals.
"""

import json
import logging
from functools import lru_cache
from urllib.parse import urlsplit

from . import const
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
# httpx logs every request at INFO: one line per Amazon call would drown Odoo's log.
logging.getLogger("httpx").setLevel(logging.WARNING)

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

    # === PUBLIC METHODS === #

    def call(self, api, operation, *args, marketplace_id=None, **kwargs):
        """Call ``operation`` (a python-amazon-sp-api method name) of ``api`` (a key of
        ``const.APIS``) and return its ``ApiResponse``; raise an ``AmazonError`` on any failure."""
        client = self._build_client(api, marketplace_id)
        try:
            return getattr(client, operation)(*args, **kwargs)
        except AmazonUnauthorized:
            self._forget_access_token(client)
            raise
        except AmazonError:
            raise
        except AuthorizationError as error:
            raise self._lwa_error(error) from error
        except httpx.TimeoutException as error:
            raise AmazonTimeout(f"no answer within {self.timeout} s ({error})") from error
        except httpx.HTTPError as error:
            raise AmazonUnreachable(str(error) or type(error).__name__) from error
        except ValueError as error:  # an LWA answer that is not JSON
            raise AmazonServerError(f"unreadable answer: {error}") from error
        finally:
            client.close()

    # === PRIVATE METHODS === #

    def _build_client(self, api, marketplace_id):
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
        client._transport._client.event_hooks["response"].append(self._raise_for_status)
        return client

    def _raise_for_status(self, response):
        response.read()
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
