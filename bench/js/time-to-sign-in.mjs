// Times our app and the oidc-client-ts peer in headless Chromium, against
// the same local provider, with consent already given:
//   cold:     navigation to the Sign in button shown (empty cache each run)
//   callback: the provider's redirect to the app to the name painted
//             (token exchange and ID-token handling included)
// Prints JSON: { ours: {cold: [...], callback: [...]}, peer: {...} } in ms,
// and a bearer access token of ours (DPoP off) for the API benchmark.
import { chromium } from 'playwright-core';

import { CHROMIUM_ARGS } from '../../tests/e2e/chromium-args.mjs';

const RUNS = Number(process.env.RUNS ?? 20);
const targets = {
  ours: { url: 'http://127.0.0.1:8080/', name: '[data-testid="user-name"]' },
  peer: { url: 'http://127.0.0.1:8081/', name: '[data-testid="user-name"]' },
};

// Records, in the page's own clock (ms since its navigation started), when
// the Sign in button and when the name first appear.
const marker = () => {
  const mark = () => {
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Sign in');
    if (button && window.__interactiveAt === undefined) window.__interactiveAt = performance.now();
    const name = document.querySelector('[data-testid="user-name"]');
    if (name && name.textContent && window.__signedInAt === undefined) window.__signedInAt = performance.now();
  };
  new MutationObserver(mark).observe(document, { childList: true, subtree: true, characterData: true });
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
});

let accessToken;
async function signInOnce(context, target) {
  const page = await context.newPage();
  await page.goto(target.url);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('http://127.0.0.1:9000/interaction/**');
  if (await page.getByLabel('Username').count()) {
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('wonderland');
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.locator(target.name).waitFor();
  await page.close();
}

/** Ms from the start of the fetch of the redirect target (after the
 * provider's redirects) to the name painted, in the callback page's clock. */
async function sinceCallback(page) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const elapsed = await page
      .evaluate(() => {
        if (window.__signedInAt === undefined) return undefined;
        return window.__signedInAt - performance.getEntriesByType('navigation')[0].fetchStart;
      })
      .catch(() => undefined); // mid-navigation
    if (elapsed !== undefined) return elapsed;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no signed-in view at ${page.url()}`);
}

// Runs alternate between ours and the peer, so that a busy moment on this
// shared machine hits both alike.
const results = Object.fromEntries(Object.keys(targets).map((key) => [key, { cold: [], callback: [] }]));
for (let run = 0; run < RUNS; run++) {
  for (const [key, target] of Object.entries(targets)) {
    const context = await browser.newContext();
    await context.addInitScript(marker);
    const page = await context.newPage();
    await page.goto(target.url);
    await page.waitForFunction(() => window.__interactiveAt !== undefined);
    results[key].cold.push(await page.evaluate(() => window.__interactiveAt));
    await context.close();
  }
}

const signedIn = {};
for (const [key, target] of Object.entries(targets)) {
  const context = await browser.newContext();
  await signInOnce(context, target); // login and consent, once
  // Measure the interactive path only: our app would otherwise restore the
  // session by itself on load.
  await context.addInitScript(() => localStorage.removeItem('oidc:demo-spa:had-session'));
  await context.addInitScript(marker);
  signedIn[key] = context;
}
for (let run = 0; run < RUNS; run++) {
  for (const [key, target] of Object.entries(targets)) {
    const page = await signedIn[key].newPage();
    await page.goto(target.url);
    await page.getByRole('button', { name: 'Sign in' }).click();
    results[key].callback.push(await sinceCallback(page));
    await page.close();
  }
}
// The API benchmark loads one token over and over, which only a bearer
// token allows (a DPoP-bound one needs a fresh proof per request): one
// more sign-in of ours, with DPoP off, gets one.
{
  const page = await signedIn.ours.newPage();
  await page.route('**/config.json', async (route) => {
    const response = await route.fetch();
    route.fulfill({ response, json: { ...(await response.json()), dpop: 'off' } });
  });
  page.on('response', async (response) => {
    if (response.url() === 'http://127.0.0.1:9000/token') {
      accessToken = (await response.json().catch(() => ({}))).access_token ?? accessToken;
    }
  });
  await page.goto(targets.ours.url);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await sinceCallback(page);
  await page.close();
}
await browser.close();
console.log(JSON.stringify({ ...results, accessToken }));
