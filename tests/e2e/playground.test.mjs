// The playground: a simulated cluster in the page. Create a topic and see its
// replicas on the brokers, kill a broker from its box and see the leader move,
// produce from the UI and read the records back, switch the language, and run
// under a strict Content-Security-Policy on a phone-sized screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FULL_PAGE_STYLE, openApp, screenshotPath, waitForApp } from './browser.mjs';

const CSP = "script-src 'self' 'wasm-unsafe-eval'";

/** Opens the page with a fixed seed, faster simulated time and English text. */
async function openPlayground(extra = '', options = {}) {
  const opened = await openApp(`?lang=en&seed=7${extra}`, options);
  await waitForApp(opened.page, { errors: opened.errors });
  await opened.page.getByTestId('node-1000').getByTestId('active-controller').waitFor();
  return opened;
}

async function setSpeed(page, label) {
  await page.getByTestId('speed-select').selectOption({ label });
}

async function createTopic(page, name, partitions, rf) {
  await page.getByTestId('topic-name-input').fill(name);
  await page.getByTestId('topic-partitions-input').fill(String(partitions));
  await page.getByTestId('topic-rf-input').fill(String(rf));
  await page.getByTestId('create-topic-button').click();
  await page.locator(`[data-testid=topic-row][data-topic="${name}"]`).waitFor();
}

/** The leader cell of a partition in the partitions table. */
function leaderCell(page, tp) {
  return page.locator(`[data-testid=partition-row][data-tp="${tp}"] [data-testid=partition-leader]`);
}

test('the cluster renders: controller, brokers, a running clock', async () => {
  const { browser, page, errors } = await openPlayground();
  try {
    for (const id of [1, 2, 3]) {
      const node = page.getByTestId(`node-${id}`);
      assert.equal(await node.getAttribute('data-state'), 'running');
      assert.equal(await node.getAttribute('aria-label'), `Broker ${id}`);
      assert.equal(await node.getByRole('button', { name: `Kill (kill -9) broker ${id}` }).count(), 1);
    }
    assert.equal(await page.getByTestId('seed').textContent(), '7');
    const t0 = parseFloat(await page.getByTestId('sim-time').textContent());
    await page.waitForTimeout(600);
    const t1 = parseFloat(await page.getByTestId('sim-time').textContent());
    assert.ok(t1 > t0, `simulated time advances while playing (${t0} → ${t1})`);

    // Pause stops the clock; a step handles one event.
    await page.getByTestId('play-button').click();
    assert.equal(await page.getByTestId('play-button').textContent(), 'Play');
    const paused = await page.getByTestId('sim-time').textContent();
    await page.waitForTimeout(400);
    assert.equal(await page.getByTestId('sim-time').textContent(), paused);
    await page.getByRole('button', { name: /Handle the next simulation event/ }).click();
    await page.getByTestId('step-lines').locator('code').first().waitFor();
    const stepped = parseFloat(await page.getByTestId('sim-time').textContent());
    assert.ok(stepped >= parseFloat(paused), 'a step never goes back in time');

    // A new cluster of 2 brokers with 3 KRaft controllers, from the form: one
    // of the voters is the active controller, and the share link keeps it.
    await page.getByTestId('brokers-input').fill('2');
    await page.getByTestId('controllers-input').selectOption('3');
    await page.getByTestId('new-cluster-button').click();
    await page.getByTestId('node-1002').waitFor();
    assert.equal(await page.getByTestId('node-3').count(), 0);
    await page.locator('[data-testid^=node-100] [data-testid=active-controller]').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('[data-testid^=node-100] [data-testid=active-controller]').count(), 1);
    assert.equal(await page.getByTestId('controllers-input').inputValue(), '3');
    assert.deepEqual(errors, [], 'the page logged errors or failed to load a resource');
  } finally {
    await browser.close();
  }
});

