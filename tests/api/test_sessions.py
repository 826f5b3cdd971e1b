"""Session listing, revocation, stats and the per-user session limit."""
import time
import uuid

import pytest

from ghtest import (API, USER_AGENT, assert_envelope_ok, assert_error, assert_rfc3339, bearer,
                    create_user, me)


def sessions(s, tok):
    return s.get(f"{API}/auth/sessions", headers=bearer(tok))


def test_list_sessions(srv):
    u = create_user(srv)
    a = u.login()
    b = u.login()
    r = sessions(srv, b["access_token"])
    data = assert_envelope_ok(r)["data"]
    assert isinstance(data, list)
    assert {x["id"] for x in data} == {a["session_id"], b["session_id"]}
    for x in data:
        for k in ("id", "created_at", "last_used_at", "expires_at", "ip", "user_agent", "current"):
            assert k in x, k
        assert_rfc3339(x["created_at"])
        assert_rfc3339(x["last_used_at"])
        assert_rfc3339(x["expires_at"])
        assert x["ip"] == "127.0.0.1"
        assert x["user_agent"] == USER_AGENT
        assert x["current"] is (x["id"] == b["session_id"])


def test_list_excludes_revoked_and_other_users(srv):
    u, v = create_user(srv), create_user(srv)
    a = u.login()
    b = u.login()
    vs = v.login()
    srv.post(f"{API}/auth/logout", headers=bearer(a["access_token"]))
    ids = {x["id"] for x in sessions(srv, b["access_token"]).json()["data"]}
    assert ids == {b["session_id"]}
    assert vs["session_id"] not in ids


def test_revoke_one_session(srv):
    u = create_user(srv)
    a = u.login()
    b = u.login()
    r = srv.delete(f"{API}/auth/sessions/{a['session_id']}", headers=bearer(b["access_token"]))
    assert_envelope_ok(r)
    assert_error(me(srv, a["access_token"]), 401, "AUTHENTICATION_ERROR")
    assert_error(srv.post(f"{API}/auth/refresh", json={"refresh_token": a["refresh_token"]}), 401)
    assert me(srv, b["access_token"]).status_code == 200
    # Revoking it again: it is gone.
    r = srv.delete(f"{API}/auth/sessions/{a['session_id']}", headers=bearer(b["access_token"]))
    assert_error(r, 404)


def test_revoke_current_session(srv):
    u = create_user(srv)
    a = u.login()
    r = srv.delete(f"{API}/auth/sessions/{a['session_id']}", headers=bearer(a["access_token"]))
    assert r.status_code == 200
    assert_error(me(srv, a["access_token"]), 401)


def test_cannot_revoke_other_users_session(srv):
    u, v = create_user(srv), create_user(srv)
    a = u.login()
    vs = v.login()
    r = srv.delete(f"{API}/auth/sessions/{vs['session_id']}", headers=bearer(a["access_token"]))
    assert_error(r, 404, "NOT_FOUND")
    assert me(srv, vs["access_token"]).status_code == 200


@pytest.mark.parametrize("sid", ["4b0f6f55-1d8e-4c3e-9a57-0f5f1e0b9a11", "not-a-uuid", "1"])
def test_revoke_unknown_session(srv, sid):
    u = create_user(srv)
    a = u.login()
    r = srv.delete(f"{API}/auth/sessions/{sid}", headers=bearer(a["access_token"]))
    assert_error(r, 404, "NOT_FOUND")


def test_revoke_all_others(srv):
    u = create_user(srv)
    others = [u.login() for _ in range(3)]
    cur = u.login()
    r = srv.delete(f"{API}/auth/sessions", headers=bearer(cur["access_token"]))
    assert assert_envelope_ok(r)["data"]["revoked"] == 3
    for o in others:
        assert_error(me(srv, o["access_token"]), 401)
    assert me(srv, cur["access_token"]).status_code == 200
    r = srv.delete(f"{API}/auth/sessions", headers=bearer(cur["access_token"]))
    assert r.json()["data"]["revoked"] == 0


