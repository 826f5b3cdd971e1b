"""Helpers for the authorization-half API tests (organizations, services, decisions, app
tokens, admin, webhooks, pre-hooks, seed-4 compatibility). Built on ghtest.py."""
from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import requests

from ghtest import (API, Server, assert_envelope_ok, assert_error, bearer, create_user, free_port,
                    login, strong_password, unique_email)


# --------------------------------------------------------------------------- actors


class Actor:
    """A registered user with a logged-in access token."""

    def __init__(self, server: Server, user, session: dict):
        self.server = server
        self.user = user
        self.id = user.id
        self.email = user.email
        self.password = user.password
        self.session = session
        self.token = session["access_token"]

    @property
    def h(self) -> dict:
        return bearer(self.token)

    def relogin(self) -> "Actor":
        self.session = login(self.server, self.email, self.password)
        self.token = self.session["access_token"]
        return self

    # Convenience wrappers that send the bearer token.
    def get(self, path, **kw):
        return self.server.get(path, headers={**self.h, **kw.pop("headers", {})}, **kw)

    def post(self, path, **kw):
        return self.server.post(path, headers={**self.h, **kw.pop("headers", {})}, **kw)

    def put(self, path, **kw):
        return self.server.request("PUT", path, headers={**self.h, **kw.pop("headers", {})}, **kw)

    def patch(self, path, **kw):
        return self.server.patch(path, headers={**self.h, **kw.pop("headers", {})}, **kw)

    def delete(self, path, **kw):
        return self.server.delete(path, headers={**self.h, **kw.pop("headers", {})}, **kw)


class _CliUser:
    def __init__(self, server, email, password, data):
        self.server = server
        self.email = email
        self.password = password
        self.username = data.get("username")
        self.data = data
        self.id = data["id"]


def new_actor(server: Server, verified: bool = False, username: bool = False) -> Actor:
    u = create_user(server, username=username, verified=verified)
    return Actor(server, u, login(server, u.email, u.password))


def new_admin(server: Server) -> Actor:
    """A fresh global administrator, created with the CLI against the server's database."""
    email, pw = unique_email("admin"), strong_password()
    data = server.cli_json("user", "create", "--email", email, "--password", pw, "--verified",
                           "--admin", "--json")
    assert data["is_admin"] is True, data
    u = _CliUser(server, email, pw, data)
    return Actor(server, u, login(server, email, pw))


def uname(prefix: str = "x") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# --------------------------------------------------------------------------- organizations


def create_org(actor: Actor, name: str | None = None, description: str | None = None) -> dict:
    body = {"name": name or uname("org")}
    if description is not None:
        body["description"] = description
    r = actor.post(f"{API}/organizations", json=body)
    return assert_envelope_ok(r, 201)["data"]


def add_member(actor: Actor, org_id: str, user_id: str, role: str = "member") -> dict:
    r = actor.post(f"{API}/organizations/{org_id}/members", json={"user_id": user_id, "role": role})
    return assert_envelope_ok(r, 201)["data"]


def members_of(actor: Actor, org_id: str) -> dict:
    """user_id -> role"""
    r = actor.get(f"{API}/organizations/{org_id}/members")
    data = assert_envelope_ok(r)["data"]
    return {m["user_id"]: m["role"] for m in data}


# --------------------------------------------------------------------------- services


def create_service(actor: Actor, name: str | None = None, description: str | None = None) -> dict:
    body = {"name": name or uname("svc")}
    if description is not None:
        body["description"] = description
    r = actor.post(f"{API}/services", json=body)
    return assert_envelope_ok(r, 201)["data"]


def create_role(actor: Actor, service_id: str, permissions: list[str], name: str | None = None,
                description: str | None = None) -> dict:
    body = {"name": name or uname("role"), "permissions": permissions}
    if description is not None:
        body["description"] = description
    r = actor.post(f"{API}/services/{service_id}/roles", json=body)
    return assert_envelope_ok(r, 201)["data"]


def assign(actor: Actor, user_id: str, service_id: str, role_id: str, org: str | None = None):
    path = f"{API}/users/{user_id}/services/{service_id}/roles/{role_id}"
    if org:
        path += f"?org={org}"
    return actor.post(path)


