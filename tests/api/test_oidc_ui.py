"""The server-rendered pages: login, register, forgot, reset, consent, device, logout, error,
account. Accessibility basics (labels), CSRF double-submit cookie, security headers, cookie
flags, error messages and open-redirect protection."""
import pytest

from ghtest import API, login_raw, strong_password, unique_email
from oidc_helpers import (DEVICE_GRANT, Browser, auth_params, authorize, basic, cli_client, cookie_attrs,
                          new_user, page_form, parse_page, set_cookies, wait_until)

RESET_SUBJECT = "Reset your password"


@pytest.fixture(scope="module")
def rp(srv):
    return cli_client(srv, name="UI RP")


@pytest.fixture(scope="module")
def tv(srv):
    return cli_client(srv, name="UI TV", redirect_uris=(), grants=(DEVICE_GRANT,), scopes="openid profile")


def signed_in(srv):
    user, b = new_user(srv), Browser(srv)
    assert b.login(user).status_code == 303
    return b, user


def reset_token(srv, user):
    r = srv.post(f"{API}/password/forgot", json={"email": user.email})
    assert r.status_code == 200, r.text
    mails = wait_until(lambda: srv.mails(to=user.email, subject=RESET_SUBJECT))
    assert mails, "no reset mail"
    return mails[-1]["token"]


def device_code(srv, tv):
    r = srv.post("/oauth2/device_authorization", data={"scope": "openid"}, auth=basic(tv))
    assert r.status_code == 200, r.text
    return r.json()["user_code"]


def render(srv, name, rp, tv):
    """(browser, response) for a page."""
    if name == "login":
        b = Browser(srv)
        return b, b.get("/ui/login")
    if name == "register":
        b = Browser(srv)
        return b, b.get("/ui/register")
    if name == "forgot":
        b = Browser(srv)
        return b, b.get("/ui/forgot")
    if name == "reset":
        b = Browser(srv)
        return b, b.get("/ui/reset", params={"token": reset_token(srv, new_user(srv))})
    if name == "consent":
        b = Browser(srv)
        params, _ = auth_params(rp)
        flow = authorize(b, params, new_user(srv), stop_at_consent=True)
        assert flow.steps == ["login", "consent"]
        return b, flow.response
    if name == "device":
        b, _ = signed_in(srv)
        return b, b.get("/ui/device")
    if name == "device-confirm":
        b, _ = signed_in(srv)
        return b, b.get("/ui/device", params={"user_code": device_code(srv, tv)})
    if name == "logout":
        b, _ = signed_in(srv)
        return b, b.get("/oauth2/logout")
    if name == "account":
        b, _ = signed_in(srv)
        return b, b.get("/ui/account")
    if name == "error":
        b = Browser(srv)
        return b, b.get("/oauth2/authorize", params={"client_id": "nope", "response_type": "code"})
    raise AssertionError(name)


PAGES = ["login", "register", "forgot", "reset", "consent", "device", "device-confirm", "logout", "account",
         "error"]
FORM_ACTIONS = {"login": "/ui/login", "register": "/ui/register", "forgot": "/ui/forgot", "reset": "/ui/reset",
                "consent": "/ui/consent", "device": "/ui/device", "device-confirm": "/ui/device",
                "logout": "/oauth2/logout", "account": "/oauth2/logout"}


def assert_security_headers(r):
    csp = r.headers.get("Content-Security-Policy", "")
    assert csp, "no CSP"
    assert "frame-ancestors 'none'" in csp, csp
    assert "script-src" not in csp or "'unsafe-inline'" not in csp, csp
    assert r.headers.get("X-Frame-Options") == "DENY"
    assert r.headers.get("X-Content-Type-Options") == "nosniff"
    assert r.headers.get("Cache-Control") == "no-store"
    assert r.headers.get("Referrer-Policy")


@pytest.mark.parametrize("name", PAGES)
def test_page_renders(srv, rp, tv, name):
    b, r = render(srv, name, rp, tv)
    assert r.status_code == (400 if name == "error" else 200), (name, r.status_code, r.text[:300])
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert r.text.lstrip().lower().startswith("<!doctype html>")
    assert '<html lang="' in r.text
    assert "<title>" in r.text and "<h1" in r.text
    assert_security_headers(r)
    page = parse_page(r.text)
    # Every visible input has a label (for=id) or sits inside one.
    label_for = {l.get("for") for l in page.labels if l.get("for")}
    for i in page.inputs:
        if i.get("type") == "hidden":
            continue
        assert i.get("_in_label") or (i.get("id") and i["id"] in label_for), (name, i)
    if name == "error":
        assert 'role="alert"' in r.text
        assert "invalid_client" in r.text
        return
    form = page_form(r.text, FORM_ACTIONS[name])
    assert form["method"] == "post"
    assert form["fields"].get("csrf"), (name, form)
    assert form["fields"]["csrf"] == b.csrf, "the hidden field equals the gh_csrf cookie"
    assert len(form["fields"]["csrf"]) == 43
    assert form["buttons"], "a submit button"


