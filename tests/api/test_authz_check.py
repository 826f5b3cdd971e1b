"""The decision API: POST /api/v1/authz/check, /authz/check/batch, GET /authz/permissions,
who may ask about whom, wildcards, org scope and cache invalidation."""
import pytest

from authz_helpers import (add_member, allowed, assign, check, check_raw, create_org, create_role,
                           create_service, new_actor, new_admin, new_app_token, uname, unassign)
from ghtest import API, assert_envelope_ok, assert_error

NIL = "00000000-0000-0000-0000-000000000000"


@pytest.fixture(scope="module")
def admin(srv):
    return new_admin(srv)


@pytest.fixture
def world(srv):
    """A service owned by `owner` with an editor role held by `user`."""
    owner = new_actor(srv)
    svc = create_service(owner)
    editor = create_role(owner, svc["id"], ["doc:read", "doc:write"], name="editor")
    user = new_actor(srv)
    assert_envelope_ok(assign(owner, user.id, svc["id"], editor["id"]), 201)
    return {"owner": owner, "svc": svc, "editor": editor, "user": user}


def twice(fn):
    """Runs a check twice (second one typically answered from caches) and requires equal answers."""
    a, b = fn(), fn()
    assert a == b, (a, b)
    return a


# ------------------------------------------------------------------ basic decisions


def test_self_check(srv, world):
    user, svc = world["user"], world["svc"]
    r = check_raw(srv, user.h, user.id, svc["name"], "doc:write")
    d = assert_envelope_ok(r)["data"]
    assert d == {"allowed": True, "reason": "granted by role editor", "subject": user.id,
                 "service": svc["name"], "permission": "doc:write", "org": None}
    d = twice(lambda: check(srv, user.h, user.id, svc["id"], "doc:read"))
    assert d["allowed"] is True and d["service"] == svc["id"]
    d = twice(lambda: check(srv, user.h, user.id, svc["name"], "doc:delete"))
    assert d["allowed"] is False and d["reason"] == "permission not granted"
    # service names resolve case-insensitively
    assert check(srv, user.h, user.id, svc["name"].upper(), "doc:read")["allowed"] is True

    nobody = new_actor(srv)
    d = twice(lambda: check(srv, nobody.h, nobody.id, svc["name"], "doc:read"))
    assert d["allowed"] is False and d["reason"] == "no roles in this service"


def test_check_validation(srv, world):
    user, svc = world["user"], world["svc"]
    p = f"{API}/authz/check"
    for body in ({}, {"subject": user.id, "service": svc["id"]}, {"subject": user.id, "permission": "doc:read"},
                 {"service": svc["id"], "permission": "doc:read"}, {"subject": 1, "service": svc["id"], "permission": "a:b"}):
        assert_error(srv.post(p, json=body, headers=user.h), 400, "VALIDATION_ERROR")
    assert_error(srv.post(p, data="{nope", headers={**user.h, "Content-Type": "application/json"}), 400)
    assert_error(srv.post(p, json={"subject": user.id, "service": svc["id"], "permission": "doc:read"}), 401)
    assert_error(srv.post(p, json={"subject": user.id, "service": svc["id"], "permission": "doc:read"},
                          headers={"Authorization": "Bearer not.a.jwt"}), 401)


def test_unknown_service_404(srv, world):
    user = world["user"]
    assert_error(check_raw(srv, user.h, user.id, "no-such-" + uname(), "doc:read"), 404, "NOT_FOUND")
    assert_error(check_raw(srv, user.h, user.id, NIL, "doc:read"), 404, "NOT_FOUND")


def test_service_created_after_failed_lookup(srv):
    """A name that was looked up (and not found) must resolve once a service takes it."""
    owner = new_actor(srv)
    name = uname("late")
    assert_error(check_raw(srv, owner.h, owner.id, name, "doc:read"), 404)
    svc = create_service(owner, name=name)
    r = check_raw(srv, owner.h, owner.id, name, "doc:read")
    d = assert_envelope_ok(r)["data"]
    assert d["allowed"] is False and d["reason"] == "no roles in this service"
    role = create_role(owner, svc["id"], ["doc:read"])
    assert_envelope_ok(assign(owner, owner.id, svc["id"], role["id"]), 201)
    assert allowed(owner, name, "doc:read") is True


def test_deleted_service_404(srv, admin, world):
    owner, user, svc = world["owner"], world["user"], world["svc"]
    assert allowed(user, svc["name"], "doc:read") is True
    assert allowed(user, svc["id"], "doc:read") is True
    assert_envelope_ok(owner.delete(f"{API}/services/{svc['id']}"))
    for ref in (svc["name"], svc["id"]):
        assert_error(check_raw(srv, user.h, user.id, ref, "doc:read"), 404)
        assert_error(check_raw(srv, admin.h, user.id, ref, "doc:read"), 404)
        # the former owner no longer owns anything: asking about someone else is refused
        assert_error(check_raw(srv, owner.h, user.id, ref, "doc:read"), 403)


