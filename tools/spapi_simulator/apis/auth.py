"""Login with Amazon (LWA) token endpoint, `POST /auth/o2/token`: which credentials get an
access token.  The server keeps the issued tokens and refuses SP-API calls without one.

Also Seller Central's consent page of the website authorization workflow (`CONSENT_PATH`): the
seller authorises the application there and is sent back to its redirect URI with an
authorization code, which the token endpoint exchanges once (`grant_type=authorization_code`)
for a refresh token."""

from html import escape
from urllib.parse import parse_qs, urlencode, urlsplit

PATH = "/auth/o2/token"
CONSENT_PATH = "/apps/authorize/consent"
HEADERS = {"Cache-Control": "no-store"}
CODE_LIFETIME = 300  # seconds an authorization code may be exchanged (Amazon: 5 minutes)


def parse_form(raw):
    """(form fields, the fields the call log keeps) of a token request body."""
    form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
    params = {k: form.get(k) for k in ("grant_type", "client_id", "scope", "redirect_uri")
              if k in form}
    return form, params


def answer(method, form, mint, redeem=None):
    """(status, body) by the LWA rule: client_id or client_secret starting with "invalid" ->
    401 invalid_client; refresh_token starting with "invalid" -> 400 invalid_grant.
    `mint(refresh_token)` issues the access token of a granted request; `redeem(code,
    redirect_uri)` the refresh token of an authorization code (None: invalid_grant)."""
    if method != "POST":
        return 405, {"error": "invalid_request", "error_description": "Use POST."}
    grant = form.get("grant_type")
    if grant == "authorization_code" and redeem is not None:
        return _exchange_code(form, mint, redeem)
    if grant not in ("refresh_token", "client_credentials"):
        return 400, {"error": "unsupported_grant_type",
                     "error_description": "The authorization grant type is not supported."}
    refused = _client_error(form)
    if refused:
        return refused
    refresh = form.get("refresh_token")
    if grant == "refresh_token":
        if not refresh:
            return 400, {"error": "invalid_request",
                         "error_description": "The request is missing a required parameter : refresh_token"}
        if refresh.startswith("invalid"):
            return 400, {"error": "invalid_grant",
                         "error_description": "The request has an invalid grant parameter : refresh_token"}
    body = {"access_token": mint(refresh), "token_type": "bearer", "expires_in": 3600}
    if grant == "refresh_token":
        body["refresh_token"] = refresh
    return 200, body


def _client_error(form):
    if not form.get("client_id") or not form.get("client_secret"):
        return 400, {"error": "invalid_request",
                     "error_description": "The request is missing a required parameter : client_id"}
    if form["client_id"].startswith("invalid") or form["client_secret"].startswith("invalid"):
        return 401, {"error": "invalid_client",
                     "error_description": "Client authentication failed"}
    return None


def _exchange_code(form, mint, redeem):
    """The refresh token of an authorization code, once: an unknown, expired or used code, or a
    redirect URI other than the consent's, is LWA's invalid_grant."""
    refused = _client_error(form)
    if refused:
        return refused
    if not form.get("code"):
        return 400, {"error": "invalid_request",
                     "error_description": "The request is missing a required parameter : code"}
    refresh = redeem(form["code"], form.get("redirect_uri"))
    if refresh is None:
        return 400, {"error": "invalid_grant",
                     "error_description": "The authorization code is invalid, expired or was "
                                          "already used"}
    return 200, {"access_token": mint(refresh), "refresh_token": refresh,
                 "token_type": "bearer", "expires_in": 3600}


def consent_error(message):
    """The page Seller Central shows when the authorization URI is wrong."""
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Seller Central</title>"
            "</head><body><h1>Seller Central</h1><p id='consent-error'>%s</p></body></html>"
            % escape(message)).encode("utf-8")


def consent_problem(query):
    """What is wrong with a consent page's query (None when it can be shown)."""
    application_id = query.get("application_id") or ""
    if not application_id or application_id.startswith("invalid"):
        return "We could not find the application %r." % application_id
    if not query.get("state"):
        return "The authorization request has no state parameter."
    redirect = urlsplit(query.get("redirect_uri") or "")
    if redirect.scheme not in ("http", "https") or not redirect.netloc:
        return "The authorization request has no valid redirect_uri."
    return None


def consent_page(query, seller_id):
    """Seller Central's consent page: the application asks for access, Authorize confirms (a
    form posting the same parameters back to the consent path)."""
    hidden = "".join("<input type='hidden' name='%s' value='%s'>" % (escape(name), escape(value))
                     for name, value in query.items()
                     if name in ("application_id", "state", "redirect_uri", "version"))
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Seller Central: authorize"
            "</title></head><body><h1>Seller Central</h1><p>The application <b>%s</b> asks to "
            "access the selling account <b>%s</b> through the Selling Partner API.</p>"
            "<form method='post' action='%s'>%s<button type='submit' id='authorize' "
            "name='authorize' value='1'>Authorize</button></form></body></html>"
            % (escape(query["application_id"]), escape(seller_id), CONSENT_PATH, hidden)
            ).encode("utf-8")


def redirect_location(redirect_uri, code, state, seller_id):
    """Where Authorize sends the seller: the application's redirect URI with the code."""
    separator = "&" if urlsplit(redirect_uri).query else "?"
    return redirect_uri + separator + urlencode({
        "spapi_oauth_code": code, "state": state, "selling_partner_id": seller_id})
