"""Hostile HTTP (issue 8): header count and size caps, unknown methods, bounded metric labels,
who may read /metrics, trusted proxies, CORS on cookie-authenticated pages, secrets kept out
of the access log."""
import re
import socket
import time

import pytest

from ghtest import API, ServerError, assert_error, create_user, login_raw, strong_password, unique_email
from test_robustness import healthy, raw_request, status_of


def many_headers(count: int, line: bytes = b"a: b") -> bytes:
    return b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + (line + b"\r\n") * count + b"\r\n"


def test_ten_thousand_short_header_lines_are_refused(srv):
    raw = raw_request(srv, many_headers(10000))
    assert status_of(raw) == 431, raw[:200]
    assert b"REQUEST_HEADER_FIELDS_TOO_LARGE" in raw
    healthy(srv)


def test_header_field_count_is_capped_even_when_small(srv):
    # 150 lines of 5 bytes: far under 16 KiB, over the 100-field cap
    assert status_of(raw_request(srv, many_headers(150))) == 431
    assert status_of(raw_request(srv, many_headers(50))) == 200
    healthy(srv)


def test_total_header_bytes_capped_across_lines(srv):
    # 40 lines of 500 bytes: each line small, together 20 KB > 16 KiB
    raw = raw_request(srv, many_headers(40, b"x-pad: " + b"p" * 493))
    assert status_of(raw) == 431
    healthy(srv)


def test_unknown_method_is_501_and_adds_no_metric_series(srv):
    for i in range(20):
        raw = raw_request(srv, f"FOO{i}X /healthz HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert status_of(raw) == 501, raw[:200]
    text = srv.get("/metrics").text
    assert "FOO" not in text
    methods = set(re.findall(r'gatehouse_http_requests_total\{method="([^"]*)"', text))
    assert methods <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"}, methods
    healthy(srv)


def test_known_but_unrouted_methods_fold_into_known_labels(srv):
    for m in ("PROPFIND", "MKCOL", "LOCK"):  # methods Beast knows, Gatehouse does not route
        r = srv.request(m, "/healthz")
        assert r.status_code == 405
    text = srv.get("/metrics").text
    assert "PROPFIND" not in text and "MKCOL" not in text
    assert 'method="OTHER"' in text


def test_random_paths_do_not_grow_metric_series(srv):
    before = srv.get("/metrics").text.count("gatehouse_http_requests_total{")
    for i in range(50):
        srv.get(f"/no/such/path/{i}")
    after = srv.get("/metrics").text.count("gatehouse_http_requests_total{")
    assert after - before <= 2  # one unmatched/404 series at most (plus /metrics itself)


def test_metrics_token_required_when_configured(server_factory):
    token = "m" * 24
    s = server_factory(env={"GATEHOUSE_METRICS_TOKEN": token})
    assert_error(s.get("/metrics"), 403)
    assert_error(s.get("/metrics", headers={"Authorization": "Bearer " + "x" * 24}), 403)
    r = s.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and "gatehouse_http_requests_total" in r.text


def test_short_metrics_token_refused_at_start(server_factory):
    with pytest.raises(ServerError):
        server_factory(env={"GATEHOUSE_METRICS_TOKEN": "short"})


def test_forwarded_for_from_untrusted_peer_is_ignored(server_factory):
    # The test client is 127.0.0.1; trusting only another network means X-Forwarded-For is noise.
    s = server_factory(env={"GATEHOUSE_TRUSTED_PROXIES": "10.0.0.0/8",
                            "GATEHOUSE_RATE_LIMIT_LOGIN_IP": "2/60"})
    codes = [s.post(f"{API}/auth/login", json={"email": unique_email(), "password": "x"},
                    headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(4)]
    assert codes == [401, 401, 429, 429]


def test_forwarded_for_from_trusted_proxy_is_the_client(server_factory):
    s = server_factory(env={"GATEHOUSE_TRUSTED_PROXIES": "127.0.0.0/8",
                            "GATEHOUSE_RATE_LIMIT_LOGIN_IP": "2/60"})
    codes = [s.post(f"{API}/auth/login", json={"email": unique_email(), "password": "x"},
                    headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(4)]
    assert codes == [401, 401, 401, 401]
    # the client cannot prepend a fake hop: the right-most untrusted hop is taken
    codes = [s.post(f"{API}/auth/login", json={"email": unique_email(), "password": "x"},
                    headers={"X-Forwarded-For": f"203.0.113.{i}, 198.51.100.7"}).status_code
             for i in range(4)]
    assert codes == [401, 401, 429, 429]


def test_bad_trusted_proxy_refused_at_start(server_factory):
    with pytest.raises(ServerError):
        server_factory(env={"GATEHOUSE_TRUSTED_PROXIES": "10.0.0.0/33"})


@pytest.fixture(scope="module")
def cors_srv(module_server_factory):
    return module_server_factory(env={"GATEHOUSE_CORS_ORIGINS": "http://app.example"})


def test_no_cors_on_cookie_authenticated_ui(cors_srv):
    for path in ("/ui/login", "/ui/account"):
        r = cors_srv.get(path, headers={"Origin": "http://app.example"}, allow_redirects=False)
        assert "Access-Control-Allow-Origin" not in r.headers, path
        assert "Access-Control-Allow-Credentials" not in r.headers, path


def test_oauth_endpoints_cors_without_credentials(cors_srv):
    r = cors_srv.post("/oauth2/token", data={"grant_type": "x"}, headers={"Origin": "http://app.example"})
    assert r.headers.get("Access-Control-Allow-Origin") == "http://app.example"
    assert "Access-Control-Allow-Credentials" not in r.headers
    # the product API keeps credentialed CORS for the listed origin
    r = cors_srv.get("/healthz", headers={"Origin": "http://app.example"})
    assert r.headers.get("Access-Control-Allow-Credentials") == "true"


def test_tokens_in_paths_stay_out_of_the_access_log(srv):
    secret = "S3cretVerificationTokenValue" + "x" * 15
    srv.get(f"{API}/auth/verify-email/{secret}")
    srv.post(f"/api/v1/invitations/{secret}/accept", json={})
    deadline = time.monotonic() + 10  # the access log line is written after the response
    log = ""
    while time.monotonic() < deadline and "/api/v1/invitations/{token}/accept" not in log:
        time.sleep(0.05)
        log = srv.log_path.read_text(errors="replace")
    assert secret not in log
    assert "/api/v1/auth/verify-email/{token}" in log
    assert "/api/v1/invitations/{token}/accept" in log
