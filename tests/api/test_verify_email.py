"""Email verification: /api/v1/auth/verify-email/{token} and /verify-email/resend."""
import time

import jwt
import pytest

from ghtest import (API, assert_envelope_ok, assert_error, assert_user_object, create_user,
                    login, login_raw, me, register, strong_password, unique_email)

VERIFY_SUBJECT = "Verify your email address"
REJECT = (400, 404, 410)


def test_verify_with_post(srv):
    u = create_user(srv)
    r = srv.post(f"{API}/auth/verify-email/{u.verify_token()}")
    data = assert_envelope_ok(r)["data"]
    assert_user_object(data)
    assert data["id"] == u.id
    assert data["email_verified"] is True
    assert login(srv, u.email, u.password)["user"]["email_verified"] is True


def test_verify_with_get(srv):
    u = create_user(srv)
    r = srv.get(f"{API}/auth/verify-email/{u.verify_token()}")
    data = assert_envelope_ok(r)["data"]
    assert data["email_verified"] is True
    rows = srv.db_rows("SELECT email_verified FROM users WHERE id = ?", (u.id,))
    assert str(rows[0][0]) in ("1", "t", "True", "true")


def test_verified_claim_in_access_token(srv):
    u = create_user(srv)
    before = jwt.decode(u.login()["access_token"], options={"verify_signature": False})
    assert before["email_verified"] is False
    srv.post(f"{API}/auth/verify-email/{u.verify_token()}")
    after = jwt.decode(u.login()["access_token"], options={"verify_signature": False})
    assert after["email_verified"] is True
    assert after["email"] == u.email


def test_token_is_single_use(srv):
    u = create_user(srv)
    tok = u.verify_token()
    assert srv.post(f"{API}/auth/verify-email/{tok}").status_code == 200
    r = srv.post(f"{API}/auth/verify-email/{tok}")
    assert r.status_code in REJECT, r.text
    assert r.json()["success"] is False


@pytest.mark.parametrize("tok", ["garbage", "A" * 43, "0" * 64, "..%2F..%2Fetc"])
def test_unknown_token_rejected(srv, tok):
    r = srv.post(f"{API}/auth/verify-email/{tok}")
    assert r.status_code in REJECT, r.text
    assert r.json()["success"] is False


def test_tampered_token_rejected(srv):
    u = create_user(srv)
    tok = u.verify_token()
    bad = tok[:-1] + ("A" if tok[-1] != "A" else "B")
    r = srv.post(f"{API}/auth/verify-email/{bad}")
    assert r.status_code in REJECT
    # The real token still works afterwards.
    assert srv.post(f"{API}/auth/verify-email/{tok}").status_code == 200


def test_resend_same_answer_for_known_and_unknown(srv):
    u = create_user(srv)
    known = srv.post(f"{API}/auth/verify-email/resend", json={"email": u.email})
    unknown = srv.post(f"{API}/auth/verify-email/resend", json={"email": unique_email()})
    a, b = assert_envelope_ok(known), assert_envelope_ok(unknown)
    assert a["message"] == b["message"]
    assert a["data"] == b["data"]
    assert a.keys() == b.keys()


def test_resend_sends_new_token_and_both_or_latest_work(srv):
    u = create_user(srv)
    first = u.verify_token()
    assert srv.post(f"{API}/auth/verify-email/resend", json={"email": u.email}).status_code == 200
    mails = srv.mails(to=u.email, subject=VERIFY_SUBJECT)
    assert len(mails) == 2
    second = mails[-1]["token"]
    assert second and second != first
    r = srv.post(f"{API}/auth/verify-email/{second}")
    assert r.status_code == 200
    assert r.json()["data"]["email_verified"] is True


def test_resend_for_unknown_email_sends_nothing(srv):
    email = unique_email()
    srv.post(f"{API}/auth/verify-email/resend", json={"email": email})
    assert srv.mails(to=email) == []


def test_resend_validation(srv):
    r = srv.post(f"{API}/auth/verify-email/resend", json={})
    assert_error(r, 400, "VALIDATION_ERROR")


def test_require_verified_email_blocks_login(server_factory):
    s = server_factory(env={"GATEHOUSE_REQUIRE_VERIFIED_EMAIL": "true"})
    u = create_user(s)
    r = login_raw(s, u.password, email=u.email)
    body = assert_error(r, 403, "AUTHORIZATION_ERROR")
    assert body["error"]["details"]["reason"] == "email_not_verified"
    # A wrong password must still give the generic 401 (no hint the account exists).
    r = login_raw(s, "Wrong-" + strong_password(), email=u.email)
    assert_error(r, 401, "AUTHENTICATION_ERROR")
    assert s.post(f"{API}/auth/verify-email/{u.verify_token()}").status_code == 200
    data = login(s, u.email, u.password)
    assert data["user"]["email_verified"] is True
    assert me(s, data["access_token"]).status_code == 200


def test_expired_verification_token(server_factory):
    s = server_factory(env={"GATEHOUSE_VERIFY_TOKEN_TTL": "1"})
    u = create_user(s)
    tok = u.verify_token()
    time.sleep(2.2)
    r = s.post(f"{API}/auth/verify-email/{tok}")
    assert r.status_code in REJECT, r.text
    assert s.db_rows("SELECT email_verified FROM users WHERE id = ?", (u.id,))[0][0] in (0, "0", "f")


def test_register_with_unicode_email_local_part_roundtrip(srv):
    # Plain ASCII with plus addressing must be accepted and preserved.
    email = f"plus+{unique_email()}"
    r = register(srv, email=email)
    assert r.json()["data"]["email"] == email
    assert srv.mails(to=email, subject=VERIFY_SUBJECT)


def test_me_reflects_verification_with_old_token(srv):
    """A token minted before verification still sees the current user state on /auth/me."""
    u = create_user(srv)
    tok = u.login()["access_token"]
    assert me(srv, tok).json()["data"]["email_verified"] is False
    assert srv.post(f"{API}/auth/verify-email/{u.verify_token()}").status_code == 200
    assert me(srv, tok).json()["data"]["email_verified"] is True
    assert srv.get(f"{API}/users/me", headers={"Authorization": f"Bearer {tok}"}).json()["data"][
        "email_verified"] is True


def test_verification_token_of_deleted_account(srv):
    u = create_user(srv)
    tok = u.verify_token()
    a = u.login()
    assert srv.delete(f"{API}/users/me", headers={"Authorization": f"Bearer {a['access_token']}"}
                      ).status_code == 200
    r = srv.post(f"{API}/auth/verify-email/{tok}")
    assert r.status_code in REJECT, r.text
    assert_error(login_raw(srv, u.password, email=u.email), 401)
