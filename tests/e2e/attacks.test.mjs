// End to end, the RFC 9700 attacks that need the real provider or the real
// served app: PKCE enforced by the provider, mix-up through a tampered
// redirect, no referrer leak, and the Content-Security-Policy.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { APP, PROVIDER, launchChromium, openApp, openTab, signInAsAlice, signInUnderThePolicy } from './pages.mjs';

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/**
 * Takes over the provider's last redirects (consent → /auth/<uid> →
 * /callback), as an attacker on the path could: `rewrite` gets the real
 * callback URL and returns where the browser goes instead.
 */
async function interceptCallback(opened, rewrite) {
  let resolve;
  const callback = new Promise((r) => (resolve = r));
  await opened.page.route(`${PROVIDER}/interaction/*/confirm`, async (route) => {
    // The context's request API shares the browser's cookies, so the
    // provider sees the same session.
    const api = opened.context.request;
    const consent = await api.post(route.request().url(), { maxRedirects: 0 });
    const resume = await api.get(consent.headers().location, { maxRedirects: 0 });
    const url = new URL(resume.headers().location);
    resolve(url);
    return route.fulfill({ status: 303, headers: { location: rewrite(url) } });
  });
  return callback;
}

/**
 * A real authorization code for alice, never delivered to the app, and the
 * app's real PKCE verifier. The app runs with DPoP off here: with DPoP the
 * code is also bound to the tab's key (dpop_jkt, tests/e2e/dpop.test.mjs),
 * and these tests are about PKCE and single use alone.
 */
async function codeAndVerifier() {
  const context = await browser.newContext();
  await context.route(`${APP}/config.json`, async (route) => {
    const config = await (await route.fetch()).json();
    await route.fulfill({ json: { ...config, dpop: 'off' } });
  });
  const opened = await openTab(context);
  const callback = interceptCallback(opened, () => `${APP}/`);
  await opened.app.startSignIn();
  await opened.provider.logIn('alice', 'wonderland');
  await opened.provider.allow();
  const code = (await callback).searchParams.get('code');
  await opened.app.signedOut().waitFor();
  const transit = JSON.parse(await opened.page.evaluate(() => sessionStorage.getItem('oidc:demo-spa:sign-in')));
  await opened.context.close();
  return { code, verifier: transit.verifier };
}

function exchange(code, verifier) {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    client_id: 'demo-spa',
    redirect_uri: `${APP}/callback`,
  });
  if (verifier !== undefined) form.set('code_verifier', verifier);
  return fetch(`${PROVIDER}/token`, { method: 'POST', body: form });
}

test('the provider refuses a code without its verifier, or with the wrong one', async () => {
  const { code } = await codeAndVerifier();
  const withoutVerifier = await exchange(code);
  assert.equal(withoutVerifier.status, 400);
  assert.match((await withoutVerifier.json()).error, /invalid_(grant|request)/);
  const wrongVerifier = await exchange(code, 'x'.repeat(43));
  assert.equal(wrongVerifier.status, 400);
  assert.equal((await wrongVerifier.json()).error, 'invalid_grant');
});

test('a code is redeemed once: a replay is refused', async () => {
  const { code, verifier } = await codeAndVerifier();
  const first = await exchange(code, verifier);
  assert.equal(first.status, 200, 'the right verifier redeems the code');
  const replay = await exchange(code, verifier);
  assert.equal(replay.status, 400);
  assert.equal((await replay.json()).error, 'invalid_grant');
});

test('the provider refuses the plain PKCE method and a request without PKCE', async () => {
  const authorize = async (extra) => {
    const params = new URLSearchParams({
      response_type: 'code',
      client_id: 'demo-spa',
      redirect_uri: `${APP}/callback`,
      scope: 'openid',
      state: 's',
      nonce: 'n',
      ...extra,
    });
    const response = await fetch(`${PROVIDER}/auth?${params}`, { redirect: 'manual' });
    return new URL(response.headers.get('location')).searchParams;
  };
  const plain = await authorize({ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' });
  assert.equal(plain.get('error'), 'invalid_request');
  const none = await authorize({});
  assert.equal(none.get('error'), 'invalid_request');
});

test('mix-up: a redirect claiming another issuer is refused and its code never exchanged', async () => {
  const opened = await openApp(browser);
  interceptCallback(opened, (url) => {
    url.searchParams.set('iss', 'https://attacker.example');
    return url.href;
  });
  await opened.app.startSignIn();
  await opened.provider.logIn('alice', 'wonderland');
  await opened.provider.allow();
  await opened.app.errorMessage().waitFor();
  assert.match(await opened.app.errorMessage().textContent(), /came from another provider/);
  assert.equal(opened.seen.requests.filter((r) => r === `POST ${PROVIDER}/token`).length, 0);
  assert.equal(opened.page.url(), `${APP}/`);
  await opened.context.close();
});

test('a followed link carries no referrer', async () => {
  const opened = await openApp(browser);
  await signInAsAlice(opened);
  const navigation = opened.page.waitForRequest(`${PROVIDER}/.well-known/openid-configuration`);
  await opened.page.evaluate((href) => {
    const link = document.createElement('a');
    link.href = href;
    link.textContent = 'provider';
    document.body.append(link);
    link.click();
  }, `${PROVIDER}/.well-known/openid-configuration`);
  const request = await navigation;
  assert.equal(request.headers().referer, undefined, 'no Referer header');
  await opened.page.waitForURL(`${PROVIDER}/**`);
  assert.equal(await opened.page.evaluate(() => document.referrer), '');
  await opened.context.close();
});

test('the app is served with a strict Content-Security-Policy and works under it', async () => {
  const response = await fetch(`${APP}/callback`);
  const csp = response.headers.get('content-security-policy') ?? '';
  for (const directive of [
    "default-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    // trunk serve sets one policy for every path: the app's own pages may
    // frame each other (the silent page of a renewal), no one else may.
    // Deployed, only the silent page is framable (release.test.mjs).
    "frame-ancestors 'self'",
    "frame-src 'self' http://127.0.0.1:9000",
    "connect-src 'self' http://127.0.0.1:9000 http://127.0.0.1:3000",
  ]) {
    assert.ok(csp.includes(directive), `missing ${directive} in ${csp}`);
  }
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'nonce-[A-Za-z0-9+/=]{16,}'/);
  assert.ok(!/unsafe-inline/.test(csp));
  assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(response.headers.get('x-frame-options'), 'SAMEORIGIN');

  await signInUnderThePolicy(browser);
});
