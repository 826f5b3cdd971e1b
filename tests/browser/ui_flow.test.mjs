// The server-rendered login UI driven through chromium: sign-in (keyboard and mouse), failed
// sign-in, consent (Allow / Deny / remembered), the account page, RP-initiated logout,
// registration, forgotten password, device code entry, error pages, CSRF expiry, and the
// whole flow again with JavaScript disabled. Every page visited is screenshotted into
// tests/artifacts/screenshots/ and checked for labelled controls and a sane structure.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  launchBrowser, newContext, PASSWORD, screenshot, startGatehouse, startRP, uniqueEmail, unlabelledControls, waitForUrl,
} from './harness.mjs';

const T = { timeout: 90_000 };

let gh;
let rp;
let browser;
let email;
let user;
let rpClient; // third party: consent is asked
const contexts = [];

before(async () => {
  gh = await startGatehouse();
  rp = await startRP();
  browser = await launchBrowser();
  email = uniqueEmail('ui');
  user = await gh.createUser(email, PASSWORD, ['--name', 'Grace UI']);
  rpClient = await gh.createClient(rp, { name: 'Photo Printer' });
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await rp?.close();
  await gh?.close();
});

async function freshPage(opts) {
  const ctx = await newContext(browser, opts);
  contexts.push(ctx);
  return ctx.newPage();
}

// Structure and accessibility checks shared by every page, then a screenshot.
async function checkPage(page, name) {
  assert.deepEqual(await unlabelledControls(page), [], `${name}: every control has a label`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en', `${name}: <html lang>`);
  assert.equal(await page.locator('h1').count(), 1, `${name}: one <h1>`);
  assert.ok((await page.title()).trim(), `${name}: a <title>`);
  // Every <button> in a form is a real submit control reachable with the keyboard.
  for (const b of await page.locator('form button').all()) {
    assert.notEqual(await b.getAttribute('tabindex'), '-1', `${name}: button is focusable`);
  }
  await screenshot(page, name);
}

// Chromium applies autofocus a frame or so after load: wait for it as a person would see it.
async function waitForFocus(page, id, what) {
  try {
    await page.waitForFunction((want) => document.activeElement?.id === want, id, { timeout: 5_000 });
  } catch {
    assert.fail(`${what}: focus is on ${await focusedId(page)}, not #${id}`);
  }
}

async function focusedId(page) {
  return page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent?.trim() || document.activeElement?.tagName);
}

