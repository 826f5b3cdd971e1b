"""Negative cases for every authenticated route, driven by the live OpenAPI document (issue 8
§2): each operation that takes a Bearer token is called with credentials that must not work
(none, expired, the wrong type of token, a token of a locked or deleted account), and each
operation that takes ids is called by a stranger with ids that belong to someone else.

The lists of operations are not written here: they come from /api/v1/openapi.json, so a
route added later is covered without editing this file."""
import base64
import json
import time

import jwt
import pytest

from authz_helpers import (add_member, assign, create_org, create_role, create_service, new_actor, new_admin,
                           new_app_token, uname)
from ghtest import API, assert_envelope_ok, bearer, unique_email
from oidc_helpers import ALL_SCOPES, Browser, cc_client, cc_token, cli_client, code_tokens


def operations(srv, scheme: str = "bearerAuth"):
    """(method, path template, operation) for every operation whose security names `scheme`."""
    doc = srv.get(f"{API}/openapi.json").json()
    out = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if not isinstance(op, dict) or path.startswith("/oauth2/"):
                continue  # userinfo answers RFC 6750 errors: tests/api/test_oidc_negative.py
            if any(scheme in alt for alt in op.get("security", [])):
                out.append((method.upper(), path, op))
    assert len(out) > 50, "the OpenAPI document lists fewer authenticated operations than expected"
    return out


def fill(path: str, values: dict) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


# Bodies that would succeed for the owner: refusing them must be about who asks, not about
# the body (an empty body would be refused by validation before any ownership check).
PLAUSIBLE_BODIES = {
    "POST /api/v1/organizations/{id}/members": {"email": "someone@example.test", "role": "admin"},
    "PATCH /api/v1/organizations/{id}/members/{userId}/role": {"role": "admin"},
    "POST /api/v1/organizations/{id}/roles": {"name": "pwned", "permissions": ["members:read"]},
    "POST /api/v1/organizations/{id}/invitations": {"email": "someone@example.test"},
    "PUT /api/v1/services/{id}": {"name": "pwned"},
    "POST /api/v1/services/{id}/roles": {"name": "pwned", "permissions": ["doc:delete"]},
    "PUT /api/v1/roles/{id}": {"name": "pwned", "permissions": ["doc:delete"]},
    "PATCH /api/v1/organizations/{id}": {"name": "pwned"},
}
# Documented as readable by any signed-in user (docs/api.md): the service registry.
PUBLIC_READS = {"GET /api/v1/services/{id}", "GET /api/v1/services/{id}/roles",
                "GET /api/v1/services/{id}/permissions"}


def call(srv, method: str, path: str, op: dict, headers: dict, template: str = ""):
    """Calls an operation with a body of the kind it expects (plausible, or empty but
    well-formed)."""
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        return srv.request(method, path, json=PLAUSIBLE_BODIES.get(f"{method} {template}", {}), headers=headers)
    if "application/x-www-form-urlencoded" in content:
        return srv.request(method, path, data={"x": "1"}, headers=headers)
    return srv.request(method, path, headers=headers)


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# ------------------------------------------------------------------ credentials that must fail


