"""OAuth client registration: admin API /api/v1/admin/clients and `gatehouse client ...`."""
import pytest

from authz_helpers import new_actor, new_admin
from ghtest import API, assert_envelope_ok, assert_error
from oidc_helpers import (REDIRECT, REDIRECT2, assert_oauth_error, basic, cc_client, cc_token,
                          cli_client, code_tokens, introspect, new_user, refresh, token_raw)

CLIENT_FIELDS = {"client_id", "name", "public", "redirect_uris", "post_logout_redirect_uris", "grant_types",
                 "scopes", "token_endpoint_auth_method", "first_party", "access_token_ttl",
                 "refresh_token_ttl", "id_token_ttl", "id_token_signed_response_alg", "created_at", "updated_at"}


@pytest.fixture(scope="module")
def admin(srv):
    return new_admin(srv)


@pytest.fixture(scope="module")
def introspector(srv):
    """A resource server client that introspects other clients' tokens."""
    return cc_client(srv, scopes="api.read")


def create(admin, **body):
    body.setdefault("name", "rp-test")
    return admin.post(f"{API}/admin/clients", json=body)


def created(admin, **body) -> dict:
    return assert_envelope_ok(create(admin, **body), 201)["data"]


def cc_body(**extra):
    return {"name": "svc", "grant_types": ["client_credentials"], "scopes": ["api.read"], **extra}


# ------------------------------------------------------------------ admin API


def test_create_shows_secret_once(srv, admin):
    c = created(admin, name="Orders RP", redirect_uris=[REDIRECT, REDIRECT2],
                grant_types=["authorization_code", "refresh_token"], scopes=["openid", "email"])
    assert CLIENT_FIELDS <= set(c), CLIENT_FIELDS - set(c)
    assert c["name"] == "Orders RP"
    assert c["public"] is False
    assert c["redirect_uris"] == [REDIRECT, REDIRECT2]
    assert c["grant_types"] == ["authorization_code", "refresh_token"]
    assert c["scopes"] == ["openid", "email"]
    assert c["token_endpoint_auth_method"] == "client_secret_basic"
    assert c["id_token_signed_response_alg"] == "RS256"
    assert isinstance(c["client_secret"], str) and len(c["client_secret"]) >= 32
    got = assert_envelope_ok(admin.get(f"{API}/admin/clients/{c['client_id']}"))["data"]
    assert "client_secret" not in got and "secret_hash" not in got
    assert {k: v for k, v in c.items() if k != "client_secret"} == got
    listed = assert_envelope_ok(admin.get(f"{API}/admin/clients"))["data"]
    mine = [x for x in listed if x["client_id"] == c["client_id"]]
    assert mine == [got]
    for x in listed:
        assert "client_secret" not in x and "secret_hash" not in x
    assert c["client_secret"] not in admin.get(f"{API}/admin/clients").text


def test_defaults(srv, admin):
    c = created(admin, redirect_uris=[REDIRECT])
    assert c["grant_types"] == ["authorization_code"]
    assert set(c["scopes"]) >= {"openid"}
    assert c["first_party"] is False


def test_public_client_has_no_secret(srv, admin):
    c = created(admin, public=True, redirect_uris=["http://127.0.0.1:8765/callback"])
    assert c["public"] is True
    assert c["client_secret"] is None
    assert c["token_endpoint_auth_method"] == "none"
    r = admin.post(f"{API}/admin/clients/{c['client_id']}/rotate-secret")
    assert_error(r, 400)


def test_patch(srv, admin):
    c = created(admin, redirect_uris=[REDIRECT])
    r = admin.patch(f"{API}/admin/clients/{c['client_id']}",
                    json={"name": "Renamed", "redirect_uris": [REDIRECT2], "first_party": True,
                          "access_token_ttl": 120, "id_token_signed_response_alg": "ES256"})
    d = assert_envelope_ok(r)["data"]
    assert d["name"] == "Renamed"
    assert d["redirect_uris"] == [REDIRECT2]
    assert d["first_party"] is True
    assert d["access_token_ttl"] == 120
    assert d["id_token_signed_response_alg"] == "ES256"
    assert "client_secret" not in d
    got = assert_envelope_ok(admin.get(f"{API}/admin/clients/{c['client_id']}"))["data"]
    assert got == d
    # A partial update keeps the other fields.
    d2 = assert_envelope_ok(admin.patch(f"{API}/admin/clients/{c['client_id']}", json={"name": "Again"}))["data"]
    assert d2["redirect_uris"] == [REDIRECT2] and d2["first_party"] is True and d2["access_token_ttl"] == 120
    # The secret is unchanged by a patch.
    r = token_raw(srv, {"grant_type": "authorization_code", "code": "x", "redirect_uri": REDIRECT2}, auth=basic(c))
    assert_oauth_error(r, "invalid_grant")


