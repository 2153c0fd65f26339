// DPoP server nonces end to end (RFC 9449 §8, §9). Run behind nginx, where
// scripts/test.sh starts the provider with IDP_DPOP_NONCE=1 and the API with
// DEMO_API_DPOP_NONCE=on: both refuse a proof without a nonce they gave.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { PROVIDER, launchChromium, openApp, signInAsAlice, waitFor } from './pages.mjs';

const API = 'http://127.0.0.1:3000';

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url'));

/** Every token and API request with its proof's nonce, and what came back. */
function recordExchanges(page) {
  const exchanges = [];
  page.on('response', (response) => {
    const request = response.request();
    const url = response.url();
    if (request.method() === 'OPTIONS') return;
    if (!(url === `${PROVIDER}/token` || url.startsWith(`${API}/api/`))) return;
    const sent = request.headers();
    const got = response.headers();
    const exchange = {
      to: url === `${PROVIDER}/token` ? 'provider' : 'api',
      grant: new URLSearchParams(request.postData() ?? '').get('grant_type'),
      proofNonce: sent.dpop ? (claimsOf(sent.dpop).nonce ?? null) : undefined,
      status: response.status(),
      nonceGiven: got['dpop-nonce'],
      challenge: got['www-authenticate'] ?? '',
    };
    exchanges.push(exchange);
    if (exchange.to === 'provider') {
      exchange.body = response.json().catch(() => ({}));
    }
  });
  return exchanges;
}

test('the provider and the API each demand a nonce: one retry with it, then the newest nonce goes along', async () => {
  const opened = await openApp(browser);
  const exchanges = recordExchanges(opened.page);
  await signInAsAlice(opened);

  const codeExchange = exchanges.filter((e) => e.grant === 'authorization_code');
  assert.equal(codeExchange.length, 2, 'one retry (IDP_DPOP_NONCE=1 must be set)');
  assert.equal(codeExchange[0].proofNonce, null, 'the first proof has no nonce to send');
  assert.equal(codeExchange[0].status, 400);
  assert.equal((await codeExchange[0].body).error, 'use_dpop_nonce');
  assert.ok(codeExchange[0].nonceGiven, 'the provider gave a nonce');
  assert.equal(codeExchange[1].proofNonce, codeExchange[0].nonceGiven, 'the retry carries it');
  assert.equal(codeExchange[1].status, 200);

  const answer = await opened.app.callApi();
  await answer.waitFor();
  assert.match(await answer.textContent(), /Hello, alice!/);
  let calls = exchanges.filter((e) => e.to === 'api');
  assert.equal(calls.length, 2, 'one retry (DEMO_API_DPOP_NONCE=on must be set)');
  assert.equal(calls[0].status, 401);
  assert.match(calls[0].challenge, /^DPoP .*error="use_dpop_nonce"/);
  assert.ok(calls[0].nonceGiven, 'the API gave a nonce');
  assert.equal(calls[1].proofNonce, calls[0].nonceGiven, 'the retry carries it');
  assert.equal(calls[1].status, 200);

  // The next call sends the API's newest nonce at once: no refusal.
  await opened.app.callApi();
  const answered = () => exchanges.filter((e) => e.to === 'api' && e.status === 200).length;
  await waitFor(() => answered() === 2, 10_000, 'the second answer');
  calls = exchanges.filter((e) => e.to === 'api');
  assert.equal(calls.length, 3, 'no refusal before the second answer');
  assert.equal(calls[2].proofNonce, calls[1].nonceGiven ?? calls[0].nonceGiven, "the API's newest nonce");
  assert.equal(calls[2].status, 200);

  // So does the refresh, with the provider's newest nonce.
  const newestFromProvider = codeExchange[1].nonceGiven ?? codeExchange[0].nonceGiven;
  await waitFor(() => exchanges.some((e) => e.grant === 'refresh_token'), 15_000, 'a refresh (10-second tokens)');
  const refresh = exchanges.find((e) => e.grant === 'refresh_token');
  assert.equal(refresh.proofNonce, newestFromProvider, "the provider's newest nonce");
  await waitFor(() => exchanges.some((e) => e.grant === 'refresh_token' && e.status === 200), 5_000, 'a successful refresh');
  const refreshes = exchanges.filter((e) => e.grant === 'refresh_token');
  assert.ok(refreshes.filter((e) => e.status !== 200).length <= 1, 'at most one retry per refresh');
  assert.equal(await opened.app.userName().textContent(), 'Alice Liddell');
  await opened.context.close();
});
