"""Authorization code flow (RFC 6749 §4.1, PKCE RFC 7636, OIDC Core §3.1): authlib as the
relying party, ID tokens verified with PyJWT against the JWKS only, userinfo, consent, prompt,
max_age, response_mode=form_post."""
import secrets
import time
from urllib.parse import urlsplit

import jwt
import pytest
from authlib.integrations.requests_client import OAuth2Session

from oidc_helpers import (ALL_SCOPES, REDIRECT, Browser, auth_params, authorize, cli_client, code_tokens,
                          exchange, half_hash, introspect, new_user, page_form, parse_page, query_of,
                          unverified, userinfo, verify_jwt)


@pytest.fixture(autouse=True)
def _insecure_transport(monkeypatch):
    # The test issuer is http://127.0.0.1:port; authlib refuses plain http without this.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")


@pytest.fixture(scope="module")
def rp(srv):
    return cli_client(srv, name="Example RP", post_logout=("https://rp.example.test/bye",))


@pytest.fixture(scope="module")
def introspector(srv):
    return cli_client(srv, redirect_uris=(), grants=("client_credentials",), scopes="api.read")


def verify_id_token(srv, client, id_token, nonce=None, access_token=None):
    claims = verify_jwt(srv, id_token, audience=client["client_id"], typ=None)
    header = jwt.get_unverified_header(id_token)
    assert header["alg"] == client["id_token_signed_response_alg"], header
    assert claims["iss"] == srv.base
    assert claims["aud"] == client["client_id"] or client["client_id"] in claims["aud"]
    assert claims["azp"] == client["client_id"]
    assert claims["exp"] > claims["iat"]
    assert isinstance(claims["auth_time"], int) and claims["auth_time"] <= claims["iat"] + 1
    if nonce is not None:
        assert claims["nonce"] == nonce
    if access_token is not None:
        assert claims["at_hash"] == half_hash(access_token, header["alg"])
    return claims


# ------------------------------------------------------------------ authlib end to end


def test_code_flow_with_authlib(srv, rp):
    user = new_user(srv)
    session = OAuth2Session(rp["client_id"], rp["client_secret"], scope=ALL_SCOPES, redirect_uri=REDIRECT,
                            code_challenge_method="S256")
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(12)
    url, state = session.create_authorization_url(srv.url("/oauth2/authorize"), code_verifier=verifier, nonce=nonce)
    assert "code_challenge=" in url and "code_challenge_method=S256" in url

    browser = Browser(srv)
    r = browser.get(url)
    assert r.status_code == 302
    login_url = r.headers["Location"]
    assert urlsplit(login_url).path == "/ui/login"
    flow = authorize(browser, url, user)
    assert flow.steps == ["login", "consent"]
    assert flow.response.status_code == 302
    loc = flow.location
    assert loc.startswith(REDIRECT + "?")
    p = query_of(loc)
    assert p["state"] == state
    assert p["iss"] == srv.base  # RFC 9207
    assert set(p) == {"code", "state", "iss"}

    token = session.fetch_token(srv.url("/oauth2/token"), authorization_response=loc, code_verifier=verifier)
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] > 0
    assert set(token["scope"].split()) == set(ALL_SCOPES.split())
    assert token["refresh_token"]
    claims = verify_id_token(srv, rp, token["id_token"], nonce=nonce, access_token=token["access_token"])
    assert claims["sub"] == user.id
    assert claims["sid"]
    assert claims["email"] == user.email and claims["email_verified"] is True
    at = verify_jwt(srv, token["access_token"], audience=None, typ="at+jwt")
    assert at["sub"] == user.id and at["client_id"] == rp["client_id"]
    assert at.get("sid") == claims["sid"]
    # The token endpoint answers are not cacheable (RFC 6749 §5.1).
    raw = exchange(srv, rp, "x", verifier)
    assert raw.headers.get("Cache-Control") == "no-store"

    info = session.get(srv.url("/oauth2/userinfo"))
    assert info.status_code == 200, info.text
    assert info.json()["sub"] == user.id

    # authlib's refresh path works against the server too.
    new = session.refresh_token(srv.url("/oauth2/token"), refresh_token=token["refresh_token"])
    assert new["access_token"] != token["access_token"]
    assert new["refresh_token"] != token["refresh_token"]


