// The playground is saved in IndexedDB: a reload restarts the stored cluster
// (same offsets, committed group offsets, leaders and epochs, simulated time)
// and keeps its journal (a shared link replays it, the reload included),
// two tabs have one writer and one read-only follower, the playground menu
// creates, switches, resets, deletes, exports and imports playgrounds, and a
// full quota is reported while the cluster keeps running in memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { baseUrl, launch, openApp, screenshotPath, waitForApp } from './browser.mjs';

const BOOT = '--bootstrap-server localhost:9092';

/** Waits until the page opened its playground (as the writer unless `writer` is false). */
async function waitLoaded(page, writer = true) {
  await page.locator(`[data-testid=persist-status][data-loaded=true][data-writer=${writer}]`).waitFor({ timeout: 20_000 });
}

function commits(page) {
  return page.getByTestId('persist-status').getAttribute('data-commits').then(Number);
}

/** Waits for a commit of the state the page shows now (at its simulated time or later). */
async function waitSaved(page) {
  const shown = parseFloat(await page.getByTestId('sim-time').textContent());
  await page.waitForFunction(
    (shown) => {
      const saved = /^saved at ([\d.]+) s$/.exec(document.querySelector('[data-testid=persist-saved]').textContent.trim());
      return saved !== null && parseFloat(saved[1]) >= shown;
    },
    shown,
    { timeout: 15_000 },
  );
}

async function outputLines(page) {
  return page.getByTestId('terminal-line').allTextContents();
}

