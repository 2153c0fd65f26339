// End to end: every state of the app, and the provider's own pages, pass an
// axe-core audit (WCAG 2.1 A and AA, and best practice) in the light and the
// dark theme; focus moves to the heading when the page changes, never on a
// refresh; a keyboard alone signs in and out; the layout holds at 320 px and
// at 200% zoom. The audit's states are also saved as screenshots
// (target/screenshots; scripts/screenshots.sh copies them to docs/).
// The provider runs with 10-second access tokens here (scripts/test.sh).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { audit } from './axe.mjs';
import { APP, PROVIDER, headingHasFocus, launchChromium, openApp } from './pages.mjs';

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? fileURLToPath(new URL('../../target/screenshots', import.meta.url));
mkdirSync(SCREENSHOTS, { recursive: true });

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** Requests to `url` (a glob or a predicate) are held until `release()`, so a passing state can be looked at. */
async function hold(page, url) {
  let release;
  const released = new Promise((resolve) => (release = resolve));
  await page.route(url, async (route) => {
    await released;
    await route.continue().catch(() => {});
  });
  return async () => {
    release();
    await page.unroute(url);
  };
}

const heading = (page, name) => page.getByRole('heading', { level: 1, name });

/** The element that has focus: its role-ish description, and whether a ring shows it. */
const focusedElement = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
      tag: el.tagName,
      text: (el.labels?.[0]?.textContent ?? el.textContent).trim(),
      ringShown: el.matches(':focus-visible') && style.outlineStyle !== 'none' && style.outlineWidth !== '0px',
    };
  });

/** Waits briefly for focus to land on the `tag` named `text` (autofocus runs after load), with its ring shown. */
async function expectFocusOn(page, tag, text) {
  let focused;
  for (const deadline = Date.now() + 5_000; Date.now() < deadline; await page.waitForTimeout(50)) {
    focused = await focusedElement(page);
    if (focused.tag === tag && focused.text === text) break;
  }
  assert.deepEqual({ tag: focused.tag, text: focused.text }, { tag, text }, 'where focus is');
  assert.ok(focused.ringShown, `the focus ring shows on "${text}"`);
}