def test_patch_validation(srv, admin):
    c = created(admin, redirect_uris=[REDIRECT])
    path = f"{API}/admin/clients/{c['client_id']}"
    assert_error(admin.patch(path, json={"public": True}), 400, "VALIDATION_ERROR")
    assert_error(admin.patch(path, json={"redirect_uris": []}), 400, "VALIDATION_ERROR")
    assert_error(admin.patch(path, json={"id_token_signed_response_alg": "none"}), 400, "VALIDATION_ERROR")
    got = assert_envelope_ok(admin.get(path))["data"]
    assert got["redirect_uris"] == [REDIRECT] and got["id_token_signed_response_alg"] == "RS256"


@pytest.mark.parametrize("body, field", [
    ({"grant_types": ["authorization_code"]}, "redirect_uris"),
    ({"public": True, "grant_types": ["client_credentials"]}, "grant_types"),
    ({"redirect_uris": [REDIRECT], "id_token_signed_response_alg": "HS256"}, "id_token_signed_response_alg"),
    ({"redirect_uris": [REDIRECT], "id_token_signed_response_alg": "none"}, "id_token_signed_response_alg"),
    ({"redirect_uris": [REDIRECT], "grant_types": ["implicit"]}, "grant_types"),
    ({"redirect_uris": [REDIRECT + "#frag"]}, "redirect_uris"),
    ({"redirect_uris": ["/relative/cb"]}, "redirect_uris"),
    ({"redirect_uris": ["https://rp.example.test/cb\r\nX-Injected: 1"]}, "redirect_uris"),
    ({"redirect_uris": ["https://rp.example.test/c b"]}, "redirect_uris"),
    ({"redirect_uris": ["javascript://rp.example.test/%0aalert(1)"]}, "redirect_uris"),
    ({"redirect_uris": ["data:text/html,hi"]}, "redirect_uris"),
    ({"redirect_uris": ["https://"]}, "redirect_uris"),
    ({"redirect_uris": ["http://127.0.0.1:1@evil.example/cb"]}, "redirect_uris"),
    ({"redirect_uris": ["http://localhost:80@evil.example/cb"]}, "redirect_uris"),
    ({"redirect_uris": ["https://user:pw@rp.example.test/cb"]}, "redirect_uris"),
    ({"redirect_uris": ["http://127.0.0.1.evil.example/cb"]}, "redirect_uris"),
    ({"redirect_uris": [REDIRECT], "access_token_ttl": 86401}, "access_token_ttl"),
    ({"redirect_uris": [REDIRECT], "post_logout_redirect_uris": ["javascript://x/%0aalert(1)"]},
     "post_logout_redirect_uris"),
    ({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none"}, "token_endpoint_auth_method"),
    ({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "client_secret_jwt"}, "token_endpoint_auth_method"),
    ({"redirect_uris": [REDIRECT], "token_endpoint_auth_method": "private_key_jwt"}, "jwks"),
    ({"redirect_uris": [REDIRECT], "access_token_ttl": 1}, None),
    ({"name": "", "redirect_uris": [REDIRECT]}, "name"),
    ({"redirect_uris": "not-a-list-of-uris#x"}, "redirect_uris"),
], ids=["code-without-redirect", "public-cc", "alg-hs256", "alg-none", "unknown-grant", "fragment",
        "relative", "crlf", "space", "javascript-scheme", "data-scheme", "no-host",
        "userinfo-loopback-ip", "userinfo-localhost", "userinfo-https", "loopback-lookalike", "access-ttl-over-a-day", "javascript-post-logout",
        "confidential-none", "unknown-method", "pkjwt-without-jwks", "ttl", "empty-name",
        "bad-uri-string"])
def test_create_validation(srv, admin, body, field):
    before = len(assert_envelope_ok(admin.get(f"{API}/admin/clients"))["data"])
    r = create(admin, **body)
    b = assert_error(r, 400, "VALIDATION_ERROR")
    if field:
        assert field in b["error"]["details"], b
    after = len(assert_envelope_ok(admin.get(f"{API}/admin/clients"))["data"])
    assert after == before, "a rejected client must not be stored"


def test_native_app_redirect_uris(srv, admin):
    """RFC 8252: loopback and private-use URI scheme redirects (§7.1 example:
    com.example.app:/oauth2redirect/example-provider, a single slash)."""
    c = created(admin, public=True, redirect_uris=["http://127.0.0.1/cb", "com.example.app://cb",
                                                   "com.example.app:/oauth2redirect/example-provider"])
    assert "com.example.app:/oauth2redirect/example-provider" in c["redirect_uris"]


def test_create_requires_name(srv, admin):
    r = admin.post(f"{API}/admin/clients", json={"redirect_uris": [REDIRECT]})
    assert_error(r, 400, "VALIDATION_ERROR")


def test_non_admin_forbidden(srv, admin):
    c = created(admin, redirect_uris=[REDIRECT])
    user = new_actor(srv)
    path = f"{API}/admin/clients"
    one = f"{path}/{c['client_id']}"
    assert_error(user.get(path), 403)
    assert_error(user.post(path, json={"name": "x", "redirect_uris": [REDIRECT]}), 403)
    assert_error(user.get(one), 403)
    assert_error(user.patch(one, json={"name": "hijacked"}), 403)
    assert_error(user.post(f"{one}/rotate-secret"), 403)
    assert_error(user.delete(one), 403)
    for method, p in (("GET", path), ("POST", path), ("GET", one), ("DELETE", one), ("POST", f"{one}/rotate-secret")):
        assert_error(srv.request(method, p, json={} if method == "POST" else None), 401)
    got = assert_envelope_ok(admin.get(one))["data"]
    assert got["name"] == c["name"]


def test_unknown_client_404(srv, admin):
    one = f"{API}/admin/clients/no-such-client"
    assert_error(admin.get(one), 404)
    assert_error(admin.patch(one, json={"name": "x"}), 404)
    assert_error(admin.delete(one), 404)
    assert_error(admin.post(f"{one}/rotate-secret"), 404)


def test_rotate_secret_invalidates_old(srv, admin):
    c = created(admin, **cc_body())
    cc_token(srv, c)
    r = admin.post(f"{API}/admin/clients/{c['client_id']}/rotate-secret")
    d = assert_envelope_ok(r)["data"]
    new_secret = d["client_secret"]
    assert new_secret and new_secret != c["client_secret"]
    r = token_raw(srv, {"grant_type": "client_credentials"}, auth=basic(c))
    assert_oauth_error(r, "invalid_client", 401)
    cc_token(srv, {**c, "client_secret": new_secret})
    got = assert_envelope_ok(admin.get(f"{API}/admin/clients/{c['client_id']}"))["data"]
    assert "client_secret" not in got


def test_delete(srv, admin):
    c = created(admin, **cc_body())
    cc_token(srv, c)
    r = admin.delete(f"{API}/admin/clients/{c['client_id']}")
    assert assert_envelope_ok(r)["data"]["client_id"] == c["client_id"]
    assert_error(admin.get(f"{API}/admin/clients/{c['client_id']}"), 404)
    assert_error(admin.delete(f"{API}/admin/clients/{c['client_id']}"), 404)
    listed = assert_envelope_ok(admin.get(f"{API}/admin/clients"))["data"]
    assert c["client_id"] not in {x["client_id"] for x in listed}
    r = token_raw(srv, {"grant_type": "client_credentials"}, auth=basic(c))
    assert_oauth_error(r, "invalid_client", 401)


def test_deleted_client_user_tokens_inactive(srv, admin, introspector):
    c = created(admin, redirect_uris=[REDIRECT], grant_types=["authorization_code", "refresh_token"],
                scopes=["openid", "profile", "email", "offline_access"])
    t = code_tokens(srv, c, new_user(srv))
    assert introspect(srv, introspector, t["refresh_token"])["active"] is True
    assert_envelope_ok(admin.delete(f"{API}/admin/clients/{c['client_id']}"))
    # Never introspected before the delete: nothing cached.
    assert introspect(srv, introspector, t["access_token"])["active"] is False
    assert introspect(srv, introspector, t["refresh_token"])["active"] is False
    assert_oauth_error(refresh(srv, c, t["refresh_token"]), "invalid_client", 401)


def test_deleted_client_tokens_inactive_even_if_recently_checked(srv, admin, introspector):
    """Deleting a client revokes its grants: a token introspected a moment before the delete
    must not stay active out of a verification cache."""
    c = created(admin, redirect_uris=[REDIRECT], grant_types=["authorization_code"],
                scopes=["openid", "profile"])
    t = code_tokens(srv, c, new_user(srv), scope="openid profile")
    assert introspect(srv, introspector, t["access_token"])["active"] is True
    assert_envelope_ok(admin.delete(f"{API}/admin/clients/{c['client_id']}"))
    assert introspect(srv, introspector, t["access_token"])["active"] is False
    r = srv.get("/oauth2/userinfo", headers={"Authorization": f"Bearer {t['access_token']}"})
    assert r.status_code == 401, r.text


def test_deleted_client_credentials_tokens_inactive(srv, admin, introspector):
    """client_credentials tokens of a deleted client must stop introspecting active."""
    c = created(admin, **cc_body())
    tok = cc_token(srv, c)["access_token"]
    assert_envelope_ok(admin.delete(f"{API}/admin/clients/{c['client_id']}"))
    assert introspect(srv, introspector, tok)["active"] is False


# ------------------------------------------------------------------ CLI


def cli_list(srv) -> list:
    return srv.cli_json("client", "list", "--json")


def test_cli_create_list_update(srv, admin):
    c = cli_client(srv, name="cli-rp", grants=("authorization_code",), scopes="openid email",
                   post_logout=("https://rp.example.test/bye",), id_token_alg="EdDSA",
                   extra=("--access-token-ttl", "300"))
    assert c["client_secret"]
    assert c["name"] == "cli-rp"
    assert c["scopes"] == ["openid", "email"]
    assert c["post_logout_redirect_uris"] == ["https://rp.example.test/bye"]
    assert c["id_token_signed_response_alg"] == "EdDSA"
    assert c["access_token_ttl"] == 300
    listed = [x for x in cli_list(srv) if x["client_id"] == c["client_id"]]
    assert len(listed) == 1 and "client_secret" not in listed[0]
    r = srv.cli("client", "list")
    assert r.returncode == 0 and c["client_id"] in r.stdout and c["client_secret"] not in r.stdout
    u = srv.cli_json("client", "update", c["client_id"], "--name", "cli-rp-2", "--redirect-uri", REDIRECT2,
                     "--first-party", "--json")
    assert u["name"] == "cli-rp-2" and u["redirect_uris"] == [REDIRECT2] and u["first_party"] is True
    assert u["scopes"] == ["openid", "email"]  # untouched
    got = assert_envelope_ok(admin.get(f"{API}/admin/clients/{c['client_id']}"))["data"]
    assert got["name"] == "cli-rp-2" and got["redirect_uris"] == [REDIRECT2]


def test_cli_human_output_shows_secret_once(srv):
    r = srv.cli("client", "create", "--name", "human", "--redirect-uri", REDIRECT, check=True)
    assert "client_id:" in r.stdout and "client_secret:" in r.stdout
    cid = r.stdout.split("client_id:")[1].split()[0]
    secret = r.stdout.split("client_secret:")[1].split()[0]
    assert cid and secret
    listing = srv.cli("client", "list", check=True).stdout + srv.cli("client", "list", "--json", check=True).stdout
    assert cid in listing and secret not in listing


@pytest.mark.parametrize("args", [
    ["--grant", "authorization_code"],
    ["--public", "--grant", "client_credentials"],
    ["--redirect-uri", REDIRECT, "--id-token-alg", "HS256"],
    ["--redirect-uri", REDIRECT, "--grant", "implicit"],
], ids=["code-without-redirect", "public-cc", "bad-alg", "unknown-grant"])
def test_cli_validation(srv, args):
    before = len(cli_list(srv))
    r = srv.cli("client", "create", "--name", "bad", *args, "--json")
    assert r.returncode != 0, r.stdout
    assert r.stderr.strip(), "the CLI explains why"
    assert len(cli_list(srv)) == before


def test_cli_public_client(srv):
    c = cli_client(srv, public=True, redirect_uris=("com.example.app://cb",), grants=("authorization_code",))
    assert c["public"] is True and c["client_secret"] is None and c["token_endpoint_auth_method"] == "none"
    r = srv.cli("client", "rotate-secret", c["client_id"], "--json")
    assert r.returncode != 0


def test_cli_rotate_secret(srv):
    c = cc_client(srv, scopes="api.read")
    rot = srv.cli_json("client", "rotate-secret", c["client_id"], "--json")
    assert rot["client_id"] == c["client_id"]
    assert rot["client_secret"] and rot["client_secret"] != c["client_secret"]
    r = token_raw(srv, {"grant_type": "client_credentials"}, auth=basic(c))
    assert_oauth_error(r, "invalid_client", 401)
    cc_token(srv, {**c, "client_secret": rot["client_secret"]})


def test_cli_rotate_secret_while_server_uses_client(srv):
    """The server looked the client up a moment ago; after a CLI rotation (another process)
    the new secret works at once (a cached client that refuses a secret is re-read). The old
    one stops when the cached entry is re-checked, within 30 s (docs/operations.md: CLI
    changes reach a running server within 30 s; the admin API's rotation is immediate, see
    test_rotate_secret_invalidates_old)."""
    c = cc_client(srv, scopes="api.read")
    cc_token(srv, c)
    rot = srv.cli_json("client", "rotate-secret", c["client_id"], "--json")
    cc_token(srv, {**c, "client_secret": rot["client_secret"]})
    # Re-reading the client for the new secret replaced the cached entry: the old one is gone.
    r = token_raw(srv, {"grant_type": "client_credentials"}, auth=basic(c))
    assert_oauth_error(r, "invalid_client", 401)


def test_cli_delete(srv, admin):
    c = cc_client(srv, scopes="api.read")
    d = srv.cli_json("client", "delete", c["client_id"], "--json")
    assert d["client_id"] == c["client_id"] and d["deleted"] is True
    assert c["client_id"] not in {x["client_id"] for x in cli_list(srv)}
    assert_error(admin.get(f"{API}/admin/clients/{c['client_id']}"), 404)
    r = token_raw(srv, {"grant_type": "client_credentials"}, auth=basic(c))
    assert_oauth_error(r, "invalid_client", 401)
    r = srv.cli("client", "delete", c["client_id"], "--json")
    assert r.returncode != 0


def test_cli_delete_revokes_tokens(srv, introspector):
    c = cli_client(srv, grants=("authorization_code", "refresh_token"))
    t = code_tokens(srv, c, new_user(srv))
    srv.cli("client", "delete", c["client_id"], "--json", check=True)
    assert introspect(srv, introspector, t["refresh_token"])["active"] is False
    assert introspect(srv, introspector, t["access_token"])["active"] is False


def test_new_client_usable_immediately(srv, admin):
    c = created(admin, redirect_uris=[REDIRECT], grant_types=["authorization_code"], scopes=["openid"],
                first_party=True)
    t = code_tokens(srv, c, new_user(srv), scope="openid")
    assert t["token_type"] == "Bearer" and "id_token" in t
    assert "refresh_token" not in t  # no refresh_token grant / offline_access


def test_client_ids_never_read_as_options(srv, admin):
    """A client id starting with '-' was taken for an option by the CLI (found by the ASan run:
    `gatehouse client rotate-secret -MiEn…` exited 106). 64 fresh ids: none starts with - or _."""
    ids = [created(admin, **cc_body())["client_id"] for _ in range(64)]
    assert all(i[0].isalnum() and len(i) == 22 for i in ids), ids