test('create a topic with 3 partitions and RF 2: 6 replicas; Kafka errors are shown', async () => {
  const { browser, page, errors } = await openPlayground();
  try {
    await createTopic(page, 'orders', 3, 2);
    const replicas = page.locator('[data-testid=replica][data-tp^="orders-"]');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=replica][data-tp^="orders-"]').length === 6,
    );
    assert.equal(await replicas.count(), 6);
    assert.equal(await page.locator('[data-testid=replica][data-role=leader]').count(), 3);
    const row = page.locator('[data-testid=topic-row][data-topic=orders]');
    assert.equal(await row.getByTestId('topic-partitions').textContent(), '3');
    assert.equal(await row.getByTestId('topic-rf').textContent(), '2');
    assert.equal(await row.getByTestId('topic-offline').textContent(), '0');
    // Each replica shows its LEO and the partition's HW.
    assert.match(await replicas.first().getByTestId('replica-leo').textContent(), /^LEO \d+$/);
    assert.match(await replicas.first().getByTestId('replica-hw').textContent(), /^HW \d+$/);

    // The controller refuses RF 4 on 3 brokers with Kafka's exception text.
    await page.getByTestId('topic-name-input').fill('too-many');
    await page.getByTestId('topic-rf-input').fill('4');
    await page.getByTestId('create-topic-button').click();
    await page
      .getByTestId('events')
      .filter({ hasText: 'InvalidReplicationFactorException: Unable to replicate the partition 4 time(s)' })
      .waitFor();
    // Not a number: our own message, nothing sent.
    await page.getByTestId('topic-partitions-input').fill('many');
    await page.getByTestId('create-topic-button').click();
    await page.getByTestId('input-error').filter({ hasText: 'Partitions must be a whole number' }).waitFor();
    assert.deepEqual(errors, [], 'the page logged errors or failed to load a resource');
  } finally {
    await browser.close();
  }
});

test('kill a broker from its box: the leader moves (RF 2), RF 1 goes offline', async () => {
  const { browser, page, errors } = await openPlayground();
  try {
    await createTopic(page, 'orders', 3, 2);
    await createTopic(page, 'solo', 3, 1);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=replica]').length === 9);
    const before = (await leaderCell(page, 'orders-0').textContent()).trim();
    assert.match(before, /^[123]$/);
    // The broker that leads orders-0 also holds one partition of solo (RF 1).
    const soloOnVictim = await page
      .getByTestId(`node-${before}`)
      .locator('[data-testid=replica][data-tp^="solo-"]')
      .getAttribute('data-tp');

    await setSpeed(page, '10×');
    await page.getByTestId(`node-${before}`).getByRole('button', { name: `Kill (kill -9) broker ${before}` }).click();
    await page.waitForFunction(
      (id) => document.querySelector(`[data-testid=node-${id}]`).dataset.state === 'stopped',
      before,
    );
    // The controller fences the broker after broker.session.timeout.ms (9 s) and elects another leader.
    await page.waitForFunction(
      ({ before }) => {
        const cell = document.querySelector('[data-testid=partition-row][data-tp="orders-0"] [data-testid=partition-leader]');
        const now = cell.textContent.trim();
        return now !== before && /^[123]$/.test(now);
      },
      { before },
      { timeout: 20_000 },
    );
    const after = (await leaderCell(page, 'orders-0').textContent()).trim();
    assert.notEqual(after, before);
    assert.equal(
      await page.getByTestId(`node-${after}`).locator('[data-testid=replica][data-tp="orders-0"]').getAttribute('data-role'),
      'leader',
    );
    assert.equal(
      await page.getByTestId(`node-${before}`).locator('[data-testid=replica][data-tp="orders-0"]').getAttribute('data-role'),
      'offline',
    );
    await page.getByTestId('events').filter({ hasText: `orders-0: the leader moved from broker ${before} to broker ${after}` }).waitFor();
    // RF 1: the partition on the dead broker has no leader.
    assert.equal((await leaderCell(page, soloOnVictim).textContent()).trim(), 'none');
    assert.equal(await page.locator('[data-testid=topic-row][data-topic=solo] [data-testid=topic-offline]').textContent(), '1');
    assert.equal(await page.locator('[data-testid=topic-row][data-topic=orders] [data-testid=topic-under-replicated]').textContent(), '2');
    await page.screenshot({ path: screenshotPath('playground_killed.png'), fullPage: true, style: FULL_PAGE_STYLE });

    // Restart it: it comes back and the partition is online again.
    await page.getByTestId(`node-${before}`).getByRole('button', { name: `Restart broker ${before}` }).click();
    await page.waitForFunction(
      (tp) =>
        document.querySelector(`[data-testid=partition-row][data-tp="${tp}"] [data-testid=partition-leader]`).textContent.trim() !== 'none',
      soloOnVictim,
      { timeout: 20_000 },
    );
    assert.deepEqual(errors, [], 'the page logged errors or failed to load a resource');
  } finally {
    await browser.close();
  }
});

