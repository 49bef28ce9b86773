// The docs widget (dist/widget/, `cargo xtask build`): the example page with
// three widgets, under its strict Content-Security-Policy (a <meta> in
// web/widget/example.html: script-src 'self' 'wasm-unsafe-eval', style-src
// 'self'). Each widget runs its scenario; a kill in one leaves the others
// alone; the wasm is fetched once; a widget starts when scrolled into view;
// removing widgets stops all their work (frames, timers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseUrl, launch, screenshotPath } from './browser.mjs';
import { fastClock } from '../../web/build/fast-clock.mjs';
import { gzSize } from '../../web/build/split.mjs';

// Before the page's scripts: record CSP violations, count animation-frame
// callbacks run, and keep the set of live intervals (the terminal's timer).
const INSTRUMENT = () => {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  window.__frames = 0;
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (f) => raf((t) => { window.__frames += 1; f(t); });
  window.__intervals = new Set();
  const setI = window.setInterval.bind(window);
  const clearI = window.clearInterval.bind(window);
  window.setInterval = (...args) => { const id = setI(...args); window.__intervals.add(id); return id; };
  window.clearInterval = (id) => { window.__intervals.delete(id); clearI(id); };
  window.__events = [];
  for (const type of ['ready', 'leader-changed', 'records-produced', 'step-done', 'lesson-step-done', 'error']) {
    document.addEventListener(type, (e) => {
      const host = e.composedPath()[0];
      window.__events.push({ type, widget: host?.id || host?.tagName || '?', detail: e.detail });
    });
  }
};

