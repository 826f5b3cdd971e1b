"""/api/v1/users/me: read, update, password change, delete."""
from ghtest import (API, assert_envelope_ok, assert_error, assert_user_object, bearer,
                    create_user, login, login_raw, me, register, strong_password, unique_username)


def test_get_users_me(srv):
    u = create_user(srv, username=True)
    tok = u.login()["access_token"]
    d = assert_envelope_ok(srv.get(f"{API}/users/me", headers=bearer(tok)))["data"]
    assert_user_object(d)
    assert d["id"] == u.id and d["email"] == u.email and d["username"] == u.username


def test_patch_username_and_name(srv):
    u = create_user(srv)
    tok = u.login()["access_token"]
    new = unique_username()
    r = srv.patch(f"{API}/users/me", headers=bearer(tok), json={"username": new, "name": "Ada L."})
    d = assert_envelope_ok(r)["data"]
    assert d["username"] == new and d["name"] == "Ada L."
    d2 = srv.get(f"{API}/users/me", headers=bearer(tok)).json()["data"]
    assert d2["username"] == new and d2["name"] == "Ada L."
    assert d2["updated_at"] >= d2["created_at"]
    # The new username can be used to log in.
    assert login_raw(srv, u.password, username=new).status_code == 200


def test_patch_unicode_name(srv):
    u = create_user(srv)
    tok = u.login()["access_token"]
    name = "Zoë Ñandú 李雷"
    r = srv.patch(f"{API}/users/me", headers=bearer(tok), json={"name": name})
    assert assert_envelope_ok(r)["data"]["name"] == name
    assert me(srv, tok).json()["data"]["name"] == name


def test_patch_cannot_change_protected_fields(srv):
    u = create_user(srv)
    tok = u.login()["access_token"]
    r = srv.patch(f"{API}/users/me", headers=bearer(tok),
                  json={"is_admin": True, "email_verified": True, "email": "x@evil.example",
                        "id": "00000000-0000-4000-8000-000000000000", "name": "ok"})
    body = assert_error(r, 400, "VALIDATION_ERROR")  # read-only fields are refused, not ignored
    assert "is_admin" in body["error"]["details"]
    d = me(srv, tok).json()["data"]
    assert d["is_admin"] is False
    assert d["email_verified"] is False
    assert d["email"] == u.email
    assert d["id"] == u.id


def test_patch_username_taken(srv):
    a = create_user(srv, username=True)
    b = create_user(srv)
    tok = b.login()["access_token"]
    r = srv.patch(f"{API}/users/me", headers=bearer(tok), json={"username": a.username})
    assert_error(r, 409, "CONFLICT")
    assert me(srv, tok).json()["data"]["username"] is None


def test_patch_validation(srv):
    u = create_user(srv)
    tok = u.login()["access_token"]
    r = srv.patch(f"{API}/users/me", headers=bearer(tok), json={"username": "x" * 300})
    b = assert_error(r, 400, "VALIDATION_ERROR")
    assert "username" in b["error"]["details"]
    r = srv.patch(f"{API}/users/me", headers=bearer(tok), json={"name": 42})
    b = assert_error(r, 400, "VALIDATION_ERROR")
    assert "name" in b["error"]["details"]


def test_users_me_requires_auth(srv):
    assert_error(srv.get(f"{API}/users/me"), 401)
    assert_error(srv.patch(f"{API}/users/me", json={"name": "x"}), 401)
    assert_error(srv.delete(f"{API}/users/me"), 401)
    assert_error(srv.post(f"{API}/users/me/password", json={}), 401)
    assert_error(srv.get(f"{API}/users/me/audit"), 401)


# ---------------------------------------------------------------- password change

def change(s, tok, cur, new, confirm=None):
    body = {"current_password": cur, "new_password": new}
    if confirm is not None:
        body["confirm_password"] = confirm
    return s.post(f"{API}/users/me/password", headers=bearer(tok), json=body)