test('produce from the UI and read the records in the message browser, never as HTML', async () => {
  const { browser, page, errors } = await openPlayground();
  try {
    await createTopic(page, 'events', 1, 3);
    await page.getByTestId('producer-topic').selectOption('events');
    await page.getByTestId('producer-rate').fill('20');
    await page.getByTestId('producer-keys').fill('2');
    await page.getByTestId('producer-value').fill('{"n": {n}, "tag": "<img src=x onerror=window.__pwned=1>"}');
    await page.getByTestId('producer-start').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=record-row]').length >= 5, null, {
      timeout: 20_000,
    });
    await page.getByTestId('producer-stop').click();
    assert.match(await page.getByTestId('producer-stats').textContent(), /acknowledged [1-9]/);

    const oldest = page.getByTestId('record-row').last();
    assert.equal(await oldest.getByTestId('record-offset').textContent(), '0');
    assert.equal(await oldest.getByTestId('record-key').textContent(), 'key-0');
    assert.equal(
      await oldest.getByTestId('record-value').textContent(),
      '{"n": 0, "tag": "<img src=x onerror=window.__pwned=1>"}',
    );
    assert.equal(await oldest.getByTestId('record-headers').textContent(), 'source = kafkaplay-ui');
    assert.equal(await page.getByTestId('records-table').locator('img').count(), 0, 'record text became HTML');
    assert.equal(await page.evaluate(() => window.__pwned), undefined);

    await page.getByTestId('format-json').check();
    assert.equal(
      await oldest.getByTestId('record-value').textContent(),
      '{\n  "n": 0,\n  "tag": "<img src=x onerror=window.__pwned=1>"\n}',
    );
    await page.getByTestId('format-hex').check();
    assert.match(await oldest.getByTestId('record-value').textContent(), /^7b 22 6e 22 3a 20 30 2c /);
    assert.match(await page.getByTestId('browser-offsets').textContent(), /Read from the leader, broker [123]/);
    await page.screenshot({ path: screenshotPath('playground_records.png'), fullPage: true, style: FULL_PAGE_STYLE });
    await page.getByTestId('format-text').check();

    // Seek by offset: from offset 2 on, in offset order.
    const offsets = async () => page.getByTestId('record-offset').allTextContents();
    await page.getByTestId('browser-seek-kind').selectOption('offset');
    await page.getByTestId('browser-seek-text').fill('x');
    assert.match(await page.getByTestId('browser-seek-error').textContent(), /whole number/);
    await page.getByTestId('browser-seek-text').fill('2');
    assert.equal(await page.getByTestId('browser-seek-error').count(), 0);
    await page.waitForFunction(() => document.querySelector('[data-testid=record-offset]')?.textContent === '2');
    const fromTwo = (await offsets()).map(Number);
    assert.deepEqual(fromTwo, fromTwo.map((_, i) => i + 2), 'ascending from offset 2');
    assert.match(await page.getByTestId('browser-showing').textContent(), /^From offset 2, oldest first/);

    // Seek by time: the time of offset 4, as the table prints it.
    await page.getByTestId('browser-seek-text').fill('4');
    await page.waitForFunction(() => document.querySelector('[data-testid=record-offset]')?.textContent === '4');
    const fourAt = (await page.getByTestId('record-row').first().locator('td').nth(1).textContent()).trim();
    await page.getByTestId('browser-seek-kind').selectOption('time');
    await page.getByTestId('browser-seek-text').fill('soon');
    assert.match(await page.getByTestId('browser-seek-error').textContent(), /epoch milliseconds/);
    await page.getByTestId('browser-seek-text').fill(fourAt);
    await page.waitForFunction(() => /^From offset \d+, the first record at or after/.test(document.querySelector('[data-testid=browser-showing]')?.textContent ?? ''));
    const byTime = Number((await offsets())[0]);
    assert.ok(byTime <= 4 && byTime >= 0, `first record at or after ${fourAt}: offset ${byTime}`);

    // Search, ignoring case, in keys, values and headers; none as HTML.
    await page.getByTestId('browser-seek-kind').selectOption('latest');
    await page.getByTestId('browser-search').fill('KEY-1');
    await page.waitForFunction(() => /matching of \d+ searched/.test(document.querySelector('[data-testid=browser-showing]')?.textContent ?? ''));
    const keys = await page.getByTestId('record-key').allTextContents();
    assert.ok(keys.length > 0 && keys.every((k) => k === 'key-1'), `only key-1: ${keys}`);
    await page.getByTestId('browser-search').fill('kafkaplay-ui');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=record-row]').length >= 5);
    await page.getByTestId('browser-search').fill('no such record');
    await page.getByTestId('browser-no-match').waitFor();
    await page.getByTestId('browser-search').fill('');
    await page.screenshot({ path: screenshotPath('playground_records_search.png'), fullPage: true, style: FULL_PAGE_STYLE });
    assert.deepEqual(errors, [], 'the page logged errors or failed to load a resource');
  } finally {
    await browser.close();
  }
});

