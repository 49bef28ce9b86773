// Shared links and the timeline (web/src/journal.rs, web/src/timeline.rs): do
// things in one browser (a topic made in the terminal, records typed into the
// console producer, a broker killed from its box), take the share link, open
// it in another browser and get the same cluster (the boxes, the partition
// table, the simulated time, `kafka-topics --describe`); scrub back before the
// kill and see the old leader; fork from there and the kill is gone. Bad and
// too-new links say so and start a fresh cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, screenshotPath, waitForApp } from './browser.mjs';
import { outputLines, outputOf, produceLines, run, waitForLine } from './terminal_helpers.mjs';

const HOST_PROMPT = 'learner@kafkaplay:~$ ';

async function open(path) {
  const opened = await openApp(path);
  await waitForApp(opened.page, opened);
  await opened.page.getByTestId('terminal').waitFor();
  return opened;
}

const simTime = async (page) => (await page.getByTestId('sim-time').textContent()).trim();
const leaderOf = async (page, tp) =>
  (await page.locator(`[data-testid=partition-row][data-tp="${tp}"] [data-testid=partition-leader]`).textContent()).trim();
const nodeState = (page, id) => page.getByTestId(`node-${id}`).getAttribute('data-state');

/** What the page shows of the cluster, as text. */
async function clusterText(page) {
  return {
    time: await simTime(page),
    nodes: await page.getByTestId('nodes').innerText(),
    partitions: await page.getByTestId('partitions-table').innerText(),
  };
}

async function pause(page) {
  if ((await page.getByTestId('play-button').textContent()).trim() === 'Pause') {
    await page.getByTestId('play-button').click();
  }
  // Paused: the clock stands still.
  const t = await simTime(page);
  await page.waitForTimeout(300);
  assert.equal(await simTime(page), t, 'the clock is paused');
}

