"""Refusals: authorization request errors (RFC 6749 §4.1.2.1), token endpoint errors (§5.2),
code and refresh token replay, PKCE, algorithm confusion, duplicate parameters."""
import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from oidc_helpers import (REDIRECT, REDIRECT2, Browser, assert_oauth_error, auth_params, authorize, b64u, basic,
                          cc_client, cli_client, code_tokens, exchange, introspect, jwks, new_user, pkce_pair,
                          query_of, refresh, token_raw, unverified, userinfo)


@pytest.fixture(scope="module")
def rp(srv):
    return cli_client(srv, redirect_uris=(REDIRECT, REDIRECT2))


@pytest.fixture(scope="module")
def public_rp(srv):
    return cli_client(srv, public=True, redirect_uris=("http://127.0.0.1:8765/cb",))


@pytest.fixture(scope="module")
def rs(srv):
    """Resource server client used to introspect."""
    return cc_client(srv, scopes="api.read")


@pytest.fixture(scope="module")
def user(srv):
    return new_user(srv)


def assert_error_page(r, error=None):
    assert r.status_code == 400, (r.status_code, r.headers, r.text[:300])
    assert "Location" not in r.headers, "must not redirect to an unverified redirect_uri"
    assert r.headers["Content-Type"].startswith("text/html")
    if error:
        assert f"<code>{error}</code>" in r.text, r.text


def redirect_error(r, error, state=None, base=REDIRECT):
    assert r.status_code == 302, (r.status_code, r.text[:300])
    loc = r.headers["Location"]
    assert loc.startswith(base + "?"), loc
    p = query_of(loc)
    assert p.get("error") == error, p
    assert "code" not in p
    if state is not None:
        assert p.get("state") == state
    return p


# ------------------------------------------------------------------ authorization endpoint


def test_unregistered_redirect_uri(srv, rp):
    for uri in ("https://evil.example/cb", REDIRECT + "/", REDIRECT + "?x=1", REDIRECT.upper(),
                "https://rp.example.test/cb/../cb"):
        params, _ = auth_params(rp, redirect_uri=uri)
        assert_error_page(Browser(srv).get("/oauth2/authorize", params=params), "invalid_request")


def test_missing_redirect_uri_with_several_registered(srv, rp):
    params, _ = auth_params(rp)
    del params["redirect_uri"]
    assert_error_page(Browser(srv).get("/oauth2/authorize", params=params))


def test_unknown_client(srv, rp):
    params, _ = auth_params(rp)
    params["client_id"] = "no-such-client"
    assert_error_page(Browser(srv).get("/oauth2/authorize", params=params), "invalid_client")
    del params["client_id"]
    assert_error_page(Browser(srv).get("/oauth2/authorize", params=params))


def test_unregistered_redirect_even_when_signed_in(srv, rp, user):
    browser = Browser(srv)
    code_tokens(srv, rp, user, browser=browser)
    params, _ = auth_params(rp, redirect_uri="https://evil.example/cb", prompt="none")
    assert_error_page(browser.get("/oauth2/authorize", params=params))


@pytest.mark.parametrize("rt", ["token", "id_token", "code id_token", "code token", ""])
def test_unsupported_response_type(srv, rp, rt):
    params, _ = auth_params(rp, response_type=rt)
    r = Browser(srv).get("/oauth2/authorize", params=params)
    p = redirect_error(r, "unsupported_response_type" if rt else "unsupported_response_type", params["state"])
    assert p["iss"] == srv.base


def test_plain_pkce_refused(srv, rp):
    params, verifier = auth_params(rp)
    params["code_challenge"] = verifier
    params["code_challenge_method"] = "plain"
    redirect_error(Browser(srv).get("/oauth2/authorize", params=params), "invalid_request", params["state"])


def test_pkce_challenge_without_method_refused(srv, rp):
    """RFC 7636 §4.3: a missing method means plain, which this server does not support."""
    params, _ = auth_params(rp)
    del params["code_challenge_method"]
    redirect_error(Browser(srv).get("/oauth2/authorize", params=params), "invalid_request", params["state"])


def test_public_client_requires_pkce(srv, public_rp):
    params, _ = auth_params(public_rp, redirect_uri="http://127.0.0.1:8765/cb", pkce=False)
    redirect_error(Browser(srv).get("/oauth2/authorize", params=params), "invalid_request", params["state"],
                   base="http://127.0.0.1:8765/cb")


