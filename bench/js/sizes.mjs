// Sizes of every file the browser downloads to show the signed-in app
// (from dist/), of each language file (downloaded only when chosen), of the
// peers' minified browser bundles and, if their dist folders are given, of
// the minimal example and of a Leptos hello-world built the same way (their
// difference is what the library costs an app): raw, gzip -9 and brotli
// quality 11. usage: node sizes.mjs DIST [MINIMAL_DIST HELLO_DIST]; prints JSON.
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

/** Every file the browser downloads from a dist folder. */
const downloaded = (dist) =>
  readdirSync(dist)
    // Not the host's own files (_headers, _redirects), nor the compressed
    // copies deploy-headers writes (measured here from the files themselves).
    .filter((name) => !/^[._]|\.(br|gz)$/.test(name) && statSync(join(dist, name)).isFile())
    .map((name) => ({ name, ...measure(readFileSync(join(dist, name))) }));
const total = (files) =>
  files.reduce((sum, file) => ({ raw: sum.raw + file.raw, gzip: sum.gzip + file.gzip, brotli: sum.brotli + file.brotli }), {
    raw: 0,
    gzip: 0,
    brotli: 0,
  });

const [dist, minimalDist, helloDist] = process.argv.slice(2);
const ours = downloaded(dist);
const library = minimalDist && { minimal: total(downloaded(minimalDist)), hello: total(downloaded(helloDist)) };
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
console.log(JSON.stringify({ ours, languages, peers, library }));
