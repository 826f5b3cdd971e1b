"""RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) and the user's consents API."""
from urllib.parse import urlencode

import pytest

from ghtest import API, assert_envelope_ok, assert_error, bearer
from oidc_helpers import (POST_LOGOUT, Browser, auth_params, authorize, cc_client, cli_client, code_tokens,
                          cookie_attrs, introspect, new_user, page_form, query_of, refresh, set_cookies,
                          userinfo, api_token)


@pytest.fixture(scope="module")
def rp(srv):
    return cli_client(srv, name="Logout RP", post_logout=(POST_LOGOUT,))


@pytest.fixture(scope="module")
def rs(srv):
    return cc_client(srv, scopes="introspect")


def logout_url(**params) -> str:
    return "/oauth2/logout?" + urlencode(params)


# ------------------------------------------------------------------ logout


def test_rp_initiated_logout(srv, rp, rs):
    user, browser = new_user(srv), Browser(srv)
    t = code_tokens(srv, rp, user, browser=browser)
    session_cookie = browser.cookie("gh_session")
    assert session_cookie
    assert introspect(srv, rs, t["access_token"])["active"] is True

    page = browser.get(logout_url(id_token_hint=t["id_token"], post_logout_redirect_uri=POST_LOGOUT,
                                  state="st-123"))
    assert page.status_code == 200, page.text
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Logout RP" in page.text
    form = page_form(page.text, "/oauth2/logout")
    assert form["fields"]["post_logout_redirect_uri"] == POST_LOGOUT
    assert form["fields"]["state"] == "st-123"
    assert form["fields"]["client_id"] == rp["client_id"]
    assert form["fields"]["csrf"] == browser.csrf
    # Showing the page alone signs nobody out.
    assert introspect(srv, rs, t["access_token"])["active"] is True

    r = browser.submit(page, "/oauth2/logout", decision="logout")
    assert r.status_code == 303, r.text
    loc = r.headers["Location"]
    assert loc.startswith(POST_LOGOUT + "?")
    assert query_of(loc) == {"state": "st-123"}
    cleared = [c for c in set_cookies(r) if c.startswith("gh_session=")]
    assert cleared, set_cookies(r)
    name, value, attrs = cookie_attrs(cleared[0])
    assert value == "" and attrs.get("max-age") == "0"
    assert browser.cookie("gh_session") is None

    # The session behind the tokens has ended.
    assert introspect(srv, rs, t["access_token"])["active"] is False
    assert userinfo(srv, t["access_token"]).status_code == 401
    # The old cookie does not resurrect the browser session.
    replay = Browser(srv)
    replay.s.cookies.set("gh_session", session_cookie)
    r = replay.get("/ui/account")
    assert r.status_code in (302, 303) and r.headers["Location"].startswith("/ui/login")
    params, _ = auth_params(rp)
    assert authorize(replay, params).response.headers["Location"].startswith("/ui/login")
    params, _ = auth_params(rp)
    r = browser.get("/oauth2/authorize?" + urlencode(params))
    assert r.headers["Location"].startswith("/ui/login")


def test_code_unusable_after_logout(srv, rp):
    user, browser = new_user(srv), Browser(srv)
    code_tokens(srv, rp, user, browser=browser)
    params, verifier = auth_params(rp)
    code = authorize(browser, params, user).code
    page = browser.get("/oauth2/logout")
    assert browser.submit(page, "/oauth2/logout", decision="logout").status_code == 200
    from oidc_helpers import assert_oauth_error, exchange
    assert_oauth_error(exchange(srv, rp, code, verifier), "invalid_grant")


def test_logout_without_state(srv, rp):
    user, browser = new_user(srv), Browser(srv)
    t = code_tokens(srv, rp, user, browser=browser)
    page = browser.get(logout_url(id_token_hint=t["id_token"], post_logout_redirect_uri=POST_LOGOUT))
    r = browser.submit(page, "/oauth2/logout", decision="logout")
    assert r.status_code == 303 and r.headers["Location"] == POST_LOGOUT


