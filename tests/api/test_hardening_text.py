"""NUL bytes and invalid UTF-8 are refused at decoding with 400, before any lookup or
rate-limit key (issue 8: `victim%00x` got a fresh per-account bucket on PostgreSQL)."""
import pytest

from ghtest import API, assert_error, create_user, login_raw, strong_password
from test_robustness import healthy, raw_request, status_of


def test_nul_in_json_login_is_400(srv):
    u = create_user(srv)
    r = srv.post(f"{API}/auth/login", data=('{"email":"%s\\u0000x","password":"x"}' % u.email).encode(),
                 headers={"Content-Type": "application/json"})
    assert_error(r, 400)


def test_nul_in_nested_json_and_keys_is_400(srv):
    for body in ('{"a":{"b":["ok","x\\u0000"]},"email":"a@b.c","password":"p"}',
                 '{"k\\u0000":"v","email":"a@b.c","password":"p"}'):
        r = srv.post(f"{API}/auth/login", data=body.encode(), headers={"Content-Type": "application/json"})
        assert_error(r, 400)


def test_invalid_utf8_in_json_is_400(srv):
    r = srv.post(f"{API}/auth/login", data=b'{"email":"\xff\xfe@x.y","password":"p"}',
                 headers={"Content-Type": "application/json"})
    assert_error(r, 400)


@pytest.mark.parametrize("value", ["a%00b", "%C0%AF", "%ED%A0%80", "%FF"])
def test_bad_bytes_in_form_are_400(srv, value):
    r = srv.post("/oauth2/token", data=f"grant_type=client_credentials&client_id={value}",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_request"  # RFC 6749 §5.2 form, not the API envelope


@pytest.mark.parametrize("path", ["/oauth2/token", "/oauth2/introspect", "/oauth2/revoke",
                                  "/oauth2/device_authorization"])
def test_bad_bytes_in_oauth_query_get_an_oauth_error(srv, path):
    r = srv.post(f"{path}?x=a%00b", data={"token": "t"})
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "invalid_request" and "error_description" in body


@pytest.mark.parametrize("value", ["a%00b", "%FF"])
def test_bad_bytes_in_query_are_400(srv, value):
    r = srv.get(f"/api/v1/permissions?service={value}")
    assert_error(r, 400)


def test_nul_in_path_parameter_is_400(srv):
    r = srv.get(f"{API}/auth/verify-email/abc%00def")
    assert_error(r, 400)


def test_invalid_utf8_in_header_and_cookie_is_400(srv):
    raw = raw_request(srv, b"GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\nx-access-token: \xff\xfe\r\n\r\n")
    assert status_of(raw) == 400
    raw = raw_request(srv, b"GET /ui/login HTTP/1.1\r\nHost: x\r\nCookie: gh_sso=\xc0\xaf\r\n\r\n")
    assert status_of(raw) == 400
    healthy(srv)


def test_nul_variant_does_not_get_a_fresh_account_bucket(server_factory):
    s = server_factory(env={"GATEHOUSE_RATE_LIMIT_LOGIN_ACCOUNT": "3/300"})
    u = create_user(s)
    codes = [login_raw(s, "Wrong-" + strong_password(), email=u.email).status_code for _ in range(3)]
    assert codes == [401, 401, 401]
    r = s.post(f"{API}/auth/login", data=('{"email":"%s\\u0000x","password":"x"}' % u.email).encode(),
               headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    # the account is still limited, whatever spelling: by username too
    assert login_raw(s, u.password, email=u.email.upper()).status_code == 429


def test_account_limit_follows_the_account_not_the_spelling(server_factory):
    s = server_factory(env={"GATEHOUSE_RATE_LIMIT_LOGIN_ACCOUNT": "3/300"})
    u = create_user(s, username=True)
    r1 = login_raw(s, "Wrong-" + strong_password(), email=u.email)
    r2 = s.post(f"{API}/auth/login", json={"username": u.username, "password": "Wrong-" + strong_password()})
    r3 = s.post(f"{API}/auth/login", json={"login": u.username.upper(), "password": "Wrong-" + strong_password()})
    assert [r1.status_code, r2.status_code, r3.status_code] == [401, 401, 401]
    assert login_raw(s, u.password, email=u.email).status_code == 429
