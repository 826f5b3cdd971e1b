"""Seed-4 (dgp-oauth2) compatibility routes: /auth/check, /auth/authorize, /auth/update.
These answer in the seed's own shapes, without the /api/v1 envelope."""
import hashlib
import json

import jwt
import pytest

from authz_helpers import (add_member, assign, audit_has, create_org, create_role, create_service,
                           new_actor, new_admin, uname)
from ghtest import API, assert_envelope_ok, unique_username


@pytest.fixture(scope="module")
def admin(srv):
    return new_admin(srv)


def jwks_key(srv, kid):
    keys = srv.get("/.well-known/jwks.json").json()["keys"]
    (k,) = [k for k in keys if k["kid"] == kid]
    return jwt.PyJWK(k)


# ------------------------------------------------------------------ /auth/check


def test_check_valid(srv):
    a = new_actor(srv, username=True)
    r = srv.get("/auth/check", params={"jwt": a.token})
    assert r.status_code == 200
    body = r.json()
    assert "success" not in body and "version" not in body  # the seed's shape, not the envelope
    assert body["authenticated"] is True
    p = body["profile"]
    assert p["id"] == a.id and p["email"] == a.email and p["username"] == a.user.username
    assert p["name"] is None and p["avatar_url"] is None
    assert p["idhash"] == hashlib.sha256(a.id.encode()).hexdigest()
    # a bearer header works too
    body = srv.get("/auth/check", headers=a.h).json()
    assert body["authenticated"] is True and body["profile"]["id"] == a.id


def test_check_without_username(srv):
    a = new_actor(srv)
    p = srv.get("/auth/check", params={"jwt": a.token}).json()["profile"]
    assert p["id"] == a.id and "username" not in p


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c"])
def test_check_invalid(srv, token):
    r = srv.get("/auth/check", params={"jwt": token} if token else None)
    assert r.status_code == 200
    body = r.json()
    assert body["authenticated"] is False
    assert "profile" not in body
    assert body["providers"]["password"]["url"].endswith("/api/v1/auth/login")
    assert body["providers"]["password"]["url"].startswith("http")


def test_check_next(srv):
    body = srv.get("/auth/check", params={"jwt": "nope", "next": "after"}).json()
    assert body["authenticated"] is False and body["next"] == "after"
    # query values are percent-decoded: /after is sent as %2Fafter
    body = srv.get("/auth/check", params={"jwt": "nope", "next": "/after?x=1"}).json()
    assert body["next"] == "/after?x=1"


def test_check_revoked(srv):
    a = new_actor(srv)
    assert_envelope_ok(a.post(f"{API}/auth/logout"))
    assert srv.get("/auth/check", params={"jwt": a.token}).json()["authenticated"] is False
    # tampered signature
    head, payload, sig = new_actor(srv).token.split(".")
    bad = ".".join([head, payload, sig[:-4] + ("AAAA" if sig[-4:] != "AAAA" else "BBBB")])
    assert srv.get("/auth/check", params={"jwt": bad}).json()["authenticated"] is False


def test_check_deleted_user(srv, admin):
    a = new_actor(srv)
    assert_envelope_ok(admin.delete(f"{API}/admin/users/{a.id}"))
    assert srv.get("/auth/check", params={"jwt": a.token}).json()["authenticated"] is False


# ------------------------------------------------------------------ /auth/authorize


@pytest.fixture
def world(srv):
    owner = new_actor(srv)
    svc = create_service(owner)
    reader = create_role(owner, svc["id"], ["doc:read"], name="reader")
    create_role(owner, svc["id"], ["doc:write", "doc:delete"], name="writer")
    user = new_actor(srv)
    assert_envelope_ok(assign(owner, user.id, svc["id"], reader["id"]), 201)
    return {"owner": owner, "svc": svc, "user": user}


