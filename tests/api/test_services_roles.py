"""Services, their roles and permissions, and role assignments (global and org-scoped)."""
import pytest

from authz_helpers import (add_member, allowed, assign, audit_has, check, check_raw, create_org,
                           create_role, create_service, new_actor, new_admin, new_app_token, uname,
                           unassign)
from ghtest import API, assert_envelope_ok, assert_error, assert_rfc3339

NIL = "00000000-0000-0000-0000-000000000000"


@pytest.fixture(scope="module")
def admin(srv):
    return new_admin(srv)


@pytest.fixture
def owner(srv):
    return new_actor(srv)


@pytest.fixture
def svc(owner):
    return create_service(owner)


# ------------------------------------------------------------------ services


def test_create_service(srv, admin, owner):
    name = uname("Billing")
    r = owner.post(f"{API}/services", json={"name": name, "description": "Invoices"})
    s = assert_envelope_ok(r, 201)["data"]
    assert s["name"] == name and s["description"] == "Invoices" and s["owner_id"] == owner.id
    assert_rfc3339(s["created_at"])
    assert_rfc3339(s["updated_at"])
    g = assert_envelope_ok(owner.get(f"{API}/services/{s['id']}"))["data"]
    assert g == s
    e = audit_has(admin, "service.create", subject_id=s["id"])
    assert e["actor_id"] == owner.id and e["details"]["name"] == name

    # duplicate names conflict, case-insensitively, whoever asks
    assert_error(owner.post(f"{API}/services", json={"name": name}), 409, "CONFLICT")
    assert_error(new_actor(srv).post(f"{API}/services", json={"name": name.upper()}), 409)


def test_create_service_validation(srv, owner):
    assert_error(owner.post(f"{API}/services", json={}), 400, "VALIDATION_ERROR")
    assert_error(owner.post(f"{API}/services", json={"name": ""}), 400, "VALIDATION_ERROR")
    assert_error(owner.post(f"{API}/services", json={"name": "y" * 129}), 400)
    assert_error(owner.post(f"{API}/services", json={"name": 5}), 400)
    assert_error(srv.post(f"{API}/services", json={"name": uname()}), 401)


def test_list_get_mine(srv, owner, svc):
    other_owner = new_actor(srv)
    other = create_service(other_owner)
    body = assert_envelope_ok(owner.get(f"{API}/services"))
    ids = [s["id"] for s in body["data"]]
    assert svc["id"] in ids and other["id"] in ids
    assert body["meta"]["count"] == len(body["data"])

    mine = [s["id"] for s in assert_envelope_ok(owner.get(f"{API}/services/mine"))["data"]]
    assert svc["id"] in mine and other["id"] not in mine

    # holding a role in a service makes it "mine"
    role = create_role(other_owner, other["id"], ["doc:read"])
    assert_envelope_ok(assign(other_owner, owner.id, other["id"], role["id"]), 201)
    mine = [s["id"] for s in assert_envelope_ok(owner.get(f"{API}/services/mine"))["data"]]
    assert other["id"] in mine

    assert_error(owner.get(f"{API}/services/{NIL}"), 404, "NOT_FOUND")
    assert_error(srv.get(f"{API}/services"), 401)
    assert_error(srv.get(f"{API}/services/{svc['id']}"), 401)


def test_put_service(srv, admin, owner, svc):
    new_name = uname("renamed")
    r = owner.put(f"{API}/services/{svc['id']}", json={"name": new_name, "description": "d2"})
    s = assert_envelope_ok(r)["data"]
    assert s["name"] == new_name and s["description"] == "d2" and s["id"] == svc["id"]
    g = assert_envelope_ok(owner.get(f"{API}/services/{svc['id']}"))["data"]
    assert g["name"] == new_name and g["description"] == "d2"
    audit_has(admin, "service.update", subject_id=svc["id"], actor_id=owner.id)

    # PUT replaces: no description -> null
    s = assert_envelope_ok(owner.put(f"{API}/services/{svc['id']}", json={"name": new_name}))["data"]
    assert s["description"] is None

    other = new_actor(srv)
    assert_error(other.put(f"{API}/services/{svc['id']}", json={"name": uname()}), 403, "AUTHORIZATION_ERROR")
    assert assert_envelope_ok(owner.get(f"{API}/services/{svc['id']}"))["data"]["name"] == new_name
    # admins may
    s = assert_envelope_ok(admin.put(f"{API}/services/{svc['id']}", json={"name": new_name, "description": "adm"}))["data"]
    assert s["description"] == "adm"

    taken = create_service(other)
    assert_error(owner.put(f"{API}/services/{svc['id']}", json={"name": taken["name"]}), 409)
    assert_error(owner.put(f"{API}/services/{svc['id']}", json={}), 400)
    assert_error(owner.put(f"{API}/services/{NIL}", json={"name": uname()}), 404)


