"""OpenID Provider metadata (OIDC Discovery 1.0 §3) and RFC 8414 authorization server metadata."""
from urllib.parse import urlsplit

import pytest

from oidc_helpers import discovery, jwks

REQUIRED = ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "response_types_supported",
            "subject_types_supported", "id_token_signing_alg_values_supported"]
ENDPOINTS = ["authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri",
             "introspection_endpoint", "revocation_endpoint", "end_session_endpoint",
             "device_authorization_endpoint"]


def test_openid_configuration_required_fields(srv):
    r = srv.get("/.well-known/openid-configuration")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    d = r.json()
    assert "success" not in d, "standard metadata must not be wrapped in the API envelope"
    for k in REQUIRED:
        assert k in d, f"missing {k}"
    assert d["issuer"] == srv.base
    assert not d["issuer"].endswith("/")


def test_metadata_values(srv):
    d = discovery(srv)
    assert "code" in d["response_types_supported"]
    assert "token" not in d["response_types_supported"]
    assert "public" in d["subject_types_supported"]
    assert "RS256" in d["id_token_signing_alg_values_supported"], "RS256 is mandatory (OIDC Core §15.1)"
    assert "none" not in d["id_token_signing_alg_values_supported"]
    assert d["code_challenge_methods_supported"] == ["S256"]
    assert "openid" in d["scopes_supported"]
    for g in ("authorization_code", "refresh_token", "client_credentials",
              "urn:ietf:params:oauth:grant-type:device_code"):
        assert g in d["grant_types_supported"]
    assert "password" not in d["grant_types_supported"], "the password grant is off by default"
    for m in ("client_secret_basic", "client_secret_post", "private_key_jwt"):
        assert m in d["token_endpoint_auth_methods_supported"]
    assert set(d["response_modes_supported"]) >= {"query", "form_post"}
    assert d["authorization_response_iss_parameter_supported"] is True
    for c in ("sub", "iss", "aud", "exp", "iat", "nonce", "email"):
        assert c in d["claims_supported"]


def test_endpoints_are_under_issuer_and_resolve(srv):
    d = discovery(srv)
    for k in ENDPOINTS:
        assert k in d, f"missing {k}"
        assert d[k].startswith(d["issuer"] + "/"), (k, d[k])
    # Each endpoint exists on this server (no 404 / 405 for its natural method).
    path = lambda k: urlsplit(d[k]).path  # noqa: E731
    assert srv.get(path("jwks_uri")).status_code == 200
    r = srv.get(path("authorization_endpoint"))
    assert r.status_code == 400 and "text/html" in r.headers["Content-Type"]  # no client_id: error page
    for k in ("token_endpoint", "introspection_endpoint", "revocation_endpoint", "device_authorization_endpoint"):
        r = srv.post(path(k), data={})  # no body, no Content-Type
        assert r.status_code == 400 and r.json()["error"] == "invalid_request", (k, r.status_code, r.text)
        assert "error" in r.json(), (k, r.text)
    r = srv.get(path("userinfo_endpoint"))
    assert r.status_code == 401
    assert r.headers.get("WWW-Authenticate", "").startswith("Bearer")
    r = srv.get(path("end_session_endpoint"))
    assert r.status_code == 200 and "text/html" in r.headers["Content-Type"]


def test_jwks_has_signing_keys_for_advertised_algs(srv):
    d = discovery(srv)
    keys = jwks(srv)["keys"]
    algs = {k.get("alg") for k in keys}
    kty = {k["kty"] for k in keys}
    assert "RSA" in kty
    for a in d["id_token_signing_alg_values_supported"]:
        assert a in algs, f"no JWKS key for advertised alg {a}: {algs}"
    for k in keys:
        assert k.get("kid")
        for private in ("d", "p", "q", "dp", "dq", "qi"):
            assert private not in k


def test_oauth_authorization_server_metadata(srv):
    r = srv.get("/.well-known/oauth-authorization-server")
    assert r.status_code == 200
    d = r.json()
    assert d["issuer"] == srv.base
    for k in ("authorization_endpoint", "token_endpoint", "jwks_uri", "response_types_supported",
              "introspection_endpoint", "revocation_endpoint", "code_challenge_methods_supported"):
        assert k in d, f"missing {k}"
    assert d == discovery(srv)


@pytest.mark.parametrize("path", ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"])
def test_metadata_only_get(srv, path):
    r = srv.post(path, data={})
    assert r.status_code == 405 and r.headers["Allow"] == "GET", r.status_code


def test_configured_issuer_is_used(server_factory):
    s = server_factory(env={"GATEHOUSE_ISSUER": "https://id.example.test/"})
    d = discovery(s)
    assert d["issuer"] == "https://id.example.test"
    for k in ENDPOINTS:
        assert d[k].startswith("https://id.example.test/"), (k, d[k])
