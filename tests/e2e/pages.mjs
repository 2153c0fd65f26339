// Page objects: the app and the local provider's pages, found by role,
// label or data-testid, never by layout.

import assert from 'node:assert/strict';

import { chromium } from 'playwright-core';

import { CHROMIUM_ARGS } from './chromium-args.mjs';

export const APP = 'http://127.0.0.1:8080';
export const PROVIDER = 'http://127.0.0.1:9000';

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

/**
 * A fresh browser profile with a page, recording requests, token responses
 * and console output. `options` are Playwright's context options (colour
 * scheme, viewport, reduced motion).
 */
export async function openApp(browser, options = {}) {
  const context = await browser.newContext(options);
  return openTab(context);
}

/** Another tab of the same browser profile (shared cookies and localStorage). */
export async function openTab(context) {
  const page = await context.newPage();
  const seen = { requests: [], console: [], tokens: [] };
  page.on('request', (request) => seen.requests.push(`${request.method()} ${request.url()}`));
  page.on('console', (message) => seen.console.push(message.text()));
  seen.tokenResponses = [];
  page.on('response', async (response) => {
    if (response.url() === `${PROVIDER}/token` && response.request().method() === 'POST') {
      const grant = new URLSearchParams(response.request().postData() ?? '').get('grant_type');
      const body = await response.json().catch(() => ({}));
      seen.tokenResponses.push({ grant, status: response.status(), body });
      for (const name of ['access_token', 'refresh_token', 'id_token']) {
        if (body[name]) seen.tokens.push(body[name]);
      }
    }
  });
  await page.goto(APP);
  return { context, page, seen, app: new AppPage(page), provider: new ProviderPages(page) };
}

export class AppPage {
  constructor(page) {
    this.page = page;
  }

  signInButton() {
    return this.page.getByRole('button', { name: 'Sign in', exact: true });
  }

  async startSignIn() {
    await this.signInButton().click();
    await this.page.waitForURL(`${PROVIDER}/interaction/**`);
  }

  signedIn() {
    return this.page.getByTestId('signed-in');
  }

  signedOut() {
    return this.page.getByTestId('signed-out');
  }

  userName() {
    return this.page.getByTestId('user-name');
  }

  notice() {
    return this.page.getByTestId('notice');
  }

  errorMessage() {
    return this.page.getByTestId('error-message');
  }

  async callApi() {
    await this.page.getByRole('button', { name: 'Call protected API' }).click();
    return this.page.getByTestId('api-answer');
  }

  async signOut() {
    await this.page.getByRole('button', { name: 'Sign out' }).click();
  }
}

export class ProviderPages {
  constructor(page) {
    this.page = page;
  }

  async logIn(username, password) {
    await this.page.getByLabel('Username').fill(username);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  loginError() {
    return this.page.getByTestId('login-error');
  }

  async allow() {
    await this.page.getByRole('button', { name: 'Allow' }).click();
  }

  async cancel() {
    await this.page.getByRole('button', { name: 'Cancel' }).click();
  }

  async confirmSignOut() {
    await this.page.getByRole('button', { name: 'Yes, sign me out' }).click();
  }
}

/** Waits for focus to be on the page's heading, which starts with `text`. */
export async function headingHasFocus(page, text) {
  await page.waitForFunction((t) => document.activeElement?.tagName === 'H1' && document.activeElement.textContent.startsWith(t), text);
}

/** Signs alice in through the login and consent pages. */
export async function signInAsAlice(opened) {
  await opened.app.startSignIn();
  await opened.provider.logIn('alice', 'wonderland');
  await opened.provider.allow();
  await opened.app.signedIn().waitFor();
}

/**
 * Signs alice in and calls the API while every document of the tab reports
 * Content-Security-Policy violations: there must be none. Then an injected
 * inline script must be blocked, and reported.
 */
export async function signInUnderThePolicy(browser) {
  const opened = await openApp(browser);
  const violations = [];
  await opened.page.exposeFunction('reportViolation', (v) => violations.push(v));
  // On every document of the session (the app is left for the provider and back).
  await opened.page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) => window.reportViolation(e.violatedDirective)),
  );
  await opened.page.reload();
  await signInAsAlice(opened);
  await (await opened.app.callApi()).waitFor();
  assert.deepEqual(violations, [], 'signing in and calling the API need nothing the policy forbids');

  const ran = await opened.page.evaluate(async () => {
    const script = document.createElement('script');
    script.textContent = 'window.injected = true';
    document.body.append(script);
    await new Promise((resolve) => setTimeout(resolve, 100));
    return window.injected === true;
  });
  assert.equal(ran, false);
  assert.ok(violations.some((v) => v.startsWith('script-src')), 'the injection was reported as a violation');
  await opened.context.close();
}

