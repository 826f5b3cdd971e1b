"""Object-level authorization: every route that takes two ids checks that they belong
together (issue 8: the role-unassignment IDOR and its class)."""
import pytest

from authz_helpers import (add_member, allowed, assign, create_org, create_role, create_service,
                           new_actor, new_admin, unassign)
from ghtest import API, assert_envelope_ok, assert_error


@pytest.fixture(scope="module")
def admin(srv):
    return new_admin(srv)


def test_unassign_with_foreign_service_keeps_the_role(srv):
    """A user who owns a throw-away service must not remove a role of someone else's service."""
    owner, victim, attacker = new_actor(srv), new_actor(srv), new_actor(srv)
    svc = create_service(owner)
    role = create_role(owner, svc["id"], ["doc:read"])
    assert_envelope_ok(assign(owner, victim.id, svc["id"], role["id"]), 201)
    throwaway = create_service(attacker)

    r = unassign(attacker, victim.id, throwaway["id"], role["id"])
    assert_error(r, 404)
    assert allowed(victim, svc["name"], "doc:read")
    rows = srv.db_rows("SELECT role_id FROM user_service_roles WHERE user_id = ?", (victim.id,))
    assert rows == [(role["id"],)]


def test_unassign_with_foreign_service_and_org_scope_keeps_the_role(srv):
    owner, victim, attacker = new_actor(srv), new_actor(srv), new_actor(srv)
    org = create_org(owner)
    add_member(owner, org["id"], victim.id)
    svc = create_service(owner)
    role = create_role(owner, svc["id"], ["doc:write"])
    assert_envelope_ok(assign(owner, victim.id, svc["id"], role["id"], org=org["id"]), 201)
    throwaway = create_service(attacker)
    assert_error(unassign(attacker, victim.id, throwaway["id"], role["id"], org=org["id"]), 404)
    assert allowed(victim, svc["name"], "doc:write", org=org["id"])


def test_assign_with_foreign_role_is_404(srv):
    owner, attacker = new_actor(srv), new_actor(srv)
    svc = create_service(owner)
    role = create_role(owner, svc["id"], ["doc:read"])
    throwaway = create_service(attacker)
    assert_error(assign(attacker, attacker.id, throwaway["id"], role["id"]), 404)
    assert not allowed(attacker, svc["name"], "doc:read")