def test_public_client_with_authlib(srv):
    c = cli_client(srv, public=True, redirect_uris=("http://127.0.0.1:8765/cb",),
                   grants=("authorization_code", "refresh_token"))
    assert c["client_secret"] is None
    user = new_user(srv)
    session = OAuth2Session(c["client_id"], None, token_endpoint_auth_method="none", scope="openid offline_access",
                            redirect_uri="http://127.0.0.1:8765/cb", code_challenge_method="S256")
    verifier = secrets.token_urlsafe(48)
    url, state = session.create_authorization_url(srv.url("/oauth2/authorize"), code_verifier=verifier)
    flow = authorize(Browser(srv), url, user)
    assert flow.params["state"] == state
    token = session.fetch_token(srv.url("/oauth2/token"), authorization_response=flow.location,
                                code_verifier=verifier)
    assert token["access_token"] and token["id_token"] and token["refresh_token"]
    verify_id_token(srv, {**c, "id_token_signed_response_alg": "RS256"}, token["id_token"],
                    access_token=token["access_token"])


# ------------------------------------------------------------------ ID tokens


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_id_token_algorithms(srv, alg, introspector):
    c = cli_client(srv, id_token_alg=None if alg == "RS256" else alg)
    assert c["id_token_signed_response_alg"] == alg
    user = new_user(srv)
    t = code_tokens(srv, c, user)
    claims = verify_id_token(srv, c, t["id_token"], nonce=t["_params"]["nonce"], access_token=t["access_token"])
    assert jwt.get_unverified_header(t["id_token"])["alg"] == alg
    assert claims["sub"] == user.id
    # at_hash computed independently (OIDC Core §3.1.3.6; EdDSA/Ed25519 uses SHA-512 per errata set 2).
    if alg != "EdDSA":
        import base64
        import hashlib
        d = hashlib.sha256(t["access_token"].encode()).digest()
        assert claims["at_hash"] == base64.urlsafe_b64encode(d[:16]).rstrip(b"=").decode()
    # sid is the same session as the access token's and the token introspects with it.
    assert introspect(srv, introspector, t["access_token"])["sid"] == claims["sid"]


def test_id_token_only_verifies_with_jwks_key(srv, rp):
    t = code_tokens(srv, rp, new_user(srv))
    header = jwt.get_unverified_header(t["id_token"])
    assert header.get("kid") and header["alg"] == "RS256"
    with pytest.raises(jwt.InvalidAudienceError):
        verify_jwt(srv, t["id_token"], audience="someone-else")


def test_nonce_absent_when_not_sent(srv, rp):
    params, verifier = auth_params(rp)
    del params["nonce"]
    flow = authorize(Browser(srv), params, new_user(srv))
    r = exchange(srv, rp, flow.code, verifier)
    assert r.status_code == 200, r.text
    assert "nonce" not in unverified(r.json()["id_token"])


def test_no_id_token_without_openid_scope(srv):
    c = cli_client(srv, scopes="profile email")
    params, verifier = auth_params(c, scope="email")
    flow = authorize(Browser(srv), params, new_user(srv))
    r = exchange(srv, c, flow.code, verifier)
    assert r.status_code == 200, r.text
    body = r.json()
    assert "id_token" not in body and "refresh_token" not in body
    assert body["scope"] == "email"
    # Without openid the token is not good for userinfo (OIDC Core §5.3).
    u = userinfo(srv, body["access_token"])
    assert u.status_code == 403
    assert 'error="insufficient_scope"' in u.headers.get("WWW-Authenticate", "")


def test_pkce_is_optional_for_confidential_clients(srv, rp):
    params, _ = auth_params(rp, pkce=False)
    flow = authorize(Browser(srv), params, new_user(srv))
    r = exchange(srv, rp, flow.code, None)
    assert r.status_code == 200, r.text


