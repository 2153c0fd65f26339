// Sender-constrained tokens end to end (DPoP, RFC 9449): the app's tokens
// are bound to its tab's key, and copies of them, taken out of the page,
// are refused by the real API and the real provider, with or without a key
// of the attacker's own.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, webcrypto } from 'node:crypto';

import { APP, AppPage, PROVIDER, ProviderPages, launchChromium, openApp, openTab, signInAsAlice } from './pages.mjs';

const API = 'http://127.0.0.1:3000/api/greeting';

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** Signs alice in and hands over what an attacker could copy out of the page. */
async function stolen() {
  const opened = await openApp(browser);
  await signInAsAlice(opened);
  const exchange = opened.seen.tokenResponses.find((r) => r.grant === 'authorization_code');
  return { opened, tokens: exchange.body };
}

/** An attacker's own ES256 key, and proofs made with it. */
async function attackerKey() {
  const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const { kty, crv, x, y } = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
  const b64 = (value) => Buffer.from(value).toString('base64url');
  return async (htm, htu, accessToken) => {
    const claims = { jti: b64(webcrypto.getRandomValues(new Uint8Array(16))), htm, htu, iat: Math.floor(Date.now() / 1000) };
    if (accessToken) {
      claims.ath = b64(await webcrypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken)));
    }
    const input = `${b64(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } }))}.${b64(JSON.stringify(claims))}`;
    const signature = await webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, new TextEncoder().encode(input));
    return `${input}.${b64(signature)}`;
  };
}

