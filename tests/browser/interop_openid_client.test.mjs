// Interoperability with the npm openid-client (v6) relying-party library: discovery, the
// authorization code flow with PKCE S256 + state + nonce completed by a real user in chromium,
// ID token validation (openid-client, and independently with jose), UserInfo, refresh token
// rotation, introspection, revocation, response_mode=form_post, prompt=none, the device
// flow, every ID token signing algorithm, and RP-initiated logout via buildEndSessionUrl.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as jose from 'jose';
import * as client from 'openid-client';
import { launchBrowser, newContext, PASSWORD, screenshot, startGatehouse, startRP, uniqueEmail, waitForUrl } from './harness.mjs';

const T = { timeout: 90_000 };

let gh;
let rp;
let browser;
let user;
let email;

before(async () => {
  gh = await startGatehouse();
  rp = await startRP();
  browser = await launchBrowser();
  email = uniqueEmail('interop');
  user = await gh.createUser(email, PASSWORD, ['--name', 'Ada Interop']);
});

after(async () => {
  await browser?.close();
  await rp?.close();
  await gh?.close();
});

// openid-client refuses plain-http issuers unless told otherwise; everything here is loopback.
async function discover(c, { auth, metadata = {} } = {}) {
  const authn = auth ?? client.ClientSecretBasic(c.client_secret);
  return client.discovery(new URL(gh.base), c.client_id, metadata, authn, { execute: [client.allowInsecureRequests] });
}

