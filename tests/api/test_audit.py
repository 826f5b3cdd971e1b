"""Audit log: GET /api/v1/users/me/audit and the audit_log table."""
import uuid

import pytest

from ghtest import (API, USER_AGENT, assert_envelope_ok, assert_rfc3339, bearer, create_user,
                    login_raw, register, strong_password, unique_email)


def rid():
    return "t-" + uuid.uuid4().hex


def audit(s, tok):
    r = s.get(f"{API}/users/me/audit", headers=bearer(tok))
    data = assert_envelope_ok(r)["data"]
    assert isinstance(data, list)
    return data


def find(events, action, outcome=None):
    return [e for e in events if e["action"] == action and (outcome is None or e["outcome"] == outcome)]


def test_event_shape_and_order(srv):
    u = create_user(srv)
    tok = u.login()["access_token"]
    events = audit(srv, tok)
    assert len(events) >= 2
    for e in events:
        assert {"id", "at", "action", "outcome", "ip", "user_agent", "request_id", "details"} <= set(e)
        assert e["outcome"] in ("success", "failure")
        assert isinstance(e["details"], dict)
        assert_rfc3339(e["at"])
    assert events[0]["action"] == "auth.login"
    assert find(events, "user.register")
    times = [assert_rfc3339(e["at"]) for e in events]
    assert times == sorted(times, reverse=True)
    reg = find(events, "user.register")[0]
    assert events.index(reg) > events.index(find(events, "auth.login")[0])


def test_register_event_carries_request_id_ip_and_agent(srv):
    email, pw, r_id = unique_email(), strong_password(), rid()
    r = srv.post(f"{API}/auth/register", json={"email": email, "password": pw,
                                               "confirm_password": pw},
                 headers={"X-Request-ID": r_id, "User-Agent": "audit-agent/2"})
    assert r.status_code == 201
    tok = login_raw(srv, pw, email=email).json()["data"]["access_token"]
    ev = find(audit(srv, tok), "user.register")
    assert len(ev) == 1
    assert ev[0]["request_id"] == r_id
    assert ev[0]["ip"] == "127.0.0.1"
    assert ev[0]["user_agent"] == "audit-agent/2"
    assert ev[0]["outcome"] == "success"


def test_login_success_and_failure_events(srv):
    u = create_user(srv)
    bad = rid()
    r = srv.post(f"{API}/auth/login", json={"email": u.email, "password": "Wrong-" + strong_password()},
                 headers={"X-Request-ID": bad})
    assert r.status_code == 401
    good = rid()
    r = srv.post(f"{API}/auth/login", json={"email": u.email, "password": u.password},
                 headers={"X-Request-ID": good})
    tok = r.json()["data"]["access_token"]
    events = audit(srv, tok)
    fail = find(events, "auth.login", "failure")
    ok = find(events, "auth.login", "success")
    assert [e["request_id"] for e in fail] == [bad]
    assert [e["request_id"] for e in ok] == [good]
    assert u.password not in str(events)
    assert "Wrong-" not in str(events)


def test_refresh_logout_and_reuse_events(server_factory):
    s = server_factory(env={"GATEHOUSE_REFRESH_REUSE_GRACE_SECONDS": "0"})
    u = create_user(s)
    keep = u.login()
    a = u.login()
    r1 = rid()
    assert s.post(f"{API}/auth/refresh", json={"refresh_token": a["refresh_token"]},
                  headers={"X-Request-ID": r1}).status_code == 200
    r2 = rid()
    assert s.post(f"{API}/auth/refresh", json={"refresh_token": a["refresh_token"]},
                  headers={"X-Request-ID": r2}).status_code == 401
    other = u.login()
    r3 = rid()
    s.post(f"{API}/auth/logout", headers={**bearer(other["access_token"]), "X-Request-ID": r3})
    events = audit(s, keep["access_token"])
    assert r1 in [e["request_id"] for e in find(events, "auth.refresh", "success")]
    reuse = find(events, "auth.refresh_reuse")
    assert [e["request_id"] for e in reuse] == [r2]
    assert [e["request_id"] for e in find(events, "auth.logout")] == [r3]


