// End to end: a real Chromium signs in through the real local provider and
// calls the real API. Needs the provider, API and app running (scripts/test.sh).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { APP, AppPage, PROVIDER, launchChromium, openApp, signInAsAlice } from './pages.mjs';

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** Every place a browser could keep a token, as text. */
async function everythingStored(opened) {
  const storage = await opened.page.evaluate(async () => {
    const dump = (s) => Object.keys(s).map((k) => `${k}=${s.getItem(k)}`).join('\n');
    const databases = indexedDB.databases ? await indexedDB.databases() : [];
    return {
      local: dump(localStorage),
      session: dump(sessionStorage),
      indexedDb: JSON.stringify(databases),
      url: location.href,
    };
  });
  const cookies = await opened.context.cookies(APP);
  return { ...storage, cookies: JSON.stringify(cookies), history: (await historyUrls(opened)).join('\n') };
}

/** The URL of every entry of the tab's session history (a page cannot read them; DevTools can). */
async function historyUrls(opened) {
  const devtools = await opened.context.newCDPSession(opened.page);
  const { entries } = await devtools.send('Page.getNavigationHistory');
  await devtools.detach();
  return entries.map((entry) => entry.url);
}

test('alice signs in, sees her name, calls the API, and no token is stored anywhere', async () => {
  const opened = await openApp(browser);
  await signInAsAlice(opened);

  assert.equal(await opened.app.userName().textContent(), 'Alice Liddell');
  await assert.doesNotReject(opened.page.getByText('alice@example.com').waitFor());
  assert.match(await opened.page.getByTestId('expires-in').textContent(), /min|s$/);

  const answer = await opened.app.callApi();
  await answer.waitFor();
  const reply = JSON.parse(await answer.textContent());
  assert.equal(reply.subject, 'alice');
  assert.deepEqual(reply.scopes, ['api:read']);
  assert.match(reply.message, /Hello, alice!/);

  assert.equal(opened.seen.tokens.length, 3, 'the token response carried access, refresh and ID tokens');
  const stored = await everythingStored(opened);
  assert.equal(stored.url, `${APP}/`, 'code, state and iss are gone from the address bar');
  assert.deepEqual(
    stored.local.split('\n').sort(),
    ['oidc:client-of:/config.json="demo-spa"', 'oidc:demo-spa:had-session=true'],
    'localStorage holds only non-secret hints: the client id of the configuration, and that a session existed',
  );
  assert.equal(stored.session, '', 'the sign-in transit entry was deleted');
  // Cookies ignore ports, so the provider's own session cookies on
  // 127.0.0.1 show up here too; the app itself sets none.
  const cookieNames = JSON.parse(stored.cookies).map((c) => c.name);
  assert.ok(cookieNames.every((name) => /^_(session|interaction)/.test(name)), `unexpected cookies: ${cookieNames}`);
  for (const token of opened.seen.tokens) {
    for (const [where, text] of Object.entries(stored)) {
      assert.ok(!String(text).includes(token), `a token was found in ${where}`);
    }
    assert.ok(!opened.seen.console.some((line) => line.includes(token)), 'a token was logged to the console');
  }
  // The callback's URL carried the code; its history entry no longer does.
  const callback = opened.seen.requests.find((r) => r.startsWith(`GET ${APP}/callback?`));
  const code = new URL(callback.slice(4)).searchParams.get('code');
  assert.ok(code, 'the provider sent a code to the callback');
  const history = await historyUrls(opened);
  assert.ok(history.length >= 3, `the history holds the app and the provider's pages: ${history.length}`);
  assert.ok(!history.some((url) => url.includes(code)), 'the code is in the browser history');
  for (const url of history.filter((u) => u.startsWith(APP))) {
    const params = new URL(url).searchParams;
    assert.ok(!['code', 'state', 'iss'].some((name) => params.has(name)), `an app history entry keeps ${url}`);
  }
  const apiCalls = opened.seen.requests.filter((r) => r.startsWith('GET http://127.0.0.1:3000/'));
  assert.ok(apiCalls.length >= 1 && apiCalls.every((r) => !r.includes('access_token')), 'the token never went in a URL');
  await opened.context.close();
});

