// The split wasm (web/build/split.mjs, web/build/split-loader.js): the page
// starts from the start-up module, fetches the rest after it, and a function
// of the rest that runs before the rest is in loads it on demand. A build
// without wasm-split (the rustup route) has one wasm; these tests then skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { baseUrl, launch, openApp, repoRoot, screenshotPath, waitForApp } from './browser.mjs';
import { outputOf, run, waitForLine } from './terminal_helpers.mjs';

const files = readdirSync(join(repoRoot, 'dist'));
const secondary = files.filter((f) => f.endsWith('_split.wasm'));
const skip = secondary.length === 0 && 'dist/ has one wasm: this build was not split';

/** How the second module came in: 'prefetch' or 'on-demand' (split-loader.js). */
function loadedHow(page) {
  return page
    .waitForFunction(() => performance.getEntriesByName('kafkaplay:split-loaded')[0]?.detail.how, null, {
      timeout: 30_000,
    })
    .then((how) => how.jsonValue());
}

const CREATE = 'kafka-topics --bootstrap-server localhost:9092 --create --topic split --partitions 3 --replication-factor 2';
const DESCRIBE = 'kafka-topics --bootstrap-server localhost:9092 --describe --topic split';

async function createAndDescribe(page) {
  await page.getByTestId('terminal-input').click();
  await run(page, CREATE);
  await waitForLine(page, 'Created topic split.');
  await run(page, DESCRIBE);
  await waitForLine(page, /^\tTopic: split\tPartition: 2\t/);
  const out = (await outputOf(page, DESCRIBE)).join('\n');
  assert.match(out, /^Topic: split\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 2/m, out);
  for (const p of [0, 1, 2]) {
    assert.match(out, new RegExp(`^\\tTopic: split\\tPartition: ${p}\\tLeader: \\d+\\tReplicas: \\d+,\\d+\\tIsr: \\d+,\\d+`, 'm'), out);
  }
}

test('the build splits the wasm in two: a start-up module and the rest', { skip }, () => {
  assert.equal(files.filter((f) => f.endsWith('_bg.wasm')).length, 1, files.join(' '));
  assert.equal(secondary.length, 1, files.join(' '));
});

test('the page starts from the start-up module and fetches the rest after it', { skip }, async () => {
  const { browser, page, errors } = await openApp('?lang=en&seed=7');
  try {
    await waitForApp(page, { errors });
    assert.equal(await loadedHow(page), 'prefetch');
    const order = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter((e) => e.name.endsWith('.wasm'))
        .map((e) => ({ name: e.name.split('/').pop(), start: e.startTime, end: e.responseEnd })),
    );
    const [startup, rest] = ['_bg.wasm', '_split.wasm'].map((end) => order.find((e) => e.name.endsWith(end)));
    assert.ok(startup && rest, JSON.stringify(order));
    assert.ok(rest.start >= startup.end, `the rest is fetched once the start-up module is in: ${JSON.stringify(order)}`);
    await createAndDescribe(page);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a function of the rest that runs before its prefetch is in loads the rest on demand', { skip }, async () => {
  const context = await launch();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    // The prefetch (a fetch) never gets an answer; the synchronous request of
    // a placeholder (an XHR) does.
    await page.route(/_split\.wasm$/, (route) =>
      route.request().resourceType() === 'fetch' ? route.abort('timedout') : route.continue(),
    );
    await page.goto(new URL('?lang=en&seed=7', baseUrl()).href);
    await waitForApp(page, { errors });
    await createAndDescribe(page);
    assert.equal(await loadedHow(page), 'on-demand');
    await page.screenshot({ path: screenshotPath('split_on_demand.png') });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
