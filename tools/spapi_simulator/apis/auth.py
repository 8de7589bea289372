"""Login with Amazon (LWA) token endpoint, `POST /auth/o2/token`: which credentials get an
access token.  The server keeps the issued tokens and refuses SP-API calls without one."""

from urllib.parse import parse_qs

PATH = "/auth/o2/token"
HEADERS = {"Cache-Control": "no-store"}


def parse_form(raw):
    """(form fields, the fields the call log keeps) of a token request body."""
    form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
    params = {k: form.get(k) for k in ("grant_type", "client_id", "scope") if k in form}
    return form, params


def answer(method, form, mint):
    """(status, body) by the LWA rule: client_id or client_secret starting with "invalid" ->
    401 invalid_client; refresh_token starting with "invalid" -> 400 invalid_grant.
    `mint(refresh_token)` issues the access token of a granted request."""
    if method != "POST":
        return 405, {"error": "invalid_request", "error_description": "Use POST."}
    grant = form.get("grant_type")
    if grant not in ("refresh_token", "client_credentials"):
        return 400, {"error": "unsupported_grant_type",
                     "error_description": "The authorization grant type is not supported."}
    if not form.get("client_id") or not form.get("client_secret"):
        return 400, {"error": "invalid_request",
                     "error_description": "The request is missing a required parameter : client_id"}
    if form["client_id"].startswith("invalid") or form["client_secret"].startswith("invalid"):
        return 401, {"error": "invalid_client",
                     "error_description": "Client authentication failed"}
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

