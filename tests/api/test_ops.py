"""Operational endpoints: health, readiness, metrics, route listing vs OpenAPI, version."""
import re

import pytest

from ghtest import API, ENGINE, binary, assert_envelope_ok, clean_env, create_user, login_raw

import subprocess

# Every endpoint of docs/api.md.
DOCUMENTED = {
    ("POST", "/api/v1/auth/register"),
    ("GET", "/api/v1/auth/verify-email/{token}"),
    ("POST", "/api/v1/auth/verify-email/{token}"),
    ("POST", "/api/v1/auth/verify-email/resend"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"),
    ("GET", "/api/v1/auth/me"),
    ("GET", "/api/v1/auth/sessions"),
    ("DELETE", "/api/v1/auth/sessions/{id}"),
    ("DELETE", "/api/v1/auth/sessions"),
    ("GET", "/api/v1/auth/sessions/stats"),
    ("GET", "/api/v1/users/me"),
    ("PATCH", "/api/v1/users/me"),
    ("POST", "/api/v1/users/me/password"),
    ("DELETE", "/api/v1/users/me"),
    ("GET", "/api/v1/users/me/audit"),
    ("POST", "/api/v1/password/forgot"),
    ("POST", "/api/v1/password/reset"),
    ("GET", "/.well-known/jwks.json"),
    ("GET", "/auth/public-key"),
    ("GET", "/api/health"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/api/v1"),
    ("GET", "/api/v1/openapi.json"),
}

IGNORED_METHODS = {"HEAD", "OPTIONS"}
PARAM = re.compile(r"\{[^}]+\}")


def routes_from(data) -> dict:
    """Normalises the /api/v1 listing into {path: set(METHODS)}."""
    if isinstance(data, dict):
        for key in ("endpoints", "routes"):
            if key in data:
                data = data[key]
                break
    out = {}
    if isinstance(data, dict):
        for path, methods in data.items():
            out[path] = {m.upper() for m in methods}
    else:
        for item in data:
            path = item.get("path") or item.get("pattern")
            methods = item.get("methods") or [item.get("method")]
            out.setdefault(path, set()).update(m.upper() for m in methods)
    return {p: ms - IGNORED_METHODS for p, ms in out.items()}


def test_healthz_and_readyz(srv):
    assert srv.get("/healthz").status_code == 200
    assert srv.get("/readyz").status_code == 200


def test_api_health(srv):
    d = assert_envelope_ok(srv.get("/api/health"))["data"]
    assert d["status"]
    assert d["database"]
    assert d["version"]


def test_version_command_matches_health(srv):
    r = subprocess.run([str(binary()), "version"], capture_output=True, text=True, env=clean_env(),
                       timeout=30)
    assert r.returncode == 0, r.stderr
    out = r.stdout.strip()
    assert out
    v = srv.get("/api/health").json()["data"]["version"]
    assert v in out, (v, out)


def test_metrics(srv):
    u = create_user(srv)
    u.login()
    login_raw(srv, "Wrong-password-123!", email=u.email)
    r = srv.get("/metrics")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain")
    text = r.text
    assert "gatehouse_http_requests_total" in text
    assert "gatehouse_logins_total" in text
    assert re.search(r"^# TYPE gatehouse_http_requests_total counter$", text, re.M)
    # Values are numbers and the login counter moves.

    def logins_sum(t):
        total = 0.0
        for line in t.splitlines():
            if line.startswith("gatehouse_logins_total"):
                total += float(line.rsplit(" ", 1)[1])
        return total

    before = logins_sum(text)
    assert before >= 2
    u.login()
    assert logins_sum(srv.get("/metrics").text) >= before + 1
    for line in text.splitlines():
        if line and not line.startswith("#"):
            float(line.rsplit(" ", 1)[1])


def test_route_listing_covers_documented_endpoints(srv):
    body = assert_envelope_ok(srv.get(API))
    routes = routes_from(body["data"])
    norm = {PARAM.sub("{}", p): ms for p, ms in routes.items()}
    missing = [(m, p) for m, p in sorted(DOCUMENTED)
               if p.startswith("/api/v1") and m not in norm.get(PARAM.sub("{}", p), set())]
    assert not missing, f"documented but not listed: {missing}"


def test_openapi_matches_route_listing(srv):
    r = srv.get(f"{API}/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert str(doc["openapi"]).startswith("3.1"), doc.get("openapi")
    assert doc["info"]["title"] and doc["info"]["version"]
    paths = doc["paths"]
    routes = routes_from(srv.get(API).json()["data"])
    problems = []
    for path, methods in routes.items():
        if path not in paths:
            problems.append(f"{path} not in openapi paths")
            continue
        ops = {k.upper() for k in paths[path] if k.upper() in
               {"GET", "POST", "PUT", "PATCH", "DELETE"}}
        if ops != methods:
            problems.append(f"{path}: listing {sorted(methods)} vs openapi {sorted(ops)}")
        for m in ops:
            op = paths[path][m.lower()]
            if not op.get("responses"):
                problems.append(f"{m} {path} has no responses")
        for name in PARAM.findall(path):
            declared = set()
            for src in (paths[path].get("parameters", []),
                        *(paths[path][m.lower()].get("parameters", []) for m in ops)):
                declared |= {p.get("name") for p in src if p.get("in") == "path"}
            if name.strip("{}") not in declared:
                problems.append(f"{path}: path parameter {name} not declared")
    assert not problems, "\n".join(problems)


def test_openapi_documents_every_documented_api_route(srv):
    paths = srv.get(f"{API}/openapi.json").json()["paths"]
    norm = {PARAM.sub("{}", p): {k.upper() for k in v} for p, v in paths.items()}
    missing = [(m, p) for m, p in sorted(DOCUMENTED)
               if p.startswith("/api/v1/") and m not in norm.get(PARAM.sub("{}", p), set())]
    assert not missing, missing


@pytest.mark.skipif(ENGINE != "postgres", reason="needs a database that can vanish under the server")
def test_health_503_when_database_gone(server_factory, postgres):
    s = server_factory()
    assert s.get("/api/health").status_code == 200
    postgres.psql(f'DROP DATABASE "{s.database}" WITH (FORCE)')
    r = s.get("/api/health")
    assert r.status_code == 503, r.text
    assert r.json()["success"] is False
    assert s.get("/readyz").status_code == 503
    # Requests that need the database fail cleanly (5xx envelope), the process survives.
    r = s.post(f"{API}/auth/login", json={"email": "a@example.com", "password": "whatever-123"})
    assert r.status_code in (500, 503), r.text
    assert r.json()["success"] is False
    # Liveness is unaffected and the process keeps serving.
    assert s.get("/healthz").status_code == 200
    assert s.alive()


def test_sigterm_graceful_shutdown(server_factory):
    s = server_factory()
    u = create_user(s)
    u.login()
    rc = s.stop(timeout=30)
    assert rc == 0, s.log_tail()
    # Restart on the same data: nothing lost.
    s.start()
    assert s.post(f"{API}/auth/login", json={"email": u.email, "password": u.password}).status_code == 200