# ------------------------------------------------------------------ wildcards


def test_wildcards(srv, world):
    owner, svc = world["owner"], world["svc"]
    u = new_actor(srv)
    role = create_role(owner, svc["id"], ["img:*"], name="images")
    assert_envelope_ok(assign(owner, u.id, svc["id"], role["id"]), 201)
    d = check(srv, u.h, u.id, svc["id"], "img:delete")
    assert d["allowed"] is True and d["reason"] == "granted by role images (img:*)"
    assert allowed(u, svc["id"], "img:read") is True
    assert allowed(u, svc["id"], "doc:read") is False
    assert allowed(u, svc["id"], "imgx:read") is False

    god = new_actor(srv)
    root = create_role(owner, svc["id"], ["*:*"], name="root")
    assert_envelope_ok(assign(owner, god.id, svc["id"], root["id"]), 201)
    d = check(srv, god.h, god.id, svc["id"], "anything:at-all")
    assert d["allowed"] is True and "(*:*)" in d["reason"]
    # a wildcard grant does not leak into another service
    other = create_service(owner)
    assert allowed(god, other["id"], "anything:at-all") is False


# ------------------------------------------------------------------ who may ask


def test_plain_user_cannot_check_others(srv, world):
    user, svc = world["user"], world["svc"]
    stranger = new_actor(srv)
    for _ in range(2):
        assert_error(check_raw(srv, stranger.h, user.id, svc["id"], "doc:read"), 403, "AUTHORIZATION_ERROR")
        assert_error(check_raw(srv, user.h, stranger.id, svc["id"], "doc:read"), 403)


def test_admin_and_owner_may_check_anyone(srv, admin, world):
    owner, user, svc = world["owner"], world["user"], world["svc"]
    assert check(srv, admin.h, user.id, svc["id"], "doc:read")["allowed"] is True
    assert check(srv, owner.h, user.id, svc["name"], "doc:write")["allowed"] is True
    assert check(srv, owner.h, user.id, svc["name"], "doc:nope")["allowed"] is False
    # but an owner of one service cannot ask about another's
    other_owner = new_actor(srv)
    other = create_service(other_owner)
    assert_error(check_raw(srv, owner.h, user.id, other["id"], "doc:read"), 403)
    assert check(srv, admin.h, user.id, other["id"], "doc:read")["allowed"] is False


def test_app_token_may_check_its_service(srv, world):
    owner, user, svc = world["owner"], world["user"], world["svc"]
    tok = new_app_token(owner, svc["id"])["token"]
    for h in ({"X-App-Token": tok}, {"Authorization": f"Bearer {tok}"}, {"X-API-Key": tok}):
        d = twice(lambda: check(srv, h, user.id, svc["name"], "doc:read"))
        assert d["allowed"] is True
        assert check(srv, h, user.id, svc["id"], "doc:delete")["allowed"] is False
        assert check(srv, h, owner.id, svc["id"], "doc:read")["allowed"] is False
    other = create_service(owner)
    assert_error(check_raw(srv, {"X-App-Token": tok}, user.id, other["id"], "doc:read"), 403)
    assert_error(check_raw(srv, {"X-App-Token": "gha_" + "A" * 46}, user.id, svc["id"], "doc:read"), 401)


# ------------------------------------------------------------------ subjects


def test_locked_and_deleted_subject_denied(srv, admin, world):
    owner, user, svc = world["owner"], world["user"], world["svc"]
    assert check(srv, owner.h, user.id, svc["id"], "doc:read")["allowed"] is True
    assert_envelope_ok(admin.patch(f"{API}/admin/users/{user.id}", json={"locked": True}))
    d = check(srv, owner.h, user.id, svc["id"], "doc:read")
    assert d["allowed"] is False and d["reason"] == "subject is locked"
    assert_envelope_ok(admin.patch(f"{API}/admin/users/{user.id}", json={"locked": False}))
    assert check(srv, owner.h, user.id, svc["id"], "doc:read")["allowed"] is True
    assert_envelope_ok(admin.delete(f"{API}/admin/users/{user.id}"))
    d = check(srv, owner.h, user.id, svc["id"], "doc:read")
    assert d["allowed"] is False and d["reason"] == "subject not found"
    d = check(srv, owner.h, NIL, svc["id"], "doc:read")
    assert d["allowed"] is False and d["reason"] == "subject not found"