function pkce() {
  const verifier = crypto.randomBytes(32).toString('base64url');
  return { verifier, challenge: crypto.createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(client, { state = crypto.randomBytes(8).toString('hex'), scope = 'openid profile email', extra = {} } = {}) {
  const p = pkce();
  const u = new URL(gh.url('/oauth2/authorize'));
  const params = {
    client_id: client.client_id, redirect_uri: rp.url('/cb'), response_type: 'code', scope, state,
    nonce: crypto.randomBytes(8).toString('hex'), code_challenge: p.challenge, code_challenge_method: 'S256', ...extra,
  };
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return { url: u.href, state, verifier: p.verifier };
}

async function exchange(client, code, verifier) {
  const r = await fetch(gh.url('/oauth2/token'), {
    method: 'POST',
    headers: {
      authorization: 'Basic ' + Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64'),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: rp.url('/cb'), code_verifier: verifier }),
  });
  const body = await r.json();
  assert.equal(r.status, 200, JSON.stringify(body));
  return body;
}

// Signs in on the sign-in page the way a person does: click, type, Tab, type, Enter.
async function typeCredentials(page, who = email, password = PASSWORD) {
  await page.getByLabel('Email or username').click();
  await page.keyboard.type(who);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
}

async function signIn(page, who = email, password = PASSWORD) {
  await page.goto(gh.url('/ui/login'));
  await typeCredentials(page, who, password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await waitForUrl(page, (u) => u.pathname === '/ui/account', 'the account page');
}

const atRP = (path) => (u) => u.origin === rp.base && u.pathname === path;

describe('sign in', () => {
  test('sign-in page: labels, autofocus and Tab order', T, async () => {
    const page = await freshPage();
    const res = await page.goto(gh.url('/ui/login'));
    assert.equal(res.status(), 200);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    const login = page.getByLabel('Email or username');
    const password = page.getByLabel('Password', { exact: true });
    assert.equal(await login.getAttribute('autocomplete'), 'username');
    assert.equal(await password.getAttribute('type'), 'password');
    assert.equal(await password.getAttribute('autocomplete'), 'current-password');
    await waitForFocus(page, 'login', 'the email field has focus on load');
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'password', 'Tab from the email field goes to the password');
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'Sign in', 'then to the Sign in button');
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'Forgot your password?');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focusedId(page), 'login', 'Shift+Tab walks back');
    await checkPage(page, 'login');
  });

  test('a failed sign-in shows an error and keeps the login', T, async () => {
    const page = await freshPage();
    await page.goto(gh.url('/ui/login'));
    await typeCredentials(page, email, 'not-the-password-1');
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url() === gh.url('/ui/login') && r.request().method() === 'POST'),
      page.keyboard.press('Enter'),
    ]);
    assert.equal(res.status(), 401);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal((await alert.innerText()).trim(), 'Wrong email/username or password.');
    assert.equal(await page.getByLabel('Email or username').inputValue(), email);
    assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '', 'the password is not echoed');
    await checkPage(page, 'login-error');
    // The next, correct attempt on the same page works.
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForUrl(page, (u) => u.pathname === '/ui/account', 'the account page');
  });

  test('signing in with the keyboard only lands on the account page', T, async () => {
    const page = await freshPage();
    await page.goto(gh.url('/ui/login'));
    await waitForFocus(page, 'login', 'autofocus');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await waitForUrl(page, (u) => u.pathname === '/ui/account', 'the account page');
    await page.getByRole('heading', { name: 'You are signed in' }).waitFor();
    assert.match(await page.locator('main').innerText(), new RegExp(`Signed in as ${email.replace(/[.+]/g, '\\$&')}`));
    assert.match(await page.locator('main').innerText(), /Grace UI/);
    await checkPage(page, 'account');
  });

  test('return_to only follows same-site paths', T, async () => {
    const page = await freshPage();
    await page.goto(gh.url('/ui/login?return_to=' + encodeURIComponent('//evil.example/steal')));
    await typeCredentials(page);
    await page.keyboard.press('Enter');
    await waitForUrl(page, (u) => u.origin === gh.base && u.pathname === '/ui/account', 'the account page');
  });

  test('a form whose CSRF cookie is gone is refused with an error page', T, async () => {
    const page = await freshPage();
    await page.goto(gh.url('/ui/login'));
    await typeCredentials(page);
    await page.context().clearCookies();
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url() === gh.url('/ui/login') && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    assert.equal(res.status(), 403);
    await page.getByRole('heading', { name: 'Something went wrong' }).waitFor();
    assert.match(await page.getByRole('alert').innerText(), /expired/);
    await checkPage(page, 'form-expired');
  });
});

