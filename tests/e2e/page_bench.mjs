// The page's benchmarks (issue 8's static-site targets), run by `cargo xtask
// bench` against the release build in dist/, served under a sub-path at
// BASE_URL. Not a test file (node --test skips it): it prints `BENCH {json}`
// lines that xtask writes into BENCHMARKS.md.
//
//   BASE_URL=http://127.0.0.1:8080/kafkaplay/ DIST=dist node tests/e2e/page_bench.mjs
//
// 1. Size: the app's wasm in dist/, raw and gzipped (zlib level 9): the start-up
//    module and, when the build split the wasm, the module fetched after it;
//    the docs widget's (dist/widget/), and the example page's first widget
//    ready.
// 2. First render: navigation start → the first paint of the playground, in a
//    fresh browser context each time (nothing cached), median of RUNS loads.
// 3. Frame budget: a topic of 1,000 partitions (RF 3) created in the page's
//    terminal and `kafka-producer-perf-test --throughput 10000` running as its
//    job; the main thread's work between animation frames over a few seconds,
//    from a Chromium trace (every task: JS, wasm, style, layout, paint), with
//    the cluster view and the records' dots on screen, over 40 s: a run that
//    includes the save of the brokers' page-cache flush.
//
// PAGE_BENCH_RUNS (first-render loads), PAGE_BENCH_FRAME_SECONDS (the frames'
// run) and PAGE_BENCH_CHROME_ARGS (more Chromium flags, space-separated, e.g.
// `--js-flags=--trace-gc` with DEBUG=pw:browser to see V8's collections) change
// a run; PAGE_BENCH_TRACE=file keeps the frames' trace.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { chromium } from 'playwright-core';
import { gzSize } from '../../web/build/split.mjs';
import { FULL_PAGE_STYLE, baseUrl, chromeArgs, screenshotPath } from './browser.mjs';

const RUNS = Number(process.env.PAGE_BENCH_RUNS || 5);
// Long enough for a page-cache flush: each broker writes its dirty pages
// back every 30 s simulated (page_cache_flush_interval_ms), and the save
// after it writes every replica's 30 s of records.
const FRAME_SECONDS = Number(process.env.PAGE_BENCH_FRAME_SECONDS || 40);
const PARTITIONS = 1000;
const THROUGHPUT = 10000;

