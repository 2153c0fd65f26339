// End to end, a session that lasts and ends cleanly. The provider runs with
// 10-second access tokens here (scripts/test.sh sets ACCESS_TOKEN_TTL=10).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  APP,
  PROVIDER,
  assertRenewedInFramesWhileTyping,
  codeExchanges,
  launchChromium,
  openApp,
  openTab,
  openWithSettings,
  openWithoutRefreshTokens,
  signInAsAlice,
  silentSignIns,
  waitFor,
} from './pages.mjs';

const TOKEN_LIFETIME_MS = 10_000;

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

const refreshes = (seen) => seen.tokenResponses.filter((r) => r.grant === 'refresh_token');

test('tokens are refreshed before they expire and the API keeps working across expiries', async () => {
  const opened = await openApp(browser);
  await signInAsAlice(opened);
  const signedInAt = Date.now();
  await waitFor(() => refreshes(opened.seen).length >= 3, 4 * TOKEN_LIFETIME_MS, 'three refreshes');
  const done = refreshes(opened.seen);
  assert.ok(done.every((r) => r.status === 200), 'every refresh succeeded');
  const refreshTokens = [opened.seen.tokenResponses[0], ...done].map((r) => r.body.refresh_token);
  assert.equal(new Set(refreshTokens).size, refreshTokens.length, 'the refresh token changed each time');
  // Three refreshes inside three lifetimes: each came before its token expired.
  assert.ok(Date.now() - signedInAt < 3 * TOKEN_LIFETIME_MS + 2_000);

  const answer = await opened.app.callApi();
  await answer.waitFor();
  assert.match(await answer.textContent(), /Hello, alice!/);
  assert.equal(await opened.app.userName().textContent(), 'Alice Liddell', 'still signed in, no new sign-in');
  // A refresh replaces the session, not the page: the answer stays.
  const count = refreshes(opened.seen).length;
  await waitFor(() => refreshes(opened.seen).length > count, 2 * TOKEN_LIFETIME_MS, 'one more refresh');
  assert.match(await answer.textContent(), /Hello, alice!/);
  await opened.context.close();
});

test('a reload restores the session without a password; with the provider session gone it shows signed out, once', async () => {
  const opened = await openApp(browser);
  await signInAsAlice(opened);
  const before = opened.seen.requests.length;
  await opened.page.reload();
  await opened.app.signedIn().waitFor();
  assert.equal(await opened.app.userName().textContent(), 'Alice Liddell');
  const sinceReload = opened.seen.requests.slice(before);
  assert.ok(sinceReload.some((r) => r.startsWith(`GET ${PROVIDER}/auth?`) && r.includes('prompt=none')), 'a silent prompt=none redirect');
  assert.ok(!sinceReload.some((r) => r.includes('/interaction/')), 'no login or consent page');

  // The provider forgets the person: the next reload ends signed out, quietly, after one attempt.
  await opened.context.clearCookies();
  const beforeSecond = opened.seen.requests.length;
  await opened.page.reload();
  await opened.app.signedOut().waitFor();
  await opened.page.waitForTimeout(2_000);
  const silentAttempts = opened.seen.requests.slice(beforeSecond).filter((r) => r.startsWith(`GET ${PROVIDER}/auth?`));
  assert.equal(silentAttempts.length, 1, 'exactly one silent attempt, no loop');
  assert.equal(await opened.app.notice().count(), 0, 'no error shown');
  assert.equal(opened.page.url(), `${APP}/`);
  await opened.context.close();
});

test('two tabs refresh independently, and signing out in one signs out the other', async () => {
  const first = await openApp(browser);
  await signInAsAlice(first);
  const second = await openTab(first.context);
  await second.app.signedIn().waitFor(); // restored silently: its own code exchange
  await waitFor(
    () => refreshes(first.seen).length >= 2 && refreshes(second.seen).length >= 2,
    3 * TOKEN_LIFETIME_MS,
    'two refreshes in each tab',
  );
  for (const tab of [first, second]) {
    assert.ok(tab.seen.tokenResponses.every((r) => r.status === 200), 'no invalid_grant in either tab');
  }
  const firstTokens = new Set(first.seen.tokenResponses.map((r) => r.body.refresh_token));
  assert.ok(second.seen.tokenResponses.every((r) => !firstTokens.has(r.body.refresh_token)), 'tabs never share a refresh token');

  await first.app.signOut();
  await second.app.signedOut().waitFor();
  assert.equal(await second.app.notice().textContent(), 'You signed out in another tab.');
  await first.context.close();
});

