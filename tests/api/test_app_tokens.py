"""Application tokens: create (secret once), list, validate through the three headers, revoke,
delete, expiry, malformed tokens and usage statistics."""
import datetime as dt
import re
import secrets
import string
import time
import zlib

import pytest

from authz_helpers import audit_has, create_service, new_actor, new_admin, new_app_token, uname
from ghtest import API, assert_envelope_ok, assert_error, assert_rfc3339

TOKEN_RE = re.compile(r"^gha_[A-Za-z0-9]{46}$")
B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
NIL = "00000000-0000-0000-0000-000000000000"


def checksum(body: str) -> str:
    crc = zlib.crc32(body.encode()) & 0xFFFFFFFF
    out = []
    for _ in range(6):
        out.append(B62[crc % 62])
        crc //= 62
    return "".join(reversed(out))


def forged_token() -> str:
    """Well-formed (right length, alphabet and checksum) but never issued."""
    body = "".join(secrets.choice(B62) for _ in range(40))
    return "gha_" + body + checksum(body)


def validate(srv, token, how="x-app-token"):
    h = {"x-app-token": {"X-App-Token": token}, "bearer": {"Authorization": f"Bearer {token}"},
         "x-api-key": {"X-API-Key": token}}[how]
    return srv.get(f"{API}/tokens/validate", headers=h)


@pytest.fixture(scope="module")
def admin(srv):
    return new_admin(srv)


@pytest.fixture
def owner(srv):
    return new_actor(srv)


@pytest.fixture
def svc(owner):
    return create_service(owner)


def test_create_token(srv, admin, owner, svc):
    r = owner.post(f"{API}/tokens", json={"service_id": svc["id"], "name": "ci", "scopes": ["read", "write"]})
    t = assert_envelope_ok(r, 201)["data"]
    assert TOKEN_RE.match(t["token"]), t["token"]
    assert checksum(t["token"][4:44]) == t["token"][44:]
    assert t["prefix"] == t["token"][:8]
    assert t["service_id"] == svc["id"] and t["name"] == "ci" and t["scopes"] == ["read", "write"]
    assert t["created_by"] == owner.id
    assert_rfc3339(t["created_at"])
    assert t["expires_at"] is None and t["revoked_at"] is None and t["last_used_at"] is None
    assert t["use_count"] == 0 and t["active"] is True
    e = audit_has(admin, "token.created", subject_id=t["id"])
    assert e["actor_id"] == owner.id and e["details"]["service_id"] == svc["id"] and e["details"]["name"] == "ci"
    assert t["token"] not in str(e)

    # by service name too; every secret differs
    t2 = new_app_token(owner, svc["name"])
    assert t2["service_id"] == svc["id"] and t2["token"] != t["token"]
    assert assert_envelope_ok(owner.post(f"{API}/tokens", json={"service": svc["id"], "name": "alias"}), 201)

    # the listing never shows secrets
    r = owner.get(f"{API}/tokens/service/{svc['id']}")
    lst = assert_envelope_ok(r)["data"]
    assert {x["id"] for x in lst} >= {t["id"], t2["id"]}
    assert all("token" not in x for x in lst)
    assert t["token"] not in r.text and t2["token"] not in r.text
    (row,) = [x for x in lst if x["id"] == t["id"]]
    assert row["prefix"] == t["prefix"] and row["scopes"] == ["read", "write"] and row["active"] is True
    # by name; admins may list
    assert {x["id"] for x in assert_envelope_ok(owner.get(f"{API}/tokens/service/{svc['name']}"))["data"]} == {x["id"] for x in lst}
    assert len(assert_envelope_ok(admin.get(f"{API}/tokens/service/{svc['id']}"))["data"]) == len(lst)
    # the secret is not stored in clear
    assert not srv.db_rows("SELECT id FROM app_tokens WHERE token_hash = ?", (t["token"],))


def test_create_token_failures(srv, owner, svc):
    p = f"{API}/tokens"
    stranger = new_actor(srv)
    assert_error(stranger.post(p, json={"service_id": svc["id"], "name": "x"}), 403, "AUTHORIZATION_ERROR")
    assert_error(owner.post(p, json={"service_id": NIL, "name": "x"}), 404)
    assert_error(owner.post(p, json={"service_id": "no-such-" + uname(), "name": "x"}), 404)
    assert_error(owner.post(p, json={"name": "x"}), 400, "VALIDATION_ERROR")
    assert_error(owner.post(p, json={"service_id": svc["id"]}), 400, "VALIDATION_ERROR")
    for bad in ({"scopes": "read"}, {"scopes": [""]}, {"scopes": [3]}, {"expires_in_days": 0},
                {"expires_in_days": 3651}, {"expires_in_days": "7"}, {"expires_in": 0}, {"expires_in": -5},
                {"expires_in": 1.5}, {"expires_in": 3650 * 86400 + 1},
                {"expires_in": 9223372030000000000}, {"expires_in": 9223372036854775807}):
        b = assert_error(owner.post(p, json={"service_id": svc["id"], "name": "x", **bad}), 400, "VALIDATION_ERROR")
        assert set(b["error"]["details"]) == set(bad), b  # the field at fault, not a wrapped expires_at
    assert_error(srv.post(p, json={"service_id": svc["id"], "name": "x"}), 401)
    assert_error(stranger.get(f"{API}/tokens/service/{svc['id']}"), 403)
    assert_error(owner.get(f"{API}/tokens/service/{NIL}"), 404)
    assert_error(srv.get(f"{API}/tokens/service/{svc['id']}"), 401)
    assert all(x["name"] != "x" for x in assert_envelope_ok(owner.get(f"{API}/tokens/service/{svc['id']}"))["data"])