def test_logout_with_client_id_instead_of_hint(srv, rp):
    user, browser = new_user(srv), Browser(srv)
    code_tokens(srv, rp, user, browser=browser)
    page = browser.get(logout_url(client_id=rp["client_id"], post_logout_redirect_uri=POST_LOGOUT, state="s"))
    assert page.status_code == 200
    r = browser.submit(page, "/oauth2/logout", decision="logout")
    assert r.status_code == 303 and r.headers["Location"] == POST_LOGOUT + "?state=s"


def test_stay_signed_in(srv, rp, rs):
    user, browser = new_user(srv), Browser(srv)
    t = code_tokens(srv, rp, user, browser=browser)
    page = browser.get(logout_url(id_token_hint=t["id_token"], post_logout_redirect_uri=POST_LOGOUT, state="s"))
    r = browser.submit(page, "/oauth2/logout", decision="stay")
    assert r.status_code == 303
    assert introspect(srv, rs, t["access_token"])["active"] is True
    assert browser.get("/ui/account").status_code == 200


def test_logout_without_redirect(srv, rp, rs):
    user, browser = new_user(srv), Browser(srv)
    t = code_tokens(srv, rp, user, browser=browser)
    page = browser.get("/oauth2/logout")
    assert page.status_code == 200
    r = browser.submit(page, "/oauth2/logout", decision="logout")
    assert r.status_code == 200 and "Signed out" in r.text
    assert introspect(srv, rs, t["access_token"])["active"] is False


@pytest.mark.parametrize("target", ["https://evil.example/bye", POST_LOGOUT + "/x", POST_LOGOUT + "?a=1"])
def test_unregistered_post_logout_redirect(srv, rp, target):
    user, browser = new_user(srv), Browser(srv)
    t = code_tokens(srv, rp, user, browser=browser)
    r = browser.get(logout_url(id_token_hint=t["id_token"], post_logout_redirect_uri=target))
    assert r.status_code == 400
    assert "Location" not in r.headers
    assert r.headers["Content-Type"].startswith("text/html")
    # Nor can the POST smuggle it in.
    r = browser.post("/oauth2/logout", data={"post_logout_redirect_uri": target, "client_id": rp["client_id"],
                                             "decision": "logout", "csrf": browser.csrf})
    assert r.status_code == 400 and "Location" not in r.headers
    assert browser.get("/ui/account").status_code == 200, "still signed in"


def test_post_logout_redirect_without_client(srv):
    r = Browser(srv).get(logout_url(post_logout_redirect_uri=POST_LOGOUT))
    assert r.status_code == 400 and "Location" not in r.headers


def test_bad_id_token_hint(srv, rp):
    other = cli_client(srv, post_logout=("https://other.example/bye",))
    user, browser = new_user(srv), Browser(srv)
    t = code_tokens(srv, rp, user, browser=browser)
    r = browser.get(logout_url(id_token_hint="not.a.token", post_logout_redirect_uri=POST_LOGOUT))
    assert r.status_code == 400
    # client_id that does not match the hint's audience
    r = browser.get(logout_url(id_token_hint=t["id_token"], client_id=other["client_id"],
                               post_logout_redirect_uri=POST_LOGOUT))
    assert r.status_code == 400
    # the other client's registered URI with this client's hint
    r = browser.get(logout_url(id_token_hint=t["id_token"], post_logout_redirect_uri="https://other.example/bye"))
    assert r.status_code == 400


def test_logout_post_requires_csrf(srv, rp, rs):
    user, browser = new_user(srv), Browser(srv)
    t = code_tokens(srv, rp, user, browser=browser)
    r = browser.post("/oauth2/logout", data={"decision": "logout"})
    assert r.status_code == 403
    r = browser.post("/oauth2/logout", data={"decision": "logout", "csrf": "A" * 43})
    assert r.status_code == 403
    assert introspect(srv, rs, t["access_token"])["active"] is True
    assert browser.get("/ui/account").status_code == 200


def test_logout_get_with_decision_does_not_sign_out(srv, rp, rs):
    """A GET (e.g. an <img> on another site) must never end the session."""
    user, browser = new_user(srv), Browser(srv)
    t = code_tokens(srv, rp, user, browser=browser)
    r = browser.get(logout_url(decision="logout", csrf=browser.csrf))
    assert r.status_code == 200
    assert introspect(srv, rs, t["access_token"])["active"] is True


# ------------------------------------------------------------------ consents API