test('switch language: Korean and back', async () => {
  const { browser, page, errors } = await openPlayground();
  try {
    await page.getByTestId('lang-ko').click();
    assert.equal(await page.locator('h1').textContent(), 'kafkaplay — 브라우저 안의 Kafka 클러스터');
    assert.equal(await page.locator('html').getAttribute('lang'), 'ko');
    assert.equal(await page.getByTestId('node-2').getAttribute('aria-label'), '브로커 2');
    await page.getByRole('button', { name: '브로커 2: 일시 정지 (stop-the-world)' }).click();
    await page.getByTestId('announcer').filter({ hasText: '브로커 2: 일시 정지했습니다.' }).waitFor();
    assert.equal(await page.getByTestId('node-2').getAttribute('data-state'), 'paused');
    await page.screenshot({ path: screenshotPath('playground_ko.png'), fullPage: true, style: FULL_PAGE_STYLE });
    await page.getByTestId('lang-en').click();
    assert.equal(await page.locator('h1').textContent(), 'kafkaplay — a Kafka cluster in your browser');
    assert.equal(await page.getByTestId('announcer').textContent(), 'Broker 2 paused.');
    assert.deepEqual(errors, [], 'the page logged errors or failed to load a resource');
  } finally {
    await browser.close();
  }
});

test('strict CSP and a phone-sized screen', async () => {
  const { browser, page, errors } = await openApp('?lang=en&seed=7', { viewport: { width: 390, height: 844 } });
  try {
    // The first load finishes before the reload (else its wasm request is aborted).
    await waitForApp(page, { errors });
    // Reload with the header the site must work under.
    await page.route('**/*', async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      if ((headers['content-type'] ?? '').startsWith('text/html')) {
        headers['content-security-policy'] = CSP;
      }
      await route.fulfill({ response, headers });
    });
    const violations = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.reload();
    await waitForApp(page, { errors });
    await page.getByTestId('node-1000').getByTestId('active-controller').waitFor();
    assert.deepEqual(violations, []);
    await createTopic(page, 'orders', 3, 2);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=replica]').length === 6);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone screen`);
    await page.screenshot({ path: screenshotPath('playground_phone.png'), fullPage: true, style: FULL_PAGE_STYLE });
    await page.screenshot({ path: screenshotPath('playground_phone_top.png') });
    assert.deepEqual(errors, [], 'the page logged errors or failed to load a resource');
  } finally {
    await browser.close();
  }
});