def test_expires_in_days(srv, owner, svc):
    t = new_app_token(owner, svc["id"], expires_in_days=30)
    exp = assert_rfc3339(t["expires_at"])
    created = assert_rfc3339(t["created_at"])
    assert abs((exp - created).total_seconds() - 30 * 86400) <= 2
    assert validate(srv, t["token"]).status_code == 200


@pytest.mark.parametrize("how", ["x-app-token", "bearer", "x-api-key"])
def test_validate_headers(srv, owner, svc, how):
    t = new_app_token(owner, svc["id"], scopes=["read"])
    for _ in range(2):  # cold, then from the cache
        r = validate(srv, t["token"], how)
        d = assert_envelope_ok(r)["data"]
        assert d["token_id"] == d["id"] == t["id"]
        assert d["service_id"] == svc["id"] and d["name"] == t["name"] and d["scopes"] == ["read"]
        assert d["active"] is True
        assert "token" not in d


def test_validate_bad_tokens(srv, owner, svc):
    t = new_app_token(owner, svc["id"])["token"]
    assert validate(srv, t).status_code == 200
    broken_checksum = t[:-1] + ("A" if t[-1] != "A" else "B")
    broken_body = t[:10] + ("A" if t[10] != "A" else "B") + t[11:]
    for bad in (broken_checksum, broken_body, forged_token(), "gha_short", "gha_" + "!" * 46, t + "x",
                "garbage", "gha_" + t[4:].lower() if t[4:] != t[4:].lower() else forged_token()):
        for how in ("x-app-token", "x-api-key"):
            assert_error(validate(srv, bad, how), 401, "AUTHENTICATION_ERROR")
    assert_error(validate(srv, forged_token(), "bearer"), 401)
    assert_error(srv.get(f"{API}/tokens/validate"), 401)
    # a user's access token is not an application token
    assert_error(srv.get(f"{API}/tokens/validate", headers=owner.h), 401)


def test_revoke(srv, admin, owner, svc):
    t = new_app_token(owner, svc["id"])
    for how in ("x-app-token", "bearer", "x-api-key"):
        assert validate(srv, t["token"], how).status_code == 200  # warms the cache
    stranger = new_actor(srv)
    assert_error(stranger.post(f"{API}/tokens/{t['id']}/revoke"), 403)
    assert validate(srv, t["token"]).status_code == 200
    r = owner.post(f"{API}/tokens/{t['id']}/revoke")
    assert assert_envelope_ok(r)["data"] == {"id": t["id"], "revoked": True}
    for how in ("x-app-token", "bearer", "x-api-key"):
        assert_error(validate(srv, t["token"], how), 401)
    (row,) = [x for x in assert_envelope_ok(owner.get(f"{API}/tokens/service/{svc['id']}"))["data"] if x["id"] == t["id"]]
    assert row["revoked_at"] is not None and row["active"] is False
    assert_rfc3339(row["revoked_at"])
    assert_error(owner.post(f"{API}/tokens/{t['id']}/revoke"), 409, "CONFLICT")
    assert_error(owner.post(f"{API}/tokens/{NIL}/revoke"), 404)
    assert_error(srv.post(f"{API}/tokens/{t['id']}/revoke"), 401)
    audit_has(admin, "token.revoked", subject_id=t["id"], actor_id=owner.id)
    # admins may revoke any token
    t2 = new_app_token(owner, svc["id"])
    assert_envelope_ok(admin.post(f"{API}/tokens/{t2['id']}/revoke"))
    assert_error(validate(srv, t2["token"]), 401)


