"""Helpers for the OAuth 2.0 / OpenID Connect provider tests (test_oidc_*.py).

Built on ghtest.py: clients are registered with the CLI (or the admin API), a `Browser` drives
the server-rendered login / consent / device / logout pages with a cookie jar, and the token
endpoint is called either raw (requests) or through authlib's OAuth2Session.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import time
import uuid
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import jwt
import requests

from ghtest import USER_AGENT, Server, create_user, login

REDIRECT = "https://rp.example.test/cb"
REDIRECT2 = "https://rp.example.test/other-cb"
POST_LOGOUT = "https://rp.example.test/logged-out"
ALL_SCOPES = "openid profile email offline_access"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


# --------------------------------------------------------------------------- encoding


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64u_dec(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge)"""
    verifier = secrets.token_urlsafe(48)[:64]
    return verifier, b64u(hashlib.sha256(verifier.encode()).digest())


def half_hash(value: str, alg: str) -> str:
    """OIDC Core §3.1.3.6 at_hash: left half of the hash that goes with the JOSE alg."""
    h = hashlib.sha512 if alg == "EdDSA" else hashlib.sha256
    d = h(value.encode()).digest()
    return b64u(d[: len(d) // 2])


def unverified(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def query_of(location: str) -> dict:
    """Single-valued query parameters of a URL."""
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query, keep_blank_values=True).items()}


# --------------------------------------------------------------------------- HTML


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.inputs: list[dict] = []  # every input on the page
        self.labels: list[dict] = []  # {"for": id}
        self.buttons: list[dict] = []
        self._form = None
        self._label_depth = 0

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(),
                          "fields": {}, "inputs": [], "buttons": []}
            self.forms.append(self._form)
        elif tag == "input":
            a = {**a, "_in_label": self._label_depth > 0}
            self.inputs.append(a)
            if self._form is not None:
                self._form["inputs"].append(a)
                if a.get("type") == "hidden" and "name" in a:
                    self._form["fields"][a["name"]] = a.get("value", "")
        elif tag == "label":
            self.labels.append(a)
            self._label_depth += 1
        elif tag == "button":
            self.buttons.append(a)
            if self._form is not None:
                self._form["buttons"].append(a)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "label" and self._label_depth:
            self._label_depth -= 1


def parse_page(text: str) -> _Forms:
    p = _Forms()
    p.feed(text)
    p.close()
    return p


def page_form(text: str, action: str | None = None) -> dict:
    """The first form on the page (posting to `action` if given): action, method, hidden fields."""
    forms = parse_page(text).forms
    for f in forms:
        if action is None or f["action"] == action:
            return f
    raise AssertionError(f"no form with action {action!r} in page:\n{text[:2000]}")


def is_consent_page(r: requests.Response) -> bool:
    return r.status_code == 200 and 'action="/ui/consent"' in r.text


def is_login_redirect(r: requests.Response) -> bool:
    return r.status_code in (302, 303) and urlsplit(r.headers.get("Location", "")).path == "/ui/login"


def set_cookies(r: requests.Response) -> list[str]:
    """Every Set-Cookie header of a response, unfolded."""
    raw = getattr(r.raw, "headers", None)
    if raw is not None and hasattr(raw, "getlist"):
        return list(raw.getlist("Set-Cookie"))
    v = r.headers.get("Set-Cookie")
    return [v] if v else []


def cookie_attrs(header: str) -> tuple[str, str, dict]:
    """('name', 'value', {attribute-lower: value})"""
    parts = [p.strip() for p in header.split(";")]
    name, _, value = parts[0].partition("=")
    attrs = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        attrs[k.strip().lower()] = v.strip()
    return name, value, attrs


# --------------------------------------------------------------------------- clients


