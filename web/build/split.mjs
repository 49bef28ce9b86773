// Splits the release site's wasm in two with Binaryen's wasm-split, guided by
// a profile of what the page runs at start-up (called by post-build.mjs when
// KAFKAPLAY_WASM_SPLIT names a wasm-split; `cargo xtask build` sets it, and
// KAFKAPLAY_XTASK to its own binary, which does a step of it).
//
// 1. `wasm-split --instrument`: a copy of the wasm that records which
//    functions ran.
// 2. That copy runs in headless Chromium (playwright-core from tests/e2e, the
//    browser from KAFKAPLAY_CHROME) from a copy of the site served here, in
//    the ways a page starts (`RUNS`), each until its cluster view is up and a
//    few seconds more with the cluster running. Their profiles are merged.
// 3. `wasm-split --profile`: the start-up module keeps the functions that
//    ran; the rest go to a second module, which split-loader.js fetches once
//    the app's first render is painted (see there for how a function of it
//    runs before then). `cargo xtask split-trampolines` then moves the
//    start-up module's calls into the rest out of the functions that make
//    them (crates/xtask/src/trampolines.rs).
// 4. The site is rewritten to load both: the two modules under names with
//    their contents' hashes, init.js with split-loader.js in it calling it,
//    and index.html preloading the start-up module.
//
// The profile belongs to the exact wasm it was taken from, so it is taken
// again at every build.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');

/** The features rustc and wasm-bindgen use in the site's build (no reference types: toolchain.rs). */
export const FEATURES = [
  '--enable-bulk-memory',
  '--enable-sign-ext',
  '--enable-nontrapping-float-to-int',
  '--enable-mutable-globals',
  '--enable-multivalue',
];

/**
 * The profiling runs: the ways a page starts. Each is a page that runs for
 * `ms` after its cluster view is up; `reload` reloads the page before, which
 * restores the playground that it saved in IndexedDB. The first run asks for
 * Korean, a seed and a broker count in the URL; the last, in a new browser
 * context, is English with no parameters. A start the runs miss (a shared
 * link's replay, say) still works, loading the rest on demand.
 */
const RUNS = [
  { name: 'ko-seed', query: '?lang=ko&seed=7&brokers=3', ms: 5000 },
  { name: 'reload', reload: true, ms: 3000 },
  { name: 'en', query: '?lang=en', ms: 3000 },
];

/** Serves `dir` at http://127.0.0.1:<port>/ until `close()`. */
export function serve(dir) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

