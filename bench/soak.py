#!/usr/bin/python3
"""Memory soak for Gatehouse: mixed traffic for N minutes, RSS sampled from /proc.

Starts the server (a private copy of the binary, given with --binary) on a free loopback
port with a fresh temporary data directory, cheap Argon2 and rate limits off; creates a
confidential OAuth client for client_credentials with the CLI; then runs --threads client
threads, each on its own keep-alive HTTP/1.1 connection, repeating one iteration:

    register a new user, login, refresh x5, GET /api/v1/users/me x20,
    client_credentials token, introspect it, revoke it, logout          (31 requests)

VmRSS (and its anon/file/shmem split) of the server is printed every --interval seconds
with the elapsed time and the request count; at the end: RSS at 1 min, at the end, the
growth after the first minute, the slope, total requests and the errors by kind (any
unexpected status is an error). Bounded in time (--minutes) and in count (--max-requests);
the server is stopped by PID at the end. Only the Python standard library is used.

Extra server settings pass through: every GATEHOUSE_* variable of the caller's environment
overrides the defaults below, and MALLOC_ARENA_MAX / MALLOC_TRIM_THRESHOLD_ etc. reach the
server unchanged. Usually run through bench/soak.sh.
"""
from __future__ import annotations

import argparse
import base64
import collections
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

ITERATION = ["register", "login"] + ["refresh"] * 5 + ["me"] * 20 + \
            ["cc_token", "introspect", "revoke", "logout"]
