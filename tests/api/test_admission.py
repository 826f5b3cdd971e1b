"""Admission control for password logins (issue 9): a login never holds a database worker
while it waits for the hashing pool; when the short hashing queue is full, logins are refused
at once with 503 + Retry-After (before any SQL, so nothing is audited for them), while
refreshes and token checks, which never need the hashing pool, keep being served."""
from authz_helpers import parallel_calls
from ghtest import API, assert_error, create_user, me

SLOW_HASH = {  # one hashing thread, one queued job, a hash that takes a while
    "GATEHOUSE_HASH_THREADS": "1",
    "GATEHOUSE_HASH_QUEUE_LIMIT": "1",
    "GATEHOUSE_ARGON2_MEMORY_KIB": "65536",
    "GATEHOUSE_ARGON2_ITERATIONS": "3",
}


def test_login_flood_gets_503_and_other_work_goes_on(server_factory):
    s = server_factory(env=SLOW_HASH)
    u = create_user(s, verified=True)
    first = u.login()
    before = len(s.db_rows("SELECT id FROM audit_log WHERE action = 'auth.login'"))

    def login():
        return s.post(f"{API}/auth/login", json={"email": u.email, "password": u.password})

    def refresh_and_me():
        token = first["refresh_token"]
        out = []
        for _ in range(5):
            r = s.post(f"{API}/auth/refresh", json={"refresh_token": token})
            out.append(r.status_code)
            token = r.json()["data"]["refresh_token"]
            out.append(me(s, r.json()["data"]["access_token"]).status_code)
        return out

    results = parallel_calls([login] * 12 + [refresh_and_me])
    logins, other = results[:12], results[12]
    codes = sorted(r.status_code for r in logins)
    assert set(codes) <= {200, 503}, codes
    assert 200 in codes and 503 in codes, codes
    for r in logins:
        if r.status_code == 503:
            body = assert_error(r, 503)
            assert body["error"]["type"] == "SERVICE_UNAVAILABLE"
            assert r.headers["Retry-After"] == "1"
    assert other == [200] * 10  # refresh and /me never queue behind the logins
    # Refused logins did no work: only the admitted ones were audited.
    after = len(s.db_rows("SELECT id FROM audit_log WHERE action = 'auth.login'"))
    assert after - before == codes.count(200)
    # Once the flood is over, logins work again.
    assert login().status_code == 200


def test_ui_login_is_admitted_the_same_way(server_factory):
    s = server_factory(env=SLOW_HASH)
    u = create_user(s, verified=True)

    def api_login():
        return s.post(f"{API}/auth/login", json={"email": u.email, "password": u.password})

    def ui_login():
        # Without the CSRF cookie the form would be refused (403) once admitted; a full
        # hashing queue refuses it before that.
        return s.post("/ui/login", data={"login": u.email, "password": u.password})

    results = parallel_calls([api_login] * 6 + [ui_login] * 6)
    ui_codes = {r.status_code for r in results[6:]}
    assert ui_codes <= {403, 503}, ui_codes


def test_password_grant_waits_for_no_database_worker(server_factory):
    """The OAuth password grant is staged too: with the queue free it works as before."""
    from oidc_helpers import basic, cli_client
    s = server_factory(env={"GATEHOUSE_OAUTH_PASSWORD_GRANT": "true"})
    u = create_user(s, verified=True)
    c = cli_client(s, redirect_uris=(), grants=("password", "refresh_token"), scopes="openid profile")
    r = s.post("/oauth2/token", data={"grant_type": "password", "username": u.email, "password": u.password,
                                      "scope": "openid"}, auth=basic(c))
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "Bearer" and r.json()["access_token"]
    bad = s.post("/oauth2/token", data={"grant_type": "password", "username": u.email, "password": "wrong",
                                        "scope": "openid"}, auth=basic(c))
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