def test_org_checks(srv, world):
    owner, user, svc = world["owner"], world["user"], world["svc"]
    org_owner = new_actor(srv)
    org = create_org(org_owner)
    # user is not a member: org-scoped checks are denied, even with a global grant
    d = check(srv, user.h, user.id, svc["id"], "doc:read", org=org["id"])
    assert d["allowed"] is False and d["reason"] == "subject is not a member of the organization"
    assert d["org"] == org["id"]
    d = check(srv, user.h, user.id, svc["id"], "doc:read", org=NIL)
    assert d["allowed"] is False and d["reason"] == "organization not found"
    # as a member, global grants apply inside the org too
    add_member(org_owner, org["id"], user.id)
    assert check(srv, user.h, user.id, svc["id"], "doc:read", org=org["id"])["allowed"] is True
    # org_id is accepted as an alias of org
    r = srv.post(f"{API}/authz/check", headers=user.h,
                 json={"subject": user.id, "service": svc["id"], "permission": "doc:read", "org_id": org["id"]})
    assert assert_envelope_ok(r)["data"]["org"] == org["id"]
    # leaving the org takes effect at once
    assert_envelope_ok(user.delete(f"{API}/organizations/{org['id']}/members/{user.id}"))
    d = check(srv, user.h, user.id, svc["id"], "doc:read", org=org["id"])
    assert d["allowed"] is False and d["reason"] == "subject is not a member of the organization"


# ------------------------------------------------------------------ batch


def test_batch(srv, admin, world):
    owner, user, svc = world["owner"], world["user"], world["svc"]
    p = f"{API}/authz/check/batch"
    checks = [{"subject": user.id, "service": svc["id"], "permission": "doc:read"},
              {"subject": user.id, "service": svc["name"], "permission": "doc:admin"},
              {"subject": user.id, "service": "no-such-" + uname(), "permission": "doc:read"}]
    r = srv.post(p, json={"checks": checks}, headers=user.h)
    res = assert_envelope_ok(r)["data"]["results"]
    assert len(res) == 3
    assert res[0]["allowed"] is True and res[0]["permission"] == "doc:read"
    assert res[1]["allowed"] is False and res[1]["reason"] == "permission not granted"
    assert res[2]["allowed"] is False and "not found" in res[2]["reason"].lower()

    # admins may ask about anyone; app tokens about anyone in their service
    mixed = [{"subject": user.id, "service": svc["id"], "permission": "doc:write"},
             {"subject": owner.id, "service": svc["id"], "permission": "doc:write"}]
    res = assert_envelope_ok(srv.post(p, json={"checks": mixed}, headers=admin.h))["data"]["results"]
    assert [x["allowed"] for x in res] == [True, False]
    tok = new_app_token(owner, svc["id"])["token"]
    res = assert_envelope_ok(srv.post(p, json={"checks": mixed}, headers={"X-App-Token": tok}))["data"]["results"]
    assert [x["allowed"] for x in res] == [True, False]

    # 100 is the limit
    many = [{"subject": user.id, "service": svc["id"], "permission": f"doc:p{i}"} for i in range(100)]
    res = assert_envelope_ok(srv.post(p, json={"checks": many}, headers=user.h))["data"]["results"]
    assert len(res) == 100 and not any(x["allowed"] for x in res)
    assert_error(srv.post(p, json={"checks": many + many[:1]}, headers=user.h), 400, "VALIDATION_ERROR")
    assert_error(srv.post(p, json={"checks": []}, headers=user.h), 400)
    assert_error(srv.post(p, json={"checks": "x"}, headers=user.h), 400)
    assert_error(srv.post(p, json={}, headers=user.h), 400)
    assert_error(srv.post(p, json={"checks": [1]}, headers=user.h), 400)
    assert_error(srv.post(p, json={"checks": [{"subject": user.id}]}, headers=user.h), 400)
    # one foreign subject makes a plain user's batch forbidden
    stranger = new_actor(srv)
    assert_error(srv.post(p, json={"checks": mixed}, headers=stranger.h), 403)
    other = create_service(owner)
    assert_error(srv.post(p, json={"checks": [{"subject": user.id, "service": other["id"], "permission": "a:b"}]},
                          headers={"X-App-Token": tok}), 403)
    assert_error(srv.post(p, json={"checks": checks}), 401)


# ------------------------------------------------------------------ my permissions


