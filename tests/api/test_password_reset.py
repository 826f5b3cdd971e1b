"""/api/v1/password/forgot and /api/v1/password/reset."""
import time

from ghtest import (API, assert_envelope_ok, assert_error, create_user, login, login_raw, me,
                    strong_password, unique_email)

RESET_SUBJECT = "Reset your password"
REJECT = (400, 401, 404, 410)


def forgot(s, email):
    return s.post(f"{API}/password/forgot", json={"email": email})


def reset_token(s, email):
    mails = s.mails(to=email, subject=RESET_SUBJECT)
    assert mails, f"no reset mail for {email}"
    assert mails[-1]["token"]
    return mails[-1]["token"]


def test_forgot_same_answer_for_known_and_unknown(srv):
    u = create_user(srv)
    a = forgot(srv, u.email)
    b = forgot(srv, unique_email())
    ba, bb = assert_envelope_ok(a), assert_envelope_ok(b)
    assert ba["message"] == bb["message"]
    assert ba["data"] == bb["data"]
    assert ba.keys() == bb.keys()
    assert a.headers.get("Content-Type") == b.headers.get("Content-Type")


def test_forgot_sends_mail_only_to_existing(srv):
    u = create_user(srv)
    forgot(srv, u.email)
    assert len(srv.mails(to=u.email, subject=RESET_SUBJECT)) == 1
    ghost = unique_email()
    forgot(srv, ghost)
    assert srv.mails(to=ghost) == []


def test_reset_flow_ends_all_sessions(srv):
    u = create_user(srv)
    a = u.login()
    b = u.login()
    forgot(srv, u.email)
    tok = reset_token(srv, u.email)
    new = strong_password()
    r = srv.post(f"{API}/password/reset",
                 json={"token": tok, "password": new, "confirm_password": new})
    assert_envelope_ok(r)
    for s in (a, b):
        assert_error(me(srv, s["access_token"]), 401)
        assert_error(srv.post(f"{API}/auth/refresh", json={"refresh_token": s["refresh_token"]}),
                     401)
    assert_error(login_raw(srv, u.password, email=u.email), 401)
    login(srv, u.email, new)
    rows = srv.db_rows("SELECT password_hash FROM users WHERE id = ?", (u.id,))
    assert rows[0][0].startswith("$argon2id$")


def test_reset_without_confirm(srv):
    u = create_user(srv)
    forgot(srv, u.email)
    new = strong_password()
    r = srv.post(f"{API}/password/reset", json={"token": reset_token(srv, u.email), "password": new})
    assert_envelope_ok(r)
    login(srv, u.email, new)


def test_reset_token_single_use(srv):
    u = create_user(srv)
    forgot(srv, u.email)
    tok = reset_token(srv, u.email)
    p1, p2 = strong_password(), strong_password()
    assert srv.post(f"{API}/password/reset",
                    json={"token": tok, "password": p1, "confirm_password": p1}).status_code == 200
    r = srv.post(f"{API}/password/reset", json={"token": tok, "password": p2, "confirm_password": p2})
    assert r.status_code in REJECT
    assert r.json()["success"] is False
    login(srv, u.email, p1)
    assert_error(login_raw(srv, p2, email=u.email), 401)


def test_reset_invalid_token(srv):
    p = strong_password()
    for tok in ("garbage", "A" * 43):
        r = srv.post(f"{API}/password/reset", json={"token": tok, "password": p, "confirm_password": p})
        assert r.status_code in REJECT, r.text
        assert r.json()["success"] is False


def test_verification_token_is_not_a_reset_token(srv):
    u = create_user(srv)
    tok = u.verify_token()
    p = strong_password()
    r = srv.post(f"{API}/password/reset", json={"token": tok, "password": p, "confirm_password": p})
    assert r.status_code in REJECT
    login(srv, u.email, u.password)


def test_reset_token_is_not_a_verification_token(srv):
    u = create_user(srv)
    forgot(srv, u.email)
    r = srv.post(f"{API}/auth/verify-email/{reset_token(srv, u.email)}")
    assert_error(r, 400)  # the same answer as for any unknown verification token
    assert me(srv, u.login()["access_token"]).json()["data"]["email_verified"] is False


def test_reset_weak_password(srv):
    u = create_user(srv)
    forgot(srv, u.email)
    tok = reset_token(srv, u.email)
    r = srv.post(f"{API}/password/reset",
                 json={"token": tok, "password": "password", "confirm_password": "password"})
    b = assert_error(r, 400, "VALIDATION_ERROR")
    assert "password" in b["error"]["details"]
    # The token was not consumed by the failed attempt.
    p = strong_password()
    assert srv.post(f"{API}/password/reset",
                    json={"token": tok, "password": p, "confirm_password": p}).status_code == 200


def test_reset_mismatch(srv):
    u = create_user(srv)
    forgot(srv, u.email)
    r = srv.post(f"{API}/password/reset", json={
        "token": reset_token(srv, u.email), "password": strong_password(),
        "confirm_password": strong_password()})
    b = assert_error(r, 400, "VALIDATION_ERROR")
    assert "confirm_password" in b["error"]["details"]


def test_reset_validation(srv):
    r = srv.post(f"{API}/password/reset", json={})
    b = assert_error(r, 400, "VALIDATION_ERROR")
    assert "token" in b["error"]["details"] and "password" in b["error"]["details"]
    assert_error(srv.post(f"{API}/password/forgot", json={}), 400, "VALIDATION_ERROR")


def test_expired_reset_token(server_factory):
    s = server_factory(env={"GATEHOUSE_RESET_TOKEN_TTL": "1"})
    u = create_user(s)
    forgot(s, u.email)
    tok = reset_token(s, u.email)
    time.sleep(2.2)
    p = strong_password()
    r = s.post(f"{API}/password/reset", json={"token": tok, "password": p, "confirm_password": p})
    assert r.status_code in REJECT, r.text
    login(s, u.email, u.password)


def test_reset_verifies_nothing_else(srv):
    u = create_user(srv)
    forgot(srv, u.email)
    p = strong_password()
    srv.post(f"{API}/password/reset",
             json={"token": reset_token(srv, u.email), "password": p, "confirm_password": p})
    d = login(srv, u.email, p)
    assert d["user"]["id"] == u.id
    assert d["user"]["email"] == u.email


def test_reset_token_of_deleted_account(srv):
    u = create_user(srv)
    forgot(srv, u.email)
    tok = reset_token(srv, u.email)
    a = u.login()
    assert srv.delete(f"{API}/users/me", headers={"Authorization": f"Bearer {a['access_token']}"}
                      ).status_code == 200
    p = strong_password()
    r = srv.post(f"{API}/password/reset", json={"token": tok, "password": p, "confirm_password": p})
    assert r.status_code in REJECT, r.text
    assert_error(login_raw(srv, p, email=u.email), 401)
