// Prints the benchmark table from the JSON results in the given folder.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const read = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
const sizes = read('sizes.json');
const timing = read('timing.json');
const api = read('api.json');
const micro = read('micro.json');

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value) => `${value.toFixed(1)} ms`;
const ratio = (ours, peer) => (ours / peer).toFixed(2);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const spread = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `p10 ${at(0.1).toFixed(0)} / p90 ${at(0.9).toFixed(0)}`;
};
const row = (cells) => `| ${cells.join(' | ')} |`;
const lines = [];

lines.push('## 1. Download size (every file of the signed-in app)', '');
lines.push(row(['File', 'raw', 'gzip -9', 'brotli 11']), row(['---', '---:', '---:', '---:']));
const total = { raw: 0, gzip: 0, brotli: 0 };
for (const file of sizes.ours) {
  lines.push(row([file.name, kb(file.raw), kb(file.gzip), kb(file.brotli)]));
  for (const k of Object.keys(total)) total[k] += file[k];
}
lines.push(row(['**whole app**', kb(total.raw), kb(total.gzip), `**${kb(total.brotli)}**`]));
for (const file of sizes.languages ?? []) {
  lines.push(row([`${file.name} (only if chosen)`, kb(file.raw), kb(file.gzip), kb(file.brotli)]));
}
lines.push('');
lines.push(row(['Peer (library alone)', 'raw', 'gzip -9', 'brotli 11', 'ours / peer (brotli)']), row(['---', '---:', '---:', '---:', '---:']));
for (const peer of sizes.peers) {
  lines.push(row([peer.name, kb(peer.raw), kb(peer.gzip), kb(peer.brotli), ratio(total.brotli, peer.brotli)]));
}
lines.push('', `Target: whole app ≤ 60 KB brotli → ${total.brotli <= 60 * 1024 ? 'met' : 'NOT met'} (${kb(total.brotli)}).`, '');
if (sizes.library) {
  const { minimal, hello } = sizes.library;
  lines.push(
    `The library's own cost: the minimal example (examples/minimal) is ${kb(minimal.brotli)} brotli, a Leptos hello-world ` +
      `built the same way (bench/hello-leptos: one button, one signal) ${kb(hello.brotli)}: ` +
      `**${kb(minimal.brotli - hello.brotli)}** for sign-in, session, DPoP and API calls.`,
    '',
  );
}