describe('authorization, consent and logout', () => {
  let page;
  let idToken;

  before(async () => { page = await freshPage(); });

  test('login through /oauth2/authorize, consent Allow, code at the RP', T, async () => {
    const a = authorizeUrl(rpClient, { scope: 'openid profile email' });
    await page.goto(a.url);
    await waitForUrl(page, (u) => u.pathname === '/ui/login', 'the sign-in page');
    assert.match(new URL(page.url()).searchParams.get('return_to'), /^\/oauth2\/authorize\?/);
    await typeCredentials(page);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    const text = await page.locator('main').innerText();
    assert.match(text, /Photo Printer would like to:/);
    assert.match(text, /Confirm who you are/);
    assert.match(text, /See your email address/);
    assert.match(text, new RegExp(`Signed in as ${email.replace(/[.+]/g, '\\$&')}`));
    const remember = page.getByLabel('Remember my decision');
    assert.equal(await remember.isChecked(), true);
    await checkPage(page, 'consent');
    const since = rp.requests.length;
    await page.getByRole('button', { name: 'Allow' }).click();
    await waitForUrl(page, atRP('/cb'), 'the RP callback after Allow');
    const cb = await rp.waitFor('/cb', { since });
    assert.equal(cb.query.state, a.state);
    assert.equal(cb.query.iss, gh.base);
    assert.ok(cb.query.code);
    assert.equal(await page.locator('body').innerText(), 'ok');
    const tokens = await exchange(rpClient, cb.query.code, a.verifier);
    assert.ok(tokens.id_token);
    const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url').toString());
    assert.equal(claims.sub, user.id);
    idToken = tokens.id_token;
  });

  test('the remembered consent is not asked again', T, async () => {
    const a = authorizeUrl(rpClient, { scope: 'openid email' });
    await page.goto(a.url);
    await waitForUrl(page, atRP('/cb'), 'the RP callback without a consent page');
    assert.ok(new URL(page.url()).searchParams.get('code'));
  });

  test('prompt=consent asks again, and Deny answers access_denied', T, async () => {
    const a = authorizeUrl(rpClient, { extra: { prompt: 'consent' } });
    await page.goto(a.url);
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    await page.getByLabel('Remember my decision').uncheck();
    await page.getByRole('button', { name: 'Deny' }).click();
    await waitForUrl(page, atRP('/cb'), 'the RP callback after Deny');
    const q = new URL(page.url()).searchParams;
    assert.equal(q.get('error'), 'access_denied');
    assert.equal(q.get('state'), a.state);
    assert.equal(q.get('code'), null);
  });

  test('the account page shows the signed-in user', T, async () => {
    await page.goto(gh.url('/ui/account'));
    await page.getByRole('heading', { name: 'You are signed in' }).waitFor();
    assert.match(await page.locator('main').innerText(), /Grace UI/);
  });

  test('RP-initiated logout: "Stay signed in" goes back to the RP, still signed in', T, async () => {
    assert.ok(idToken, 'needs the ID token of the consent test');
    const u = new URL(gh.url('/oauth2/logout'));
    u.searchParams.set('id_token_hint', idToken);
    u.searchParams.set('post_logout_redirect_uri', rp.url('/bye'));
    u.searchParams.set('state', 'stay-1');
    await page.goto(u.href);
    await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
    await page.getByRole('button', { name: 'Stay signed in' }).click();
    await waitForUrl(page, atRP('/bye'), 'the RP post-logout page');
    assert.equal(new URL(page.url()).searchParams.get('state'), 'stay-1');
    await page.goto(gh.url('/ui/account'));
    await page.getByRole('heading', { name: 'You are signed in' }).waitFor();
  });

  test('RP-initiated logout: confirmation page, Sign out, redirect with state', T, async () => {
    assert.ok(idToken, 'needs the ID token of the consent test');
    const u = new URL(gh.url('/oauth2/logout'));
    u.searchParams.set('id_token_hint', idToken);
    u.searchParams.set('post_logout_redirect_uri', rp.url('/bye'));
    u.searchParams.set('state', 'bye-state-42');
    await page.goto(u.href);
    await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
    assert.match(await page.locator('main').innerText(), /Photo Printer asks you to sign out\./);
    await checkPage(page, 'logout-confirmation');
    const since = rp.requests.length;
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().startsWith(gh.url('/oauth2/logout')) && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    assert.equal(res.status(), 303);
    await waitForUrl(page, atRP('/bye'), 'the RP post-logout page');
    const bye = await rp.waitFor('/bye', { since });
    assert.equal(bye.query.state, 'bye-state-42');
    // Signed out: the account page sends us to sign in, and so does the RP's next request.
    await page.goto(gh.url('/ui/account'));
    await waitForUrl(page, (x) => x.pathname === '/ui/login', 'the sign-in page');
    const a = authorizeUrl(rpClient, { extra: { prompt: 'none' } });
    await page.goto(a.url);
    await waitForUrl(page, atRP('/cb'), 'the RP callback');
    assert.equal(new URL(page.url()).searchParams.get('error'), 'login_required');
  });

  test('a logout request with an unregistered post_logout_redirect_uri shows an error page', T, async () => {
    const u = new URL(gh.url('/oauth2/logout'));
    u.searchParams.set('client_id', rpClient.client_id);
    u.searchParams.set('post_logout_redirect_uri', 'https://evil.example/');
    const res = await page.goto(u.href);
    assert.equal(res.status(), 400);
    await page.getByRole('heading', { name: 'Something went wrong' }).waitFor();
    assert.match(await page.getByRole('alert').innerText(), /not registered/);
  });

  test('an authorization request for an unknown client shows an error page, not a redirect', T, async () => {
    const res = await page.goto(gh.url('/oauth2/authorize?client_id=no-such-client&response_type=code&scope=openid&redirect_uri='
      + encodeURIComponent(rp.url('/cb'))));
    assert.equal(res.status(), 400);
    assert.equal(new URL(page.url()).origin, gh.base);
    await page.getByRole('heading', { name: 'Something went wrong' }).waitFor();
    assert.match(await page.getByRole('alert').innerText(), /Unknown client_id/);
    assert.match(await page.locator('main').innerText(), /invalid_client/);
    await checkPage(page, 'error');
  });
});