def cli_client(srv: Server, name: str | None = None, redirect_uris=(REDIRECT,),
               grants=("authorization_code", "refresh_token"), scopes: str = ALL_SCOPES,
               public: bool = False, first_party: bool = False, auth_method: str | None = None,
               id_token_alg: str | None = None, post_logout=(), extra=()) -> dict:
    """Registers a client with `gatehouse client create ... --json`; returns the JSON (with
    client_id and client_secret)."""
    args = ["client", "create", "--name", name or f"rp-{uuid.uuid4().hex[:8]}"]
    for u in redirect_uris:
        args += ["--redirect-uri", u]
    for g in grants:
        args += ["--grant", g]
    if scopes:
        args += ["--scope", scopes]
    if public:
        args.append("--public")
    if first_party:
        args.append("--first-party")
    if auth_method:
        args += ["--auth-method", auth_method]
    if id_token_alg:
        args += ["--id-token-alg", id_token_alg]
    for u in post_logout:
        args += ["--post-logout-redirect-uri", u]
    args += list(extra)
    args.append("--json")
    c = srv.cli_json(*args)
    assert c.get("client_id"), c
    return c


def cc_client(srv: Server, scopes: str = "api.read api.write", auth_method: str | None = None,
              **kw) -> dict:
    """A confidential client for client_credentials only."""
    return cli_client(srv, redirect_uris=(), grants=("client_credentials",), scopes=scopes,
                      auth_method=auth_method, **kw)


def basic(client: dict) -> tuple[str, str]:
    return (client["client_id"], client["client_secret"])


# --------------------------------------------------------------------------- endpoints


def discovery(srv: Server) -> dict:
    r = srv.get("/.well-known/openid-configuration")
    assert r.status_code == 200, r.text
    return r.json()


def jwks(srv: Server) -> dict:
    r = srv.get("/.well-known/jwks.json")
    assert r.status_code == 200, r.text
    return r.json()


def verify_jwt(srv: Server, token: str, audience: str | None, typ: str | None = None,
               algs=("RS256", "ES256", "EdDSA"), **opts) -> dict:
    """Verifies a token with a key taken from the server's JWKS only (by kid)."""
    header = jwt.get_unverified_header(token)
    assert header.get("alg") in algs, header
    if typ is not None:
        assert header.get("typ") == typ, header
    keyset = jwt.PyJWKSet.from_dict(jwks(srv))
    keys = [k for k in keyset.keys if k.key_id == header.get("kid")]
    assert len(keys) == 1, f"kid {header.get('kid')} not in JWKS"
    options = {"require": ["exp", "iat", "iss", "sub"]}
    if audience is None:
        options["verify_aud"] = False
    return jwt.decode(token, key=keys[0].key, algorithms=[header["alg"]], audience=audience,
                      issuer=srv.base, options=options, **opts)


def token_raw(srv: Server, data: dict, auth=None, headers=None) -> requests.Response:
    return srv.post("/oauth2/token", data=data, auth=auth, headers=headers or {})


def introspect(srv: Server, client: dict, token: str, **extra) -> dict:
    r = srv.post("/oauth2/introspect", data={"token": token, **extra}, auth=basic(client))
    assert r.status_code == 200, r.text
    return r.json()


def revoke(srv: Server, client: dict, token: str, **extra) -> requests.Response:
    if client.get("client_secret"):
        return srv.post("/oauth2/revoke", data={"token": token, **extra}, auth=basic(client))
    return srv.post("/oauth2/revoke", data={"token": token, "client_id": client["client_id"], **extra})


def userinfo(srv: Server, access_token: str, method: str = "GET") -> requests.Response:
    if method == "GET":
        return srv.get("/oauth2/userinfo", headers={"Authorization": f"Bearer {access_token}"})
    return srv.post("/oauth2/userinfo", data={"access_token": access_token})


def cc_token(srv: Server, client: dict, scope: str | None = None) -> dict:
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    r = token_raw(srv, data, auth=basic(client))
    assert r.status_code == 200, r.text
    return r.json()


