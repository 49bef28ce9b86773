// Splits the docs widget's wasm (dist/widget/, `cargo xtask build`) in two,
// as split.mjs does the site's: a start-up module with every function that
// the example page's widgets called in a profiling run, and the rest.
//
// The difference is when the rest comes. A docs page that only shows its
// widgets should download only what they run, so the loader
// (web/widget/kafkaplay-widget.js) fetches the rest only when the reader
// starts to use a widget (a pointer or key inside it, a `run()`), or at once
// for a widget whose options need it (`persist`, `lesson`), and a function
// outside the profile that runs before then loads it synchronously
// (split-loader.js, `prefetch: 'when-asked'`).
//
// Usage (`cargo xtask build` runs it when `install` built wasm-split; the
// environment is the release build's, see crates/xtask/src/toolchain.rs):
//   KAFKAPLAY_WASM_SPLIT=… KAFKAPLAY_XTASK=… KAFKAPLAY_CHROME=… node web/build/split-widget.mjs dist/widget
//
// It rewrites, in that directory: kafkaplay_widget_bg.wasm (the start-up
// module), kafkaplay_widget_rest.wasm (new), and the loader's
// `const SPLIT = null;` line, which names the rest.

import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fastClock } from './fast-clock.mjs';
import { FEATURES, gzSize, instrument, kb, launchBrowser, readProfileInPage, serve, splitByProfiles } from './split.mjs';

const WASM = 'kafkaplay_widget_bg.wasm';
const REST = 'kafkaplay_widget_rest.wasm';
const LOADER = 'kafkaplay-widget.js';
const SPLIT_LINE = 'const SPLIT = null;';
/** How fast the profiling page's clock runs once its widgets are up. */
const TIME_SCALE = 20;
/**
 * Simulated seconds each widget of the profiling page runs: past the
 * 5-minute timers and the trace filling its ring (about 10 minutes, then
 * each new line drops the oldest).
 */
const IDLE_SIM_S = 700;
/** Functions kept in the start-up module by name: float formatting's fallback, which some values take. */
const KEEP = ['::num::imp::flt2dec::', '::num::imp::bignum::'];

/**
 * What the profile covers: what the example page's three widgets run until a
 * reader uses one (a terminal with the built-in scenario's commands; cluster
 * and messages in Korean, dark; the scripted one's `--list`), and then their
 * clusters running on their own: the brokers' and controllers' periodic
 * work (ISR expiry every 15 s, log flush every 30 s, retention and leader
 * balance every 5 minutes), for which the page's clock runs TIME_SCALE
 * times as fast (fast-clock.mjs) until each widget's clock is past
 * IDLE_SIM_S. A reader who only looks, for that long, never needs the
 * rest. What follows a click or typing (faults, typed commands) comes from
 * the rest, fetched from the reader's first pointer or key in a widget: the
 * loader holds a click until it is in (a kill's own handler would otherwise
 * load it on the spot), and `run()` waits for it.
 */
async function exercise(page) {
  for (const id of ['leaders', 'rf1', 'scripted']) {
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    await page.locator(`#${id} [data-testid=widget]`).waitFor({ timeout: 60_000 });
  }
  await page.waitForTimeout(3000);
  await page.evaluate((scale) => globalThis.__kafkaplayTimeScale(scale), TIME_SCALE);
  const clocks = () =>
    page.evaluate(() =>
      ['leaders', 'rf1', 'scripted'].map((id) =>
        parseFloat(document.getElementById(id).shadowRoot.querySelector('[data-testid=widget-clock]').textContent),
      ),
    );
  const end = Date.now() + 300_000;
  while (Math.min(...(await clocks())) < IDLE_SIM_S) {
    if (Date.now() > end) throw new Error(`the widgets' clocks reached only ${await clocks()} s`);
    await page.waitForTimeout(1000);
  }
  console.log(`split-widget: profiled the example page to ${(await clocks()).join(', ')} s of simulated time`);
}

/** In the page: the touched bytes (`__kafkaplayTouched`) as `START END` lines, END exclusive. */
function touchedRanges() {
  const touched = globalThis.__kafkaplayTouched;
  const lines = [];
  let start = -1;
  for (let i = 0; i <= touched.length; i++) {
    const on = i < touched.length && touched[i] === 1;
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      lines.push(`${start} ${i}`);
      start = -1;
    }
  }
  return lines.join('\n');
}