def test_delete_service(srv, admin, owner, svc):
    role = create_role(owner, svc["id"], ["doc:read"])
    user = new_actor(srv)
    assert_envelope_ok(assign(owner, user.id, svc["id"], role["id"]), 201)
    tok = new_app_token(owner, svc["id"])
    assert allowed(user, svc["name"], "doc:read") is True
    assert srv.get(f"{API}/tokens/validate", headers={"X-App-Token": tok["token"]}).status_code == 200

    assert_error(user.delete(f"{API}/services/{svc['id']}"), 403)
    r = owner.delete(f"{API}/services/{svc['id']}")
    assert assert_envelope_ok(r)["data"]["id"] == svc["id"]

    assert_error(owner.get(f"{API}/services/{svc['id']}"), 404)
    assert svc["id"] not in [s["id"] for s in assert_envelope_ok(owner.get(f"{API}/services"))["data"]]
    assert svc["id"] not in [s["id"] for s in assert_envelope_ok(user.get(f"{API}/services/mine"))["data"]]
    assert_error(owner.get(f"{API}/services/{svc['id']}/roles"), 404)
    assert_error(owner.get(f"{API}/services/{svc['id']}/permissions"), 404)
    assert_error(owner.delete(f"{API}/services/{svc['id']}"), 404)
    # roles stop granting: the decision API no longer knows the service
    assert_error(check_raw(srv, user.h, user.id, svc["name"], "doc:read"), 404, "NOT_FOUND")
    assert_error(check_raw(srv, user.h, user.id, svc["id"], "doc:read"), 404)
    # and its app tokens no longer validate
    assert_error(srv.get(f"{API}/tokens/validate", headers={"X-App-Token": tok["token"]}), 401)
    audit_has(admin, "service.delete", subject_id=svc["id"], actor_id=owner.id)

    # the name is free again; the new service grants nothing to the old holders
    again = create_service(owner, name=svc["name"])
    assert again["id"] != svc["id"]
    # (by id: a name lookup right after the delete is covered by test_authz_check's
    # test_service_created_after_failed_lookup)
    d = check(srv, user.h, user.id, again["id"], "doc:read")
    assert d["allowed"] is False


def test_admin_may_delete_any_service(srv, admin, owner, svc):
    assert_envelope_ok(admin.delete(f"{API}/services/{svc['id']}"))
    assert_error(owner.get(f"{API}/services/{svc['id']}"), 404)


# ------------------------------------------------------------------ roles


