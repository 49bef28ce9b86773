// The broker boxes stay short: an internal topic (__consumer_offsets, 50
// partitions) and a wide topic show one summary line per broker, with the
// roles by icon and text, that opens to the list of replicas; the partition
// table lists at most 50 partitions of a topic and says how many more there are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, screenshotPath, waitForApp } from './browser.mjs';

async function openPlayground() {
  const opened = await openApp('?lang=en&seed=7');
  await waitForApp(opened.page, { errors: opened.errors });
  await opened.page.getByTestId('node-1000').getByTestId('active-controller').waitFor();
  return opened;
}

async function run(page, command) {
  const input = page.getByTestId('terminal-input');
  await input.fill(command);
  await input.press('Enter');
}

const SUMMARY = /^(\S+): (\d+) replicas? ★ (\d+) leader( · ● (\d+) in-sync)?( · ◐ (\d+) out-of-sync)?( · ✕ (\d+) offline)?$/;

test('__consumer_offsets is one line per broker, opened on request', async () => {
  const { browser, page, errors } = await openPlayground();
  try {
    await run(page, 'kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 3 --replication-factor 2');
    await page.locator('[data-testid=topic-row][data-topic=orders]').waitFor();
    // A consumer group makes the coordinator create __consumer_offsets.
    await run(page, 'kafka-console-consumer --bootstrap-server localhost:9092 --topic orders --group readers');
    const groups = page.locator('[data-testid=replica-group][data-topic=__consumer_offsets]');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=replica-group][data-topic=__consumer_offsets]').length === 3,
      null,
      { timeout: 30_000 },
    );
    await page.getByTestId('terminal-input').press('Control+C');

    // One summary per broker; no __consumer_offsets replica is listed; the
    // counts add up to 50 partitions × RF 3 with one leader each.
    let replicas = 0;
    let leaders = 0;
    for (const id of [1, 2, 3]) {
      const summary = page.getByTestId(`node-${id}`).locator('[data-testid=replica-group][data-topic=__consumer_offsets] summary');
      const text = (await summary.textContent()).replace(/\s+/g, ' ').trim();
      const m = SUMMARY.exec(text);
      assert.ok(m, `summary "${text}"`);
      assert.equal(m[1], '__consumer_offsets');
      replicas += Number(m[2]);
      leaders += Number(m[3]);
    }
    assert.equal(replicas, 150);
    assert.equal(leaders, 50);
    assert.equal(await page.locator('[data-testid=replica][data-tp^="__consumer_offsets-"]').count(), 0);
    // The ordinary topic is still listed replica by replica.
    assert.equal(await page.locator('[data-testid=replica][data-tp^="orders-"]').count(), 6);
    await page.getByTestId('node-1').screenshot({ path: screenshotPath('cluster_view_consumer_offsets_collapsed.png') });

    // Open broker 1's list: its replicas appear with roles; close it again.
    const group1 = page.getByTestId('node-1').locator('[data-testid=replica-group][data-topic=__consumer_offsets]');
    const n = Number(SUMMARY.exec((await group1.locator('summary').textContent()).replace(/\s+/g, ' ').trim())[2]);
    await group1.locator('summary').click();
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=node-1] [data-testid=replica][data-tp^="__consumer_offsets-"]').length === n,
      n,
    );
    assert.notEqual(await group1.locator('details').getAttribute('open'), null);
    const roles = await group1.locator('[data-testid=replica]').evaluateAll((els) => els.map((e) => e.dataset.role));
    assert.ok(roles.every((r) => ['leader', 'in-sync', 'out-of-sync', 'offline'].includes(r)), roles.join());
    await page.getByTestId('node-1').screenshot({ path: screenshotPath('cluster_view_consumer_offsets_open.png') });
    // It stays open across clock ticks.
    await page.waitForTimeout(400);
    assert.equal(await page.locator('[data-testid=node-1] [data-testid=replica][data-tp^="__consumer_offsets-"]').count(), n);
    await group1.locator('summary').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=replica][data-tp^="__consumer_offsets-"]').length === 0);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a topic of 1,000 partitions: one line per broker and a bounded partition table', async () => {
  const { browser, page, errors } = await openPlayground();
  try {
    await run(page, 'kafka-topics --bootstrap-server localhost:9092 --create --topic wide --partitions 1000 --replication-factor 3');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=replica-group][data-topic=wide]').length === 3,
      null,
      { timeout: 60_000 },
    );
    for (const id of [1, 2, 3]) {
      const summary = page.getByTestId(`node-${id}`).locator('[data-testid=replica-group][data-topic=wide] summary');
      await page.waitForFunction(
        (id) => / replicas ★ 3\d\d leader/.test(document.querySelector(`[data-testid=node-${id}] [data-testid=replica-group][data-topic=wide] summary`).textContent),
        id,
        { timeout: 30_000 },
      );
      const m = SUMMARY.exec((await summary.textContent()).replace(/\s+/g, ' ').trim());
      assert.equal(m[2], '1000', 'RF 3 on 3 brokers: every broker holds every partition');
    }
    assert.equal(await page.locator('[data-testid=replica][data-tp^="wide-"]').count(), 0);
    assert.equal(await page.locator('[data-testid=partition-row][data-tp^="wide-"]').count(), 50);
    assert.match(
      await page.locator('[data-testid=partition-more][data-topic=wide]').textContent(),
      /^… 950 more partitions of wide: `kafka-topics --describe --topic wide` in the terminal lists them all\.$/,
    );
    await page.screenshot({ path: screenshotPath('cluster_view_1000_partitions.png') });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