test('the app gets tokens bound to its key, and says so', async () => {
  const { opened, tokens } = await stolen();
  assert.equal(tokens.token_type, 'DPoP');
  const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url'));
  assert.match(claims.cnf?.jkt ?? '', /^[A-Za-z0-9_-]{43}$/, 'the access token names the key (cnf.jkt)');
  assert.match(await opened.page.getByTestId('token-binding').textContent(), /this tab's key \(DPoP\)/);
  // The API takes the token with its proof.
  await (await opened.app.callApi()).waitFor();
  await opened.context.close();
});

test('a bound access token copied out of the page is refused by the API, as Bearer or with another key', async () => {
  const { opened, tokens } = await stolen();
  await opened.context.close();
  const asBearer = await fetch(API, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
  assert.equal(asBearer.status, 401);
  assert.match(asBearer.headers.get('www-authenticate'), /^DPoP .*error="invalid_token"/);
  const withoutProof = await fetch(API, { headers: { Authorization: `DPoP ${tokens.access_token}` } });
  assert.equal(withoutProof.status, 401);
  assert.match(withoutProof.headers.get('www-authenticate'), /error="invalid_dpop_proof"/);
  const proof = await attackerKey();
  const withTheirKey = await fetch(API, {
    headers: { Authorization: `DPoP ${tokens.access_token}`, DPoP: await proof('GET', API, tokens.access_token) },
  });
  assert.equal(withTheirKey.status, 401, 'a proof made with the attacker\'s own key');
  assert.match(withTheirKey.headers.get('www-authenticate'), /error="invalid_token"/);
});

test('a refresh token copied out of the page is refused by the provider, without a key or with another', async () => {
  const { opened, tokens } = await stolen();
  assert.ok(tokens.refresh_token, 'the provider issued a refresh token');
  const refresh = (headers) =>
    fetch(`${PROVIDER}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'demo-spa' }),
    });
  const bare = await refresh({});
  assert.equal(bare.status, 400, 'no proof');
  assert.equal((await bare.json()).access_token, undefined);
  const proof = await attackerKey();
  const withTheirKey = await refresh({ DPoP: await proof('POST', `${PROVIDER}/token`) });
  assert.equal(withTheirKey.status, 400, 'a proof with the attacker\'s key');
  assert.equal((await withTheirKey.json()).access_token, undefined);
  // The tab then renews with that very token: it was live and unspent
  // when the copies were refused, so they were refused for want of the key
  // (and spent nothing).
  const stolenToken = new URLSearchParams({ refresh_token: tokens.refresh_token }).toString();
  const renewed = await opened.page.waitForResponse(
    (r) => r.url() === `${PROVIDER}/token` && r.request().postData()?.includes(stolenToken),
  );
  assert.equal(renewed.status(), 200);
  await (await opened.app.callApi()).waitFor();
  await opened.context.close();
});

test("a device clock minutes fast still gets its proofs accepted: they carry the server's time", async () => {
  const context = await browser.newContext();
  // This device's clock runs three minutes ahead of the provider's and the API's.
  await context.addInitScript(() => {
    const realNow = Date.now.bind(Date);
    Date.now = () => realNow() + 180_000;
  });
  const page = await context.newPage();
  await page.goto(APP);
  const opened = { context, page, app: new AppPage(page), provider: new ProviderPages(page) };
  await signInAsAlice(opened);
  assert.match(await page.getByTestId('token-binding').textContent(), /this tab's key \(DPoP\)/, 'the tokens are bound');
  // The API allows a proof 30 s ahead at most: this one passes only with the server's time.
  await (await opened.app.callApi()).waitFor();
  await context.close();
});

test('UserInfo gets the bound token with a proof, and refuses a copy of it without one', async () => {
  // The provider's test client whose tokens are for UserInfo (IDP_TEST_HOOKS=1):
  // its UserInfo refuses a token meant for the demo API.
  const context = await browser.newContext();
  await context.route(`${APP}/config.json`, async (route) => {
    const config = await (await route.fetch()).json();
    const json = { ...config, client_id: 'demo-spa-userinfo', scopes: 'openid profile email', fetch_userinfo: true };
    await route.fulfill({ json });
  });
  const userinfo = [];
  context.on('response', async (response) => {
    if (response.url() === `${PROVIDER}/me` && response.request().method() === 'GET') {
      userinfo.push({ status: response.status(), sent: response.request().headers() });
    }
  });
  const opened = await openTab(context);
  await signInAsAlice(opened);
  const exchange = opened.seen.tokenResponses.find((r) => r.grant === 'authorization_code' && r.status === 200);
  const { access_token: accessToken, token_type: tokenType } = exchange.body;
  assert.equal(tokenType, 'DPoP');

  assert.equal(userinfo.length, 1, 'UserInfo was fetched once, after the sign-in');
  assert.equal(userinfo[0].status, 200);
  assert.equal(userinfo[0].sent.authorization, `DPoP ${accessToken}`);
  const proof = JSON.parse(Buffer.from(userinfo[0].sent.dpop.split('.')[1], 'base64url'));
  assert.equal(proof.htm, 'GET');
  assert.equal(proof.htu, `${PROVIDER}/me`);
  const ath = Buffer.from(await webcrypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken))).toString('base64url');
  assert.equal(proof.ath, ath, 'the proof names the token');
  assert.equal(await opened.app.userName().textContent(), 'Alice Liddell');

  const asBearer = await fetch(`${PROVIDER}/me`, { headers: { Authorization: `Bearer ${accessToken}` } });
  assert.equal(asBearer.status, 401, 'a copy as Bearer');
  const withoutProof = await fetch(`${PROVIDER}/me`, { headers: { Authorization: `DPoP ${accessToken}` } });
  assert.ok([400, 401].includes(withoutProof.status), 'a copy without a proof');
  const attacker = await attackerKey();
  const withTheirKey = await fetch(`${PROVIDER}/me`, {
    headers: { Authorization: `DPoP ${accessToken}`, DPoP: await attacker('GET', `${PROVIDER}/me`, accessToken) },
  });
  assert.equal(withTheirKey.status, 401, "a proof made with the attacker's own key");
  await context.close();
});

test("the code is bound to the tab's key (dpop_jkt), which is kept only across the redirect", async () => {
  const { opened, tokens } = await stolen();
  const authorize = opened.seen.requests.find((r) => r.startsWith(`GET ${PROVIDER}/auth?`));
  const dpopJkt = new URL(authorize.slice(4)).searchParams.get('dpop_jkt');
  assert.match(dpopJkt ?? '', /^[A-Za-z0-9_-]{43}$/, 'the authorization request names the key');
  const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url'));
  assert.equal(claims.cnf.jkt, dpopJkt, 'the tokens are bound to the key the code was bound to');
  assert.equal(await keptKeys(opened.page), 0, 'the key was deleted from IndexedDB at the callback');
  await opened.context.close();
});

test('the signed-out page makes the key database before any click, and keeps nothing in it', async () => {
  const opened = await openApp(browser);
  await opened.page.getByRole('button', { name: 'Sign in' }).waitFor();
  let kept = 'no database';
  for (let tries = 0; tries < 50 && kept === 'no database'; tries++) {
    kept = await keptKeys(opened.page);
    if (kept === 'no database') await opened.page.waitForTimeout(100);
  }
  assert.equal(kept, 0, 'made while the person reads, and empty');
  assert.ok(!opened.seen.requests.some((r) => r.startsWith(`GET ${PROVIDER}/auth?`)), 'no sign-in was started');
  await opened.context.close();
});

/** How many keys the app keeps in IndexedDB, or why none can be. */
function keptKeys(page) {
  return page.evaluate(async () => {
    const name = 'oidc:demo-spa:dpop-keys';
    if (!(await indexedDB.databases()).some((db) => db.name === name)) return 'no database';
    return new Promise((resolve, reject) => {
      const open = indexedDB.open(name);
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains('keys')) {
          db.close();
          return resolve('no store');
        }
        const count = db.transaction('keys').objectStore('keys').count();
        count.onsuccess = () => {
          db.close();
          resolve(count.result);
        };
        count.onerror = () => reject(count.error);
      };
    });
  });
}

/**
 * A sign-in stopped at the callback by the attacker's script (here the
 * app's wasm never loads there): the code, and the PKCE verifier from
 * sessionStorage, are the attacker's. Returns them and the callback's URL.
 */
async function stopAtTheCallback() {
  const opened = await openApp(browser);
  await opened.app.startSignIn();
  await opened.context.route('**/*.wasm', (route) => route.abort());
  await opened.provider.logIn('alice', 'wonderland');
  await opened.provider.allow();
  await opened.page.waitForURL(`${APP}/callback?**`);
  const callbackUrl = opened.page.url();
  const code = new URL(callbackUrl).searchParams.get('code');
  const transit = await opened.page.evaluate(() => sessionStorage.getItem('oidc:demo-spa:sign-in'));
  const verifier = JSON.parse(transit ?? '{}').verifier;
  assert.ok(code && verifier, 'the attacker has the code and the verifier');
  // What was stolen is right: the verifier is the one the sign-in's
  // challenge was made from.
  const authorize = new URL(opened.seen.requests.find((r) => r.startsWith(`GET ${PROVIDER}/auth?`)).slice(4));
  assert.equal(createHash('sha256').update(verifier).digest('base64url'), authorize.searchParams.get('code_challenge'));
  const redeem = (headers) =>
    fetch(`${PROVIDER}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({
        grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: `${APP}/callback`, client_id: 'demo-spa',
      }),
    });
  return { opened, callbackUrl, redeem };
}

// oidc-provider spends a code on any exchange it refuses after looking it
// up, so each attempt gets a code of its own. Without dpop_jkt both would
// get tokens: the code and verifier are right (seen when the app sent none).
test('an authorization code redeemed with a key other than the dpop_jkt one is refused, even with the stolen verifier', async () => {
  const { opened, callbackUrl, redeem } = await stopAtTheCallback();
  const proof = await attackerKey();
  const withTheirKey = await redeem({ DPoP: await proof('POST', `${PROVIDER}/token`) });
  assert.equal(withTheirKey.status, 400, "a proof made with the attacker's own key");
  const answer = await withTheirKey.json();
  assert.equal(answer.error, 'invalid_grant');
  assert.equal(answer.access_token, undefined);
  // The tab's own sign-in then ends in a clear message, not in tokens.
  await opened.context.unroute('**/*.wasm');
  await opened.page.goto(callbackUrl);
  await opened.page.getByText('Sign-in failed: the provider refused to issue tokens').first().waitFor();
  assert.equal(await opened.app.signedIn().count(), 0);
  await opened.context.close();
});

test('an authorization code bound by dpop_jkt is refused without a proof, even with the stolen verifier', async () => {
  const { opened, redeem } = await stopAtTheCallback();
  const withoutProof = await redeem({});
  assert.equal(withoutProof.status, 400);
  const answer = await withoutProof.json();
  assert.equal(answer.error, 'invalid_grant');
  assert.equal(answer.access_token, undefined);
  await opened.context.close();
});