def test_role_crud(srv, admin, owner, svc):
    base = f"{API}/services/{svc['id']}/roles"
    r = owner.post(base, json={"name": "editor", "description": "Edits",
                               "permissions": ["doc:read", "doc:write", "doc:write"]})
    role = assert_envelope_ok(r, 201)["data"]
    assert role["name"] == "editor" and role["service_id"] == svc["id"] and role["description"] == "Edits"
    assert sorted(role["permissions"]) == ["doc:read", "doc:write"]
    assert_rfc3339(role["created_at"])
    e = audit_has(admin, "service.role_created", subject_id=role["id"])
    assert e["details"]["service_id"] == svc["id"] and e["details"]["name"] == "editor"

    viewer = create_role(owner, svc["id"], ["doc:read"], name="viewer")
    lst = assert_envelope_ok(owner.get(base))["data"]
    assert [x["name"] for x in lst] == ["editor", "viewer"]
    assert sorted(lst[0]["permissions"]) == ["doc:read", "doc:write"]
    # anyone authenticated may read a service's roles
    assert len(assert_envelope_ok(new_actor(srv).get(base))["data"]) == 2

    assert_error(owner.post(base, json={"name": "editor", "permissions": []}), 409, "CONFLICT")

    # update: rename + replace permissions
    r = owner.put(f"{API}/roles/{role['id']}", json={"name": "author", "permissions": ["doc:write", "doc:publish"]})
    u = assert_envelope_ok(r)["data"]
    assert u["name"] == "author" and sorted(u["permissions"]) == ["doc:publish", "doc:write"]
    assert u["description"] == "Edits"
    (stored,) = [x for x in assert_envelope_ok(owner.get(base))["data"] if x["id"] == role["id"]]
    assert stored["name"] == "author" and sorted(stored["permissions"]) == ["doc:publish", "doc:write"]
    audit_has(admin, "service.role_updated", subject_id=role["id"], actor_id=owner.id)
    # description only: permissions untouched
    u = assert_envelope_ok(owner.put(f"{API}/roles/{role['id']}", json={"description": "Writes"}))["data"]
    assert u["description"] == "Writes" and sorted(u["permissions"]) == ["doc:publish", "doc:write"]
    # rename onto a sibling: conflict
    assert_error(owner.put(f"{API}/roles/{role['id']}", json={"name": "viewer"}), 409)

    other = new_actor(srv)
    assert_error(other.post(base, json={"name": "hijack", "permissions": ["doc:read"]}), 403)
    assert_error(other.put(f"{API}/roles/{role['id']}", json={"permissions": ["*:*"]}), 403)
    assert_error(other.delete(f"{API}/roles/{role['id']}"), 403)

    r = owner.delete(f"{API}/roles/{viewer['id']}")
    assert assert_envelope_ok(r)["data"]["id"] == viewer["id"]
    assert [x["id"] for x in assert_envelope_ok(owner.get(base))["data"]] == [role["id"]]
    assert_error(owner.delete(f"{API}/roles/{viewer['id']}"), 404)
    assert_error(owner.put(f"{API}/roles/{viewer['id']}", json={"name": "x"}), 404)
    audit_has(admin, "service.role_deleted", subject_id=viewer["id"])
    assert_error(owner.post(f"{API}/services/{NIL}/roles", json={"name": "x", "permissions": []}), 404)
    assert_error(owner.get(f"{API}/services/{NIL}/roles"), 404)


@pytest.mark.parametrize("perm", ["Doc:Read", "docread", ":read", "doc:", "doc read:x", "", "doc:r/w",
                                  "x" * 120 + ":" + "y" * 10])
def test_role_invalid_permission_name(srv, owner, svc, perm):
    base = f"{API}/services/{svc['id']}/roles"
    b = assert_error(owner.post(base, json={"name": uname(), "permissions": ["doc:read", perm]}), 400,
                     "VALIDATION_ERROR")
    assert "permissions" in b["error"]["details"]
    role = create_role(owner, svc["id"], ["doc:read"])
    assert_error(owner.put(f"{API}/roles/{role['id']}", json={"permissions": [perm]}), 400)
    assert [x["name"] for x in assert_envelope_ok(owner.get(f"{API}/services/{svc['id']}/permissions"))["data"]] == ["doc:read"]


def test_role_body_validation(srv, owner, svc):
    base = f"{API}/services/{svc['id']}/roles"
    assert_error(owner.post(base, json={"permissions": ["doc:read"]}), 400)
    assert_error(owner.post(base, json={"name": "x", "permissions": "doc:read"}), 400)
    assert_error(owner.post(base, json={"name": "x", "permissions": [42]}), 400)
    # permissions optional: an empty role
    r = assert_envelope_ok(owner.post(base, json={"name": "empty"}), 201)["data"]
    assert r["permissions"] == []


def test_permissions_endpoints(srv, owner, svc):
    create_role(owner, svc["id"], ["doc:read", "doc:write"])
    create_role(owner, svc["id"], ["admin:*", "doc:read"])
    other = create_service(owner)
    create_role(owner, other["id"], ["x:y"])

    perms = assert_envelope_ok(owner.get(f"{API}/services/{svc['id']}/permissions"))["data"]
    assert [p["name"] for p in perms] == ["admin:*", "doc:read", "doc:write"]
    assert all(p["service_id"] == svc["id"] and p["id"] for p in perms)

    for ref in (svc["id"], svc["name"]):
        r = owner.get(f"{API}/permissions", params={"service": ref})
        assert [p["name"] for p in assert_envelope_ok(r)["data"]] == ["admin:*", "doc:read", "doc:write"]
    every = assert_envelope_ok(owner.get(f"{API}/permissions"))["data"]
    names = {(p["service_id"], p["name"]) for p in every}
    assert (svc["id"], "doc:write") in names and (other["id"], "x:y") in names
    assert_error(owner.get(f"{API}/permissions", params={"service": "no-such-service-" + uname()}), 404)
    assert_error(owner.get(f"{API}/services/{NIL}/permissions"), 404)
    assert_error(srv.get(f"{API}/permissions"), 401)


