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

/** Polls `condition` every 200 ms; fails naming `what` after `timeoutMs`. */
export async function waitFor(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`timed out waiting for ${what}`);
}