/** The first 16 hex digits of the SHA-256 of `bytes`, for file names. */
function shortHash(bytes) {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

/** Gzipped size (level 9, as the benchmarks measure). */
export function gzSize(bytes) {
  return gzipSync(bytes, { level: 9 }).length;
}

export function kb(bytes) {
  return `${(bytes / 1000).toFixed(0)} KB`;
}

/** Runs Binaryen's wasm-split with the build's features. */
function wasmSplitRun(wasmSplit, args) {
  execFileSync(wasmSplit, [...FEATURES, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** `wasm-split --instrument`: a copy of `original` at `out` that records which functions run. */
export function instrument(wasmSplit, original, out) {
  wasmSplitRun(wasmSplit, ['--instrument', original, '-o', out]);
}

/**
 * Reads the profile out of an instrumented module's exports (`__write_profile`
 * writes it into the module's memory, at a place `__wbindgen_malloc` gave).
 * Runs in the page: pass it to `page.evaluate` with the exports' global name.
 */
export function readProfileInPage(name) {
  const wasm = globalThis[name];
  const room = 1 << 20;
  const at = wasm.__wbindgen_malloc(room, 1);
  const size = wasm.__write_profile(at, room);
  if (size > room) throw new Error(`the profile needs ${size} bytes`);
  return Array.from(new Uint8Array(wasm.memory.buffer, at, size));
}

/**
 * Merges `profiles`, splits `original` by them into `work/primary.wasm` (the
 * functions that ran) and `work/secondary.wasm` (the rest), then moves the
 * primary's calls into the rest out of the functions that make them
 * (`cargo xtask split-trampolines`, crates/xtask/src/trampolines.rs says why).
 */
export function splitByProfiles({ wasmSplit, xtask, original, profiles, work }) {
  const merged = join(work, 'merged.prof');
  wasmSplitRun(wasmSplit, ['--merge-profiles', ...profiles, '-o', merged]);
  const primaryOut = join(work, 'primary.wasm');
  const secondaryOut = join(work, 'secondary.wasm');
  wasmSplitRun(wasmSplit, [
    '--profile',
    merged,
    original,
    '-o1',
    primaryOut,
    '-o2',
    secondaryOut,
    '--export-prefix=%',
    // split-loader.js gives this import module; trampolines.rs looks for it.
    '--placeholder-namespace=placeholder',
  ]);
  execFileSync(xtask, ['split-trampolines', primaryOut, primaryOut], { stdio: ['ignore', 'inherit', 'inherit'] });
  return { primaryOut, secondaryOut };
}

/** Headless Chromium (`chrome`) through playwright-core from tests/e2e, with the e2e tests' flags. */
export async function launchBrowser(chrome) {
  const require = createRequire(join(repoRoot, 'tests', 'e2e', 'package.json'));
  const { chromium } = require('playwright-core');
  const { chromeArgs } = await import('../../tests/e2e/browser.mjs');
  return chromium.launch({ executablePath: chrome, headless: true, args: chromeArgs });
}

/**
 * Runs the instrumented site in `copy` in headless Chromium; writes one
 * profile file per run into `work` and returns their paths.
 */
async function profile(copy, work, chrome) {
  const server = await serve(copy);
  const browser = await launchBrowser(chrome);
  const files = [];
  try {
    let page;
    const errors = [];
    for (const run of RUNS) {
      if (!run.reload) {
        await page?.context().close();
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
        page = await context.newPage();
        page.on('pageerror', (e) => errors.push(e.message));
        // Trunk's loader hands the wasm's exports to this event.
        await page.addInitScript(() => {
          addEventListener('TrunkApplicationStarted', (event) => {
            globalThis.__kafkaplayWasm = event.detail.wasm;
          });
        });
        await page.goto(`http://127.0.0.1:${server.address().port}/${run.query}`);
      } else {
        await page.reload();
      }
      await page
        .getByTestId('node-1000')
        .getByTestId('active-controller')
        .waitFor({ timeout: 60_000 })
        .catch((e) => {
          throw new Error(`split: the instrumented page did not start (${run.name}): ${errors.join('; ') || e.message}`);
        });
      await page.waitForTimeout(run.ms);
      const bytes = await page.evaluate(readProfileInPage, '__kafkaplayWasm');
      if (errors.length) throw new Error(`split: the instrumented page failed (${run.name}): ${errors.join('; ')}`);
      const file = join(work, `${run.name}.prof`);
      writeFileSync(file, Uint8Array.from(bytes));
      files.push(file);
    }
  } finally {
    await browser.close();
    server.close();
  }
  return files;
}

/** Splits the wasm of the built site in `dir` (Trunk's staging dir) in place. */
export async function splitSite(dir, { wasmSplit, xtask, chrome }) {
  const wasmName = readdirSync(dir).find((f) => f.endsWith('_bg.wasm'));
  if (!wasmName) throw new Error(`split: no *_bg.wasm in ${dir}`);
  const work = mkdtempSync(join(tmpdir(), 'kafkaplay-split-'));
  try {
    const original = join(dir, wasmName);

    // 1. The instrumented copy of the site.
    const copy = join(work, 'site');
    cpSync(dir, copy, { recursive: true });
    instrument(wasmSplit, original, join(copy, wasmName));
    // Its wasm differs from what index.html's preload link vouches for.
    const index = readFileSync(join(copy, 'index.html'), 'utf8').replace(/ integrity="[^"]*"/g, '');
    writeFileSync(join(copy, 'index.html'), index);

    // 2. The profiles. 3. The split.
    const profiles = await profile(copy, work, chrome);
    const { primaryOut, secondaryOut } = splitByProfiles({ wasmSplit, xtask, original, profiles, work });

    // 4. The site that loads both.
    const primary = readFileSync(primaryOut);
    const secondary = readFileSync(secondaryOut);
    const stem = wasmName.replace(/-[0-9a-f]+_bg\.wasm$/, '');
    const primaryName = `${stem}-${shortHash(primary)}_bg.wasm`;
    const secondaryName = `${stem}-${shortHash(secondary)}_split.wasm`;
    rmSync(original);
    writeFileSync(join(dir, primaryName), primary);
    writeFileSync(join(dir, secondaryName), secondary);

    const initPath = join(dir, 'init.js');
    const init = readFileSync(initPath, 'utf8');
    const call = /await init\(\{ module_or_path: '([^']+)' \}\)/;
    if (!call.test(init)) throw new Error(`split: init.js has no \`await init({ module_or_path: '…' })\` to replace`);
    const loader = readFileSync(join(here, 'split-loader.js'), 'utf8');
    writeFileSync(
      initPath,
      init.replace(
        call,
        `await initSplit(init, new URL('./${primaryName}', import.meta.url), new URL('./${secondaryName}', import.meta.url))`,
      ) + `\n${loader}`,
    );

    const indexPath = join(dir, 'index.html');
    const html = readFileSync(indexPath, 'utf8');
    const preload = new RegExp(`href="\\./${wasmName.replace(/\./g, '\\.')}"([^>]*?) integrity="[^"]*"`);
    if (!preload.test(html)) throw new Error(`split: index.html has no preload link for ${wasmName}`);
    const integrity = `sha384-${createHash('sha384').update(primary).digest('base64')}`;
    writeFileSync(indexPath, html.replace(preload, `href="./${primaryName}"$1 integrity="${integrity}"`));

    console.log(
      `split: ${wasmName} (${kb(statSync(join(copy, wasmName)).size)} instrumented) into ${primaryName} ` +
        `(${kb(primary.length)}, ${kb(gzSize(primary))} gzipped) for start-up and ${secondaryName} ` +
        `(${kb(secondary.length)}, ${kb(gzSize(secondary))} gzipped) after it`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