def wrong_credentials(srv) -> dict:
    """name -> Authorization header value; every one must be refused with 401."""
    user = new_actor(srv, verified=True, username=True)
    login = srv.post(f"{API}/auth/login", json={"email": user.email, "password": user.password}).json()["data"]
    good = login["access_token"]
    head, body, sig = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))

    client = cli_client(srv, name=uname("rp"))
    oidc = code_tokens(srv, client, user.user, Browser(srv), scope=ALL_SCOPES)
    svc = create_service(user)
    permission = srv.get("/auth/authorize", params={"jwt": good, "service": svc["name"]}).json()["token"]
    app = new_app_token(user, svc["id"])

    locked = new_actor(srv, verified=True)
    deleted = new_actor(srv, verified=True)
    logged_out = new_actor(srv, verified=True)
    admin = new_admin(srv)
    assert_envelope_ok(admin.patch(f"{API}/admin/users/{locked.id}", json={"locked": True}))
    assert_envelope_ok(admin.delete(f"{API}/admin/users/{deleted.id}"))
    assert_envelope_ok(srv.post(f"{API}/auth/logout", headers=logged_out.h))

    forged = dict(claims, sub=locked.id)
    return {
        "missing": None,
        "empty": "Bearer ",
        "garbage": "Bearer not-a-token",
        "basic_scheme": "Basic " + base64.b64encode(f"{user.email}:{user.password}".encode()).decode(),
        "tampered_signature": f"Bearer {head}.{body}.{sig[:-4]}AAAA",
        "alg_none": "Bearer " + b64u(b'{"alg":"none","typ":"at+jwt"}') + "." + body + ".",
        "claims_swapped": f"Bearer {head}.{b64u(json.dumps(forged).encode())}.{sig}",
        "refresh_token": "Bearer " + login["refresh_token"],
        "id_token": "Bearer " + oidc["id_token"],
        "oauth_access_token": "Bearer " + oidc["access_token"],
        "oauth_refresh_token": "Bearer " + oidc["refresh_token"],
        "machine_token": "Bearer " + cc_token(srv, cc_client(srv))["access_token"],
        "permission_token": "Bearer " + permission,
        "app_token_as_bearer": "Bearer " + app["token"],
        "locked_account": "Bearer " + locked.token,
        "deleted_account": "Bearer " + deleted.token,
        "logged_out": "Bearer " + logged_out.token,
    }


@pytest.fixture(scope="module")
def bad_tokens(srv):
    return wrong_credentials(srv)


def takes_app_tokens(op: dict) -> bool:
    """Operations a service may call with its app token (also as `Bearer gha_...`)."""
    return any("appToken" in alt or "apiKey" in alt for alt in op.get("security", []))


def refused_everywhere(srv, authorization: str | None, app_token: bool = False) -> list[str]:
    """Operations that did not answer 401 to these credentials (`app_token`: skip those an
    app token may call)."""
    headers = {} if authorization is None else {"Authorization": authorization}
    wrong = []
    for method, template, op in operations(srv):
        if app_token and takes_app_tokens(op):
            continue
        path = fill(template, {"id": "x", "userId": "x", "roleId": "x", "invitationId": "x", "uid": "x",
                               "sid": "x", "rid": "x", "public_id": "x", "client_id": "x", "name": "x"})
        if template in ("/auth/authorize",):  # the seed's routes take the token in the query too
            path += "?service=x"
        r = call(srv, method, path, op, headers)
        if r.status_code != 401:
            wrong.append(f"{method} {template}: {r.status_code} {r.text[:120]}")
    return wrong


@pytest.mark.parametrize("kind", ["missing", "empty", "garbage", "basic_scheme", "tampered_signature", "alg_none",
                                  "claims_swapped", "refresh_token", "id_token", "oauth_access_token",
                                  "oauth_refresh_token", "machine_token", "permission_token",
                                  "app_token_as_bearer", "locked_account", "deleted_account", "logged_out"])
def test_every_bearer_route_refuses(srv, bad_tokens, kind):
    wrong = refused_everywhere(srv, bad_tokens[kind], app_token=kind == "app_token_as_bearer")
    assert wrong == [], "\n".join(wrong)


def test_every_bearer_route_refuses_an_expired_token(server_factory):
    s = server_factory(env={"GATEHOUSE_ACCESS_TOKEN_TTL": "10", "GATEHOUSE_TOKEN_LEEWAY_SECONDS": "0"})
    user = new_actor(s, verified=True)
    exp = jwt.decode(user.token, options={"verify_signature": False})["exp"]
    while time.time() < exp + 1:  # a poll on the token's own clock, not a fixed sleep
        time.sleep(0.25)
    wrong = refused_everywhere(s, "Bearer " + user.token)
    assert wrong == [], "\n".join(wrong)


# ------------------------------------------------------------------ someone else's ids


