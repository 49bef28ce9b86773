// Trunk post_build hook (Trunk.toml): makes Trunk's output in
// TRUNK_STAGING_DIR a static site that runs under a strict CSP and offline.
//
// 1. Moves the inline <script type="module"> that Trunk writes into index.html
//    to its own file, init.js, so the site runs under
//    `Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'` (which
//    forbids inline scripts). Its relative imports still resolve, since init.js
//    sits next to index.html.
// 2. Release builds with KAFKAPLAY_WASM_SPLIT set (`cargo xtask build` sets it
//    to the wasm-split it installed, and KAFKAPLAY_CHROME to the browser):
//    splits the wasm into a start-up module and the rest (split.mjs). Without
//    it, the site loads one wasm, as Trunk built it.
// 3. Release builds only (TRUNK_PROFILE=release): writes sw.js, the service
//    worker (from web/build/sw.js), with this build's files to precache and a
//    cache name that changes with their contents, and has init.js register it
//    once the app has started. `trunk serve` (a debug build) gets none: a
//    cache-first worker would show each rebuild only on the second reload.
//
// One hook does all three, in this order: Trunk runs the hooks of a stage concurrently.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) {
  console.error('post-build: TRUNK_STAGING_DIR is not set (run by trunk as a post_build hook)');
  process.exit(1);
}

// 1. The inline module script to init.js.
const indexPath = join(dir, 'index.html');
const html = readFileSync(indexPath, 'utf8');
const inline = /<script type="module">([\s\S]*?)<\/script>/;
const match = html.match(inline);
if (!match) {
  console.error('post-build: no inline module script in index.html');
  process.exit(1);
}
// Registered after the app started, so its download never competes with the
// page's own; a browser without service workers (or a blocked one) just runs online.
const release = process.env.TRUNK_PROFILE === 'release';
const register = !release ? '' : `
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register(new URL('./sw.js', import.meta.url)).catch(() => {});
}
`;
writeFileSync(join(dir, 'init.js'), match[1].trim() + '\n' + register);
writeFileSync(indexPath, html.replace(inline, '<script type="module" src="./init.js"></script>'));
console.log('post-build: moved the inline module script to init.js');

if (!release) {
  console.log(`post-build: no split, no service worker in a ${process.env.TRUNK_PROFILE ?? 'debug'} build`);
  process.exit(0);
}

// 2. The split.
const wasmSplit = process.env.KAFKAPLAY_WASM_SPLIT;
if (wasmSplit) {
  const { splitSite } = await import('./split.mjs');
  const xtask = process.env.KAFKAPLAY_XTASK;
  if (!xtask) {
    console.error('post-build: KAFKAPLAY_WASM_SPLIT without KAFKAPLAY_XTASK (`cargo xtask build` sets both)');
    process.exit(1);
  }
  await splitSite(dir, { wasmSplit, xtask, chrome: process.env.KAFKAPLAY_CHROME || '/usr/bin/chromium' });
} else {
  console.log('post-build: the wasm is not split (KAFKAPLAY_WASM_SPLIT is not set)');
}

// 3. The service worker.
function filesBelow(root) {
  const found = [];
  for (const name of readdirSync(root)) {
    if (name.startsWith('.')) continue;
    const path = join(root, name);
    if (statSync(path).isDirectory()) {
      found.push(...filesBelow(path));
    } else {
      found.push(relative(dir, path).split(sep).join('/'));
    }
  }
  return found;
}
const files = filesBelow(dir)
  .filter((file) => file !== 'sw.js')
  .sort();
const hash = createHash('sha256');
for (const file of files) {
  hash.update(file).update('\0').update(readFileSync(join(dir, file))).update('\0');
}
const cache = `kafkaplay-${hash.digest('hex').slice(0, 16)}`;
const template = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'sw.js'), 'utf8');
const urls = ['./', ...files.map((file) => `./${file}`)];
const sw = template
  .replace("'__KAFKAPLAY_CACHE__'", JSON.stringify(cache))
  .replace('__KAFKAPLAY_FILES__', JSON.stringify(urls, null, 2));
if (sw.includes('__KAFKAPLAY_')) {
  console.error('post-build: web/build/sw.js lost a placeholder');
  process.exit(1);
}
writeFileSync(join(dir, 'sw.js'), sw);
console.log(`post-build: sw.js precaches ${urls.length} URLs in cache ${cache}`);
