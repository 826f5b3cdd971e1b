"""The authorization request is carried server-side across sign-in and consent (issue 8):
prompt=consent is not skipped after sign-in, prompt=login and max_age need a sign-in newer
than the request, and the consent form cannot be edited into another request."""
import time

import pytest

from oidc_helpers import (REDIRECT, Browser, auth_params, authorize, cli_client, exchange, is_consent_page,
                          is_login_redirect, new_user, page_form, query_of)


@pytest.fixture(scope="module")
def rp(srv):
    return cli_client(srv, name="Hardening RP")


def signed_in(srv, rp):
    """A browser with an SSO session and a remembered consent for rp."""
    b, user = Browser(srv), new_user(srv)
    params, _ = auth_params(rp)
    flow = authorize(b, params, user)
    assert flow.steps == ["login", "consent"]
    return b, user


def test_prompt_consent_survives_sign_in(srv, rp):
    b, user = signed_in(srv, rp)
    fresh = Browser(srv)  # consent is remembered, but prompt=consent must still show the page
    params, _ = auth_params(rp, prompt="consent")
    flow = authorize(fresh, params, user, stop_at_consent=True)
    assert flow.steps == ["login", "consent"], flow.steps


def test_login_redirect_carries_only_a_handle(srv, rp):
    b = Browser(srv)
    params, _ = auth_params(rp, prompt="login", max_age="0")
    r = b.get("/oauth2/authorize", params=params)
    assert is_login_redirect(r)
    back = query_of(r.headers["Location"])["return_to"]
    assert back.startswith("/oauth2/authorize?pending=")
    assert "prompt" not in back and "client_id" not in back


def test_prompt_login_cannot_be_skipped_by_following_the_stored_request(srv, rp):
    b, user = signed_in(srv, rp)
    params, _ = auth_params(rp, prompt="login")
    r = b.get("/oauth2/authorize", params=params)
    assert is_login_redirect(r)
    back = query_of(r.headers["Location"])["return_to"]
    # skipping the login page and going straight back asks for the sign-in again
    r2 = b.get(back)
    assert is_login_redirect(r2), (r2.status_code, r2.headers)
    # after a real sign-in the same handle gives a code
    page = b.get(r2.headers["Location"])
    r3 = b.login(user, page=page)
    r4 = b.get(r3.headers["Location"])
    assert r4.status_code in (302, 303) and "code" in query_of(r4.headers["Location"]), r4.text[:300]


def test_max_age_zero_cannot_be_skipped(srv, rp):
    b, user = signed_in(srv, rp)
    time.sleep(1.1)  # the SSO session is now older than the request's max_age=0 allows
    params, _ = auth_params(rp, max_age="0")
    r = b.get("/oauth2/authorize", params=params)
    assert is_login_redirect(r)
    assert is_login_redirect(b.get(query_of(r.headers["Location"])["return_to"]))


def test_consent_form_ignores_posted_parameters(srv, rp):
    b, user = Browser(srv), new_user(srv)
    params, verifier = auth_params(rp, scope="openid")
    flow = authorize(b, params, user, stop_at_consent=True)
    form = page_form(flow.response.text, "/ui/consent")["fields"]
    # an attacker widening the scope or swapping the redirect gets the stored request only
    r = b.post("/ui/consent", data={**form, "decision": "allow", "scope": "openid profile email offline_access",
                                    "redirect_uri": "https://evil.example/cb"})
    assert r.status_code in (302, 303), r.text[:300]
    loc = r.headers["Location"]
    assert loc.startswith(REDIRECT)
    tok = exchange(srv, rp, query_of(loc)["code"], verifier)
    assert tok.status_code == 200 and tok.json()["scope"] == "openid"


def test_consent_without_or_with_unknown_handle(srv, rp):
    b, user = Browser(srv), new_user(srv)
    params, _ = auth_params(rp)
    flow = authorize(b, params, user, stop_at_consent=True)
    form = page_form(flow.response.text, "/ui/consent")["fields"]
    r = b.post("/ui/consent", data={"csrf": form["csrf"], "decision": "allow"})
    assert r.status_code == 400
    r = b.post("/ui/consent", data={"csrf": form["csrf"], "pending": "x" * 43, "decision": "allow"})
    assert r.status_code == 400 and "expired" in r.text


def test_handle_is_single_use(srv, rp):
    b, user = Browser(srv), new_user(srv)
    params, _ = auth_params(rp)
    flow = authorize(b, params, user, stop_at_consent=True)
    form = page_form(flow.response.text, "/ui/consent")["fields"]
    r = b.post("/ui/consent", data={**form, "decision": "allow"})
    assert r.status_code in (302, 303)
    r = b.post("/ui/consent", data={**form, "decision": "allow"})
    assert r.status_code == 400
