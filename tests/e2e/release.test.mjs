// The release build as it is deployed: dist/ behind a real web server with
// only the headers that deploy-headers wrote. scripts/test.sh runs this file
// with APP_SERVER=release behind nginx (with sign-in.test.mjs, and
// APP_ACCESS_LOG naming nginx's access log), then behind Caddy.

import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  APP,
  PROVIDER,
  assertRenewedInFramesWhileTyping,
  launchChromium,
  openApp,
  openTab,
  openWithoutRefreshTokens,
  signInAsAlice,
  signInUnderThePolicy,
} from './pages.mjs';

const API = 'http://127.0.0.1:3000';
const skip = process.env.APP_SERVER === 'release' ? false : 'needs dist/ behind a web server (scripts/test.sh)';
const ACCESS_LOG = process.env.APP_ACCESS_LOG;
// The provider names its keys on this other host (IDP_KEYS_HOST).
const KEYS_ORIGIN = `http://${process.env.IDP_KEYS_HOST}:9000`;

let browser;
before(async () => {
  if (!skip) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** The files index.html loads by absolute path: trunk's hashed js, wasm and css. */
async function loadedFiles() {
  const html = await (await fetch(`${APP}/`)).text();
  // Quoted in the loader script, unquoted in the minified attributes.
  return [...new Set([...html.matchAll(/["'=](\/[^"'?#\s>]+\.(?:js|wasm|css))(?=["'\s>])/g)].map((m) => m[1]))];
}

test('every response carries the policy, with the loader hashed and the provider discovered', { skip }, async () => {
  const discovery = await (await fetch(`${PROVIDER}/.well-known/openid-configuration`)).json();
  assert.ok(discovery.jwks_uri.startsWith(`${KEYS_ORIGIN}/`), `the provider names its keys on another host: ${discovery.jwks_uri}`);
  const paths = ['/', '/callback?code=x&state=y', '/config.json', '/no/such/page', ...(await loadedFiles())];
  assert.ok(paths.some((p) => p.endsWith('.wasm')), `index.html loads the wasm: ${paths}`);
  for (const path of paths) {
    const response = await fetch(`${APP}${path}`);
    assert.equal(response.status, 200, path);
    const csp = response.headers.get('content-security-policy') ?? '';
    const directives = csp.split('; ');
    for (const directive of [
      "default-src 'none'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
      `connect-src 'self' ${PROVIDER} ${KEYS_ORIGIN} ${API}`,
    ]) {
      assert.ok(directives.includes(directive), `${path}: missing ${directive} in ${csp}`);
    }
    // A static file cannot carry a fresh nonce: the loader is allowed by its hash.
    assert.match(csp, /(^|; )script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/]{43}='(;|$)/, path);
    assert.ok(!/unsafe-inline|nonce/.test(csp), `${path}: ${csp}`);
    assert.equal(response.headers.get('x-frame-options'), 'DENY', path);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer', path);
  }
});

test('only the app itself may frame the silent page, which runs nothing, and a hidden frame renews under the policy', { skip }, async () => {
  const silent = await fetch(`${APP}/silent-callback.html?code=x&state=y`);
  assert.equal(silent.status, 200);
  assert.equal(silent.headers.get('content-security-policy'), "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'");
  assert.equal(silent.headers.get('x-frame-options'), 'SAMEORIGIN');
  assert.equal(silent.headers.get('cache-control'), 'no-cache');
  assert.ok(!/<script/i.test(await silent.text()), 'the silent page runs nothing');
  // The app's own pages may frame the provider and that page, and are framed by no one.
  const csp = (await fetch(`${APP}/`)).headers.get('content-security-policy').split('; ');
  assert.ok(csp.includes(`frame-src 'self' ${PROVIDER}`), csp.join('; '));
  assert.ok(csp.includes("frame-ancestors 'none'"), csp.join('; '));

  const opened = await openWithoutRefreshTokens(browser, { renew_when_idle_after_seconds: 0, renew_at_page_changes: false });
  await assertRenewedInFramesWhileTyping(opened);
  await opened.context.close();
});

test('files named by their content are cached for a year, everything else is revalidated', { skip }, async () => {
  // deploy-headers names trunk's js and wasm by their own bytes, as trunk
  // names the css.
  const paths = await loadedFiles();
  assert.deepEqual(paths.map((p) => p.split('.').pop()).sort(), ['css', 'js', 'wasm'], `${paths}`);
  for (const path of paths) {
    const response = await fetch(`${APP}${path}`);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable', path);
    if (path.endsWith('.wasm')) assert.equal(response.headers.get('content-type'), 'application/wasm');
  }
  for (const path of ['/', '/index.html', '/callback', '/config.json']) {
    const response = await fetch(`${APP}${path}`);
    assert.equal(response.headers.get('cache-control'), 'no-cache', path);
  }
});

test('the content-named files are sent compressed as written, and are the files themselves', { skip }, async () => {
  for (const path of await loadedFiles()) {
    const response = await fetch(`${APP}${path}`, { headers: { 'accept-encoding': 'br, gzip' } });
    // Caddy sends the .br copy, nginx (without the brotli module) the .gz one.
    assert.ok(['br', 'gzip'].includes(response.headers.get('content-encoding')), `${path}: ${response.headers.get('content-encoding')}`);
    assert.match(response.headers.get('vary') ?? '', /accept-encoding/i, path);
    const served = Buffer.from(await response.arrayBuffer()); // fetch decodes it
    assert.ok(served.equals(readFileSync(new URL(`../../dist${path}`, import.meta.url))), `${path} decodes to dist${path}`);
  }
});

test('the return from the provider downloads no content-named file again', { skip: skip || (!ACCESS_LOG && 'the server keeps no access log') }, async () => {
  const paths = await loadedFiles();
  const fetched = () => {
    const log = readFileSync(ACCESS_LOG, 'utf8');
    return paths.map((path) => log.split('\n').filter((line) => line.includes(`"GET ${path} `)).length);
  };
  const before = fetched();
  const opened = await openApp(browser);
  await signInAsAlice(opened); // the app, the provider, and the app again at /callback
  await opened.context.close();
  assert.deepEqual(
    fetched().map((count, i) => count - before[i]),
    paths.map(() => 1),
    `each of ${paths} is fetched once, on the first page load`,
  );
});

test('the discovery document is preloaded with the page, and the app uses that one fetch', { skip }, async () => {
  const discovery = `${PROVIDER}/.well-known/openid-configuration`;
  const html = await (await fetch(`${APP}/`)).text();
  assert.ok(html.includes(`<link rel="preload" href="${discovery}" as="fetch" crossorigin="anonymous"`), html);
  const opened = await openApp(browser);
  await opened.app.startSignIn(); // the app needs the discovery document now
  await opened.context.close();
  assert.deepEqual(opened.seen.requests.filter((r) => r.endsWith(discovery)), [`GET ${discovery}`]);
  // Chromium warns when a preload goes unused (another credentials mode, say).
  assert.deepEqual(opened.seen.console.filter((text) => /preload.*not used/i.test(text)), []);
});

test('no cookie goes with the app\'s requests to the provider, though it has set some', { skip }, async () => {
  const context = await browser.newContext();
  const sent = [];
  context.on('request', (request) => {
    if (['fetch', 'xhr', 'other'].includes(request.resourceType())) sent.push(request);
  });
  await signInAsAlice(await openTab(context));
  const cookies = await context.cookies(PROVIDER);
  const toProvider = sent.filter((r) => r.url().startsWith(PROVIDER) || r.url().startsWith(KEYS_ORIGIN));
  const paths = toProvider.map((r) => new URL(r.url()).pathname);
  assert.ok(cookies.length > 0, 'the provider keeps its session in cookies');
  for (const path of ['/.well-known/openid-configuration', '/token']) assert.ok(paths.includes(path), `${path} in ${paths}`);
  assert.ok(toProvider.some((r) => r.url().startsWith(KEYS_ORIGIN)), `the keys are fetched: ${paths}`);
  for (const request of toProvider) {
    assert.equal((await request.allHeaders()).cookie, undefined, request.url());
  }
  await context.close();
});

test('the release build signs in and calls the API under its policy, and an injected script is blocked', { skip }, async () => {
  await signInUnderThePolicy(browser);
});

test('no code or state reaches the web server access log, signing in or out', { skip: skip || (!ACCESS_LOG && 'the server keeps no access log') }, async () => {
  const opened = await openApp(browser);
  await signInAsAlice(opened);
  await opened.app.signOut();
  await opened.provider.confirmSignOut();
  await opened.app.signedOut().waitFor();
  await opened.context.close();
  const log = readFileSync(ACCESS_LOG, 'utf8');
  assert.match(log, /GET \/config\.json/, 'the access log is the one nginx writes');
  assert.ok(!/code=|state=|iss=/.test(log), `the access log holds an authorization response:\n${log}`);
});
