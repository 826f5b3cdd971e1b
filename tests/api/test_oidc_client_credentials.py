"""client_credentials grant (RFC 6749 §4.4), client authentication (basic, post,
private_key_jwt per RFC 7523), JWT access tokens (RFC 9068), introspection (RFC 7662) and
revocation (RFC 7009) for machine clients."""
import json
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from authz_helpers import new_admin
from ghtest import API, assert_envelope_ok
from oidc_helpers import (assert_oauth_error, basic, cc_client, cc_token, introspect, revoke, token_raw,
                          userinfo, verify_jwt)


@pytest.fixture(scope="module")
def svc(srv):
    return cc_client(srv, scopes="api.read api.write")


@pytest.fixture(scope="module")
def rs(srv):
    return cc_client(srv, scopes="introspect")


@pytest.fixture(scope="module")
def admin(srv):
    return new_admin(srv)


def test_basic_auth(srv, svc):
    r = token_raw(srv, {"grant_type": "client_credentials"}, auth=basic(svc))
    assert r.status_code == 200, r.text
    assert r.headers.get("Cache-Control") == "no-store"
    assert r.headers.get("Pragma") == "no-cache"
    t = r.json()
    assert t["token_type"] == "Bearer"
    assert isinstance(t["expires_in"], int) and t["expires_in"] > 0
    assert set(t["scope"].split()) == {"api.read", "api.write"}
    assert "refresh_token" not in t, "RFC 6749 §4.4.3: no refresh token for client_credentials"
    assert "id_token" not in t


def test_access_token_is_jwt_verifiable_via_jwks(srv, svc):
    t = cc_token(srv, svc)
    header = jwt.get_unverified_header(t["access_token"])
    assert header["alg"] == "ES256"
    assert header["typ"] == "at+jwt"  # RFC 9068 §2.1
    claims = verify_jwt(srv, t["access_token"], audience=None, typ="at+jwt", algs=("ES256",))
    assert claims["sub"] == svc["client_id"]
    assert claims["client_id"] == svc["client_id"]
    assert claims["iss"] == srv.base
    assert claims["jti"]
    assert claims["exp"] - claims["iat"] == t["expires_in"]
    assert set(claims["scope"].split()) == {"api.read", "api.write"}
    assert "aud" in claims  # RFC 9068 §2.2 requires aud


def test_client_secret_post(srv):
    c = cc_client(srv, scopes="api.read", auth_method="client_secret_post")
    assert c["token_endpoint_auth_method"] == "client_secret_post"
    r = token_raw(srv, {"grant_type": "client_credentials", "client_id": c["client_id"],
                        "client_secret": c["client_secret"]})
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "api.read"
    # Wrong secret by post: 401 invalid_client
    r = token_raw(srv, {"grant_type": "client_credentials", "client_id": c["client_id"], "client_secret": "x"})
    assert_oauth_error(r, "invalid_client", 401)


def test_registered_auth_method_enforced(srv, svc):
    r = token_raw(srv, {"grant_type": "client_credentials", "client_id": svc["client_id"],
                        "client_secret": svc["client_secret"]})
    assert_oauth_error(r, "invalid_client", 401)


def test_wrong_secret_basic(srv, svc):
    r = token_raw(srv, {"grant_type": "client_credentials"}, auth=(svc["client_id"], "wrong"))
    assert_oauth_error(r, "invalid_client", 401)
    assert r.headers["WWW-Authenticate"].lower().startswith("basic")
    r = token_raw(srv, {"grant_type": "client_credentials"})
    assert_oauth_error(r, "invalid_client", 401)


def test_scopes(srv, svc):
    t = cc_token(srv, svc, scope="api.read")
    assert t["scope"] == "api.read"
    assert verify_jwt(srv, t["access_token"], audience=None)["scope"] == "api.read"
    for bad in ("api.admin", "api.read api.admin", "openid", "offline_access"):
        r = token_raw(srv, {"grant_type": "client_credentials", "scope": bad}, auth=basic(svc))
        assert_oauth_error(r, "invalid_scope")


def test_client_access_token_ttl(srv):
    c = cc_client(srv, scopes="api.read", extra=("--access-token-ttl", "60"))
    t = cc_token(srv, c)
    assert t["expires_in"] == 60
    claims = verify_jwt(srv, t["access_token"], audience=None)
    assert claims["exp"] - claims["iat"] == 60