def test_verify_email_event(srv):
    u = create_user(srv)
    r_id = rid()
    assert srv.get(f"{API}/auth/verify-email/{u.verify_token()}",
                   headers={"X-Request-ID": r_id}).status_code == 200
    ev = find(audit(srv, u.login()["access_token"]), "user.verify_email")
    assert [e["request_id"] for e in ev] == [r_id]


def test_password_change_reset_update_revoke_events(srv):
    u = create_user(srv)
    a = u.login()
    b = u.login()
    ids = {}
    ids["user.update"] = rid()
    srv.patch(f"{API}/users/me", json={"name": "Audit Me"},
              headers={**bearer(a["access_token"]), "X-Request-ID": ids["user.update"]})
    ids["session.revoke"] = rid()
    srv.delete(f"{API}/auth/sessions/{b['session_id']}",
               headers={**bearer(a["access_token"]), "X-Request-ID": ids["session.revoke"]})
    new = strong_password()
    ids["user.password_change"] = rid()
    r = srv.post(f"{API}/users/me/password",
                 json={"current_password": u.password, "new_password": new, "confirm_password": new},
                 headers={**bearer(a["access_token"]), "X-Request-ID": ids["user.password_change"]})
    assert r.status_code == 200
    srv.post(f"{API}/password/forgot", json={"email": u.email})
    tok = srv.mails(to=u.email, subject="Reset your password")[-1]["token"]
    final = strong_password()
    ids["user.password_reset"] = rid()
    assert srv.post(f"{API}/password/reset", json={"token": tok, "password": final},
                    headers={"X-Request-ID": ids["user.password_reset"]}).status_code == 200
    events = audit(srv, login_raw(srv, final, email=u.email).json()["data"]["access_token"])
    for action, r_id in ids.items():
        got = find(events, action, "success")
        assert r_id in [e["request_id"] for e in got], (action, events)
    for e in events:
        assert new not in str(e) and final not in str(e)


def test_user_sees_only_own_events(srv):
    u, v = create_user(srv), create_user(srv)
    login_raw(srv, "Wrong-" + strong_password(), email=v.email)
    tok = u.login()["access_token"]
    events = audit(srv, tok)
    assert len(find(events, "user.register")) == 1
    assert not find(events, "auth.login", "failure")


def test_unknown_account_failure_not_attributed(srv):
    u = create_user(srv)
    login_raw(srv, strong_password(), email=unique_email())
    assert not find(audit(srv, u.login()["access_token"]), "auth.login", "failure")


def test_delete_event_kept_in_table(srv):
    u = create_user(srv)
    a = u.login()
    r_id = rid()
    assert srv.delete(f"{API}/users/me", headers={**bearer(a["access_token"]),
                                                   "X-Request-ID": r_id}).status_code == 200
    rows = srv.db_rows("SELECT action, outcome, request_id, ip FROM audit_log "
                       "WHERE subject_id = ? OR actor_id = ?", (u.id, u.id))
    actions = [r[0] for r in rows]
    assert "user.register" in actions and "auth.login" in actions
    deletes = [r for r in rows if r[0] == "user.delete"]
    assert len(deletes) == 1
    assert deletes[0][1] == "success"
    assert deletes[0][2] == r_id
    assert deletes[0][3] == "127.0.0.1"


def test_audit_default_user_agent(srv):
    u = create_user(srv)
    ev = audit(srv, u.login()["access_token"])
    assert ev[0]["user_agent"] == USER_AGENT


@pytest.mark.parametrize("n", [3])
def test_failures_for_existing_account_counted(srv, n):
    u = create_user(srv)
    for _ in range(n):
        login_raw(srv, "Wrong-" + strong_password(), email=u.email)
    assert len(find(audit(srv, u.login()["access_token"]), "auth.login", "failure")) == n


def test_register_duplicate_is_not_audited_to_victim(srv):
    u = create_user(srv)
    register(srv, email=u.email, expect=409)
    ev = audit(srv, u.login()["access_token"])
    assert len([e for e in ev if e["action"] == "user.register" and e["outcome"] == "success"]) == 1
