"""The gatehouse CLI against the same data dir / database as a running server."""
import csv
import json
import time
from datetime import datetime
import warnings

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from ghtest import (assert_error, create_user, login, login_raw, me, strong_password,
                    unique_email, unique_username)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import crypt as _crypt
    except ImportError:  # Python >= 3.13
        _crypt = None


def bcrypt_hash(password: str) -> str:
    if _crypt is None or not hasattr(_crypt, "METHOD_BLOWFISH"):
        pytest.skip("no bcrypt generator available (python crypt module with Blowfish)")
    h = _crypt.crypt(password, _crypt.mksalt(_crypt.METHOD_BLOWFISH, rounds=1 << 4))
    if not h or not h.startswith("$2"):
        pytest.skip("libcrypt here cannot make bcrypt hashes")
    return "$2b$" + h[4:]


# ------------------------------------------------------------------ users

def test_user_create(srv):
    email, pw, uname = unique_email(), strong_password(), unique_username()
    u = srv.cli_json("user", "create", "--email", email, "--password", pw, "--username", uname,
                     "--json")
    assert u["email"] == email
    assert u["username"] == uname
    assert u["email_verified"] is False
    assert u["is_admin"] is False
    assert u["id"]
    d = login(srv, email, pw)
    assert d["user"]["id"] == u["id"]


def test_user_create_verified_admin(srv):
    email, pw = unique_email(), strong_password()
    u = srv.cli_json("user", "create", "--email", email, "--password", pw, "--verified", "--admin",
                     "--json")
    assert u["email_verified"] is True
    assert u["is_admin"] is True
    d = login(srv, email, pw)
    assert d["user"]["is_admin"] is True
    assert d["user"]["email_verified"] is True
    assert jwt.decode(d["access_token"], options={"verify_signature": False})["email_verified"] is True


def test_user_create_duplicate_fails(srv):
    u = create_user(srv)
    r = srv.cli("user", "create", "--email", u.email, "--password", strong_password(), "--json")
    assert r.returncode != 0
    login(srv, u.email, u.password)


def test_user_create_requires_email_and_password(srv):
    assert srv.cli("user", "create", "--password", strong_password()).returncode != 0
    assert srv.cli("user", "create", "--email", unique_email()).returncode != 0
    assert srv.cli("user", "create", "--email", "not-an-email",
                   "--password", strong_password()).returncode != 0


def test_user_list(srv):
    a = create_user(srv)
    email, pw = unique_email(), strong_password()
    srv.cli_json("user", "create", "--email", email, "--password", pw, "--json")
    users = srv.cli_json("user", "list", "--json")
    assert isinstance(users, list)
    emails = {x["email"] for x in users}
    assert {a.email, email} <= emails
    row = [x for x in users if x["email"] == a.email][0]
    assert row["id"] == a.id
    assert "password_hash" not in row and "password" not in row


def test_user_set_password(srv):
    u = create_user(srv)
    sess = u.login()
    new = strong_password()
    srv.cli("user", "set-password", "--email", u.email, "--password", new, check=True)
    assert_error(login_raw(srv, u.password, email=u.email), 401)
    login(srv, u.email, new)
    # Like a reset, it ends the user's sessions.
    assert_error(me(srv, sess["access_token"]), 401)


def test_user_set_password_unknown_email(srv):
    r = srv.cli("user", "set-password", "--email", unique_email(), "--password", strong_password())
    assert r.returncode != 0


def test_user_import_csv_bcrypt(srv, tmp_path):
    pw1, pw2 = "correct horse battery staple", strong_password()
    rows = [
        {"email": unique_email(), "username": unique_username(), "password_hash": bcrypt_hash(pw1)},
        {"email": unique_email(), "username": "", "password_hash": bcrypt_hash(pw2)},
    ]
    f = tmp_path / "users.csv"
    with f.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["email", "username", "password_hash"])
        w.writeheader()
        w.writerows(rows)
    srv.cli("user", "import", f, check=True)
    d1 = login(srv, rows[0]["email"], pw1)
    assert d1["user"]["username"] == rows[0]["username"]
    login(srv, rows[1]["email"], pw2)
    # Username login too, and a wrong password still fails.
    assert login_raw(srv, pw1, username=rows[0]["username"]).status_code == 200
    assert_error(login_raw(srv, pw1 + "x", email=rows[0]["email"]), 401)
    # Logging in again (after any transparent rehash) still works.
    login(srv, rows[0]["email"], pw1)
    stored = srv.db_rows("SELECT password_hash FROM users WHERE email = ?", (rows[0]["email"],))
    assert stored[0][0].startswith(("$2", "$argon2id$"))


