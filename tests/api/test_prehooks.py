"""Pre-action hooks: a local receiver allows or vetoes register and login; an unreachable,
slow or broken hook fails closed (503) or, when configured, open."""
import hashlib
import hmac
import json

import pytest

from authz_helpers import Receiver, audit_has, dead_url, new_admin
from ghtest import (API, assert_envelope_ok, assert_error, login_raw, register, strong_password,
                    unique_email, unique_username)

SECRET = "pre-hook-secret-0123456789"
ALLOW = (200, {"allow": True})


@pytest.fixture(scope="module")
def rec():
    r = Receiver(default=ALLOW)
    yield r
    r.close()


@pytest.fixture(scope="module")
def srv(module_server_factory, rec):
    return module_server_factory(env={
        "GATEHOUSE_PRE_REGISTER_HOOK_URL": rec.url("/pre-register"),
        "GATEHOUSE_PRE_LOGIN_HOOK_URL": rec.url("/pre-login"),
        "GATEHOUSE_PRE_HOOK_SECRET": SECRET,
        "GATEHOUSE_PRE_HOOK_TIMEOUT_MS": "1000",
    })


@pytest.fixture(scope="module")
def admin(srv, rec):
    rec.default = ALLOW
    return new_admin(srv)


@pytest.fixture(autouse=True)
def _allow_by_default(rec):
    rec.default = ALLOW
    rec.plan = []
    rec.delay = 0
    yield
    rec.default = ALLOW
    rec.plan = []
    rec.delay = 0


def hook_calls(rec, path, **match):
    out = []
    for r in rec.received(path):
        body = json.loads(r["body"])
        if all(body["data"].get(k) == v for k, v in match.items()):
            out.append((r, body))
    return out


