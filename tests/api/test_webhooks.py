"""Webhooks: registration, signed deliveries to a local receiver, retries with backoff,
giving up, deactivation, and the deliveries log."""
import hashlib
import hmac
import json

import pytest

from authz_helpers import Receiver, create_org, dead_url, new_actor, new_admin, wait_for
from ghtest import API, assert_envelope_ok, assert_error, assert_rfc3339, create_user, login

MAX_ATTEMPTS = 3
NIL = "00000000-0000-0000-0000-000000000000"


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory(env={"GATEHOUSE_WEBHOOK_RETRY_BASE_SECONDS": "1",
                                      "GATEHOUSE_WEBHOOK_MAX_ATTEMPTS": str(MAX_ATTEMPTS)})


@pytest.fixture(scope="module")
def admin(srv):
    return new_admin(srv)


@pytest.fixture
def hooks(srv, admin):
    """hooks(event_types, **kw) -> (webhook dict incl. secret, Receiver). Cleaned up after the test."""
    made = []

    def make(event_types=None, secret="s3cret-" + "x" * 20, receiver=None, url=None):
        rec = receiver or Receiver()
        body = {"url": url or rec.url("/hook"), "secret": secret, "description": "test hook"}
        if event_types is not None:
            body["event_types"] = event_types
        w = assert_envelope_ok(admin.post(f"{API}/admin/webhooks", json=body), 201)["data"]
        made.append((w, rec))
        return w, rec

    yield make
    for w, rec in made:
        admin.delete(f"{API}/admin/webhooks/{w['id']}")
        rec.close()


def deliveries(admin, wid):
    return assert_envelope_ok(admin.get(f"{API}/admin/webhooks/{wid}/deliveries"))["data"]


def about(req, user_id):
    d = json.loads(req["body"])["data"]
    return user_id in (d.get("actor_id"), d.get("subject_id"))