def test_scope_not_allowed(srv, rp):
    params, _ = auth_params(rp, scope="openid admin")
    redirect_error(Browser(srv).get("/oauth2/authorize", params=params), "invalid_scope", params["state"])


def test_unknown_prompt(srv, rp):
    params, _ = auth_params(rp, prompt="bogus")
    redirect_error(Browser(srv).get("/oauth2/authorize", params=params), "invalid_request", params["state"])


def test_duplicate_authorization_parameters(srv, rp):
    params, _ = auth_params(rp)
    q = urlencode(params) + "&" + urlencode({"scope": "openid"})
    r = Browser(srv).get("/oauth2/authorize?" + q)
    # RFC 6749 §3.1: parameters must not repeat. The request cannot be parsed, so its
    # redirect_uri is not trusted: an error page, not a redirect.
    assert r.status_code == 400 and "Location" not in r.headers, r.status_code
    if r.status_code == 302:
        redirect_error(r, "invalid_request")
    else:
        assert_error_page(r, "invalid_request")
    q = urlencode(params) + "&" + urlencode({"redirect_uri": REDIRECT2})
    assert_error_page(Browser(srv).get("/oauth2/authorize?" + q), "invalid_request")


def test_authorize_post_with_wrong_content_type(srv, rp):
    params, _ = auth_params(rp)
    r = Browser(srv).post("/oauth2/authorize", json=params)
    assert_error_page(r)


@pytest.mark.parametrize("param, error", [("request", "request_not_supported"),
                                          ("request_uri", "request_uri_not_supported")])
def test_request_objects_refused(srv, rp, user, param, error):
    browser = Browser(srv)
    code_tokens(srv, rp, user, browser=browser)
    value = "eyJhbGciOiJub25lIn0.eyJzY29wZSI6Im9wZW5pZCJ9." if param == "request" else "https://rp.example.test/r"
    params, _ = auth_params(rp, **{param: value})
    redirect_error(browser.get("/oauth2/authorize", params=params), error, params["state"])


def test_error_description_charset(srv, rp):
    """RFC 6749 §4.1.2.1 / §5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E
    (printable ASCII without '"' and '\\')."""
    params, _ = auth_params(rp, scope='openid "\u00e9vil\\"')
    p = redirect_error(Browser(srv).get("/oauth2/authorize", params=params), "invalid_scope", params["state"])
    desc = p.get("error_description", "")
    bad = [c for c in desc if not (0x20 <= ord(c) <= 0x7E) or c in '"\\']
    assert not bad, f"error_description {desc!r} has characters outside the RFC 6749 set: {bad}"


# ------------------------------------------------------------------ client authentication


def test_wrong_client_secret(srv, rp, user):
    params, verifier = auth_params(rp)
    code = authorize(Browser(srv), params, user).code
    bad = {**rp, "client_secret": rp["client_secret"] + "x"}
    r = exchange(srv, bad, code, verifier)
    body = assert_oauth_error(r, "invalid_client", 401)
    assert r.headers["WWW-Authenticate"].lower().startswith("basic"), r.headers
    assert "access_token" not in body
    # client_secret_post with the wrong secret (for a basic client: wrong method as well)
    r = token_raw(srv, {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                        "code_verifier": verifier, "client_id": rp["client_id"], "client_secret": "nope"})
    assert_oauth_error(r, "invalid_client", 401)
    # unknown client
    r = token_raw(srv, {"grant_type": "client_credentials"}, auth=("no-such-client", "x"))
    assert_oauth_error(r, "invalid_client", 401)
    # no authentication at all for a confidential client
    r = token_raw(srv, {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                        "code_verifier": verifier, "client_id": rp["client_id"]})
    assert_oauth_error(r, "invalid_client", 401)
    # The code was not consumed by the failed attempts.
    assert exchange(srv, rp, code, verifier).status_code == 200


def test_basic_and_body_client_id_conflict(srv, rp):
    other = cli_client(srv)
    r = srv.post("/oauth2/token", auth=basic(rp), data={"grant_type": "client_credentials",
                                                          "client_id": other["client_id"]})
    assert_oauth_error(r, "invalid_request", 400)
    assert r.json()["error"] in ("invalid_request", "invalid_client")