def test_client_secret_post(srv):
    c = cli_client(srv, auth_method="client_secret_post")
    params, verifier = auth_params(c)
    flow = authorize(Browser(srv), params, new_user(srv))
    r = srv.post("/oauth2/token", data={"grant_type": "authorization_code", "code": flow.code,
                                        "redirect_uri": REDIRECT, "code_verifier": verifier,
                                        "client_id": c["client_id"], "client_secret": c["client_secret"]})
    assert r.status_code == 200, r.text


# ------------------------------------------------------------------ userinfo


@pytest.mark.parametrize("scope, present, absent", [
    ("openid", set(), {"email", "email_verified", "name", "preferred_username", "updated_at"}),
    ("openid email", {"email", "email_verified"}, {"name", "preferred_username", "updated_at"}),
    # name is omitted for users without one (OIDC Core §5.3.2: no null claims)
    ("openid profile", {"preferred_username", "updated_at"}, {"email", "email_verified", "name"}),
    ("openid profile email", {"email", "email_verified", "preferred_username", "updated_at"}, {"name"}),
])
def test_userinfo_by_scope(srv, rp, scope, present, absent):
    user = new_user(srv)
    t = code_tokens(srv, rp, user, scope=scope)
    for method in ("GET", "POST"):
        r = userinfo(srv, t["access_token"], method)
        assert r.status_code == 200, (method, r.text)
        assert r.headers["Content-Type"].startswith("application/json")
        info = r.json()
        assert info["sub"] == user.id
        assert present <= set(info), (method, info)
        assert not (absent & set(info)), (method, info)
        if "email" in present:
            assert info["email"] == user.email and info["email_verified"] is True
        if "preferred_username" in present:
            assert info["preferred_username"] == user.username
    # POST with the Authorization header as well.
    r = srv.post("/oauth2/userinfo", headers={"Authorization": f"Bearer {t['access_token']}"})
    assert r.status_code == 200 and r.json()["sub"] == user.id
    # The ID token carries the same claims for the scope.
    claims = unverified(t["id_token"])
    for k in present:
        assert k in claims


def test_userinfo_two_token_methods(srv, rp):
    """RFC 6750 §3.1: more than one method of sending the token is invalid_request (400)."""
    t = code_tokens(srv, rp, new_user(srv))
    r = srv.post("/oauth2/userinfo", data={"access_token": t["access_token"]},
                 headers={"Authorization": f"Bearer {t['access_token']}"})
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "invalid_request"


def test_omitted_redirect_uri(srv):
    c = cli_client(srv, scopes="profile email")
    params, verifier = auth_params(c, scope="email")
    del params["redirect_uri"]
    flow = authorize(Browser(srv), params, new_user(srv))
    assert flow.location.startswith(REDIRECT + "?")
    r = srv.post("/oauth2/token", data={"grant_type": "authorization_code", "code": flow.code,
                                        "code_verifier": verifier}, auth=(c["client_id"], c["client_secret"]))
    assert r.status_code == 200, r.text