def test_delete(srv, admin, owner, svc):
    t = new_app_token(owner, svc["id"])
    assert validate(srv, t["token"]).status_code == 200
    assert_error(new_actor(srv).delete(f"{API}/tokens/{t['id']}"), 403)
    r = owner.delete(f"{API}/tokens/{t['id']}")
    assert assert_envelope_ok(r)["data"]["id"] == t["id"]
    assert_error(validate(srv, t["token"]), 401)
    assert t["id"] not in [x["id"] for x in assert_envelope_ok(owner.get(f"{API}/tokens/service/{svc['id']}"))["data"]]
    assert_error(owner.delete(f"{API}/tokens/{t['id']}"), 404)
    assert_error(owner.get(f"{API}/tokens/{t['id']}/usage"), 404)
    audit_has(admin, "token.deleted", subject_id=t["id"], actor_id=owner.id)


def test_expiry(srv, owner, svc):
    t = new_app_token(owner, svc["id"], expires_in=1)
    assert t["expires_at"] is not None and t["active"] is True
    time.sleep(2.1)
    b = assert_error(validate(srv, t["token"]), 401)
    assert "expired" in b["message"].lower()
    assert_error(validate(srv, t["token"], "x-api-key"), 401)
    (row,) = [x for x in assert_envelope_ok(owner.get(f"{API}/tokens/service/{svc['id']}"))["data"] if x["id"] == t["id"]]
    assert row["active"] is False


def test_expiry_after_cached_validate(srv, owner, svc):
    t = new_app_token(owner, svc["id"], expires_in=2)
    ok = [validate(srv, t["token"]).status_code for _ in range(3)]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if validate(srv, t["token"]).status_code == 401:
            break
        time.sleep(0.25)
    else:
        raise AssertionError("token never expired")
    assert validate(srv, t["token"]).status_code == 401
    assert ok[0] in (200, 401)


def test_usage(srv, owner, svc):
    t = new_app_token(owner, svc["id"])
    u = assert_envelope_ok(owner.get(f"{API}/tokens/{t['id']}/usage"))["data"]
    assert u["use_count"] == 0 and u["last_used_at"] is None and u["per_day"] == []
    for how in ("x-app-token", "bearer", "x-api-key"):
        assert validate(srv, t["token"], how).status_code == 200
    r = owner.get(f"{API}/tokens/{t['id']}/usage")
    u = assert_envelope_ok(r)["data"]
    assert u["id"] == t["id"] and u["use_count"] == 3
    assert u["last_used_at"] is not None
    assert_rfc3339(u["last_used_at"])
    assert sum(d["count"] for d in u["per_day"]) == 3
    today = dt.datetime.now(dt.timezone.utc).date()
    for d in u["per_day"]:
        assert dt.date.fromisoformat(d["day"]) in (today, today - dt.timedelta(days=1))
    for _ in range(2):
        assert validate(srv, t["token"]).status_code == 200
    u = assert_envelope_ok(owner.get(f"{API}/tokens/{t['id']}/usage", params={"days": 7}))["data"]
    assert u["use_count"] == 5 and sum(d["count"] for d in u["per_day"]) == 5
    # failed validations of other tokens do not count
    assert validate(srv, forged_token()).status_code == 401
    assert assert_envelope_ok(owner.get(f"{API}/tokens/{t['id']}/usage"))["data"]["use_count"] == 5
    # the listing shows the flushed count too
    (row,) = [x for x in assert_envelope_ok(owner.get(f"{API}/tokens/service/{svc['id']}"))["data"] if x["id"] == t["id"]]
    assert row["use_count"] == 5


def test_usage_failures(srv, admin, owner, svc):
    t = new_app_token(owner, svc["id"])
    assert_error(new_actor(srv).get(f"{API}/tokens/{t['id']}/usage"), 403)
    assert_envelope_ok(admin.get(f"{API}/tokens/{t['id']}/usage"))
    assert_error(owner.get(f"{API}/tokens/{t['id']}/usage", params={"days": "many"}), 400, "VALIDATION_ERROR")
    assert_error(owner.get(f"{API}/tokens/{NIL}/usage"), 404)
    assert_error(srv.get(f"{API}/tokens/{t['id']}/usage"), 401)


def test_token_of_deleted_service(srv, owner, svc):
    t = new_app_token(owner, svc["id"])
    assert validate(srv, t["token"]).status_code == 200
    assert_envelope_ok(owner.delete(f"{API}/services/{svc['id']}"))
    assert_error(validate(srv, t["token"]), 401)
    assert_error(validate(srv, t["token"], "bearer"), 401)
    assert_error(owner.get(f"{API}/tokens/service/{svc['id']}"), 404)


def test_list_by_service_name_with_space(srv, owner):
    """Path segments are percent-decoded: a service name with a space travels as %20."""
    name = "Token Service " + uname()
    svc = create_service(owner, name=name)
    t = new_app_token(owner, name)
    assert t["service_id"] == svc["id"]
    r = owner.get(f"{API}/tokens/service/" + name.replace(" ", "%20"))
    assert [x["id"] for x in assert_envelope_ok(r)["data"]] == [t["id"]]