/** Splits the widget build in `dir` in place. */
export async function splitWidget(dir, { wasmSplit, xtask, chrome }) {
  const loaderPath = join(dir, LOADER);
  const loader = readFileSync(loaderPath, 'utf8');
  if (!loader.includes(SPLIT_LINE)) throw new Error(`split-widget: ${loaderPath} has no \`${SPLIT_LINE}\``);
  const work = mkdtempSync(join(tmpdir(), 'kafkaplay-split-widget-'));
  try {
    const original = join(work, WASM);
    cpSync(join(dir, WASM), original);

    // 1. The instrumented copy of the widget's directory: it records which
    // functions run (wasm-split) and, to check `split-data` against, which
    // bytes every load and store touches (Binaryen's --instrument-memory: each
    // calls an import, `env.load_ptr(id, bytes, offset, address)` and the
    // like, which the page below provides).
    const copy = join(work, 'widget');
    cpSync(dir, copy, { recursive: true });
    instrument(wasmSplit, original, join(copy, WASM));
    execFileSync('wasm-opt', [...FEATURES, '--instrument-memory', join(copy, WASM), '-o', join(copy, WASM)], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });

    // 2. The profile: the loader gives the page no handle on the wasm's
    // exports, so the instance is caught where the glue instantiates it.
    const server = await serve(copy);
    const browser = await launchBrowser(chrome);
    const profile = join(work, 'example.prof');
    const touchedFile = join(work, 'touched');
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.addInitScript(fastClock);
      await page.addInitScript(() => {
        // Each byte of the first 16 MB (the static data starts at 1 MB) a
        // load or a store touched. The other hooks return their last
        // argument: the value loaded or stored, unchanged.
        const touched = new Uint8Array(1 << 24);
        globalThis.__kafkaplayTouched = touched;
        const mark = (id, bytes, offset, address) => {
          const at = (address >>> 0) + (offset >>> 0);
          for (let i = at; i < at + bytes && i < touched.length; i++) touched[i] = 1;
          return address;
        };
        const same = (...args) => args[args.length - 1];
        const env = new Proxy({}, { get: (_, name) => (name === 'load_ptr' || name === 'store_ptr' ? mark : same) });
        for (const name of ['instantiate', 'instantiateStreaming']) {
          const original = WebAssembly[name];
          WebAssembly[name] = (source, imports) =>
            original(source, { ...imports, env }).then((result) => {
              globalThis.__kafkaplayWidgetWasm = (result.instance ?? result).exports;
              return result;
            });
        }
      });
      await page.goto(`http://127.0.0.1:${server.address().port}/example.html`);
      await exercise(page).catch((e) => {
        throw new Error(`split-widget: the instrumented example page failed: ${errors.join('; ') || e.message}`);
      });
      if (errors.length) throw new Error(`split-widget: the instrumented example page failed: ${errors.join('; ')}`);
      writeFileSync(touchedFile, await page.evaluate(touchedRanges));
      writeFileSync(profile, Uint8Array.from(await page.evaluate(readProfileInPage, '__kafkaplayWidgetWasm')));
    } finally {
      await browser.close();
      server.close();
    }

    // Code a profile can hardly reach but a start can (split_data.rs's `keep` says more).
    execFileSync(xtask, ['split-keep', profile, original, ...KEEP], { stdio: ['ignore', 'inherit', 'inherit'] });

    // 3. The split, and the loader told the rest's name.
    const { primaryOut, secondaryOut } = splitByProfiles({ wasmSplit, xtask, original, profiles: [profile], work });
    // To look into a split: the named original, the profile, the touched
    // bytes and both modules before the data moved (what `cargo xtask
    // split-data` takes), kept in this directory (split-data adds
    // kept-data.txt there).
    const debugDir = process.env.KAFKAPLAY_SPLIT_DEBUG_DIR;
    if (debugDir) {
      for (const [from, to] of [[original, 'original.wasm'], [profile, 'profile'], [touchedFile, 'touched'], [primaryOut, 'primary.wasm'], [secondaryOut, 'secondary.wasm']]) {
        cpSync(from, join(debugDir, to));
      }
    }
    // The constants only the rest's functions use go with them (crates/xtask/src/split_data.rs).
    // The bytes the profiling run touched check it: a constant they fall in
    // that it would move stays, and is named (a use its rules miss).
    execFileSync(xtask, ['split-data', primaryOut, secondaryOut, original, touchedFile], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const primary = readFileSync(primaryOut);
    const secondary = readFileSync(secondaryOut);
    writeFileSync(join(dir, WASM), primary);
    writeFileSync(join(dir, REST), secondary);
    writeFileSync(loaderPath, loader.replace(SPLIT_LINE, `const SPLIT = ${JSON.stringify({ rest: REST })};`));
    console.log(
      `split-widget: ${WASM} into a start-up module ` +
        `(${kb(primary.length)}, ${kb(gzSize(primary))} gzipped) and ${REST} ` +
        `(${kb(secondary.length)}, ${kb(gzSize(secondary))} gzipped), fetched when a widget is used`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  const { KAFKAPLAY_WASM_SPLIT: wasmSplit, KAFKAPLAY_XTASK: xtask, KAFKAPLAY_CHROME: chrome } = process.env;
  if (!dir || !wasmSplit || !xtask || !chrome) {
    console.error('usage: KAFKAPLAY_WASM_SPLIT=… KAFKAPLAY_XTASK=… KAFKAPLAY_CHROME=… node split-widget.mjs <dist/widget>');
    process.exit(2);
  }
  await splitWidget(resolve(dir), { wasmSplit, xtask, chrome });
}