def test_userinfo_without_token(srv):
    r = srv.get("/oauth2/userinfo")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    r = srv.get("/oauth2/userinfo", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401
    assert 'error="invalid_token"' in r.headers["WWW-Authenticate"]
    assert r.json()["error"] == "invalid_token"


def test_userinfo_refuses_identity_api_token(srv):
    """A first-party API access token (not issued to an OAuth client) is not a userinfo token."""
    from oidc_helpers import api_token
    r = userinfo(srv, api_token(srv, new_user(srv)))
    assert r.status_code == 401, r.text


# ------------------------------------------------------------------ consent


def test_consent_page_lists_scopes_and_client(srv, rp):
    browser = Browser(srv)
    params, _ = auth_params(rp)
    flow = authorize(browser, params, new_user(srv), stop_at_consent=True)
    assert flow.steps == ["login", "consent"]
    text = flow.response.text
    assert "Example RP" in text
    for s in ALL_SCOPES.split():
        assert f"<code>{s}</code>" in text
    form = page_form(text, "/ui/consent")
    # the authorization request stays on the server: the form carries only its handle
    assert set(form["fields"]) == {"csrf", "pending"}
    assert form["fields"]["pending"]
    assert form["fields"]["csrf"] == browser.csrf
    assert {b.get("value") for b in form["buttons"]} == {"allow", "deny"}


def test_consent_remembered(srv, rp):
    user, browser = new_user(srv), Browser(srv)
    first = code_tokens(srv, rp, user, browser=browser)
    assert first["_steps"] == ["login", "consent"]
    second = code_tokens(srv, rp, user, browser=browser)
    assert second["_steps"] == [], "remembered consent and SSO session: straight back to the client"
    # A subset of the consented scopes needs no consent either.
    third = code_tokens(srv, rp, user, browser=browser, scope="openid email")
    assert third["_steps"] == []


def test_consent_not_remembered_without_checkbox(srv, rp):
    user, browser = new_user(srv), Browser(srv)
    params, _ = auth_params(rp)
    flow = authorize(browser, params, user, remember=False)
    assert flow.steps == ["login", "consent"] and flow.code
    params, _ = auth_params(rp)
    again = authorize(browser, params, user, stop_at_consent=True)
    assert again.steps == ["consent"]


def test_rp_cannot_force_remember(srv, rp):
    """Extra authorization parameters become hidden fields of the consent form: an RP must not
    be able to pre-set "remember" (or "decision") behind the user's back."""
    user, browser = new_user(srv), Browser(srv)
    params, _ = auth_params(rp, remember="1")
    flow = authorize(browser, params, user, stop_at_consent=True)
    assert flow.steps == ["login", "consent"]
    hidden = page_form(flow.response.text, "/ui/consent")["fields"]
    assert "decision" not in hidden
    # The user unticks "Remember my decision" and allows: the browser posts the hidden fields
    # plus decision=allow (no checkbox value).
    r = browser.submit(flow.response, "/ui/consent", browser_like=True, decision="allow")
    assert r.status_code == 302 and query_of(r.headers["Location"]).get("code"), r.text[:300]
    params, _ = auth_params(rp)
    again = authorize(browser, params, user, stop_at_consent=True)
    assert again.steps == ["consent"], "consent was remembered although the user did not tick the box"


def test_rp_supplied_decision_does_not_break_consent(srv, rp):
    user, browser = new_user(srv), Browser(srv)
    params, _ = auth_params(rp, decision="allow")
    flow = authorize(browser, params, user, stop_at_consent=True)
    r = browser.submit(flow.response, "/ui/consent", browser_like=True, decision="deny")
    assert r.status_code == 302, (r.status_code, r.text[:300])
    assert query_of(r.headers["Location"])["error"] == "access_denied"


def test_wider_scope_asks_again(srv):
    c = cli_client(srv)
    user, browser = new_user(srv), Browser(srv)
    code_tokens(srv, c, user, browser=browser, scope="openid")
    params, _ = auth_params(c, scope="openid email")
    flow = authorize(browser, params, user, stop_at_consent=True)
    assert flow.steps == ["consent"]


def test_prompt_consent_forces_consent(srv, rp):
    user, browser = new_user(srv), Browser(srv)
    code_tokens(srv, rp, user, browser=browser)
    params, _ = auth_params(rp, prompt="consent")
    flow = authorize(browser, params, user, stop_at_consent=True)
    assert flow.steps == ["consent"]
    r = browser.submit(flow.response, "/ui/consent", decision="allow", remember="1")
    assert r.status_code == 302 and query_of(r.headers["Location"]).get("code")


def test_deny(srv, rp):
    browser = Browser(srv)
    params, _ = auth_params(rp)
    flow = authorize(browser, params, new_user(srv), consent="deny")
    assert flow.response.status_code == 302
    assert flow.location.startswith(REDIRECT + "?")
    p = flow.params
    assert p["error"] == "access_denied"
    assert p["state"] == params["state"]
    assert p["iss"] == srv.base
    assert "code" not in p


def test_first_party_skips_consent(srv):
    c = cli_client(srv, first_party=True)
    user, browser = new_user(srv), Browser(srv)
    t = code_tokens(srv, c, user, browser=browser)
    assert t["_steps"] == ["login"]
    t2 = code_tokens(srv, c, user, browser=browser, prompt="consent")
    assert t2["_steps"] == []


# ------------------------------------------------------------------ response_mode=form_post


def test_form_post(srv, rp):
    user, browser = new_user(srv), Browser(srv)
    code_tokens(srv, rp, user, browser=browser)  # sign in + remember consent
    params, verifier = auth_params(rp, response_mode="form_post")
    flow = authorize(browser, params, user)
    r = flow.response
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/html")
    assert "Location" not in r.headers
    forms = parse_page(r.text).forms
    assert len(forms) == 1
    f = forms[0]
    assert f["method"] == "post" and f["action"] == REDIRECT
    assert set(f["fields"]) == {"code", "state", "iss"}
    assert f["fields"]["state"] == params["state"]
    assert f["fields"]["iss"] == srv.base
    csp = r.headers.get("Content-Security-Policy", "")
    assert "form-action https://rp.example.test" in csp, csp
    assert "frame-ancestors 'none'" in csp
    tok = exchange(srv, rp, f["fields"]["code"], verifier)
    assert tok.status_code == 200, tok.text


def test_form_post_error(srv, rp):
    params, _ = auth_params(rp, response_mode="form_post", prompt="none")
    r = Browser(srv).get("/oauth2/authorize", params=params)
    assert r.status_code == 200
    f = parse_page(r.text).forms[0]
    assert f["action"] == REDIRECT
    assert f["fields"]["error"] == "login_required"
    assert f["fields"]["state"] == params["state"]


def test_unknown_response_mode(srv, rp):
    params, _ = auth_params(rp, response_mode="fragment")
    r = Browser(srv).get("/oauth2/authorize", params=params)
    assert r.status_code == 302
    p = query_of(r.headers["Location"])
    assert p["error"] == "invalid_request" and p["state"] == params["state"]


# ------------------------------------------------------------------ prompt / max_age


def test_prompt_none_without_session(srv, rp):
    params, _ = auth_params(rp, prompt="none")
    r = Browser(srv).get("/oauth2/authorize", params=params)
    assert r.status_code == 302
    assert r.headers["Location"].startswith(REDIRECT + "?")
    p = query_of(r.headers["Location"])
    assert p["error"] == "login_required"
    assert p["state"] == params["state"]
    assert p["iss"] == srv.base


def test_prompt_none_without_consent(srv, rp):
    user, browser = new_user(srv), Browser(srv)
    r = browser.login(user)
    assert r.status_code == 303
    params, _ = auth_params(rp, prompt="none")
    r = browser.get("/oauth2/authorize", params=params)
    assert r.status_code == 302
    p = query_of(r.headers["Location"])
    assert p["error"] == "consent_required"
    assert p["state"] == params["state"]


def test_prompt_none_with_session_and_consent(srv, rp):
    user, browser = new_user(srv), Browser(srv)
    code_tokens(srv, rp, user, browser=browser)
    params, verifier = auth_params(rp, prompt="none")
    r = browser.get("/oauth2/authorize", params=params)
    assert r.status_code == 302
    p = query_of(r.headers["Location"])
    assert p.get("code") and p["state"] == params["state"]
    assert exchange(srv, rp, p["code"], verifier).status_code == 200


def test_prompt_none_combined_is_invalid(srv, rp):
    params, _ = auth_params(rp, prompt="none login")
    r = Browser(srv).get("/oauth2/authorize", params=params)
    assert r.status_code == 302
    assert query_of(r.headers["Location"])["error"] == "invalid_request"


def test_prompt_login_forces_login(srv, rp):
    user, browser = new_user(srv), Browser(srv)
    first = code_tokens(srv, rp, user, browser=browser)
    params, verifier = auth_params(rp, prompt="login")
    flow = authorize(browser, params, user)
    assert flow.steps == ["login"]
    r = exchange(srv, rp, flow.code, verifier)
    assert r.status_code == 200, r.text
    old, new = unverified(first["id_token"]), unverified(r.json()["id_token"])
    assert new["sid"] != old["sid"], "a new sign-in makes a new session"
    assert new["auth_time"] >= old["auth_time"]


def test_max_age_zero_forces_login(srv, rp):
    user, browser = new_user(srv), Browser(srv)
    first = code_tokens(srv, rp, user, browser=browser)
    params, verifier = auth_params(rp, max_age="0")
    flow = authorize(browser, params, user)
    assert flow.steps and set(flow.steps) == {"login"}
    r = exchange(srv, rp, flow.code, verifier)
    assert r.status_code == 200, r.text
    claims = unverified(r.json()["id_token"])
    assert "auth_time" in claims  # required when max_age was requested (OIDC Core §2)
    assert claims["sid"] != unverified(first["id_token"])["sid"]


def test_max_age_zero_does_not_loop(srv, rp):
    """After signing in for a max_age=0 request the user must get back to the client, even when
    a second ticks over between the sign-in and the return to /oauth2/authorize (OIDC Core:
    max_age=0 is equivalent to prompt=login)."""
    user, browser = new_user(srv), Browser(srv)
    code_tokens(srv, rp, user, browser=browser)
    time.sleep(1.1)  # so that even a whole-second comparison sees an old sign-in
    params, _ = auth_params(rp, max_age="0")
    r = browser.get("/oauth2/authorize", params=params)
    assert r.status_code == 302 and urlsplit(r.headers["Location"]).path == "/ui/login"
    page = browser.get(r.headers["Location"])
    done = browser.login(user, page=page)
    assert done.status_code == 303
    time.sleep(1.2)  # a slow user agent
    back = browser.get(done.headers["Location"])
    assert not (back.status_code == 302 and urlsplit(back.headers["Location"]).path == "/ui/login"), \
        "sent back to the sign-in page right after signing in"


def test_max_age_with_prompt_none(srv, rp):
    user, browser = new_user(srv), Browser(srv)
    code_tokens(srv, rp, user, browser=browser)
    time.sleep(2.1)
    params, _ = auth_params(rp, max_age="1", prompt="none")
    r = browser.get("/oauth2/authorize", params=params)
    assert r.status_code == 302
    p = query_of(r.headers["Location"])
    assert p["error"] == "login_required" and p["state"] == params["state"]


def test_large_max_age_keeps_session(srv, rp):
    user, browser = new_user(srv), Browser(srv)
    code_tokens(srv, rp, user, browser=browser)
    t = code_tokens(srv, rp, user, browser=browser, max_age="3600")
    assert t["_steps"] == []


def test_negative_max_age(srv, rp):
    params, _ = auth_params(rp, max_age="-5")
    r = Browser(srv).get("/oauth2/authorize", params=params)
    assert r.status_code == 302
    assert query_of(r.headers["Location"])["error"] == "invalid_request"


def test_login_hint_prefills_login(srv, rp):
    user = new_user(srv)
    params, _ = auth_params(rp, login_hint=user.email)
    browser = Browser(srv)
    r = browser.get("/oauth2/authorize", params=params)
    assert r.status_code == 302
    page = browser.get(r.headers["Location"])
    login_input = [i for i in parse_page(page.text).inputs if i.get("name") == "login"][0]
    assert login_input.get("value") == user.email


def test_redirect_uri_query_kept_and_state_round_trip(srv):
    """RFC 6749 §3.1.2: the registered query is retained; state comes back byte for byte."""
    cb = "https://rp.example.test/cb?tenant=42&x=a%20b"
    c = cli_client(srv, redirect_uris=(cb,))
    state = "a&b=c d+e#f%/?\u00e9"
    params, verifier = auth_params(c, redirect_uri=cb, state=state)
    flow = authorize(Browser(srv), params, new_user(srv))
    loc = flow.location
    assert loc.startswith(cb + "&"), loc
    p = flow.params
    assert p["tenant"] == "42" and p["x"] == "a b"
    assert p["state"] == state
    assert exchange(srv, c, p["code"], verifier, redirect_uri=cb).status_code == 200


def test_post_authorization_request(srv, rp):
    """The authorization endpoint accepts POST (form-encoded) as well (OIDC Core §3.1.2.1)."""
    user, browser = new_user(srv), Browser(srv)
    code_tokens(srv, rp, user, browser=browser)
    params, verifier = auth_params(rp)
    r = browser.post("/oauth2/authorize", data=params)
    assert r.status_code == 302, r.text
    p = query_of(r.headers["Location"])
    assert p["state"] == params["state"]
    assert exchange(srv, rp, p["code"], verifier).status_code == 200
