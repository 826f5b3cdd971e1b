"""Integer query parameters (http::query_int) on every endpoint that takes one: a value that
is not a decimal integer, or beyond 64 bits, is a 400 VALIDATION_ERROR naming the parameter
(never a 500); an empty value is the default; page sizes asked too large are clamped, as
before."""
import pytest

from authz_helpers import create_service, new_actor, new_admin, new_app_token
from ghtest import API, assert_envelope_ok, assert_error

GARBAGE = ["abc", "12abc", "1e2", "1.5", "0x10", "-", " 5", "+5"]
OVERFLOW = ["99999999999999999999", "-99999999999999999999", "9223372036854775808"]


@pytest.fixture(scope="module")
def admin(srv):
    return new_admin(srv)


@pytest.fixture(scope="module")
def user(srv):
    return new_actor(srv)


@pytest.fixture(scope="module")
def token_usage(srv):
    owner = new_actor(srv)
    t = new_app_token(owner, create_service(owner)["id"])
    return owner, f"{API}/tokens/{t['id']}/usage"


def endpoints(admin, user, token_usage):
    """(actor, path, integer parameters) for every endpoint with integer query parameters."""
    owner, usage = token_usage
    return [
        (user, f"{API}/users/me/audit", ["limit", "before"]),
        (owner, usage, ["days"]),
        (admin, f"{API}/admin/users", ["page", "limit"]),
        (admin, f"{API}/admin/audit", ["since", "until", "cursor", "limit"]),
    ]


def assert_refused(r, name):
    body = assert_error(r, 400, "VALIDATION_ERROR")
    assert name in body["error"]["details"], body


@pytest.mark.parametrize("value", GARBAGE + OVERFLOW)
def test_not_an_integer_is_a_validation_error(admin, user, token_usage, value):
    for actor, path, names in endpoints(admin, user, token_usage):
        for name in names:
            assert_refused(actor.get(path, params={name: value}), name)


def test_empty_value_is_the_default(admin, user, token_usage):
    for actor, path, names in endpoints(admin, user, token_usage):
        for name in names:
            assert_envelope_ok(actor.get(path, params={name: ""}))
    assert assert_envelope_ok(user.get(f"{API}/users/me/audit", params={"limit": ""}))["meta"]["limit"] == 50
    assert assert_envelope_ok(admin.get(f"{API}/admin/users", params={"page": "", "limit": ""}))["meta"]["limit"] == 50


def test_page_sizes_are_clamped_as_before(admin, user, token_usage):
    assert assert_envelope_ok(user.get(f"{API}/users/me/audit", params={"limit": 100000}))["meta"]["limit"] == 200
    assert assert_envelope_ok(user.get(f"{API}/users/me/audit", params={"limit": -5}))["meta"]["limit"] == 1
    assert assert_envelope_ok(admin.get(f"{API}/admin/audit", params={"limit": 100000}))["meta"]["limit"] == 500
    assert assert_envelope_ok(admin.get(f"{API}/admin/audit", params={"limit": 0}))["meta"]["limit"] == 1
    owner, usage = token_usage
    assert_envelope_ok(owner.get(usage, params={"days": 100000}))
    assert_envelope_ok(owner.get(usage, params={"days": -3}))
    # the user list refuses its page and limit out of range instead, as before
    for bad in ({"page": 0}, {"limit": 201}, {"limit": 0}):
        assert_refused(admin.get(f"{API}/admin/users", params=bad), next(iter(bad)))


def test_valid_values_work(admin, user, token_usage):
    owner, usage = token_usage
    assert assert_envelope_ok(user.get(f"{API}/users/me/audit", params={"limit": "007"}))["meta"]["limit"] == 7
    assert_envelope_ok(user.get(f"{API}/users/me/audit", params={"before": "-1"}))
    assert_envelope_ok(owner.get(usage, params={"days": 7}))
    body = assert_envelope_ok(admin.get(f"{API}/admin/users", params={"page": 2, "limit": 3}))
    assert body["meta"]["page"] == 2 and body["meta"]["limit"] == 3
    assert_envelope_ok(admin.get(f"{API}/admin/audit", params={"since": 0, "until": 9223372036854775807,
                                                                "cursor": 9223372036854775807, "limit": 2}))
