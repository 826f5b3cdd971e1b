"""Device authorization grant (RFC 8628): device_authorization endpoint, polling errors,
approval and denial on the /ui/device page."""
import os
import re
import time
from urllib.parse import urlsplit

import pytest

from oidc_helpers import (DEVICE_GRANT, Browser, assert_oauth_error, basic, cc_client, cli_client, db_exec,
                          introspect, new_user, page_form, token_raw, verify_jwt)

USER_CODE = re.compile(r"^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$")


@pytest.fixture(scope="module")
def tv(srv):
    """A confidential device client (a TV app with a backend)."""
    return cli_client(srv, name="Living-room TV", redirect_uris=(), grants=(DEVICE_GRANT, "refresh_token"))


@pytest.fixture(scope="module")
def rs(srv):
    return cc_client(srv, scopes="introspect")


def start(srv, client, scope="openid profile offline_access"):
    data = {"scope": scope}
    if client.get("client_secret"):
        r = srv.post("/oauth2/device_authorization", data=data, auth=basic(client))
    else:
        r = srv.post("/oauth2/device_authorization", data={**data, "client_id": client["client_id"]})
    assert r.status_code == 200, r.text
    return r.json()


def poll(srv, client, device_code):
    data = {"grant_type": DEVICE_GRANT, "device_code": device_code}
    if client.get("client_secret"):
        return token_raw(srv, data, auth=basic(client))
    return token_raw(srv, {**data, "client_id": client["client_id"]})


def signed_in(srv, user=None):
    user = user or new_user(srv)
    b = Browser(srv)
    assert b.login(user).status_code == 303
    return b, user


def decide(browser, user_code, decision):
    page = browser.get("/ui/device", params={"user_code": user_code})
    assert page.status_code == 200, page.text
    form = page_form(page.text, "/ui/device")
    assert form["fields"]["user_code"] == user_code
    assert {b.get("value") for b in form["buttons"]} == {"allow", "deny"}
    r = browser.submit(page, "/ui/device", decision=decision)
    assert r.status_code == 200, r.text
    return r


def test_device_authorization_response(srv, tv):
    d = start(srv, tv)
    assert d["device_code"] and len(d["device_code"]) >= 32
    assert USER_CODE.match(d["user_code"]), d["user_code"]
    assert d["verification_uri"] == srv.base + "/ui/device"
    assert d["verification_uri_complete"] == d["verification_uri"] + "?user_code=" + d["user_code"]
    assert isinstance(d["expires_in"], int) and d["expires_in"] > 0
    assert isinstance(d["interval"], int) and d["interval"] >= 1
    d2 = start(srv, tv)
    assert d2["device_code"] != d["device_code"] and d2["user_code"] != d["user_code"]


def test_pending_then_slow_down(srv, tv):
    d = start(srv, tv)
    assert_oauth_error(poll(srv, tv, d["device_code"]), "authorization_pending")
    assert_oauth_error(poll(srv, tv, d["device_code"]), "slow_down")


def test_approve(srv, tv, rs):
    d = start(srv, tv)
    assert_oauth_error(poll(srv, tv, d["device_code"]), "authorization_pending")
    browser, user = signed_in(srv)
    r = decide(browser, d["user_code"], "allow")
    assert "Device connected" in r.text
    t = poll(srv, tv, d["device_code"])
    assert t.status_code == 200, t.text
    tok = t.json()
    assert tok["token_type"] == "Bearer"
    assert set(tok["scope"].split()) == {"openid", "profile", "offline_access"}
    assert tok["refresh_token"]
    at = verify_jwt(srv, tok["access_token"], audience=None, typ="at+jwt")
    assert at["sub"] == user.id and at["client_id"] == tv["client_id"]
    idt = verify_jwt(srv, tok["id_token"], audience=tv["client_id"])
    assert idt["sub"] == user.id
    assert introspect(srv, rs, tok["access_token"])["active"] is True
    # The device code is spent.
    assert_oauth_error(poll(srv, tv, d["device_code"]), "invalid_grant")
    # And the refresh token works.
    r = token_raw(srv, {"grant_type": "refresh_token", "refresh_token": tok["refresh_token"]}, auth=basic(tv))
    assert r.status_code == 200, r.text


def test_concurrent_polls_after_approval(srv, tv):
    from authz_helpers import parallel
    d = start(srv, tv)
    browser, _ = signed_in(srv)
    decide(browser, d["user_code"], "allow")
    results = parallel(lambda: poll(srv, tv, d["device_code"]), n=6)
    assert sum(r.status_code == 200 for r in results) == 1, [(r.status_code, r.text[:60]) for r in results]
    for r in results:
        if r.status_code != 200:
            assert_oauth_error(r, "invalid_grant")


def test_deny(srv, tv):
    d = start(srv, tv)
    browser, _ = signed_in(srv)
    r = decide(browser, d["user_code"], "deny")
    assert "denied" in r.text.lower()
    assert_oauth_error(poll(srv, tv, d["device_code"]), "access_denied")


def test_manual_code_entry(srv, tv):
    d = start(srv, tv)
    browser, _ = signed_in(srv)
    page = browser.get("/ui/device")
    assert page.status_code == 200
    form = page_form(page.text, "/ui/device")
    assert "user_code" in {i.get("name") for i in form["inputs"]}
    # Lower case, without the dash: still the same code (RFC 8628 §6.1).
    typed = d["user_code"].replace("-", "").lower()
    confirm = browser.submit(page, "/ui/device", user_code=typed)
    assert confirm.status_code == 200, confirm.text
    assert "Living-room TV" in confirm.text
    r = browser.submit(confirm, "/ui/device", decision="allow")
    assert r.status_code == 200, r.text
    assert poll(srv, tv, d["device_code"]).status_code == 200


