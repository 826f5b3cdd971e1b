// Test harness for the browser and openid-client interoperability tests.
//
//   startGatehouse()  a private gatehouse server (temp data dir, free port), its CLI, and a stop()
//   startRP()         a tiny relying party on another free port that records every request
//   launchBrowser()   Debian's chromium driven by playwright-core (no browser download)
//   screenshot()      full-page PNG into tests/artifacts/screenshots/
//
// Every process started here is stopped by stop()/close(), and killed on process exit as a
// last resort, so a failing test never leaves a server behind.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');
export const BINARY = process.env.GATEHOUSE_BINARY || path.join(REPO, 'build', 'gatehouse');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(REPO, 'tests', 'artifacts', 'screenshots');
export const PASSWORD = 'Violet-Harbour-Lantern-42';

// Cheap Argon2 and rate limits that never trigger, as in tests/api.
const GENEROUS = '10000/60';
const BASE_ENV = {
  GATEHOUSE_ARGON2_MEMORY_KIB: '1024',
  GATEHOUSE_ARGON2_ITERATIONS: '1',
  GATEHOUSE_RATE_LIMIT_LOGIN_IP: GENEROUS,
  GATEHOUSE_RATE_LIMIT_LOGIN_ACCOUNT: GENEROUS,
  GATEHOUSE_RATE_LIMIT_REGISTER_IP: GENEROUS,
  GATEHOUSE_RATE_LIMIT_FORGOT_IP: GENEROUS,
  GATEHOUSE_RATE_LIMIT_FORGOT_ACCOUNT: GENEROUS,
  GATEHOUSE_RATE_LIMIT_RESET_IP: GENEROUS,
  GATEHOUSE_RATE_LIMIT_VERIFY_IP: GENEROUS,
  GATEHOUSE_RATE_LIMIT_REFRESH_IP: GENEROUS,
  GATEHOUSE_IO_THREADS: '2',
  GATEHOUSE_HASH_THREADS: '2',
};

// gatehouse runs under a small sh supervisor that holds a pipe from this process: when the pipe
// closes, because stop() closed it or because this process died in any way (even SIGKILL, or
// the test runner going away), the supervisor sends gatehouse SIGTERM and waits for it. So no
// server outlives its test file. The supervisor exits with gatehouse's exit status.
const SUPERVISOR = `
"$@" </dev/null &
pid=$!
echo "$pid" > "$GH_PIDFILE"
exec 3<&0
( read _ <&3; kill -TERM "$pid" 2>/dev/null ) &
watcher=$!
exec 3<&-
wait "$pid"
rc=$?
kill "$watcher" 2>/dev/null
exit "$rc"
`;

const servers = new Set();
function killServers() {
  for (const s of servers) s.kill();
}
process.on('exit', killServers);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    killServers();
    process.exit(128 + { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[sig]);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GATEHOUSE_')) env[k] = v;
  return { ...env, ...BASE_ENV, ...extra };
}

// A private copy of the binary, taken once per process, so that a rebuild of build/gatehouse
// in the middle of a run cannot swap versions or hit a half-written file. Waits up to 3 minutes
// for the binary to appear and be stable.
let binaryCopy = null;
async function binary() {
  if (binaryCopy) return binaryCopy;
  const deadline = Date.now() + 180_000;
  let lastErr = null;
  while (Date.now() < deadline) {
    try {
      const a = fs.statSync(BINARY);
      await sleep(500);
      const b = fs.statSync(BINARY);
      if (a.size && a.size === b.size && a.mtimeMs === b.mtimeMs) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-bin-'));
        const copy = path.join(dir, 'gatehouse');
        fs.copyFileSync(BINARY, copy);
        fs.chmodSync(copy, 0o755);
        if (spawnSync(copy, ['version'], { timeout: 30_000 }).status === 0) {
          process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
          binaryCopy = copy;
          return copy;
        }
        fs.rmSync(dir, { recursive: true, force: true });
      }
    } catch (e) {
      lastErr = e;
    }
    await sleep(2000);
  }
  throw new Error(`${BINARY} is missing or not runnable (build it first): ${lastErr}`);
}