async function signIn(page, who = email) {
  await page.waitForURL((u) => u.pathname === '/ui/login');
  await page.getByLabel('Email or username').click();
  await page.keyboard.type(who);
  await page.getByLabel('Password', { exact: true }).pressSequentially(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

function isCallback(u) {
  return u.origin === rp.base && u.pathname === '/cb';
}

// Computes at_hash (OIDC Core §3.1.3.6) for an RS256/ES256 token: left half of SHA-256.
function atHash(accessToken, alg) {
  const hash = alg === 'EdDSA' ? 'sha512' : 'sha256';
  const d = crypto.createHash(hash).update(accessToken, 'ascii').digest();
  return d.subarray(0, d.length / 2).toString('base64url');
}

describe('openid-client interop', () => {
  let c;
  let config;
  let page;
  let ctx;
  let tokens;
  let refreshed;

  before(async () => {
    c = await gh.createClient(rp, { name: 'openid-client RP' });
    ctx = await newContext(browser);
    page = await ctx.newPage();
  });
  after(async () => { await ctx?.close(); });

  test('discovery', T, async () => {
    config = await discover(c);
    const meta = config.serverMetadata();
    assert.equal(meta.issuer, gh.base);
    assert.equal(meta.authorization_endpoint, gh.url('/oauth2/authorize'));
    assert.ok(meta.code_challenge_methods_supported.includes('S256'));
    assert.equal(meta.authorization_response_iss_parameter_supported, true);
    assert.ok(meta.jwks_uri);
  });

  test('authorization code + PKCE S256 + state + nonce, login and consent in chromium', T, async () => {
    const verifier = client.randomPKCECodeVerifier();
    const challenge = await client.calculatePKCECodeChallenge(verifier);
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: rp.url('/cb'), scope: 'openid profile email offline_access',
      code_challenge: challenge, code_challenge_method: 'S256', state, nonce,
    });
    const since = rp.requests.length;
    await page.goto(url.href);
    await signIn(page);
    // The consent page is rendered at the authorization endpoint itself.
    await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/oauth2/authorize');
    assert.match(await page.locator('main').innerText(), /openid-client RP/);
    await page.getByRole('button', { name: 'Allow' }).click();
    await waitForUrl(page, isCallback, 'the RP callback');
    const cb = await rp.waitFor('/cb', { since });
    assert.equal(cb.query.state, state);
    assert.equal(cb.query.iss, gh.base);
    assert.ok(cb.query.code);

    tokens = await client.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
    });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.ok(tokens.access_token);
    assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
    assert.ok(tokens.expiresIn() > 0);
    const claims = tokens.claims();
    assert.equal(claims.iss, gh.base);
    assert.equal(claims.aud, c.client_id);
    assert.equal(claims.sub, user.id);
    assert.equal(claims.nonce, nonce);
    assert.equal(claims.email, email);
    assert.ok(typeof claims.auth_time === 'number');
    assert.ok(claims.at_hash, 'ID token carries at_hash');
  });

  test('the ID token verifies independently with jose against the JWKS', T, async () => {
    const meta = config.serverMetadata();
    const jwks = jose.createRemoteJWKSet(new URL(meta.jwks_uri));
    const { payload, protectedHeader } = await jose.jwtVerify(tokens.id_token, jwks, {
      issuer: gh.base, audience: c.client_id, algorithms: ['RS256'], requiredClaims: ['sub', 'iat', 'exp'],
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.ok(protectedHeader.kid, 'header names its key');
    assert.equal(payload.sub, user.id);
    assert.equal(payload.at_hash, atHash(tokens.access_token, protectedHeader.alg));
    assert.ok(payload.exp > payload.iat);
    // A token tampered with must not verify.
    const [h, p, s] = tokens.id_token.split('.');
    const evil = Buffer.from(JSON.stringify({ ...payload, sub: 'someone-else' })).toString('base64url');
    await assert.rejects(jose.jwtVerify(`${h}.${evil}.${s}`, jwks), /signature/i);
    assert.ok(p);
  });

  test('fetchUserInfo returns the email', T, async () => {
    const info = await client.fetchUserInfo(config, tokens.access_token, user.id);
    assert.equal(info.sub, user.id);
    assert.equal(info.email, email);
    assert.equal(info.email_verified, true);
    assert.equal(info.name, 'Ada Interop');
    // A wrong expected subject is caught by the library.
    await assert.rejects(client.fetchUserInfo(config, tokens.access_token, 'not-the-subject'));
  });

  test('refreshTokenGrant rotates the refresh token; reuse of the old one is refused', T, async () => {
    refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.ok(refreshed.access_token);
    assert.notEqual(refreshed.access_token, tokens.access_token);
    assert.ok(refreshed.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    if (refreshed.id_token) {
      const rc = refreshed.claims();
      assert.equal(rc.sub, user.id);
      assert.equal(rc.iss, gh.base);
      assert.equal(rc.aud, c.client_id);
      assert.equal(rc.auth_time, tokens.claims().auth_time, 'auth_time is kept on refresh');
    }
    const info = await client.fetchUserInfo(config, refreshed.access_token, user.id);
    assert.equal(info.email, email);

    // A narrower scope on refresh is allowed.
    const narrow = await client.refreshTokenGrant(config, refreshed.refresh_token, { scope: 'openid email offline_access' });
    assert.equal(narrow.scope, 'openid email offline_access');
    refreshed = narrow;

    // Reusing a rotated refresh token fails with invalid_grant and ends the whole family.
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token),
      (e) => e instanceof client.ResponseBodyError && e.error === 'invalid_grant');
    await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token),
      (e) => e instanceof client.ResponseBodyError && e.error === 'invalid_grant');
  });

  test('the code cannot be redeemed twice', T, async () => {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: rp.url('/cb'), scope: 'openid email', state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    // Signed in and consented ("Remember my decision" was checked) for a covered scope: no UI.
    await page.goto(url.href);
    await waitForUrl(page, isCallback, 'the RP callback');
    const current = new URL(page.url());
    const first = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true });
    assert.ok(first.access_token);
    await assert.rejects(
      client.authorizationCodeGrant(config, current, { pkceCodeVerifier: verifier, expectedState: state }),
      (e) => e instanceof client.ResponseBodyError && e.error === 'invalid_grant');
    // The replay revoked what the code had issued.
    const intro = await client.tokenIntrospection(config, first.access_token);
    assert.equal(intro.active, false);
  });

  test('a wrong PKCE verifier is refused', T, async () => {
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: rp.url('/cb'), scope: 'openid', state,
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    });
    await page.goto(url.href);
    await waitForUrl(page, isCallback, 'the RP callback');
    await assert.rejects(
      client.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: state }),
      (e) => e instanceof client.ResponseBodyError && e.error === 'invalid_grant');
  });

  test('prompt=none with a live session returns a code without any page', T, async () => {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: rp.url('/cb'), scope: 'openid email', state, nonce, prompt: 'none',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    await page.goto(url.href);
    await waitForUrl(page, isCallback, 'the RP callback');
    const t = await client.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    assert.equal(t.claims().sub, user.id);
  });

  test('introspection and revocation', T, async () => {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: rp.url('/cb'), scope: 'openid email offline_access', state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    await page.goto(url.href);
    await waitForUrl(page, isCallback, 'the RP callback');
    const t = await client.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true });
    const active = await client.tokenIntrospection(config, t.access_token);
    assert.equal(active.active, true);
    assert.equal(active.sub, user.id);
    assert.equal(active.client_id, c.client_id);
    await client.tokenRevocation(config, t.refresh_token, { token_type_hint: 'refresh_token' });
    await assert.rejects(client.refreshTokenGrant(config, t.refresh_token),
      (e) => e instanceof client.ResponseBodyError && e.error === 'invalid_grant');
    await client.tokenRevocation(config, t.access_token, { token_type_hint: 'access_token' });
    assert.equal((await client.tokenIntrospection(config, t.access_token)).active, false);
  });

  test('response_mode=form_post: the page posts the response to the RP', T, async () => {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: rp.url('/cb'), scope: 'openid email', state, nonce, response_mode: 'form_post',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const since = rp.requests.length;
    await page.goto(url.href);
    const cb = await rp.waitFor('/cb', { since });
    assert.equal(cb.method, 'POST');
    assert.equal(cb.form.state, state);
    assert.equal(cb.form.iss, gh.base);
    const request = new Request(rp.url('/cb'), {
      method: 'POST', body: new URLSearchParams(cb.form), headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const t = await client.authorizationCodeGrant(config, request, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    assert.equal(t.claims().email, email);
  });

  test('RP-initiated logout with buildEndSessionUrl', T, async () => {
    const state = client.randomState();
    const url = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token, post_logout_redirect_uri: rp.url('/bye'), state,
    });
    await page.goto(url.href);
    await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
    await screenshot(page, 'interop-logout-confirmation');
    const since = rp.requests.length;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await waitForUrl(page, (u) => u.origin === rp.base && u.pathname === '/bye', 'the RP post-logout page');
    const bye = await rp.waitFor('/bye', { since });
    assert.equal(bye.query.state, state);
    // The session is over: prompt=none now answers login_required to the RP.
    const st = client.randomState();
    const again = client.buildAuthorizationUrl(config, {
      redirect_uri: rp.url('/cb'), scope: 'openid', state: st, prompt: 'none',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    });
    await page.goto(again.href);
    await waitForUrl(page, isCallback, 'the RP callback');
    const q = new URL(page.url()).searchParams;
    assert.equal(q.get('error'), 'login_required');
    assert.equal(q.get('state'), st);
    await assert.rejects(
      client.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: 'x'.repeat(43), expectedState: st }),
      (e) => e instanceof client.AuthorizationResponseError && e.error === 'login_required');
  });
});