def test_user_import_json_bcrypt(srv, tmp_path):
    pw = strong_password()
    rows = [{"email": unique_email(), "username": unique_username(), "password_hash": bcrypt_hash(pw)}]
    f = tmp_path / "users.json"
    f.write_text(json.dumps(rows))
    srv.cli("user", "import", f, check=True)
    d = login(srv, rows[0]["email"], pw)
    assert d["user"]["email"] == rows[0]["email"]


def test_user_import_does_not_overwrite_existing(srv, tmp_path):
    u = create_user(srv)
    other_pw = strong_password()
    f = tmp_path / "dupe.json"
    f.write_text(json.dumps([{"email": u.email, "username": "", "password_hash": bcrypt_hash(other_pw)}]))
    srv.cli("user", "import", f)
    login(srv, u.email, u.password)
    assert_error(login_raw(srv, other_pw, email=u.email), 401)


def test_user_import_bad_file(srv, tmp_path):
    f = tmp_path / "bad.json"
    f.write_text("{not json")
    assert srv.cli("user", "import", f).returncode != 0
    assert srv.cli("user", "import", tmp_path / "missing.csv").returncode != 0


def test_admin_bootstrap_from_env(server_factory):
    email, pw = unique_email("admin"), strong_password()
    s = server_factory(env={"GATEHOUSE_ADMIN_EMAIL": email, "GATEHOUSE_ADMIN_PASSWORD": pw})
    d = login(s, email, pw)
    assert d["user"]["is_admin"] is True
    s.restart()  # idempotent: a second start does not fail or duplicate
    login(s, email, pw)
    users = [x for x in s.cli_json("user", "list", "--json") if x["email"] == email]
    assert len(users) == 1


# ------------------------------------------------------------------ keys

def jwks_kids(s):
    return {k["kid"]: k for k in s.get("/.well-known/jwks.json").json()["keys"]}


def test_keys_list(srv):
    keys = srv.cli_json("keys", "list", "--json")
    assert isinstance(keys, list) and keys
    kids = {k["kid"] for k in keys}
    assert set(jwks_kids(srv)) <= kids
    for k in keys:
        assert k.get("alg") in ("ES256", "EdDSA", "RS256")
        for secret in ("private_key", "private_pem", "private_sealed", "d"):
            assert secret not in k


def check_rotated(s, u, old, old_kid, alg):
    kids = jwks_kids(s)
    assert old_kid in kids, "old key must stay in the JWKS"
    assert len(kids) >= 2, kids
    new = u.login()
    h = jwt.get_unverified_header(new["access_token"])
    assert h["kid"] != old_kid and h["kid"] in kids
    assert h["alg"] == alg
    # Both verify against the JWKS, and the server accepts both.
    for tok in (old["access_token"], new["access_token"]):
        th = jwt.get_unverified_header(tok)
        key = jwt.PyJWK.from_dict(kids[th["kid"]]).key
        jwt.decode(tok, key, algorithms=[th["alg"]], audience="gatehouse", issuer=s.base)
        assert me(s, tok).status_code == 200
    listed = s.cli_json("keys", "list", "--json")
    assert {old_kid, h["kid"]} <= {k["kid"] for k in listed}
    # /auth/public-key now serves the new signing key.
    fmt = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    pem_key = serialization.load_pem_public_key(s.get("/auth/public-key").content)
    assert pem_key.public_bytes(*fmt) == jwt.PyJWK.from_dict(kids[h["kid"]]).key.public_bytes(*fmt)