def test_csrf_cookie_flags(srv):
    r = Browser(srv).get("/ui/login")
    cookies = [cookie_attrs(c) for c in set_cookies(r)]
    csrf = [c for c in cookies if c[0] == "gh_csrf"]
    assert len(csrf) == 1, cookies
    _, value, attrs = csrf[0]
    assert len(value) == 43
    assert "httponly" in attrs
    assert attrs.get("samesite", "").lower() == "strict"
    assert attrs.get("path") == "/"
    assert int(attrs.get("max-age", "0")) > 0
    assert "secure" not in attrs  # plain-http issuer in the tests


def test_csrf_cookie_reused(srv):
    b = Browser(srv)
    b.get("/ui/login")
    first = b.csrf
    r = b.get("/ui/forgot")
    assert not [c for c in set_cookies(r) if c.startswith("gh_csrf=")], "an existing token is kept"
    assert page_form(r.text, "/ui/forgot")["fields"]["csrf"] == first


def test_session_cookie_flags(srv):
    user, b = new_user(srv), Browser(srv)
    r = b.login(user)
    assert r.status_code == 303
    cookies = [cookie_attrs(c) for c in set_cookies(r)]
    sess = [c for c in cookies if c[0] == "gh_session"]
    assert len(sess) == 1, cookies
    _, value, attrs = sess[0]
    assert len(value) >= 32
    assert "httponly" in attrs
    assert attrs.get("samesite", "").lower() == "lax"
    assert attrs.get("path") == "/"
    assert "domain" not in attrs


def test_secure_cookies_with_https_issuer(server_factory):
    s = server_factory(env={"GATEHOUSE_ISSUER": "https://id.example.test"})
    user = new_user(s)
    b = Browser(s)
    page = b.get("/ui/login")
    csrf = [cookie_attrs(c) for c in set_cookies(page) if c.startswith("__Host-gh_csrf=")][0]
    assert "secure" in csrf[2]
    # requests will not send a Secure cookie over http: post the pair by hand.
    token = csrf[1]
    r = b.s.post(s.url("/ui/login"), data={"csrf": token, "login": user.email, "password": user.password,
                                            "return_to": "/ui/account"},
                 headers={"Cookie": f"__Host-gh_csrf={token}"}, allow_redirects=False)
    assert r.status_code == 303, r.text
    sess = [cookie_attrs(c) for c in set_cookies(r) if c.startswith("__Host-gh_session=")][0]
    assert "secure" in sess[2] and "httponly" in sess[2]


# ------------------------------------------------------------------ CSRF


def post_forms(srv, rp, tv):
    """(browser, action, fields) for every form post, with a csrf cookie in the jar."""
    user = new_user(srv)
    out = []
    b = Browser(srv)
    b.get("/ui/login")
    out.append((b, "/ui/login", {"login": user.email, "password": user.password, "return_to": "/ui/account"}))
    b = Browser(srv)
    b.get("/ui/register")
    pw = strong_password()
    out.append((b, "/ui/register", {"email": unique_email(), "password": pw, "confirm_password": pw}))
    b = Browser(srv)
    b.get("/ui/forgot")
    out.append((b, "/ui/forgot", {"email": user.email}))
    b = Browser(srv)
    b.get("/ui/login")
    out.append((b, "/ui/reset", {"token": "x", "password": pw, "confirm_password": pw}))
    b, _ = signed_in(srv)
    params, _ = auth_params(rp)
    consent = page_form(b.get("/oauth2/authorize", params=params).text, "/ui/consent")["fields"]
    consent.pop("csrf", None)  # each test sets (or leaves out) its own
    out.append((b, "/ui/consent", {**consent, "decision": "allow", "remember": "1"}))
    b, _ = signed_in(srv)
    out.append((b, "/ui/device", {"user_code": device_code(srv, tv), "decision": "allow"}))
    b, _ = signed_in(srv)
    out.append((b, "/oauth2/logout", {"decision": "logout"}))
    return out


def test_posts_without_csrf_refused(srv, rp, tv):
    for b, action, fields in post_forms(srv, rp, tv):
        assert b.csrf
        r = b.post(action, data=fields)
        assert r.status_code == 403, (action, r.status_code, r.text[:200])
        assert r.headers["Content-Type"].startswith("text/html")
        assert 'role="alert"' in r.text
        assert not [c for c in set_cookies(r) if c.startswith("gh_session=") and "Max-Age=0" not in c], action


