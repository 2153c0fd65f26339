// Times our app and the oidc-client-ts peer in headless Chromium, both
// served by the same static server (Caddy, as deployed), against the same
// local provider with consent already given, on the local link and on an
// emulated slow one (Chromium's network emulation: 1.6 Mbit/s down,
// 750 kbit/s up, 150 ms round trip):
//   request:  navigation start to the authorization request leaving, with
//             Sign in clicked the moment it appears (empty cache each run)
//   callback: the provider's redirect to the app to the name painted
//             (token exchange and ID-token handling included)
//   click:    Sign in clicked a second after it appears, as a person
//             would, to the authorization request leaving
// and marks on the way (ms since navigation start): code (js and wasm
// downloaded), instantiated (wasm), config, discovery, shown (Sign in).
// Prints JSON: { links: { local: { ours: {request, callback, click, marks}, peer },
// slow }, wasmMemoryBytes, accessToken, refreshToken }. The tokens (ours,
// DPoP off) are for the API benchmark.
import { chromium } from 'playwright-core';

import { CHROMIUM_ARGS } from '../../tests/e2e/chromium-args.mjs';

const RUNS = Number(process.env.RUNS ?? 20);
const SLOW_RUNS = Number(process.env.SLOW_RUNS ?? 5);
// How long the person looks at the page before clicking, in the click runs.
const CLICK_AFTER_MS = 1000;
const PROVIDER = 'http://127.0.0.1:9000';
const LINKS = {
  local: { runs: RUNS, conditions: null },
  slow: {
    runs: SLOW_RUNS,
    conditions: { offline: false, latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 },
  },
};
const targets = {
  ours: { url: 'http://127.0.0.1:8080/' },
  peer: { url: 'http://127.0.0.1:8081/' },
};
const authorizationEndpoint = (await (await fetch(`${PROVIDER}/.well-known/openid-configuration`)).json())
  .authorization_endpoint;

// In every document: reports marks (in epoch ms) to the benchmark, clicks
// Sign in the moment it appears (or `window.__clickAfterMs` later, marked
// `clicked`), and keeps the wasm's memory for a look.
const inPage = () => {
  if (location.origin === 'http://127.0.0.1:9000') return; // the provider's own pages
  const reported = new Set();
  const mark = (name) => {
    if (reported.has(name)) return;
    reported.add(name);
    window.__benchMark?.(name, performance.timeOrigin + performance.now());
  };
  const keep = (result) => {
    mark('instantiated');
    window.__wasmMemory = (result.instance ?? result).exports.memory;
    return result;
  };
  for (const name of ['instantiateStreaming', 'instantiate']) {
    const original = WebAssembly[name];
    WebAssembly[name] = (...args) => original.apply(WebAssembly, args).then(keep);
  }
  const observe = () => {
    const button = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Sign in');
    if (button && !reported.has('shown')) {
      mark('shown');
      if (window.__signedInAt === undefined && !window.__clickAfterMs) button.click();
      if (window.__clickAfterMs) {
        setTimeout(() => {
          // On the wall clock, as the request's time from the browser is.
          window.__benchMark?.('clicked', Date.now());
          [...document.querySelectorAll('button')].find((b) => b.textContent === 'Sign in')?.click();
        }, window.__clickAfterMs);
      }
    }
    const name = document.querySelector('[data-testid="user-name"]');
    if (name && name.textContent && window.__signedInAt === undefined) window.__signedInAt = performance.now();
  };
  new MutationObserver(observe).observe(document, { childList: true, subtree: true, characterData: true });
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
});

/** One cold run: navigation start to the authorization request, and marks;
 * with `clickAfterMs`, Sign in is clicked that long after it appears. */
