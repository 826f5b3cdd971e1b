"""Rate limits: each test runs its own server with one tight bucket."""
import pytest

from ghtest import (API, ServerError, assert_error, create_user, login_raw, me, register,
                    strong_password, unique_email)


def assert_limited(r, period=60):
    body = assert_error(r, 429, "RATE_LIMITED")
    ra = r.headers.get("Retry-After")
    assert ra is not None, r.headers
    assert ra.isdigit(), ra
    assert 1 <= int(ra) <= period
    assert r.headers.get("X-Request-ID")
    assert r.headers.get("X-Content-Type-Options") == "nosniff"
    return body


def test_login_ip_limit(server_factory):
    s = server_factory(env={"GATEHOUSE_RATE_LIMIT_LOGIN_IP": "3/60"})
    u = create_user(s)
    assert login_raw(s, u.password, email=u.email).status_code == 200
    assert login_raw(s, "Wrong-" + strong_password(), email=u.email).status_code == 401
    assert login_raw(s, strong_password(), email=unique_email()).status_code == 401
    assert_limited(login_raw(s, u.password, email=u.email))
    assert_limited(login_raw(s, u.password, email=unique_email()))
    # Other endpoints are not affected.
    assert s.get("/healthz").status_code == 200
    register(s)


def test_login_account_limit_counts_failures_only(server_factory):
    s = server_factory(env={"GATEHOUSE_RATE_LIMIT_LOGIN_ACCOUNT": "3/300"})
    u, v = create_user(s), create_user(s)
    for _ in range(5):
        assert login_raw(s, u.password, email=u.email).status_code == 200
    for _ in range(3):
        assert login_raw(s, "Wrong-" + strong_password(), email=u.email).status_code == 401
    assert_limited(login_raw(s, "Wrong-" + strong_password(), email=u.email), period=300)
    # Another account is unaffected.
    assert login_raw(s, v.password, email=v.email).status_code == 200


def test_login_account_limit_same_for_unknown_accounts(server_factory):
    """No enumeration: an unknown email is throttled exactly like a known one."""
    s = server_factory(env={"GATEHOUSE_RATE_LIMIT_LOGIN_ACCOUNT": "3/300"})
    u = create_user(s)
    ghost = unique_email()
    known = [login_raw(s, "Wrong-" + strong_password(), email=u.email).status_code for _ in range(5)]
    unknown = [login_raw(s, "Wrong-" + strong_password(), email=ghost).status_code for _ in range(5)]
    assert known == unknown == [401, 401, 401, 429, 429]


def test_register_ip_limit(server_factory):
    s = server_factory(env={"GATEHOUSE_RATE_LIMIT_REGISTER_IP": "2/60"})
    register(s)
    register(s)
    email = unique_email()
    assert_limited(register(s, email=email, expect=None))
    # The refused registration created nothing.
    assert s.db_rows("SELECT COUNT(*) FROM users WHERE email = ?", (email,))[0][0] in (0, "0")


def test_forgot_ip_limit(server_factory):
    s = server_factory(env={"GATEHOUSE_RATE_LIMIT_FORGOT_IP": "2/60"})
    for _ in range(2):
        assert s.post(f"{API}/password/forgot", json={"email": unique_email()}).status_code == 200
    assert_limited(s.post(f"{API}/password/forgot", json={"email": unique_email()}))


def test_forgot_account_limit(server_factory):
    s = server_factory(env={"GATEHOUSE_RATE_LIMIT_FORGOT_ACCOUNT": "3/900"})
    u = create_user(s)
    ghost = unique_email()
    known = [s.post(f"{API}/password/forgot", json={"email": u.email}) for _ in range(5)]
    unknown = [s.post(f"{API}/password/forgot", json={"email": ghost}) for _ in range(5)]
    # Same observable behaviour for both (no enumeration), and never more than 3 mails.
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    # The per-account limit stops the mail, not the answer: a 429 would tell that the
    # address has an account.
    assert [r.status_code for r in known] == [200] * 5
    assert len(s.mails(to=u.email, subject="Reset your password")) == 3
    for r in known:
        if r.status_code == 429:
            assert_limited(r, period=900)


def test_reset_ip_limit(server_factory):
    s = server_factory(env={"GATEHOUSE_RATE_LIMIT_RESET_IP": "2/60"})
    p = strong_password()
    body = {"token": "A" * 43, "password": p, "confirm_password": p}
    for _ in range(2):
        assert s.post(f"{API}/password/reset", json=body).status_code != 429
    assert_limited(s.post(f"{API}/password/reset", json=body))


def test_verify_ip_limit(server_factory):
    s = server_factory(env={"GATEHOUSE_RATE_LIMIT_VERIFY_IP": "2/60"})
    for _ in range(2):
        assert s.post(f"{API}/auth/verify-email/{'A' * 43}").status_code != 429
    assert_limited(s.post(f"{API}/auth/verify-email/{'A' * 43}"))


def test_refresh_ip_limit(server_factory):
    s = server_factory(env={"GATEHOUSE_RATE_LIMIT_REFRESH_IP": "2/60"})
    u = create_user(s)
    d = u.login()
    d = s.post(f"{API}/auth/refresh", json={"refresh_token": d["refresh_token"]}).json()["data"]
    assert s.post(f"{API}/auth/refresh", json={"refresh_token": "x" * 43}).status_code == 401
    assert_limited(s.post(f"{API}/auth/refresh", json={"refresh_token": d["refresh_token"]}))
    # Access tokens keep working while refresh is throttled.
    assert me(s, d["access_token"]).status_code == 200


def test_rate_limit_disabled(server_factory):
    s = server_factory(env={"GATEHOUSE_RATE_LIMIT_ENABLED": "false",
                            "GATEHOUSE_RATE_LIMIT_LOGIN_IP": "1/60",
                            "GATEHOUSE_RATE_LIMIT_LOGIN_ACCOUNT": "1/60",
                            "GATEHOUSE_RATE_LIMIT_REGISTER_IP": "1/60"})
    u = create_user(s)
    register(s)
    for _ in range(4):
        assert login_raw(s, "Wrong-" + strong_password(), email=u.email).status_code == 401
    assert login_raw(s, u.password, email=u.email).status_code == 200


@pytest.mark.parametrize("bad", ["abc", "10", "0/60", "10/0", "-1/60"])
def test_bad_rule_refused_at_start(server_factory, bad):
    with pytest.raises(ServerError):
        server_factory(env={"GATEHOUSE_RATE_LIMIT_LOGIN_IP": bad})


def test_forwarded_for_does_not_bypass_ip_limit(server_factory):
    s = server_factory(env={"GATEHOUSE_RATE_LIMIT_LOGIN_IP": "2/60"})
    codes = []
    for i in range(4):
        r = s.post(f"{API}/auth/login", json={"email": unique_email(), "password": "x"},
                   headers={"X-Forwarded-For": f"198.51.100.{i}"})
        codes.append(r.status_code)
    assert codes == [401, 401, 429, 429]


def test_account_limit_ignores_email_case(server_factory):
    s = server_factory(env={"GATEHOUSE_RATE_LIMIT_LOGIN_ACCOUNT": "3/300"})
    u = create_user(s)
    variants = [u.email, u.email.upper(), u.email.capitalize(), u.email.swapcase()]
    codes = [login_raw(s, "Wrong-" + strong_password(), email=e).status_code for e in variants]
    assert codes == [401, 401, 401, 429]
