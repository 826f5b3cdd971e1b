"""POST /api/v1/auth/login, /auth/logout, /auth/me."""
import uuid

import jwt

from ghtest import (API, assert_envelope_ok, assert_error, assert_user_object, bearer,
                    create_user, login_raw, me, strong_password, unique_email)


def test_login_with_email(srv):
    u = create_user(srv)
    r = login_raw(srv, u.password, email=u.email)
    data = assert_envelope_ok(r)["data"]
    assert data["token_type"].lower() == "bearer"
    assert isinstance(data["access_token"], str) and data["access_token"].count(".") == 2
    assert isinstance(data["refresh_token"], str) and len(data["refresh_token"]) >= 32
    assert data["expires_in"] == 900
    uuid.UUID(data["session_id"])
    assert_user_object(data["user"])
    assert data["user"]["id"] == u.id
    assert data["user"]["last_login_at"] is not None
    claims = jwt.decode(data["access_token"], options={"verify_signature": False})
    assert claims["sub"] == u.id
    assert claims["sid"] == data["session_id"]
    assert claims["exp"] - claims["iat"] == 900


def test_login_with_username_and_login_field(srv):
    u = create_user(srv, username=True)
    r = srv.post(f"{API}/auth/login", json={"username": u.username, "password": u.password})
    assert assert_envelope_ok(r)["data"]["user"]["id"] == u.id
    for ident in (u.username, u.email):
        r = srv.post(f"{API}/auth/login", json={"login": ident, "password": u.password})
        assert assert_envelope_ok(r)["data"]["user"]["id"] == u.id


def test_login_email_case_insensitive(srv):
    u = create_user(srv)
    r = login_raw(srv, u.password, email=u.email.upper())
    assert r.status_code == 200, r.text


def test_me_returns_user(srv):
    u = create_user(srv)
    tok = u.login()["access_token"]
    r = me(srv, tok)
    data = assert_envelope_ok(r)["data"]
    assert_user_object(data)
    assert data["id"] == u.id
    assert data["email"] == u.email


def test_failures_are_indistinguishable(srv):
    u = create_user(srv)
    deleted = create_user(srv)
    tok = deleted.login()["access_token"]
    assert srv.delete(f"{API}/users/me", headers=bearer(tok),
                      json={"password": deleted.password}).status_code == 200

    answers = [
        login_raw(srv, "Wrong-" + strong_password(), email=u.email),
        login_raw(srv, strong_password(), email=unique_email()),
        login_raw(srv, deleted.password, email=deleted.email),
    ]
    bodies = []
    for r in answers:
        b = assert_error(r, 401, "AUTHENTICATION_ERROR")
        assert b["message"] == "Invalid credentials"
        b.pop("request_id")
        bodies.append(b)
    assert bodies[0] == bodies[1] == bodies[2]
    assert len({r.headers.get("WWW-Authenticate") for r in answers}) == 1


def test_login_validation(srv):
    r = srv.post(f"{API}/auth/login", json={})
    b = assert_error(r, 400, "VALIDATION_ERROR")
    assert "password" in b["error"]["details"]
    r = srv.post(f"{API}/auth/login", json={"email": unique_email()})
    assert_error(r, 400, "VALIDATION_ERROR")


def test_login_non_string_password(srv):
    u = create_user(srv)
    r = srv.post(f"{API}/auth/login", json={"email": u.email, "password": 12345678})
    assert_error(r, 400, "VALIDATION_ERROR")


def test_logout_revokes_session(srv):
    u = create_user(srv)
    a = u.login()
    b = u.login()
    r = srv.post(f"{API}/auth/logout", headers=bearer(a["access_token"]))
    assert_envelope_ok(r)
    assert_error(me(srv, a["access_token"]), 401, "AUTHENTICATION_ERROR")
    r = srv.post(f"{API}/auth/refresh", json={"refresh_token": a["refresh_token"]})
    assert_error(r, 401, "AUTHENTICATION_ERROR")
    # The other session is unaffected.
    assert me(srv, b["access_token"]).status_code == 200
    rows = srv.db_rows("SELECT revoked_at FROM sessions WHERE id = ?", (a["session_id"],))
    assert rows and rows[0][0] is not None


def test_logout_requires_token(srv):
    assert_error(srv.post(f"{API}/auth/logout"), 401, "AUTHENTICATION_ERROR")


def test_logout_twice(srv):
    u = create_user(srv)
    a = u.login()
    assert srv.post(f"{API}/auth/logout", headers=bearer(a["access_token"])).status_code == 200
    assert_error(srv.post(f"{API}/auth/logout", headers=bearer(a["access_token"])), 401)


def test_me_requires_token(srv):
    r = srv.get(f"{API}/auth/me")
    assert_error(r, 401, "AUTHENTICATION_ERROR")


def test_password_is_case_sensitive_and_exact(srv):
    u = create_user(srv)
    for pw in (u.password.upper(), u.password + " ", " " + u.password, u.password[:-1]):
        assert login_raw(srv, pw, email=u.email).status_code == 401


def test_last_login_recorded(srv):
    u = create_user(srv)
    assert u.data["last_login_at"] is None
    tok = u.login()["access_token"]
    assert me(srv, tok).json()["data"]["last_login_at"] is not None


def test_each_login_is_a_new_session(srv):
    u = create_user(srv)
    ids = {u.login()["session_id"] for _ in range(3)}
    assert len(ids) == 3
    rows = srv.db_rows("SELECT COUNT(*) FROM sessions WHERE user_id = ? AND revoked_at IS NULL",
                       (u.id,))
    assert int(rows[0][0]) == 3


def test_refresh_token_stored_hashed(srv):
    u = create_user(srv)
    rt = u.login()["refresh_token"]
    rows = srv.db_rows("SELECT token_hash FROM refresh_tokens")
    assert rows
    assert all(rt not in r[0] for r in rows)


def test_access_token_ttl_config(server_factory):
    s = server_factory(env={"GATEHOUSE_ACCESS_TOKEN_TTL": "120"})
    u = create_user(s)
    data = u.login()
    assert data["expires_in"] == 120
    claims = jwt.decode(data["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 120


def test_unicode_password(srv):
    email, pw = unique_email(), "Пароль-ключ-🔑-zebra-Ωmega-42"
    r = srv.post(f"{API}/auth/register", json={"email": email, "password": pw, "confirm_password": pw})
    assert r.status_code == 201, r.text
    assert login_raw(srv, pw, email=email).status_code == 200
    assert login_raw(srv, pw.replace("Ω", "O"), email=email).status_code == 401


def test_username_case_insensitive(srv):
    base = "Mixed_" + uuid.uuid4().hex[:8]
    pw = strong_password()
    r = srv.post(f"{API}/auth/register", json={"email": unique_email(), "username": base,
                                               "password": pw, "confirm_password": pw})
    assert r.status_code == 201
    assert r.json()["data"]["username"] == base
    assert login_raw(srv, pw, username=base.lower()).status_code == 200
    r = srv.post(f"{API}/auth/register", json={"email": unique_email(), "username": base.upper(),
                                               "password": pw, "confirm_password": pw})
    assert_error(r, 409, "CONFLICT")


def test_forwarded_for_ignored_without_trust_proxy(srv):
    u = create_user(srv)
    r = srv.post(f"{API}/auth/login", json={"email": u.email, "password": u.password},
                 headers={"X-Forwarded-For": "203.0.113.9"})
    tok = r.json()["data"]["access_token"]
    ips = {x["ip"] for x in srv.get(f"{API}/auth/sessions", headers=bearer(tok)).json()["data"]}
    assert ips == {"127.0.0.1"}