def assert_oauth_error(r: requests.Response, error: str, status: int = 400) -> dict:
    assert r.status_code == status, f"expected {status} {error}, got {r.status_code}: {r.text}"
    body = r.json()
    assert body.get("error") == error, body
    assert isinstance(body.get("error_description", ""), str)
    assert "success" not in body, "OAuth errors are not wrapped in the API envelope"
    if status == 401:
        assert r.headers.get("WWW-Authenticate"), r.headers
    return body


# --------------------------------------------------------------------------- browser


class Browser:
    """A user agent with a cookie jar that drives the HTML pages without following redirects."""

    def __init__(self, srv: Server):
        self.srv = srv
        self.s = requests.Session()
        self.s.headers["User-Agent"] = USER_AGENT + " (browser)"

    def url(self, path_or_url: str) -> str:
        return path_or_url if "://" in path_or_url else self.srv.url(path_or_url)

    def get(self, path, **kw) -> requests.Response:
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 15)
        return self.s.get(self.url(path), **kw)

    def post(self, path, **kw) -> requests.Response:
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 15)
        return self.s.post(self.url(path), **kw)

    def cookie(self, name: str) -> str | None:
        for c in self.s.cookies:
            if c.name == name:
                return c.value
        return None

    @property
    def csrf(self) -> str | None:
        return self.cookie("gh_csrf")

    def submit(self, r: requests.Response, action: str | None = None, browser_like: bool = False,
               **fields) -> requests.Response:
        """Posts the form of page `r` with its hidden fields plus `fields` (which replace hidden
        fields of the same name, unless `browser_like`: then both are sent, in page order, as
        a browser does)."""
        f = page_form(r.text, action)
        extra = [(k, v) for k, v in fields.items() if v is not None]
        if browser_like:
            data = list(f["fields"].items()) + extra
        else:
            data = dict(f["fields"])
            data.update(dict(extra))
        return self.post(urljoin(r.url, f["action"]), data=data)

    def login_page(self, return_to: str | None = None) -> requests.Response:
        r = self.get("/ui/login" + ("?" + urlencode({"return_to": return_to}) if return_to else ""))
        assert r.status_code == 200, r.text
        return r

    def login(self, user, return_to: str | None = None, page: requests.Response | None = None,
              password: str | None = None) -> requests.Response:
        page = page or self.login_page(return_to)
        return self.submit(page, "/ui/login", login=user.email, password=password or user.password)

    def follow(self, r: requests.Response, max_hops: int = 5) -> requests.Response:
        """Follows redirects that stay on the server."""
        for _ in range(max_hops):
            if r.status_code not in (301, 302, 303, 307) or not r.headers.get("Location"):
                return r
            loc = urljoin(r.url, r.headers["Location"])
            if not loc.startswith(self.srv.base + "/"):
                return r
            r = self.get(loc)
        return r


class Flow:
    """The outcome of driving an authorization request through the browser."""

    def __init__(self):
        self.steps: list[str] = []
        self.response: requests.Response | None = None

    @property
    def location(self) -> str:
        return self.response.headers.get("Location", "")

    @property
    def params(self) -> dict:
        return query_of(self.location)

    @property
    def code(self) -> str:
        assert self.response.status_code in (302, 303), (self.response.status_code, self.response.text[:500])
        p = self.params
        assert "code" in p, p
        return p["code"]


def authorize(browser: Browser, params: dict | str, user=None, consent: str | None = "allow",
              remember: bool = True, stop_at_consent: bool = False) -> Flow:
    """GET /oauth2/authorize, signing in as `user` when the login page comes up and answering
    the consent page with `consent` ("allow" / "deny"). Stops at the first answer that leaves
    the server (redirect to the client, or a form_post page), or at a page it cannot answer."""
    flow = Flow()
    url = params if isinstance(params, str) else "/oauth2/authorize?" + urlencode(params)
    r = browser.get(url)
    for _ in range(8):
        if is_login_redirect(r):
            if user is None:
                break
            flow.steps.append("login")
            page = browser.get(r.headers["Location"])
            assert page.status_code == 200, page.text
            r = browser.login(user, page=page)
            assert r.status_code == 303, f"login failed: {r.status_code} {r.text[:500]}"
            r = browser.get(r.headers["Location"])
            continue
        if is_consent_page(r):
            flow.steps.append("consent")
            if stop_at_consent or consent is None:
                break
            r = browser.submit(r, "/ui/consent", decision=consent, remember="1" if remember else None)
            continue
        break
    flow.response = r
    return flow


