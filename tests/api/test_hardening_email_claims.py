"""Unverified email claims (issue 8): organization add-by-email and invitation acceptance
need a verified address; a squatter's unverified claim is evicted by the owner's later
registration once the verification window has passed (docs/security.md)."""
import time

from authz_helpers import create_org, members_of, new_actor
from ghtest import API, assert_envelope_ok, assert_error, bearer, login, login_raw, me, register, strong_password, unique_email
from test_orgs import invitation_token, verify_address


def test_add_by_email_refuses_unverified_account(srv):
    owner = new_actor(srv, verified=True)
    org = create_org(owner)
    squatter = new_actor(srv)  # registered, never verified
    r = owner.post(f"{API}/organizations/{org['id']}/members", json={"email": squatter.email})
    assert_error(r, 400)
    assert squatter.id not in members_of(owner, org["id"])
    verified = new_actor(srv, verified=True)
    assert_envelope_ok(owner.post(f"{API}/organizations/{org['id']}/members", json={"email": verified.email}), 201)


def test_invitation_needs_verified_address(srv):
    owner = new_actor(srv, verified=True)
    org = create_org(owner)
    email = unique_email("victim")
    assert_envelope_ok(owner.post(f"{API}/organizations/{org['id']}/invitations",
                                  json={"email": email, "role": "admin"}), 201)
    token = invitation_token(srv, email)["token"]
    pw = strong_password()
    register(srv, email=email, password=pw)  # a squatter who cannot read that mailbox
    tok = login(srv, email, pw)["access_token"]
    assert_error(srv.post(f"{API}/invitations/{token}/accept", headers=bearer(tok)), 403)
    assert not any(v == "admin" for k, v in members_of(owner, org["id"]).items() if k != owner.id)
    verify_address(srv, email)  # the owner of the mailbox
    assert_envelope_ok(srv.post(f"{API}/invitations/{token}/accept", headers=bearer(tok)))


def test_owner_registration_evicts_stale_unverified_squatter(server_factory):
    s = server_factory(env={"GATEHOUSE_VERIFY_TOKEN_TTL": "1"})
    email = unique_email("owner")
    squat_pw = strong_password()
    register(s, email=email, password=squat_pw)
    squatter = login(s, email, squat_pw)
    owner_pw = strong_password()
    # Until the squatter's verification window has passed, the address stays theirs.
    deadline = time.monotonic() + 10
    while True:
        r = register(s, email=email, password=owner_pw, expect=None)
        if r.status_code == 201 or time.monotonic() > deadline:
            break
        assert r.status_code == 409, r.text
        time.sleep(0.2)
    assert r.status_code == 201, r.text
    owner_id = r.json()["data"]["id"]
    assert owner_id != squatter["user"]["id"]
    # the squatter lost the address, their sessions and their verification link
    assert_error(me(s, squatter["access_token"]), 401)
    assert login_raw(s, squat_pw, email=email).status_code == 401
    rows = s.db_rows("SELECT email, email_verified FROM users WHERE id = ?", (squatter["user"]["id"],))
    assert rows[0][0].endswith("@unclaimed.invalid")
    assert s.db_rows("SELECT 1 FROM audit_log WHERE action = 'user.email_evicted' AND subject_id = ?",
                     (squatter["user"]["id"],))
    login(s, email, owner_pw)


def test_verified_holder_is_never_evicted(server_factory):
    s = server_factory(env={"GATEHOUSE_VERIFY_TOKEN_TTL": "1"})
    u = new_actor(s, verified=True)
    time.sleep(1.2)  # past the window: a verified address still stays
    assert register(s, email=u.email, expect=None).status_code == 409
    assert me(s, u.token).status_code == 200