def test_authorize(srv, world):
    user, svc = world["user"], world["svc"]
    r = srv.get("/auth/authorize", params={"jwt": user.token, "service": svc["name"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"token", "userid", "permissions", "service"}
    assert body["userid"] == user.id and body["service"] == svc["name"]
    assert body["permissions"] == {"doc:read": True, "doc:write": False, "doc:delete": False}

    token = body["token"]
    header = jwt.get_unverified_header(token)
    assert header["kid"] and header["typ"] == "gh-permissions+jwt"
    aud = f"urn:gatehouse:service:{svc['id']}"
    issuer = srv.base  # issuer defaults to http://<listen>
    # verified with the JWKS ...
    key = jwks_key(srv, header["kid"])
    c = jwt.decode(token, key.key, algorithms=[header["alg"]], audience=aud)
    assert c["sub"] == user.id and c["userid"] == user.id and c["service"] == svc["name"]
    assert c["permissions"] == body["permissions"]
    assert c["iss"].rstrip("/") == issuer.rstrip("/") or c["iss"].endswith(f":{srv.port}")
    assert c["exp"] > c["iat"]
    # ... and with the PEM from /auth/public-key
    pem = srv.get("/auth/public-key")
    assert pem.status_code == 200 and "BEGIN PUBLIC KEY" in pem.text
    c2 = jwt.decode(token, pem.text, algorithms=[header["alg"]], audience=aud)
    assert c2 == c
    # the audience is the service's id in Gatehouse's own namespace, never the bare name
    for other in (svc["name"], "other-service", "gatehouse"):
        with pytest.raises(jwt.InvalidAudienceError):
            jwt.decode(token, pem.text, algorithms=[header["alg"]], audience=other)
    # tampering fails
    h, p, s = token.split(".")
    forged_claims = dict(c, permissions={k: True for k in c["permissions"]})
    forged = ".".join([h, jwt.utils.base64url_encode(json.dumps(forged_claims).encode()).decode(), s])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, pem.text, algorithms=[header["alg"]], audience=aud)


def test_authorize_by_id_and_bearer(srv, world):
    user, svc = world["user"], world["svc"]
    r = srv.get("/auth/authorize", params={"service": svc["id"]}, headers=user.h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["service"] == svc["id"] and body["permissions"]["doc:read"] is True
    assert jwt.decode(body["token"], options={"verify_signature": False})["aud"] == f"urn:gatehouse:service:{svc['id']}"


def test_authorize_no_grants_and_org_scope(srv, world):
    owner, user, svc = world["owner"], world["user"], world["svc"]
    nobody = new_actor(srv)
    body = srv.get("/auth/authorize", params={"jwt": nobody.token, "service": svc["name"]}).json()
    assert body["permissions"] == {"doc:read": False, "doc:write": False, "doc:delete": False}
    # org-scoped grants do not count here (no org context)
    org = create_org(owner)
    add_member(owner, org["id"], nobody.id)
    roles = assert_envelope_ok(owner.get(f"{API}/services/{svc['id']}/roles"))["data"]
    writer = [x for x in roles if x["name"] == "writer"][0]
    assert_envelope_ok(assign(owner, nobody.id, svc["id"], writer["id"], org=org["id"]), 201)
    body = srv.get("/auth/authorize", params={"jwt": nobody.token, "service": svc["name"]}).json()
    assert body["permissions"]["doc:write"] is False
    # a global grant shows at once
    assert_envelope_ok(assign(owner, nobody.id, svc["id"], writer["id"]), 201)
    body = srv.get("/auth/authorize", params={"jwt": nobody.token, "service": svc["name"]}).json()
    assert body["permissions"] == {"doc:read": False, "doc:write": True, "doc:delete": True}


def test_authorize_service_name_with_space(srv):
    owner = new_actor(srv)
    name = "Docs Service " + uname()
    svc = create_service(owner, name=name)
    create_role(owner, svc["id"], ["doc:read"])
    r = srv.get("/auth/authorize", params={"jwt": owner.token, "service": name})  # sent as Docs+Service+...
    assert r.status_code == 200, r.text
    assert r.json()["service"] == name and r.json()["permissions"] == {"doc:read": False}


def test_authorize_failures(srv, world):
    user, svc = world["user"], world["svc"]
    r = srv.get("/auth/authorize", params={"jwt": "garbage", "service": svc["name"]})
    assert r.status_code == 401
    r = srv.get("/auth/authorize", params={"service": svc["name"]})
    assert r.status_code == 401
    r = srv.get("/auth/authorize", params={"jwt": user.token})
    assert r.status_code == 400
    r = srv.get("/auth/authorize", params={"jwt": user.token, "service": ""})
    assert r.status_code == 400
    r = srv.get("/auth/authorize", params={"jwt": user.token, "service": "no-such-" + uname()})
    assert r.status_code == 404
    assert_envelope_ok(world["owner"].delete(f"{API}/services/{svc['id']}"))
    r = srv.get("/auth/authorize", params={"jwt": user.token, "service": svc["id"]})
    assert r.status_code == 404


# ------------------------------------------------------------------ /auth/update


def test_update_username_once(srv, admin):
    a = new_actor(srv)
    name = unique_username()
    r = srv.post("/auth/update", params={"jwt": a.token, "username": name})
    assert r.status_code == 200 and r.json() == {"success": True}
    assert assert_envelope_ok(a.get(f"{API}/users/me"))["data"]["username"] == name
    assert srv.get("/auth/check", params={"jwt": a.token}).json()["profile"]["username"] == name
    audit_has(admin, "user.update", actor_id=a.id)

    r = srv.post("/auth/update", params={"jwt": a.token, "username": unique_username()})
    assert r.status_code == 400
    assert r.json()["success"] is False and "once" in r.json()["error"]
    assert assert_envelope_ok(a.get(f"{API}/users/me"))["data"]["username"] == name


def test_update_failures(srv):
    a, b = new_actor(srv), new_actor(srv)
    r = srv.post("/auth/update", params={"jwt": "garbage", "username": unique_username()})
    assert r.status_code == 401 and r.json()["success"] is False
    r = srv.post("/auth/update", params={"username": unique_username()})
    assert r.status_code == 401
    for bad in ("ab", "has space", "x" * 40, "semi;colon"):
        r = srv.post("/auth/update", params={"jwt": a.token, "username": bad})
        assert r.status_code == 400 and r.json()["success"] is False, (bad, r.text)
    assert assert_envelope_ok(a.get(f"{API}/users/me"))["data"]["username"] is None
    # taken by someone else
    name = unique_username()
    assert srv.post("/auth/update", params={"jwt": b.token, "username": name}).status_code == 200
    r = srv.post("/auth/update", params={"jwt": a.token, "username": name})
    assert r.status_code == 409 and r.json()["success"] is False
    r = srv.post("/auth/update", params={"jwt": a.token, "username": name.upper()})
    assert r.status_code == 409
    # no username: accepted and ignored, as the seed did
    r = srv.post("/auth/update", params={"jwt": a.token, "bio": "hi"})
    assert r.status_code == 200 and r.json() == {"success": True}
    assert assert_envelope_ok(a.get(f"{API}/users/me"))["data"]["username"] is None


def test_permission_token_is_no_access_token(srv, world):
    """Whatever a service is called, its permission token passes as no access token (issue 8)."""
    from oidc_helpers import cli_client, introspect, userinfo
    user = world["user"]
    client = cli_client(srv, grants=("authorization_code", "refresh_token", "client_credentials"))
    svc = create_service(user, name=client["client_id"])  # named like an OAuth client
    token = srv.get("/auth/authorize", params={"service": svc["id"]}, headers=user.h).json()["token"]
    assert jwt.decode(token, options={"verify_signature": False})["aud"] != client["client_id"]
    assert srv.get(f"{API}/users/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert userinfo(srv, token).status_code == 401
    assert introspect(srv, client, token)["active"] is False


@pytest.mark.parametrize("name", ["gatehouse", "GateHouse", "urn:gatehouse:service:x", "https://api.example"])
def test_reserved_service_names(srv, world, name):
    r = srv.post(f"{API}/services", json={"name": name}, headers=world["user"].h)
    assert r.status_code == 400, r.text