def test_introspection(srv, svc, rs):
    t = cc_token(srv, svc, scope="api.read")
    i = introspect(srv, rs, t["access_token"])
    assert i["active"] is True
    assert i["client_id"] == svc["client_id"]
    assert i["sub"] == svc["client_id"]
    assert i["scope"] == "api.read"
    assert isinstance(i["exp"], int) and isinstance(i["iat"], int)
    assert i["iss"] == srv.base
    # With client_secret_post and a token_type_hint as well.
    rs_post = cc_client(srv, scopes="x", auth_method="client_secret_post")
    r = srv.post("/oauth2/introspect", data={"token": t["access_token"], "token_type_hint": "access_token",
                                             "client_id": rs_post["client_id"],
                                             "client_secret": rs_post["client_secret"]})
    assert r.status_code == 200 and r.json()["active"] is True


def test_introspection_of_garbage(srv, rs):
    for tok in ("garbage", "a.b.c", "x" * 300):
        i = introspect(srv, rs, tok)
        assert i == {"active": False}


def test_introspection_requires_client_auth(srv, svc):
    t = cc_token(srv, svc)
    r = srv.post("/oauth2/introspect", data={"token": t["access_token"]})
    assert_oauth_error(r, "invalid_client", 401)
    r = srv.post("/oauth2/introspect", data={"token": t["access_token"]}, auth=(svc["client_id"], "wrong"))
    assert_oauth_error(r, "invalid_client", 401)
    r = srv.post("/oauth2/introspect", data={}, auth=basic(svc))
    assert_oauth_error(r, "invalid_request")


def test_revocation(srv, svc, rs):
    t = cc_token(srv, svc)
    assert introspect(srv, rs, t["access_token"])["active"] is True
    r = revoke(srv, svc, t["access_token"], token_type_hint="access_token")
    assert r.status_code == 200, r.text
    assert r.content == b"" and "Content-Type" not in r.headers  # RFC 7009 §2.2: no content
    assert introspect(srv, rs, t["access_token"])["active"] is False
    # Idempotent
    assert revoke(srv, svc, t["access_token"]).status_code == 200


def test_revocation_by_other_client_does_not_revoke(srv, svc, rs):
    t = cc_token(srv, svc)
    other = cc_client(srv, scopes="x")
    r = revoke(srv, other, t["access_token"])
    assert r.status_code == 200 and r.content == b"", r.text  # the same answer as for an unknown token
    assert introspect(srv, rs, t["access_token"])["active"] is True


def test_revocation_requires_client_auth(srv, svc):
    t = cc_token(srv, svc)
    r = srv.post("/oauth2/revoke", data={"token": t["access_token"]})
    assert_oauth_error(r, "invalid_client", 401)
    r = srv.post("/oauth2/revoke", data={"token": t["access_token"]}, auth=(svc["client_id"], "wrong"))
    assert_oauth_error(r, "invalid_client", 401)


def test_machine_token_is_not_for_userinfo(srv, svc):
    r = userinfo(srv, cc_token(srv, svc)["access_token"])
    # RFC 6750 §3.1: a valid token without the openid scope is insufficient_scope (403).
    assert r.status_code == 403, r.text
    assert r.json()["error"] == "insufficient_scope"
    assert 'error="insufficient_scope"' in r.headers["WWW-Authenticate"]


def test_client_not_allowed_client_credentials(srv):
    from oidc_helpers import cli_client
    c = cli_client(srv)
    r = token_raw(srv, {"grant_type": "client_credentials"}, auth=basic(c))
    assert_oauth_error(r, "unauthorized_client")


# ------------------------------------------------------------------ private_key_jwt


def ec_key_and_jwk(kid: str):
    key = ec.generate_private_key(ec.SECP256R1())
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "alg": "ES256", "use": "sig"})
    return key, jwk


