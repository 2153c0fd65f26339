// Builds the oidc-client-ts peer page into peer/dist/ the way our release is
// deployed, so that the one static server treats both alike: the bundle
// minified and named by a hash of its bytes (cached for good by the server),
// index.html naming it, and brotli and gzip copies at the highest levels
// beside the bundle (as deploy-headers writes them for ours).
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const here = new URL('.', import.meta.url).pathname;
const out = `${here}peer/dist`;
rmSync(out, { recursive: true, force: true });
const result = await build({
  entryPoints: [`${here}peer/peer.js`],
  bundle: true,
  minify: true,
  format: 'esm',
  outdir: out,
  entryNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
});
const bundle = Object.keys(result.metafile.outputs).find((file) => file.endsWith('.js'));
const name = basename(bundle);
const html = readFileSync(`${here}peer/index.html`, 'utf8').replace('src="/peer.js"', `src="/${name}"`);
if (!html.includes(`/${name}`)) throw new Error('peer/index.html must load /peer.js');
writeFileSync(`${out}/index.html`, html);
const bytes = readFileSync(`${out}/${name}`);
writeFileSync(`${out}/${name}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 22 } }));
writeFileSync(`${out}/${name}.gz`, gzipSync(bytes, { level: 9 }));
console.log(name);