def test_two_authentication_methods(srv, rp):
    r = srv.post("/oauth2/token", auth=basic(rp), data={"grant_type": "client_credentials",
                                                          "client_id": rp["client_id"],
                                                          "client_secret": rp["client_secret"]})
    assert_oauth_error(r, "invalid_request")


def test_public_client_cannot_use_confidential_endpoints(srv, public_rp):
    r = srv.post("/oauth2/introspect", data={"token": "x", "client_id": public_rp["client_id"]})
    assert_oauth_error(r, "invalid_client", 401)


# ------------------------------------------------------------------ codes


def test_code_replay(srv, rp, rs, user):
    params, verifier = auth_params(rp)
    code = authorize(Browser(srv), params, user).code
    first = exchange(srv, rp, code, verifier)
    assert first.status_code == 200, first.text
    t = first.json()
    assert introspect(srv, rs, t["access_token"])["active"] is True
    second = exchange(srv, rp, code, verifier)
    assert_oauth_error(second, "invalid_grant")
    # RFC 6749 §4.1.2 / RFC 9700: tokens issued from the replayed code are revoked.
    assert introspect(srv, rs, t["access_token"])["active"] is False
    assert introspect(srv, rs, t["refresh_token"])["active"] is False
    assert userinfo(srv, t["access_token"]).status_code == 401
    assert_oauth_error(refresh(srv, rp, t["refresh_token"]), "invalid_grant")


def test_concurrent_code_exchange(srv, rp, user):
    from authz_helpers import parallel
    params, verifier = auth_params(rp)
    code = authorize(Browser(srv), params, user).code
    results = parallel(lambda: exchange(srv, rp, code, verifier), n=6)
    assert sum(r.status_code == 200 for r in results) == 1, [(r.status_code, r.text[:60]) for r in results]
    for r in results:
        if r.status_code != 200:
            assert_oauth_error(r, "invalid_grant")


def test_pkce_mismatch(srv, rp, user):
    params, verifier = auth_params(rp)
    code = authorize(Browser(srv), params, user).code
    other, _ = pkce_pair()
    assert_oauth_error(exchange(srv, rp, code, other), "invalid_grant")


def test_pkce_verifier_missing(srv, rp, user):
    params, verifier = auth_params(rp)
    code = authorize(Browser(srv), params, user).code
    assert_oauth_error(exchange(srv, rp, code, None), "invalid_grant")


def test_pkce_verifier_too_short(srv, rp, user):
    """RFC 7636 §4.1: 43..128 characters, even when the S256 of it matches."""
    import hashlib
    verifier = "a" * 42
    params, _ = auth_params(rp, pkce=False, code_challenge=b64u(hashlib.sha256(verifier.encode()).digest()),
                            code_challenge_method="S256")
    code = authorize(Browser(srv), params, user).code
    assert_oauth_error(exchange(srv, rp, code, verifier), "invalid_grant")


def test_pkce_verifier_without_challenge(srv, rp, user):
    params, _ = auth_params(rp, pkce=False)
    code = authorize(Browser(srv), params, user).code
    verifier, _ = pkce_pair()
    assert_oauth_error(exchange(srv, rp, code, verifier), "invalid_grant")


def test_redirect_uri_mismatch_at_token(srv, rp, user):
    params, verifier = auth_params(rp)
    code = authorize(Browser(srv), params, user).code
    assert_oauth_error(exchange(srv, rp, code, verifier, redirect_uri=REDIRECT2), "invalid_grant")
    params, verifier = auth_params(rp)
    code = authorize(Browser(srv), params, user).code
    r = token_raw(srv, {"grant_type": "authorization_code", "code": code, "code_verifier": verifier},
                  auth=basic(rp))
    assert_oauth_error(r, "invalid_grant")


def test_code_of_another_client(srv, rp, user):
    other = cli_client(srv)
    params, verifier = auth_params(rp)
    code = authorize(Browser(srv), params, user).code
    assert_oauth_error(exchange(srv, other, code, verifier), "invalid_grant")
    assert exchange(srv, rp, code, verifier).status_code == 200


