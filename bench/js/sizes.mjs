// Sizes of every file the browser downloads to show the signed-in app
// (from dist/), of each language file (downloaded only when chosen), and of the peers' minified browser bundles: raw, gzip -9
// and brotli quality 11. Prints JSON.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { buildSync } from 'esbuild';

const measure = (bytes) => ({
  raw: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  brotli: brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  }).length,
});

const dist = process.argv[2];
const ours = readdirSync(dist)
  // Not the host's own files (_headers, _redirects): the browser never downloads them.
  .filter((name) => !name.startsWith('.') && !name.startsWith('_') && statSync(join(dist, name)).isFile())
  .map((name) => ({ name, ...measure(readFileSync(join(dist, name))) }));
// A language file is fetched only by someone who chooses that language.
const languageDir = join(dist, 'messages');
const languages = existsSync(languageDir)
  ? readdirSync(languageDir).map((name) => ({ name: `messages/${name}`, ...measure(readFileSync(join(languageDir, name))) }))
  : [];

const here = new URL('.', import.meta.url).pathname;
const modules = join(here, 'node_modules');
// keycloak-js ships unminified ESM: minify it as a user's bundler would.
const keycloak = buildSync({
  entryPoints: [join(modules, 'keycloak-js/lib/keycloak.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  write: false,
}).outputFiles[0].contents;
const peers = [
  { name: 'oidc-client-ts 3.5.0', ...measure(readFileSync(join(modules, 'oidc-client-ts/dist/browser/oidc-client-ts.min.js'))) },
  { name: 'auth0-spa-js 2.28.3', ...measure(readFileSync(join(modules, '@auth0/auth0-spa-js/dist/auth0-spa-js.production.js'))) },
  { name: 'keycloak-js 26.2.4', ...measure(Buffer.from(keycloak)) },
];
console.log(JSON.stringify({ ours, languages, peers }));