for (const colorScheme of ['light', 'dark']) {
  test(`every page passes axe in the ${colorScheme} theme, and focus follows the page`, async () => {
    const shot = (page, name) => page.screenshot({ path: `${SCREENSHOTS}/${name}-${colorScheme}.png`, fullPage: true });
    const context = await browser.newContext({ colorScheme, viewport: { width: 900, height: 700 } });
    const page = await context.newPage();

    // The Sign in button shows before the configuration has even arrived.
    await page.goto(APP);
    await page.getByTestId('signed-out').waitFor();
    await audit(page, 'the signed-out page');
    await shot(page, 'signed-out');

    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${PROVIDER}/interaction/**`);
    await audit(page, "the provider's login page");
    await shot(page, 'provider-login');
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('wonderland');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    await audit(page, "the provider's consent page");
    await shot(page, 'provider-consent');

    // Back at the app, with the code exchange held: "Signing you in…".
    const releaseToken = await hold(page, `${PROVIDER}/token`);
    await page.getByRole('button', { name: 'Allow' }).click();
    await heading(page, 'Signing you in…').waitFor();
    await audit(page, 'the page completing the sign-in');
    await releaseToken();

    await page.getByTestId('signed-in').waitFor();
    await headingHasFocus(page, 'Hello, Alice');
    await page.getByRole('button', { name: 'Call protected API' }).click();
    await page.getByTestId('api-answer').waitFor();
    assert.equal(await page.getByTestId('announced-status').textContent(), 'The API answered.');
    await audit(page, 'the signed-in page with the API answer');
    await shot(page, 'signed-in');

    // A refresh replaces the tokens, not the page: focus stays where it was.
    await page.getByRole('button', { name: 'Call protected API' }).focus();
    await page.waitForResponse((r) => r.url() === `${PROVIDER}/token` && r.request().postData()?.includes('grant_type=refresh_token'));
    await page.waitForTimeout(300);
    assert.equal((await focusedElement(page)).text, 'Call protected API', 'a refresh leaves focus alone');

    // The provider cannot be reached for the next one: a warning, announced, and focus still stays.
    await page.route(`${PROVIDER}/token`, (route) => route.abort('connectionrefused'));
    await page.getByTestId('renewal-problem').waitFor({ timeout: 20_000 });
    await audit(page, 'the renewal warning');
    const announced = await page.getByTestId('announced-alert').textContent();
    assert.match(announced, /could not be renewed/);
    assert.doesNotMatch(announced, /Retrying/, 'the retry timer is not read out');
    assert.equal((await focusedElement(page)).text, 'Call protected API', 'a failed refresh leaves focus alone');
    await page.unroute(`${PROVIDER}/token`);

    // A reload restores the session silently: "Restoring your session…", held
    // at the discovery document (a page whose navigation is held cannot be audited).
    const releaseAuthorize = await hold(page, `${PROVIDER}/.well-known/openid-configuration`);
    await page.reload();
    await heading(page, 'Restoring your session…').waitFor();
    await audit(page, 'the page restoring the session');
    await releaseAuthorize();
    await page.getByTestId('signed-in').waitFor();

    // Signing out: the provider's confirmation, then the app with a notice.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).waitFor();
    await audit(page, "the provider's sign-out page");
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByTestId('notice').waitFor();
    await headingHasFocus(page, 'Sign in with OpenID Connect');
    assert.equal(await page.getByTestId('announced-status').textContent(), 'You have been signed out.');
    await audit(page, 'the signed-out page with a notice');

    // A tampered callback: an error page with its way back.
    await page.goto(`${APP}/callback?code=forged&state=forged&iss=${encodeURIComponent(PROVIDER)}`);
    await page.getByTestId('error').waitFor();
    await headingHasFocus(page, 'Something went wrong');
    assert.equal(
      await page.getByTestId('announced-alert').textContent(),
      await page.getByTestId('error-message').textContent(),
      'the error is announced',
    );
    await audit(page, 'the error page');
    await shot(page, 'error');

    // No configuration at all: the other error page.
    await page.route(`${APP}/config.json`, (route) => route.fulfill({ status: 404, body: 'not found' }));
    await page.goto(APP);
    await page.getByRole('button', { name: 'Try again' }).waitFor();
    await audit(page, 'the error page without a configuration');
    await context.close();
  });
}

test('a keyboard alone signs in and out, with the focus ring shown on every control', async () => {
  const { context, page, seen } = await openApp(browser);
  await page.getByTestId('signed-out').waitFor();

  await page.keyboard.press('Tab');
  await expectFocusOn(page, 'BUTTON', 'Sign in');
  await page.keyboard.press('Enter');

  await page.waitForURL(`${PROVIDER}/interaction/**`);
  await expectFocusOn(page, 'INPUT', 'Username');
  await page.keyboard.type('alice');
  await page.keyboard.press('Tab');
  await expectFocusOn(page, 'INPUT', 'Password');
  await page.keyboard.type('wonderland');
  await page.keyboard.press('Tab');
  await expectFocusOn(page, 'BUTTON', 'Sign in');
  await page.keyboard.press('Enter');

  await page.getByRole('button', { name: 'Allow' }).waitFor();
  await page.keyboard.press('Tab');
  await expectFocusOn(page, 'BUTTON', 'Allow');
  await page.keyboard.press('Enter');

  await page.getByTestId('signed-in').waitFor();
  await headingHasFocus(page, 'Hello, Alice');
  await page.keyboard.press('Tab');
  await expectFocusOn(page, 'BUTTON', 'Call protected API');
  // While the call is on its way, focus stays on the button (a disabled
  // button would drop it to the page, and a screen reader with it).
  const answer = await hold(page, 'http://127.0.0.1:3000/api/greeting');
  await page.keyboard.press('Enter');
  await page.getByText('Calling the API…', { exact: true }).first().waitFor();
  await expectFocusOn(page, 'BUTTON', 'Call protected API');
  await page.keyboard.press('Enter'); // a second press while calling sends nothing more
  await answer();
  await page.getByTestId('api-answer').waitFor();
  await expectFocusOn(page, 'BUTTON', 'Call protected API');
  assert.equal(seen.requests.filter((r) => r === 'GET http://127.0.0.1:3000/api/greeting').length, 1, 'one call for two presses');
  await page.keyboard.press('Tab');
  await expectFocusOn(page, 'BUTTON', 'Sign out');
  await page.keyboard.press('Enter');

  await page.getByRole('button', { name: 'Yes, sign me out' }).waitFor();
  await expectFocusOn(page, 'BUTTON', 'Yes, sign me out');
  await page.keyboard.press('Enter');
  await page.getByTestId('notice').waitFor();
  await headingHasFocus(page, 'Sign in with OpenID Connect');
  await context.close();
});

test('the layout holds at 320 px wide and at 200% zoom, and the spinner stops for reduced motion', async () => {
  const fitsWidth = (page) =>
    page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
  // 320 CSS px is WCAG's reflow width; 200% zoom of a 1280 px window is 640 CSS px.
  for (const width of [320, 640]) {
    const opened = await openApp(browser, { viewport: { width, height: 640 }, reducedMotion: 'reduce' });
    const { page } = opened;
    await page.getByTestId('signed-out').waitFor();
    assert.ok(await fitsWidth(page), `the signed-out page fits ${width} px`);
    await opened.app.startSignIn();
    assert.ok(await fitsWidth(page), `the provider's login page fits ${width} px`);
    await opened.provider.logIn('alice', 'wonderland');
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    assert.ok(await fitsWidth(page), `the provider's consent page fits ${width} px`);
    await opened.provider.allow();
    await opened.app.signedIn().waitFor();
    assert.ok(await fitsWidth(page), `the signed-in page fits ${width} px`);
    await (await opened.app.callApi()).waitFor();
    assert.ok(await fitsWidth(page), `the API answer scrolls in its own box at ${width} px`);
    await page.goto(`${APP}/callback?code=forged&state=forged`);
    await page.getByTestId('error').waitFor();
    assert.ok(await fitsWidth(page), `the error page fits ${width} px`);
    await opened.context.close();
  }

  for (const [reducedMotion, animation] of [['reduce', 'none'], ['no-preference', 'spin']]) {
    const context = await browser.newContext({ reducedMotion });
    const page = await context.newPage();
    // At the redirect URI the app waits for its configuration behind a spinner.
    const release = await hold(page, `${APP}/config.json`);
    const loaded = page.goto(`${APP}/callback?code=held&state=held`);
    await page.locator('.spinner').waitFor();
    assert.equal(await page.locator('.spinner').evaluate((el) => getComputedStyle(el).animationName), animation);
    await release();
    await loaded;
    await context.close();
  }
});