def test_unknown_code(srv, rp):
    assert_oauth_error(exchange(srv, rp, "not-a-code", pkce_pair()[0]), "invalid_grant")
    r = token_raw(srv, {"grant_type": "authorization_code", "redirect_uri": REDIRECT}, auth=basic(rp))
    assert_oauth_error(r, "invalid_request")


def test_expired_code(server_factory):
    s = server_factory(env={"GATEHOUSE_OAUTH_CODE_TTL": "10"})
    c = cli_client(s)
    params, verifier = auth_params(c)
    code = authorize(Browser(s), params, new_user(s)).code
    time.sleep(11.5)
    assert_oauth_error(exchange(s, c, code, verifier), "invalid_grant")


# ------------------------------------------------------------------ refresh


def test_refresh_reuse_revokes_family(srv, rp, rs, user):
    t = code_tokens(srv, rp, user)
    r1 = refresh(srv, rp, t["refresh_token"])
    assert r1.status_code == 200, r1.text
    n1 = r1.json()
    assert n1["refresh_token"] != t["refresh_token"]
    assert introspect(srv, rs, n1["access_token"])["active"] is True
    assert introspect(srv, rs, n1["refresh_token"])["active"] is True
    # Replay of the rotated token: refused, and the whole family dies.
    assert_oauth_error(refresh(srv, rp, t["refresh_token"]), "invalid_grant")
    assert introspect(srv, rs, n1["access_token"])["active"] is False
    assert introspect(srv, rs, n1["refresh_token"])["active"] is False
    assert introspect(srv, rs, t["access_token"])["active"] is False
    assert_oauth_error(refresh(srv, rp, n1["refresh_token"]), "invalid_grant")


def test_refresh_scope_widening(srv, rp, user):
    t = code_tokens(srv, rp, user, scope="openid email offline_access")
    assert_oauth_error(refresh(srv, rp, t["refresh_token"], scope="openid email profile offline_access"),
                       "invalid_scope")


def test_refresh_scope_narrowing(srv, rp, user):
    t = code_tokens(srv, rp, user)
    r = refresh(srv, rp, t["refresh_token"], scope="openid email")
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "openid email"


def test_refresh_token_of_another_client(srv, rp, user):
    other = cli_client(srv)
    t = code_tokens(srv, rp, user)
    assert_oauth_error(refresh(srv, other, t["refresh_token"]), "invalid_grant")
    assert refresh(srv, rp, t["refresh_token"]).status_code == 200


# ------------------------------------------------------------------ forged tokens


def forge(token: str, header: dict, key: bytes | None) -> str:
    claims = unverified(token)
    h = b64u(json.dumps(header, separators=(",", ":")).encode())
    p = b64u(json.dumps(claims, separators=(",", ":")).encode())
    if key is None:
        return f"{h}.{p}."
    sig = hmac.new(key, f"{h}.{p}".encode(), hashlib.sha256).digest()
    return f"{h}.{p}.{b64u(sig)}"


def rsa_public_pem(srv) -> tuple[str, bytes]:
    k = [k for k in jwks(srv)["keys"] if k["kty"] == "RSA"][0]
    pub = jwt.PyJWK(k).key
    return k["kid"], pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def assert_refused(srv, rs, token):
    r = userinfo(srv, token)
    assert r.status_code == 401, r.text
    assert r.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    assert introspect(srv, rs, token)["active"] is False


def test_hs256_signed_with_rsa_public_key(srv, rp, rs, user):
    t = code_tokens(srv, rp, user)
    kid, pem = rsa_public_pem(srv)
    for key in (pem, pem.strip()):
        assert_refused(srv, rs, forge(t["access_token"], {"alg": "HS256", "kid": kid, "typ": "at+jwt"}, key))
    es_kid = jwt.get_unverified_header(t["access_token"])["kid"]
    es = [k for k in jwks(srv)["keys"] if k["kid"] == es_kid][0]
    assert_refused(srv, rs, forge(t["access_token"], {"alg": "HS256", "kid": es_kid, "typ": "at+jwt"},
                                  json.dumps(es).encode()))