def verify_signature(req, secret):
    h = req["headers"]
    sig = h["x-gatehouse-signature"]
    parts = dict(p.split("=", 1) for p in sig.split(","))
    ts = parts["t"]
    assert ts == h["x-gatehouse-timestamp"]
    expected = hmac.new(secret.encode(), f"{ts}.".encode() + req["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected), (sig, expected)
    wrong = hmac.new(b"not-the-secret-at-all", f"{ts}.".encode() + req["body"], hashlib.sha256).hexdigest()
    assert parts["v1"] != wrong


# ------------------------------------------------------------------ registration


def test_register_list_validate(srv, admin, hooks):
    w, rec = hooks(["user.created", "user.login"])
    assert w["url"] == rec.url("/hook") and w["event_types"] == ["user.created", "user.login"]
    assert w["active"] is True and w["created_by"] == admin.id and w["description"] == "test hook"
    assert w["secret"] == "s3cret-" + "x" * 20
    assert_rfc3339(w["created_at"])
    r = admin.get(f"{API}/admin/webhooks")
    (row,) = [x for x in assert_envelope_ok(r)["data"] if x["id"] == w["id"]]
    assert "secret" not in row and w["secret"] not in r.text
    assert row["active"] is True

    # generated secret when none is given; "*" when no types are given
    body = assert_envelope_ok(admin.post(f"{API}/admin/webhooks", json={"url": rec.url("/gen")}), 201)["data"]
    assert len(body["secret"]) >= 16 and body["event_types"] == ["*"]
    assert_envelope_ok(admin.delete(f"{API}/admin/webhooks/{body['id']}"))

    p = f"{API}/admin/webhooks"
    for bad in ({}, {"url": "ftp://127.0.0.1/x"}, {"url": "127.0.0.1:80/x"},
                {"url": rec.url(), "secret": "short"}, {"url": rec.url(), "event_types": []},
                {"url": rec.url(), "event_types": "user.login"}, {"url": rec.url(), "event_types": [1]}):
        assert_error(admin.post(p, json=bad), 400, "VALIDATION_ERROR")
    urls = [x["url"] for x in assert_envelope_ok(admin.get(p))["data"]]
    assert "ftp://127.0.0.1/x" not in urls


# ------------------------------------------------------------------ delivery


def test_delivery_signed(srv, admin, hooks):
    w, rec = hooks(["user.created", "user.login"])
    u = create_user(srv)
    login(srv, u.email, u.password)
    mine = lambda: [r for r in rec.received("/hook") if about(r, u.id)]  # noqa: E731
    wait_for(lambda: len(mine()) >= 2, what="two deliveries")
    got = mine()
    assert len(got) == 2
    by_type = {r["headers"]["x-gatehouse-event"]: r for r in got}
    assert set(by_type) == {"user.created", "user.login"}
    for typ, req in by_type.items():
        assert req["method"] == "POST"
        assert req["headers"]["content-type"].startswith("application/json")
        verify_signature(req, w["secret"])
        payload = json.loads(req["body"])
        assert payload["type"] == typ
        assert payload["id"] == req["headers"]["x-gatehouse-delivery"]
        assert_rfc3339(payload["created_at"])
        assert payload["data"]["outcome"] == "success"
        assert u.password not in req["body"].decode()
    created = json.loads(by_type["user.created"]["body"])["data"]
    assert created["action"] == "user.register" and created["subject_id"] == u.id
    assert json.loads(by_type["user.login"]["body"])["data"]["action"] == "auth.login"

    # the deliveries log
    ds = wait_for(lambda: [d for d in deliveries(admin, w["id"]) if d["status"] == "delivered"
                           and d["payload"]["data"]["subject_id"] == u.id] or None, what="delivered row")
    d = ds[0]
    assert d["event_type"] == "user.created" and d["attempts"] == 1 and d["last_status_code"] == 200
    assert d["last_error"] is None
    assert_rfc3339(d["delivered_at"])
    assert d["id"] == by_type["user.created"]["headers"]["x-gatehouse-delivery"]


def test_unsubscribed_events_not_delivered(srv, admin, hooks):
    w_login, rec_login = hooks(["user.login"])
    w_all, rec_all = hooks()  # "*"
    a = new_actor(srv)
    org = create_org(a)
    assert_envelope_ok(a.post(f"{API}/auth/logout"))
    # the catch-all hook sees register, login, org.create and logout ...
    wait_for(lambda: {"user.created", "user.login", "org.create", "user.logout"} <=
             {r["headers"]["x-gatehouse-event"] for r in rec_all.received() if about(r, a.id)},
             what="catch-all deliveries")
    orgs = [json.loads(r["body"]) for r in rec_all.received() if r["headers"]["x-gatehouse-event"] == "org.create"]
    assert any(p["data"]["subject_id"] == org["id"] for p in orgs)
    # ... the login-only hook nothing else
    wait_for(lambda: [r for r in rec_login.received() if about(r, a.id)], what="login delivery")
    assert {r["headers"]["x-gatehouse-event"] for r in rec_login.received()} == {"user.login"}


def test_failed_login_event(srv, admin, hooks):
    w, rec = hooks(["user.login_failed"])
    u = create_user(srv)
    r = srv.post(f"{API}/auth/login", json={"email": u.email, "password": "Wrong-" + u.password})
    assert r.status_code == 401
    req = wait_for(lambda: [x for x in rec.received() if about(x, u.id)], what="login_failed delivery")[0]
    p = json.loads(req["body"])
    assert p["type"] == "user.login_failed" and p["data"]["outcome"] == "failure"
    assert p["data"]["details"]["reason"] == "bad_password"
    verify_signature(req, w["secret"])


# ------------------------------------------------------------------ retries


def test_retry_then_delivered(srv, admin, hooks):
    rec = Receiver()
    rec.plan = [(500, {"error": "boom"})]
    w, _ = hooks(["user.created"], receiver=rec)
    u = create_user(srv)
    ds = wait_for(lambda: [d for d in deliveries(admin, w["id"])
                           if d["payload"]["data"]["subject_id"] == u.id and d["status"] == "delivered"] or None,
                  timeout=20, what="delivery after retry")
    d = ds[0]
    assert d["attempts"] >= 2 and d["last_status_code"] == 200 and d["last_error"] is None
    reqs = [r for r in rec.received() if about(r, u.id)]
    assert len(reqs) >= 2
    assert {r["headers"]["x-gatehouse-delivery"] for r in reqs} == {d["id"]}
    assert [r["body"] for r in reqs] == [reqs[0]["body"]] * len(reqs)  # same payload
    for r in reqs:
        verify_signature(r, w["secret"])


def test_retry_pending_state_visible(srv, admin, hooks):
    rec = Receiver(default=(503, {"error": "down"}))
    w, _ = hooks(["user.created"], receiver=rec)
    u = create_user(srv)
    d = wait_for(lambda: [d for d in deliveries(admin, w["id"]) if d["payload"]["data"]["subject_id"] == u.id
                          and d["attempts"] >= 1] or None, what="first failed attempt")[0]
    if d["status"] == "pending":
        assert d["last_status_code"] == 503 and d["last_error"] == "HTTP 503"
        assert d["delivered_at"] is None
    rec.default = (200, {"ok": True})
    wait_for(lambda: [d for d in deliveries(admin, w["id"]) if d["payload"]["data"]["subject_id"] == u.id
                      and d["status"] == "delivered"] or None, timeout=20, what="eventual delivery")


def test_gives_up_after_max_attempts(srv, admin, hooks):
    rec = Receiver(default=(500, {"error": "always"}))
    w, _ = hooks(["user.created"], receiver=rec)
    u = create_user(srv)
    d = wait_for(lambda: [d for d in deliveries(admin, w["id"]) if d["payload"]["data"]["subject_id"] == u.id
                          and d["status"] == "failed"] or None, timeout=30, what="failed delivery")[0]
    assert d["attempts"] == MAX_ATTEMPTS and d["last_status_code"] == 500 and d["last_error"] == "HTTP 500"
    assert d["delivered_at"] is None
    assert len([r for r in rec.received() if about(r, u.id)]) == MAX_ATTEMPTS


def test_unreachable_endpoint(srv, admin, hooks):
    w, _ = hooks(["user.created"], url=dead_url())
    u = create_user(srv)
    d = wait_for(lambda: [d for d in deliveries(admin, w["id"]) if d["payload"]["data"]["subject_id"] == u.id
                          and d["attempts"] >= 1] or None, what="attempt on a dead endpoint")[0]
    assert d["status"] in ("pending", "failed")
    assert d["last_status_code"] is None and d["last_error"]


# ------------------------------------------------------------------ removal


def test_delete_webhook(srv, admin, hooks):
    w, rec = hooks(["user.created"])
    u1 = create_user(srv)
    wait_for(lambda: [r for r in rec.received() if about(r, u1.id)], what="delivery before removal")
    r = admin.delete(f"{API}/admin/webhooks/{w['id']}")
    assert assert_envelope_ok(r)["data"]["id"] == w["id"]
    (row,) = [x for x in assert_envelope_ok(admin.get(f"{API}/admin/webhooks"))["data"] if x["id"] == w["id"]]
    assert row["active"] is False
    # deliveries stay visible
    assert any(d["payload"]["data"]["subject_id"] == u1.id for d in deliveries(admin, w["id"]))

    # a still-active sentinel hook proves the next event was dispatched
    sentinel, srec = hooks(["user.created"])
    u2 = create_user(srv)
    wait_for(lambda: [r for r in srec.received() if about(r, u2.id)], what="sentinel delivery")
    assert not [r for r in rec.received() if about(r, u2.id)]
    assert not [d for d in deliveries(admin, w["id"]) if d["payload"]["data"]["subject_id"] == u2.id]

    assert_error(admin.delete(f"{API}/admin/webhooks/{w['id']}"), 404)
    assert_error(admin.delete(f"{API}/admin/webhooks/{NIL}"), 404)
    assert_error(admin.get(f"{API}/admin/webhooks/{NIL}/deliveries"), 404)


def test_delete_cancels_pending_retries(srv, admin, hooks):
    rec = Receiver(default=(500, {"error": "always"}))
    w, _ = hooks(["user.created"], receiver=rec)
    u = create_user(srv)
    wait_for(lambda: [d for d in deliveries(admin, w["id"]) if d["payload"]["data"]["subject_id"] == u.id
                      and d["attempts"] >= 1] or None, what="first attempt")
    assert_envelope_ok(admin.delete(f"{API}/admin/webhooks/{w['id']}"))
    d = [d for d in deliveries(admin, w["id"]) if d["payload"]["data"]["subject_id"] == u.id][0]
    assert d["status"] in ("failed", "delivered")
    if d["status"] == "failed" and d["attempts"] < MAX_ATTEMPTS:
        assert d["last_error"] == "webhook removed"
