"""Refresh tokens (RFC 6749 §6, rotation per RFC 9700 §4.14) and revocation (RFC 7009)."""
import time

import pytest

from authz_helpers import parallel
from oidc_helpers import (Browser, api_token, assert_oauth_error, auth_params, authorize, cc_client, cli_client,
                          code_tokens, exchange, introspect, new_user, refresh, revoke, unverified, userinfo,
                          verify_jwt)


@pytest.fixture(scope="module")
def rp(srv):
    return cli_client(srv)


@pytest.fixture(scope="module")
def rs(srv):
    return cc_client(srv, scopes="introspect")


def test_refresh_rotation(srv, rp, rs):
    user = new_user(srv)
    t = code_tokens(srv, rp, user)
    r = refresh(srv, rp, t["refresh_token"])
    assert r.status_code == 200, r.text
    assert r.headers.get("Cache-Control") == "no-store"
    n = r.json()
    assert n["token_type"] == "Bearer"
    assert n["access_token"] != t["access_token"]
    assert n["refresh_token"] and n["refresh_token"] != t["refresh_token"]
    assert set(n["scope"].split()) == set(t["scope"].split())
    # The rotated token is spent; the new one is live.
    assert introspect(srv, rs, t["refresh_token"])["active"] is False
    ri = introspect(srv, rs, n["refresh_token"])
    assert ri["active"] is True and ri["client_id"] == rp["client_id"] and ri["sub"] == user.id
    ai = introspect(srv, rs, n["access_token"])
    assert ai["active"] is True and ai["sub"] == user.id
    assert userinfo(srv, n["access_token"]).json()["sub"] == user.id
    # A third generation.
    r3 = refresh(srv, rp, n["refresh_token"])
    assert r3.status_code == 200, r3.text


def test_refreshed_id_token(srv, rp):
    """OIDC Core §12.2: same iss, sub, aud; auth_time of the original authentication."""
    t = code_tokens(srv, rp, new_user(srv))
    first = verify_jwt(srv, t["id_token"], audience=rp["client_id"])
    n = refresh(srv, rp, t["refresh_token"]).json()
    assert "id_token" in n
    again = verify_jwt(srv, n["id_token"], audience=rp["client_id"])
    for k in ("iss", "sub", "aud", "auth_time"):
        assert again[k] == first[k], k


def test_offline_access_required_for_refresh_token(srv, rp):
    t = code_tokens(srv, rp, new_user(srv), scope="openid profile email")
    assert "refresh_token" not in t
    assert t["access_token"] and t["id_token"]


def test_no_refresh_token_without_refresh_grant(srv):
    c = cli_client(srv, grants=("authorization_code",))
    t = code_tokens(srv, c, new_user(srv))
    assert "refresh_token" not in t
    assert_oauth_error(refresh(srv, c, "whatever"), "unauthorized_client")


def test_public_client_refresh(srv):
    c = cli_client(srv, public=True, redirect_uris=("http://127.0.0.1:8765/cb",))
    browser = Browser(srv)
    params, verifier = auth_params(c, redirect_uri="http://127.0.0.1:8765/cb")
    code = authorize(browser, params, new_user(srv)).code
    t = exchange(srv, c, code, verifier, redirect_uri="http://127.0.0.1:8765/cb").json()
    assert t["refresh_token"]
    r = refresh(srv, c, t["refresh_token"])
    assert r.status_code == 200, r.text
    # A public client revokes its own token with just its client_id (RFC 7009 §2.1).
    n = r.json()
    assert revoke(srv, c, n["refresh_token"]).status_code == 200
    assert_oauth_error(refresh(srv, c, n["refresh_token"]), "invalid_grant")


def test_revoke_refresh_token_revokes_grant(srv, rp, rs):
    t = code_tokens(srv, rp, new_user(srv))
    assert introspect(srv, rs, t["access_token"])["active"] is True
    r = revoke(srv, rp, t["refresh_token"], token_type_hint="refresh_token")
    assert r.status_code == 200, r.text
    assert r.text == "" or r.json() == {}
    assert introspect(srv, rs, t["refresh_token"])["active"] is False
    assert introspect(srv, rs, t["access_token"])["active"] is False
    assert userinfo(srv, t["access_token"]).status_code == 401
    assert_oauth_error(refresh(srv, rp, t["refresh_token"]), "invalid_grant")


def test_revoke_rotated_family(srv, rp, rs):
    t = code_tokens(srv, rp, new_user(srv))
    n = refresh(srv, rp, t["refresh_token"]).json()
    assert revoke(srv, rp, n["refresh_token"]).status_code == 200
    assert introspect(srv, rs, n["access_token"])["active"] is False
    assert introspect(srv, rs, t["access_token"])["active"] is False


def test_revoke_access_token(srv, rp, rs):
    t = code_tokens(srv, rp, new_user(srv))
    assert introspect(srv, rs, t["access_token"])["active"] is True
    r = revoke(srv, rp, t["access_token"], token_type_hint="access_token")
    assert r.status_code == 200, r.text
    assert introspect(srv, rs, t["access_token"])["active"] is False
    r = userinfo(srv, t["access_token"])
    assert r.status_code == 401 and r.json()["error"] == "invalid_token"