describe('first-party clients and cross-site starts', () => {
  test('a first-party client: signing in goes straight back to the RP, no consent page', T, async () => {
    const fp = await gh.createClient(rp, { name: 'Own App', extra: ['--first-party'] });
    const page = await freshPage();
    const a = authorizeUrl(fp, { extra: { login_hint: email } });
    await page.goto(a.url);
    await waitForUrl(page, (u) => u.pathname === '/ui/login', 'the sign-in page');
    // login_hint pre-fills the form, so focus can go straight to the password.
    assert.equal(await page.getByLabel('Email or username').inputValue(), email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForUrl(page, atRP('/cb'), 'the RP callback right after signing in');
    const q = new URL(page.url()).searchParams;
    assert.equal(q.get('state'), a.state);
    assert.ok((await exchange(fp, q.get('code'), a.verifier)).id_token);
  });

  test('starting from a link on the RP\'s own (cross-site) page: sign in, consent, back to the RP', T, async () => {
    const redirect = rp.crossSiteUrl('/cb');
    const c = await gh.createClient(rp, { name: 'Cross-site RP', redirectUris: [redirect], postLogoutUris: [rp.crossSiteUrl('/bye')] });
    const page = await freshPage();
    // A visit beforehand leaves SameSite=Strict cookies behind that the cross-site start will not send.
    await page.goto(gh.url('/ui/login'));
    const a = authorizeUrl(c);
    const u = new URL(a.url);
    u.searchParams.set('redirect_uri', redirect);
    await page.goto(rp.crossSiteUrl('/start?to=' + encodeURIComponent(u.href)));
    await page.getByRole('link', { name: 'Sign in with Gatehouse' }).click();
    await waitForUrl(page, (x) => x.origin === gh.base && x.pathname === '/ui/login', 'the sign-in page');
    await typeCredentials(page);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    await waitForUrl(page, (x) => x.href.startsWith(redirect), 'the cross-site RP callback');
    const q = new URL(page.url()).searchParams;
    assert.equal(q.get('state'), a.state);
    const r = await fetch(gh.url('/oauth2/token'), {
      method: 'POST',
      headers: { authorization: 'Basic ' + Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64') },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: q.get('code'), redirect_uri: redirect, code_verifier: a.verifier }),
    });
    assert.equal(r.status, 200);

    // Signed in now: a second cross-site start for a covered scope comes straight back, and
    // the RP's cross-site logout link shows the confirmation page and ends the session.
    const b = authorizeUrl(c);
    const v = new URL(b.url);
    v.searchParams.set('redirect_uri', redirect);
    await page.goto(rp.crossSiteUrl('/start?to=' + encodeURIComponent(v.href)));
    await page.getByRole('link', { name: 'Sign in with Gatehouse' }).click();
    await waitForUrl(page, (x) => x.href.startsWith(redirect), 'the cross-site RP callback (SSO)');
    const out = new URL(gh.url('/oauth2/logout'));
    out.searchParams.set('client_id', c.client_id);
    out.searchParams.set('post_logout_redirect_uri', rp.crossSiteUrl('/bye'));
    out.searchParams.set('state', 'x-site');
    await page.goto(rp.crossSiteUrl('/start?to=' + encodeURIComponent(out.href)));
    await page.getByRole('link', { name: 'Sign in with Gatehouse' }).click();
    await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await waitForUrl(page, (x) => x.href.startsWith(rp.crossSiteUrl('/bye')), 'the cross-site RP post-logout page');
    await page.goto(gh.url('/ui/account'));
    await waitForUrl(page, (x) => x.pathname === '/ui/login', 'the sign-in page (signed out)');
  });
});

describe('account pages', () => {
  test('registration creates an account and signs it in', T, async () => {
    const page = await freshPage();
    const newEmail = uniqueEmail('reg');
    await page.goto(gh.url('/ui/register'));
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    await waitForFocus(page, 'email', 'the email field has focus on load');
    // Tab order: email, username, password, repeat, button.
    const order = ['username', 'password', 'confirm_password', 'Create account'];
    for (const want of order) {
      await page.keyboard.press('Tab');
      assert.equal(await focusedId(page), want);
    }
    await page.getByLabel('Email', { exact: true }).pressSequentially(newEmail);
    await page.getByLabel('Username (optional)').pressSequentially('lovelace_' + crypto.randomBytes(3).toString('hex'));
    await page.getByLabel('Password (at least 8 characters)').pressSequentially(PASSWORD);
    await page.getByLabel('Repeat the password').pressSequentially(PASSWORD);
    await checkPage(page, 'register');
    await page.getByRole('button', { name: 'Create account' }).click();
    await waitForUrl(page, (u) => u.pathname === '/ui/account', 'the account page');
    await page.getByRole('heading', { name: 'You are signed in' }).waitFor();
    assert.match(await page.locator('main').innerText(), new RegExp(newEmail.replace(/[.+]/g, '\\$&')));

    // Sign out from the account page, then sign in again with the new account.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Signed out' }).waitFor();
    await checkPage(page, 'signed-out');
    await page.getByRole('link', { name: 'Sign in again' }).click();
    await waitForUrl(page, (u) => u.pathname === '/ui/login', 'the sign-in page');
    await typeCredentials(page, newEmail, PASSWORD);
    await page.keyboard.press('Enter');
    await waitForUrl(page, (u) => u.pathname === '/ui/account', 'the account page');
  });

  test('registration errors are shown and the fields kept', T, async () => {
    const page = await freshPage();
    const newEmail = uniqueEmail('reg-bad');
    await page.goto(gh.url('/ui/register'));
    await page.getByLabel('Email', { exact: true }).fill(newEmail);
    await page.getByLabel('Password (at least 8 characters)').fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD + 'x');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal((await page.getByRole('alert').innerText()).trim(), 'The passwords do not match.');
    assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), newEmail);
    await checkPage(page, 'register-error');
    // An address already taken is refused too.
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password (at least 8 characters)').fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal(new URL(page.url()).pathname, '/ui/register');
  });

  test('the sign-in page links to registration and keeps return_to', T, async () => {
    const page = await freshPage();
    await page.goto(gh.url('/ui/login?return_to=' + encodeURIComponent('/ui/device')));
    await page.getByRole('link', { name: 'Create an account' }).click();
    await waitForUrl(page, (u) => u.pathname === '/ui/register', 'the registration page');
    assert.equal(new URL(page.url()).searchParams.get('return_to'), '/ui/device');
  });

  test('forgotten password page', T, async () => {
    const page = await freshPage();
    await page.goto(gh.url('/ui/login'));
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await checkPage(page, 'forgot');
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send reset mail' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();
    await checkPage(page, 'forgot-sent');
  });

  test('device code entry page', T, async () => {
    const page = await freshPage();
    await page.goto(gh.url('/ui/device'));
    await waitForUrl(page, (u) => u.pathname === '/ui/login', 'the sign-in page (device needs a session)');
    await typeCredentials(page);
    await page.keyboard.press('Enter');
    await waitForUrl(page, (u) => u.pathname === '/ui/device', 'the device page');
    await page.getByRole('heading', { name: 'Connect a device' }).waitFor();
    await waitForFocus(page, 'user_code', 'the code field has focus on load');
    await checkPage(page, 'device');
    await page.getByLabel('Code').fill('ABCD-EFGH');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').waitFor();
    await checkPage(page, 'device-error');
  });
});

