"""Black-box API test harness for Gatehouse (library part; fixtures are in conftest.py).

Starts the real binary (build/gatehouse) on a free loopback port with a temporary data
directory, against SQLite (default) or a throw-away PostgreSQL 15 cluster started here.
The engine is chosen with GATEHOUSE_TEST_ENGINE=sqlite|postgres.

Run with the Debian interpreter: /usr/bin/python3 -m pytest -q tests/api
"""
from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("GATEHOUSE_BINARY", REPO / "build" / "gatehouse"))
_BINARY_COPY: Path | None = None


def binary() -> Path:
    """A private copy of the gatehouse binary, taken once per test run, so that a rebuild of
    build/gatehouse in the middle of a run cannot mix two versions (or hit a half-linked file)."""
    global _BINARY_COPY
    if _BINARY_COPY is not None:
        return _BINARY_COPY
    deadline = time.monotonic() + 180
    last_err = None
    while time.monotonic() < deadline:
        try:
            st1 = BINARY.stat()
            time.sleep(0.5)
            st2 = BINARY.stat()
            if st1.st_size == st2.st_size and st1.st_mtime_ns == st2.st_mtime_ns and st1.st_size:
                d = Path(tempfile.mkdtemp(prefix="gh-bin-"))
                copy = d / "gatehouse"
                shutil.copy2(BINARY, copy)
                copy.chmod(0o755)
                if subprocess.run([str(copy), "version"], capture_output=True,
                                  timeout=30).returncode == 0:
                    _BINARY_COPY = copy
                    atexit.register(shutil.rmtree, d, True)
                    return copy
                shutil.rmtree(d, ignore_errors=True)
        except OSError as e:
            last_err = e
        time.sleep(2)
    raise ServerError(f"{BINARY} is missing or not runnable (build it first): {last_err}")
ENGINE = os.environ.get("GATEHOUSE_TEST_ENGINE", "sqlite").strip().lower()
PG_BIN = Path("/usr/lib/postgresql/15/bin")
HTTP_TIMEOUT = 15
START_TIMEOUT = 30

if ENGINE not in ("sqlite", "postgres"):
    raise pytest.UsageError(f"GATEHOUSE_TEST_ENGINE must be sqlite or postgres, not {ENGINE!r}")

# Defaults for every test server: cheap Argon2 and rate limits that never trigger unless a
# test asks for tight ones.
GENEROUS = "10000/60"
BASE_ENV = {
    "GATEHOUSE_ARGON2_MEMORY_KIB": "1024",
    "GATEHOUSE_ARGON2_ITERATIONS": "1",
    "GATEHOUSE_RATE_LIMIT_LOGIN_IP": GENEROUS,
    "GATEHOUSE_RATE_LIMIT_LOGIN_ACCOUNT": GENEROUS,
    "GATEHOUSE_RATE_LIMIT_REGISTER_IP": GENEROUS,
    "GATEHOUSE_RATE_LIMIT_FORGOT_IP": GENEROUS,
    "GATEHOUSE_RATE_LIMIT_FORGOT_ACCOUNT": GENEROUS,
    "GATEHOUSE_RATE_LIMIT_RESET_IP": GENEROUS,
    "GATEHOUSE_RATE_LIMIT_VERIFY_IP": GENEROUS,
    "GATEHOUSE_RATE_LIMIT_REFRESH_IP": GENEROUS,
    "GATEHOUSE_RATE_LIMIT_DEVICE_IP": GENEROUS,
    "GATEHOUSE_RATE_LIMIT_DEVICE_VERIFY": GENEROUS,
    "GATEHOUSE_RATE_LIMIT_INVITE_ORG": GENEROUS,
    "GATEHOUSE_IO_THREADS": "2",
    "GATEHOUSE_HASH_THREADS": "2",
    "GATEHOUSE_HASH_QUEUE_LIMIT": "64",  # tests fire logins in parallel; test_admission.py tests the short queue
}

USER_AGENT = "gatehouse-api-tests/1.0"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env() -> dict:
    """The process environment without any GATEHOUSE_* variable inherited from the caller."""
    return {k: v for k, v in os.environ.items() if not k.startswith("GATEHOUSE_")}