def test_revoke_with_wrong_hint(srv, rp, rs):
    """RFC 7009 §2.1: a wrong token_type_hint must not stop the revocation."""
    t = code_tokens(srv, rp, new_user(srv))
    assert revoke(srv, rp, t["access_token"], token_type_hint="refresh_token").status_code == 200
    assert introspect(srv, rs, t["access_token"])["active"] is False
    t = code_tokens(srv, rp, new_user(srv))
    assert revoke(srv, rp, t["refresh_token"], token_type_hint="access_token").status_code == 200
    assert introspect(srv, rs, t["refresh_token"])["active"] is False


def test_revoke_unknown_tokens(srv, rp):
    for tok in ("no-such-token", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "x" * 200):
        r = revoke(srv, rp, tok)
        assert r.status_code == 200, (tok, r.status_code, r.text)
    r = srv.post("/oauth2/revoke", data={}, auth=(rp["client_id"], rp["client_secret"]))
    assert_oauth_error(r, "invalid_request")


def test_revoke_unsupported_token_type_hint_still_ok(srv, rp):
    r = revoke(srv, rp, "no-such-token", token_type_hint="something_else")
    assert r.status_code == 200 and r.content == b""  # RFC 7009 §2.1: the hint may be ignored
    if r.status_code == 400:
        assert r.json()["error"] == "unsupported_token_type"


def test_other_client_cannot_revoke(srv, rp, rs):
    other = cli_client(srv)
    t = code_tokens(srv, rp, new_user(srv))
    revoke(srv, other, t["refresh_token"])
    revoke(srv, other, t["access_token"])
    assert introspect(srv, rs, t["refresh_token"])["active"] is True
    assert introspect(srv, rs, t["access_token"])["active"] is True


def test_concurrent_refresh_single_winner(srv, rp):
    t = code_tokens(srv, rp, new_user(srv))
    results = parallel(lambda: refresh(srv, rp, t["refresh_token"]), n=6)
    ok = [r for r in results if r.status_code == 200]
    assert len(ok) == 1, [(r.status_code, r.text[:80]) for r in results]
    for r in results:
        if r.status_code != 200:
            assert_oauth_error(r, "invalid_grant")


def test_refresh_token_ttl(srv, rs):
    c = cli_client(srv, extra=("--refresh-token-ttl", "10"))
    t = code_tokens(srv, c, new_user(srv))
    assert introspect(srv, rs, t["refresh_token"])["exp"] - int(time.time()) <= 11
    time.sleep(11.5)
    assert introspect(srv, rs, t["refresh_token"])["active"] is False
    assert_oauth_error(refresh(srv, c, t["refresh_token"]), "invalid_grant")


def test_user_deleted_ends_tokens(srv, rp, rs):
    """Deleting the account ends its refresh tokens (docs/security.md) and so every token of
    it: introspection must not call them active, also the access tokens minted by a refresh
    (which carry no session id)."""
    from ghtest import API, bearer
    user = new_user(srv)
    t = code_tokens(srv, rp, user)
    n = refresh(srv, rp, t["refresh_token"]).json()
    r = srv.delete(f"{API}/users/me", headers=bearer(api_token(srv, user)), json={"password": user.password})
    assert r.status_code == 200, r.text
    assert_oauth_error(refresh(srv, rp, n["refresh_token"]), "invalid_grant")
    assert userinfo(srv, n["access_token"]).status_code == 401
    assert introspect(srv, rs, t["access_token"])["active"] is False
    assert introspect(srv, rs, n["refresh_token"])["active"] is False
    assert introspect(srv, rs, n["access_token"])["active"] is False


def test_user_locked_ends_tokens(srv, rp, rs):
    from authz_helpers import new_admin
    from ghtest import API
    admin = new_admin(srv)
    user = new_user(srv)
    t = code_tokens(srv, rp, user)
    n = refresh(srv, rp, t["refresh_token"]).json()
    r = admin.patch(f"{API}/admin/users/{user.id}", json={"locked": True})
    assert r.status_code == 200, r.text
    assert_oauth_error(refresh(srv, rp, n["refresh_token"]), "invalid_grant")
    assert userinfo(srv, n["access_token"]).status_code == 401
    assert introspect(srv, rs, t["access_token"])["active"] is False
    assert introspect(srv, rs, n["refresh_token"])["active"] is False
    assert introspect(srv, rs, n["access_token"])["active"] is False


def test_refresh_after_logout_is_consistent(srv, rp, rs):
    """Whether refresh tokens outlive the sign-in session is policy; either way introspection
    must agree with the token endpoint."""
    user, browser = new_user(srv), Browser(srv)
    t = code_tokens(srv, rp, user, browser=browser)
    page = browser.get("/oauth2/logout")
    assert browser.submit(page, "/oauth2/logout", decision="logout").status_code == 200
    assert introspect(srv, rs, t["access_token"])["active"] is False
    active = introspect(srv, rs, t["refresh_token"])["active"]
    r = refresh(srv, rp, t["refresh_token"])
    if active:
        assert r.status_code == 200, r.text
    else:
        assert_oauth_error(r, "invalid_grant")


def test_refresh_token_is_opaque(srv, rp):
    t = code_tokens(srv, rp, new_user(srv))
    assert t["refresh_token"].count(".") != 2
    with pytest.raises(Exception):
        unverified(t["refresh_token"])