describe('without JavaScript', () => {
  let page;
  let client;

  before(async () => {
    page = await freshPage({ javaScriptEnabled: false });
    client = await gh.createClient(rp, { name: 'No-JS RP' });
  });

  test('the UI pages carry no script at all', T, async () => {
    for (const p of ['/ui/login', '/ui/register', '/ui/forgot']) {
      await page.goto(gh.url(p));
      assert.equal(await page.locator('script').count(), 0, `${p} has no <script>`);
    }
  });

  test('sign in, consent and the code reach the RP', T, async () => {
    const a = authorizeUrl(client);
    await page.goto(a.url);
    await waitForUrl(page, (u) => u.pathname === '/ui/login', 'the sign-in page');
    await page.getByLabel('Email or username').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    assert.equal(await page.locator('script').count(), 0);
    await page.getByRole('button', { name: 'Allow' }).click();
    await waitForUrl(page, atRP('/cb'), 'the RP callback');
    const q = new URL(page.url()).searchParams;
    assert.equal(q.get('state'), a.state);
    const tokens = await exchange(client, q.get('code'), a.verifier);
    assert.ok(tokens.access_token);
  });

  test('response_mode=form_post falls back to a Continue button', T, async () => {
    const a = authorizeUrl(client, { extra: { response_mode: 'form_post' } });
    const since = rp.requests.length;
    await page.goto(a.url);
    const cont = page.getByRole('button', { name: 'Continue' });
    await cont.waitFor();
    await screenshot(page, 'form-post-nojs');
    await cont.click();
    const cb = await rp.waitFor('/cb', { since });
    assert.equal(cb.method, 'POST');
    assert.equal(cb.form.state, a.state);
    assert.equal(cb.form.iss, gh.base);
    const tokens = await exchange(client, cb.form.code, a.verifier);
    assert.ok(tokens.id_token);
  });

  test('registration and sign-out from the account page', T, async () => {
    const newEmail = uniqueEmail('nojs');
    await page.goto(gh.url('/ui/register'));
    await page.getByLabel('Email', { exact: true }).fill(newEmail);
    await page.getByLabel('Password (at least 8 characters)').fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'You are signed in' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Signed out' }).waitFor();
  });

  test('RP-initiated logout', T, async () => {
    const u = new URL(gh.url('/oauth2/logout'));
    u.searchParams.set('client_id', client.client_id);
    u.searchParams.set('post_logout_redirect_uri', rp.url('/bye'));
    u.searchParams.set('state', 'nojs');
    await page.goto(u.href);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await waitForUrl(page, atRP('/bye'), 'the RP post-logout page');
    assert.equal(new URL(page.url()).searchParams.get('state'), 'nojs');
  });
});
