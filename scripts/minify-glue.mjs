// trunk post_build hook (Trunk.toml): in a release build, minifies
// wasm-bindgen's js glue with esbuild (trunk's own js minifier cannot parse
// it) and puts the new file's hash into index.html's integrity attribute.
// Does nothing in a debug build.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

if (process.env.TRUNK_PROFILE !== 'release') process.exit(0);
const { transformSync } = createRequire(new URL('../tools/package.json', import.meta.url))('esbuild');

const fail = (message) => {
  console.error(`minify-glue: ${message}`);
  process.exit(1);
};
const staging = process.env.TRUNK_STAGING_DIR ?? fail('TRUNK_STAGING_DIR is not set: run me as a trunk hook');
const indexPath = join(staging, 'index.html');
let index = readFileSync(indexPath, 'utf8');
// trunk's loader: import init, * as bindings from '<public url><name>.js';
const publicUrl = (process.env.TRUNK_PUBLIC_URL ?? '/').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const loader = new RegExp(`import init, \\* as bindings from '${publicUrl}([^'/]+\\.js)'`);
const glueName = index.match(loader)?.[1] ?? fail('no trunk loader in index.html');
const gluePath = join(staging, glueName);
const original = readFileSync(gluePath);
const minified = Buffer.from(transformSync(original.toString('utf8'), { minify: true, format: 'esm', loader: 'js' }).code);
const integrity = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
const [before, after] = [integrity(original), integrity(minified)];
if (index.split(before).length !== 2) fail(`index.html should name ${glueName}'s integrity (${before}) once`);
index = index.replace(before, after);
writeFileSync(gluePath, minified);
writeFileSync(indexPath, index);
console.log(`minify-glue: ${glueName} ${original.length} -> ${minified.length} bytes`);