/** Moves the timeline's slider to `ms` (a clock reading) as dragging it would. */
async function scrubTo(page, ms) {
  await page.getByTestId('timeline-slider').evaluate((el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, ms);
}

/** The journal text inside a share link. */
function journalOf(url) {
  const fragment = new URL(url).hash;
  assert.match(fragment, /^#v1:[A-Za-z0-9_-]+$/);
  return Buffer.from(fragment.slice(4), 'base64url').toString('utf8');
}

test('a shared link opens the same cluster; the timeline goes back before a kill and forks from there', async () => {
  const a = await open('?lang=en&seed=42');
  let b;
  try {
    const page = a.page;
    await page.getByTestId('node-1000').getByTestId('active-controller').waitFor();
    await page.getByTestId('terminal-input').click();
    await run(page, 'kafka-topics --bootstrap-server localhost:9092 --create --topic orders --partitions 3 --replication-factor 2');
    await waitForLine(page, 'Created topic orders.');
    await produceLines(page, 'orders', ['first', 'second', 'third']);
    await page.keyboard.press('Control+d');
    await page.getByTestId('terminal-prompt').filter({ hasText: HOST_PROMPT }).waitFor();

    // Kill the leader of orders-0 from its box, at a known time (paused).
    await page.locator('[data-testid=partition-row][data-tp="orders-0"]').waitFor();
    const victim = await leaderOf(page, 'orders-0');
    assert.match(victim, /^[123]$/);
    await pause(page);
    const killedAt = Math.round(parseFloat(await simTime(page)) * 1000);
    await page.getByTestId(`kill-${victim}`).click();
    assert.equal(await nodeState(page, victim), 'stopped');
    await page.getByTestId('speed-select').selectOption({ label: '10×' });
    await page.getByTestId('play-button').click();
    await page.waitForFunction(
      (before) => {
        const cell = document.querySelector('[data-testid=partition-row][data-tp="orders-0"] [data-testid=partition-leader]');
        const now = cell.textContent.trim();
        return now !== before && /^[123]$/.test(now);
      },
      victim,
      { timeout: 30_000 },
    );
    await pause(page);
    const newLeader = await leaderOf(page, 'orders-0');

    // Share: the link holds the journal.
    await page.getByTestId('share-button').click();
    const url = await page.getByTestId('share-url').inputValue();
    const journal = journalOf(url);
    // Version 2: the records typed into the console producer are its input ('> ').
    assert.match(journal, /^kafkaplay-journal 2\nseed 42\nbrokers 3\n/);
    assert.match(journal, /\$ kafka-topics --bootstrap-server localhost:9092 --create --topic orders/);
    assert.match(journal, /\$ kafka-console-producer --bootstrap-server localhost:9092 --topic orders\n/);
    assert.match(journal, /> second\n/);
    assert.match(journal, /\^D\n/);
    assert.match(journal, new RegExp(`kill ${victim}\\n`));
    assert.match(journal, /\nend \d+ [0-9a-f]{16} \d+\n$/);
    console.log(`share link: ${url.length} characters (journal ${journal.length} bytes)`);
    const stateA = await clusterText(page);
    await page.screenshot({ path: screenshotPath('share_a.png'), fullPage: false });

    // Another browser opens the link: the same cluster, paused at the same time.
    b = await open(url);
    const pb = b.page;
    const notice = pb.getByTestId('link-notice');
    await notice.waitFor();
    assert.match(await notice.textContent(), /^Opened a shared link: the same cluster, replayed/);
    assert.deepEqual(await clusterText(pb), stateA);
    assert.equal((await pb.getByTestId('play-button').textContent()).trim(), 'Play');
    assert.equal(await pb.getByTestId('seed').textContent(), '42');
    assert.equal(await nodeState(pb, victim), 'stopped');
    await pb.screenshot({ path: screenshotPath('share_b_opened.png'), fullPage: false });

    // The link opened where a playground is already stored (A's browser, a
    // second tab): a new playground of its own, not A's stored cluster.
    const pa2 = await page.context().newPage();
    await pa2.goto(url);
    await waitForApp(pa2, { errors: a.errors });
    await pa2.getByTestId('link-notice').waitFor();
    await pa2.waitForFunction(() => document.querySelector('[data-testid=persist-status]')?.dataset.loaded === 'true');
    assert.match(await pa2.getByTestId('playground-name').textContent(), /^link \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.deepEqual((await clusterText(pa2)).nodes, stateA.nodes);
    assert.equal(await nodeState(pa2, victim), 'stopped');
    await pa2.close();

    // The same answer to the same command at the same time.
    const describe = 'kafka-topics --bootstrap-server localhost:9092 --describe --topic orders';
    await pb.getByTestId('terminal-input').click();
    await run(page, describe);
    await run(pb, describe);
    await waitForLine(page, /^\tTopic: orders\tPartition: 2\t/);
    await waitForLine(pb, /^\tTopic: orders\tPartition: 2\t/);
    const describedA = await outputOf(page, describe);
    assert.equal(describedA.length, 4, describedA.join('\n'));
    assert.match(describedA[1], new RegExp(`^\\tTopic: orders\\tPartition: 0\\tLeader: ${newLeader}\\t`));
    assert.deepEqual(await outputOf(pb, describe), describedA);
    assert.deepEqual(await clusterText(pb), await clusterText(page));
    // The records typed in A are in B's message browser.
    await pb.getByTestId('browser-partition').waitFor();

    // The timeline: back to before the kill shows the old leader, read-only.
    const slider = pb.getByTestId('timeline-slider');
    assert.equal(await slider.getAttribute('aria-valuetext'), `${await simTime(pb)} (live)`);
    await scrubTo(pb, killedAt - 500);
    await pb.getByTestId('past-banner').waitFor();
    assert.notEqual(await nodeState(pb, victim), 'stopped');
    assert.equal(await leaderOf(pb, 'orders-0'), victim);
    assert.equal(await pb.locator(`[data-testid=node-${victim}] [data-testid=replica][data-tp="orders-0"]`).getAttribute('data-role'), 'leader');
    const pastTime = parseFloat(await simTime(pb));
    assert.ok(Math.abs(pastTime * 1000 - (killedAt - 500)) <= 100, `${pastTime} s shown, wanted ${killedAt - 500} ms`);
    // Read-only: a fault button does nothing, the terminal is inert.
    await pb.getByTestId(`kill-${victim}`).click();
    assert.notEqual(await nodeState(pb, victim), 'stopped');
    assert.equal(await pb.locator('.terminal-row[inert]').count(), 1);
    // The keyboard moves the slider: one step (100 ms) later.
    await slider.focus();
    await pb.keyboard.press('ArrowRight');
    await pb.waitForFunction((t) => document.querySelector('[data-testid=sim-time]').textContent.trim() !== t, `${pastTime.toFixed(1)} s`);
    assert.equal(parseFloat(await simTime(pb)).toFixed(1), (pastTime + 0.1).toFixed(1));
    await pb.screenshot({ path: screenshotPath('share_b_past.png'), fullPage: false });

    // Back to live and back again.
    await pb.getByTestId('back-to-live').click();
    assert.equal(await pb.getByTestId('past-banner').count(), 0);
    assert.deepEqual((await clusterText(pb)).nodes, stateA.nodes);
    await scrubTo(pb, killedAt - 500);
    await pb.getByTestId('past-banner').waitFor();

    // Fork: what came after (the kill) is gone, and the clock goes on from here.
    await pb.getByTestId('fork-button').click();
    assert.equal(await pb.getByTestId('past-banner').count(), 0);
    await pb.waitForFunction((t) => parseFloat(document.querySelector('[data-testid=sim-time]').textContent) > t + 1, pastTime);
    assert.notEqual(await nodeState(pb, victim), 'stopped');
    await pause(pb);
    assert.equal(await leaderOf(pb, 'orders-0'), victim);
    await pb.getByTestId('share-button').click();
    const forked = journalOf(await pb.getByTestId('share-url').inputValue());
    assert.doesNotMatch(forked, /\nkill /);
    assert.match(forked, /> third\n/);
    await pb.screenshot({ path: screenshotPath('share_b_forked.png'), fullPage: false });

    assert.deepEqual(a.errors, [], 'page A logged errors');
    assert.deepEqual(b.errors, [], 'page B logged errors');
  } finally {
    await a.browser.close();
    await b?.browser.close();
  }
});

test('a damaged or too-new link says so and starts a fresh cluster', async () => {
  for (const [fragment, text] of [
    ['#v1:@@not-base64', /^This link could not be opened; here is a fresh cluster\. Reason: the link is damaged/],
    [`#v1:${Buffer.from('kafkaplay-journal 1\nseed 5\nbrokers 3\n10 explode 2\nend 0\n').toString('base64url')}`, /line 4 of the journal is not understood/],
    ['#v7:AAAA', /^This link was made by a newer kafkaplay/],
  ]) {
    const { browser, page, errors } = await open(`?lang=en${fragment}`);
    try {
      const notice = page.getByTestId('link-notice');
      await notice.waitFor();
      assert.match(await notice.textContent(), text);
      await page.getByTestId('node-1000').getByTestId('active-controller').waitFor();
      assert.equal(await page.getByTestId('node-3').count(), 1);
      if (fragment.startsWith('#v7')) {
        await page.screenshot({ path: screenshotPath('share_bad_link.png'), fullPage: false });
      }
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  }
});

test('Korean: the timeline and the share button', async () => {
  const { browser, page, errors } = await open('?lang=ko');
  try {
    assert.equal((await page.getByTestId('share-button').textContent()).trim(), '링크 공유');
    await page.getByTestId('share-button').click();
    assert.match(await page.getByTestId('share-url').inputValue(), /#v1:[A-Za-z0-9_-]+$/);
    assert.match(await page.getByTestId('timeline-slider').getAttribute('aria-valuetext'), /실시간/);
    await page.waitForFunction(() => parseFloat(document.querySelector('[data-testid=sim-time]').textContent) > 2);
    await scrubTo(page, parseInt(await page.getByTestId('timeline-slider').getAttribute('min'), 10) + 500);
    assert.match(await page.getByTestId('past-banner').textContent(), /^과거 보기/);
    assert.equal((await page.getByTestId('fork-button').textContent()).trim(), '여기서 분기');
    // A phone: nothing sticks out sideways.
    await page.setViewportSize({ width: 390, height: 800 });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no horizontal overflow at 390 px');
    await page.getByTestId('timeline').screenshot({ path: screenshotPath('share_ko_past_phone.png') });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a link with 5 minutes of a producer at 50 records/s: replayed to its end, and scrubbed back', async () => {
  // Made by hand, as a stored journal could be: a topic from the form, the producer form, 5 minutes.
  const journal =
    'kafkaplay-journal 1\nseed 7\nbrokers 3\n0 topic orders 3 2\n1000 produce orders 50 4 all v{n}\nend 299000\n';
  const started = Date.now();
  const { browser, page, errors } = await open(`?lang=en#v1:${Buffer.from(journal).toString('base64url')}`);
  try {
    await page.getByTestId('link-notice').waitFor();
    const opened = Date.now() - started;
    const end = parseFloat(await simTime(page));
    const start = parseFloat(await page.getByTestId('timeline-slider').getAttribute('min')) / 1000;
    assert.equal(end.toFixed(1), (start + 300).toFixed(1));
    // 299 s at 50/s: the producer's records are in the topic (HW of the three partitions).
    const hws = await page.locator('[data-testid=partition-row] td').allTextContents();
    assert.ok(hws.length > 0);
    const t0 = Date.now();
    await scrubTo(page, Math.round((start + 150) * 1000));
    await page.getByTestId('past-banner').waitFor();
    const back = Date.now() - t0;
    assert.equal(parseFloat(await simTime(page)).toFixed(1), (start + 150).toFixed(1));
    const t1 = Date.now();
    await scrubTo(page, Math.round((start + 250) * 1000));
    await page.waitForFunction((t) => parseFloat(document.querySelector('[data-testid=sim-time]').textContent) > t, start + 249);
    const forward = Date.now() - t1;
    // Measurements, not assertions (the machine is shared).
    console.log(`5 min at 50 records/s: page with replay ready in ${opened} ms, scrub back to 150 s ${back} ms, forward 100 s ${forward} ms`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
