"""Admin API: users (list/search/paginate, get, lock/unlock, verify, force logout, roles,
delete), global roles, the audit log with its filters, and 403 for everyone else."""
import time
import uuid

import pytest

from authz_helpers import Actor, audit, audit_has, new_actor, new_admin
from ghtest import (API, assert_envelope_ok, assert_error, assert_rfc3339, create_user, login,
                    login_raw, register, strong_password)

NIL = "00000000-0000-0000-0000-000000000000"
ADMIN_USER_FIELDS = {"id", "email", "username", "name", "email_verified", "locked", "deleted",
                     "created_at", "last_login_at"}


@pytest.fixture(scope="module")
def admin(srv):
    return new_admin(srv)


def tagged_users(srv, n, tag):
    out = []
    for i in range(n):
        email = f"{tag}-{i}-{uuid.uuid4().hex[:6]}@example.com"
        pw = strong_password()
        data = register(srv, email=email, password=pw).json()["data"]
        out.append((data["id"], email, pw))
    return out


# ------------------------------------------------------------------ list / search / get


def test_list_and_search_users(srv, admin):
    tag = "srch" + uuid.uuid4().hex[:8]
    users = tagged_users(srv, 3, tag)
    r = admin.get(f"{API}/admin/users")
    body = assert_envelope_ok(r)
    assert body["meta"]["page"] == 1 and body["meta"]["limit"] == 50
    assert body["meta"]["total"] >= 4
    for u in body["data"]:
        assert ADMIN_USER_FIELDS <= set(u), u
        assert "password_hash" not in u and "password" not in u

    body = assert_envelope_ok(admin.get(f"{API}/admin/users", params={"q": tag}))
    assert sorted(u["id"] for u in body["data"]) == sorted(u[0] for u in users)
    assert {u["email"] for u in body["data"]} == {u[1] for u in users}
    assert body["meta"]["total"] == 3 and body["meta"]["pages"] == 1
    # search is case-insensitive, and `search` is an alias
    body = assert_envelope_ok(admin.get(f"{API}/admin/users", params={"search": tag.upper()}))
    assert body["meta"]["total"] == 3
    # by username
    named = create_user(srv, username=True)
    body = assert_envelope_ok(admin.get(f"{API}/admin/users", params={"q": named.username}))
    assert [u["id"] for u in body["data"]] == [named.id]
    assert body["data"][0]["username"] == named.username
    body = assert_envelope_ok(admin.get(f"{API}/admin/users", params={"q": "no-such-" + tag}))
    assert body["data"] == [] and body["meta"]["total"] == 0


def test_search_by_full_email(srv, admin):
    """The query string is percent-decoded: the @ of an address travels as %40."""
    tag = "full" + uuid.uuid4().hex[:8]
    users = tagged_users(srv, 2, tag)
    body = assert_envelope_ok(admin.get(f"{API}/admin/users", params={"q": users[1][1]}))
    assert [u["id"] for u in body["data"]] == [users[1][0]], body["meta"]


def test_paginate_users(srv, admin):
    tag = "page" + uuid.uuid4().hex[:8]
    users = tagged_users(srv, 5, tag)
    seen = []
    for page in (1, 2, 3):
        body = assert_envelope_ok(admin.get(f"{API}/admin/users", params={"q": tag, "limit": 2, "page": page}))
        assert body["meta"] == {**body["meta"], "page": page, "limit": 2, "total": 5, "pages": 3}
        assert len(body["data"]) == (2 if page < 3 else 1)
        seen += [u["id"] for u in body["data"]]
    # every user exactly once, in the documented order (created_at, then id)
    assert len(seen) == len(set(seen)) == 5 and set(seen) == {u[0] for u in users}
    rows = {x["id"]: x for x in assert_envelope_ok(admin.get(f"{API}/admin/users", params={"q": tag}))["data"]}
    assert seen == sorted(seen, key=lambda i: (assert_rfc3339(rows[i]["created_at"]), i))
    body = assert_envelope_ok(admin.get(f"{API}/admin/users", params={"q": tag, "limit": 2, "page": 4}))
    assert body["data"] == [] and body["meta"]["total"] == 5
    for bad in ({"page": 0}, {"page": -1}, {"page": "x"}, {"limit": 0}, {"limit": 201}, {"limit": "1e2"}):
        assert_error(admin.get(f"{API}/admin/users", params=bad), 400, "VALIDATION_ERROR")