def test_permissions_by_service_name_with_space(srv, owner):
    name = "Billing Service " + uname()
    svc = create_service(owner, name=name)
    create_role(owner, svc["id"], ["invoice:read"])
    r = owner.get(f"{API}/permissions", params={"service": name})  # sent as Billing+Service+...
    assert [p["name"] for p in assert_envelope_ok(r)["data"]] == ["invoice:read"]
    r = owner.get(f"{API}/permissions?service=" + name.replace(" ", "%20"))
    assert [p["name"] for p in assert_envelope_ok(r)["data"]] == ["invoice:read"]


# ------------------------------------------------------------------ assignments


def test_assignments(srv, admin, owner, svc):
    role = create_role(owner, svc["id"], ["doc:read"], name="reader")
    user = new_actor(srv)
    r = assign(owner, user.id, svc["id"], role["id"])
    a = assert_envelope_ok(r, 201)["data"]
    assert a == {**a, "user_id": user.id, "service_id": svc["id"], "role_id": role["id"], "role": "reader",
                 "org_id": None}
    assert_rfc3339(a["assigned_at"])
    e = audit_has(admin, "role.assigned", subject_id=user.id, role_id=role["id"])
    assert e["actor_id"] == owner.id and e["details"]["service_id"] == svc["id"]
    assert_error(assign(owner, user.id, svc["id"], role["id"]), 409, "CONFLICT")

    path = f"{API}/users/{user.id}/services/{svc['id']}/roles"
    for who in (user, owner, admin):
        lst = assert_envelope_ok(who.get(path))["data"]
        assert [(x["role_id"], x["org_id"]) for x in lst] == [(role["id"], None)]
    assert [x["role"] for x in assert_envelope_ok(user.get(f"{API}/users/me/services/{svc['id']}/roles"))["data"]] == ["reader"]
    assert_error(new_actor(srv).get(path), 403)
    assert_error(owner.get(f"{API}/users/{user.id}/services/{NIL}/roles"), 404)

    # who may assign: the owner and admins, nobody else
    stranger = new_actor(srv)
    assert_error(assign(stranger, stranger.id, svc["id"], role["id"]), 403)
    assert_error(assign(user, user.id, svc["id"], role["id"]), 403)
    assert_envelope_ok(assign(admin, stranger.id, svc["id"], role["id"]), 201)

    # bad references
    other = create_service(owner)
    foreign_role = create_role(owner, other["id"], ["x:y"])
    assert_error(assign(owner, user.id, svc["id"], foreign_role["id"]), 404)
    assert_error(assign(owner, user.id, svc["id"], NIL), 404)
    assert_error(assign(owner, NIL, svc["id"], role["id"]), 404)
    assert_error(assign(owner, user.id, NIL, role["id"]), 404)

    # unassign
    r = unassign(owner, user.id, svc["id"], role["id"])
    assert assert_envelope_ok(r)["data"]["role_id"] == role["id"]
    assert assert_envelope_ok(user.get(path))["data"] == []
    assert_error(unassign(owner, user.id, svc["id"], role["id"]), 404)
    assert_error(unassign(stranger, stranger.id, svc["id"], role["id"]), 403)
    audit_has(admin, "role.unassigned", subject_id=user.id, role_id=role["id"])


def test_assign_to_deleted_user_404(srv, admin, owner, svc):
    role = create_role(owner, svc["id"], ["doc:read"])
    victim = new_actor(srv)
    assert_envelope_ok(admin.delete(f"{API}/admin/users/{victim.id}"))
    assert_error(assign(owner, victim.id, svc["id"], role["id"]), 404)