def test_alg_none(srv, rp, rs, user):
    t = code_tokens(srv, rp, user)
    kid = jwt.get_unverified_header(t["access_token"])["kid"]
    for alg in ("none", "None", "NONE"):
        assert_refused(srv, rs, forge(t["access_token"], {"alg": alg, "kid": kid, "typ": "at+jwt"}, None))
        assert_refused(srv, rs, forge(t["access_token"], {"alg": alg, "typ": "at+jwt"}, None))


def test_tampered_access_token(srv, rp, rs, user):
    t = code_tokens(srv, rp, user)
    h, p, s = t["access_token"].split(".")
    claims = unverified(t["access_token"])
    claims["scope"] = "openid profile email admin"
    p2 = b64u(json.dumps(claims).encode())
    assert_refused(srv, rs, f"{h}.{p2}.{s}")


def test_id_token_is_not_an_access_token(srv, rp, rs, user):
    t = code_tokens(srv, rp, user)
    assert_refused(srv, rs, t["id_token"])


def test_rsa_signed_token_with_wrong_typ(srv, rp, rs, user):
    """An ID token header says typ JWT: userinfo must not take it even though it is signed here."""
    t = code_tokens(srv, rp, user)
    assert jwt.get_unverified_header(t["id_token"]).get("typ") != "at+jwt"
    assert userinfo(srv, t["id_token"]).status_code == 401


# ------------------------------------------------------------------ token endpoint requests


def test_unsupported_grant_type(srv, rp):
    for g in ("implicit", "urn:ietf:params:oauth:grant-type:jwt-bearer", "magic"):
        assert_oauth_error(token_raw(srv, {"grant_type": g}, auth=basic(rp)), "unsupported_grant_type")


def test_missing_grant_type(srv, rp):
    assert_oauth_error(token_raw(srv, {}, auth=basic(rp)), "invalid_request")


def test_grant_not_allowed_for_client(srv, rp):
    assert_oauth_error(token_raw(srv, {"grant_type": "client_credentials"}, auth=basic(rp)), "unauthorized_client")


def test_password_grant_disabled_by_default(srv, user):
    c = cli_client(srv, grants=("authorization_code", "password"))
    r = token_raw(srv, {"grant_type": "password", "username": user.email, "password": user.password,
                        "scope": "openid"}, auth=basic(c))
    body = assert_oauth_error(r, "unsupported_grant_type")
    assert "access_token" not in body


def test_password_grant_when_enabled(server_factory):
    s = server_factory(env={"GATEHOUSE_OAUTH_PASSWORD_GRANT": "true"})
    c = cli_client(s, grants=("password",), redirect_uris=())
    u = new_user(s)
    r = token_raw(s, {"grant_type": "password", "username": u.email, "password": u.password, "scope": "openid"},
                  auth=basic(c))
    assert r.status_code == 200, r.text
    assert unverified(r.json()["access_token"])["sub"] == u.id
    r = token_raw(s, {"grant_type": "password", "username": u.email, "password": "wrong", "scope": "openid"},
                  auth=basic(c))
    assert_oauth_error(r, "invalid_grant")


def test_duplicate_token_parameters(srv, rp, user):
    params, verifier = auth_params(rp)
    code = authorize(Browser(srv), params, user).code
    body = urlencode({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                      "code_verifier": verifier}) + "&" + urlencode({"code": code})
    r = srv.post("/oauth2/token", data=body, auth=basic(rp),
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_oauth_error(r, "invalid_request")
    body = urlencode([("grant_type", "authorization_code"), ("grant_type", "client_credentials")])
    r = srv.post("/oauth2/token", data=body, auth=basic(rp),
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_oauth_error(r, "invalid_request")
    # The code is still good.
    assert exchange(srv, rp, code, verifier).status_code == 200


def test_json_body_refused(srv, rp):
    r = srv.post("/oauth2/token", json={"grant_type": "client_credentials"}, auth=basic(rp))
    assert_oauth_error(r, "invalid_request")


def test_token_get_not_allowed(srv, rp):
    r = srv.get("/oauth2/token", params={"grant_type": "client_credentials"}, auth=basic(rp))
    assert r.status_code == 405 and r.headers["Allow"] == "POST"


def test_error_responses_not_cacheable(srv, rp):
    r = token_raw(srv, {"grant_type": "magic"}, auth=basic(rp))
    assert r.headers.get("Cache-Control") == "no-store"
    assert r.headers["Content-Type"].startswith("application/json")