def kid_of(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


@pytest.mark.parametrize("alg", ["ES256", "EdDSA", "RS256"])
def test_keys_rotate_now(server_factory, alg):
    """`keys rotate --now` (a leaked key): the new key signs at once (after the restart that
    makes the server read it)."""
    s = server_factory(env={"GATEHOUSE_TOKEN_ALG": alg})
    u = create_user(s)
    old = u.login()
    old_kid = kid_of(old["access_token"])
    s.cli("keys", "rotate", "--alg", alg, "--now", check=True)
    s.restart()
    check_rotated(s, u, old, old_kid, alg)


def test_keys_rotate_publishes_before_signing(server_factory):
    """A rotated-in key is in the JWKS at once but signs only after key_publish_ahead_seconds
    (600 by default): relying parties that cache the JWKS have it before its first token."""
    s = server_factory()
    u = create_user(s)
    old = u.login()
    old_kid = kid_of(old["access_token"])
    new = s.cli_json("keys", "rotate", "--json")
    s.restart()
    assert new["kid"] in jwks_kids(s) and old_kid in jwks_kids(s)
    assert kid_of(u.login()["access_token"]) == old_kid  # the old key still signs
    listed = {k["kid"]: k for k in s.cli_json("keys", "list", "--json")}
    signs_from = datetime.fromisoformat(listed[new["kid"]]["signs_from"].replace("Z", "+00:00"))
    created = datetime.fromisoformat(listed[new["kid"]]["created_at"].replace("Z", "+00:00"))
    assert (signs_from - created).total_seconds() == 600
    assert listed[old_kid]["retired_at"] == listed[new["kid"]]["signs_from"]  # hand-over at one instant
    audit = s.db_rows("SELECT details FROM audit_log WHERE action = 'keys.rotate'")
    assert audit and "signs_from" in audit[-1][0]


def test_keys_rotate_picked_up_by_running_server(server_factory):
    """A running server publishes the new key within 10 s of the rotation and signs with it
    once its delay is over, without a restart."""
    s = server_factory(env={"GATEHOUSE_KEY_PUBLISH_AHEAD_SECONDS": "3"})
    u = create_user(s)
    old = u.login()
    old_kid = kid_of(old["access_token"])
    new_kid = s.cli_json("keys", "rotate", "--json")["kid"]
    # The JWKS always lists one key per algorithm; wait for the new ES256 key itself.
    deadline = time.monotonic() + 30
    while new_kid not in jwks_kids(s) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert new_kid in jwks_kids(s)
    while kid_of(u.login()["access_token"]) != new_kid and time.monotonic() < deadline:
        time.sleep(0.25)
    check_rotated(s, u, old, old_kid, "ES256")


# ------------------------------------------------------------------ config

def test_config_check_ok(srv):
    r = srv.cli("config", "check")
    assert r.returncode == 0, r.stdout + r.stderr


def test_config_check_reports_problems(srv):
    r = srv.cli("config", "check", env={"GATEHOUSE_ACCESS_TOKEN_TTL": "abc",
                                        "GATEHOUSE_TOKEN_ALG": "HS256",
                                        "GATEHOUSE_RATE_LIMIT_LOGIN_IP": "lots"})
    assert r.returncode != 0
    out = (r.stdout + r.stderr).lower()
    assert "access_token_ttl" in out
    assert "token_alg" in out
    assert "rate_limit_login_ip" in out


def test_config_check_out_of_range(srv):
    r = srv.cli("config", "check", env={"GATEHOUSE_ACCESS_TOKEN_TTL": "5"})
    assert r.returncode != 0
    assert "access_token_ttl" in (r.stdout + r.stderr).lower()


def test_serve_refuses_bad_config(server_factory):
    from ghtest import ServerError
    with pytest.raises(ServerError):
        server_factory(env={"GATEHOUSE_ACCESS_TOKEN_TTL": "abc"})


# ------------------------------------------------------------------ migrations

def test_migrate_status(srv):
    st = srv.cli_json("migrate", "status", "--json")
    assert isinstance(st, list) and st
    for m in st:
        assert {"version", "name", "applied", "applied_at"} <= set(m)
        assert m["applied"] is True
        assert m["applied_at"]
    versions = [m["version"] for m in st]
    assert versions == sorted(versions)


def test_migrate_round_trip(server_factory):
    s = server_factory(env={"GATEHOUSE_ISSUER": "https://migrate.example.test"})
    create_user(s)
    s.stop()
    before = s.cli_json("migrate", "status", "--json")
    s.cli("migrate", "down", "--steps", "99", check=True)
    down = s.cli_json("migrate", "status", "--json")
    assert [m["version"] for m in down] == [m["version"] for m in before]
    assert all(m["applied"] is False for m in down)
    s.cli("migrate", "up", check=True)
    up = s.cli_json("migrate", "status", "--json")
    assert all(m["applied"] is True for m in up)
    # Running up again is a no-op.
    s.cli("migrate", "up", check=True)
    s.start()
    u = create_user(s)
    assert me(s, u.login()["access_token"]).status_code == 200
    assert s.get("/api/health").status_code == 200


def test_migrate_down_one_step(server_factory):
    s = server_factory()
    s.stop()
    st = s.cli_json("migrate", "status", "--json")
    s.cli("migrate", "down", "--steps", "1", check=True)
    after = s.cli_json("migrate", "status", "--json")
    assert [m["applied"] for m in after] == [True] * (len(st) - 1) + [False]
    s.cli("migrate", "up", check=True)
    assert all(m["applied"] for m in s.cli_json("migrate", "status", "--json"))


def test_cli_unknown_command(srv):
    assert srv.cli("frobnicate").returncode != 0
