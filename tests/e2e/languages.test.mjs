// Languages: the page speaks the browser's language when the app has it
// (French here), sets <html lang>, asks the provider for it with
// ui_locales, and downloads a language file only for someone who chose it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { audit } from './axe.mjs';
import { APP, PROVIDER, headingHasFocus, launchChromium, openApp } from './pages.mjs';

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

const FRENCH_FILE = `${APP}/messages/fr.json`;
const htmlLang = (page) => page.evaluate(() => document.documentElement.lang);
const authorizeRequests = (opened) =>
  opened.seen.requests.filter((r) => r.startsWith(`GET ${PROVIDER}/auth?`)).map((r) => new URL(r.slice(4)));

test('an English browser gets English, downloads no other language, and asks the provider for English', async () => {
  const opened = await openApp(browser, { locale: 'en-US' });
  const { page } = opened;
  await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
  assert.equal(await htmlLang(page), 'en');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${PROVIDER}/interaction/**`);
  assert.equal(authorizeRequests(opened).at(-1).searchParams.get('ui_locales'), 'en');
  assert.ok(!opened.seen.requests.some((r) => r.endsWith(FRENCH_FILE)), 'the French file was downloaded');
  await opened.context.close();
});

test('a French browser gets French pages, here and at the provider, through a whole sign-in', async () => {
  const opened = await openApp(browser, { locale: 'fr-FR' });
  const { page } = opened;
  const signIn = page.getByRole('button', { name: 'Se connecter', exact: true });
  await signIn.waitFor();
  assert.equal(await htmlLang(page), 'fr');
  assert.equal(await page.locator('main h1').textContent(), 'Connexion avec OpenID Connect');
  await audit(page, 'the signed-out page in French');
  await signIn.click();
  await page.waitForURL(`${PROVIDER}/interaction/**`);
  assert.equal(authorizeRequests(opened).at(-1).searchParams.get('ui_locales'), 'fr');

  // The demo provider honours ui_locales.
  assert.equal(await htmlLang(page), 'fr');
  await audit(page, "the provider's login page in French");
  await page.getByLabel('Nom d’utilisateur').fill('alice');
  await page.getByLabel('Mot de passe').fill('wonderland');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('button', { name: 'Autoriser' }).click();

  await page.getByTestId('signed-in').waitFor();
  await page.getByRole('heading', { name: 'Bonjour, Alice' }).waitFor();
  assert.equal(await htmlLang(page), 'fr');
  await page.getByRole('button', { name: 'Appeler l’API protégée' }).click();
  await page.getByTestId('api-answer').waitFor();
  await audit(page, 'the signed-in page in French');
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.getByRole('button', { name: 'Oui, me déconnecter' }).click();
  const endSession = opened.seen.requests.filter((r) => r.startsWith(`GET ${PROVIDER}/session/end?`)).at(-1);
  assert.equal(new URL(endSession.slice(4)).searchParams.get('ui_locales'), 'fr', 'the sign-out page is asked for in French');
  assert.equal(await page.getByTestId('notice').textContent(), 'Vous êtes déconnecté.');
  // Back from the provider, the French page was not ready at once: still,
  // focus goes to its heading and the notice is announced, in French.
  await headingHasFocus(page, 'Connexion avec OpenID Connect');
  assert.equal(await page.getByTestId('announced-status').textContent(), 'Vous êtes déconnecté.');
  await opened.context.close();
});

test('the language switch rewords the page at once and is remembered across the sign-in round trip', async () => {
  const opened = await openApp(browser, { locale: 'en-US' });
  const { page } = opened;
  await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Français' }).click();
  await page.getByRole('button', { name: 'Se connecter', exact: true }).waitFor();
  assert.equal(await htmlLang(page), 'fr');

  await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
  await page.waitForURL(`${PROVIDER}/interaction/**`);
  assert.equal(authorizeRequests(opened).at(-1).searchParams.get('ui_locales'), 'fr');
  await page.getByLabel('Nom d’utilisateur').fill('alice');
  await page.getByLabel('Mot de passe').fill('wonderland');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('button', { name: 'Autoriser' }).click();
  await page.getByRole('heading', { name: 'Bonjour, Alice' }).waitFor();

  // Back to English: at once, with nothing fetched. The French file was
  // fetched once when picked and once when the page came back from the provider.
  const frenchFetches = () => opened.seen.requests.filter((r) => r === `GET ${FRENCH_FILE}`).length;
  assert.equal(frenchFetches(), 2);
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Hello, Alice' }).waitFor();
  assert.equal(await htmlLang(page), 'en');
  assert.equal(frenchFetches(), 2, 'English is built in');
  await opened.context.close();
});

test('a language file that cannot be loaded leaves the page in English and says why', async () => {
  const opened = await openApp(browser, { locale: 'en-US' });
  const { page } = opened;
  await page.route(FRENCH_FILE, (route) => route.fulfill({ status: 503, body: 'down' }));
  await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Français' }).click();
  const error = page.getByTestId('language-error');
  await error.waitFor();
  assert.equal(
    await error.textContent(),
    'The other language could not be loaded: the messages could not be loaded from /messages/fr.json (HTTP 503). Try again later.',
  );
  assert.equal(await page.getByTestId('announced-alert').textContent(), await error.textContent());
  assert.equal(await htmlLang(page), 'en');
  assert.ok(await page.getByRole('button', { name: 'Sign in', exact: true }).isVisible(), 'still in English');
  // The choice is not remembered: the next visit starts in English.
  assert.equal(await page.evaluate(() => localStorage.getItem('oidc-spa.language')), null);
  await opened.context.close();
});
