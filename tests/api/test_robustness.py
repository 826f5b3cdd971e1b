"""Bad input, security headers, request ids, CORS, 404/405. The server must keep serving."""
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from ghtest import (API, assert_envelope_ok, assert_error, bearer, create_user, login, register,
                    strong_password, unique_email)

LOGIN = f"{API}/auth/login"


def healthy(s):
    assert s.alive(), "server process died:\n" + s.log_tail()
    assert s.get("/healthz").status_code == 200


def raw_request(s, data: bytes, read_timeout=10) -> bytes:
    """Sends raw bytes, returns whatever the server answers before closing (may be b"")."""
    with socket.create_connection(("127.0.0.1", s.port), timeout=read_timeout) as c:
        try:
            c.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        out = b""
        try:
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    break
                out += chunk
                if b"\r\n\r\n" in out:
                    head, _, rest = out.partition(b"\r\n\r\n")
                    cl = [ln for ln in head.split(b"\r\n") if ln.lower().startswith(b"content-length:")]
                    if cl and len(rest) >= int(cl[0].split(b":")[1]):
                        break
        except (socket.timeout, ConnectionResetError):
            pass
        return out


def status_of(raw: bytes):
    if not raw.startswith(b"HTTP/1."):
        return None
    return int(raw.split(b" ", 2)[1])


# ------------------------------------------------------------------ media type and JSON

@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded",
                                   "multipart/form-data; boundary=x", "application/jsonx", None])
def test_non_json_content_type_415(srv, ctype):
    headers = {"Content-Type": ctype} if ctype else {}
    r = srv.post(LOGIN, data=b'{"email":"a@example.com","password":"x"}', headers=headers)
    assert_error(r, 415, "UNSUPPORTED_MEDIA_TYPE")
    healthy(srv)