def test_org_scoped_assignment(srv, admin, owner, svc):
    role = create_role(owner, svc["id"], ["doc:read"], name="org-reader")
    org_owner = new_actor(srv)
    org = create_org(org_owner)
    org2 = create_org(org_owner)
    user = new_actor(srv)

    # must be a member of the org
    b = assert_error(assign(owner, user.id, svc["id"], role["id"], org=org["id"]), 400, "VALIDATION_ERROR")
    assert "org_id" in b["error"]["details"]
    assert_error(assign(owner, user.id, svc["id"], role["id"], org=NIL), 404)

    add_member(org_owner, org["id"], user.id)
    add_member(org_owner, org2["id"], user.id)
    a = assert_envelope_ok(assign(owner, user.id, svc["id"], role["id"], org=org["id"]), 201)["data"]
    assert a["org_id"] == org["id"]
    audit_has(admin, "role.assigned", subject_id=user.id, org_id=org["id"])

    # the grant applies only when checking with that organization
    assert allowed(user, svc["name"], "doc:read", org=org["id"]) is True
    assert allowed(user, svc["name"], "doc:read") is False
    assert allowed(user, svc["name"], "doc:read", org=org2["id"]) is False
    perms = assert_envelope_ok(user.get(f"{API}/authz/permissions",
                                        params={"service": svc["id"], "org": org["id"]}))["data"]
    assert perms["permissions"] == ["doc:read"]
    perms = assert_envelope_ok(user.get(f"{API}/authz/permissions", params={"service": svc["id"]}))["data"]
    assert perms["permissions"] == []

    lst = assert_envelope_ok(user.get(f"{API}/users/me/services/{svc['id']}/roles"))["data"]
    assert [(x["role_id"], x["org_id"]) for x in lst] == [(role["id"], org["id"])]

    # a global grant and an org grant of the same role coexist; unassign is scope-exact
    assert_envelope_ok(assign(owner, user.id, svc["id"], role["id"]), 201)
    assert_error(assign(owner, user.id, svc["id"], role["id"], org=org["id"]), 409)
    assert len(assert_envelope_ok(user.get(f"{API}/users/me/services/{svc['id']}/roles"))["data"]) == 2
    assert_envelope_ok(unassign(owner, user.id, svc["id"], role["id"]))
    assert allowed(user, svc["name"], "doc:read") is False
    assert allowed(user, svc["name"], "doc:read", org=org["id"]) is True
    assert_envelope_ok(unassign(owner, user.id, svc["id"], role["id"], org=org["id"]))
    assert allowed(user, svc["name"], "doc:read", org=org["id"]) is False
    assert_error(unassign(owner, user.id, svc["id"], role["id"], org=org["id"]), 404)


def test_org_scope_in_body(srv, owner, svc):
    role = create_role(owner, svc["id"], ["doc:read"])
    org_owner = new_actor(srv)
    org = create_org(org_owner)
    user = new_actor(srv)
    add_member(org_owner, org["id"], user.id)
    r = owner.post(f"{API}/users/{user.id}/services/{svc['id']}/roles/{role['id']}", json={"org_id": org["id"]})
    assert assert_envelope_ok(r, 201)["data"]["org_id"] == org["id"]
    assert allowed(user, svc["id"], "doc:read", org=org["id"]) is True
    assert allowed(user, svc["id"], "doc:read") is False


def test_role_delete_removes_assignments(srv, owner, svc):
    role = create_role(owner, svc["id"], ["doc:read"])
    user = new_actor(srv)
    assert_envelope_ok(assign(owner, user.id, svc["id"], role["id"]), 201)
    assert_envelope_ok(owner.delete(f"{API}/roles/{role['id']}"))
    assert assert_envelope_ok(user.get(f"{API}/users/me/services/{svc['id']}/roles"))["data"] == []


def test_concurrent_creates(srv, owner):
    """Races on unique names answer 409 (never 500); roles created at once that introduce the
    same new permission names all succeed and share one permission row per name."""
    from authz_helpers import parallel
    for _ in range(4):
        name = uname("race")
        codes = sorted(r.status_code for r in parallel(lambda: owner.post(f"{API}/services", json={"name": name})))
        assert codes == [201] + [409] * (len(codes) - 1)
        svc = create_service(owner)
        rname = uname("r")
        rs = parallel(lambda: owner.post(f"{API}/services/{svc['id']}/roles", json={"name": rname, "permissions": ["a:b"]}))
        assert sorted(r.status_code for r in rs) == [201] + [409] * (len(rs) - 1)
        user = new_actor(srv)
        role = create_role(owner, svc["id"], ["x:y"])
        rs = parallel(lambda: assign(owner, user.id, svc["id"], role["id"]))
        assert sorted(r.status_code for r in rs) == [201] + [409] * (len(rs) - 1)

        perm = f"fresh{uuid_hex()}:read"
        rs = parallel(lambda: owner.post(f"{API}/services/{svc['id']}/roles",
                                         json={"name": uname("p"), "permissions": [perm, "shared:write"]}))
        bad = [(r.status_code, r.text) for r in rs if r.status_code != 201]
        assert not bad, bad
        names = [p["name"] for p in assert_envelope_ok(owner.get(f"{API}/services/{svc['id']}/permissions"))["data"]]
        assert names.count(perm) == 1 and names.count("shared:write") == 1


def uuid_hex():
    import uuid
    return uuid.uuid4().hex[:8]