def check_signature(req):
    h = req["headers"]
    parts = dict(p.split("=", 1) for p in h["x-gatehouse-signature"].split(","))
    assert parts["t"] == h["x-gatehouse-timestamp"]
    mac = hmac.new(SECRET.encode(), parts["t"].encode() + b"." + req["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(mac, parts["v1"])


def test_allow(srv, rec):
    email, pw, uname = unique_email(), strong_password(), unique_username()
    r = register(srv, email=email, password=pw, username=uname)
    uid = r.json()["data"]["id"]
    ((req, body),) = hook_calls(rec, "/pre-register", email=email)
    assert req["method"] == "POST" and req["headers"]["x-gatehouse-event"] == "pre_register"
    assert body["event"] == "pre_register"
    assert body["data"]["username"] == uname and "ip" in body["data"] and "user_agent" in body["data"]
    assert pw not in req["body"].decode()
    check_signature(req)

    r = login_raw(srv, pw, email=email)
    assert_envelope_ok(r)
    ((req, body),) = hook_calls(rec, "/pre-login", user_id=uid)
    assert body["event"] == "pre_login" and body["data"]["email"] == email
    assert req["headers"]["x-gatehouse-event"] == "pre_login"
    assert pw not in req["body"].decode()
    check_signature(req)


def test_veto_register(srv, admin, rec):
    rec.default = (200, {"allow": False, "reason": "no"})
    email = unique_email("vetoed")
    r = register(srv, email=email, expect=None)
    b = assert_error(r, 403, "AUTHORIZATION_ERROR")
    assert "no" in b["message"]
    assert b["error"]["details"]["reason"] == "vetoed_by_hook"
    assert b["error"]["details"]["hook"] == "pre_register"
    assert hook_calls(rec, "/pre-register", email=email)
    # nothing was created
    rec.default = ALLOW
    found = assert_envelope_ok(admin.get(f"{API}/admin/users", params={"q": email}))["data"]
    assert found == []
    assert not srv.mails(to=email)
    register(srv, email=email)  # allowed now


def test_veto_register_default_reason(srv, rec):
    rec.default = (200, {"allow": False})
    b = assert_error(register(srv, expect=None), 403)
    assert b["message"] == "Not allowed"


def test_veto_login(srv, admin, rec):
    email, pw = unique_email(), strong_password()
    uid = register(srv, email=email, password=pw).json()["data"]["id"]
    rec.default = (200, {"allow": False, "reason": "no logins on Sunday"})
    b = assert_error(login_raw(srv, pw, email=email), 403, "AUTHORIZATION_ERROR")
    assert "no logins on Sunday" in b["message"]
    assert b["error"]["details"]["reason"] == "vetoed_by_hook" and b["error"]["details"]["hook"] == "pre_login"
    # a wrong password never reaches the hook
    n = len(hook_calls(rec, "/pre-login", user_id=uid))
    assert_error(login_raw(srv, "Wrong-" + pw, email=email), 401)
    assert len(hook_calls(rec, "/pre-login", user_id=uid)) == n
    rec.default = ALLOW
    e = audit_has(admin, "auth.login", actor_id=uid, outcome="failure", reason="vetoed_by_hook")
    assert e["action"] == "auth.login"
    assert_envelope_ok(login_raw(srv, pw, email=email))


@pytest.mark.parametrize("answer", [(500, {"allow": True}), (200, b"not json"), (200, {"allow": "yes"}),
                                    (200, {"reason": "missing allow"}), (302, {"allow": True})])
def test_broken_hook_fails_closed(srv, rec, answer):
    email, pw = unique_email(), strong_password()
    register(srv, email=email, password=pw)
    rec.default = answer
    r = register(srv, expect=None)
    b = assert_error(r, 503, "SERVICE_UNAVAILABLE")
    assert b["error"]["details"]["reason"] == "hook_unavailable"
    assert r.headers.get("Retry-After") == "5"
    b = assert_error(login_raw(srv, pw, email=email), 503, "SERVICE_UNAVAILABLE")
    assert b["error"]["details"]["reason"] == "hook_unavailable"


def test_slow_hook_times_out(srv, rec):
    rec.delay = 2.5  # the server waits 1000 ms
    b = assert_error(register(srv, expect=None), 503, "SERVICE_UNAVAILABLE")
    assert b["error"]["details"]["reason"] == "hook_unavailable"


# ------------------------------------------------------------------ unreachable hooks


def test_down_hook_fail_closed(server_factory):
    s = server_factory(env={"GATEHOUSE_PRE_REGISTER_HOOK_URL": dead_url(),
                            "GATEHOUSE_PRE_HOOK_TIMEOUT_MS": "500"})
    r = register(s, expect=None)
    b = assert_error(r, 503, "SERVICE_UNAVAILABLE")
    assert b["error"]["details"]["reason"] == "hook_unavailable"
    assert r.headers.get("Retry-After") == "5"
    assert "register" in b["message"]


def test_down_login_hook_fail_closed(server_factory):
    s = server_factory(env={"GATEHOUSE_PRE_LOGIN_HOOK_URL": dead_url(),
                            "GATEHOUSE_PRE_HOOK_TIMEOUT_MS": "500"})
    email, pw = unique_email(), strong_password()
    register(s, email=email, password=pw)  # no register hook configured
    b = assert_error(login_raw(s, pw, email=email), 503, "SERVICE_UNAVAILABLE")
    assert b["error"]["details"]["reason"] == "hook_unavailable"
    assert "login" in b["message"]


def test_down_hook_fail_open(server_factory):
    s = server_factory(env={"GATEHOUSE_PRE_REGISTER_HOOK_URL": dead_url(),
                            "GATEHOUSE_PRE_LOGIN_HOOK_URL": dead_url(),
                            "GATEHOUSE_PRE_HOOK_TIMEOUT_MS": "500",
                            "GATEHOUSE_PRE_HOOK_FAIL_OPEN": "true"})
    email, pw = unique_email(), strong_password()
    register(s, email=email, password=pw)
    assert_envelope_ok(login_raw(s, pw, email=email))


def test_fail_open_still_honours_veto(server_factory):
    rec = Receiver(default=(200, {"allow": False, "reason": "no"}))
    try:
        s = server_factory(env={"GATEHOUSE_PRE_REGISTER_HOOK_URL": rec.url("/r"),
                                "GATEHOUSE_PRE_HOOK_FAIL_OPEN": "true"})
        b = assert_error(register(s, expect=None), 403)
        assert "no" in b["message"]
        # unsigned when no secret is configured
        assert "x-gatehouse-signature" not in rec.received("/r")[0]["headers"]
    finally:
        rec.close()