def test_my_permissions(srv, world):
    owner, user, svc = world["owner"], world["user"], world["svc"]
    for ref in (svc["id"], svc["name"]):
        r = user.get(f"{API}/authz/permissions", params={"service": ref})
        d = assert_envelope_ok(r)["data"]
        assert d["service"] == ref and sorted(d["permissions"]) == ["doc:read", "doc:write"]
    assert assert_envelope_ok(owner.get(f"{API}/authz/permissions", params={"service": svc["id"]}))["data"]["permissions"] == []
    assert_error(user.get(f"{API}/authz/permissions"), 400, "VALIDATION_ERROR")
    assert_error(user.get(f"{API}/authz/permissions", params={"service": ""}), 400)
    assert_error(user.get(f"{API}/authz/permissions", params={"service": "no-such-" + uname()}), 404)
    assert_error(srv.get(f"{API}/authz/permissions", params={"service": svc["id"]}), 401)


# ------------------------------------------------------------------ cache invalidation


def test_cache_unassign_reassign(srv, world):
    owner, user, svc, editor = world["owner"], world["user"], world["svc"], world["editor"]
    for _ in range(3):
        assert allowed(user, svc["name"], "doc:write") is True
    assert_envelope_ok(unassign(owner, user.id, svc["id"], editor["id"]))
    assert allowed(user, svc["name"], "doc:write") is False
    assert allowed(user, svc["name"], "doc:write") is False
    assert_envelope_ok(assign(owner, user.id, svc["id"], editor["id"]), 201)
    assert allowed(user, svc["name"], "doc:write") is True


def test_cache_role_permission_change(srv, world):
    owner, user, svc, editor = world["owner"], world["user"], world["svc"], world["editor"]
    for _ in range(3):
        assert allowed(user, svc["id"], "doc:write") is True
        assert allowed(user, svc["id"], "doc:publish") is False
    assert_envelope_ok(owner.put(f"{API}/roles/{editor['id']}", json={"permissions": ["doc:read", "doc:publish"]}))
    assert allowed(user, svc["id"], "doc:write") is False
    assert allowed(user, svc["id"], "doc:publish") is True
    d = check(srv, user.h, user.id, svc["id"], "doc:publish")
    assert d["reason"] == "granted by role editor"
    # renaming shows in the reason at once
    assert_envelope_ok(owner.put(f"{API}/roles/{editor['id']}", json={"name": "publisher"}))
    assert check(srv, user.h, user.id, svc["id"], "doc:publish")["reason"] == "granted by role publisher"


def test_cache_role_delete(srv, world):
    owner, user, svc, editor = world["owner"], world["user"], world["svc"], world["editor"]
    for _ in range(3):
        assert allowed(user, svc["id"], "doc:read") is True
    assert_envelope_ok(owner.delete(f"{API}/roles/{editor['id']}"))
    d = check(srv, user.h, user.id, svc["id"], "doc:read")
    assert d["allowed"] is False and d["reason"] == "no roles in this service"


def test_cache_seen_by_owner_and_app_token(srv, world):
    """The same invalidation through the other caller kinds (full path)."""
    owner, user, svc, editor = world["owner"], world["user"], world["svc"], world["editor"]
    tok = {"X-App-Token": new_app_token(owner, svc["id"])["token"]}
    for _ in range(2):
        assert check(srv, tok, user.id, svc["id"], "doc:read")["allowed"] is True
        assert check(srv, owner.h, user.id, svc["id"], "doc:read")["allowed"] is True
    assert_envelope_ok(unassign(owner, user.id, svc["id"], editor["id"]))
    assert check(srv, tok, user.id, svc["id"], "doc:read")["allowed"] is False
    assert check(srv, owner.h, user.id, svc["id"], "doc:read")["allowed"] is False


def test_cache_self_deleted_subject(srv, world):
    """An account deleted through DELETE /users/me stops being granted at once."""
    owner, user, svc = world["owner"], world["user"], world["svc"]
    for _ in range(3):
        assert check(srv, owner.h, user.id, svc["id"], "doc:read")["allowed"] is True
    assert_envelope_ok(user.delete(f"{API}/users/me", json={"password": user.password}))
    d = check(srv, owner.h, user.id, svc["id"], "doc:read")
    assert d["allowed"] is False and d["reason"] == "subject not found"


def test_batch_by_service_owner(srv, world):
    """The single check lets a service's owner ask about anyone in it; the batch follows suit."""
    owner, user, svc = world["owner"], world["user"], world["svc"]
    assert check(srv, owner.h, user.id, svc["id"], "doc:read")["allowed"] is True
    r = srv.post(f"{API}/authz/check/batch", headers=owner.h,
                 json={"checks": [{"subject": user.id, "service": svc["id"], "permission": "doc:read"},
                                  {"subject": user.id, "service": svc["id"], "permission": "doc:nope"}]})
    res = assert_envelope_ok(r)["data"]["results"]
    assert [x["allowed"] for x in res] == [True, False]