def test_posts_with_wrong_csrf_refused(srv, rp, tv):
    for b, action, fields in post_forms(srv, rp, tv):
        wrong = ("A" if b.csrf[0] != "A" else "B") + b.csrf[1:]
        for value in (wrong, "", b.csrf[:-1]):
            r = b.post(action, data={**fields, "csrf": value})
            assert r.status_code == 403, (action, value, r.status_code)


def test_csrf_field_without_cookie_refused(srv, rp, tv):
    for b, action, fields in post_forms(srv, rp, tv):
        token = b.csrf
        b.s.cookies.set("gh_csrf", None)  # drops the cookie
        assert b.csrf is None
        r = b.post(action, data={**fields, "csrf": token})
        assert r.status_code == 403, (action, r.status_code)


# What each form answers with a valid CSRF token: signed in, registered, "mail sent", an unknown
# reset token, consent given, device approved, signed out.
CSRF_OK_STATUS = {"/ui/login": 303, "/ui/register": 303, "/ui/forgot": 200, "/ui/reset": 400,
                  "/ui/consent": 302, "/ui/device": 200, "/oauth2/logout": 200}


def test_posts_with_csrf_work(srv, rp, tv):
    for b, action, fields in post_forms(srv, rp, tv):
        r = b.post(action, data={**fields, "csrf": b.csrf})
        assert r.status_code == CSRF_OK_STATUS[action], (action, r.status_code, r.text[:200])
        if action == "/ui/reset":
            assert r.status_code == 400  # bogus token, but past the CSRF check
        else:
            assert r.status_code != 403, action


# ------------------------------------------------------------------ login errors


def test_wrong_password(srv):
    user, b = new_user(srv), Browser(srv)
    page = b.get("/ui/login")
    r = b.login(user, page=page, password="not-the-password-123")
    assert r.status_code == 401
    assert r.headers["Content-Type"].startswith("text/html")
    assert 'role="alert"' in r.text
    assert "Wrong email/username or password." in r.text
    assert "not-the-password-123" not in r.text
    login_input = [i for i in parse_page(r.text).inputs if i.get("name") == "login"][0]
    assert login_input["value"] == user.email
    assert not [c for c in set_cookies(r) if c.startswith("gh_session=")]
    assert b.cookie("gh_session") is None
    assert_security_headers(r)
    # A fresh form on the error page works.
    ok = b.submit(r, "/ui/login", login=user.email, password=user.password)
    assert ok.status_code == 303


def test_unknown_account_same_message(srv):
    b = Browser(srv)
    page = b.get("/ui/login")
    r = b.submit(page, "/ui/login", login=unique_email(), password="whatever-123456")
    assert r.status_code == 401
    assert "Wrong email/username or password." in r.text


def test_login_rate_limited(server_factory):
    s = server_factory(env={"GATEHOUSE_RATE_LIMIT_LOGIN_ACCOUNT": "3/60"})
    user, b = new_user(s), Browser(s)
    statuses = []
    for _ in range(6):
        page = b.get("/ui/login")
        statuses.append(b.login(user, page=page, password="wrong-password-123").status_code)
    assert 429 in statuses, statuses
    page = b.get("/ui/login")
    r = b.login(user, page=page, password="wrong-password-123")
    assert r.status_code == 429
    assert r.headers.get("Retry-After", "").isdigit()
    assert 'role="alert"' in r.text
    assert_security_headers(r)


def test_login_by_username(srv):
    user, b = new_user(srv, username=True), Browser(srv)
    page = b.get("/ui/login")
    r = b.submit(page, "/ui/login", login=user.username, password=user.password)
    assert r.status_code == 303


# ------------------------------------------------------------------ redirects


@pytest.mark.parametrize("target", ["//evil.example", "//evil.example/ui/account", "https://evil.example/",
                                    "/\\evil.example", "\\\\evil.example", "javascript:alert(1)", "evil.example",
                                    "http:/evil.example"])
def test_open_redirect_refused(srv, target):
    user, b = new_user(srv), Browser(srv)
    page = b.get("/ui/login", params={"return_to": target})
    assert page_form(page.text, "/ui/login")["fields"]["return_to"] == "/ui/account"
    r = b.login(user, page=page)
    assert r.status_code == 303 and r.headers["Location"] == "/ui/account"
    # Posting the hostile value directly does not help either.
    b2 = Browser(srv)
    page = b2.get("/ui/login")
    r = b2.submit(page, "/ui/login", login=user.email, password=user.password, return_to=target)
    assert r.status_code == 303 and r.headers["Location"] == "/ui/account"


def test_same_site_return_to_kept(srv):
    user, b = new_user(srv), Browser(srv)
    r = b.login(user, return_to="/ui/device?user_code=ABCD-EFGH")
    assert r.status_code == 303 and r.headers["Location"] == "/ui/device?user_code=ABCD-EFGH"