def test_session_endpoints_require_auth(srv):
    assert_error(srv.get(f"{API}/auth/sessions"), 401)
    assert_error(srv.delete(f"{API}/auth/sessions"), 401)
    assert_error(srv.delete(f"{API}/auth/sessions/{uuid.uuid4()}"), 401)
    assert_error(srv.get(f"{API}/auth/sessions/stats"), 401)


def test_stats(srv):
    u = create_user(srv)
    a = u.login()
    b = u.login()
    c = u.login()
    srv.post(f"{API}/auth/logout", headers=bearer(a["access_token"]))
    r = srv.get(f"{API}/auth/sessions/stats", headers=bearer(c["access_token"]))
    d = assert_envelope_ok(r)["data"]
    assert d["active"] == 2
    assert d["total"] == 3
    assert d["revoked"] == 1
    assert d["limit"] == 10
    assert_rfc3339(d["oldest_active_at"])
    assert_rfc3339(d["newest_active_at"])
    assert assert_rfc3339(d["oldest_active_at"]) <= assert_rfc3339(d["newest_active_at"])
    del b


def test_session_limit_evicts_oldest_spaced(server_factory):
    """Logins at least a second apart (timestamps have second resolution)."""
    s = server_factory(env={"GATEHOUSE_MAX_SESSIONS_PER_USER": "2"})
    u = create_user(s)
    logins = []
    for _ in range(3):
        logins.append(u.login())
        time.sleep(1.05)
    assert_error(me(s, logins[0]["access_token"]), 401)
    assert me(s, logins[1]["access_token"]).status_code == 200
    assert me(s, logins[2]["access_token"]).status_code == 200


def test_session_limit_evicts_oldest(server_factory):
    """Logins in quick succession (usually the same second): still the first one goes."""
    s = server_factory(env={"GATEHOUSE_MAX_SESSIONS_PER_USER": "3"})
    u = create_user(s)
    logins = [u.login() for _ in range(4)]
    assert_error(me(s, logins[0]["access_token"]), 401)
    assert_error(s.post(f"{API}/auth/refresh", json={"refresh_token": logins[0]["refresh_token"]}),
                 401)
    for x in logins[1:]:
        assert me(s, x["access_token"]).status_code == 200
    cur = logins[-1]["access_token"]
    ids = {x["id"] for x in sessions(s, cur).json()["data"]}
    assert ids == {x["session_id"] for x in logins[1:]}
    st = s.get(f"{API}/auth/sessions/stats", headers=bearer(cur)).json()["data"]
    assert st["active"] == 3
    assert st["limit"] == 3
    # One more login evicts the next-oldest.
    u.login()
    assert_error(me(s, logins[1]["access_token"]), 401)
    assert me(s, logins[2]["access_token"]).status_code == 200


def test_session_limit_is_per_user(server_factory):
    s = server_factory(env={"GATEHOUSE_MAX_SESSIONS_PER_USER": "2"})
    u, v = create_user(s), create_user(s)
    va = v.login()
    for _ in range(3):
        u.login()
    assert me(s, va["access_token"]).status_code == 200


def test_refresh_updates_last_used(srv):
    u = create_user(srv)
    a = u.login()
    b = srv.post(f"{API}/auth/refresh", json={"refresh_token": a["refresh_token"]}).json()["data"]
    lst = sessions(srv, b["access_token"]).json()["data"]
    assert [x["id"] for x in lst] == [a["session_id"]]
    assert lst[0]["current"] is True


def test_session_expiry_follows_refresh_ttl(server_factory):
    s = server_factory(env={"GATEHOUSE_REFRESH_TOKEN_TTL": "3600"})
    u = create_user(s)
    a = u.login()
    x = sessions(s, a["access_token"]).json()["data"][0]
    delta = assert_rfc3339(x["expires_at"]) - assert_rfc3339(x["created_at"])
    assert 3590 <= delta.total_seconds() <= 3610
