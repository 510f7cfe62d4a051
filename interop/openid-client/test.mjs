// panva openid-client (an OpenID Certified RP library) against `hourglass op`.
// Started by interop/run.sh with: ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI,
// POST_LOGOUT_REDIRECT_URI, ACCESS_TTL (seconds; the OP runs with --access-ttl 20s on a virtual clock).
// Prints one "PASS openid-client: …" / "FAIL openid-client: …" line per check; exit 1 on any failure.
// Nothing listens on REDIRECT_URI: we read the OP's redirect Location ourselves (no browser).
import * as client from 'openid-client';

const { ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, POST_LOGOUT_REDIRECT_URI } = process.env;
const ACCESS_TTL = Number(process.env.ACCESS_TTL ?? 20);
for (const [k, v] of Object.entries({ ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, POST_LOGOUT_REDIRECT_URI })) {
  if (!v) { console.log(`FAIL openid-client: env ${k} is not set`); process.exit(1); }
}

let failures = 0;
class Skip extends Error {}
async function check(name, fn) {
  try {
    const result = await fn();
    console.log(`PASS openid-client: ${name}`);
    return result;
  } catch (e) {
    failures++;
    const detail = e?.error ? `${e.error}${e.error_description ? ` (${e.error_description})` : ''}` : (e?.message ?? String(e));
    console.log(`FAIL openid-client: ${name}: ${detail}`);
    if (process.env.DEBUG) console.error(e);
    throw new Skip();
  }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
async function rejects(promise, expectedError) {
  try { await promise; } catch (e) {
    assert(e?.error === expectedError, `expected OAuth error ${expectedError}, got ${e?.error ?? e?.message}`);
    return e;
  }
  throw new Error(`expected OAuth error ${expectedError}, but the call succeeded`);
}
const jwtClaims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

// ---- the OP's admin API (/_hourglass/) -------------------------------------------------------
async function admin(path, body) {
  const res = await fetch(new URL(path, ISSUER + '/'), body === undefined ? {} : {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}
const opEvents = async () => (await admin('_hourglass/events')).filter((e) => e.client_id === CLIENT_ID || e.type === 'logout');

// ---- headless login: login_hint + auto-login; falls back to posting a login form's username ----
async function toRedirectUri(start) {
  const jar = new Map();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (res) => {
    for (const c of res.headers.getSetCookie?.() ?? []) {
      const [pair] = c.split(';'); const i = pair.indexOf('=');
      if (i > 0) jar.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
  };
  let url = new URL(start);
  let init = {};
  for (let i = 0; i < 10; i++) {
    if (url.href.startsWith(REDIRECT_URI)) return url;
    const res = await fetch(url, { redirect: 'manual', ...init, headers: { accept: 'text/html', cookie: cookie(), ...(init.headers ?? {}) } });
    remember(res);
    init = {};
    if (res.status >= 300 && res.status < 400) { url = new URL(res.headers.get('location'), url); continue; }
    const html = await res.text();
    const form = /<form[^>]*>([\s\S]*?)<\/form>/i.exec(html);
    if (res.status !== 200 || !form || !/name="username"/.test(form[0])) {
      throw new Error(`unexpected HTTP ${res.status} at ${url.origin}${url.pathname}: ${html.slice(0, 200)}`);
    }
    const action = /action="([^"]*)"/i.exec(form[0])?.[1]?.replaceAll('&amp;', '&') ?? url.href;
    const fields = new URLSearchParams();
    for (const m of form[1].matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
      const name = /name="([^"]*)"/.exec(m[0])?.[1]; const value = /value="([^"]*)"/.exec(m[0])?.[1] ?? '';
      if (name) fields.set(name, value.replaceAll('&amp;', '&'));
    }
    fields.set('username', 'alice');
    url = new URL(action, url);
    init = { method: 'POST', body: fields, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error('too many redirects');
}

async function login(config) {
  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const expectedState = client.randomState();
  const expectedNonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI, scope: 'openid profile email', login_hint: 'alice',
    code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier), code_challenge_method: 'S256',
    state: expectedState, nonce: expectedNonce,
  });
  const callback = await toRedirectUri(url);
  return { callback, checks: { pkceCodeVerifier, expectedState, expectedNonce, idTokenExpected: true } };
}

try {
  const config = await check('discovery', async () => {
    const c = await client.discovery(new URL(ISSUER), CLIENT_ID, undefined, client.ClientSecretBasic(CLIENT_SECRET),
      { execute: [client.allowInsecureRequests], timeout: 10 });
    const md = c.serverMetadata();
    assert(md.issuer === ISSUER, `issuer ${md.issuer} != ${ISSUER}`);
    for (const k of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint']) {
      assert(md[k], `metadata has no ${k}`);
    }
    assert(md.code_challenge_methods_supported?.includes('S256'), 'S256 not in code_challenge_methods_supported');
    return c;
  });

  const tokens = await check('authorization code + PKCE login (login_hint, auto-login); ID token validated', async () => {
    const { callback, checks } = await login(config);
    const t = await client.authorizationCodeGrant(config, callback, checks);
    assert(t.claims()?.sub === 'alice', `sub ${t.claims()?.sub}`);
    assert(t.refresh_token, 'no refresh_token');
    assert(t.expires_in === ACCESS_TTL, `expires_in ${t.expires_in}, expected ${ACCESS_TTL}`);
    return t;
  });

  await check('userinfo', async () => {
    const info = await client.fetchUserInfo(config, tokens.access_token, 'alice');
    assert(info.email === 'alice@example.test', `email ${info.email}`);
  });

  const advanced = await check(`access token expires on the OP's clock (advance ${ACCESS_TTL + 10}s, userinfo → 401)`, async () => {
    const clock = await admin('_hourglass/clock', { advance: `PT${ACCESS_TTL + 10}S` });
    const e = await client.fetchUserInfo(config, tokens.access_token, 'alice').then(() => null, (err) => err);
    assert(e, 'userinfo still accepted the expired access token');
    assert(e.response?.status === 401 || e.status === 401 || /401|invalid_token/.test(String(e.message) + String(e.cause?.status)),
      `expected 401, got ${e.message}`);
    return clock;
  });

  const refreshed = await check('refresh: new tokens, expires_in == exp - iat on the advanced clock, one refresh grant', async () => {
    const before = (await opEvents()).filter((e) => e.type === 'token_issued' && e.grant_type === 'refresh_token').length;
    const t = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert(t.access_token !== tokens.access_token, 'same access token');
    assert(t.expires_in === ACCESS_TTL, `expires_in ${t.expires_in}`);
    const at = jwtClaims(t.access_token);
    assert(at.exp - at.iat === t.expires_in, `exp - iat = ${at.exp - at.iat}, expires_in = ${t.expires_in}`);
    assert(at.iat >= Math.floor(Date.parse(advanced.now) / 1000), `access token iat ${at.iat} is before the OP's clock ${advanced.now}`);
    const info = await client.fetchUserInfo(config, t.access_token, 'alice');
    assert(info.sub === 'alice', 'userinfo with the refreshed token');
    const after = (await opEvents()).filter((e) => e.type === 'token_issued' && e.grant_type === 'refresh_token').length;
    assert(after - before === 1, `expected exactly 1 refresh grant event, saw ${after - before}`);
    return t;
  });

  await check('RP-initiated logout: redirected to post_logout_redirect_uri with state; OP logged a logout event', async () => {
    const idToken = refreshed.id_token ?? tokens.id_token;
    const sid = jwtClaims(idToken).sid;
    const state = client.randomState();
    const url = client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI, state });
    const res = await fetch(url, { redirect: 'manual' });
    const location = res.headers.get('location') ?? '';
    assert(res.status >= 300 && res.status < 400, `end_session answered HTTP ${res.status}, not a redirect`);
    const back = new URL(location, url);
    assert(back.href.startsWith(POST_LOGOUT_REDIRECT_URI), `redirected to ${location}`);
    assert(back.searchParams.get('state') === state, 'state not returned');
    const ended = (await admin('_hourglass/events')).filter((e) => e.type === 'logout' && (sid ? e.sid === sid : e.sub === 'alice'));
    assert(ended.length === 1, `expected one logout event for sid ${sid}, saw ${ended.length}`);
  });

  // ---- hostile cases, each on a fresh login ----
  await check('hostile: a rotated-out refresh token is refused (invalid_grant)', async () => {
    await rejects(client.refreshTokenGrant(config, tokens.refresh_token), 'invalid_grant');
  });

  await check('hostile: wrong PKCE code_verifier is refused (invalid_grant)', async () => {
    const { callback, checks } = await login(config);
    await rejects(client.authorizationCodeGrant(config, callback, { ...checks, pkceCodeVerifier: client.randomPKCECodeVerifier() }), 'invalid_grant');
  });

  await check('hostile: a code used twice is refused (invalid_grant) and what it issued is revoked', async () => {
    const { callback, checks } = await login(config);
    const t = await client.authorizationCodeGrant(config, callback, checks);
    await rejects(client.authorizationCodeGrant(config, callback, checks), 'invalid_grant');
    const e = await client.fetchUserInfo(config, t.access_token, 'alice').then(() => null, (err) => err);
    assert(e, 'the access token from the reused code still works');
  });

  await check('hostile: an unregistered post_logout_redirect_uri is not followed', async () => {
    const { callback, checks } = await login(config);
    const t = await client.authorizationCodeGrant(config, callback, checks);
    const url = client.buildEndSessionUrl(config, { id_token_hint: t.id_token, post_logout_redirect_uri: 'http://evil.example/' });
    const res = await fetch(url, { redirect: 'manual' });
    assert(!(res.headers.get('location') ?? '').includes('evil.example'), `redirected to ${res.headers.get('location')}`);
    assert(res.status < 500, `HTTP ${res.status}`);
  });
} catch (e) {
  if (!(e instanceof Skip)) { failures++; console.log(`FAIL openid-client: ${e?.message ?? e}`); }
}
process.exit(failures ? 1 : 0);