test('the Sign in button shows while the configuration loads, and a click waits for it', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  let releaseConfig;
  let configRequests = 0;
  const held = new Promise((resolve) => (releaseConfig = resolve));
  await page.route(`${APP}/config.json`, async (route) => {
    configRequests += 1;
    await held;
    await route.continue();
  });
  await page.goto(APP);
  const app = new AppPage(page);
  await app.signInButton().click();
  await page.getByRole('heading', { name: 'Taking you to the sign-in page…' }).waitFor();
  assert.equal(page.url(), `${APP}/`, 'nothing happens without the configuration');
  releaseConfig();
  await page.waitForURL(`${PROVIDER}/interaction/**`);
  assert.equal(configRequests, 1, "the page's preload of the configuration is the app's only request for it");
  await context.close();
});

test('a missing configuration file ends in a message, after the Sign in button', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.route(`${APP}/config.json`, (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto(APP);
  const app = new AppPage(page);
  await app.errorMessage().waitFor();
  assert.match(await app.errorMessage().textContent(), /configuration could not be loaded from \/config\.json \(HTTP 404\)\. Please tell the app's administrator\./);
  await context.close();
});

test('a wrong password shows the provider\'s error and signs no one in', async () => {
  const opened = await openApp(browser);
  await opened.app.startSignIn();
  await opened.provider.logIn('alice', 'not-the-password');
  assert.equal(await opened.provider.loginError().textContent(), 'Wrong username or password.');
  assert.ok(opened.page.url().startsWith(`${PROVIDER}/interaction/`));
  await opened.context.close();
});

test('cancelling at consent returns to the app with "Sign-in was cancelled"', async () => {
  const opened = await openApp(browser);
  await opened.app.startSignIn();
  await opened.provider.logIn('alice', 'wonderland');
  await opened.provider.cancel();
  await opened.app.signedOut().waitFor();
  assert.equal(await opened.app.notice().textContent(), 'Sign-in was cancelled.');
  assert.equal(opened.page.url(), `${APP}/`);
  assert.equal(opened.seen.tokens.length, 0);
  await opened.context.close();
});

test('a forged callback is refused with a clear message and no token request', async () => {
  const opened = await openApp(browser);
  await opened.app.signedOut().waitFor();
  await opened.page.goto(`${APP}/callback?code=x&state=forged`);
  await opened.app.errorMessage().waitFor();
  assert.match(await opened.app.errorMessage().textContent(), /no sign-in was started in this browser tab/);
  assert.equal(opened.page.url(), `${APP}/`, 'the forged code is gone from the address bar');
  const tokenRequests = opened.seen.requests.filter((r) => r.includes(`${PROVIDER}/token`));
  assert.deepEqual(tokenRequests, [], 'no token request was made');
  await opened.context.close();
});

test('sign out ends the provider session and returns signed out', async () => {
  const opened = await openApp(browser);
  await signInAsAlice(opened);
  await opened.app.signOut();
  await opened.page.waitForURL(`${PROVIDER}/session/end**`);
  // No id_token_hint: the ID token never enters a URL, so it is not in the
  // address bar, the history, or a server log.
  const idToken = opened.seen.tokenResponses.find((r) => r.status === 200).body.id_token;
  assert.ok(idToken, 'the sign-in brought an ID token');
  assert.ok(!opened.page.url().includes('id_token_hint'), 'the hint is in the address bar');
  assert.ok(!(await historyUrls(opened)).some((url) => url.includes(idToken) || url.includes('id_token_hint')), 'the hint is in the history');
  await opened.provider.confirmSignOut();
  await opened.app.signedOut().waitFor();
  assert.equal(await opened.app.notice().textContent(), 'You have been signed out.');
  assert.equal(opened.page.url(), `${APP}/`, 'the logout state is gone from the address bar');
  const revocations = opened.seen.requests.filter((r) => r === `POST ${PROVIDER}/token/revocation`);
  assert.equal(revocations.length, 2, 'the refresh and access tokens were revoked');

  // The provider's session is over: signing in again asks for the password.
  await opened.app.startSignIn();
  await opened.page.getByLabel('Password').waitFor();
  await opened.context.close();
});