const links = timing.links;
const firstLink = Object.values(links)[0];
lines.push(`## 2. Time (headless Chromium; both pages served by Caddy as deployed: content-named files cached for good and sent brotli-compressed)`, '');
lines.push(
  '- **To the sign-in request:** navigation start to the request to the authorization endpoint leaving, with Sign in clicked the moment it appears (empty cache).',
  '- **Redirect → name painted:** the provider\'s redirect back to the name shown (code exchange and ID-token checks included; the page\'s files cached).',
  '- **Sign in clicked 1 s after it shows → request:** what a person who reads the page first waits for after the click (half as many runs; no target).',
  `- **Links:** local; and slow, Chromium's network emulation at 1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip, where the target is ≤ 1.25× (a 60 KB app against the peer's 17 KB spends about 200 ms more on bytes alone there). ` +
    `${firstLink.ours.request.length} runs each on the local link, ${links.slow?.ours.request.length ?? 0} on the slow one, alternating ours and the peer.`,
  '',
);
lines.push(row(['Measure', 'link', 'ours median', 'ours spread', 'oidc-client-ts median', 'peer spread', 'ratio', 'target']), row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---']));
const timeVerdicts = [];
for (const [link, measured] of Object.entries(links)) {
  const limit = link === 'slow' ? 1.25 : 1;
  for (const [key, label] of [['request', 'to the sign-in request'], ['callback', 'redirect → name painted']]) {
    const o = median(measured.ours[key]);
    const p = median(measured.peer[key]);
    const met = o / p <= limit;
    timeVerdicts.push(met);
    lines.push(row([label, link, ms(o), spread(measured.ours[key]), ms(p), spread(measured.peer[key]), ratio(o, p), `≤ ${limit.toFixed(2)}: ${met ? 'met' : 'NOT met'}`]));
  }
  if (measured.ours.click?.length) {
    const [o, p] = [median(measured.ours.click), median(measured.peer.click)];
    lines.push(row(['Sign in clicked 1 s after it shows → request', link, ms(o), spread(measured.ours.click), ms(p), spread(measured.peer.click), ratio(o, p), 'printed']));
  }
}
lines.push('', `Target: every ratio within its limit → ${timeVerdicts.every(Boolean) ? 'met' : 'NOT met'}.`, '');
const markNames = ['code', 'config', 'discovery', 'instantiated', 'shown', 'request'];
const markLabels = {
  code: 'js + wasm downloaded',
  config: 'config.json downloaded',
  discovery: 'discovery document downloaded',
  instantiated: 'wasm instantiated',
  shown: 'Sign in shown (and clicked)',
  request: 'authorization request sent',
};
lines.push('Where the time goes before the sign-in request (medians, ms since navigation start):', '');
lines.push(row(['Mark', ...Object.keys(links).flatMap((link) => [`ours, ${link}`, `peer, ${link}`])]), row(['---', ...Object.keys(links).flatMap(() => ['---:', '---:'])]));
for (const name of markNames) {
  const cell = (measured) =>
    name === 'request' ? median(measured.request).toFixed(0) : measured.marks[name] === undefined ? '–' : measured.marks[name].toFixed(0);
  lines.push(row([markLabels[name], ...Object.values(links).flatMap((measured) => [cell(measured.ours), cell(measured.peer)])]));
}
lines.push('', `The app's wasm linear memory after sign-in: ${(timing.wasmMemoryBytes / 1024 / 1024).toFixed(2)} MB.`, '');

lines.push(`## 3. API throughput (wrk, ${api.connections} connections, ${api.seconds} s each)`, '');
lines.push(row(['Server', 'requests/s', 'p50', 'p99', 'errors']), row(['---', '---:', '---:', '---:', '---:']));
const apiRow = (label, r) => row([label, r.rps.toFixed(0), r.p50, r.p99, r.errors]);
const peerName = 'FastAPI[standard] 0.165 + PyJWT (uvicorn with uvloop + httptools, 2 workers), same checks';
lines.push(apiRow(`**ours, Bearer, ${api.tokens} distinct tokens in rotation** (axum + jsonwebtoken, no cache)`, api.ours_many));
lines.push(apiRow(`**peer, Bearer, ${api.tokens} distinct tokens in rotation**: ${peerName}, no cache`, api.peer_many));
lines.push(apiRow('ours, Bearer, one token repeated', api.ours));
lines.push(apiRow('peer, Bearer, one token repeated', api.peer));
lines.push(apiRow(`ours, ${api.tokens} tokens, **1,000 connections**`, api.ours_1000_connections));
lines.push(apiRow(`ours, DPoP: the bound token, a distinct ES256 proof per request (${api.dpop_proofs} signed ahead)`, api.dpop));
lines.push(apiRow(`ours, ${api.tokens} tokens, **verified-token cache on** (10,000 entries; exp, scope and proofs still checked per request)`, api.ours_cached));
lines.push(apiRow(`peer, ${api.tokens} tokens, **functools.lru_cache on the token** (10,000 entries; exp still checked per request)`, api.peer_cached));
lines.push(apiRow('floor: ours at /healthz (same header, no check)', api.floor));
const pacedRate = Math.round((api.connections * 1000) / api.pause_ms);
lines.push(apiRow(`ours, ${api.tokens} tokens, paced: each connection pauses ${api.pause_ms} ms between requests (≤ ${pacedRate}/s)`, api.ours_paced));
lines.push(apiRow('floor, paced the same', api.floor_paced));
const mainRatio = api.ours_many.rps / api.peer_many.rps;
const oneTokenRatio = api.ours.rps / api.peer.rps;
const dpopToPeer = api.dpop.rps / api.peer_many.rps;
const dpopToBearer = api.dpop.rps / api.ours_many.rps;
const unitMs = { us: 0.001, ms: 1, s: 1000 };
const p99ms = (text) => parseFloat(text) * (unitMs[text.replace(/[\d.]/g, '')] ?? NaN);
const verdict = (ok) => (ok ? 'met' : 'NOT met');
// Every row: a ratio against a peer or floor that refused requests would mean nothing.
const errors = Object.values(api)
  .filter((value) => typeof value === 'object' && value !== null && 'errors' in value)
  .reduce((sum, row) => sum + row.errors, 0);
const rssGrowth = api.rss_after_dpop_kb - api.rss_before_dpop_kb;
const bytesPerProof = (rssGrowth * 1024) / Math.max(1, api.dpop.requests);
const mb = (kbytes) => `${(kbytes / 1024).toFixed(1)} MB`;
lines.push(
  '',
  `Targets: ${api.tokens} tokens, no cache on either side, ≥ 6× the peer → ${verdict(mainRatio >= 6)} (${mainRatio.toFixed(1)}×; one token repeated: ${oneTokenRatio.toFixed(1)}×); ` +
    `zero errors in every row → ${verdict(errors === 0)}; ` +
    `p99 within 1 ms of the floor's: at full load → ${verdict(p99ms(api.ours_many.p99) - p99ms(api.floor.p99) <= 1)} (${api.ours_many.p99} vs ${api.floor.p99}), ` +
    `at the paced rate → ${verdict(p99ms(api.ours_paced.p99) - p99ms(api.floor_paced.p99) <= 1)} (${api.ours_paced.p99} vs ${api.floor_paced.p99}).`,
  'At full load wrk sends the next request as soon as an answer comes, so latency is mostly waiting in line (64 connections / requests per second); ' +
    'the paced rows give both routes the same moderate load, which shows what one check adds.',
  `DPoP targets: ≥ 3× the peer's Bearer → ${verdict(dpopToPeer >= 3)} (${dpopToPeer.toFixed(1)}×); ` +
    `≥ half of ours with Bearer → ${verdict(dpopToBearer >= 0.5)} (${dpopToBearer.toFixed(2)}×).`,
  `Every DPoP request had a proof of its own → ${verdict(api.dpop.requests <= api.dpop_proofs)} ` +
    `(${api.dpop.requests} requests, ${api.dpop_proofs} proofs signed in ${api.dpop_signing_seconds} s; ` +
    'past the last proof wrk would replay, and the API refuse, them).',
  `With a verified-token cache on both sides: ≥ 10× the peer → ${verdict(api.ours_cached.rps / api.peer_cached.rps >= 10)} ` +
    `(${(api.ours_cached.rps / api.peer_cached.rps).toFixed(1)}×; ours ${(api.ours_cached.rps / api.ours_many.rps).toFixed(1)}× itself without the cache); ` +
    `its p99 within 1 ms of the floor's at full load → ${verdict(p99ms(api.ours_cached.p99) - p99ms(api.floor.p99) <= 1)} (${api.ours_cached.p99} vs ${api.floor.p99}).`,
  'Every other row: no verified-token cache on either side, so every request checks its token\'s signature.',
  'The floor row is the same load on a route that does nothing: what wrk and this machine allow at all.',
  '',
  `**Memory** (the API's RSS): idle ${mb(api.rss_idle_kb)}; under ${api.connections} connections ${mb(api.rss_64_kb)}; ` +
    `under 1,000 connections ${mb(api.rss_1000_kb)}; with the cache on, after the ${api.tokens}-token load ${mb(api.rss_cached_kb)}. ` +
    `DPoP replay cache (rough: RSS grows in steps): ${mb(api.rss_before_dpop_kb)} before, ${mb(api.rss_after_dpop_kb)} after ` +
    `${api.dpop.requests} proofs (about ${bytesPerProof.toFixed(0)} bytes each); an entry leaves once its proof is too old to be accepted (60 s after its iat).`,
  '',
);

lines.push('## 4. One validation, and one DPoP proof check, against their signature checks (criterion, median)', '');
lines.push(row(['Work', 'time']), row(['---', '---:']));
lines.push(row(['access-token validation (all checks)', `${micro.validation_us.toFixed(1)} µs`]));
lines.push(row(['bare RS256 signature check inside it', `${micro.signature_us.toFixed(1)} µs`]));
lines.push(row(['one DPoP proof check (ES256, every step of RFC 9449 §4.3, replay cache included)', `${micro.dpop_proof_us.toFixed(1)} µs`]));
lines.push(row(['bare ES256 signature check inside it', `${micro.es256_us.toFixed(1)} µs`]));
lines.push('', `The signature is ${((micro.signature_us / micro.validation_us) * 100).toFixed(0)}% of a validation.`);
console.log(lines.join('\n'));
