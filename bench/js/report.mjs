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

lines.push(`## 2. Time to signed-in (headless Chromium, ${timing.ours.cold.length} runs each)`, '');
lines.push(row(['Measure', 'ours median', 'ours spread', 'oidc-client-ts median', 'peer spread', 'ratio']), row(['---', '---:', '---:', '---:', '---:', '---:']));
for (const [key, label] of [['cold', 'cold start → Sign in shown'], ['callback', 'redirect to app → name painted']]) {
  const o = median(timing.ours[key]);
  const p = median(timing.peer[key]);
  lines.push(row([label, ms(o), spread(timing.ours[key]), ms(p), spread(timing.peer[key]), ratio(o, p)]));
}
const ratios = ['cold', 'callback'].map((key) => median(timing.ours[key]) / median(timing.peer[key]));
lines.push('', `Target: ratio ≤ 1.00 on both → ${ratios.every((r) => r <= 1) ? 'met' : 'NOT met'}.`, '');

lines.push(`## 3. API throughput (wrk, ${api.connections} connections, ${api.seconds} s each)`, '');
lines.push(row(['Server', 'requests/s', 'p50', 'p99', 'errors']), row(['---', '---:', '---:', '---:', '---:']));
const apiRow = (label, r) => row([label, r.rps.toFixed(0), r.p50, r.p99, r.errors]);
lines.push(apiRow('ours, Bearer (axum + jsonwebtoken), one token repeated', api.ours));
lines.push(apiRow('peer, Bearer: FastAPI[standard] 0.165 + PyJWT (uvicorn, uvloop + httptools, 2 workers), same checks', api.peer));
lines.push(apiRow(`ours, DPoP: the bound token, a distinct ES256 proof per request (${api.dpop_proofs} signed ahead)`, api.dpop));
lines.push(apiRow('floor: ours at /healthz (same header, no check)', api.floor));
const apiRatio = api.ours.rps / api.peer.rps;
const dpopToPeer = api.dpop.rps / api.peer.rps;
const dpopToBearer = api.dpop.rps / api.ours.rps;
const unitMs = { us: 0.001, ms: 1, s: 1000 };
const p99ms = (text) => parseFloat(text) * (unitMs[text.replace(/[\d.]/g, '')] ?? NaN);
const verdict = (ok) => (ok ? 'met' : 'NOT met');
const rssGrowth = api.rss_after_dpop_kb - api.rss_before_dpop_kb;
const bytesPerProof = (rssGrowth * 1024) / Math.max(1, api.dpop.requests);
lines.push(
  '',
  `Targets: Bearer ≥ 6× the peer → ${verdict(apiRatio >= 6)} (${apiRatio.toFixed(1)}×); ` +
    `zero errors → ${verdict(api.ours.errors === 0 && api.dpop.errors === 0)}; ` +
    `p99 within 1 ms of the floor's → ${verdict(p99ms(api.ours.p99) - p99ms(api.floor.p99) <= 1)} (${api.ours.p99} vs ${api.floor.p99}).`,
  `DPoP targets: ≥ 3× the peer's Bearer → ${verdict(dpopToPeer >= 3)} (${dpopToPeer.toFixed(1)}×); ` +
    `≥ half of ours with Bearer → ${verdict(dpopToBearer >= 0.5)} (${dpopToBearer.toFixed(2)}×).`,
  `Every DPoP request had a proof of its own → ${verdict(api.dpop.requests <= api.dpop_proofs)} ` +
    `(${api.dpop.requests} requests, ${api.dpop_proofs} proofs signed in ${api.dpop_signing_seconds} s; ` +
    'past the last proof wrk would replay, and the API refuse, them).',
  `Replay cache at that rate (rough: the process's RSS, which grows in steps): ${(api.rss_before_dpop_kb / 1024).toFixed(1)} MB before, ` +
    `${(api.rss_after_dpop_kb / 1024).toFixed(1)} MB after ${api.dpop.requests} proofs (about ${bytesPerProof.toFixed(0)} bytes each); ` +
    'an entry leaves once its proof is too old to be accepted (60 s after its iat).',
  'The floor row is the same load on a route that does nothing: what wrk and this machine allow at all.',
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
