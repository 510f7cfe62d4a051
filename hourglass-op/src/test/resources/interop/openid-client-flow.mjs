// panva openid-client (an OpenID Certified RP library) against hourglass op: discovery, code + PKCE,
// userinfo, refresh, introspection, revocation, RP-initiated logout, client_credentials.
// Usage: node openid-client-flow.mjs <issuer>   (client rp / rp-secret, redirect http://127.0.0.1:9999/cb)
import * as client from 'openid-client';
const issuer = new URL(process.argv[2]);
const config = await client.discovery(issuer, 'rp', 'rp-secret', undefined, { execute: [client.allowInsecureRequests] });
const verifier = client.randomPKCECodeVerifier();
const challenge = await client.calculatePKCECodeChallenge(verifier);
const nonce = client.randomNonce();
const state = client.randomState();
const url = client.buildAuthorizationUrl(config, { redirect_uri: 'http://127.0.0.1:9999/cb', scope: 'openid profile email',
  code_challenge: challenge, code_challenge_method: 'S256', nonce, state, login_hint: 'alice' });
const res = await fetch(url, { redirect: 'manual' });
const loc = res.headers.get('location');
console.log('authorize ->', res.status, loc.slice(0, 60));
const tokens = await client.authorizationCodeGrant(config, new URL(loc), { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state });
console.log('claims', JSON.stringify(tokens.claims()));
console.log('expires_in', tokens.expiresIn());
const ui = await client.fetchUserInfo(config, tokens.access_token, tokens.claims().sub);
console.log('userinfo', JSON.stringify(ui));
const r = await client.refreshTokenGrant(config, tokens.refresh_token);
console.log('refreshed id sub', r.claims()?.sub, 'new rt', r.refresh_token !== tokens.refresh_token);
const intro = await client.tokenIntrospection(config, r.access_token);
console.log('introspect', intro.active, intro.exp - intro.iat);
await client.tokenRevocation(config, r.refresh_token);
const logout = client.buildEndSessionUrl(config, { id_token_hint: r.id_token, post_logout_redirect_uri: 'http://127.0.0.1:9999/', state: 'bye' });
const lr = await fetch(logout, { redirect: 'manual' });
console.log('logout ->', lr.status, lr.headers.get('location'));
const cc = await client.clientCredentialsGrant(config, { scope: 'api' });
console.log('cc', cc.token_type, cc.expires_in);
console.log('OK');
