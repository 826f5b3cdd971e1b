"""Access tokens: JWKS interop with PyJWT, /auth/public-key, header variants, rejections."""
import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils

from ghtest import API, ServerError, assert_error, create_user, me


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64u_dec(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def parts(tok):
    h, p, s = tok.split(".")
    return json.loads(b64u_dec(h)), json.loads(b64u_dec(p)), s


def enc(obj) -> str:
    return b64u(json.dumps(obj, separators=(",", ":")).encode())


def jwks(s):
    r = s.get("/.well-known/jwks.json")
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith(("application/json", "application/jwk-set+json"))
    body = r.json()
    assert "success" not in body  # standards endpoint: no envelope
    return body


def verify_with_jwks(s, tok, audience="gatehouse", issuer=None):
    issuer = issuer or s.base
    header = jwt.get_unverified_header(tok)
    keyset = jwt.PyJWKSet.from_dict(jwks(s))
    matches = [k for k in keyset.keys if k.key_id == header["kid"]]
    assert len(matches) == 1, f"kid {header['kid']} not in JWKS"
    return jwt.decode(tok, key=matches[0].key, algorithms=[header["alg"]], audience=audience,
                      issuer=issuer, options={"require": ["exp", "iat", "nbf", "iss", "aud", "sub"]})


@pytest.fixture(scope="module")
def user_tokens(srv):
    u = create_user(srv)
    return u, u.login()


# ------------------------------------------------------------------ interop

def test_jwks_shape(srv):
    body = jwks(srv)
    assert isinstance(body["keys"], list) and body["keys"]
    for k in body["keys"]:
        assert k["kid"]
        assert k["kty"] in ("EC", "OKP", "RSA")
        assert k.get("use", "sig") == "sig"
        for private in ("d", "p", "q", "dp", "dq", "qi"):
            assert private not in k, f"private member {private} exposed"
    assert len({k["kid"] for k in body["keys"]}) == len(body["keys"])
    assert "max-age" in srv.get("/.well-known/jwks.json").headers.get("Cache-Control", "")


def test_default_alg_is_es256_and_claims(srv, user_tokens):
    u, data = user_tokens
    tok = data["access_token"]
    header = jwt.get_unverified_header(tok)
    assert header["alg"] == "ES256"
    assert header.get("kid")
    claims = verify_with_jwks(srv, tok)
    assert claims["sub"] == u.id
    assert claims["sid"] == data["session_id"]
    assert claims["email"] == u.email
    assert claims["email_verified"] is False
    assert claims["iss"] == srv.base
    aud = claims["aud"]
    assert aud == "gatehouse" or aud == ["gatehouse"]
    assert claims["jti"]
    assert claims["nbf"] <= claims["iat"] + 1
    assert claims["exp"] > time.time()


def test_pyjwk_client_fetches_jwks(srv, user_tokens):
    _, data = user_tokens
    client = jwt.PyJWKClient(srv.url("/.well-known/jwks.json"))
    key = client.get_signing_key_from_jwt(data["access_token"])
    claims = jwt.decode(data["access_token"], key.key, algorithms=["ES256", "EdDSA", "RS256"],
                        audience="gatehouse", issuer=srv.base)
    assert claims["sid"] == data["session_id"]


def test_public_key_pem_verifies_token(srv, user_tokens):
    _, data = user_tokens
    tok = data["access_token"]
    r = srv.get("/auth/public-key")
    assert r.status_code == 200
    pem = r.content
    assert pem.startswith(b"-----BEGIN PUBLIC KEY-----")
    key = serialization.load_pem_public_key(pem)
    h, p, s = tok.split(".")
    signing_input = f"{h}.{p}".encode()
    sig = b64u_dec(s)
    assert isinstance(key, ec.EllipticCurvePublicKey)
    assert key.curve.name == "secp256r1"
    assert len(sig) == 64
    der = utils.encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
    with pytest.raises(InvalidSignature):
        key.verify(der, signing_input + b"x", ec.ECDSA(hashes.SHA256()))
    # Same key as the one named by the token's kid in the JWKS.
    kid = jwt.get_unverified_header(tok)["kid"]
    jwk = [k for k in jwks(srv)["keys"] if k["kid"] == kid][0]
    jwk_key = jwt.PyJWK.from_dict(jwk).key
    fmt = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert jwk_key.public_bytes(*fmt) == key.public_bytes(*fmt)


@pytest.mark.parametrize("alg", ["EdDSA", "RS256"])
def test_other_algorithms_interop(server_factory, alg):
    s = server_factory(env={"GATEHOUSE_TOKEN_ALG": alg})
    u = create_user(s)
    data = u.login()
    tok = data["access_token"]
    assert jwt.get_unverified_header(tok)["alg"] == alg
    claims = verify_with_jwks(s, tok)
    assert claims["sub"] == u.id
    assert me(s, tok).status_code == 200
    key = serialization.load_pem_public_key(s.get("/auth/public-key").content)
    h, p, sig = tok.split(".")
    msg, sig = f"{h}.{p}".encode(), b64u_dec(sig)
    if alg == "EdDSA":
        assert isinstance(key, ed25519.Ed25519PublicKey)
        key.verify(sig, msg)
        kty = [k for k in jwks(s)["keys"] if k["kid"] == jwt.get_unverified_header(tok)["kid"]][0]
        assert kty["kty"] == "OKP" and kty["crv"] == "Ed25519"
    else:
        assert isinstance(key, rsa.RSAPublicKey)
        assert key.key_size >= 2048
        key.verify(sig, msg, padding.PKCS1v15(), hashes.SHA256())


def test_configured_issuer_and_audience(server_factory):
    s = server_factory(env={"GATEHOUSE_ISSUER": "https://id.example.test",
                            "GATEHOUSE_TOKEN_AUDIENCE": "orders-api"})
    u = create_user(s)
    tok = u.login()["access_token"]
    claims = verify_with_jwks(s, tok, audience="orders-api", issuer="https://id.example.test")
    assert claims["sub"] == u.id
    assert me(s, tok).status_code == 200


def test_keys_survive_restart(server_factory):
    s = server_factory(env={"GATEHOUSE_ISSUER": "https://restart.example.test"})
    u = create_user(s)
    tok = u.login()["access_token"]
    kids = {k["kid"] for k in jwks(s)["keys"]}
    s.restart()
    assert {k["kid"] for k in jwks(s)["keys"]} == kids
    assert me(s, tok).status_code == 200


# ------------------------------------------------------------------ header variants

@pytest.mark.parametrize("header,fmt", [
    ("Authorization", "Bearer {}"),
    ("Authorization", "bearer {}"),
    ("x-access-token", "{}"),
    ("Authentication-Token", "{}"),
])
def test_token_header_variants(srv, user_tokens, header, fmt):
    u, data = user_tokens
    r = srv.get(f"{API}/auth/me", headers={header: fmt.format(data["access_token"])})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["id"] == u.id


# ------------------------------------------------------------------ rejections

def assert_rejected(s, tok, header="Authorization"):
    value = f"Bearer {tok}" if header == "Authorization" else tok
    r = s.get(f"{API}/auth/me", headers={header: value})
    assert_error(r, 401, "AUTHENTICATION_ERROR")


def test_alg_none_rejected(srv, user_tokens):
    h, p, _ = parts(user_tokens[1]["access_token"])
    for alg in ("none", "None", "NONE"):
        forged = f"{enc({**h, 'alg': alg})}.{enc(p)}."
        assert_rejected(srv, forged)
        assert_rejected(srv, forged, "x-access-token")


def test_hs256_with_public_key_rejected(srv, user_tokens):
    h, p, _ = parts(user_tokens[1]["access_token"])
    pem = srv.get("/auth/public-key").content
    jwk = json.dumps([k for k in jwks(srv)["keys"] if k["kid"] == h["kid"]][0]).encode()
    for secret in (pem, pem.strip(), jwk):
        for alg, hf in (("HS256", hashlib.sha256), ("HS512", hashlib.sha512)):
            si = f"{enc({**h, 'alg': alg})}.{enc(p)}"
            sig = b64u(hmac.new(secret, si.encode(), hf).digest())
            assert_rejected(srv, f"{si}.{sig}")


def test_tampered_payload_rejected(srv, user_tokens):
    other = create_user(srv)
    tok = user_tokens[1]["access_token"]
    hs, ps, sig = tok.split(".")
    _, p, _ = parts(tok)
    for change in ({"sub": other.id}, {"exp": p["exp"] + 3600}, {"email": "admin@example.com"},
                   {"sid": other.id}):
        assert_rejected(srv, f"{hs}.{enc({**p, **change})}.{sig}")
    # Same claims, different JSON spacing: still a different signing input.
    spaced = b64u(json.dumps(p, indent=1).encode())
    assert_rejected(srv, f"{hs}.{spaced}.{sig}")


def test_tampered_signature_rejected(srv, user_tokens):
    tok = user_tokens[1]["access_token"]
    hs, ps, sig = tok.split(".")
    raw = bytearray(b64u_dec(sig))
    raw[5] ^= 0x01
    assert_rejected(srv, f"{hs}.{ps}.{b64u(bytes(raw))}")
    assert_rejected(srv, f"{hs}.{ps}.")
    assert_rejected(srv, f"{hs}.{ps}")
    assert_rejected(srv, f"{hs}.{ps}.{sig}{sig}")


def test_unknown_kid_rejected(srv, user_tokens):
    tok = user_tokens[1]["access_token"]
    h, p, _ = parts(tok)
    _, _, sig = tok.split(".")
    for kid in ("unknown-kid", "", "../../etc/passwd", None):
        hh = dict(h)
        if kid is None:
            hh.pop("kid")
        else:
            hh["kid"] = kid
        assert_rejected(srv, f"{enc(hh)}.{enc(p)}.{sig}")


def test_token_from_another_server_rejected(srv, server_factory):
    other = server_factory()
    u = create_user(other)
    assert_rejected(srv, u.login()["access_token"])


@pytest.mark.parametrize("value", [
    "garbage", "a.b.c", "....", "eyJhbGciOiJFUzI1NiJ9.e30.", "Bearer", "x" * 8000,
    "eyJ" + "A" * 100 + ".eyJ.sig",
], ids=["word", "abc", "dots", "no-sig", "bearer", "huge", "bad-b64"])
def test_garbage_tokens_rejected(srv, value):
    assert_rejected(srv, value)
    assert_rejected(srv, value, "Authentication-Token")


def test_wrong_scheme_rejected(srv, user_tokens):
    tok = user_tokens[1]["access_token"]
    for v in (f"Basic {tok}", f"Token {tok}", tok, "Bearer ", "Bearer"):
        r = srv.get(f"{API}/auth/me", headers={"Authorization": v})
        assert_error(r, 401, "AUTHENTICATION_ERROR")


def test_wrong_issuer_rejected(server_factory):
    s = server_factory(env={"GATEHOUSE_ISSUER": "https://a.example.test"})
    u = create_user(s)
    tok = u.login()["access_token"]
    assert me(s, tok).status_code == 200
    s.restart(env={"GATEHOUSE_ISSUER": "https://b.example.test"})
    assert_rejected(s, tok)
    # Same key, new issuer: fresh tokens work.
    assert me(s, u.login()["access_token"]).status_code == 200


def test_wrong_audience_rejected(server_factory):
    s = server_factory(env={"GATEHOUSE_TOKEN_AUDIENCE": "service-a",
                            "GATEHOUSE_ISSUER": "https://aud.example.test"})
    u = create_user(s)
    tok = u.login()["access_token"]
    assert me(s, tok).status_code == 200
    s.restart(env={"GATEHOUSE_TOKEN_AUDIENCE": "service-b"})
    assert_rejected(s, tok)
    assert me(s, u.login()["access_token"]).status_code == 200


def test_expiry_and_leeway(server_factory):
    """Our own tokens on our own clock: the default leeway is 5 s, and no more can be set."""
    s = server_factory(env={"GATEHOUSE_ACCESS_TOKEN_TTL": "10",
                            "GATEHOUSE_ISSUER": "https://exp.example.test"})
    u = create_user(s)
    data = u.login()
    tok = data["access_token"]
    assert data["expires_in"] == 10
    exp = jwt.decode(tok, options={"verify_signature": False})["exp"]
    while time.time() < exp + 1.5:
        time.sleep(0.5)
    # Expired, but within the 5 s leeway.
    assert me(s, tok).status_code == 200
    while time.time() < exp + 5.5:
        time.sleep(0.25)
    # Past exp + 5 s: refused, cached or not.
    assert_rejected(s, tok)
    s.restart(env={"GATEHOUSE_TOKEN_LEEWAY_SECONDS": "0"})
    assert_rejected(s, tok)
    assert_rejected(s, tok, "x-access-token")
    # The refresh token still gives a working pair.
    r = s.post(f"{API}/auth/refresh", json={"refresh_token": data["refresh_token"]})
    assert r.status_code == 200
    assert me(s, r.json()["data"]["access_token"]).status_code == 200


@pytest.mark.parametrize("leeway", ["6", "30"])
def test_leeway_over_five_seconds_refused(server_factory, leeway):
    with pytest.raises(ServerError):
        server_factory(env={"GATEHOUSE_TOKEN_LEEWAY_SECONDS": leeway})