export class Gatehouse {
  constructor({ env = {} } = {}) {
    this.extraEnv = env;
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gh-browser-'));
    this.logPath = path.join(this.dataDir, 'server.log');
    this.proc = null;
  }

  async start() {
    const bin = await binary();
    const pidFile = path.join(this.dataDir, 'gatehouse.pid');
    for (let attempt = 0; attempt < 3; attempt++) {
      this.port = await freePort();
      this.base = `http://127.0.0.1:${this.port}`;
      const log = fs.openSync(this.logPath, 'a');
      fs.rmSync(pidFile, { force: true });
      const proc = spawn('/bin/sh', ['-c', SUPERVISOR, 'gatehouse-supervisor',
        bin, 'serve', '--listen', `127.0.0.1:${this.port}`, '--data-dir', this.dataDir], {
        cwd: this.dataDir, env: { ...cleanEnv(this.extraEnv), GH_PIDFILE: pidFile }, stdio: ['pipe', log, log],
      });
      fs.closeSync(log);
      proc.stdin.on('error', () => { /* the supervisor is gone already */ });
      const handle = {
        kill: () => {
          // Synchronous, for exit handlers: close the pipe and signal gatehouse directly.
          try { proc.stdin.destroy(); } catch { /* closed */ }
          try { process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGTERM'); } catch { /* gone */ }
        },
      };
      servers.add(handle);
      let exited = false;
      proc.once('exit', () => { exited = true; servers.delete(handle); });
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && !exited) {
        try {
          const r = await fetch(this.base + '/healthz', { signal: AbortSignal.timeout(2000) });
          if (r.status === 200) {
            this.proc = proc;
            this.pidFile = pidFile;
            return this;
          }
        } catch { /* not yet listening */ }
        await sleep(50);
      }
      if (!exited) {
        this.proc = proc;
        this.pidFile = pidFile;
        await this.stop();
        throw new Error(`gatehouse did not become ready:\n${this.logTail()}`);
      }
      // Exited during start: most likely the port was taken in between; try another.
    }
    throw new Error(`gatehouse exited during start:\n${this.logTail()}`);
  }

  // SIGTERM (through the supervisor), then SIGKILL after 20 s. Resolves to the exit status.
  async stop() {
    const proc = this.proc;
    this.proc = null;
    if (!proc) return null;
    if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
    const done = once(proc, 'exit');
    proc.stdin.end();
    const timer = setTimeout(() => {
      try { process.kill(Number(fs.readFileSync(this.pidFile, 'utf8')), 'SIGKILL'); } catch { /* gone */ }
    }, 20_000);
    const [code] = await done;
    clearTimeout(timer);
    return code;
  }

