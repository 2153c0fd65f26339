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

lines.push(`## 3. API throughput (wrk, ${api.connections} connections, ${api.seconds} s, same token)`, '');
lines.push(row(['Server', 'requests/s', 'p50', 'p99', 'errors']), row(['---', '---:', '---:', '---:', '---:']));
lines.push(row(['ours (axum + jsonwebtoken)', api.ours.rps.toFixed(0), api.ours.p50, api.ours.p99, api.ours.errors]));
lines.push(row(['peer (FastAPI + uvicorn + PyJWT)', api.peer.rps.toFixed(0), api.peer.p50, api.peer.p99, api.peer.errors]));
lines.push(row(['floor: ours at /healthz (no token, no check)', api.floor.rps.toFixed(0), api.floor.p50, api.floor.p99, api.floor.errors]));
const apiRatio = api.ours.rps / api.peer.rps;
const p99ms = (text) => parseFloat(text) * ({ us: 0.001, ms: 1, s: 1000 }[text.replace(/[\d.]/g, '')] ?? NaN);
const verdict = (ok) => (ok ? 'met' : 'NOT met');
lines.push(
  '',
  `Targets: ≥ 20× the peer's requests/s → ${verdict(apiRatio >= 20)} (${apiRatio.toFixed(1)}×); ` +
    `zero errors → ${verdict(api.ours.errors === 0)}; p99 < 2 ms → ${verdict(p99ms(api.ours.p99) < 2)} (${api.ours.p99}).`,
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