def test_register_open_redirect_refused(srv):
    b = Browser(srv)
    page = b.get("/ui/register", params={"return_to": "//evil.example"})
    pw = strong_password()
    r = b.submit(page, "/ui/register", email=unique_email(), password=pw, confirm_password=pw,
                 return_to="//evil.example")
    assert r.status_code == 303 and r.headers["Location"] == "/ui/account"


def test_home_and_account_redirects(srv):
    b = Browser(srv)
    r = b.get("/")
    assert r.status_code in (302, 303) and r.headers["Location"] == "/ui/account"
    r = b.get("/ui/account")
    assert r.status_code in (302, 303) and r.headers["Location"].startswith("/ui/login")


# ------------------------------------------------------------------ register / forgot / reset


def test_register_page_flow(srv):
    b = Browser(srv)
    page = b.get("/ui/register")
    email, pw = unique_email(), strong_password()
    r = b.submit(page, "/ui/register", email=email, username="", password=pw, confirm_password=pw)
    assert r.status_code == 303, r.text
    assert b.cookie("gh_session")
    acct = b.get("/ui/account")
    assert acct.status_code == 200 and email in acct.text
    assert login_raw(srv, pw, email=email).status_code == 200


@pytest.mark.parametrize("fields, message", [
    ({"email": "not-an-email"}, "valid email"),
    ({"confirm_password": "different-Password-123"}, "do not match"),
    ({"password": "short", "confirm_password": "short"}, None),
])
def test_register_errors(srv, fields, message):
    b = Browser(srv)
    page = b.get("/ui/register")
    pw = strong_password()
    data = {"email": unique_email(), "password": pw, "confirm_password": pw, **fields}
    r = b.submit(page, "/ui/register", **data)
    assert r.status_code == 400
    assert 'role="alert"' in r.text
    if message:
        assert message in r.text
    assert pw not in r.text and "different-Password-123" not in r.text
    assert b.cookie("gh_session") is None


def test_forgot_same_page_for_unknown(srv):
    user = new_user(srv)
    texts = []
    for email in (user.email, unique_email()):
        b = Browser(srv)
        page = b.get("/ui/forgot")
        r = b.submit(page, "/ui/forgot", email=email)
        assert r.status_code == 200
        texts.append(r.text)
    assert texts[0] == texts[1]


def test_reset_via_mail_token(srv):
    user = new_user(srv)
    b = Browser(srv)
    page = b.get("/ui/forgot")
    assert b.submit(page, "/ui/forgot", email=user.email).status_code == 200
    mails = wait_until(lambda: srv.mails(to=user.email, subject=RESET_SUBJECT))
    assert mails
    token = mails[-1]["token"]
    page = b.get("/ui/reset", params={"token": token})
    assert page.status_code == 200
    assert page_form(page.text, "/ui/reset")["fields"]["token"] == token
    new_pw = strong_password()
    r = b.submit(page, "/ui/reset", password=new_pw, confirm_password=new_pw)
    assert r.status_code == 200, r.text
    assert "Password changed" in r.text
    assert login_raw(srv, new_pw, email=user.email).status_code == 200
    assert login_raw(srv, user.password, email=user.email).status_code == 401
    # The token is spent.
    page = b.get("/ui/reset", params={"token": token})
    pw2 = strong_password()
    r = b.submit(page, "/ui/reset", password=pw2, confirm_password=pw2)
    assert r.status_code == 400 and 'role="alert"' in r.text


def test_reset_mismatch(srv):
    b = Browser(srv)
    page = b.get("/ui/reset", params={"token": reset_token(srv, new_user(srv))})
    r = b.submit(page, "/ui/reset", password=strong_password(), confirm_password=strong_password())
    assert r.status_code == 400 and "do not match" in r.text


# ------------------------------------------------------------------ escaping


def test_client_name_escaped_on_consent(srv):
    c = cli_client(srv, name='<script>alert("x")</script>')
    b = Browser(srv)
    params, _ = auth_params(c)
    flow = authorize(b, params, new_user(srv), stop_at_consent=True)
    assert "<script>alert" not in flow.response.text
    assert "&lt;script&gt;" in flow.response.text


def test_reflected_values_escaped(srv, rp):
    evil = '"><script>alert(1)</script>'
    b = Browser(srv)
    r = b.get("/ui/login", params={"login_hint": evil})
    assert "<script>alert(1)" not in r.text
    params, _ = auth_params(rp, state=evil)
    flow = authorize(b, params, new_user(srv), stop_at_consent=True)
    assert "<script>alert(1)" not in flow.response.text
    assert "state" not in page_form(flow.response.text, "/ui/consent")["fields"]  # kept server-side


def test_stylesheet(srv):
    r = srv.get("/ui/static/style.css")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/css")