def test_unknown_user_code(srv):
    browser, _ = signed_in(srv)
    r = browser.get("/ui/device", params={"user_code": "BCDF-GHJK"})
    assert r.status_code == 400
    assert 'role="alert"' in r.text


def test_code_cannot_be_decided_twice(srv, tv):
    d = start(srv, tv)
    browser, _ = signed_in(srv)
    decide(browser, d["user_code"], "allow")
    other, _ = signed_in(srv)
    r = other.get("/ui/device", params={"user_code": d["user_code"]})
    assert r.status_code == 400
    t = poll(srv, tv, d["device_code"])
    assert t.status_code == 200


def test_device_page_requires_sign_in(srv, tv):
    d = start(srv, tv)
    b = Browser(srv)
    r = b.get(d["verification_uri_complete"])
    assert r.status_code in (302, 303)
    loc = r.headers["Location"]
    assert urlsplit(loc).path == "/ui/login"
    # After signing in, back to the same device page.
    page = b.get(loc)
    user = new_user(srv)
    done = b.login(user, page=page)
    assert done.status_code == 303
    assert done.headers["Location"] == "/ui/device?user_code=" + d["user_code"]
    confirm = b.get(done.headers["Location"])
    assert confirm.status_code == 200 and "Living-room TV" in confirm.text


def test_device_post_requires_csrf(srv, tv):
    d = start(srv, tv)
    browser, _ = signed_in(srv)
    r = browser.post("/ui/device", data={"user_code": d["user_code"], "decision": "allow"})
    assert r.status_code == 403
    r = browser.post("/ui/device", data={"user_code": d["user_code"], "decision": "allow", "csrf": "x" * 43})
    assert r.status_code == 403
    assert_oauth_error(poll(srv, tv, d["device_code"]), "authorization_pending")


def test_device_code_of_another_client(srv, tv):
    other = cli_client(srv, redirect_uris=(), grants=(DEVICE_GRANT,))
    d = start(srv, tv)
    assert_oauth_error(poll(srv, other, d["device_code"]), "invalid_grant")


def test_device_errors(srv, tv):
    assert_oauth_error(poll(srv, tv, "no-such-device-code"), "invalid_grant")
    r = token_raw(srv, {"grant_type": DEVICE_GRANT}, auth=basic(tv))
    assert_oauth_error(r, "invalid_request")
    r = srv.post("/oauth2/device_authorization", data={"scope": "openid admin"}, auth=basic(tv))
    assert_oauth_error(r, "invalid_scope")
    r = srv.post("/oauth2/device_authorization", data={"scope": "openid"}, auth=(tv["client_id"], "wrong"))
    assert_oauth_error(r, "invalid_client", 401)
    code_client = cli_client(srv)
    r = srv.post("/oauth2/device_authorization", data={"scope": "openid"}, auth=basic(code_client))
    assert_oauth_error(r, "unauthorized_client")


def test_public_device_client(srv):
    c = cli_client(srv, public=True, redirect_uris=(), grants=(DEVICE_GRANT,), scopes="openid")
    d = start(srv, c, scope="openid")
    browser, user = signed_in(srv)
    decide(browser, d["user_code"], "allow")
    t = poll(srv, c, d["device_code"])
    assert t.status_code == 200, t.text
    assert "refresh_token" not in t.json()


def test_poll_interval_config(server_factory):
    s = server_factory(env={"GATEHOUSE_DEVICE_POLL_INTERVAL": "2", "GATEHOUSE_DEVICE_CODE_TTL": "120"})
    c = cli_client(s, redirect_uris=(), grants=(DEVICE_GRANT,))
    d = start(s, c, scope="openid")
    assert d["interval"] == 2 and d["expires_in"] == 120
    assert_oauth_error(poll(s, c, d["device_code"]), "authorization_pending")
    time.sleep(2.1)
    assert_oauth_error(poll(s, c, d["device_code"]), "authorization_pending")


def test_expired_device_code(srv, tv):
    """The minimum lifetime is 60 s: the row is aged in the database instead of waiting."""
    d = start(srv, tv)
    db_exec(srv, "UPDATE oauth_device_codes SET expires_at = ? WHERE user_code = ?",
            (int(time.time()) - 1, d["user_code"]))
    assert_oauth_error(poll(srv, tv, d["device_code"]), "expired_token")
    browser, _ = signed_in(srv)
    r = browser.get("/ui/device", params={"user_code": d["user_code"]})
    assert r.status_code == 400


@pytest.mark.skipif(not os.environ.get("GATEHOUSE_TEST_SLOW"), reason="waits 61 s; set GATEHOUSE_TEST_SLOW=1")
def test_expired_device_code_real_wait(server_factory):
    s = server_factory(env={"GATEHOUSE_DEVICE_CODE_TTL": "60", "GATEHOUSE_DEVICE_POLL_INTERVAL": "1"})
    c = cli_client(s, redirect_uris=(), grants=(DEVICE_GRANT,))
    d = start(s, c, scope="openid")
    assert d["expires_in"] == 60
    time.sleep(61.5)
    assert_oauth_error(poll(s, c, d["device_code"]), "expired_token")
