// The minimal example (examples/minimal): a second app, written only
// against the library's public API, signs in end to end. scripts/test.sh
// runs this file with APP_SERVER=minimal once the example serves on :8080.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { APP, PROVIDER, launchChromium } from './pages.mjs';

const skip = process.env.APP_SERVER === 'minimal' ? false : 'needs the minimal example on :8080 (scripts/test.sh)';

let browser;
before(async () => {
  if (!skip) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

test('the minimal example signs alice in, greets her, calls the API and signs out', { skip }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(APP);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${PROVIDER}/interaction/**`);
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('wonderland');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();

  await page.getByText('Hello, Alice Liddell').waitFor();
  assert.equal(new URL(page.url()).search, '', 'the code and state left the address bar');
  await page.getByRole('button', { name: 'Call the API' }).click();
  const greeting = page.getByText('The API verified your access token');
  await greeting.waitFor();
  assert.match(await greeting.textContent(), /"subject":"alice"/);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
  assert.equal(await page.getByRole('alert').textContent(), '', 'no error on the way');
  await context.close();
});