def own_things(actor):
    """An organization with a custom role and an invitation, a service with a role and an
    app token, all the actor's."""
    org = create_org(actor)
    org_role = assert_envelope_ok(actor.post(f"{API}/organizations/{org['id']}/roles",
                                             json={"name": uname("orole"), "permissions": ["members:read"]}), 201)["data"]
    invitation = assert_envelope_ok(actor.post(f"{API}/organizations/{org['id']}/invitations",
                                               json={"email": unique_email("inv")}), 201)["data"]
    svc = create_service(actor)
    role = create_role(actor, svc["id"], ["doc:read"])
    return org, org_role, invitation, svc, role, new_app_token(actor, svc["id"])


@pytest.fixture(scope="module")
def estate(srv):
    """Things that belong to an owner (and one admin), with the ids a stranger might try."""
    owner = new_actor(srv, verified=True, username=True)
    member = new_actor(srv, verified=True, username=True)
    admin = new_admin(srv)
    org, org_role, invitation, svc, role, app = own_things(owner)
    add_member(owner, org["id"], member.id)
    assign(owner, member.id, svc["id"], role["id"])
    sessions = assert_envelope_ok(owner.get(f"{API}/auth/sessions"))["data"]
    client = cli_client(srv, name=uname("rp"))
    code_tokens(srv, client, owner.user, Browser(srv), scope=ALL_SCOPES)
    grants = assert_envelope_ok(owner.get(f"{API}/users/me/grants"))["data"]
    webhook = assert_envelope_ok(admin.post(f"{API}/admin/webhooks", json={
        "url": "http://127.0.0.1:9/hook", "events": ["user.created"]}), 201)["data"]
    ids = {"userId": member.id, "roleId": org_role["id"], "invitationId": invitation["id"], "uid": member.id,
           "sid": svc["id"], "rid": role["id"], "public_id": owner.id, "client_id": client["client_id"],
           "name": role["name"]}
    by_prefix = {  # {id} means a different thing under each collection
        "/api/v1/organizations/": org["id"], "/api/v1/services/": svc["id"], "/api/v1/roles/": role["id"],
        "/api/v1/tokens/": app["id"], "/api/v1/auth/sessions/": sessions[0]["id"],
        "/api/v1/admin/webhooks/": webhook["id"], "/api/v1/admin/clients/": client["client_id"],
        "/api/v1/users/me/grants/": grants[0]["id"],
    }
    return {"owner": owner, "member": member, "admin": admin, "org": org, "svc": svc, "role": role, "app": app,
            "client": client, "ids": ids, "by_prefix": by_prefix, "invitation": invitation, "webhook": webhook}


def with_foreign_ids(template: str, estate: dict) -> str | None:
    if "{" not in template or "{token}" in template:
        return None  # secret tokens in paths are not ids a stranger could know
    values = dict(estate["ids"])
    for prefix, value in estate["by_prefix"].items():
        if template.startswith(prefix):
            values["id"] = value
    path = fill(template, values)
    assert "{" not in path, f"no foreign id for {template}: add it to the estate fixture"
    return path


def test_a_stranger_cannot_use_anyone_elses_ids(srv, estate):
    stranger = new_actor(srv, verified=True, username=True)
    wrong = []
    for method, template, op in operations(srv):
        path = with_foreign_ids(template, estate)
        if path is None or f"{method} {template}" in PUBLIC_READS:
            continue
        r = call(srv, method, path, op, stranger.h, template)
        if r.status_code not in (403, 404):
            wrong.append(f"{method} {template}: {r.status_code} {r.text[:160]}")
    assert wrong == [], "\n".join(wrong)
    still_intact(srv, estate)