def assertion(key, kid: str, client_id: str, aud: str, **over) -> str:
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": aud, "iat": now, "exp": now + 120,
              "jti": str(uuid.uuid4())}
    claims.update(over)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm="ES256", headers={"kid": kid})


ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@pytest.fixture(scope="module")
def pkjwt(srv, admin):
    kid = "k-" + uuid.uuid4().hex[:8]
    key, jwk = ec_key_and_jwk(kid)
    r = admin.post(f"{API}/admin/clients", json={
        "name": "pkjwt-svc", "grant_types": ["client_credentials"], "scopes": ["api.read"],
        "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [jwk]}})
    c = assert_envelope_ok(r, 201)["data"]
    assert c["token_endpoint_auth_method"] == "private_key_jwt"
    return {"client": c, "key": key, "kid": kid}


def pk_request(srv, pk, path="/oauth2/token", data=None, **over):
    c = pk["client"]
    aud = over.pop("aud", srv.base + "/oauth2/token")
    a = over.pop("_assertion", None) or assertion(pk["key"], pk["kid"], c["client_id"], aud, **over)
    body = {"client_id": c["client_id"], "client_assertion_type": ASSERTION_TYPE, "client_assertion": a}
    body.update(data if data is not None else {"grant_type": "client_credentials"})
    return srv.post(path, data=body), a


def test_private_key_jwt(srv, pkjwt, rs):
    r, _ = pk_request(srv, pkjwt)
    assert r.status_code == 200, r.text
    t = r.json()
    claims = verify_jwt(srv, t["access_token"], audience=None, typ="at+jwt")
    assert claims["sub"] == pkjwt["client"]["client_id"]
    assert introspect(srv, rs, t["access_token"])["active"] is True


def test_private_key_jwt_issuer_audience(srv, pkjwt):
    """RFC 7523 §3: the issuer identifier is an acceptable audience too."""
    r, _ = pk_request(srv, pkjwt, aud=srv.base)
    assert r.status_code == 200, r.text


def test_private_key_jwt_replay_refused(srv, pkjwt):
    r, a = pk_request(srv, pkjwt)
    assert r.status_code == 200, r.text
    r2, _ = pk_request(srv, pkjwt, _assertion=a)
    assert_oauth_error(r2, "invalid_client", 401)


@pytest.mark.parametrize("over", [
    {"aud": "https://elsewhere.example/token"},
    {"exp": int(time.time()) - 60},
    {"exp": None},
    {"jti": None},
    {"iss": "someone-else"},
    {"sub": "someone-else"},
    {"exp": int(time.time()) + 86400},
], ids=["aud", "expired", "no-exp", "no-jti", "iss", "sub", "exp-too-far"])
def test_private_key_jwt_bad_claims(srv, pkjwt, over):
    r, _ = pk_request(srv, pkjwt, **over)
    assert_oauth_error(r, "invalid_client", 401)


def test_private_key_jwt_wrong_key(srv, pkjwt):
    other, _ = ec_key_and_jwk(pkjwt["kid"])
    c = pkjwt["client"]
    a = assertion(other, pkjwt["kid"], c["client_id"], srv.base + "/oauth2/token")
    r, _ = pk_request(srv, pkjwt, _assertion=a)
    assert_oauth_error(r, "invalid_client", 401)


def test_private_key_jwt_hs256_with_public_jwk(srv, pkjwt):
    """An HMAC assertion keyed with the registered public key must not authenticate."""
    import base64
    import hashlib
    import hmac
    c = pkjwt["client"]
    now = int(time.time())
    h = base64.urlsafe_b64encode(json.dumps({"alg": "HS256", "kid": pkjwt["kid"]}).encode()).rstrip(b"=")
    p = base64.urlsafe_b64encode(json.dumps({"iss": c["client_id"], "sub": c["client_id"],
                                             "aud": srv.base + "/oauth2/token", "exp": now + 60,
                                             "jti": uuid.uuid4().hex}).encode()).rstrip(b"=")
    pub = jwt.algorithms.ECAlgorithm.to_jwk(pkjwt["key"].public_key()).encode()
    sig = base64.urlsafe_b64encode(hmac.new(pub, h + b"." + p, hashlib.sha256).digest()).rstrip(b"=")
    r, _ = pk_request(srv, pkjwt, _assertion=(h + b"." + p + b"." + sig).decode())
    assert_oauth_error(r, "invalid_client", 401)


def test_private_key_jwt_wrong_assertion_type(srv, pkjwt):
    c = pkjwt["client"]
    a = assertion(pkjwt["key"], pkjwt["kid"], c["client_id"], srv.base + "/oauth2/token")
    r = srv.post("/oauth2/token", data={"grant_type": "client_credentials", "client_id": c["client_id"],
                                        "client_assertion_type": "urn:example:other", "client_assertion": a})
    assert_oauth_error(r, "invalid_client", 401)


def test_private_key_jwt_client_cannot_use_secret(srv, pkjwt):
    r = token_raw(srv, {"grant_type": "client_credentials"}, auth=(pkjwt["client"]["client_id"], "anything"))
    assert_oauth_error(r, "invalid_client", 401)


def test_private_key_jwt_at_introspection(srv, pkjwt, svc):
    t = cc_token(srv, svc)
    r, _ = pk_request(srv, pkjwt, path="/oauth2/introspect", data={"token": t["access_token"]})
    assert r.status_code == 200, r.text
    assert r.json()["active"] is True