  async close() {
    await this.stop();
    if (!process.env.KEEP_DATA) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  logTail(n = 40) {
    try {
      return fs.readFileSync(this.logPath, 'utf8').split('\n').slice(-n).join('\n');
    } catch {
      return '(no log)';
    }
  }

  url(p) {
    return this.base + p;
  }

  // Runs the CLI against this server's data directory and parses its --json output.
  async cli(...args) {
    const bin = await binary();
    const r = spawnSync(bin, [...args, '--data-dir', this.dataDir, '--json'], {
      cwd: this.dataDir, env: cleanEnv(this.extraEnv), encoding: 'utf8', timeout: 60_000,
    });
    if (r.status !== 0) {
      throw new Error(`gatehouse ${args.join(' ')} exited ${r.status}:\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    }
    return JSON.parse(r.stdout);
  }

  createUser(email, password = PASSWORD, extra = []) {
    return this.cli('user', 'create', '--email', email, '--password', password, '--verified', ...extra);
  }

  // An OAuth client whose redirect and post-logout URIs point at `rp`.
  createClient(rp, { name = 'Browser Test RP', grants = ['authorization_code', 'refresh_token'],
    scope = 'openid profile email offline_access', redirectUris = [rp.url('/cb')],
    postLogoutUris = [rp.url('/bye')], extra = [] } = {}) {
    const args = ['client', 'create', '--name', name, '--scope', scope];
    for (const u of redirectUris) args.push('--redirect-uri', u);
    for (const u of postLogoutUris) args.push('--post-logout-redirect-uri', u);
    for (const g of grants) args.push('--grant', g);
    return this.cli(...args, ...extra);
  }
}

export async function startGatehouse(opts) {
  return new Gatehouse(opts).start();
}

// The relying party: answers 200 "ok" on /cb (GET, or POST for response_mode=form_post) and
// 200 on /bye, and records every request it got.
export async function startRP() {
  const requests = [];
  const waiters = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url, 'http://rp.invalid');
      const body = Buffer.concat(chunks).toString('utf8');
      const entry = {
        method: req.method, path: u.pathname, query: Object.fromEntries(u.searchParams), rawQuery: u.search,
        body, form: req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')
          ? Object.fromEntries(new URLSearchParams(body)) : null,
        headers: req.headers,
      };
      requests.push(entry);
      for (const w of [...waiters]) {
        if (w.match(entry)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(entry);
        }
      }
      if (u.pathname === '/start') {
        // A page of the RP's own with a link to the provider (?to=URL), for cross-site starts.
        const to = u.searchParams.get('to') || '/';
        const attr = to.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(`<!doctype html><html lang="en"><title>RP</title><h1>Relying party</h1><a href="${attr}">Sign in with Gatehouse</a></html>`);
        return;
      }
      const known = u.pathname === '/cb' || u.pathname === '/bye';
      res.writeHead(known ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(known ? (u.pathname === '/cb' ? 'ok' : 'bye') : 'not found');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  const base = `http://127.0.0.1:${port}`;
  return {
    port,
    base,
    requests,
    url: (p) => base + p,
    // The same RP under another site name: http://localhost:PORT is cross-site to 127.0.0.1.
    crossSiteUrl: (p) => `http://localhost:${port}${p}`,
    // Resolves with the next (or an already recorded, not yet consumed) request on `p`.
    waitFor(p, { since = 0, timeout = 15_000 } = {}) {
      const seen = requests.slice(since).find((e) => e.path === p);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { match: (e) => e.path === p, resolve };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`RP got no request on ${p} within ${timeout} ms`));
          }
        }, timeout).unref();
      });
    },
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

// GH_BROWSER_BYPASS_CSP=1 makes chromium ignore the pages' Content-Security-Policy. It is a
// diagnostic only (to tell a CSP problem from any other), never set by scripts/run-tests.sh.
export const BYPASS_CSP = process.env.GH_BROWSER_BYPASS_CSP === '1';

export async function newContext(browser, opts = {}) {
  const ctx = await browser.newContext({ viewport: { width: 800, height: 720 }, bypassCSP: BYPASS_CSP, ...opts });
  ctx.setDefaultTimeout(15_000);
  ctx.setDefaultNavigationTimeout(20_000);
  // What the browser complained about (CSP violations, failed loads), for failure messages.
  ctx.on('page', (page) => {
    page.consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') page.consoleErrors.push(m.text()); });
  });
  return ctx;
}

// page.waitForURL, but a timeout names where the page got stuck and what the browser
// reported (a blocked form submission says so only on the console).
export async function waitForUrl(page, predicate, what = 'the expected page') {
  try {
    await page.waitForURL(predicate, { timeout: 15_000 });
  } catch (e) {
    const errors = (page.consoleErrors || []).filter((m) => !m.includes('status of 404')).slice(-5);
    throw new Error(`the browser did not reach ${what}; it is still on ${page.url()}` +
      (errors.length ? `\nbrowser console errors:\n  ${errors.join('\n  ')}` : '') + `\n(${e.message.split('\n')[0]})`);
  }
}

export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Every visible form control must have an accessible label: a <label for>, a wrapping
// <label>, aria-label or aria-labelledby. Returns the offenders (empty when all is well).
export function unlabelledControls(page) {
  return page.evaluate(() => {
    const bad = [];
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden') continue;
      const labelled = (el.labels && el.labels.length > 0 && [...el.labels].some((l) => l.textContent.trim()))
        || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
      if (!labelled) bad.push(el.outerHTML);
    }
    for (const b of document.querySelectorAll('button')) {
      if (!b.textContent.trim() && !b.getAttribute('aria-label')) bad.push(b.outerHTML);
    }
    return bad;
  });
}

export function uniqueEmail(tag) {
  return `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}
