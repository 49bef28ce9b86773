// How small a first download could the page have if its wasm were split into
// a module for start-up and one loaded after it (BENCHMARKS.md, the page's
// size)? Part of tests/e2e/page_bench.mjs (`split`), not a test.
//
// 1. Every function of dist/'s wasm gets a call at its entry to an imported
//    `kp_log(index)` (binaryen.js), and the glue gives that import.
// 2. The page loads in headless Chromium from a copy of dist/ with that wasm
//    (served here), until the cluster view is up and then 5 s more with the
//    cluster running: the functions that ran are what first render and a
//    running cluster need.
// 3. Every other function's body is replaced by `unreachable`, and the
//    module is written again without what nothing refers to any more: its
//    size, gzipped, is about what the start-up module of a split would be
//    (all data stays in it; a real split adds a stub per moved function that
//    the table or the start-up code refers to, and loads the rest).
//
// It needs binaryen.js, which `cargo xtask install` puts in .tools/binaryen
// when the machine's wasm-opt is too old; without it, it says so and skips.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot } from './browser.mjs';

const BINARYEN = join(repoRoot, '.tools', 'binaryen', 'node_modules', 'binaryen', 'index.js');
const RUN_MS = 5000;

/** The wasm features rustc and wasm-bindgen emit (all of binaryen's would
 * write encodings that Chromium does not take). */
function features(binaryen) {
  const f = binaryen.Features;
  return f.MVP | f.MutableGlobals | f.SignExt | f.NontrappingFPToInt | f.BulkMemory | f.ReferenceTypes | f.Multivalue;
}

/** Serves `dir` at http://127.0.0.1:<port>/ until `close()`. */
function serve(dir) {
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

/** The defined (not imported) functions of `mod`, in order. */
function definedFunctions(binaryen, mod) {
  const out = [];
  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const f = mod.getFunctionByIndex(i);
    if (!binaryen.getFunctionInfo(f).module) out.push(f);
  }
  return out;
}

/**
 * Returns `{ functions, ran, raw, gzipped }` for the wasm in `dist`, or null
 * without binaryen.js.
 */
export async function estimateSplit(browser, dist) {
  if (!existsSync(BINARYEN)) {
    console.log(`split estimate: skipped (no binaryen.js at ${BINARYEN})`);
    return null;
  }
  const binaryen = (await import(BINARYEN)).default;
  const wasmName = readdirSync(dist).find((f) => f.endsWith('.wasm'));
  const glueName = readdirSync(dist).find((f) => f.startsWith('kafkaplay-web') && f.endsWith('.js'));
  const bytes = readFileSync(join(dist, wasmName));

  // 1. The instrumented copy of dist/.
  const mod = binaryen.readBinary(bytes);
  mod.setFeatures(features(binaryen));
  const imports = [];
  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const info = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
    if (info.module) imports.push(info.module);
  }
  const glueModule = imports[0];
  const functions = definedFunctions(binaryen, mod);
  mod.addFunctionImport('kp_log', glueModule, 'kp_log', binaryen.i32, binaryen.none);
  functions.forEach((f, i) => {
    const info = binaryen.getFunctionInfo(f);
    const body = info.body;
    const log = mod.call('kp_log', [mod.i32.const(i)], binaryen.none);
    binaryen.Function.setBody(f, mod.block(null, [log, body], binaryen.getExpressionType(body)));
  });
  const copy = mkdtempSync(join(tmpdir(), 'kafkaplay-split-'));
  try {
    cpSync(dist, copy, { recursive: true });
    rmSync(join(copy, 'sw.js'), { force: true });
    writeFileSync(join(copy, wasmName), mod.emitBinary());
    mod.dispose();
    const index = readFileSync(join(copy, 'index.html'), 'utf8').replace(/ integrity="[^"]*"/g, '');
    writeFileSync(join(copy, 'index.html'), index);
    const glue = readFileSync(join(copy, glueName), 'utf8');
    const at = glue.indexOf('__proto__: null,');
    if (at < 0) throw new Error(`split estimate: ${glueName} has no imports object to extend`);
    const patched = `${glue.slice(0, at)}__proto__: null,\n        kp_log: (i) => { (globalThis.__kpRan ||= new Set()).add(i); },${glue.slice(at + '__proto__: null,'.length)}`;
    writeFileSync(join(copy, glueName), patched);

    // 2. What runs at start-up.
    const server = await serve(copy);
    let ran;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && !m.text().includes('404') && errors.push(m.text()));
      await page.goto(`http://127.0.0.1:${server.address().port}/?lang=en&seed=7`);
      await page
        .getByTestId('node-1000')
        .getByTestId('active-controller')
        .waitFor({ timeout: 60_000 })
        .catch((e) => {
          throw new Error(`split estimate: the instrumented page did not start: ${errors.join('; ') || e.message}`);
        });
      await page.waitForTimeout(RUN_MS);
      ran = new Set(await page.evaluate(() => [...(globalThis.__kpRan || [])]));
    } finally {
      await context.close();
      server.close();
    }

    // 3. The module without what did not run.
    const rest = binaryen.readBinary(bytes);
    rest.setFeatures(features(binaryen));
    definedFunctions(binaryen, rest).forEach((f, i) => {
      if (!ran.has(i)) binaryen.Function.setBody(f, rest.unreachable());
    });
    rest.runPasses(['remove-unused-module-elements']);
    const out = rest.emitBinary();
    rest.dispose();
    return { functions: functions.length, ran: ran.size, raw: out.length, gzipped: gzipSync(out, { level: 9 }).length };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
