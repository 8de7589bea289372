"""The website authorization workflow: Seller Central's consent page, the authorization code
sent to the application's redirect URI and its one exchange for a refresh token at LWA."""

import http.client
import json
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from spapi_simulator.const import SELLER_ID
from spapi_simulator.testing import http as sim_http, make_sim

REDIRECT = "https://odoo.example.com/amazon_seller/oauth/callback"


@pytest.fixture
def sim():
    simulator = make_sim(seed=3, orders=5, rate_limits=False)
    yield simulator
    simulator.stop()


def _raw(sim, method, path, body=None):
    """(status, headers, text) without following redirects."""
    connection = http.client.HTTPConnection(sim.host, sim.port, timeout=10)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    answer = response.status, dict(response.getheaders()), response.read().decode()
    connection.close()
    return answer


def _authorize(sim, state="s-1", redirect_uri=REDIRECT):
    """The code Authorize on the consent page sends to the redirect URI, and its query."""
    query = {"application_id": "amzn1.sp.solution.sim", "state": state,
             "redirect_uri": redirect_uri, "version": "beta"}
    status, _, page = _raw(sim, "GET", "/apps/authorize/consent?" + urlencode(query))
    assert status == 200 and "id='authorize'" in page and SELLER_ID in page
    fields = dict(re.findall(r"name='(\w+)' value='([^']*)'", page))
    assert fields == {**query, "authorize": "1"}
    status, headers, _ = _raw(sim, "POST", "/apps/authorize/consent", urlencode(fields))
    assert status == 302
    location = urlsplit(headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    back = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert (back["state"], back["selling_partner_id"]) == (state, SELLER_ID)
    return back["spapi_oauth_code"]


def _exchange(sim, code, client_id="amzn1.application-oa2-client.sim", redirect_uri=REDIRECT):
    form = {"grant_type": "authorization_code", "code": code, "client_id": client_id,
            "client_secret": "sim-secret", "redirect_uri": redirect_uri}
    status, _, body = sim_http(sim, "POST", "/auth/o2/token", raw=urlencode(form).encode(),
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    return status, json.loads(body)


def test_consent_code_exchanged_once_for_a_refresh_token_the_api_accepts(sim):
    code = _authorize(sim)
    status, answer = _exchange(sim, code)
    assert status == 200 and answer["refresh_token"].startswith("Atzr|")
    assert answer["token_type"] == "bearer" and answer["access_token"]
    # the refresh token gets access tokens that open the API
    form = urlencode({"grant_type": "refresh_token", "refresh_token": answer["refresh_token"],
                      "client_id": "amzn1.application-oa2-client.sim", "client_secret": "s"})
    status, _, body = sim_http(sim, "POST", "/auth/o2/token", raw=form.encode())
    token = json.loads(body)["access_token"]
    assert sim_http(sim, "GET", "/sellers/v1/marketplaceParticipations", token)[0] == 200
    assert sim.authorizations() == [{"applicationId": "amzn1.sp.solution.sim",
                                     "refreshToken": answer["refresh_token"], "sellerId": SELLER_ID}]
    # a code is exchanged once
    status, again = _exchange(sim, code)
    assert status == 400 and again["error"] == "invalid_grant" and again["error_description"]
    assert [c["operation"] for c in sim.calls()][:2] == ["consentPage", "authorizeConsent"]


def test_codes_lwa_refuses(sim):
    assert _exchange(sim, "ANunknown")[1]["error"] == "invalid_grant"
    code = _authorize(sim)
    status, answer = _exchange(sim, code, client_id="invalid-client")
    assert (status, answer["error"]) == (401, "invalid_client")
    assert _exchange(sim, code, redirect_uri="https://elsewhere.example.com/cb")[1]["error"] \
        == "invalid_grant"
    sim.advance(minutes=6)  # codes live 5 minutes
    status, answer = _exchange(sim, code)
    assert (status, answer["error"]) == (400, "invalid_grant")
    assert sim.authorizations() == []


def test_consent_page_refuses_a_wrong_request(sim):
    for query in ({"state": "s", "redirect_uri": REDIRECT},
                  {"application_id": "invalid-app", "state": "s", "redirect_uri": REDIRECT},
                  {"application_id": "app", "redirect_uri": REDIRECT},
                  {"application_id": "app", "state": "s", "redirect_uri": "not-a-url"}):
        status, _, page = _raw(sim, "GET", "/apps/authorize/consent?" + urlencode(query))
        assert status == 400 and "consent-error" in page


def test_control_api_issues_codes_and_lists_authorizations(sim):
    status, _, body = sim_http(sim, "POST", "/_simulator/oauth/codes",
                               body={"applicationId": "app", "redirectUri": REDIRECT})
    code = json.loads(body)["code"]
    assert _exchange(sim, code)[0] == 200
    status, _, body = sim_http(sim, "GET", "/_simulator/oauth/authorizations")
    assert [a["applicationId"] for a in json.loads(body)["authorizations"]] == ["app"]