function bench(caseName, metric, value, unit, target) {
  const line = { platform: 'wasm', case: caseName, metric, value, unit };
  if (target) line.target = target;
  console.log(`BENCH ${JSON.stringify(line)}`);
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

// --- 1. size -----------------------------------------------------------------

function measureSize(dist) {
  const files = readdirSync(dist);
  const startup = files.filter((f) => f.endsWith('_bg.wasm'));
  if (startup.length !== 1) throw new Error(`expected one *_bg.wasm in ${dist}, found ${startup.join(', ') || 'none'}`);
  const rest = files.filter((f) => f.endsWith('_split.wasm'));
  const bytes = readFileSync(join(dist, startup[0]));
  const js = files.filter((f) => f.endsWith('.js'));
  const jsGzipped = js.reduce((n, f) => n + gzSize(readFileSync(join(dist, f))), 0);
  const c = 'page: the app in dist/ (trunk build --release, wasm-opt, wasm-split)';
  const what = rest.length ? 'app wasm at start-up (the split\'s first module)' : 'app wasm (not split)';
  bench(c, `${what}, gzipped (level 9)`, gzSize(bytes) / 1000, 'KB', '≤ 400 KB gzipped');
  const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  bench(c, `${what}, brotli (quality 11), for hosts that serve it`, brotli / 1000, 'KB');
  bench(c, `${what}, raw`, statSync(join(dist, startup[0])).size / 1000, 'KB');
  if (rest.length) {
    const restBytes = readFileSync(join(dist, rest[0]));
    bench(c, 'app wasm fetched after start-up (the second module), gzipped', gzSize(restBytes) / 1000, 'KB');
    bench(c, 'app wasm, both modules, gzipped', (gzSize(bytes) + gzSize(restBytes)) / 1000, 'KB');
  }
  bench(c, 'JS loader and glue, gzipped', jsGzipped / 1000, 'KB');
}

/** The docs widget in dist/widget/ (`cargo xtask build`; web/widget). When
 * the build split its wasm (web/build/split-widget.mjs), the target is the
 * start-up module's: what a page that shows widgets downloads until a reader
 * uses one; the rest is measured beside it. */
function measureWidgetSize(dist) {
  const dir = join(dist, 'widget');
  const wasm = readFileSync(join(dir, 'kafkaplay_widget_bg.wasm'));
  const restPath = join(dir, 'kafkaplay_widget_rest.wasm');
  const rest = existsSync(restPath) ? readFileSync(restPath) : null;
  const c = 'page: the docs widget in dist/widget/ (the kafkaplay-widget crate, profile "widget", wasm-opt)';
  const what = rest ? 'widget wasm, start-up module' : 'widget wasm';
  bench(c, `${what}, gzipped (level 9)`, gzSize(wasm) / 1000, 'KB', '≤ 250 KB gzipped');
  const brotli = brotliCompressSync(wasm, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  bench(c, `${what}, brotli (quality 11)`, brotli / 1000, 'KB');
  bench(c, `${what}, raw`, wasm.length / 1000, 'KB');
  if (rest) {
    bench(c, 'widget wasm, the rest (fetched when a reader uses a widget), gzipped', gzSize(rest) / 1000, 'KB');
    bench(c, 'widget wasm, both modules, gzipped', (gzSize(wasm) + gzSize(rest)) / 1000, 'KB');
  }
  const js = ['kafkaplay-widget.js', 'kafkaplay_widget.js', 'split-loader.js'].reduce((n, f) => n + gzSize(readFileSync(join(dir, f))), 0);
  bench(c, 'loader (with the styles), split loader and glue, gzipped', js / 1000, 'KB');
}

/** The example docs page with three widgets, cold each time: navigation start
 * → the first widget's `ready` event (its cluster started, drawn), and the
 * wasm fetches (one for the page). */
async function measureWidgetStart(browser, url) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    try {
      const page = await context.newPage();
      await page.addInitScript(() => {
        document.addEventListener('ready', (e) => { window.__kpReady ??= performance.now(); });
      });
      await page.goto(new URL('widget/example.html', url).href);
      await page.waitForFunction(() => window.__kpReady !== undefined, null, { timeout: 30_000 });
      runs.push(await page.evaluate(() => ({
        ready: window.__kpReady,
        wasm: performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).length,
      })));
    } finally {
      await context.close();
    }
  }
  const c = `page: the docs widget, its example page (three widgets), median of ${RUNS} cold loads`;
  bench(c, 'navigation start → the first widget ready', median(runs.map((r) => r.ready)), 'ms');
  bench(c, 'wasm fetches when the first is ready', Math.max(...runs.map((r) => r.wasm)), 'fetches');
}

// --- 2. first render ---------------------------------------------------------

/** Before any page script: note when the cluster's boxes enter the DOM, the
 * animation frame after that, and the first contentful paint (the body is
 * empty until the app renders, so that is the app's first paint). */
function firstRenderProbe() {
  const kp = (window.__kpFirstRender = {});
  new MutationObserver((_, observer) => {
    if (kp.dom === undefined && document.querySelector('[data-testid=nodes] [data-testid^=node-]')) {
      kp.dom = performance.now();
      observer.disconnect();
      requestAnimationFrame(() => (kp.frame = performance.now()));
    }
  }).observe(document, { subtree: true, childList: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === 'first-contentful-paint') kp.fcp = e.startTime;
  }).observe({ type: 'paint', buffered: true });
}

async function measureFirstRender(browser, url, split) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.addInitScript(firstRenderProbe);
      await page.goto(url);
      await page.waitForFunction(() => window.__kpFirstRender.fcp !== undefined && window.__kpFirstRender.frame !== undefined, null, { timeout: 30_000 });
      // A split site (web/build/split-loader.js) marks when its second module is in.
      if (split) {
        await page.waitForFunction(() => performance.getEntriesByName('kafkaplay:split-loaded').length > 0, null, { timeout: 30_000 });
      }
      const r = await page.evaluate(() => {
        const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('_bg.wasm'));
        const rest = performance.getEntriesByName('kafkaplay:split-loaded')[0];
        return { ...window.__kpFirstRender, wasmLoaded: wasm ? wasm.responseEnd : NaN, restLoaded: rest?.startTime, restHow: rest?.detail.how };
      });
      if (!(r.dom <= r.fcp)) throw new Error(`the first paint (${r.fcp} ms) came before the cluster view was in the DOM (${r.dom} ms)`);
      runs.push(r);
      if (i === 0) await page.screenshot({ path: screenshotPath('page_bench_first_render.png') });
    } finally {
      await context.close();
    }
  }
  const c = `page: first render, navigation start → …, median of ${RUNS} cold loads`;
  bench(c, 'start-up wasm downloaded', median(runs.map((r) => r.wasmLoaded)), 'ms');
  bench(c, 'cluster view in the DOM', median(runs.map((r) => r.dom)), 'ms');
  bench(c, 'first paint (first-contentful-paint), the cluster view visible', median(runs.map((r) => r.fcp)), 'ms', '≤ 400 ms');
  bench(c, 'first paint, slowest of the loads', Math.max(...runs.map((r) => r.fcp)), 'ms');
  const rest = runs.map((r) => r.restLoaded).filter((t) => t !== undefined);
  if (rest.length) {
    bench(c, 'the rest of a split wasm instantiated (fetched after the start-up module)', median(rest), 'ms');
    // A placeholder that ran before the prefetch was in (split-loader.js): a
    // start the build's profile missed.
    bench(c, 'loads whose rest came on demand, before its prefetch', runs.filter((r) => r.restHow === 'on-demand').length, 'loads');
  }
}