test('a provider that cannot be reached during a refresh is a clear message, and the session recovers', async () => {
  // No silent page: the recovery leaves the page (the frame's is tested below).
  const opened = await openWithSettings(browser, { silent_redirect_uri: undefined });
  await signInAsAlice(opened);
  await opened.page.route(`${PROVIDER}/token`, (route) => route.abort('connectionrefused'));
  const problem = opened.page.getByTestId('renewal-problem');
  await problem.waitFor({ timeout: 2 * TOKEN_LIFETIME_MS });
  assert.match(await problem.textContent(), /could not be renewed.*could not be reached.*Retrying in \d+ s/);
  await opened.page.unroute(`${PROVIDER}/token`);
  // The refresh token may have been spent: it is not sent again. The
  // session comes back by a silent re-sign-in that leaves the page, at most
  // one a minute.
  const beforeRecovery = opened.seen.requests.length;
  await problem.waitFor({ state: 'detached', timeout: 75_000 });
  await opened.app.signedIn().waitFor();
  const recovery = opened.seen.requests.slice(beforeRecovery);
  assert.ok(recovery.some((r) => r.startsWith(`GET ${PROVIDER}/auth?`) && r.includes('prompt=none')), 'renewed by a silent re-sign-in');
  assert.ok(!opened.seen.tokenResponses.some((r) => r.body.error === 'invalid_grant'), 'no refresh token was refused as reused');
  assert.equal(await opened.app.userName().textContent(), 'Alice Liddell', 'recovered, still signed in');
  const answer = await opened.app.callApi();
  await answer.waitFor();
  await opened.context.close();
});

test('after a sign-out at the provider, the next refresh ends the session cleanly', async () => {
  const opened = await openApp(browser);
  await signInAsAlice(opened);
  // The person signs out at the provider in another tab.
  const other = await opened.context.newPage();
  await other.goto(`${PROVIDER}/session/end`);
  await other.getByRole('button', { name: 'Yes, sign me out' }).click();
  await other.waitForLoadState();
  await opened.app.signedOut().waitFor({ timeout: 2 * TOKEN_LIFETIME_MS });
  assert.equal(await opened.app.notice().textContent(), 'Your session has ended. Please sign in again.');
  assert.ok(refreshes(opened.seen).some((r) => r.status === 400 && r.body.error === 'invalid_grant'));
  await opened.context.close();
});

test('when the provider rotates its signing key, the next refresh fetches the keys once more and the session goes on', async () => {
  const opened = await openApp(browser);
  await signInAsAlice(opened);
  const keyFetches = () => opened.seen.requests.filter((r) => r === `GET ${PROVIDER}/jwks`).length;
  assert.equal(keyFetches(), 1, 'the keys were fetched once, at sign-in');
  const kidOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url')).kid;
  const firstKid = kidOf(opened.seen.tokenResponses[0].body.id_token);

  const before = refreshes(opened.seen).length;
  const rotation = await fetch(`${PROVIDER}/test/rotate-signing-key`, { method: 'POST' });
  assert.equal(rotation.status, 200, 'the provider runs with IDP_TEST_HOOKS=1');
  const { signing_kid: newKid } = await rotation.json();
  assert.notEqual(newKid, firstKid);

  await waitFor(() => refreshes(opened.seen).length > before, 2 * TOKEN_LIFETIME_MS, 'a refresh after the rotation');
  const refresh = refreshes(opened.seen)[before];
  assert.equal(refresh.status, 200, JSON.stringify(refresh.body));
  assert.equal(kidOf(refresh.body.id_token), newKid, 'the refreshed ID token is signed with the new key');
  await waitFor(async () => keyFetches() === 2, 5_000, 'one refetch of the keys');
  assert.equal(await opened.app.userName().textContent(), 'Alice Liddell', 'still signed in');
  assert.equal(await opened.page.getByTestId('renewal-problem').count(), 0, 'no renewal problem shown');
  // The API checks the access token, now signed with the new key, too.
  assert.equal(kidOf(refresh.body.access_token), newKid);
  const answer = await opened.app.callApi();
  await answer.waitFor();
  assert.match(await answer.textContent(), /Hello, alice!/);

  // The new keys are cached: the next refresh fetches nothing.
  await waitFor(() => refreshes(opened.seen).length > before + 1, 2 * TOKEN_LIFETIME_MS, 'a second refresh');
  assert.equal(refreshes(opened.seen)[before + 1].status, 200);
  // A refetch it set off would follow at once.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.equal(keyFetches(), 2, 'no further refetch');
  await opened.context.close();
});