# --------------------------------------------------------------------------- PostgreSQL


class Postgres:
    """A private PostgreSQL 15 cluster on 127.0.0.1, run as the postgres user."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="gh-pg-"))
        self.dir.chmod(0o755)
        self.data = self.dir / "data"
        self.sock = self.dir / "sock"
        self.sock.mkdir()
        shutil.chown(self.dir, "postgres", "postgres")
        shutil.chown(self.sock, "postgres", "postgres")
        self.port = free_port()
        self.started = False

    def _as_pg(self, *args, check=True, timeout=120):
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", *map(str, args)],
            cwd=self.dir, capture_output=True, text=True, check=check, timeout=timeout)

    def start(self):
        self._as_pg(PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres",
                    "-E", "UTF8", "--no-locale", "--no-sync")
        opts = (f"-p {self.port} -c listen_addresses=127.0.0.1 "
                f"-c unix_socket_directories={self.sock} -c fsync=off "
                f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        self._as_pg(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.dir / "postgres.log",
                    "-o", opts, "-w", "-t", "60", "start")
        self.started = True

    def stop(self):
        if self.started:
            self._as_pg(PG_BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop",
                        check=False)
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)

    def psql(self, sql: str, db: str = "postgres") -> str:
        r = subprocess.run(
            [str(PG_BIN / "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
             "-p", str(self.port), "-U", "postgres", "-d", db, "-c", sql],
            capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"psql failed: {r.stderr}")
        return r.stdout

    def create_database(self) -> str:
        name = "gh_" + uuid.uuid4().hex[:16]
        self.psql(f'CREATE DATABASE "{name}"')
        return name

    def url(self, db: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"


# --------------------------------------------------------------------------- server


class ServerError(RuntimeError):
    pass


# Servers that had to be killed or had died on their own; reported at the end of the run.
UNCLEAN_STOPS: list[str] = []


class Server:
    """One gatehouse process. `url(path)` builds addresses; `cli(...)` runs the CLI against
    the same data dir / database."""

    def __init__(self, pg: Postgres | None, env: dict | None = None, data_dir: Path | None = None,
                 database: str | None = None):
        self.pg = pg
        self.extra_env = dict(env or {})
        self.own_dir = data_dir is None
        self.data_dir = Path(data_dir) if data_dir else Path(tempfile.mkdtemp(prefix="gh-data-"))
        self.engine = "postgres" if pg else "sqlite"
        self.database = database
        if pg and not database:
            self.database = pg.create_database()
        self.database_url = pg.url(self.database) if pg else None
        self.proc: subprocess.Popen | None = None
        self.port = None
        self.log_path = self.data_dir / "server.log"
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT

    # ---- process control
    def env(self, extra: dict | None = None) -> dict:
        e = clean_env()
        e.update(BASE_ENV)
        e.update(self.extra_env)
        if extra:
            e.update(extra)
        return e

    def db_args(self) -> list[str]:
        a = ["--data-dir", str(self.data_dir)]
        if self.database_url:
            a += ["--database-url", self.database_url]
        return a

    def start(self, env: dict | None = None, port: int | None = None):
        if env is not None:
            self.extra_env.update(env)
        self.port = port or self.port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(binary()), "serve", "--listen", f"127.0.0.1:{self.port}", *self.db_args()],
            stdout=logf, stderr=subprocess.STDOUT, env=self.env(), cwd=self.data_dir)
        logf.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                rc, self.proc = self.proc.returncode, None
                raise ServerError(f"gatehouse exited with {rc} during start:\n" + self.log_tail())
            try:
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        self.stop()
        raise ServerError("gatehouse did not become ready:\n" + self.log_tail())

    def stop(self, timeout: float = 20):
        """SIGTERM, then SIGKILL after `timeout`. Returns the exit code (None if not running)."""
        rc = None
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
                UNCLEAN_STOPS.append(f"{self.base} ({self.engine}) ignored SIGTERM for {timeout}s; "
                                     f"killed. Log tail:\n{self.log_tail(10)}")
        elif self.proc:
            rc = self.proc.returncode
            if rc != 0:
                UNCLEAN_STOPS.append(f"{self.base} ({self.engine}) had already exited with {rc}. "
                                     f"Log tail:\n{self.log_tail(10)}")
        self.proc = None
        return rc

    def restart(self, env: dict | None = None):
        self.stop()
        return self.start(env=env)

    def close(self):
        self.stop()
        self.session.close()
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    # ---- HTTP
    def url(self, path: str) -> str:
        return self.base + path

    def request(self, method: str, path: str, **kw) -> requests.Response:
        kw.setdefault("timeout", HTTP_TIMEOUT)
        return self.session.request(method, self.url(path), **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def patch(self, path, **kw):
        return self.request("PATCH", path, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # ---- CLI
    def cli(self, *args, env: dict | None = None, check: bool = False, timeout: float = 60):
        r = subprocess.run([str(binary()), *map(str, args), *self.db_args()], capture_output=True,
                           text=True, env=self.env(env), cwd=self.data_dir, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"gatehouse {' '.join(map(str, args))} exited {r.returncode}:\n"
                                 f"stdout: {r.stdout}\nstderr: {r.stderr}")
        return r

    def cli_json(self, *args, env: dict | None = None):
        r = self.cli(*args, env=env, check=True)
        try:
            return json.loads(r.stdout)
        except json.JSONDecodeError:
            # Tolerate log lines around the JSON document: take the last line that parses.
            for line in reversed(r.stdout.strip().splitlines()):
                try:
                    return json.loads(line)
                except json.JSONDecodeError:
                    continue
            raise AssertionError(f"not JSON: {r.stdout!r} (stderr {r.stderr!r})")

    # ---- stored state
    def db_rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Runs a read-only query against the server's database. `?` placeholders."""
        if self.engine == "sqlite":
            con = sqlite3.connect(f"file:{self.data_dir / 'gatehouse.db'}?mode=ro", uri=True,
                                  timeout=10)
            try:
                return [tuple(r) for r in con.execute(sql, params).fetchall()]
            finally:
                con.close()
        # PostgreSQL via psql: inline parameters as quoted literals.
        parts = sql.split("?")
        assert len(parts) == len(params) + 1
        q = parts[0]
        for p, rest in zip(params, parts[1:]):
            q += "'" + str(p).replace("'", "''") + "'" + rest
        out = subprocess.run(
            [str(PG_BIN / "psql"), "-X", "-q", "-A", "-t", "-F", "\x1f", "-v", "ON_ERROR_STOP=1",
             "-h", "127.0.0.1", "-p", str(self.pg.port), "-U", "postgres", "-d", self.database,
             "-c", q], capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError(out.stderr)
        rows = []
        for line in out.stdout.splitlines():
            rows.append(tuple(None if c == "" else c for c in line.split("\x1f")))
        return rows

    # ---- mail
    def mails(self, to: str | None = None, subject: str | None = None) -> list[dict]:
        d = self.data_dir / "mail"
        out = []
        if not d.is_dir():
            return out
        for f in sorted(d.iterdir(), key=lambda p: (p.stat().st_mtime_ns, p.name)):
            if not f.is_file():
                continue
            m = parse_mail(f.read_text(errors="replace"))
            m["path"] = f
            if to and to.lower() not in m["headers"].get("to", "").lower():
                continue
            if subject and m["headers"].get("subject", "") != subject:
                continue
            out.append(m)
        return out


def parse_mail(text: str) -> dict:
    text = text.replace("\r\n", "\n")
    head, _, body = text.partition("\n\n")
    headers = {}
    last = None
    for line in head.splitlines():
        if line[:1] in (" ", "\t") and last:
            headers[last] += " " + line.strip()
            continue
        k, _, v = line.partition(":")
        last = k.strip().lower()
        headers[last] = v.strip()
    token = None
    for line in body.splitlines():
        if line.strip().startswith("Token:"):
            token = line.split("Token:", 1)[1].strip()
    return {"headers": headers, "body": body, "token": token}


# --------------------------------------------------------------------------- client helpers

API = "/api/v1"


def strong_password() -> str:
    return "Gh-" + uuid.uuid4().hex[:6] + "-Quartz-Lantern-" + uuid.uuid4().hex[:4]


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"


def unique_username(prefix: str = "u") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def register(server: Server, email: str | None = None, password: str | None = None,
             username: str | None = None, expect: int | None = 201, **extra):
    email = email or unique_email()
    password = password or strong_password()
    body = {"email": email, "password": password, "confirm_password": password}
    if username:
        body["username"] = username
    body.update(extra)
    r = server.post(f"{API}/auth/register", json=body)
    if expect is not None:
        assert r.status_code == expect, f"register {email}: {r.status_code} {r.text}"
    return r


def login_raw(server: Server, password: str, email: str | None = None, **kw):
    body = {"password": password}
    if email is not None:
        body["email"] = email
    body.update(kw)
    return server.post(f"{API}/auth/login", json=body)


def login(server: Server, email: str, password: str) -> dict:
    r = login_raw(server, password, email=email)
    assert r.status_code == 200, f"login {email}: {r.status_code} {r.text}"
    return r.json()["data"]


class User:
    def __init__(self, server, email, password, username, data):
        self.server = server
        self.email = email
        self.password = password
        self.username = username
        self.data = data
        self.id = data["id"]

    def login(self) -> dict:
        return login(self.server, self.email, self.password)

    def verify_token(self) -> str:
        mails = self.server.mails(to=self.email, subject="Verify your email address")
        assert mails, f"no verification mail for {self.email}"
        return mails[-1]["token"]


def create_user(server: Server, username: bool = False, verified: bool = False) -> User:
    email = unique_email()
    password = strong_password()
    uname = unique_username() if username else None
    r = register(server, email=email, password=password, username=uname)
    u = User(server, email, password, uname, r.json()["data"])
    if verified:
        tok = u.verify_token()
        v = server.post(f"{API}/auth/verify-email/{tok}")
        assert v.status_code == 200, v.text
    return u


def me(server: Server, token: str) -> requests.Response:
    return server.get(f"{API}/auth/me", headers=bearer(token))


def assert_envelope_ok(r: requests.Response, code: int = 200) -> dict:
    assert r.status_code == code, f"expected {code}, got {r.status_code}: {r.text}"
    body = r.json()
    assert body["success"] is True
    assert body["code"] == code
    assert body["version"] == "1.0"
    assert isinstance(body["message"], str)
    assert body["request_id"] == r.headers.get("X-Request-ID")
    assert "data" in body
    assert isinstance(body.get("meta"), dict)
    return body


def assert_error(r: requests.Response, code: int, etype: str | None = None) -> dict:
    assert r.status_code == code, f"expected {code}, got {r.status_code}: {r.text}"
    body = r.json()
    assert body["success"] is False
    assert body["code"] == code
    assert body["version"] == "1.0"
    assert isinstance(body["message"], str) and body["message"]
    assert body["request_id"] == r.headers.get("X-Request-ID")
    assert isinstance(body["error"], dict)
    if etype:
        assert body["error"]["type"] == etype, body
    if code == 401:
        assert r.headers.get("WWW-Authenticate", "").startswith("Bearer"), r.headers
    return body


USER_FIELDS = {"id", "email", "username", "name", "email_verified", "is_admin", "created_at",
               "updated_at", "last_login_at"}


def assert_user_object(u: dict):
    missing = USER_FIELDS - set(u)
    assert not missing, f"user object lacks {missing}: {u}"
    uuid.UUID(u["id"])
    assert isinstance(u["email_verified"], bool)
    assert isinstance(u["is_admin"], bool)
    for secret in ("password", "password_hash"):
        assert secret not in u
    assert_rfc3339(u["created_at"])
    assert_rfc3339(u["updated_at"])
    if u["last_login_at"] is not None:
        assert_rfc3339(u["last_login_at"])


def assert_rfc3339(s):
    import datetime as dt
    assert isinstance(s, str), s
    v = s.replace("Z", "+00:00")
    parsed = dt.datetime.fromisoformat(v)
    assert parsed.tzinfo is not None, f"no timezone in {s}"
    return parsed