/**
 * A fresh profile whose app reads `settings` over config.json (a setting
 * given as `undefined` is left out).
 */
export async function openWithSettings(browser, settings) {
  const context = await browser.newContext();
  await context.route(`${APP}/config.json`, async (route) => {
    const config = await (await route.fetch()).json();
    await route.fulfill({ json: { ...config, ...settings } });
  });
  return openTab(context);
}

/** The same, with the provider's test client that gets no refresh token (IDP_TEST_HOOKS=1). */
export function openWithoutRefreshTokens(browser, settings = {}) {
  return openWithSettings(browser, { client_id: 'demo-spa-no-refresh', ...settings });
}

export const silentSignIns = (seen) => seen.requests.filter((r) => r.startsWith(`GET ${PROVIDER}/auth?`) && r.includes('prompt=none'));
export const codeExchanges = (seen) => seen.tokenResponses.filter((r) => r.grant === 'authorization_code' && r.status === 200);

/**
 * Signs alice in on a page `opened` without refresh tokens, starts typing,
 * and waits for two renewals in the hidden frame (10-second tokens): the
 * page never navigates, the typing stays, no frame is left behind, and the
 * API takes the renewed token.
 */
export async function assertRenewedInFramesWhileTyping(opened) {
  await signInAsAlice(opened);
  assert.ok(!codeExchanges(opened.seen)[0].body.refresh_token, 'no refresh token from this client');
  const navigations = [];
  opened.page.on('framenavigated', (frame) => frame === opened.page.mainFrame() && navigations.push(frame.url()));
  await opened.page.evaluate(() => {
    window.stillThisPage = true; // a reload would forget it
    const draft = document.createElement('textarea');
    draft.id = 'draft';
    document.body.append(draft);
  });
  await opened.page.locator('#draft').pressSequentially('half a sentence');

  await waitFor(() => codeExchanges(opened.seen).length >= 3, 40_000, 'two renewals in the hidden frame');
  assert.deepEqual(navigations, [], 'the page never navigated');
  assert.equal(await opened.page.evaluate(() => window.stillThisPage), true, 'never reloaded');
  assert.equal(await opened.page.locator('#draft').inputValue(), 'half a sentence', 'the typing is still there');
  assert.equal(await opened.page.evaluate(() => document.activeElement?.id), 'draft', 'the focus stayed in the text');
  const silentPage = encodeURIComponent(`${APP}/silent-callback.html`);
  const renewals = silentSignIns(opened.seen);
  assert.ok(renewals.length >= 2, `${renewals.length} silent sign-ins`);
  assert.ok(renewals.every((r) => r.includes(`redirect_uri=${silentPage}`)), 'each came back to the silent page');
  await waitFor(async () => (await opened.page.locator('iframe').count()) === 0, 5_000, 'the frame to go');
  const apiAuthorization = opened.page.waitForRequest((r) => r.url().startsWith('http://127.0.0.1:3000/') && r.method() === 'GET');
  await (await opened.app.callApi()).waitFor();
  const authorization = (await apiAuthorization).headers().authorization ?? '';
  const renewed = codeExchanges(opened.seen).slice(1).map((exchange) => exchange.body.access_token);
  assert.ok(renewed.some((token) => authorization.endsWith(` ${token}`)), 'the API got a renewed token');
  assert.equal(await opened.app.userName().textContent(), 'Alice Liddell');
}

/** Polls `condition` every 200 ms; fails naming `what` after `timeoutMs`. */
export async function waitFor(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`timed out waiting for ${what}`);
}