SERVER_DEFAULTS = {
    "GATEHOUSE_ARGON2_MEMORY_KIB": "1024",
    "GATEHOUSE_ARGON2_ITERATIONS": "1",
    "GATEHOUSE_RATE_LIMIT_ENABLED": "false",
    "GATEHOUSE_ACCESS_LOG": "false",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid: int) -> dict:
    """VmRSS, RssAnon, RssFile, RssShmem, VmHWM (KiB) and Threads of a process."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "RssAnon", "RssFile", "RssShmem", "VmHWM", "Threads"):
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


def mib(kib) -> str:
    return "-" if kib is None else f"{kib / 1024:.1f}"


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.iterations = 0
        self.by_step = collections.Counter()
        self.errors = collections.Counter()  # "step: what" -> count
        self.examples = {}                   # first body seen per error kind

    def ok(self, step):
        with self.lock:
            self.requests += 1
            self.by_step[step] += 1

    def error(self, step, what, body=""):
        with self.lock:
            self.requests += 1
            self.by_step[step] += 1
            key = f"{step}: {what}"
            self.errors[key] += 1
            self.examples.setdefault(key, body[:200])


class Client(threading.Thread):
    """One traffic thread with its own keep-alive connection."""

    def __init__(self, n, port, basic, stats, stop, deadline, budget):
        super().__init__(name=f"soak-{n}", daemon=True)
        self.port, self.basic, self.stats, self.stop, self.deadline = port, basic, stats, stop, deadline
        self.budget = budget  # requests this thread may send at most
        self.conn = None

    def request(self, step, method, path, body=None, headers=None, form=False, expect=200):
        """Sends one request; returns the parsed JSON body on the expected status, else None."""
        hdrs = {"Connection": "keep-alive", "User-Agent": "gatehouse-soak/1.0"}
        if body is not None:
            if form:
                data = urllib.parse.urlencode(body).encode()
                hdrs["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                data = json.dumps(body).encode()
                hdrs["Content-Type"] = "application/json"
        else:
            data = None
        hdrs.update(headers or {})
        self.budget -= 1
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
            self.conn.request(method, path, body=data, headers=hdrs)
            r = self.conn.getresponse()
            raw = r.read()
            if r.will_close:
                self.conn.close()
                self.conn = None
        except (OSError, http.client.HTTPException) as e:
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            self.stats.error(step, type(e).__name__, str(e))
            return None
        if r.status != expect:
            self.stats.error(step, f"HTTP {r.status}", raw.decode(errors="replace"))
            return None
        try:
            doc = json.loads(raw) if raw else {}
        except ValueError:
            self.stats.error(step, "not JSON", raw.decode(errors="replace"))
            return None
        self.stats.ok(step)
        return doc

    def done(self):
        return self.stop.is_set() or time.monotonic() >= self.deadline or self.budget < len(ITERATION)

    def iteration(self):
        email = f"soak-{uuid.uuid4().hex[:16]}@example.com"
        password = "Gh-" + uuid.uuid4().hex[:6] + "-Quartz-Lantern-" + uuid.uuid4().hex[:4]
        if self.request("register", "POST", "/api/v1/auth/register",
                        {"email": email, "password": password, "confirm_password": password},
                        expect=201) is None:
            return
        doc = self.request("login", "POST", "/api/v1/auth/login", {"email": email, "password": password})
        if doc is None:
            return
        access, refresh = doc["data"]["access_token"], doc["data"]["refresh_token"]
        for _ in range(5):
            doc = self.request("refresh", "POST", "/api/v1/auth/refresh", {"refresh_token": refresh})
            if doc is None:
                break
            access, refresh = doc["data"]["access_token"], doc["data"]["refresh_token"]
        bearer = {"Authorization": f"Bearer {access}"}
        for _ in range(20):
            self.request("me", "GET", "/api/v1/users/me", headers=bearer)
        basic = {"Authorization": f"Basic {self.basic}"}
        doc = self.request("cc_token", "POST", "/oauth2/token", {"grant_type": "client_credentials"},
                           headers=basic, form=True)
        if doc is not None:
            cc = doc["access_token"]
            doc = self.request("introspect", "POST", "/oauth2/introspect", {"token": cc}, headers=basic, form=True)
            if doc is not None and doc.get("active") is not True:
                with self.stats.lock:
                    self.stats.errors["introspect: inactive"] += 1
            self.request("revoke", "POST", "/oauth2/revoke", {"token": cc}, headers=basic, form=True)
        self.request("logout", "POST", "/api/v1/auth/logout", headers=bearer)
        with self.stats.lock:
            self.stats.iterations += 1

    def run(self):
        try:
            while not self.done():
                self.iteration()
        finally:
            if self.conn is not None:
                self.conn.close()


class ServerProc:
    def __init__(self, binary, keep, server_env=()):
        self.binary, self.keep = binary, keep
        self.server_env = dict(kv.split("=", 1) for kv in server_env)  # the server only, not the CLI
        self.dir = tempfile.mkdtemp(prefix="gatehouse-soak-")
        self.port = free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("GATEHOUSE_")}
        self.env.update(SERVER_DEFAULTS)
        self.env.update({k: v for k, v in os.environ.items() if k.startswith("GATEHOUSE_")})
        self.env["GATEHOUSE_DATA_DIR"] = self.dir
        self.env.pop("GATEHOUSE_DATABASE_URL", None)  # always a fresh SQLite file in self.dir
        self.env.pop("GATEHOUSE_BINARY", None)        # soak.sh's, not a server setting
        self.log_path = os.path.join(self.dir, "server.log")
        self.proc = None

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary, "serve", "--listen", f"127.0.0.1:{self.port}"],
                                     stdout=log, stderr=subprocess.STDOUT, env={**self.env, **self.server_env},
                                     cwd=self.dir)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/readyz")
                ok = c.getresponse().status == 200
                c.close()
                if ok:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not become ready:\n" + self.log_tail())

    def cli_json(self, *args):
        r = subprocess.run([self.binary, *args, "--json"], capture_output=True, text=True,
                           env=self.env, cwd=self.dir, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"gatehouse {' '.join(args)}: exit {r.returncode}\n{r.stdout}\n{r.stderr}")
        for line in reversed(r.stdout.strip().splitlines()):
            try:
                return json.loads(line)
            except ValueError:
                continue
        raise RuntimeError(f"gatehouse {' '.join(args)}: no JSON in {r.stdout!r}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM by PID, SIGKILL after 20 s. Returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        return self.proc.returncode

    def log_tail(self, n=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no log)"

    def cleanup(self):
        if self.keep:
            print(f"data dir kept: {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def slope_mib_per_min(samples):
    """Least-squares slope of RSS over time, in MiB/min."""
    if len(samples) < 2:
        return 0.0
    xs = [t / 60 for t, _, _ in samples]
    ys = [s["VmRSS"] / 1024 for _, _, s in samples]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", required=True, help="gatehouse binary (a private copy)")
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--threads", type=int, default=6)
    ap.add_argument("--interval", type=float, default=10, help="seconds between RSS samples")
    ap.add_argument("--max-requests", type=int, default=5_000_000, help="stop after this many requests")
    ap.add_argument("--target-mib", type=float, default=8, help="allowed RSS growth after the first minute")
    ap.add_argument("--check", action="store_true", help="exit 3 when over target or with errors")
    ap.add_argument("--csv", help="also write the samples to this CSV file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    ap.add_argument("--server-env", action="append", default=[], metavar="KEY=VALUE",
                    help="environment for the server process only (e.g. LD_PRELOAD of a heap profiler)")
    a = ap.parse_args()

    srv = ServerProc(os.path.abspath(a.binary), a.keep, a.server_env)
    stats = Stats()
    stop = threading.Event()
    samples = []  # (elapsed s, requests, status dict)
    exit_code = 0
    try:
        srv.start()
        client = srv.cli_json("client", "create", "--name", "soak", "--grant", "client_credentials",
                              "--scope", "api.read")
        basic = base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode()).decode()
        pid = srv.proc.pid
        overrides = {k: v for k, v in {**srv.env, **srv.server_env}.items()
                     if k.startswith(("GATEHOUSE_", "MALLOC_", "GLIBC_", "LD_")) or k in srv.server_env}
        overrides.pop("GATEHOUSE_DATA_DIR", None)
        print(f"gatehouse soak: pid {pid}, 127.0.0.1:{srv.port}, {a.threads} threads, {a.minutes:g} min, "
              f"{os.cpu_count()} cores")
        print("server env: " + " ".join(f"{k}={v}" for k, v in sorted(overrides.items())))
        base = proc_status(pid)
        print(f"idle before traffic: RSS {mib(base.get('VmRSS'))} MiB, threads {base.get('Threads')}")
        print(f"{'elapsed':>8} {'requests':>10} {'req/s':>7} {'RSS MiB':>8} {'anon':>7} {'file':>6} "
              f"{'shmem':>6} {'thr':>4} {'errors':>7}")
        sys.stdout.flush()

        t0 = time.monotonic()
        deadline = t0 + a.minutes * 60
        per_thread = a.max_requests // a.threads
        workers = [Client(i, srv.port, basic, stats, stop, deadline, per_thread) for i in range(a.threads)]
        for w in workers:
            w.start()
        next_sample = t0 + a.interval
        last_req, last_t = 0, t0
        while True:
            now = time.monotonic()
            finished = not any(w.is_alive() for w in workers)
            if not srv.alive():
                print("server died:\n" + srv.log_tail())
                exit_code = 1
                break
            if now >= next_sample or finished:
                st = proc_status(pid)
                with stats.lock:
                    req, errs = stats.requests, sum(stats.errors.values())
                samples.append((now - t0, req, st))
                rate = (req - last_req) / max(now - last_t, 1e-9)
                last_req, last_t = req, now
                print(f"{now - t0:7.0f}s {req:10d} {rate:7.0f} {mib(st.get('VmRSS')):>8} "
                      f"{mib(st.get('RssAnon')):>7} {mib(st.get('RssFile')):>6} {mib(st.get('RssShmem')):>6} "
                      f"{st.get('Threads', '-'):>4} {errs:7d}")
                sys.stdout.flush()
                next_sample += a.interval
            if finished:
                break
            time.sleep(min(0.5, max(0.0, next_sample - time.monotonic())))
        stop.set()
        for w in workers:
            w.join(timeout=30)
        elapsed = time.monotonic() - t0
    except KeyboardInterrupt:
        stop.set()
        print("interrupted")
        exit_code = 130
        elapsed = 0
    finally:
        stop.set()
        rc = srv.stop()
        if rc not in (0, None) and exit_code == 0:
            print(f"server exit code {rc}:\n{srv.log_tail(10)}")

    if a.csv and samples:
        with open(a.csv, "w") as f:
            f.write("elapsed_s,requests,vmrss_kib,rss_anon_kib,rss_file_kib,rss_shmem_kib,threads\n")
            for t, req, st in samples:
                f.write(f"{t:.1f},{req},{st.get('VmRSS', '')},{st.get('RssAnon', '')},{st.get('RssFile', '')},"
                        f"{st.get('RssShmem', '')},{st.get('Threads', '')}\n")

    srv_ok = exit_code == 0
    srv.cleanup()
    if not samples:
        return exit_code or 1

    # RSS at one minute: the first sample at or after 60 s (the last one if the run was shorter).
    at1 = next((s for s in samples if s[0] >= 60 - 0.5), samples[-1])
    end = samples[-1]
    growth = (end[2]["VmRSS"] - at1[2]["VmRSS"]) / 1024
    after = [s for s in samples if s[0] >= at1[0]]
    with stats.lock:
        total, iters = stats.requests, stats.iterations
        errors = dict(stats.errors)
        examples = dict(stats.examples)
        by_step = dict(stats.by_step)
    print()
    print(f"duration:              {elapsed:.0f} s, {iters} iterations, {total} requests "
          f"({total / max(elapsed, 1e-9):.0f} req/s)")
    print("requests by step:      " + ", ".join(f"{k} {by_step.get(k, 0)}" for k in dict.fromkeys(ITERATION)))
    print(f"RSS idle:              {mib(base.get('VmRSS'))} MiB")
    print(f"RSS at 1 min:          {mib(at1[2]['VmRSS'])} MiB (sample at {at1[0]:.0f} s)")
    print(f"RSS at end:            {mib(end[2]['VmRSS'])} MiB (sample at {end[0]:.0f} s; peak VmHWM "
          f"{mib(end[2].get('VmHWM'))} MiB)")
    print(f"growth after 1 min:    {growth:+.1f} MiB (target <= {a.target_mib:g} MiB); "
          f"slope {slope_mib_per_min(after):+.2f} MiB/min")
    print(f"errors:                {sum(errors.values())}")
    for k, n in sorted(errors.items(), key=lambda kv: -kv[1]):
        ex = examples.get(k, "")
        print(f"  {n:8d}  {k}" + (f"  e.g. {ex!r}" if ex else ""))
    short = end[0] < 60 - 0.5
    verdict = growth <= a.target_mib and not errors and srv_ok and not short
    print("verdict:               " + ("PASS" if verdict else
                                       "INCONCLUSIVE (shorter than 1 min)" if short and not errors and srv_ok
                                       else "FAIL"))
    if exit_code:
        return exit_code
    return 3 if a.check and not verdict else 0


if __name__ == "__main__":
    sys.exit(main())