async function openExample({ fast = false } = {}) {
  const browser = await launch({ viewport: { width: 1100, height: 900 } });
  const page = await browser.newPage();
  await page.addInitScript(INSTRUMENT);
  if (fast) await page.addInitScript(fastClock);
  const errors = [];
  const wasmRequests = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console.error: ${m.text()}`);
  });
  page.on('request', (r) => {
    if (r.url().endsWith('.wasm')) wasmRequests.push(r.url());
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && new URL(r.url()).pathname !== '/favicon.ico') errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  await page.goto(new URL('widget/example.html', baseUrl()).href);
  return { browser, page, errors, wasmRequests };
}

/** Polls `check` (an async function, run here) until it is true. (Playwright's
 * waitForFunction does not await a predicate's promise: a promise is truthy.) */
async function until(check, what, timeout = 30_000) {
  const end = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether the build split the widget's wasm (the loader names the rest). */
async function isSplit(page) {
  return page.evaluate(async () => (await (await fetch('./kafkaplay-widget.js')).text()).includes('kafkaplay_widget_rest.wasm'));
}

/** How the rest of a split wasm came in, so far (split-loader.js's marks): 'prefetch' or 'on-demand'. */
const splitLoads = (page) =>
  page.evaluate(() => performance.getEntriesByName('kafkaplay:split-loaded').map((m) => m.detail.how));

const terminalText = (page, id) => page.locator(`#${id} .terminal-screen`).innerText();
const events = (page) => page.evaluate(() => window.__events);

test('three widgets on one page: each its own cluster, a kill in one leaves the others, removal stops their work', async () => {
  const { browser, page, errors, wasmRequests } = await openExample();
  try {
    // 1. The first widget runs its scenario: the topic described by Kafka's own text.
    await page.locator('#leaders [data-testid=node-2]').waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('#leaders')?.shadowRoot?.querySelector('.terminal-screen')?.textContent.includes('ReplicationFactor: 3'), null, { timeout: 30_000 });
    const described = await terminalText(page, 'leaders');
    assert.match(described, /Topic: orders\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 3\tConfigs:/);
    assert.match(described, /Topic: orders\tPartition: 0\tLeader: \d\tReplicas: [\d,]+\tIsr: [\d,]+/);

    // 2. The third widget is far below the window: not started (lazy), so
    //    far one wasm request for the whole page.
    const thirdState = await page.evaluate(() => document.getElementById('scripted').shadowRoot.querySelector('.kpw-root').dataset.state);
    assert.equal(thirdState, 'waiting', 'a widget out of view has not started');

    // 3. Scroll through the page: the others start, still one wasm fetch.
    for (const id of ['rf1', 'scripted']) {
      await page.locator(`#${id}`).scrollIntoViewIfNeeded();
      await page.locator(`#${id} [data-testid=widget]`).waitFor({ timeout: 30_000 });
    }
    assert.equal(wasmRequests.length, 1, `one wasm fetch for three widgets: ${wasmRequests.join(', ')}`);
    assert.match(wasmRequests[0], /widget\/kafkaplay_widget_bg\.wasm$/);
    // Split (web/build/split-widget.mjs): the three ran their scenarios on
    // the start-up module alone; no function of the rest was needed.
    const split = await isSplit(page);
    assert.deepEqual(await splitLoads(page), [], 'the rest is not loaded while nobody uses a widget');

    // The second (Korean, dark, cluster and messages): two brokers, the
    // records it produced, its texts in Korean.
    const rf1 = page.locator('#rf1');
    await rf1.locator('[data-testid=widget-messages] tbody tr').first().waitFor({ timeout: 30_000 });
    assert.equal(await rf1.locator('[data-testid=nodes] article.broker').count(), 2);
    assert.equal(await rf1.locator('[data-testid=widget]').getAttribute('lang'), 'ko');
    assert.match(await rf1.locator('[data-testid=widget-messages]').innerText(), /key-\d+\s+value-\d+/);
    // The third: its scenario's command ran, and the page's button runs another through `run()`.
    await page.waitForFunction(() => window.__events.some((e) => e.type === 'step-done' && e.widget === 'scripted'), null, { timeout: 30_000 });
    await page.click('#describe');
    await page.waitForFunction(() => document.getElementById('events').textContent.includes('run → exit 0'), null, { timeout: 30_000 });
    if (split) {
      // Using a widget (here `run()`) fetched the rest, once, in the background.
      await until(async () => (await splitLoads(page)).length === 1);
      assert.deepEqual(await splitLoads(page), ['prefetch']);
      assert.deepEqual(wasmRequests.map((u) => u.split('/').pop()), ['kafkaplay_widget_bg.wasm', 'kafkaplay_widget_rest.wasm']);
    }
    assert.match(await terminalText(page, 'scripted'), /Topic: payments\tTopicId: \S+\tPartitionCount: 2\tReplicationFactor: 3\tConfigs: min\.insync\.replicas=2/);

    // 4. Kill broker 2 in the first widget.
    const before = {
      rf1: await rf1.locator('[data-testid=node-2]').getAttribute('data-state'),
      scripted: await page.locator('#scripted [data-testid=node-2]').getAttribute('data-state'),
      rf1Records: await rf1.locator('[data-testid=widget-messages] tbody tr').count(),
    };
    assert.deepEqual([before.rf1, before.scripted], ['running', 'running']);
    await page.locator('#leaders').scrollIntoViewIfNeeded();
    await page.locator('#leaders [data-testid=kill-2]').click();
    await page.locator('#leaders [data-testid=node-2][data-state=stopped]').waitFor({ timeout: 30_000 });
    // The partitions broker 2 led moved: the widget told the page.
    await page.waitForFunction(() => window.__events.some((e) => e.type === 'leader-changed' && e.widget === 'leaders'), null, { timeout: 30_000 });
    const moved = (await events(page)).filter((e) => e.type === 'leader-changed' && e.widget === 'leaders');
    for (const e of moved) {
      assert.equal(e.detail.topic, 'orders');
      assert.equal(e.detail.previous, 2, 'only partitions broker 2 led changed leader');
      assert.notEqual(e.detail.leader, 2);
    }
    // No one else saw anything: no leader changed in the other widgets, their broker 2 runs.
    await page.waitForTimeout(1500);
    assert.equal((await events(page)).filter((e) => e.type === 'leader-changed' && e.widget !== 'leaders').length, 0);
    assert.equal(await rf1.locator('[data-testid=node-2]').getAttribute('data-state'), 'running');
    assert.equal(await page.locator('#scripted [data-testid=node-2]').getAttribute('data-state'), 'running');
    assert.equal(await rf1.locator('[data-testid=widget-messages] tbody tr').count(), before.rf1Records);

    // 5. The page's styles did not reach into the widgets (a serif page font,
    //    uppercase buttons), and nothing broke the CSP.
    const style = await page.locator('#leaders [data-testid=kill-1]').evaluate((b) => {
      const s = getComputedStyle(b);
      return { font: s.fontFamily, transform: s.textTransform };
    });
    assert.doesNotMatch(style.font, /Georgia/);
    assert.equal(style.transform, 'none');
    // height="560px" and theme="dark" took: the shadow root's own styles.
    const root = (id) => page.locator(`#${id}`).evaluate((el) => {
      const r = el.shadowRoot.querySelector('.kpw-root');
      return { height: getComputedStyle(r).height, theme: r.dataset.theme, bg: getComputedStyle(r).backgroundColor };
    });
    const leaders = await root('leaders');
    const dark = await root('rf1');
    assert.equal(leaders.height, '560px');
    assert.deepEqual([leaders.theme, dark.theme], ['light', 'dark']);
    assert.notEqual(leaders.bg, dark.bg);
    await page.locator('#leaders').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('widgets.png') });
    assert.deepEqual(await page.evaluate(() => window.__csp), [], 'no Content-Security-Policy violation');

    // 6. Removal stops a widget's work: the count of live widgets, the
    //    terminal's timers, the frame loop.
    const live = () => page.evaluate(async () => (await import('./kafkaplay-widget.js')).liveWidgets());
    assert.equal(await live(), 3);
    await page.evaluate(() => document.getElementById('leaders').remove());
    await until(async () => (await live()) === 2, 'two live widgets');
    await page.click('#remove'); // the page's button: destroy() on the mount() handle
    await page.evaluate(() => document.getElementById('rf1').remove());
    await until(async () => (await live()) === 0, 'no live widget');
    assert.equal(await page.evaluate(() => window.__intervals.size), 0, 'every timer of the widgets was cleared');
    const frames = await page.evaluate(() => window.__frames);
    await page.waitForTimeout(500);
    assert.equal(await page.evaluate(() => window.__frames), frames, 'no animation frame runs after the widgets are gone');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('bad options show what is wrong in the widget and send an error event; theme auto follows the reader', async () => {
  const { browser, page, errors } = await openExample();
  try {
    await page.locator('#leaders [data-testid=widget]').waitFor({ timeout: 30_000 });
    const shown = await page.evaluate(async () => {
      const { mount } = await import('./kafkaplay-widget.js');
      const host = document.createElement('div');
      document.body.prepend(host);
      const failed = new Promise((resolve) => host.addEventListener('error', (e) => resolve(e.detail.message)));
      mount(host, { eager: true, scenario: '{"brokers": 3, "topics": [{"name": "t", "replicationfactor": 3}]}' });
      const message = await failed;
      return { message, text: host.shadowRoot.querySelector('[data-testid=widget-error]').textContent };
    });
    assert.match(shown.message, /unknown field `replicationfactor`/);
    assert.match(shown.text, /could not start: scenario: unknown field `replicationfactor`/);

    // theme="auto" follows the reader's setting, also when it changes.
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.evaluate(async () => {
      const { mount } = await import('./kafkaplay-widget.js');
      const host = document.createElement('div');
      host.id = 'auto';
      document.body.prepend(host);
      mount(host, { eager: true, theme: 'auto', scenario: 'empty', views: 'cluster' });
    });
    const dark = () => page.locator('#auto').evaluate((el) => el.shadowRoot.querySelector('.kpw-root').hasAttribute('data-dark'));
    assert.equal(await dark(), true);
    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForFunction(() => !document.getElementById('auto').shadowRoot.querySelector('.kpw-root').hasAttribute('data-dark'));
    assert.equal(await dark(), false);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('persist="namespace" keeps a widget\'s cluster across a reload; without it each load is fresh', async () => {
  const { browser, page, errors } = await openExample();
  try {
    await page.locator('#leaders [data-testid=widget]').waitFor({ timeout: 30_000 });
    // A widget with a namespace: create a topic, wait for a save after it.
    const mountKept = (scenario) => page.evaluate(async (scenario) => {
      const { mount } = await import('./kafkaplay-widget.js');
      const host = document.createElement('div');
      host.id = 'kept';
      document.body.prepend(host);
      window.__kept = mount(host, { eager: true, persist: 'e2e-docs', scenario, views: 'cluster' });
    }, scenario);
    await mountKept('empty');
    const kept = page.locator('#kept');
    await kept.locator('[data-testid=widget-persist][data-saves]:not([data-saves=""])').waitFor({ timeout: 30_000 });
    const created = await page.evaluate(() => window.__kept.run('kafka-topics --bootstrap-server localhost:9092 --create --topic kept --partitions 2 --replication-factor 3'));
    assert.equal(created.exitCode, 0, created.stderr);
    assert.equal(created.stdout, 'Created topic kept.\n');
    // A widget without a terminal also tells the page a run() line is done.
    const done = (await events(page)).filter((e) => e.type === 'step-done' && e.widget === 'kept');
    assert.deepEqual(done.map((e) => [e.detail.index, e.detail.fromScenario, e.detail.exitCode]), [[0, false, 0]]);
    // A reload is a power loss of every node at the last save: only what the
    // nodes had flushed comes back. Past the brokers' page-cache flush (30 s
    // simulated), whatever the machine's speed, the topic is on every disk.
    const advanced = await page.evaluate(() => window.__kept.run('kafkaplay advance 35s'));
    assert.equal(advanced.exitCode, 0, advanced.stderr);
    const savesAfterCreate = Number(await kept.locator('[data-testid=widget-persist]').getAttribute('data-saves'));
    await page.waitForFunction((n) => Number(document.querySelector('#kept').shadowRoot.querySelector('[data-testid=widget-persist]').dataset.saves) > n + 1, savesAfterCreate, { timeout: 30_000 });

    // Reload: the same namespace brings the topic back (its brokers restarted from their logs).
    await page.reload();
    await page.locator('#leaders [data-testid=widget]').waitFor({ timeout: 30_000 });
    await mountKept('empty');
    await kept.locator('[data-testid=widget-persist][data-saves]:not([data-saves=""])').waitFor({ timeout: 30_000 });
    // Until the stored cluster has replaced the fresh one (the namespace opens
    // asynchronously), the topic is not there yet.
    const describe = () => page.evaluate(() => window.__kept.run('kafka-topics --bootstrap-server localhost:9092 --describe --topic kept'));
    const list = () => page.evaluate(() => window.__kept.run('kafka-topics --bootstrap-server localhost:9092 --list'));
    await until(async () => (await list()).stdout.includes('kept'), 'the stored topic after the reload');
    const described = await describe();
    assert.match(described.stdout, /Topic: kept\tTopicId: \S+\tPartitionCount: 2\tReplicationFactor: 3/, described.stdout + described.stderr);
    // And it stays: a second look a simulated while later.
    await page.waitForTimeout(1000);
    assert.match((await describe()).stdout, /Topic: kept\t/);
    // The example's own widgets have no namespace: each load starts them fresh (no topic "kept").
    const fresh = await page.evaluate(async () => {
      const { mount } = await import('./kafkaplay-widget.js');
      const host = document.createElement('div');
      document.body.prepend(host);
      const w = mount(host, { eager: true, scenario: 'empty', views: 'cluster' });
      return (await w.run('kafka-topics --bootstrap-server localhost:9092 --list')).stdout;
    });
    assert.doesNotMatch(fresh, /kept/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a widget with a lesson: its steps check the widget\'s own cluster and tell the page', async () => {
  const { browser, page, errors } = await openExample();
  try {
    await page.locator('#leaders [data-testid=widget]').waitFor({ timeout: 30_000 });
    // Two terminals on the page before it: the lesson must type into its own.
    await page.evaluate(() => {
      const el = document.createElement('kafka-playground');
      el.id = 'lesson';
      el.setAttribute('lesson', 'topics');
      el.setAttribute('eager', '');
      document.querySelector('main').append(el);
    });
    const lesson = page.locator('#lesson');
    await lesson.locator('[data-testid=lessons][data-lesson=topics]').waitFor({ timeout: 30_000 });
    await lesson.locator('[data-testid=lesson-type]').click();
    const input = lesson.locator('[data-testid=terminal-input]');
    assert.equal(await input.inputValue(), 'docker ps');
    assert.equal(await page.locator('#leaders [data-testid=terminal-input]').inputValue(), '', 'the other widget\'s terminal is untouched');
    await input.press('Enter');
    await page.waitForFunction(() => window.__events.some((e) => e.type === 'lesson-step-done' && e.widget === 'lesson'), null, { timeout: 30_000 });
    const done = (await events(page)).find((e) => e.type === 'lesson-step-done');
    assert.deepEqual(done.detail, { lesson: 'topics', step: 0, title: 'The containers', lessonComplete: false });
    assert.equal(await lesson.locator('[data-testid=lesson-step]').getAttribute('data-state'), 'done');
    // Its select offers only the lessons a widget can run (none with a step
    // on the page's consumer form or a new cluster), and picking one runs it.
    const offered = await lesson.locator('[data-testid=lesson-select] option').evaluateAll((os) => os.length);
    assert.equal(offered, 8, 'topics, rf1-broker-down, rf2-failover, acks-min-insync, consumer-lag, unclean-election, retention, compaction');
    const titles = await lesson.locator('[data-testid=lesson-select] option').allInnerTexts();
    await lesson.locator('[data-testid=lesson-select]').selectOption({ label: titles[1] });
    await lesson.locator('[data-testid=lessons][data-lesson=rf1-broker-down]').waitFor({ timeout: 30_000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('split: a function outside the start-up module, needed before anyone used a widget, loads the rest on the spot', async (t) => {
  const { browser, page, errors } = await openExample();
  try {
    await page.locator('#leaders [data-testid=widget]').waitFor({ timeout: 30_000 });
    if (!(await isSplit(page))) {
      t.skip('this build is not split (no wasm-split)');
      return;
    }
    assert.deepEqual(await splitLoads(page), []);
    // Tools the profile never ran, as a scenario's commands: they run at
    // start, before any reader input, so nothing fetched the rest yet.
    await page.evaluate(async () => {
      const { mount } = await import('./kafkaplay-widget.js');
      const host = document.createElement('div');
      host.id = 'tools';
      document.body.prepend(host);
      mount(host, {
        eager: true,
        views: 'terminal',
        scenario: {
          topics: [{ name: 'audit', partitions: 2, replicationFactor: 2 }],
          commands: [
            'kafka-configs --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name audit --add-config retention.ms=60000',
            'kafka-configs --bootstrap-server localhost:9092 --describe --entity-type topics --entity-name audit',
            'kafka-get-offsets --bootstrap-server localhost:9092 --topic audit',
          ],
        },
      });
    });
    const tools = page.locator('#tools');
    await until(async () => /audit:1:0/.test(await tools.locator('.terminal-screen').innerText()));
    const text = await tools.locator('.terminal-screen').innerText();
    assert.match(text, /Completed updating config for topic audit\./);
    assert.match(text, /Dynamic configs for topic audit are:\n\s+retention\.ms=60000 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:retention\.ms=60000\}/);
    assert.match(text, /audit:0:0\naudit:1:0/);
    assert.deepEqual(await splitLoads(page), ['on-demand'], 'the rest came in once, when its first function ran');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('split: a kill clicked before the rest is in waits for it, then kills (no synchronous load)', async (t) => {
  const { browser, page, errors, wasmRequests } = await openExample();
  try {
    const leaders = page.locator('#leaders');
    await leaders.locator('[data-testid=node-2][data-state=running]').waitFor({ timeout: 30_000 });
    if (!(await isSplit(page))) {
      t.skip('this build is not split (no wasm-split)');
      return;
    }
    // The rest is slow to come (as on a slow network): the click comes
    // long before it, and the kill is done only once it is in.
    await page.route('**/kafkaplay_widget_rest.wasm', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    assert.deepEqual(await splitLoads(page), []);
    await leaders.locator('[data-testid=kill-2]').click();
    // Held: broker 2 still runs while the rest downloads.
    assert.equal(await leaders.locator('[data-testid=node-2]').getAttribute('data-state'), 'running');
    await leaders.locator('[data-testid=node-2][data-state=stopped]').waitFor({ timeout: 30_000 });
    assert.deepEqual(await splitLoads(page), ['prefetch'], 'the click waited for the download, not a synchronous request');
    assert.deepEqual(wasmRequests.map((u) => u.split('/').pop()), ['kafkaplay_widget_bg.wasm', 'kafkaplay_widget_rest.wasm']);
    // And the cluster did what Kafka does: broker 2 leads nothing now.
    await page.waitForFunction(() => window.__events.some((e) => e.type === 'leader-changed' && e.widget === 'leaders'), null, { timeout: 30_000 });
    for (const e of (await events(page)).filter((e) => e.type === 'leader-changed' && e.widget === 'leaders')) {
      assert.equal(e.detail.previous, 2);
      assert.notEqual(e.detail.leader, 2);
    }
    // Its restart, after, is not held.
    await leaders.locator('[data-testid=restart-2]').click();
    await leaders.locator('[data-testid=node-2][data-state=running]').waitFor({ timeout: 30_000 });
    assert.deepEqual(await splitLoads(page), ['prefetch']);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('split: a page whose reader only looks runs its widgets for 12 simulated minutes on the start-up module alone', async (t) => {
  const { browser, page, errors, wasmRequests } = await openExample({ fast: true });
  try {
    for (const id of ['leaders', 'rf1', 'scripted']) {
      await page.locator(`#${id}`).scrollIntoViewIfNeeded();
      await page.locator(`#${id} [data-testid=widget]`).waitFor({ timeout: 30_000 });
    }
    if (!(await isSplit(page))) {
      t.skip('this build is not split (no wasm-split)');
      return;
    }
    // The brokers' and controllers' periodic work (ISR expiry, flushes,
    // retention and leader balance every 5 minutes), and each trace's ring
    // full and dropping its oldest lines (about 10 minutes), all while
    // nobody touches a widget.
    await page.evaluate(() => window.__kafkaplayTimeScale(20));
    const clocks = () =>
      page.evaluate(() =>
        ['leaders', 'rf1', 'scripted'].map((id) =>
          parseFloat(document.getElementById(id).shadowRoot.querySelector('[data-testid=widget-clock]').textContent),
        ),
      );
    await until(async () => Math.min(...(await clocks())) >= 720, 'the widgets to run 12 simulated minutes', 240_000);
    assert.deepEqual(await splitLoads(page), [], 'nothing needed the rest');
    assert.deepEqual(wasmRequests.map((u) => u.split('/').pop()), ['kafkaplay_widget_bg.wasm']);
    // Still Kafka: the first widget's partitions all in sync, each led.
    const replicas = await page.locator('#leaders [data-testid=replica]').evaluateAll((els) => els.map((e) => e.dataset.role));
    assert.equal(replicas.length, 9);
    assert.equal(replicas.filter((r) => r === 'leader').length, 3);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('split: the start-up module is within the widget\'s budget, 250 KB gzipped', async (t) => {
  const url = (name) => new URL(`widget/${name}`, baseUrl()).href;
  const loader = await (await fetch(url('kafkaplay-widget.js'))).text();
  if (!loader.includes('kafkaplay_widget_rest.wasm')) {
    t.skip('this build is not split (no wasm-split)');
    return;
  }
  // What a page that shows widgets downloads (BENCHMARKS.md measures it the same way).
  const wasm = Buffer.from(await (await fetch(url('kafkaplay_widget_bg.wasm'))).arrayBuffer());
  const gzipped = gzSize(wasm);
  assert.ok(gzipped <= 250_000, `the start-up module is ${gzipped} bytes gzipped`);
});