async function timeToRequest(target, conditions, clickAfterMs = 0) {
  const context = await browser.newContext();
  const marks = {};
  await context.exposeFunction('__benchMark', (name, at) => (marks[name] ??= at));
  if (clickAfterMs) await context.addInitScript((after) => (window.__clickAfterMs = after), clickAfterMs);
  await context.addInitScript(inPage);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  if (conditions) await cdp.send('Network.emulateNetworkConditions', conditions);
  const urls = new Map();
  let start; // the document request: wall time, and wall minus monotonic
  const finished = {};
  const request = new Promise((resolve) => {
    cdp.on('Network.requestWillBeSent', (event) => {
      urls.set(event.requestId, event.request.url);
      if (!start && event.request.url === target.url) start = { wall: event.wallTime * 1000, offset: event.wallTime - event.timestamp };
      if (event.request.url.startsWith(`${authorizationEndpoint}?`)) resolve(event.wallTime * 1000);
    });
  });
  cdp.on('Network.loadingFinished', (event) => {
    const url = urls.get(event.requestId) ?? '';
    const at = (event.timestamp + (start?.offset ?? 0)) * 1000;
    const kind = url.endsWith('.wasm') || (url.startsWith(target.url) && url.endsWith('.js'))
      ? 'code'
      : url.endsWith('/config.json')
        ? 'config'
        : url.endsWith('/.well-known/openid-configuration')
          ? 'discovery'
          : undefined;
    if (kind) finished[kind] = Math.max(finished[kind] ?? 0, at);
  });
  page.goto(target.url).catch(() => {}); // the page leaves for the provider
  let timer;
  const sent = await Promise.race([
    request,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no authorization request from ${target.url}`)), 60_000);
    }),
  ]).finally(() => clearTimeout(timer));
  await context.close();
  const since = (at) => at - start.wall;
  return {
    request: since(sent),
    marks: Object.fromEntries(
      Object.entries({ ...finished, ...marks }).map(([name, at]) => [name, since(at)]),
    ),
  };
}

/** Ms from the start of the fetch of the redirect target (after the
 * provider's redirects) to the name painted, in the callback page's clock. */
async function sinceCallback(page) {
  const deadline = Date.now() + 60_000;
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

async function signInOnce(context, target) {
  const page = await context.newPage();
  await page.goto(target.url);
  await page.waitForURL(`${PROVIDER}/interaction/**`); // Sign in clicks itself
  if (await page.getByLabel('Username').count()) {
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('wonderland');
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.locator('[data-testid="user-name"]').waitFor();
  await page.close();
}

// As report.mjs takes it: the middle value, or the mean of the two middle ones.
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const results = { links: {} };
for (const [link, { runs, conditions }] of Object.entries(LINKS)) {
  const measured = Object.fromEntries(Object.keys(targets).map((key) => [key, { request: [], callback: [], click: [], marks: {} }]));
  // Runs alternate between ours and the peer, so that a busy moment on
  // this shared machine hits both alike.
  for (let run = 0; run < runs; run++) {
    for (const [key, target] of Object.entries(targets)) {
      const { request, marks } = await timeToRequest(target, conditions);
      measured[key].request.push(request);
      for (const [name, at] of Object.entries(marks)) (measured[key].marks[name] ??= []).push(at);
    }
  }
  // A person reads the page before clicking: by then each page has done
  // what it does ahead, and the click measures what is left.
  for (let run = 0; run < Math.ceil(runs / 2); run++) {
    for (const [key, target] of Object.entries(targets)) {
      const { request, marks } = await timeToRequest(target, conditions, CLICK_AFTER_MS);
      measured[key].click.push(request - marks.clicked);
    }
  }
  const signedIn = {};
  for (const [key, target] of Object.entries(targets)) {
    const context = await browser.newContext();
    await context.addInitScript(inPage);
    await signInOnce(context, target); // login and consent, once
    // The interactive path only: our app would otherwise restore the
    // session by itself on load.
    await context.addInitScript(() => localStorage.removeItem('oidc:demo-spa:had-session'));
    signedIn[key] = context;
  }
  for (let run = 0; run < runs; run++) {
    for (const [key, target] of Object.entries(targets)) {
      const page = await signedIn[key].newPage();
      if (conditions) await (await signedIn[key].newCDPSession(page)).send('Network.emulateNetworkConditions', conditions);
      await page.goto(target.url);
      measured[key].callback.push(await sinceCallback(page));
      if (key === 'ours' && link === 'local' && run === runs - 1) {
        results.wasmMemoryBytes = await page.evaluate(() => window.__wasmMemory?.buffer.byteLength);
      }
      await page.close();
    }
  }
  for (const context of Object.values(signedIn)) await context.close();
  for (const target of Object.values(measured)) {
    target.marks = Object.fromEntries(Object.entries(target.marks).map(([name, values]) => [name, median(values)]));
  }
  results.links[link] = measured;
}

// The API benchmark needs bearer tokens (a DPoP-bound one needs a fresh
// proof per request): one more sign-in of ours, with DPoP off.
{
  const context = await browser.newContext();
  await context.addInitScript(inPage);
  await context.route('**/config.json', async (route) => {
    const response = await route.fetch();
    route.fulfill({ response, json: { ...(await response.json()), dpop: 'off' } });
  });
  const page = await context.newPage();
  await page.goto(targets.ours.url);
  await page.waitForURL(`${PROVIDER}/interaction/**`);
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('wonderland');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const exchanged = page.waitForResponse((response) => response.url() === `${PROVIDER}/token`);
  await page.getByRole('button', { name: 'Allow' }).click();
  const body = await (await exchanged).json();
  results.accessToken = body.access_token;
  results.refreshToken = body.refresh_token;
  await sinceCallback(page);
  await context.close();
}
await browser.close();
console.log(JSON.stringify(results));