def still_intact(srv, estate):
    """Nothing the stranger tried changed the owner's things."""
    owner, org, svc = estate["owner"], estate["org"], estate["svc"]
    assert assert_envelope_ok(owner.get(f"{API}/organizations/{org['id']}"))["data"]["name"] == org["name"]
    members = {m["user_id"]: m["role"] for m in assert_envelope_ok(owner.get(f"{API}/organizations/{org['id']}/members"))["data"]}
    assert members.get(estate["member"].id) == "member"
    assert assert_envelope_ok(owner.get(f"{API}/services/{svc['id']}"))["data"]["name"] == svc["name"]
    roles = assert_envelope_ok(owner.get(f"{API}/services/{svc['id']}/roles"))["data"]
    assert [r["name"] for r in roles] == [estate["role"]["name"]]
    assert set(roles[0]["permissions"]) == {"doc:read"}
    roles = assert_envelope_ok(owner.get(f"{API}/users/{estate['member'].id}/services/{svc['id']}/roles"))["data"]
    assert estate["role"]["id"] in json.dumps(roles)
    invitations = assert_envelope_ok(owner.get(f"{API}/organizations/{org['id']}/invitations"))["data"]
    assert estate["invitation"]["id"] in json.dumps(invitations)
    assert assert_envelope_ok(owner.get(f"{API}/auth/me"))["data"]["id"] == owner.id
    assert assert_envelope_ok(owner.get(f"{API}/users/me/grants"))["data"]
    usage = owner.get(f"{API}/tokens/{estate['app']['id']}/usage")
    assert usage.status_code == 200, usage.text
    admin = estate["admin"]
    assert assert_envelope_ok(admin.get(f"{API}/admin/clients/{estate['client']['client_id']}"))["data"]
    hooks = assert_envelope_ok(admin.get(f"{API}/admin/webhooks"))["data"]
    assert estate["webhook"]["id"] in json.dumps(hooks)


@pytest.fixture(scope="module")
def strangers_own(srv):
    """A second estate, the stranger's: ids that are valid, but not together with the owner's."""
    stranger = new_actor(srv, verified=True, username=True)
    org, org_role, invitation, svc, role, app = own_things(stranger)
    ids = {"userId": stranger.id, "roleId": org_role["id"], "invitationId": invitation["id"], "uid": stranger.id,
           "sid": svc["id"], "rid": role["id"]}
    by_prefix = {"/api/v1/organizations/": org["id"], "/api/v1/services/": svc["id"], "/api/v1/roles/": role["id"],
                 "/api/v1/tokens/": app["id"]}
    return stranger, ids, by_prefix


def params_of(template: str) -> list[str]:
    return [seg[1:-1] for seg in template.split("/") if seg.startswith("{")]


def test_foreign_pairs_do_not_belong_together(srv, estate, strangers_own):
    """The role-unassignment IDOR: the caller's own service with someone else's role. Every
    route with two or more ids gets each mix of the stranger's own id with the owner's."""
    stranger, own_ids, own_prefix = strangers_own
    wrong = []
    for method, template, op in operations(srv):
        names = params_of(template)
        if len(names) < 2 or f"{method} {template}" in PUBLIC_READS:
            continue
        for own in names:
            path = template
            for name in names:
                if name == own:
                    mine = own_ids.get(name) if name != "id" else next(
                        (v for k, v in own_prefix.items() if template.startswith(k)), None)
                    assert mine, f"no own id for {name} in {template}"
                    path = path.replace("{" + name + "}", mine)
            path = with_foreign_ids(path, estate)
            r = call(srv, method, path, op, stranger.h, template)
            # The stranger's own assignments, or who holds roles in the stranger's own service:
            # allowed to ask, and nothing of the owner's comes back.
            nothing_shown = method == "GET" and r.status_code == 200 and r.json()["data"] == []
            if r.status_code not in (403, 404) and not nothing_shown:
                wrong.append(f"{method} {template} (own {own}): {r.status_code} {r.text[:160]}")
    assert wrong == [], "\n".join(wrong)
    still_intact(srv, estate)


def test_a_non_admin_gets_403_on_every_admin_route(srv, estate):
    stranger = new_actor(srv, verified=True)
    wrong = []
    for method, template, op in operations(srv):
        if not template.startswith("/api/v1/admin"):
            continue
        path = with_foreign_ids(template, estate) or template
        r = call(srv, method, path, op, stranger.h, template)
        if r.status_code != 403:
            wrong.append(f"{method} {template}: {r.status_code} {r.text[:160]}")
    assert wrong == [], "\n".join(wrong)
