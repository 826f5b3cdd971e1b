"""OAuth grants end with the user's credentials (issue 8): password change and reset, sign
out everywhere, lock; users list and revoke their grants, first-party ones included."""
import pytest

from authz_helpers import new_admin
from ghtest import API, assert_envelope_ok, assert_error, bearer, login, strong_password
from oidc_helpers import Browser, cli_client, code_tokens, new_user, page_form, refresh, userinfo
from test_password_reset import RESET_SUBJECT, forgot, reset_token


def grant_of(srv, client=None, user=None, first_party=False):
    client = client or cli_client(srv, first_party=first_party)
    user = user or new_user(srv)
    t = code_tokens(srv, client, user)
    assert t.get("refresh_token")
    return client, user, t


def refresh_dead(srv, client, t):
    r = refresh(srv, client, t["refresh_token"])
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant", r.text
    assert userinfo(srv, t["access_token"]).status_code == 401


def test_password_change_ends_grants(srv):
    client, user, t = grant_of(srv)
    tok = login(srv, user.email, user.password)["access_token"]
    new = strong_password()
    assert_envelope_ok(srv.post(f"{API}/users/me/password", headers=bearer(tok),
                                json={"current_password": user.password, "new_password": new}))
    refresh_dead(srv, client, t)
    rows = srv.db_rows("SELECT COUNT(*) FROM oauth_grants WHERE user_id = ? AND revoked_at IS NULL", (user.id,))
    assert int(rows[0][0]) == 0


def test_password_reset_ends_grants(srv):
    client, user, t = grant_of(srv)
    forgot(srv, user.email)
    new = strong_password()
    assert_envelope_ok(srv.post(f"{API}/password/reset", json={"token": reset_token(srv, user.email), "password": new}))
    refresh_dead(srv, client, t)


def test_sign_out_everywhere_ends_grants(srv):
    client, user, t = grant_of(srv)
    tok = login(srv, user.email, user.password)["access_token"]
    assert_envelope_ok(srv.delete(f"{API}/auth/sessions", headers=bearer(tok)))
    refresh_dead(srv, client, t)


def test_lock_then_unlock_does_not_revive_grants(srv):
    admin = new_admin(srv)
    client, user, t = grant_of(srv)
    assert_envelope_ok(admin.patch(f"{API}/admin/users/{user.id}", json={"locked": True}))
    assert_envelope_ok(admin.patch(f"{API}/admin/users/{user.id}", json={"locked": False}))
    refresh_dead(srv, client, t)


def test_list_and_revoke_one_grant(srv):
    client, user, t = grant_of(srv)
    other_client, _, t2 = grant_of(srv, user=user)
    tok = login(srv, user.email, user.password)["access_token"]
    r = srv.get(f"{API}/users/me/grants", headers=bearer(tok))
    grants = assert_envelope_ok(r)["data"]
    by_client = {g["client_id"]: g for g in grants}
    assert set(by_client) == {client["client_id"], other_client["client_id"]}
    g = by_client[client["client_id"]]
    assert "offline_access" in g["scope"] and g["refresh_expires_at"]
    r = srv.delete(f"{API}/users/me/grants/{g['id']}", headers=bearer(tok))
    assert assert_envelope_ok(r)["data"]["revoked"] == 1
    refresh_dead(srv, client, t)
    assert refresh(srv, other_client, t2["refresh_token"]).status_code == 200  # the other lives
    assert_error(srv.delete(f"{API}/users/me/grants/{g['id']}", headers=bearer(tok)), 404)
    ids = [x["id"] for x in assert_envelope_ok(srv.get(f"{API}/users/me/grants", headers=bearer(tok)))["data"]]
    assert g["id"] not in ids
    rows = srv.db_rows("SELECT action FROM audit_log WHERE actor_id = ? AND action = 'oauth.grant_revoked'", (user.id,))
    assert rows


def test_foreign_grant_cannot_be_revoked_or_seen(srv):
    client, victim, t = grant_of(srv)
    attacker = new_user(srv)
    vt = login(srv, victim.email, victim.password)["access_token"]
    gid = assert_envelope_ok(srv.get(f"{API}/users/me/grants", headers=bearer(vt)))["data"][0]["id"]
    at = login(srv, attacker.email, attacker.password)["access_token"]
    assert assert_envelope_ok(srv.get(f"{API}/users/me/grants", headers=bearer(at)))["data"] == []
    assert_error(srv.delete(f"{API}/users/me/grants/{gid}", headers=bearer(at)), 404)
    assert refresh(srv, client, t["refresh_token"]).status_code == 200


def test_grants_need_a_token(srv):
    assert_error(srv.get(f"{API}/users/me/grants"), 401)
    assert_error(srv.delete(f"{API}/users/me/grants"), 401)


def test_first_party_grant_without_consent_row_is_revocable(srv):
    client, user, t = grant_of(srv, first_party=True)
    assert not srv.db_rows("SELECT 1 FROM oauth_consents WHERE user_id = ?", (user.id,))
    tok = login(srv, user.email, user.password)["access_token"]
    # the consent route reaches it too
    r = srv.delete(f"{API}/users/me/consents/{client['client_id']}", headers=bearer(tok))
    assert r.status_code == 200, r.text
    refresh_dead(srv, client, t)


def test_revoke_all_grants(srv):
    client, user, t = grant_of(srv)
    tok = login(srv, user.email, user.password)["access_token"]
    assert assert_envelope_ok(srv.delete(f"{API}/users/me/grants", headers=bearer(tok)))["data"]["revoked"] >= 1
    refresh_dead(srv, client, t)


def test_account_page_lists_and_revokes_grants(srv):
    client, user, t = grant_of(srv)
    b = t["_browser"]
    page = b.get("/ui/account")
    assert page.status_code == 200
    assert "Applications with access" in page.text
    form = page_form(page.text, "/ui/account/grants/revoke")["fields"]
    assert form["grant_id"]
    r = b.post("/ui/account/grants/revoke", data=form)
    assert r.status_code == 303, r.text
    refresh_dead(srv, client, t)
    # a grant id of someone else is refused
    form["grant_id"] = "00000000-0000-0000-0000-000000000000"
    r = b.post("/ui/account/grants/revoke", data=form)
    assert r.status_code == 404
    # without the CSRF token nothing happens
    r = b.post("/ui/account/grants/revoke", data={"grant_id": form["grant_id"]})
    assert r.status_code == 403