def consents(srv, token):
    return assert_envelope_ok(srv.get(f"{API}/users/me/consents", headers=bearer(token)))["data"]


def test_consents_listed(srv, rp):
    user, browser = new_user(srv), Browser(srv)
    code_tokens(srv, rp, user, browser=browser, scope="openid email")
    tok = api_token(srv, user)
    data = consents(srv, tok)
    assert len(data) == 1
    c = data[0]
    assert c["client_id"] == rp["client_id"]
    assert c["client_name"] == "Logout RP"
    assert c["scopes"] == ["openid", "email"]
    assert c["created_at"] and c["updated_at"]
    # Another user sees nothing of it.
    assert consents(srv, api_token(srv, new_user(srv))) == []


def test_consents_require_auth(srv):
    assert_error(srv.get(f"{API}/users/me/consents"), 401)
    assert_error(srv.delete(f"{API}/users/me/consents"), 401)


def test_first_party_and_unremembered_not_listed(srv):
    fp = cli_client(srv, first_party=True)
    user, browser = new_user(srv), Browser(srv)
    code_tokens(srv, fp, user, browser=browser)
    c = cli_client(srv)
    params, _ = auth_params(c)
    authorize(browser, params, user, remember=False)
    assert consents(srv, api_token(srv, user)) == []


def test_delete_consent_asks_again_and_revokes_tokens(srv, rp, rs):
    user, browser = new_user(srv), Browser(srv)
    t = code_tokens(srv, rp, user, browser=browser)
    assert code_tokens(srv, rp, user, browser=browser)["_steps"] == []
    tok = api_token(srv, user)
    r = srv.delete(f"{API}/users/me/consents/{rp['client_id']}", headers=bearer(tok))
    assert assert_envelope_ok(r)["data"]["revoked"] == 1
    assert consents(srv, tok) == []
    # Never introspected before: checked against the database.
    assert introspect(srv, rs, t["access_token"])["active"] is False
    assert introspect(srv, rs, t["refresh_token"])["active"] is False
    assert refresh(srv, rp, t["refresh_token"]).status_code == 400
    params, _ = auth_params(rp)
    flow = authorize(browser, params, user, stop_at_consent=True)
    assert flow.steps == ["consent"]
    assert_error(srv.delete(f"{API}/users/me/consents/{rp['client_id']}", headers=bearer(tok)), 404)


def test_delete_consent_revokes_recently_checked_token(srv, rp, rs):
    """A resource server introspected the token a moment ago; revoking the consent must still
    make it inactive at once (not after a verification cache expires)."""
    user, browser = new_user(srv), Browser(srv)
    t = code_tokens(srv, rp, user, browser=browser)
    assert introspect(srv, rs, t["access_token"])["active"] is True
    assert userinfo(srv, t["access_token"]).status_code == 200
    tok = api_token(srv, user)
    assert_envelope_ok(srv.delete(f"{API}/users/me/consents/{rp['client_id']}", headers=bearer(tok)))
    assert introspect(srv, rs, t["access_token"])["active"] is False
    assert userinfo(srv, t["access_token"]).status_code == 401


def test_delete_all_consents(srv, rp, rs):
    other = cli_client(srv, name="Second RP")
    user, browser = new_user(srv), Browser(srv)
    a = code_tokens(srv, rp, user, browser=browser)
    b = code_tokens(srv, other, user, browser=browser)
    tok = api_token(srv, user)
    assert {c["client_id"] for c in consents(srv, tok)} == {rp["client_id"], other["client_id"]}
    r = srv.delete(f"{API}/users/me/consents", headers=bearer(tok))
    assert assert_envelope_ok(r)["data"]["revoked"] == 2
    assert consents(srv, tok) == []
    for t in (a, b):
        assert introspect(srv, rs, t["refresh_token"])["active"] is False
    # Another user's consent is untouched.
    u2, b2 = new_user(srv), Browser(srv)
    code_tokens(srv, rp, u2, browser=b2)
    srv.delete(f"{API}/users/me/consents", headers=bearer(tok))
    assert len(consents(srv, api_token(srv, u2))) == 1


def test_delete_consent_for_unknown_client(srv):
    tok = api_token(srv, new_user(srv))
    assert_error(srv.delete(f"{API}/users/me/consents/no-such-client", headers=bearer(tok)), 404)
