"""Smaller holes of issue 8: device flow throttling (RFC 8628 §5.1-5.2), invitations that
can be revoked and a per-organization invitation budget, __Host- cookies on TLS, and a user's
audit feed that does not show where others acted from."""
import base64

import pytest

from authz_helpers import create_org, new_actor, new_admin
from ghtest import API, ServerError, assert_envelope_ok, assert_error, login, register, strong_password
from oidc_helpers import Browser, assert_oauth_error, basic, cc_client, cli_client, new_user, set_cookies
from test_oidc_device import DEVICE_GRANT, signed_in
from test_orgs import invitation_token, verify_address


def test_device_authorization_is_throttled(server_factory):
    s = server_factory(env={"GATEHOUSE_RATE_LIMIT_DEVICE_IP": "3/60"})
    tv = cli_client(s, name="tv", redirect_uris=(), grants=(DEVICE_GRANT, "refresh_token"))
    codes = [s.post("/oauth2/device_authorization", data={"scope": "openid"}, auth=basic(tv)).status_code
             for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    r = s.post("/oauth2/device_authorization", data={"scope": "openid"}, auth=basic(tv))
    assert r.json()["error"] == "slow_down" and int(r.headers["Retry-After"]) > 0


def test_user_code_guessing_is_throttled(server_factory):
    s = server_factory(env={"GATEHOUSE_RATE_LIMIT_DEVICE_VERIFY": "3/300"})
    b, _ = signed_in(s)
    codes = [b.get("/ui/device", params={"user_code": f"BCDF-GHJ{c}"}).status_code for c in "KLMNP"]
    assert codes[:3] == [400, 400, 400] and codes[3:] == [429, 429], codes
    other, _ = signed_in(s)  # the budget is per signed-in user
    assert other.get("/ui/device", params={"user_code": "BCDF-GHJK"}).status_code == 400


def test_invitation_can_be_revoked(srv):
    owner = new_actor(srv, verified=True)
    org = create_org(owner)
    email = "invitee-" + org["id"][:8] + "@example.test"
    inv = assert_envelope_ok(owner.post(f"{API}/organizations/{org['id']}/invitations", json={"email": email}), 201)["data"]
    token = invitation_token(srv, email)["token"]
    # a foreign pair (another org's id with this invitation) is not found
    other = create_org(owner)
    assert_error(owner.delete(f"{API}/organizations/{other['id']}/invitations/{inv['id']}"), 404)
    # someone without members:invite may not revoke
    assert_error(new_actor(srv, verified=True).delete(f"{API}/organizations/{org['id']}/invitations/{inv['id']}"), 403)
    assert_envelope_ok(owner.delete(f"{API}/organizations/{org['id']}/invitations/{inv['id']}"))
    assert_error(owner.delete(f"{API}/organizations/{org['id']}/invitations/{inv['id']}"), 404)
    srv_rows = srv.db_rows("SELECT action FROM audit_log WHERE action = 'org.invitation_revoked' AND subject_id = ?",
                           (inv["id"],))
    assert srv_rows
    # the link no longer works (for its real owner either)
    pw = strong_password()
    register(srv, email=email, password=pw)
    verify_address(srv, email)
    tok = login(srv, email, pw)["access_token"]
    assert_error(srv.post(f"{API}/invitations/{token}/accept", headers={"Authorization": f"Bearer {tok}"}), 400)


def test_invitations_limited_per_organization(server_factory):
    s = server_factory(env={"GATEHOUSE_RATE_LIMIT_INVITE_ORG": "2/3600"})
    owner = new_actor(s, verified=True)
    org = create_org(owner)
    codes = [owner.post(f"{API}/organizations/{org['id']}/invitations",
                        json={"email": f"x{i}-{org['id'][:6]}@example.test"}).status_code for i in range(4)]
    assert codes == [201, 201, 429, 429]
    assert len([m for m in s.mails() if "invited" in m["headers"]["subject"]]) == 2
    other = create_org(owner)  # another organization has its own budget
    assert owner.post(f"{API}/organizations/{other['id']}/invitations",
                      json={"email": f"y-{org['id'][:6]}@example.test"}).status_code == 201


def test_cookies_use_host_prefix_on_tls(server_factory):
    s = server_factory(env={"GATEHOUSE_ISSUER": "https://login.example.test"})
    r = Browser(s).get("/ui/login")
    names = [c.split("=", 1)[0] for c in set_cookies(r)]
    assert "__Host-gh_csrf" in names and "gh_csrf" not in names
    for c in set_cookies(r):
        assert "Secure" in c and "Path=/" in c and "Domain" not in c


def test_audit_feed_hides_where_others_acted_from(server_factory):
    s = server_factory(env={"GATEHOUSE_TRUSTED_PROXIES": "127.0.0.0/8"})
    admin = new_admin(s)
    user = new_actor(s)
    r = admin.patch(f"{API}/admin/users/{user.id}", json={"force_logout": True},
                    headers={"X-Forwarded-For": "203.0.113.77", "User-Agent": "admin-console/9"})
    assert_envelope_ok(r)
    user.relogin()
    feed = assert_envelope_ok(user.get(f"{API}/users/me/audit"))["data"]
    by_admin = [e for e in feed if e["actor_id"] == admin.id]
    assert by_admin, feed
    for e in by_admin:
        assert e["ip"] is None and e["user_agent"] is None
    own = [e for e in feed if e["actor_id"] == user.id]
    assert own and all(e["ip"] for e in own)
    assert "203.0.113.77" not in str(feed)


def test_master_key_file_readable_by_others_is_refused(server_factory):
    s = server_factory()
    key = s.data_dir / "master.key"
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    s.stop()
    key.chmod(0o644)
    with pytest.raises(ServerError):
        s.start()
    key.chmod(0o600)
    s.start()
    assert s.get("/healthz").status_code == 200


def _basic_header(client_id: str, secret: str) -> dict:
    raw = f"{client_id}:{secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def _pct_all(text: str) -> str:
    return "".join(f"%{b:02X}" for b in text.encode())


def test_basic_credentials_are_form_decoded_not_truncated(srv):
    """RFC 6749 §2.3.1: id and secret are form-urlencoded inside Basic. A raw '&' used to cut
    the secret short (s3cr3t&junk authenticated as s3cr3t); a part that does not decode was
    used raw."""
    c = cc_client(srv)
    form = {"grant_type": "client_credentials"}
    ok = srv.post("/oauth2/token", data=form, headers=_basic_header(_pct_all(c["client_id"]), _pct_all(c["client_secret"])))
    assert ok.status_code == 200 and ok.json()["token_type"] == "Bearer"
    for cid, secret in [(c["client_id"], c["client_secret"] + "&junk=1"),
                        (c["client_id"] + "%zz", c["client_secret"]),
                        (c["client_id"], c["client_secret"] + "%00"),
                        (c["client_id"], c["client_secret"] + "%FF")]:
        r = srv.post("/oauth2/token", data=form, headers=_basic_header(cid, secret))
        assert_oauth_error(r, "invalid_client", 401)
    assert srv.get("/healthz").status_code == 200