/** Types `command`, presses Enter and returns what it printed (until the next prompt). */
async function run(page, command, timeout = 20_000) {
  const input = page.getByTestId('terminal-input');
  const before = (await outputLines(page)).length;
  await input.fill(command);
  await input.press('Enter');
  // The command is done when a new prompt is shown with nothing running.
  await page.waitForFunction(
    ({ before, command }) => {
      const lines = [...document.querySelectorAll('[data-testid=terminal-line]')].map((l) => l.textContent);
      return lines.length > before && lines.slice(before).some((l) => l.endsWith(command));
    },
    { before, command },
    { timeout },
  );
  const lines = await outputLines(page);
  const at = lines.findLastIndex((l) => l.endsWith(command));
  const after = lines.slice(at + 1);
  const next = after.findIndex((l) => /^(learner@kafkaplay|\[appuser@)/.test(l));
  return next === -1 ? after : after.slice(0, next);
}

async function openPlayground(path = '?lang=en&seed=7') {
  const opened = await openApp(path);
  await waitForApp(opened.page, opened);
  await waitLoaded(opened.page);
  await opened.page.getByTestId('node-1000').getByTestId('active-controller').waitFor();
  return opened;
}

async function pause(page) {
  if ((await page.getByTestId('play-button').textContent()).trim() === 'Pause') {
    await page.getByTestId('play-button').click();
  }
}

test('a reload restarts the stored cluster: same offsets, group offsets, leaders, epochs and time', async () => {
  const { browser, page, errors } = await openPlayground();
  try {
    await pause(page);
    await page.getByTestId('terminal-input').click();
    const sample = await run(page, 'kafkaplay sample orders 30');
    assert.match(sample.join('\n'), /produced 30 of 30 records/);
    await run(page, `kafka-consumer-groups ${BOOT} --reset-offsets --group g1 --topic orders --to-offset 4 --execute`);
    // Brokers flush every 30 s of simulated time; what is not flushed is not saved (as in Kafka).
    await run(page, 'kafkaplay advance 40s');
    await run(page, 'echo notes > notes.txt');
    const offsets = await run(page, `kafka-get-offsets ${BOOT} --topic orders`);
    assert.deepEqual(offsets.slice(0, 3).map((l) => l.split(':')[0]), ['orders', 'orders', 'orders']);
    const group = await run(page, `kafka-consumer-groups ${BOOT} --describe --group g1`);
    assert.ok(group.some((l) => /^g1\s+orders\s+0\s+4\s+/.test(l)), group.join('\n'));
    await waitSaved(page);
    const time = await page.getByTestId('sim-time').textContent();
    const partitions = await page.getByTestId('partitions-table').locator('tbody tr').allTextContents();
    assert.equal(partitions.length, 3 + 50, 'orders and __consumer_offsets');

    await page.reload();
    await waitForApp(page, { errors });
    await waitLoaded(page);
    // Restarted from the stored logs; the clock goes on from the stored
    // simulated time (the restart itself takes a fraction of a second); still paused.
    const report = page.getByTestId('restore-report');
    await report.waitFor();
    assert.match(await report.textContent(), /Restarted from the stored logs at [\d.]+ s of simulated time: 159 partition replicas recovered/);
    assert.equal(await report.getAttribute('data-truncated-bytes'), '0');
    assert.equal(await report.getAttribute('data-restored-at'), time);
    const resumed = parseFloat(await page.getByTestId('sim-time').textContent());
    assert.ok(resumed >= parseFloat(time) && resumed < parseFloat(time) + 2, `${resumed} after ${time}`);
    assert.equal((await page.getByTestId('play-button').textContent()).trim(), 'Play');
    await page.screenshot({ path: screenshotPath('persist_restored.png') });
    // The journal was stored with the cluster: the timeline and share links
    // go on, and a shared link replays the session, reload included (every
    // node restarted from its disk at the saved time), to the same cluster.
    assert.equal(await page.getByTestId('timeline-restored').count(), 0);
    await page.getByTestId('share-button').click();
    const url = await page.getByTestId('share-url').inputValue();
    const journal = Buffer.from(new URL(url).hash.replace(/^#v1:/, ''), 'base64url').toString();
    assert.match(journal, /\n\d+ reload\n/, journal);
    const other = await openApp(url);
    try {
      await waitForApp(other.page, other);
      const notice = other.page.getByTestId('link-notice');
      await notice.waitFor();
      assert.match(await notice.textContent(), /^Opened a shared link: the same cluster, replayed/);
      assert.equal(await other.page.getByTestId('sim-time').textContent(), await page.getByTestId('sim-time').textContent());
      assert.deepEqual(
        await other.page.getByTestId('partitions-table').locator('tbody tr').allTextContents(),
        await page.getByTestId('partitions-table').locator('tbody tr').allTextContents(),
      );
      assert.deepEqual(await other.page.getByTestId('nodes').innerText(), await page.getByTestId('nodes').innerText());
    } finally {
      await other.browser.close();
    }
    // The controller's metadata log came back: same leaders, epochs, replicas and ISR.
    const restored = await page.getByTestId('partitions-table').locator('tbody tr').allTextContents();
    const noHw = (rows) => rows.map((r) => r.replace(/\d+$|–$/, ''));
    assert.deepEqual(noHw(restored), noHw(partitions));

    // The shell's history and files came back too.
    const input = page.getByTestId('terminal-input');
    await input.click();
    await input.press('ArrowUp');
    assert.equal(await input.inputValue(), `kafka-consumer-groups ${BOOT} --describe --group g1`);
    await input.fill('');
    assert.deepEqual(await run(page, 'cat notes.txt'), ['notes']);
    // The brokers recovered their logs: the same offsets and committed group offsets.
    assert.deepEqual(await run(page, `kafka-get-offsets ${BOOT} --topic orders`, 60_000), offsets);
    assert.deepEqual(await run(page, `kafka-consumer-groups ${BOOT} --describe --group g1`, 60_000), group);

    // A torn tail: with the page closed, half a batch header is appended to
    // broker 1's stored orders-0 (as a write cut short by a crash leaves it).
    await page.goto(new URL('init.js', baseUrl()).href);
    const torn = await page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open('kafkaplay/default');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('segments', 'readwrite');
            const store = tx.objectStore('segments');
            const range = IDBKeyRange.bound(['c/1/orders-0', 0, 0], ['c/1/orders-0', 0, 1e9]);
            const keys = store.getAllKeys(range);
            keys.onsuccess = () => {
              const last = keys.result[keys.result.length - 1];
              const first = store.get(keys.result[0]);
              first.onsuccess = () => store.put(first.result.slice(0, 30), ['c/1/orders-0', 0, last[2] + 1]);
            };
            tx.oncomplete = () => resolve(true);
            tx.onabort = () => reject(tx.error);
          };
        }),
    );
    assert.equal(torn, true);
    await page.goto(new URL('?lang=en', baseUrl()).href);
    await waitForApp(page, { errors });
    await waitLoaded(page);
    await page.getByTestId('restore-report').filter({ hasText: '30 bytes cut off torn or corrupt tails.' }).waitFor();
    assert.equal(await page.getByTestId('restore-report').getAttribute('data-truncated-bytes'), '30');
    await page.screenshot({ path: screenshotPath('persist_torn_tail.png') });
    await page.getByTestId('terminal-input').click();
    assert.deepEqual(await run(page, `kafka-get-offsets ${BOOT} --topic orders`, 60_000), offsets);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('two tabs: one writer, the other read-only follows it and takes over when it closes', async () => {
  const context = await launch();
  try {
    const errors = [];
    const open = async () => {
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      await page.goto(new URL('?lang=en&seed=7', baseUrl()).href);
      await waitForApp(page, { errors });
      return page;
    };
    const writer = await open();
    await waitLoaded(writer, true);
    await writer.getByTestId('node-1000').getByTestId('active-controller').waitFor();
    await waitSaved(writer);
    const reader = await open();
    await waitLoaded(reader, false);
    const banner = reader.getByTestId('readonly-banner');
    await banner.waitFor();
    assert.match(await banner.textContent(), /Read-only: this playground is open in another tab/);
    assert.equal(await writer.getByTestId('readonly-banner').count(), 0);

    // The reader refuses what changes the cluster: the terminal and the buttons.
    await reader.getByTestId('terminal-input').click();
    const refused = await run(reader, `kafka-topics ${BOOT} --create --topic nope`);
    assert.match(refused[0], /^kafkaplay: read-only: this playground is open in another tab/);
    await reader.getByTestId('kill-1').click();
    await reader.getByTestId('readonly-refused').waitFor();
    assert.equal(await reader.getByTestId('node-1').getAttribute('data-state'), 'running');
    await reader.evaluate(() => window.scrollTo(0, 0));
    await reader.screenshot({ path: screenshotPath('persist_readonly.png') });

    // The writer changes the cluster; the reader follows its next save.
    await writer.getByTestId('terminal-input').click();
    await run(writer, 'kafkaplay sample shared 5');
    await reader.locator('[data-testid=topic-row][data-topic=shared]').waitFor({ timeout: 20_000 });
    assert.ok(Number(await banner.getAttribute('data-follows')) >= 1);
    assert.equal(await reader.locator('[data-testid=topic-row][data-topic=nope]').count(), 0);

    // The writer's tab closes: the reader takes over (it polls the writer lock).
    await writer.close({ runBeforeUnload: true });
    await waitLoaded(reader, true);
    assert.equal(await reader.getByTestId('readonly-banner').count(), 0);
    await reader.locator('[data-testid=topic-row][data-topic=shared]').waitFor();
    await reader.getByTestId('kill-1').click();
    await reader.waitForFunction(() => document.querySelector('[data-testid=node-1]').dataset.state === 'stopped');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the playground menu: new, switch, reset, delete, export, import, Kafka files, docker-compose', async () => {
  const { browser, page, errors } = await openPlayground();
  page.on('dialog', (d) => d.accept());
  try {
    await page.getByTestId('terminal-input').click();
    await run(page, 'kafkaplay sample first 10');
    await run(page, 'kafkaplay advance 40s');
    await waitSaved(page);
    const menu = page.getByTestId('playground-menu');
    await menu.locator('summary').click();
    await page.getByTestId('playground-new-name').fill('second');
    await page.getByTestId('playground-new').click();
    await page.locator('[data-testid=playground-name]', { hasText: 'second' }).waitFor();
    await waitLoaded(page);
    await page.getByTestId('node-1000').getByTestId('active-controller').waitFor();
    assert.equal(await page.locator('[data-testid=topic-row]').count(), 0, 'a new playground starts empty');
    const names = () => page.getByTestId('playground-item').evaluateAll((els) => els.map((e) => e.dataset.name));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=playground-item]').length === 2);
    assert.deepEqual(await names(), ['default', 'second']);
    await page.screenshot({ path: screenshotPath('persist_menu.png') });

    // Back to the first: its topic is there.
    await page.locator('[data-testid=playground-item][data-name=default] [data-testid=playground-open]').click();
    await page.locator('[data-testid=playground-name]', { hasText: 'default' }).waitFor();
    await waitLoaded(page);
    await page.locator('[data-testid=topic-row][data-topic=first]').waitFor();

    // Export it to a file; import that file as "copy": the same topic.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('playground-export').click()]);
    assert.equal(download.suggestedFilename(), 'default.kafkaplay');
    const file = screenshotPath('copy.kafkaplay');
    await download.saveAs(file);
    assert.equal(readFileSync(file).subarray(0, 8).toString('latin1'), 'KPPLAY\r\n');
    await page.getByTestId('playground-import').setInputFiles(file);
    await page.locator('[data-testid=playground-name]', { hasText: 'copy' }).waitFor();
    await waitLoaded(page);
    await page.locator('[data-testid=topic-row][data-topic=first]').waitFor();
    // A damaged file is refused and changes nothing.
    const bad = screenshotPath('bad.kafkaplay');
    writeFileSync(bad, Buffer.from('KPPLAY\r\n not really'));
    await page.getByTestId('playground-import').setInputFiles(bad);
    await page.getByTestId('persist-outcome').filter({ hasText: 'not a usable kafkaplay playground file' }).waitFor();

    // Kafka's files of a partition, and the docker-compose set-up.
    await page.getByTestId('export-partition-select').selectOption('first-0');
    const downloads = [];
    page.on('download', (d) => downloads.push(d.suggestedFilename()));
    await page.getByTestId('export-partition').click();
    await page.getByTestId('export-compose').click();
    await page.waitForFunction(() => /docker-compose\.yml/.test(document.querySelector('[data-testid=persist-outcome]')?.textContent ?? ''));
    await page.waitForTimeout(500);
    assert.ok(downloads.some((n) => /^broker\d_first-0_00000000000000000000\.log$/.test(n)), downloads.join(' '));
    assert.ok(downloads.includes('docker-compose.yml') && downloads.includes('create-topics.sh'), downloads.join(' '));

    // Reset "copy": empty again. Delete "second" from the list.
    await page.getByTestId('playground-reset').click();
    await page.getByTestId('persist-outcome').filter({ hasText: 'Reset the playground “copy”' }).waitFor();
    await waitLoaded(page);
    await page.getByTestId('node-1000').getByTestId('active-controller').waitFor();
    assert.equal(await page.locator('[data-testid=topic-row]').count(), 0);
    await page.locator('[data-testid=playground-item][data-name=second] [data-testid=playground-delete]').click();
    await page.getByTestId('persist-outcome').filter({ hasText: 'Deleted the playground “second”' }).waitFor();
    await page.waitForFunction(() => !document.querySelector('[data-testid=playground-item][data-name=second]'));
    assert.deepEqual(await names(), ['copy', 'default']);
    // The page remembers which playground was open.
    await page.reload();
    await waitForApp(page, { errors });
    await waitLoaded(page);
    assert.equal(await page.getByTestId('playground-name').textContent(), 'copy');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a full quota is reported, the cluster keeps running, and what was saved stays whole', async () => {
  const { browser, page, errors } = await openPlayground();
  try {
    await page.getByTestId('terminal-input').click();
    await run(page, 'kafkaplay sample kept 10');
    await run(page, 'kafkaplay advance 40s');
    await waitSaved(page);
    await page.getByTestId('persist-usage').waitFor();
    // Headless Chromium cannot lower its real quota (10 GB), so the page's test
    // seam makes every commit end as a full disk does: the engine aborts the
    // transaction with a QuotaExceededError.
    await page.goto(new URL('?lang=en&persist-fault=quota', baseUrl()).href);
    await waitForApp(page, { errors });
    await waitLoaded(page);
    await page.locator('[data-testid=topic-row][data-topic=kept]').waitFor();
    await page.getByTestId('terminal-input').click();
    await run(page, 'kafkaplay sample lost 30');
    await run(page, 'kafkaplay advance 40s');
    const error = page.getByTestId('persist-error');
    await error.waitFor({ timeout: 20_000 });
    assert.match(await error.textContent(), /storage for this site is full \(QuotaExceededError\)/);
    await page.screenshot({ path: screenshotPath('persist_quota.png') });
    // Still running in memory.
    await page.locator('[data-testid=topic-row][data-topic=lost]').waitFor();
    const t0 = parseFloat(await page.getByTestId('sim-time').textContent());
    await page.waitForFunction((t0) => parseFloat(document.querySelector('[data-testid=sim-time]').textContent) > t0 + 1, t0);

    // What is stored is the last commit that fit: "kept", not "lost", and whole.
    await page.goto(new URL('?lang=en', baseUrl()).href);
    await waitForApp(page, { errors });
    await waitLoaded(page);
    await page.getByTestId('restore-report').waitFor();
    assert.equal(await page.getByTestId('restore-report').getAttribute('data-truncated-bytes'), '0');
    await page.locator('[data-testid=topic-row][data-topic=kept]').waitFor();
    assert.equal(await page.locator('[data-testid=topic-row][data-topic=lost]').count(), 0);
    assert.equal(await page.getByTestId('persist-error').count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('the history the terminal kept in localStorage moves into the playground once', async () => {
  const context = await launch();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    // What an earlier version of the page left behind (entries separated by U+001E).
    await page.addInitScript(() => {
      if (!sessionStorage.getItem('seeded')) {
        sessionStorage.setItem('seeded', '1');
        localStorage.setItem('kafkaplay.terminal.history', 'echo one\u001eecho legacy');
      }
    });
    await page.goto(new URL('?lang=en', baseUrl()).href);
    await waitForApp(page, { errors });
    await waitLoaded(page);
    const input = page.getByTestId('terminal-input');
    await input.click();
    await input.press('ArrowUp');
    assert.equal(await input.inputValue(), 'echo legacy');
    await input.fill('');
    await waitSaved(page);
    await page.waitForFunction(() => localStorage.getItem('kafkaplay.terminal.history') === null);
    await page.reload();
    await waitForApp(page, { errors });
    await waitLoaded(page);
    await input.click();
    await input.press('ArrowUp');
    await input.press('ArrowUp');
    assert.equal(await input.inputValue(), 'echo one');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