def unassign(actor: Actor, user_id: str, service_id: str, role_id: str, org: str | None = None):
    path = f"{API}/users/{user_id}/services/{service_id}/roles/{role_id}"
    if org:
        path += f"?org={org}"
    return actor.delete(path)


def check_raw(server: Server, headers: dict, subject: str, service: str, permission: str,
              org: str | None = None):
    body = {"subject": subject, "service": service, "permission": permission}
    if org is not None:
        body["org"] = org
    return server.post(f"{API}/authz/check", json=body, headers=headers)


def check(server: Server, headers: dict, subject: str, service: str, permission: str,
          org: str | None = None) -> dict:
    r = check_raw(server, headers, subject, service, permission, org)
    return assert_envelope_ok(r)["data"]


def allowed(actor: Actor, service: str, permission: str, org: str | None = None,
            subject: str | None = None) -> bool:
    return check(actor.server, actor.h, subject or actor.id, service, permission, org)["allowed"]


def new_app_token(actor: Actor, service: str, name: str | None = None, **extra) -> dict:
    body = {"service_id": service, "name": name or uname("tok"), **extra}
    r = actor.post(f"{API}/tokens", json=body)
    return assert_envelope_ok(r, 201)["data"]


# --------------------------------------------------------------------------- audit


def audit(admin: Actor, **params) -> list[dict]:
    r = admin.get(f"{API}/admin/audit", params=params)
    return assert_envelope_ok(r)["data"]


def audit_has(admin: Actor, action: str, **match) -> dict:
    """The newest audit event with this action whose top-level fields / details match."""
    events = audit(admin, action=action, limit=500)
    for e in events:
        ok = True
        for k, v in match.items():
            if k in e:
                ok &= e[k] == v
            else:
                ok &= e.get("details", {}).get(k) == v
        if ok:
            return e
    raise AssertionError(f"no audit event {action} matching {match}; have {events[:5]}")


# --------------------------------------------------------------------------- misc


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def wait_for(fn, timeout: float = 15.0, interval: float = 0.1, what: str = "condition"):
    """Polls fn() until it returns something truthy; returns that value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value {last!r}")


# --------------------------------------------------------------------------- HTTP receiver


class Receiver:
    """A tiny HTTP server on 127.0.0.1 recording every request. Answers come from `plan`
    (a list of (status, body) consumed in order), then `default`."""

    def __init__(self, default=(200, {"ok": True})):
        self.requests: list[dict] = []
        self.plan: list[tuple[int, object]] = []
        self.default = default
        self.delay = 0.0
        self.lock = threading.Lock()
        recv = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):  # quiet
                pass

            def _handle(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                with recv.lock:
                    recv.requests.append({"method": self.command, "path": self.path,
                                          "headers": {k.lower(): v for k, v in self.headers.items()},
                                          "body": body})
                    status, payload = recv.plan.pop(0) if recv.plan else recv.default
                    delay = recv.delay
                if delay:
                    time.sleep(delay)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = _handle
            do_GET = _handle
            do_PUT = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def received(self, path: str | None = None) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if path is None or r["path"] == path]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def dead_url() -> str:
    """An http URL on a loopback port nobody listens on."""
    return f"http://127.0.0.1:{free_port()}/hook"


def parallel(fn, n: int = 12) -> list:
    """Runs fn() n times at once (threads); returns the responses."""
    from concurrent.futures import ThreadPoolExecutor
    barrier = threading.Barrier(n)

    def run(_):
        barrier.wait(timeout=30)
        return fn()

    with ThreadPoolExecutor(n) as ex:
        return list(ex.map(run, range(n)))


def parallel_calls(fns: list) -> list:
    """Runs the given callables at the same moment (one thread each); returns their results."""
    from concurrent.futures import ThreadPoolExecutor
    barrier = threading.Barrier(len(fns))

    def run(fn):
        barrier.wait(timeout=30)
        return fn()

    with ThreadPoolExecutor(len(fns)) as ex:
        return list(ex.map(run, fns))