def test_json_with_charset_accepted(srv):
    u = create_user(srv)
    import json
    r = srv.post(LOGIN, data=json.dumps({"email": u.email, "password": u.password}).encode(),
                 headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("body", [
    b'{"email":', b'{"email":"a@example.com",}', b'{"a":1}}', b"", b"nul", b"{'a':1}",
    b'{"a":"\\x"}', b'{"a":tru}', b'\xef\xbb\xbf{}x',
])
def test_malformed_json_400(srv, body):
    r = srv.post(LOGIN, data=body, headers={"Content-Type": "application/json"})
    assert_error(r, 400, "BAD_REQUEST")
    healthy(srv)


@pytest.mark.parametrize("body", [b'[]', b'"str"', b'42', b'null', b'true'])
def test_json_not_object_400(srv, body):
    r = srv.post(LOGIN, data=body, headers={"Content-Type": "application/json"})
    assert_error(r, 400, "BAD_REQUEST")


@pytest.mark.parametrize("body", [
    b'{"email":"\xff\xfe@example.com","password":"x"}',
    b'{"email":"a@example.com","password":"\xc3\x28"}',
    b'{"email":"\xed\xa0\x80@example.com","password":"x"}',  # UTF-16 surrogate in UTF-8
])
def test_invalid_utf8_400(srv, body):
    r = srv.post(LOGIN, data=body, headers={"Content-Type": "application/json"})
    assert_error(r, 400, "BAD_REQUEST")
    healthy(srv)


def test_deep_nesting_400(srv):
    body = b'{"email":' + b"[" * 100 + b"]" * 100 + b',"password":"x"}'
    r = srv.post(LOGIN, data=body, headers={"Content-Type": "application/json"})
    assert_error(r, 400, "BAD_REQUEST")
    body = b'{"a":' * 100 + b"1" + b"}" * 100
    r = srv.post(f"{API}/auth/register", data=body, headers={"Content-Type": "application/json"})
    assert_error(r, 400, "BAD_REQUEST")
    healthy(srv)


def test_nul_in_string_rejected(srv):
    pw = strong_password()
    r = srv.post(f"{API}/auth/register",
                 json={"email": "a\u0000b@example.com", "password": pw, "confirm_password": pw})
    assert_error(r, 400, "BAD_REQUEST")  # refused at decoding, before any field is read
    healthy(srv)


def test_huge_string_fields_rejected(srv):
    pw = strong_password()
    r = srv.post(f"{API}/auth/register",
                 json={"email": "a" * 20000 + "@example.com", "password": pw, "confirm_password": pw})
    assert_error(r, 400, "VALIDATION_ERROR")
    r = srv.post(LOGIN, json={"email": unique_email(), "password": "p" * 20000})
    assert_error(r, 400, "VALIDATION_ERROR")  # over 4096 bytes: refused before any hashing
    healthy(srv)


def test_body_over_limit_413(srv):
    big = b'{"email":"' + b"a" * 70000 + b'@example.com","password":"x"}'
    try:
        r = srv.post(LOGIN, data=big, headers={"Content-Type": "application/json"})
    except requests.ConnectionError:
        r = None
    if r is not None:
        assert_error(r, 413, "PAYLOAD_TOO_LARGE")
    else:
        # The server answered early and closed; check the answer from the headers alone.
        raw = raw_request(srv, (f"POST {LOGIN} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                                f"\r\nContent-Length: {len(big)}\r\n\r\n").encode())
        assert status_of(raw) == 413, raw[:300]
    healthy(srv)


def test_configured_body_limit(server_factory):
    s = server_factory(env={"GATEHOUSE_MAX_BODY_BYTES": "2048"})
    small = {"email": unique_email(), "password": "x" * 1000}
    assert s.post(LOGIN, json=small).status_code == 401
    raw = raw_request(s, (f"POST {LOGIN} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          f"Content-Length: 5000\r\nConnection: close\r\n\r\n").encode()
                      + b"{" + b" " * 4998 + b"}")
    assert status_of(raw) == 413, raw[:300]
    assert b"PAYLOAD_TOO_LARGE" in raw
    healthy(s)


# ------------------------------------------------------------------ raw HTTP abuse

@pytest.mark.parametrize("data", [
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,  # a TLS ClientHello
    b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
], ids=["garbage", "http99", "negative-cl", "cl-and-te", "huge-header", "tls-hello", "huge-target"])
def test_raw_garbage_does_not_kill_server(srv, data):
    raw = raw_request(srv, data)
    st = status_of(raw)
    assert st is None or 400 <= st < 500 or st == 505, raw[:300]
    healthy(srv)


def test_truncated_request_then_close(srv):
    with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as c:
        c.sendall(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 100\r\n\r\n{\"email\":")
    healthy(srv)


def test_keep_alive_after_error(srv):
    """A 4xx answer does not break the connection for the next request."""
    with requests.Session() as sess:
        r1 = sess.post(srv.url(LOGIN), data=b"{bad", headers={"Content-Type": "application/json"},
                       timeout=10)
        assert r1.status_code == 400
        r2 = sess.get(srv.url("/healthz"), timeout=10)
        assert r2.status_code == 200


# ------------------------------------------------------------------ 404 / 405

@pytest.mark.parametrize("path", [f"{API}/nope", f"{API}/auth/loginx", f"{API}/users/me/x/y",
                                  f"{API}/auth/verify-email"])
def test_unknown_path_404_envelope(srv, path):
    r = srv.get(path)
    assert_error(r, 404, "NOT_FOUND")
    healthy(srv)


@pytest.mark.parametrize("path", ["/definitely/not/here", "/api/v2/auth/login", "/api/v1x"])
def test_unknown_non_api_path_404(srv, path):
    r = srv.get(path)
    assert r.status_code == 404
    assert r.headers.get("X-Request-ID")


@pytest.mark.parametrize("method,path,allowed", [
    ("GET", LOGIN, {"POST"}),
    ("DELETE", f"{API}/auth/register", {"POST"}),
    ("PUT", f"{API}/users/me", {"GET", "PATCH", "DELETE"}),
    ("POST", f"{API}/auth/me", {"GET"}),
    ("PATCH", f"{API}/auth/sessions", {"GET", "DELETE"}),
    ("POST", "/.well-known/jwks.json", {"GET"}),
])
def test_wrong_method_405(srv, method, path, allowed):
    r = srv.request(method, path, json={})
    assert r.status_code == 405, r.text
    allow = {m.strip().upper() for m in r.headers.get("Allow", "").split(",") if m.strip()}
    assert allowed <= allow, r.headers.get("Allow")
    if path.startswith(API):
        assert_error(r, 405, "METHOD_NOT_ALLOWED")
    healthy(srv)


# ------------------------------------------------------------------ headers

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def check_headers(r):
    for k, v in SECURITY_HEADERS.items():
        assert r.headers.get(k) == v, (r.url, k, r.headers)
    assert r.headers.get("Content-Security-Policy"), r.url
    assert r.headers.get("Referrer-Policy"), r.url
    assert r.headers.get("X-Request-ID"), r.url
    assert "Server" not in r.headers or "boost" not in r.headers["Server"].lower()


def test_security_headers_everywhere(srv):
    u = create_user(srv)
    tok = u.login()["access_token"]
    responses = [
        srv.get("/healthz"), srv.get("/readyz"), srv.get("/api/health"), srv.get("/metrics"),
        srv.get("/.well-known/jwks.json"), srv.get("/auth/public-key"), srv.get(API),
        srv.get(f"{API}/openapi.json"), srv.get(f"{API}/nope"), srv.get("/nope"),
        srv.get(f"{API}/auth/me"), srv.get(f"{API}/auth/me", headers=bearer(tok)),
        srv.post(LOGIN, json={}), srv.post(LOGIN, data="x", headers={"Content-Type": "text/plain"}),
        srv.request("PUT", LOGIN),
    ]
    for r in responses:
        check_headers(r)


def test_sensitive_responses_not_cached(srv):
    u = create_user(srv)
    r = srv.post(LOGIN, json={"email": u.email, "password": u.password})
    assert "no-store" in r.headers.get("Cache-Control", "")


def test_request_id_echoed_when_sane(srv):
    for rid in ("abc-123_X.y", str(uuid.uuid4()), "a" * 64):
        r = srv.get(f"{API}/auth/me", headers={"X-Request-ID": rid})
        assert r.headers["X-Request-ID"] == rid
        assert r.json()["request_id"] == rid
        r = srv.get("/healthz", headers={"X-Request-ID": rid})
        assert r.headers["X-Request-ID"] == rid


@pytest.mark.parametrize("rid", ["has space", "x" * 300, "<script>alert(1)</script>",
                                 "a\"b", "semi;colon", "\u00e9t\u00e9"],
                         ids=["space", "long", "script", "quote", "semicolon", "non-ascii"])
def test_request_id_replaced_when_insane(srv, rid):
    try:
        r = srv.get(f"{API}/auth/me", headers={"X-Request-ID": rid.encode("utf-8")})
    except requests.RequestException as e:  # pragma: no cover - client-side refusal
        pytest.skip(f"client refused header: {e}")
    got = r.headers["X-Request-ID"]
    assert got != rid
    uuid.UUID(got)
    assert r.json()["request_id"] == got


def test_request_ids_are_unique(srv):
    ids = {srv.get("/healthz").headers["X-Request-ID"] for _ in range(20)}
    assert len(ids) == 20


# ------------------------------------------------------------------ CORS

@pytest.fixture(scope="module")
def cors_srv(module_server_factory):
    return module_server_factory(env={"GATEHOUSE_CORS_ORIGINS": "http://app.example"})


def preflight(s, origin, path=LOGIN, method="POST"):
    return s.request("OPTIONS", path, headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "content-type, authorization"})


def test_cors_preflight_allowed_origin(cors_srv):
    r = preflight(cors_srv, "http://app.example")
    assert r.status_code == 204, r.text
    assert r.headers.get("Access-Control-Allow-Origin") == "http://app.example"
    methods = r.headers.get("Access-Control-Allow-Methods", "").upper()
    assert "POST" in methods
    assert "authorization" in r.headers.get("Access-Control-Allow-Headers", "").lower()


def test_cors_preflight_other_origin(cors_srv):
    for origin in ("http://evil.example", "http://app.example.evil.com", "https://app.example",
                   "null"):
        r = preflight(cors_srv, origin)
        assert "Access-Control-Allow-Origin" not in r.headers, (origin, r.headers)
        assert "Access-Control-Allow-Credentials" not in r.headers


def test_cors_simple_request(cors_srv):
    r = cors_srv.get("/healthz", headers={"Origin": "http://app.example"})
    assert r.headers.get("Access-Control-Allow-Origin") == "http://app.example"
    r = cors_srv.post(LOGIN, json={}, headers={"Origin": "http://app.example"})
    assert r.status_code == 400
    assert r.headers.get("Access-Control-Allow-Origin") == "http://app.example"
    r = cors_srv.get("/healthz", headers={"Origin": "http://evil.example"})
    assert r.status_code == 200
    assert "Access-Control-Allow-Origin" not in r.headers


def test_no_cors_by_default(srv):
    r = preflight(srv, "http://app.example")
    assert "Access-Control-Allow-Origin" not in r.headers
    r = srv.get("/healthz", headers={"Origin": "http://app.example"})
    assert "Access-Control-Allow-Origin" not in r.headers


# ------------------------------------------------------------------ concurrency and durability

def test_concurrent_registrations_and_logins(srv):
    emails = [unique_email() for _ in range(16)]
    pw = strong_password()

    def reg(e):
        return register(srv, email=e, password=pw, expect=None).status_code

    with ThreadPoolExecutor(8) as ex:
        assert list(ex.map(reg, emails)) == [201] * 16
        # The same email registered concurrently: exactly one wins.
        dup = unique_email()
        codes = sorted(ex.map(reg, [dup] * 6))
        assert codes == [201] + [409] * 5, codes
        assert all(ex.map(lambda e: login(srv, e, pw)["user"]["email"] == e, emails))
    healthy(srv)


def test_data_survives_restart(server_factory):
    s = server_factory(env={"GATEHOUSE_ISSUER": "https://durable.example.test"})
    u = create_user(s)
    d = u.login()
    s.restart()
    login(s, u.email, u.password)
    r = s.post(f"{API}/auth/refresh", json={"refresh_token": d["refresh_token"]})
    assert_envelope_ok(r)


def test_raw_request_sanity_and_pipelining(srv):
    raw = raw_request(srv, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status_of(raw) == 200, raw[:200]
    raw = raw_request(srv, b"GET /healthz HTTP/1.0\r\n\r\n")
    assert status_of(raw) == 200, raw[:200]
    # Two pipelined requests on one connection get two answers, in order.
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as c:
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-ID: first-1\r\n\r\n"
                  b"GET /readyz HTTP/1.1\r\nHost: x\r\nX-Request-ID: second-2\r\nConnection: close\r\n\r\n")
        out = b""
        while True:
            chunk = c.recv(65536)
            if not chunk:
                break
            out += chunk
    assert out.count(b"HTTP/1.1 200") == 2, out[:500]
    assert out.lower().index(b"first-1") < out.lower().index(b"second-2")


def test_revocation_survives_restart(server_factory):
    s = server_factory(env={"GATEHOUSE_ISSUER": "https://revoke.example.test"})
    u = create_user(s)
    a = u.login()
    b = u.login()
    assert s.post(f"{API}/auth/logout", headers=bearer(a["access_token"])).status_code == 200
    s.restart()
    assert_error(s.get(f"{API}/auth/me", headers=bearer(a["access_token"])), 401)
    assert s.get(f"{API}/auth/me", headers=bearer(b["access_token"])).status_code == 200
