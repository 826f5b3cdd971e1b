"""POST /api/v1/auth/refresh: rotation, reuse detection, grace window."""
import time

import jwt
import pytest

from ghtest import API, assert_envelope_ok, assert_error, bearer, create_user, me


def refresh(s, token):
    return s.post(f"{API}/auth/refresh", json={"refresh_token": token})


@pytest.fixture(scope="module")
def strict(module_server_factory):
    """Reuse is detected at once (no grace window)."""
    return module_server_factory(env={"GATEHOUSE_REFRESH_REUSE_GRACE_SECONDS": "0"})


def test_refresh_rotates(srv):
    u = create_user(srv)
    a = u.login()
    r = refresh(srv, a["refresh_token"])
    b = assert_envelope_ok(r)["data"]
    for k in ("access_token", "refresh_token", "token_type", "expires_in", "session_id", "user"):
        assert k in b, k
    assert b["refresh_token"] != a["refresh_token"]
    assert b["access_token"] != a["access_token"]
    assert b["session_id"] == a["session_id"]
    assert b["user"]["id"] == u.id
    ca = jwt.decode(a["access_token"], options={"verify_signature": False})
    cb = jwt.decode(b["access_token"], options={"verify_signature": False})
    assert ca["jti"] != cb["jti"]
    assert cb["sid"] == a["session_id"]
    assert me(srv, b["access_token"]).status_code == 200
    # Chained rotation works.
    c = assert_envelope_ok(refresh(srv, b["refresh_token"]))["data"]
    assert c["session_id"] == a["session_id"]


def test_refresh_validation(srv):
    assert_error(srv.post(f"{API}/auth/refresh", json={}), 400, "VALIDATION_ERROR")
    assert_error(refresh(srv, 123), 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("tok", ["garbage", "x" * 43, "A" * 400], ids=["garbage", "43", "400"])
def test_unknown_refresh_token(srv, tok):
    assert_error(refresh(srv, tok), 401, "AUTHENTICATION_ERROR")


def test_overlong_refresh_token(srv):
    r = refresh(srv, "A" * 5000)
    assert_error(r, 400, "VALIDATION_ERROR")  # over the field's length: refused before any lookup
    assert r.json()["success"] is False


def test_access_token_is_not_a_refresh_token(srv):
    u = create_user(srv)
    a = u.login()
    r = refresh(srv, a["access_token"])
    # A JWT is longer than any refresh token: refused by the field's length, never accepted.
    assert_error(r, 400, "VALIDATION_ERROR")
    assert r.json()["success"] is False
    assert me(srv, a["access_token"]).status_code == 200


def test_reuse_after_rotation_revokes_session(strict):
    s = strict
    u = create_user(s)
    other = u.login()
    a = u.login()
    b = assert_envelope_ok(refresh(s, a["refresh_token"]))["data"]
    r = refresh(s, a["refresh_token"])
    body = assert_error(r, 401, "AUTHENTICATION_ERROR")
    assert body["error"]["details"]["reason"] == "refresh_token_reused"
    # The whole family is dead: the successor refresh token and every access token.
    assert_error(refresh(s, b["refresh_token"]), 401, "AUTHENTICATION_ERROR")
    assert_error(me(s, b["access_token"]), 401, "AUTHENTICATION_ERROR")
    assert_error(me(s, a["access_token"]), 401, "AUTHENTICATION_ERROR")
    # Another session of the same user keeps working.
    assert me(s, other["access_token"]).status_code == 200
    assert refresh(s, other["refresh_token"]).status_code == 200
    rows = s.db_rows("SELECT revoked_at FROM sessions WHERE id = ?", (a["session_id"],))
    assert rows[0][0] is not None
    # A fresh login still works.
    assert me(s, u.login()["access_token"]).status_code == 200


def test_reuse_of_older_ancestor(strict):
    s = strict
    u = create_user(s)
    a = u.login()
    b = refresh(s, a["refresh_token"]).json()["data"]
    c = refresh(s, b["refresh_token"]).json()["data"]
    r = refresh(s, a["refresh_token"])
    assert r.json()["error"]["details"]["reason"] == "refresh_token_reused"
    assert_error(refresh(s, c["refresh_token"]), 401)
    assert_error(me(s, c["access_token"]), 401)


def test_grace_window_default_allows_immediate_second_use(srv):
    u = create_user(srv)
    a = u.login()
    b = assert_envelope_ok(refresh(srv, a["refresh_token"]))["data"]
    c = assert_envelope_ok(refresh(srv, a["refresh_token"]))["data"]
    assert c["session_id"] == a["session_id"]
    assert c["refresh_token"] not in (a["refresh_token"], b["refresh_token"])
    assert me(srv, c["access_token"]).status_code == 200
    assert refresh(srv, c["refresh_token"]).status_code == 200


def test_grace_window_expires(server_factory):
    s = server_factory(env={"GATEHOUSE_REFRESH_REUSE_GRACE_SECONDS": "1"})
    u = create_user(s)
    a = u.login()
    b = refresh(s, a["refresh_token"]).json()["data"]
    time.sleep(2.5)
    r = refresh(s, a["refresh_token"])
    body = assert_error(r, 401)
    assert body["error"]["details"]["reason"] == "refresh_token_reused"
    assert_error(me(s, b["access_token"]), 401)


def test_refresh_after_logout_fails(srv):
    u = create_user(srv)
    a = u.login()
    srv.post(f"{API}/auth/logout", headers=bearer(a["access_token"]))
    assert_error(refresh(srv, a["refresh_token"]), 401)


def test_refresh_token_bound_to_user(srv):
    u1, u2 = create_user(srv), create_user(srv)
    a1 = u1.login()
    u2.login()
    b = refresh(srv, a1["refresh_token"]).json()["data"]
    assert b["user"]["id"] == u1.id
    assert jwt.decode(b["access_token"], options={"verify_signature": False})["sub"] == u1.id


def test_refresh_of_deleted_user_fails(srv):
    u = create_user(srv)
    a = u.login()
    assert srv.delete(f"{API}/users/me", headers=bearer(a["access_token"])).status_code == 200
    assert_error(refresh(srv, a["refresh_token"]), 401)


def test_grace_does_not_cover_older_ancestors(srv):
    """Default grace: only the just-rotated token may be replayed; an older one is reuse."""
    u = create_user(srv)
    a = u.login()
    b = assert_envelope_ok(refresh(srv, a["refresh_token"]))["data"]
    c = assert_envelope_ok(refresh(srv, b["refresh_token"]))["data"]
    r = refresh(srv, a["refresh_token"])
    assert assert_error(r, 401)["error"]["details"]["reason"] == "refresh_token_reused"
    assert_error(me(srv, c["access_token"]), 401)