describe('openid-client interop: client kinds and signing algorithms', () => {
  let ctx;
  let page;

  before(async () => {
    ctx = await newContext(browser);
    page = await ctx.newPage();
  });
  after(async () => { await ctx?.close(); });

  // One login for all of them: the SSO session carries over; first-party clients skip consent.
  for (const [alg, authMethod] of [['ES256', 'client_secret_post'], ['EdDSA', 'client_secret_basic'], ['RS256', 'none']]) {
    test(`${alg} ID tokens, ${authMethod} client authentication`, T, async () => {
      const extra = ['--id-token-alg', alg, '--first-party'];
      if (authMethod === 'none') extra.push('--public');
      else extra.push('--auth-method', authMethod);
      const c = await gh.createClient(rp, { name: `RP ${alg}`, extra });
      const auth = authMethod === 'none' ? client.None()
        : authMethod === 'client_secret_post' ? client.ClientSecretPost(c.client_secret) : client.ClientSecretBasic(c.client_secret);
      const config = await discover(c, { auth, metadata: { id_token_signed_response_alg: alg } });
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: rp.url('/cb'), scope: 'openid email offline_access', state, nonce,
        code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      });
      await page.goto(url.href);
      if (new URL(page.url()).pathname === '/ui/login') await signIn(page);
      await waitForUrl(page, isCallback, 'the RP callback');
      const t = await client.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
      const { payload, protectedHeader } = await jose.jwtVerify(t.id_token,
        jose.createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri)), { issuer: gh.base, audience: c.client_id });
      assert.equal(protectedHeader.alg, alg);
      assert.equal(payload.at_hash, atHash(t.access_token, alg));
      assert.equal((await client.fetchUserInfo(config, t.access_token, user.id)).email, email);
      if (t.refresh_token) {
        const r = await client.refreshTokenGrant(config, t.refresh_token);
        assert.ok(r.access_token);
      } else {
        assert.fail('offline_access should give a refresh token');
      }
    });
  }

  test('claims without a value are omitted, not null (OIDC Core §5.3.2)', T, async () => {
    const who = uniqueEmail('noname');
    await gh.createUser(who, PASSWORD);
    const c = await gh.createClient(rp, { name: 'RP null claims', extra: ['--first-party'] });
    const config = await discover(c);
    const fresh = await newContext(browser);
    try {
      const p = await fresh.newPage();
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: rp.url('/cb'), scope: 'openid profile email', state,
        code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      });
      await p.goto(url.href);
      await signIn(p, who);
      await waitForUrl(p, isCallback, 'the RP callback');
      const t = await client.authorizationCodeGrant(config, new URL(p.url()), { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true });
      const claims = t.claims();
      const info = await client.fetchUserInfo(config, t.access_token, claims.sub);
      const nulls = (o) => Object.entries(o).filter(([, v]) => v === null || v === '').map(([k]) => k);
      assert.deepEqual(nulls(claims), [], 'ID token claims with no value');
      assert.deepEqual(nulls(info), [], 'UserInfo claims with no value');
    } finally {
      await fresh.close();
    }
  });

  test('device authorization grant, approved in the browser', T, async () => {
    const c = await gh.createClient(rp, {
      name: 'TV app', grants: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'], scope: 'openid email offline_access',
    });
    const config = await discover(c);
    const da = await client.initiateDeviceAuthorization(config, { scope: 'openid email' });
    assert.ok(da.user_code);
    assert.ok(da.verification_uri.startsWith(gh.base));
    const poll = client.pollDeviceAuthorizationGrant(config, da, undefined, { signal: AbortSignal.timeout(60_000) });
    poll.catch(() => {});
    await page.goto(da.verification_uri);
    if (new URL(page.url()).pathname === '/ui/login') await signIn(page);
    await page.waitForURL((u) => u.pathname === '/ui/device');
    await page.getByLabel('Code').fill(da.user_code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Connect this device?' }).waitFor();
    assert.match(await page.locator('main').innerText(), /TV app/);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByRole('heading', { name: 'Device connected' }).waitFor();
    const t = await poll;
    assert.ok(t.access_token);
    assert.equal(t.claims()?.sub, user.id);
    assert.equal((await client.fetchUserInfo(config, t.access_token, user.id)).email, email);
  });
});