// --- 3. frame budget ---------------------------------------------------------

async function terminal(page, command, expect, timeout = 60_000) {
  const input = page.getByTestId('terminal-input');
  await input.fill(command);
  await input.press('Enter');
  if (expect) {
    await page.waitForFunction(
      (text) => [...document.querySelectorAll('[data-testid=terminal-line]')].some((l) => l.textContent.includes(text)),
      expect,
      { timeout },
    );
  }
}

/** Per animation frame, the main thread's busy time: tasks from the trace
 * (nested tasks merged), clipped to the intervals between frames, which
 * begin with their FireAnimationFrame events (the page and this bench both
 * run a requestAnimationFrame loop, so every frame has some). */
function framesFromTrace(trace) {
  const events = JSON.parse(trace).traceEvents;
  const frameEvents = events.filter((e) => e.name === 'FireAnimationFrame' && e.ph === 'X');
  if (frameEvents.length < 10) throw new Error(`only ${frameEvents.length} animation frames in the trace`);
  // The renderer main thread that fired them.
  const byThread = new Map();
  for (const e of frameEvents) byThread.set(`${e.pid}:${e.tid}`, (byThread.get(`${e.pid}:${e.tid}`) || 0) + 1);
  const thread = [...byThread.entries()].sort((a, b) => b[1] - a[1])[0][0];
  const onThread = (e) => `${e.pid}:${e.tid}` === thread;
  const tasks = events
    .filter((e) => onThread(e) && e.ph === 'X' && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask'))
    .map((e) => [e.ts, e.ts + (e.dur || 0)])
    .sort((a, b) => a[0] - b[0]);
  const busy = [];
  for (const [s, e] of tasks) {
    const last = busy[busy.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else busy.push([s, e]);
  }
  // Every requestAnimationFrame callback is an event of its own (the page
  // runs a loop, and so does this bench), and the callbacks of one frame run
  // in one task: a frame begins with the first callback of its task.
  const frames = [];
  let lastTask = -1;
  let t = 0;
  for (const ts of frameEvents.filter(onThread).map((e) => e.ts).sort((a, b) => a - b)) {
    while (t < busy.length && busy[t][1] < ts) t++;
    const task = t < busy.length && busy[t][0] <= ts ? t : -2 - frames.length;
    if (task !== lastTask) frames.push(ts);
    lastTask = task;
  }
  const work = [];
  let j = 0;
  for (let i = 0; i + 1 < frames.length; i++) {
    const [a, b] = [frames[i], frames[i + 1]];
    while (j < busy.length && busy[j][1] <= a) j++;
    let sum = 0;
    for (let k = j; k < busy.length && busy[k][0] < b; k++) sum += Math.min(b, busy[k][1]) - Math.max(a, busy[k][0]);
    work.push(sum / 1000);
  }
  const seconds = (frames[frames.length - 1] - frames[0]) / 1e6;
  const longestTask = Math.max(...busy.filter(([s, e]) => s >= frames[0] && e <= frames[frames.length - 1]).map(([s, e]) => (e - s) / 1000));
  // V8's major (mark-compact) collections on the page's thread in the run.
  const majorGcs = events.filter((e) => onThread(e) && e.ph === 'X' && e.name === 'MajorGC' && e.ts >= frames[0]).length;
  return { work, fps: (frames.length - 1) / seconds, longestTask, majorGcs };
}

async function measureFrames(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The wasm's memory, from the event Trunk's loader sends with the exports.
    await page.addInitScript(() =>
      addEventListener('TrunkApplicationStarted', (e) => {
        window.kafkaplayBenchMemory = e.detail.wasm.memory;
      }),
    );
    await page.goto(`${url}?lang=en&seed=7`);
    await page.getByTestId('node-1000').getByTestId('active-controller').waitFor({ timeout: 30_000 });
    await terminal(
      page,
      `kafka-topics --bootstrap-server localhost:9092 --create --topic load --partitions ${PARTITIONS} --replication-factor 3`,
      'Created topic load.',
    );
    await page.locator('[data-testid=topic-row][data-topic=load]').waitFor({ timeout: 60_000 });
    await terminal(
      page,
      `kafka-producer-perf-test --topic load --num-records 1000000000 --record-size 100 --throughput ${THROUGHPUT} --producer-props bootstrap.servers=localhost:9092 acks=all`,
    );
    // Warm up until the tool prints its first 5 s report ("N records sent, ...").
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid=terminal-line]')].some((l) => / records sent, /.test(l.textContent)),
      null,
      { timeout: 60_000, polling: 500 },
    );
    // The cluster view on screen (typing scrolled the terminal into view):
    // the records' dots over the brokers, then the broker boxes.
    await page.locator('#cluster-heading').evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await page.locator('[data-testid=flow-pulse]').first().waitFor({ state: 'attached', timeout: 30_000 });
    await page.evaluate(() => {
      const loop = () => requestAnimationFrame(loop);
      loop();
    });
    await page.waitForTimeout(1000);
    await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    const simStart = parseFloat(await page.getByTestId('sim-time').textContent());
    await page.waitForTimeout(FRAME_SECONDS * 1000);
    const simEnd = parseFloat(await page.getByTestId('sim-time').textContent());
    const trace = await browser.stopTracing();
    const dots = await page.locator('[data-testid=flow-pulse]').count();
    const memoryMb = await page.evaluate(() => window.kafkaplayBenchMemory.buffer.byteLength / 1e6);
    if (process.env.PAGE_BENCH_TRACE) (await import("node:fs")).writeFileSync(process.env.PAGE_BENCH_TRACE, trace);
    const reports = (await page.getByTestId('terminal-line').allTextContents()).filter((l) => / records sent, /.test(l));
    const rate = Number(/([\d.]+) records\/sec/.exec(reports[reports.length - 1])[1]);
    await page.screenshot({ path: screenshotPath('page_bench_1000_partitions.png') });
    await page.screenshot({ path: screenshotPath('page_bench_1000_partitions_full.png'), fullPage: true, style: FULL_PAGE_STYLE });
    if (errors.length) throw new Error(`the page reported errors:\n${errors.join('\n')}`);
    const { work, fps, longestTask, majorGcs } = framesFromTrace(trace.toString());
    const c = `page: ${PARTITIONS.toLocaleString('en')} partitions RF 3 on 3 brokers, kafka-producer-perf-test at ${THROUGHPUT.toLocaleString('en')} records/s, ${FRAME_SECONDS} s`;
    bench(c, 'main-thread work per animation frame, mean', work.reduce((a, b) => a + b, 0) / work.length, 'ms');
    bench(c, 'main-thread work per animation frame, p95', percentile(work, 95), 'ms', '≤ 10 ms');
    bench(c, 'main-thread work per animation frame, max', Math.max(...work), 'ms');
    bench(c, 'longest task', longestTask, 'ms');
    bench(c, 'animation frames per second', fps, 'fps', '60 fps');
    bench(c, 'records/s in the tool\'s last 5 s report (simulated time)', rate, 'records/s');
    bench(c, 'simulated time per wall time', (simEnd - simStart) / FRAME_SECONDS, '×');
    bench(c, "records' dots in the page at the end", dots, 'dots');
    bench(c, 'major garbage collections of the JS heap in the run', majorGcs, 'collections');
    bench(c, 'wasm memory at the end', memoryMb, 'MB');
  } finally {
    await context.close();
  }
}

const url = baseUrl();
const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);
const dist = process.env.DIST || join(process.cwd(), 'dist');
const split = readdirSync(dist).some((f) => f.endsWith('_split.wasm'));
if (want('size')) measureSize(dist);
if (want('widget')) measureWidgetSize(dist);
const browser = await chromium.launch({ executablePath: process.env.CHROME || '/usr/bin/chromium', headless: true, args: [...chromeArgs, ...(process.env.PAGE_BENCH_CHROME_ARGS || '').split(' ').filter(Boolean)] });
try {
  if (want('widget')) await measureWidgetStart(browser, url);
  if (want('first-render')) await measureFirstRender(browser, url, split);
  if (want('frames')) await measureFrames(browser, url);
} finally {
  await browser.close();
}
