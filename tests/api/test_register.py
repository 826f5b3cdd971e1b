"""POST /api/v1/auth/register."""
from ghtest import (API, assert_envelope_ok, assert_error, assert_user_object, register,
                    strong_password, unique_email, unique_username)


def test_register_returns_201_and_user(srv):
    email, pw, uname = unique_email(), strong_password(), unique_username()
    r = register(srv, email=email, password=pw, username=uname)
    body = assert_envelope_ok(r, 201)
    u = body["data"]
    assert_user_object(u)
    assert u["email"] == email
    assert u["username"] == uname
    assert u["email_verified"] is False
    assert u["is_admin"] is False
    assert u["last_login_at"] is None
    assert pw not in r.text


def test_register_without_username(srv):
    r = register(srv)
    u = assert_envelope_ok(r, 201)["data"]
    assert u["username"] is None


def test_register_stores_argon2_hash_not_password(srv):
    email, pw = unique_email(), strong_password()
    uid = register(srv, email=email, password=pw).json()["data"]["id"]
    rows = srv.db_rows("SELECT email, password_hash, email_verified FROM users WHERE id = ?", (uid,))
    assert len(rows) == 1
    stored_email, h, verified = rows[0]
    assert stored_email == email
    assert h.startswith("$argon2id$"), h
    assert pw not in h
    assert str(verified) in ("0", "f", "False", "false")


def test_register_sends_verification_mail(srv):
    email = unique_email()
    register(srv, email=email)
    mails = srv.mails(to=email, subject="Verify your email address")
    assert len(mails) == 1
    m = mails[0]
    assert m["headers"].get("from")
    assert m["token"] and len(m["token"]) >= 32
    assert f"/api/v1/auth/verify-email/{m['token']}" in m["body"]
    # Only a hash of the token is stored.
    rows = srv.db_rows("SELECT token_hash FROM email_tokens")
    assert rows and all(m["token"] not in r[0] for r in rows)


def test_duplicate_email_conflict(srv):
    email = unique_email()
    register(srv, email=email)
    r = register(srv, email=email, expect=None)
    assert_error(r, 409, "CONFLICT")


def test_duplicate_email_is_case_insensitive(srv):
    email = unique_email()
    register(srv, email=email)
    r = register(srv, email=email.upper(), expect=None)
    assert_error(r, 409, "CONFLICT")


def test_duplicate_username_conflict(srv):
    uname = unique_username()
    register(srv, username=uname)
    r = register(srv, username=uname, expect=None)
    assert_error(r, 409, "CONFLICT")


def test_missing_fields_are_reported_per_field(srv):
    r = srv.post(f"{API}/auth/register", json={})
    body = assert_error(r, 400, "VALIDATION_ERROR")
    details = body["error"]["details"]
    assert "email" in details
    assert "password" in details


def test_invalid_email_rejected(srv):
    for bad in ("not-an-email", "a@", "@example.com", "a b@example.com", "x" * 300 + "@example.com"):
        pw = strong_password()
        r = srv.post(f"{API}/auth/register",
                     json={"email": bad, "password": pw, "confirm_password": pw})
        body = assert_error(r, 400, "VALIDATION_ERROR")
        assert "email" in body["error"]["details"], (bad, body)


def test_password_mismatch(srv):
    r = srv.post(f"{API}/auth/register", json={
        "email": unique_email(), "password": strong_password(), "confirm_password": strong_password()})
    body = assert_error(r, 400, "VALIDATION_ERROR")
    assert "confirm_password" in body["error"]["details"]


def test_weak_password_rejected(srv):
    email = unique_email()
    for weak in ("password", "12345678", "qwertyuiop", "aaaaaaaaaa"):
        r = srv.post(f"{API}/auth/register",
                     json={"email": email, "password": weak, "confirm_password": weak})
        body = assert_error(r, 400, "VALIDATION_ERROR")
        assert isinstance(body["error"]["details"].get("password"), str), body
        assert body["error"]["details"]["password"]
    # Nothing was created: the email is still free.
    register(srv, email=email)


def test_too_short_and_too_long_password(srv):
    for pw in ("Ab1!x", "Zq9-" + "k" * 300):
        r = srv.post(f"{API}/auth/register",
                     json={"email": unique_email(), "password": pw, "confirm_password": pw})
        body = assert_error(r, 400, "VALIDATION_ERROR")
        assert "password" in body["error"]["details"]


def test_wrong_field_types(srv):
    r = srv.post(f"{API}/auth/register",
                 json={"email": 123, "password": ["x"], "confirm_password": None})
    body = assert_error(r, 400, "VALIDATION_ERROR")
    assert "email" in body["error"]["details"]
    assert "password" in body["error"]["details"]


def test_body_must_be_object(srv):
    r = srv.post(f"{API}/auth/register", json=["email", "password"])
    assert_error(r, 400, "BAD_REQUEST")


def test_invalid_username_rejected(srv):
    pw = strong_password()
    for bad in ("a b", "x" * 300, "<script>"):
        r = srv.post(f"{API}/auth/register", json={
            "email": unique_email(), "username": bad, "password": pw, "confirm_password": pw})
        body = assert_error(r, 400, "VALIDATION_ERROR")
        assert "username" in body["error"]["details"], body


def test_register_does_not_log_in(srv):
    r = register(srv)
    data = r.json()["data"]
    assert "access_token" not in data
    assert "refresh_token" not in data