def test_get_user(srv, admin):
    u = new_actor(srv)
    d = assert_envelope_ok(admin.get(f"{API}/admin/users/{u.id}"))["data"]
    assert ADMIN_USER_FIELDS <= set(d)
    assert d["id"] == u.id and d["email"] == u.email and d["locked"] is False and d["deleted"] is False
    assert d["roles"] == ["user"]
    assert d["active_sessions"] == 1
    assert_rfc3339(d["created_at"])
    assert_rfc3339(d["last_login_at"])
    me = assert_envelope_ok(admin.get(f"{API}/admin/users/{admin.id}"))["data"]
    assert me["roles"] == ["admin", "user"]
    assert_error(admin.get(f"{API}/admin/users/{NIL}"), 404, "NOT_FOUND")


# ------------------------------------------------------------------ lock / unlock / verify / logout


def test_lock_and_unlock(srv, admin):
    u = new_actor(srv)
    refresh = u.session["refresh_token"]
    r = admin.patch(f"{API}/admin/users/{u.id}", json={"locked": True})
    d = assert_envelope_ok(r)["data"]
    assert d["locked"] is True and d["active_sessions"] == 0
    # existing sessions end at once
    assert_error(u.get(f"{API}/auth/me"), 401)
    assert_error(srv.post(f"{API}/auth/refresh", json={"refresh_token": refresh}), 401)
    # login is refused with a reason, but only with the right password
    b = assert_error(login_raw(srv, u.password, email=u.email), 403, "AUTHORIZATION_ERROR")
    assert b["error"]["details"]["reason"] == "account_locked"
    assert_error(login_raw(srv, "Wrong-" + u.password, email=u.email), 401)
    assert assert_envelope_ok(admin.get(f"{API}/admin/users/{u.id}"))["data"]["locked"] is True
    audit_has(admin, "admin.user_locked", subject_id=u.id, actor_id=admin.id)
    e = audit_has(admin, "session.revoke", subject_id=u.id, actor_id=admin.id)
    assert e["details"]["scope"] == "all" and e["details"]["count"] == 1
    audit_has(admin, "auth.login", subject_id=None, actor_id=u.id, outcome="failure", reason="account_locked")

    d = assert_envelope_ok(admin.patch(f"{API}/admin/users/{u.id}", json={"locked": False}))["data"]
    assert d["locked"] is False
    u.relogin()
    assert assert_envelope_ok(u.get(f"{API}/auth/me"))["data"]["id"] == u.id
    audit_has(admin, "admin.user_unlocked", subject_id=u.id, actor_id=admin.id)


def test_verify_email(srv, admin):
    u = new_actor(srv)
    assert assert_envelope_ok(u.get(f"{API}/auth/me"))["data"]["email_verified"] is False
    d = assert_envelope_ok(admin.patch(f"{API}/admin/users/{u.id}", json={"email_verified": True}))["data"]
    assert d["email_verified"] is True
    assert assert_envelope_ok(u.get(f"{API}/users/me"))["data"]["email_verified"] is True
    audit_has(admin, "user.verify_email", subject_id=u.id, actor_id=admin.id)
    # idempotent
    assert assert_envelope_ok(admin.patch(f"{API}/admin/users/{u.id}", json={"email_verified": True}))["data"]["email_verified"] is True