def auth_params(client: dict, redirect_uri: str = REDIRECT, scope: str = ALL_SCOPES,
                pkce: bool = True, **extra) -> tuple[dict, str | None]:
    """Authorization request parameters (with a fresh state, nonce and PKCE pair) and the
    code_verifier."""
    p = {"response_type": "code", "client_id": client["client_id"], "redirect_uri": redirect_uri,
         "scope": scope, "state": secrets.token_urlsafe(12), "nonce": secrets.token_urlsafe(12)}
    verifier = None
    if pkce:
        verifier, challenge = pkce_pair()
        p["code_challenge"] = challenge
        p["code_challenge_method"] = "S256"
    p.update({k: v for k, v in extra.items() if v is not None})
    return p, verifier


def exchange(srv: Server, client: dict, code: str, verifier: str | None,
             redirect_uri: str = REDIRECT, **extra) -> requests.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if verifier:
        data["code_verifier"] = verifier
    data.update(extra)
    if client.get("client_secret"):
        return token_raw(srv, data, auth=basic(client))
    data["client_id"] = client["client_id"]
    return token_raw(srv, data)


def code_tokens(srv: Server, client: dict, user, browser: Browser | None = None,
                scope: str = ALL_SCOPES, **extra) -> dict:
    """Runs the whole code flow (login and consent as needed) and returns the token response,
    with the browser and the authorization parameters under "_browser" / "_params"."""
    browser = browser or Browser(srv)
    params, verifier = auth_params(client, scope=scope, **extra)
    flow = authorize(browser, params, user)
    p = flow.params
    assert p.get("state") == params["state"], (flow.response.status_code, flow.location, flow.response.text[:500])
    r = exchange(srv, client, flow.code, verifier)
    assert r.status_code == 200, r.text
    out = r.json()
    out["_browser"] = browser
    out["_params"] = params
    out["_steps"] = flow.steps
    return out


def refresh(srv: Server, client: dict, refresh_token: str, **extra) -> requests.Response:
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token, **extra}
    if client.get("client_secret"):
        return token_raw(srv, data, auth=basic(client))
    data["client_id"] = client["client_id"]
    return token_raw(srv, data)


def new_user(srv: Server, verified: bool = True, username: bool = True):
    return create_user(srv, username=username, verified=verified)


def api_token(srv: Server, user) -> str:
    """A first-party API access token (POST /api/v1/auth/login) for the user."""
    return login(srv, user.email, user.password)["access_token"]


def wait_until(fn, timeout: float = 10.0, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    return last


def db_exec(srv: Server, sql: str, params: tuple = ()) -> None:
    """Writes to the server's private test database (`?` placeholders). Only for nudging state
    the API cannot reach quickly, such as ageing a row past a minimum lifetime."""
    import sqlite3
    import subprocess

    from ghtest import PG_BIN
    if srv.engine == "sqlite":
        con = sqlite3.connect(str(srv.data_dir / "gatehouse.db"), timeout=10)
        try:
            con.execute(sql, params)
            con.commit()
        finally:
            con.close()
        return
    parts = sql.split("?")
    assert len(parts) == len(params) + 1
    q = parts[0]
    for p, rest in zip(params, parts[1:]):
        q += (str(p) if isinstance(p, int) else "'" + str(p).replace("'", "''") + "'") + rest
    out = subprocess.run([str(PG_BIN / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                          "-p", str(srv.pg.port), "-U", "postgres", "-d", srv.database, "-c", q],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
