// Records on their way (web/src/flow.rs): dots drawn from the simulation's
// trace move from the producer to the partition's leader and from the leader
// to its followers; at a high rate one dot stands for many records and the
// number of dots stays bounded; with reduced motion nothing moves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, screenshotPath, waitForApp } from './browser.mjs';
import { produceLines, run, waitForLine } from './terminal_helpers.mjs';

const HOST_PROMPT = /^learner@kafkaplay/;
/** web/src/flow.rs's PULSES_MAX. */
const PULSES_MAX = 60;

async function openPlayground() {
  const opened = await openApp('?lang=en&seed=7');
  await waitForApp(opened.page, { errors: opened.errors });
  await opened.page.getByTestId('node-1000').getByTestId('active-controller').waitFor();
  return opened;
}

/** Every dot in the drawing now: id, hop, from, to, records, bytes, label. */
function pulsesNow(page) {
  return page.locator('[data-testid=flow-pulse]').evaluateAll((els) =>
    els.map((e) => ({
      id: e.dataset.pulse,
      hop: e.dataset.hop,
      from: e.dataset.from,
      to: e.dataset.to,
      records: Number(e.dataset.records),
      bytes: Number(e.dataset.bytes),
      label: e.querySelector('.count')?.textContent ?? null,
    })),
  );
}

/** Collects every dot that appears until `done(seen)` holds (or `ms` pass). */
async function watchPulses(page, done, ms = 15_000) {
  const seen = new Map();
  let most = 0;
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const now = await pulsesNow(page);
    most = Math.max(most, now.length);
    for (const p of now) seen.set(p.id, p);
    if (await done([...seen.values()])) break;
    await page.waitForTimeout(80);
  }
  return { seen: [...seen.values()], most };
}

test('a few records: dots from the producer to the leader, then from the leader to each follower', async () => {
  const { browser, page, errors } = await openPlayground();
  try {
    await page.getByTestId('terminal-input').click();
    await run(page, 'kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 1 --replication-factor 3');
    await waitForLine(page, 'Created topic orders.');
    const leaderCell = page.locator('[data-testid=partition-row][data-tp="orders-0"] [data-testid=partition-leader]');
    await leaderCell.waitFor();
    const leader = (await leaderCell.textContent()).trim();
    assert.match(leader, /^[123]$/);
    const followers = ['1', '2', '3'].filter((b) => b !== leader);
    // Nothing moves before anything is produced.
    await page.getByTestId('flow-idle').waitFor();

    await produceLines(page, 'orders', ['first', 'second', 'third']);
    let shot = false;
    const { seen } = await watchPulses(page, async (ps) => {
      if (!shot && ps.some((p) => p.hop === 'replicate')) {
        shot = true;
        await page.getByTestId('flow').screenshot({ path: screenshotPath('animation_few_records.png') });
      }
      const produced = ps.filter((p) => p.hop === 'produce').reduce((n, p) => n + p.records, 0);
      return produced >= 3 && followers.every((f) => ps.some((p) => p.hop === 'replicate' && p.to === f));
    });
    await page.keyboard.press('Control+d');
    await page.getByTestId('terminal-prompt').filter({ hasText: HOST_PROMPT }).waitFor();

    const produce = seen.filter((p) => p.hop === 'produce');
    const replicate = seen.filter((p) => p.hop === 'replicate');
    assert.ok(produce.length > 0, `no produce dot in ${JSON.stringify(seen)}`);
    // Every produce dot goes from the client to the only partition's leader,
    // and together they stand for exactly the three records typed.
    for (const p of produce) {
      assert.equal(p.to, leader, JSON.stringify(p));
      assert.ok(Number(p.from) >= 10_000 || !['1', '2', '3', '1000'].includes(p.from), `from a client: ${JSON.stringify(p)}`);
    }
    assert.equal(produce.reduce((n, p) => n + p.records, 0), 3);
    // Replication dots leave the leader for each follower, and only them.
    for (const f of followers) assert.ok(replicate.some((p) => p.to === f), `no dot to follower ${f}: ${JSON.stringify(replicate)}`);
    for (const p of replicate) {
      assert.equal(p.from, leader, JSON.stringify(p));
      assert.ok(followers.includes(p.to), JSON.stringify(p));
      assert.ok(p.bytes > 0);
    }
    assert.equal(seen.filter((p) => p.hop === 'consume').length, 0, 'nobody consumes');
    // The drawing is decorative.
    assert.equal(await page.locator('[data-testid=flow] .flow-stage').getAttribute('aria-hidden'), 'true');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('10,000 records/s: one dot stands for many records, and the dots stay few', async () => {
  const { browser, page, errors } = await openPlayground();
  try {
    await page.getByTestId('terminal-input').click();
    await run(page, 'kafka-topics --bootstrap-server localhost:9092 --create --topic load --partitions 60 --replication-factor 3');
    await waitForLine(page, 'Created topic load.');
    await run(
      page,
      'kafka-producer-perf-test --topic load --num-records 1000000000 --record-size 100 --throughput 10000 --producer-props bootstrap.servers=localhost:9092 acks=all',
    );
    const { seen, most } = await watchPulses(page, () => false, 6_000);
    await page.getByTestId('flow').screenshot({ path: screenshotPath('animation_high_rate.png') });
    const produce = seen.filter((p) => p.hop === 'produce');
    const records = produce.reduce((n, p) => n + p.records, 0);
    assert.ok(records > 10_000, `only ${records} records in ${produce.length} produce dots`);
    // Thousands of records, a few dots: each produce dot aggregates many.
    assert.ok(produce.length < records / 50, `${produce.length} dots for ${records} records`);
    const big = produce.find((p) => p.records > 100);
    assert.ok(big, JSON.stringify(produce.slice(0, 5)));
    assert.match(big.label, /^×[\d,]+$/);
    assert.equal(Number(big.label.slice(1).replaceAll(',', '')), big.records);
    // Every broker leads some of the 60 partitions: dots to each, and replication among them.
    for (const b of ['1', '2', '3']) assert.ok(produce.some((p) => p.to === b), `no produce dot to ${b}`);
    assert.ok(seen.some((p) => p.hop === 'replicate'));
    assert.ok(most <= PULSES_MAX, `${most} dots at once`);
    assert.ok(most > 0);

    // Reduced motion: the dots stand still, with their counts.
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.locator('[data-testid=flow-pulse]').first().waitFor({ state: 'attached' });
    // Found and read in one task: a dot the page replaces between a locator's
    // lookup and its evaluate is detached, and a detached element has no
    // computed style ('').
    const animation = await page.evaluate(
      () => getComputedStyle(document.querySelector('[data-testid=flow-pulse]')).animationName,
    );
    assert.equal(animation, 'none');
    await page.getByTestId('flow').screenshot({ path: screenshotPath('animation_reduced_motion.png') });
    await page.getByTestId('terminal-input').press('Control+C');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
