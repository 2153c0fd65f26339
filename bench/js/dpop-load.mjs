// Prepares the DPoP load for wrk (scripts/bench.sh): signs alice in at the
// local provider over plain HTTP with an ES256 key of its own, so the access
// token is bound to that key, then signs COUNT proofs ahead, each with its
// own jti, for GET <API>/api/greeting. The load generator then signs nothing.
//
// usage: node dpop-load.mjs OUT_FILE COUNT
// Writes OUT_FILE (the token on the first line, then one proof a line).

import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { createWriteStream } from 'node:fs';

const [outFile, countText] = process.argv.slice(2);
const COUNT = Number(countText);
const PROVIDER = 'http://127.0.0.1:9000';
const API_URL = 'http://127.0.0.1:3000/api/greeting';
const REDIRECT_URI = 'http://127.0.0.1:8080/callback';
const b64 = (bytes) => Buffer.from(bytes).toString('base64url');

const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
const { kty, crv, x, y } = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
const header = b64(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } }));
const thumbprint = b64(createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest());

async function proof(htm, htu, accessToken) {
  const claims = { jti: b64(randomBytes(16)), htm, htu, iat: Math.floor(Date.now() / 1000) };
  if (accessToken) claims.ath = b64(createHash('sha256').update(accessToken).digest());
  const input = `${header}.${b64(JSON.stringify(claims))}`;
  const signature = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, Buffer.from(input));
  return `${input}.${b64(signature)}`;
}

// The provider's pages, as a browser would go through them (cookies kept).
const cookies = new Map();
async function visit(url, init = {}) {
  const response = await fetch(new URL(url, PROVIDER), {
    ...init,
    redirect: 'manual',
    headers: { ...init.headers, cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
  });
  for (const line of response.headers.getSetCookie()) {
    const [pairText] = line.split(';');
    const at = pairText.indexOf('=');
    cookies.set(pairText.slice(0, at), pairText.slice(at + 1));
  }
  return response;
}
const form = (fields) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields),
});

const verifier = b64(randomBytes(32));
const authorize = new URL(`${PROVIDER}/auth`);
for (const [name, value] of Object.entries({
  response_type: 'code', client_id: 'demo-spa', redirect_uri: REDIRECT_URI, scope: 'openid profile email api:read',
  state: b64(randomBytes(16)), nonce: b64(randomBytes(16)), dpop_jkt: thumbprint,
  code_challenge: b64(createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256',
})) {
  authorize.searchParams.set(name, value);
}
let location = authorize.href;
let code;
for (let step = 0; step < 12 && !code; step += 1) {
  if (location.startsWith(REDIRECT_URI)) {
    code = new URL(location).searchParams.get('code');
    break;
  }
  const interaction = location.match(/\/interaction\/([\w-]+)$/);
  let response;
  if (interaction) {
    const page = await (await visit(location)).text();
    response = page.includes('name="password"')
      ? await visit(`${location}/login`, form({ username: 'alice', password: 'wonderland' }))
      : await visit(`${location}/confirm`, form({}));
  } else {
    response = await visit(location);
  }
  location = new URL(response.headers.get('location') ?? '', PROVIDER).href;
}
if (!code) throw new Error('the sign-in did not reach the callback');

const exchange = await fetch(`${PROVIDER}/token`, {
  ...form({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT_URI, client_id: 'demo-spa' }),
  headers: { 'content-type': 'application/x-www-form-urlencoded', DPoP: await proof('POST', `${PROVIDER}/token`) },
});
const tokens = await exchange.json();
if (tokens.token_type !== 'DPoP') throw new Error(`no bound token: ${exchange.status} ${tokens.error ?? ''}`);

const out = createWriteStream(outFile);
out.write(`${tokens.access_token}\n`);
for (let i = 0; i < COUNT; i += 1) {
  if (!out.write(`${await proof('GET', API_URL, tokens.access_token)}\n`)) {
    await new Promise((resolve) => out.once('drain', resolve));
  }
}
await new Promise((resolve) => out.end(resolve));