def test_password_change_ends_other_sessions(srv):
    u = create_user(srv)
    other = u.login()
    cur = u.login()
    new = strong_password()
    r = change(srv, cur["access_token"], u.password, new, new)
    assert_envelope_ok(r)
    assert me(srv, cur["access_token"]).status_code == 200
    assert_error(me(srv, other["access_token"]), 401)
    assert_error(srv.post(f"{API}/auth/refresh", json={"refresh_token": other["refresh_token"]}),
                 401)
    # The current session can still refresh.
    assert srv.post(f"{API}/auth/refresh",
                    json={"refresh_token": cur["refresh_token"]}).status_code == 200
    assert_error(login_raw(srv, u.password, email=u.email), 401)
    login(srv, u.email, new)


def test_password_change_wrong_current(srv):
    u = create_user(srv)
    tok = u.login()["access_token"]
    new = strong_password()
    r = change(srv, tok, "Wrong-" + strong_password(), new, new)
    body = assert_error(r, 400, "VALIDATION_ERROR")  # a field error: the caller is authenticated
    assert "current_password" in body["error"]["details"]
    login(srv, u.email, u.password)
    assert_error(login_raw(srv, new, email=u.email), 401)


def test_password_change_weak_new(srv):
    u = create_user(srv)
    tok = u.login()["access_token"]
    r = change(srv, tok, u.password, "password1", "password1")
    b = assert_error(r, 400, "VALIDATION_ERROR")
    assert set(b["error"]["details"]) & {"new_password", "password"}
    login(srv, u.email, u.password)


def test_password_change_mismatch(srv):
    u = create_user(srv)
    tok = u.login()["access_token"]
    r = change(srv, tok, u.password, strong_password(), strong_password())
    b = assert_error(r, 400, "VALIDATION_ERROR")
    assert "confirm_password" in b["error"]["details"]


def test_password_change_missing_fields(srv):
    u = create_user(srv)
    tok = u.login()["access_token"]
    r = srv.post(f"{API}/users/me/password", headers=bearer(tok), json={})
    b = assert_error(r, 400, "VALIDATION_ERROR")
    assert "current_password" in b["error"]["details"]
    assert "new_password" in b["error"]["details"]


# ---------------------------------------------------------------- delete

def test_delete_account(srv):
    u = create_user(srv, username=True)
    a = u.login()
    b = u.login()
    r = srv.delete(f"{API}/users/me", headers=bearer(a["access_token"]),
                   json={"password": u.password})
    assert_envelope_ok(r)
    assert_error(me(srv, a["access_token"]), 401)
    assert_error(me(srv, b["access_token"]), 401)
    assert_error(srv.post(f"{API}/auth/refresh", json={"refresh_token": b["refresh_token"]}), 401)
    body = assert_error(login_raw(srv, u.password, email=u.email), 401, "AUTHENTICATION_ERROR")
    assert body["message"] == "Invalid credentials"
    assert_error(register(srv, email=u.email, expect=None), 409, "CONFLICT")
    assert_error(register(srv, username=u.username, expect=None), 409, "CONFLICT")
    # Soft delete: the row is kept, flagged.
    rows = srv.db_rows("SELECT deleted, deleted_at FROM users WHERE id = ?", (u.id,))
    assert len(rows) == 1
    assert str(rows[0][0]) in ("1", "t", "True", "true") and rows[0][1] is not None


def test_delete_without_password(srv):
    u = create_user(srv)
    a = u.login()
    r = srv.delete(f"{API}/users/me", headers=bearer(a["access_token"]))
    assert_envelope_ok(r)
    assert_error(login_raw(srv, u.password, email=u.email), 401)


def test_delete_with_wrong_password_keeps_account(srv):
    u = create_user(srv)
    a = u.login()
    r = srv.delete(f"{API}/users/me", headers=bearer(a["access_token"]),
                   json={"password": "Wrong-" + strong_password()})
    body = assert_error(r, 400, "VALIDATION_ERROR")
    assert "password" in body["error"]["details"]
    assert me(srv, a["access_token"]).status_code == 200
    login(srv, u.email, u.password)


def test_deleted_user_cannot_resend_or_reset(srv):
    u = create_user(srv)
    a = u.login()
    srv.delete(f"{API}/users/me", headers=bearer(a["access_token"]))
    before = len(srv.mails(to=u.email))
    assert srv.post(f"{API}/password/forgot", json={"email": u.email}).status_code == 200
    assert srv.post(f"{API}/auth/verify-email/resend", json={"email": u.email}).status_code == 200
    assert len(srv.mails(to=u.email)) == before