test('cut the network between two nodes and heal it from the keyboard', async () => {
  const { browser, page, errors } = await openPlayground();
  try {
    await page.getByTestId('cut-a').selectOption('1');
    await page.getByTestId('cut-b').selectOption('1000');
    await page.getByTestId('cut-button').click();
    await page.getByTestId('node-1').getByTestId('node-cut').waitFor();
    await page.getByTestId('node-1000').getByTestId('node-cut').waitFor();
    assert.equal(await page.getByTestId('node-2').getByTestId('node-cut').count(), 0);
    assert.equal(await page.getByTestId('cuts').textContent(), 'Cut: 1 ↔ 1000');
    assert.equal(await page.getByTestId('announcer').textContent(), 'Network cut between Broker 1 and Controller 1000.');

    await page.getByTestId('heal-button').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('cuts').filter({ hasText: 'No network cuts.' }).waitFor();
    assert.equal(await page.getByTestId('node-1').getByTestId('node-cut').count(), 0);
    assert.equal(await page.getByTestId('announcer').textContent(), 'Network healed.');
    assert.deepEqual(errors, [], 'the page logged errors or failed to load a resource');
  } finally {
    await browser.close();
  }
});

test('a slow follower, from its broker box: it leaves the ISR and comes back', async () => {
  const { browser, page, errors } = await openPlayground();
  try {
    await setSpeed(page, '25×');
    await createTopic(page, 'slowtopic', 1, 3);
    const row = page.locator('[data-testid=partition-row][data-tp="slowtopic-0"]');
    const leader = Number((await row.getByTestId('partition-leader').textContent()).trim());
    const follower = [1, 2, 3].find((b) => b !== leader);
    const box = page.getByTestId(`node-${follower}`);
    // A follower falls behind only while records arrive: produce.
    await page.getByTestId('producer-topic').selectOption('slowtopic');
    await page.getByTestId('producer-rate').fill('20');
    await page.getByTestId('producer-start').click();
    await box.getByRole('button', { name: `Slow the replica fetches of broker ${follower}` }).click();
    await box.getByTestId('node-slow').waitFor();
    // After replica.lag.time.max.ms (30 s simulated) the leader drops it from the ISR.
    await page.waitForFunction(
      ([tp, f]) => {
        const isr = document.querySelector(`[data-testid=partition-row][data-tp="${tp}"] [data-testid=partition-isr]`);
        return isr && !isr.textContent.split(',').map((s) => s.trim()).includes(String(f));
      },
      ['slowtopic-0', follower],
      { timeout: 30_000 },
    );
    await page.screenshot({ path: screenshotPath('playground_slow_follower.png'), fullPage: true, style: FULL_PAGE_STYLE });
    await box.getByRole('button', { name: `Stop slowing broker ${follower}` }).click();
    await page.getByTestId('producer-stop').click();
    assert.equal(await box.getByTestId('node-slow').count(), 0);
    await page.waitForFunction(
      ([tp, f]) =>
        document
          .querySelector(`[data-testid=partition-row][data-tp="${tp}"] [data-testid=partition-isr]`)
          ?.textContent.split(',')
          .map((s) => s.trim())
          .includes(String(f)),
      ['slowtopic-0', follower],
      { timeout: 40_000 },
    );
    assert.deepEqual(errors, [], 'the page logged errors or failed to load a resource');
  } finally {
    await browser.close();
  }
});