def test_force_logout(srv, admin):
    u = new_actor(srv)
    second = login(srv, u.email, u.password)
    assert assert_envelope_ok(admin.get(f"{API}/admin/users/{u.id}"))["data"]["active_sessions"] == 2
    d = assert_envelope_ok(admin.patch(f"{API}/admin/users/{u.id}", json={"force_logout": True}))["data"]
    assert d["active_sessions"] == 0 and d["locked"] is False
    assert_error(u.get(f"{API}/auth/me"), 401)
    assert_error(srv.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {second['access_token']}"}), 401)
    assert_error(srv.post(f"{API}/auth/refresh", json={"refresh_token": second["refresh_token"]}), 401)
    e = audit_has(admin, "session.revoke", subject_id=u.id, actor_id=admin.id)
    assert e["details"]["count"] == 2
    u.relogin()  # not locked: may log in again
    assert_envelope_ok(u.get(f"{API}/auth/me"))


def test_patch_validation(srv, admin):
    u = new_actor(srv)
    p = f"{API}/admin/users/{u.id}"
    assert_error(admin.patch(p, json={"is_admin": True}), 400, "VALIDATION_ERROR")
    assert_error(admin.patch(p, json={"locked": "yes"}), 400)
    assert_error(admin.patch(p, json={"roles": "admin"}), 400)
    assert_error(admin.patch(p, json={"roles": [1]}), 400)
    assert_error(admin.patch(f"{API}/admin/users/{NIL}", json={"locked": True}), 404)
    d = assert_envelope_ok(admin.get(p))["data"]
    assert d["locked"] is False and d["roles"] == ["user"]


# ------------------------------------------------------------------ roles


def test_global_roles(srv, admin):
    u = new_actor(srv)
    roles = assert_envelope_ok(u.get(f"{API}/roles"))["data"]
    assert [r["name"] for r in roles] == ["admin", "user", "guest"]
    assert [r["level"] for r in roles] == [0, 10, 99]
    mine = assert_envelope_ok(u.get(f"{API}/users/me/roles"))["data"]
    assert [r["name"] for r in mine] == ["user"]
    assert [r["name"] for r in assert_envelope_ok(admin.get(f"{API}/users/me/roles"))["data"]] == ["admin", "user"]
    assert_error(srv.get(f"{API}/roles"), 401)
    assert_error(srv.get(f"{API}/users/me/roles"), 401)


def test_assign_roles(srv, admin):
    u = new_actor(srv)
    assert_error(u.get(f"{API}/admin/users"), 403)
    d = assert_envelope_ok(admin.patch(f"{API}/admin/users/{u.id}", json={"roles": ["admin", "user"]}))["data"]
    assert d["roles"] == ["admin", "user"]
    assert [r["name"] for r in assert_envelope_ok(admin.get(f"{API}/admin/users/{u.id}/roles"))["data"]] == ["admin", "user"]
    assert [r["name"] for r in assert_envelope_ok(u.get(f"{API}/users/me/roles"))["data"]] == ["admin", "user"]
    assert assert_envelope_ok(u.get(f"{API}/users/me"))["data"]["is_admin"] is True
    holders = [x["id"] for x in assert_envelope_ok(admin.get(f"{API}/roles/admin/users"))["data"]]
    assert u.id in holders and admin.id in holders
    # the new admin can use admin routes at once, with the same token
    assert_envelope_ok(u.get(f"{API}/admin/users"))
    e = audit_has(admin, "role.assigned", subject_id=u.id, actor_id=admin.id)
    assert e["details"]["roles"] == ["admin", "user"]

    # unknown role: nothing changes
    b = assert_error(admin.patch(f"{API}/admin/users/{u.id}", json={"roles": ["user", "wizard"]}), 400, "VALIDATION_ERROR")
    assert "roles" in b["error"]["details"]
    assert [r["name"] for r in assert_envelope_ok(admin.get(f"{API}/admin/users/{u.id}/roles"))["data"]] == ["admin", "user"]

    # demote
    d = assert_envelope_ok(admin.patch(f"{API}/admin/users/{u.id}", json={"roles": ["guest"]}))["data"]
    assert d["roles"] == ["guest"]
    assert_error(u.get(f"{API}/admin/users"), 403)
    assert assert_envelope_ok(u.get(f"{API}/users/me"))["data"]["is_admin"] is False
    assert u.id not in [x["id"] for x in assert_envelope_ok(admin.get(f"{API}/roles/admin/users"))["data"]]
    assert u.id in [x["id"] for x in assert_envelope_ok(admin.get(f"{API}/roles/guest/users"))["data"]]
    assert_error(admin.get(f"{API}/roles/wizard/users"), 404)
    assert_error(admin.get(f"{API}/admin/users/{NIL}/roles"), 404)


def test_admin_cannot_demote_lock_or_delete_self(srv, admin):
    b = assert_error(admin.patch(f"{API}/admin/users/{admin.id}", json={"roles": ["user"]}), 403, "AUTHORIZATION_ERROR")
    assert_error(admin.patch(f"{API}/admin/users/{admin.id}", json={"roles": []}), 403)
    assert_error(admin.patch(f"{API}/admin/users/{admin.id}", json={"locked": True}), 403)
    assert_error(admin.delete(f"{API}/admin/users/{admin.id}"), 403)
    d = assert_envelope_ok(admin.get(f"{API}/admin/users/{admin.id}"))["data"]
    assert d["roles"] == ["admin", "user"] and d["locked"] is False and d["deleted"] is False
    assert_envelope_ok(admin.get(f"{API}/auth/me"))
    # keeping admin while changing other roles is fine
    d = assert_envelope_ok(admin.patch(f"{API}/admin/users/{admin.id}", json={"roles": ["admin", "user"]}))["data"]
    assert d["roles"] == ["admin", "user"]


def test_lock_rolls_back_role_change(srv, admin):
    """A PATCH that fails part-way (self-lock) must not have applied its role change."""
    d0 = assert_envelope_ok(admin.get(f"{API}/admin/users/{admin.id}"))["data"]
    try:
        assert_error(admin.patch(f"{API}/admin/users/{admin.id}",
                                 json={"roles": ["admin", "guest"], "locked": True}), 403)
        d = assert_envelope_ok(admin.get(f"{API}/admin/users/{admin.id}"))["data"]
        assert d["roles"] == d0["roles"]
        assert d["locked"] is False
    finally:
        admin.patch(f"{API}/admin/users/{admin.id}", json={"roles": d0["roles"]})


# ------------------------------------------------------------------ delete


def test_delete_user(srv, admin):
    u = new_actor(srv)
    r = admin.delete(f"{API}/admin/users/{u.id}")
    assert assert_envelope_ok(r)["data"]["id"] == u.id
    assert_error(u.get(f"{API}/auth/me"), 401)
    assert_error(login_raw(srv, u.password, email=u.email), 401)
    d = assert_envelope_ok(admin.get(f"{API}/admin/users/{u.id}"))["data"]
    assert d["deleted"] is True and d["active_sessions"] == 0
    assert_error(admin.delete(f"{API}/admin/users/{u.id}"), 404)
    assert_error(admin.patch(f"{API}/admin/users/{u.id}", json={"locked": True}), 404)
    assert_error(admin.delete(f"{API}/admin/users/{NIL}"), 404)
    audit_has(admin, "user.delete", subject_id=u.id, actor_id=admin.id)
    # soft: the row is still there; the address stays taken
    assert srv.db_rows("SELECT COUNT(*) FROM users WHERE id = ?", (u.id,))[0][0] in (1, "1")
    register(srv, email=u.email, expect=409)


# ------------------------------------------------------------------ audit


def test_audit_filters_and_cursor(srv, admin):
    u = new_actor(srv)
    t0 = int(time.time())
    for _ in range(4):
        login(srv, u.email, u.password)
    assert_error(login_raw(srv, "Wrong-" + u.password, email=u.email), 401)
    t1 = int(time.time())

    mine = audit(admin, user=u.id, limit=500)
    actions = [e["action"] for e in mine]
    assert actions.count("auth.login") == 6  # 1 from new_actor + 4 + 1 failure
    assert "user.register" in actions
    assert all(u.id in (e["actor_id"], e["subject_id"]) for e in mine)
    ids = [e["id"] for e in mine]
    assert ids == sorted(ids, reverse=True)  # newest first
    e = mine[0]
    assert {"id", "at", "action", "outcome", "actor_id", "subject_id", "ip", "user_agent", "request_id",
            "details"} <= set(e)
    assert_rfc3339(e["at"])
    assert e["action"] == "auth.login" and e["outcome"] == "failure" and e["details"]["reason"] == "bad_password"

    logins = audit(admin, user=u.id, action="auth.login")
    assert len(logins) == 6 and all(x["action"] == "auth.login" for x in logins)
    assert audit(admin, user=u.id, action="org.create") == []
    # since / until in Unix seconds
    assert len(audit(admin, user=u.id, action="auth.login", since=t0, until=t1 + 1)) >= 5
    assert audit(admin, user=u.id, since=t1 + 3600) == []
    assert audit(admin, user=u.id, until=t0 - 3600) == []

    # cursor pagination: limit 2 pages through the 6 logins without gaps or overlaps
    pages, cursor = [], None
    while True:
        params = {"user": u.id, "action": "auth.login", "limit": 2}
        if cursor is not None:
            params["cursor"] = cursor
        body = assert_envelope_ok(admin.get(f"{API}/admin/audit", params=params))
        assert body["meta"]["limit"] == 2
        pages.append([x["id"] for x in body["data"]])
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            break
        assert cursor == body["data"][-1]["id"]
        assert len(pages) < 10
    flat = [i for p in pages for i in p]
    assert flat == [x["id"] for x in logins]
    assert all(len(p) == 2 for p in pages[:3])

    for bad in ({"since": "yesterday"}, {"until": "x"}, {"cursor": "abc"}, {"limit": "many"}):
        assert_error(admin.get(f"{API}/admin/audit", params=bad), 400, "VALIDATION_ERROR")


# ------------------------------------------------------------------ non-admins


ADMIN_ROUTES = [
    ("GET", "/admin/users"), ("GET", "/admin/users/{uid}"), ("PATCH", "/admin/users/{uid}"),
    ("DELETE", "/admin/users/{uid}"), ("GET", "/admin/users/{uid}/roles"), ("GET", "/admin/audit"),
    ("GET", "/roles/admin/users"), ("GET", "/admin/webhooks"), ("POST", "/admin/webhooks"),
    ("DELETE", "/admin/webhooks/{nil}"), ("GET", "/admin/webhooks/{nil}/deliveries"),
]


@pytest.mark.parametrize("method,path", ADMIN_ROUTES)
def test_non_admin_forbidden(srv, admin, method, path):
    u = new_actor(srv)
    victim = new_actor(srv)
    p = API + path.format(uid=victim.id, nil=NIL)
    body = {"locked": True} if method == "PATCH" else ({"url": "http://127.0.0.1:9/x"} if method == "POST" else None)
    kw = {"json": body} if body is not None else {}
    assert_error(srv.request(method, p, headers=u.h, **kw), 403, "AUTHORIZATION_ERROR")
    assert_error(srv.request(method, p, **kw), 401)
    # nothing happened to the victim
    d = assert_envelope_ok(admin.get(f"{API}/admin/users/{victim.id}"))["data"]
    assert d["locked"] is False and d["deleted"] is False
    if method == "POST":
        assert all(w["url"] != "http://127.0.0.1:9/x" for w in assert_envelope_ok(admin.get(f"{API}/admin/webhooks"))["data"])