test('without refresh tokens a session is renewed when the router changes page or the page is left idle, never under unsaved typing', async () => {
  // Tab A: idle after 3 s without input. Tab B: idle renewal off, so only a page change renews it.
  // No silent page: renewal must leave the page.
  const idle = await openWithoutRefreshTokens(browser, { renew_when_idle_after_seconds: 3, silent_redirect_uri: undefined });
  const routed = await openWithoutRefreshTokens(browser, { renew_when_idle_after_seconds: 0, silent_redirect_uri: undefined });
  await signInAsAlice(idle);
  await signInAsAlice(routed);
  for (const opened of [idle, routed]) {
    const [exchange] = codeExchanges(opened.seen);
    assert.ok(exchange.body.access_token && !exchange.body.refresh_token, 'no refresh token from this client');
  }
  // Someone types in tab A and leaves the text unsent.
  await idle.page.evaluate(() => {
    const draft = document.createElement('textarea');
    draft.id = 'draft';
    document.body.append(draft);
  });
  await idle.page.locator('#draft').pressSequentially('half a sentence');

  // A re-sign-in is due from half the token's life (5 s) and waits a
  // minute after signing in. Past both, neither page has moved by itself.
  await new Promise((resolve) => setTimeout(resolve, 65_000));
  for (const opened of [idle, routed]) {
    assert.equal(silentSignIns(opened.seen).length, 0, 'no re-sign-in without a safe moment');
    assert.equal(codeExchanges(opened.seen).length, 1);
  }
  assert.equal(await idle.page.locator('#draft').inputValue(), 'half a sentence', 'the typing is still there');

  // Tab B's router shows another page: the session is renewed, and the
  // person comes back to that page.
  await routed.page.evaluate(() => history.pushState(null, '', '/elsewhere?tab=2'));
  await waitFor(() => codeExchanges(routed.seen).length === 2, 15_000, 'a renewal at the page change');
  await routed.app.signedIn().waitFor();
  assert.equal(silentSignIns(routed.seen).length, 1, 'by one silent re-sign-in');
  await routed.page.waitForURL(`${APP}/elsewhere?tab=2`);
  assert.equal(await routed.app.userName().textContent(), 'Alice Liddell');

  // Tab A: the text is sent (the field emptied); three seconds later the idle page renews.
  assert.equal(silentSignIns(idle.seen).length, 0, 'tab A still untouched');
  await idle.page.locator('#draft').fill('');
  await waitFor(() => codeExchanges(idle.seen).length === 2, 15_000, 'a renewal once idle');
  await idle.app.signedIn().waitFor();
  assert.equal(silentSignIns(idle.seen).length, 1, 'by one silent re-sign-in');
  assert.equal(await idle.app.userName().textContent(), 'Alice Liddell');
  await idle.context.close();
  await routed.context.close();
});

test('without refresh tokens but with a silent page, a hidden frame renews the session while someone types, and the page never leaves', async () => {
  // Safe moments off: only the frame can renew.
  const opened = await openWithoutRefreshTokens(browser, { renew_when_idle_after_seconds: 0, renew_at_page_changes: false });
  await assertRenewedInFramesWhileTyping(opened);
  await opened.context.close();
});

test('a refresh token dropped after a lost answer is replaced through the hidden frame, without leaving the page', async () => {
  const opened = await openApp(browser);
  await signInAsAlice(opened);
  const navigations = [];
  opened.page.on('framenavigated', (frame) => frame === opened.page.mainFrame() && navigations.push(frame.url()));
  await opened.page.route(`${PROVIDER}/token`, (route) => route.abort('connectionrefused'));
  await opened.page.getByTestId('renewal-problem').waitFor({ timeout: 2 * TOKEN_LIFETIME_MS });
  await opened.page.unroute(`${PROVIDER}/token`);
  const exchanges = codeExchanges(opened.seen).length;
  await waitFor(() => codeExchanges(opened.seen).length > exchanges, 30_000, 'a code exchange from the frame');
  await opened.page.getByTestId('renewal-problem').waitFor({ state: 'detached', timeout: 10_000 });
  assert.deepEqual(navigations, [], 'the page never left');
  assert.ok(!opened.seen.tokenResponses.some((r) => r.body.error === 'invalid_grant'), 'no refresh token was refused as reused');
  await (await opened.app.callApi()).waitFor();
  await opened.context.close();
});
