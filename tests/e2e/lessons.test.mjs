// The lessons: the first lesson (the seed notes' path: docker ps, docker exec
// into broker1, kafka-topics, a topic, --list, three partitions, --describe)
// completed in the page by typing each step's command into the terminal. A
// step stays waiting until its command ran, then turns done and explains;
// the panel is keyboard-usable, announces changes, and switches to Korean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, screenshotPath, waitForApp } from './browser.mjs';
import { run } from './terminal_helpers.mjs';

async function stepState(page) {
  return page.getByTestId('lesson-step').getAttribute('data-state');
}

async function waitForDone(page, n) {
  await page.waitForSelector(`[data-testid=lesson-step][data-step="${n}"][data-state=done]`, { timeout: 15_000 });
}

test('the first lesson, step by step, in English and Korean', async () => {
  const { browser, page, errors } = await openApp('?lang=en&seed=1');
  try {
    await waitForApp(page, { errors });
    const panel = page.getByTestId('lessons');
    await panel.waitFor();
    assert.equal(await panel.getAttribute('data-lesson'), 'topics');
    assert.equal(await page.getByRole('heading', { name: 'Lessons' }).count(), 1);
    assert.equal(await page.getByTestId('lesson-select').getAttribute('aria-label'), 'Lesson');
    assert.equal(await page.getByTestId('lesson-announce').getAttribute('aria-live'), 'polite');
    const dots = page.getByTestId('lesson-dot');
    const total = await dots.count();
    assert.equal(total, 7);
    assert.equal(await dots.first().getAttribute('aria-current'), 'step');

    // Nothing passes by waiting or by clicking: step 1 waits for `docker ps`.
    await page.waitForTimeout(1_000);
    assert.equal(await stepState(page), 'waiting');
    assert.equal(await page.getByTestId('lesson-explanation').count(), 0);
    assert.match(await page.getByTestId('lesson-status').textContent(), /Waiting/);
    // A command that is not the step's does not pass it.
    await run(page, 'docker images');
    await page.waitForTimeout(500);
    assert.equal(await stepState(page), 'waiting');
    await page.screenshot({ path: screenshotPath('lessons_waiting_en.png') });

    const expected = [
      [/Four containers/, 'docker ps'],
      [/\[appuser@broker1 ~\]\$/, 'docker exec -it broker1 bash'],
      [/Create, delete, describe, or change a topic\./, 'kafka-topics'],
      [/num\.partitions=1/, 'kafka-topics --bootstrap-server localhost:9092 --create --topic test_topic_01'],
      [/test_topic_01/, 'kafka-topics --bootstrap-server localhost:9092 --list'],
      [/three logs/, 'kafka-topics --bootstrap-server localhost:9092 --create --topic test_topic_02 --partitions 3'],
      [/Leader: 1/, 'kafka-topics --bootstrap-server localhost:9092 --describe --topic test_topic_02'],
    ];
    for (let i = 0; i < expected.length; i++) {
      const [explanation, command] = expected[i];
      const n = i + 1;
      const step = page.getByTestId('lesson-step');
      assert.equal(await step.getAttribute('data-step'), String(n));
      assert.equal(await stepState(page), 'waiting', `step ${n} done before its command`);
      assert.equal(await page.getByTestId('lesson-command').textContent(), command);
      if (n === 5) {
        // A failing command does not pass the step, and the panel says it failed.
        await run(page, 'kafka-topics --list');
        await page.getByTestId('lesson-failed').waitFor();
        assert.match(await page.getByTestId('lesson-failed').textContent(), /exit status 1/);
        assert.equal(await stepState(page), 'waiting');
      }
      if (n === 2) {
        // The button types the command into the terminal's line; Enter runs it.
        await page.getByTestId('lesson-type').click();
        const input = page.getByTestId('terminal-input');
        assert.equal(await input.inputValue(), command);
        assert.equal(await input.evaluate((el) => el === document.activeElement), true);
        await page.keyboard.press('Enter');
      } else {
        await run(page, command);
      }
      await waitForDone(page, n);
      assert.match(await page.getByTestId('lesson-status').textContent(), /Done/);
      assert.match(await page.getByTestId('lesson-explanation').textContent(), explanation);
      assert.match(await page.getByTestId('lesson-announce').textContent(), new RegExp(`^Step ${n} done`));
      assert.match(await dots.nth(i).getAttribute('aria-label'), /\(done\)$/);
      if (n === 7) {
        await page.screenshot({ path: screenshotPath('lessons_page_en.png') });
        await panel.screenshot({ path: screenshotPath('lessons_done_en.png') });
        break;
      }
      // Keyboard: Next is a button reached by focus, pressed with Enter.
      await page.getByTestId('lesson-next').focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector(`[data-testid=lesson-step][data-step="${n + 1}"]`);
    }
    assert.equal(await page.getByTestId('lesson-progress').textContent(), '7 of 7 done · Lesson complete.');
    // The terminal really ran the describe: three partitions, RF 1.
    const lines = await page.getByTestId('terminal-line').allTextContents();
    assert.equal(lines.filter((l) => /^\tTopic: test_topic_02\tPartition: \d\tLeader: \d/.test(l)).length, 3);

    // Previous goes back to a done step, which stays done.
    await page.getByTestId('lesson-previous').click();
    assert.equal(await page.getByTestId('lesson-step').getAttribute('data-step'), '6');
    assert.equal(await stepState(page), 'done');
    await page.getByTestId('lesson-next').click();

    // Korean: the same step, in Korean.
    await page.getByTestId('lang-ko').click();
    await page.getByRole('heading', { name: '레슨', exact: true }).waitFor();
    assert.equal(await page.getByTestId('lesson-step-title').textContent(), '상세 조회');
    assert.match(await page.getByTestId('lesson-status').textContent(), /완료/);
    assert.match(await page.getByTestId('lesson-explanation').textContent(), /노트에서는 브로커가 1대라/);
    assert.equal(await page.getByTestId('lesson-progress').textContent(), '7단계 중 7단계 완료 · 레슨을 마쳤습니다.');
    assert.match(await page.getByTestId('lesson-select').locator('option').first().textContent(), /파티션 3개짜리 토픽/);
    await panel.screenshot({ path: screenshotPath('lessons_done_ko.png') });

    // The last step offers the next lesson, which starts at its first step,
    // waiting for its command.
    await page.getByTestId('lesson-next-lesson').click();
    assert.equal(await panel.getAttribute('data-lesson'), 'rf1-broker-down');
    assert.equal(await page.getByTestId('lesson-step').getAttribute('data-step'), '1');
    // Inside broker1's container, the "back on your machine" step waits for `exit`.
    assert.equal(await stepState(page), 'waiting');
    assert.equal(await page.getByTestId('lesson-command').textContent(), 'exit');
    await panel.screenshot({ path: screenshotPath('lessons_lesson2_ko.png') });
    await run(page, 'exit');
    await waitForDone(page, 1);
    assert.match(await page.getByTestId('lesson-explanation').textContent(), /호스트/);

    // Lesson 2 up to the broker going down: the step's command names a broker
    // that leads a partition of topic_a (never broker1), and the step turns
    // done on a clock tick, once the controller has fenced the broker.
    for (const n of [2, 3]) {
      await page.getByTestId('lesson-next').click();
      await run(page, await page.getByTestId('lesson-command').textContent());
      await waitForDone(page, n);
    }
    await page.getByTestId('lesson-next').click();
    const kill = await page.getByTestId('lesson-command').textContent();
    assert.match(kill, /^docker kill broker[23]$/);
    await run(page, kill);
    await page.waitForTimeout(300);
    assert.equal(await stepState(page), 'waiting', 'offline before the session timeout');
    await page.getByTestId('speed-select').selectOption('6'); // 10×
    await waitForDone(page, 4);
    assert.match(await page.getByTestId('lesson-explanation').textContent(), /토픽의 절반이 사라진 셈입니다/);
    const broker = kill.slice('docker kill broker'.length);
    assert.equal(await page.getByTestId(`node-${broker}`).getAttribute('data-state'), 'stopped');
    const offline = page.locator('[data-testid=partition-row][data-tp^="topic_a-"] [data-testid=partition-leader]');
    assert.equal((await offline.allTextContents()).filter((l) => l === '없음(none)').length, 1);
    await page.getByTestId('lang-en').click();
    await panel.screenshot({ path: screenshotPath('lessons_lesson2_broker_down_en.png') });

    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('the lesson panel on a phone: no horizontal overflow', async () => {
  const { browser, page, errors } = await openApp('?lang=ko&seed=2', { viewport: { width: 390, height: 844 } });
  try {
    await waitForApp(page, { errors });
    await page.getByTestId('lessons').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    await page.getByTestId('lessons').screenshot({ path: screenshotPath('lessons_phone_ko.png') });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('the rebalancing lesson starts its members from the groups panel; the KRaft lesson makes a three-controller cluster', async () => {
  const { browser, page, errors } = await openApp('?lang=en&seed=3');
  try {
    await waitForApp(page, { errors });
    const panel = page.getByTestId('lessons');
    await panel.waitFor();
    const titles = await page.getByTestId('lesson-select').locator('option').allTextContents();
    assert.equal(titles.length, 10);
    assert.ok(titles.includes('6. Consumer groups and rebalancing'), titles.join(' | '));
    assert.equal(titles[9], '10. KRaft controller failover');
    await page.getByTestId('speed-select').selectOption('6'); // 10×

    // Rebalancing: on the host already; the topic; then the first member,
    // started with the groups panel's form, which the lesson fills in.
    await page.getByTestId('lesson-select').selectOption('5');
    assert.equal(await panel.getAttribute('data-lesson'), 'rebalance');
    await waitForDone(page, 1);
    await page.getByTestId('lesson-next').click();
    await run(page, await page.getByTestId('lesson-command').textContent());
    await waitForDone(page, 2);
    await page.getByTestId('lesson-next').click();
    assert.equal(await stepState(page), 'waiting');
    assert.match(await page.getByTestId('lesson-status').textContent(), /on the page/);
    assert.equal(await page.getByTestId('lesson-command').count(), 0);
    await page.getByTestId('lesson-page-action').click();
    assert.equal(await page.getByTestId('consumer-group').inputValue(), 'dashboard');
    assert.equal(await page.getByTestId('consumer-topic').inputValue(), 'clicks');
    assert.equal(await page.getByTestId('consumer-start').evaluate((el) => el === document.activeElement), true);
    await page.waitForTimeout(500);
    assert.equal(await stepState(page), 'waiting', 'filling the form is not starting a consumer');
    await page.keyboard.press('Enter');
    await waitForDone(page, 3);
    assert.match(await page.getByTestId('lesson-explanation').textContent(), /all six partitions/);
    const rows = page.locator('[data-testid=group][data-group="dashboard"] [data-testid=group-row]');
    assert.equal(await rows.count(), 6);
    await panel.screenshot({ path: screenshotPath('lessons_rebalance_en.png') });

    // KRaft: the usual cluster has one controller; the step's button makes
    // a new playground with three, and the step passes on it.
    await page.getByTestId('lesson-select').selectOption('9');
    assert.equal(await panel.getAttribute('data-lesson'), 'kraft-failover');
    await page.waitForTimeout(500);
    assert.equal(await stepState(page), 'waiting');
    assert.equal(await page.getByTestId('node-1001').count(), 0);
    assert.equal(await page.getByTestId('lesson-page-action').textContent(), 'New playground with 3 controllers');
    await panel.screenshot({ path: screenshotPath('lessons_kraft_waiting_en.png') });
    await page.getByTestId('lesson-page-action').click();
    await page.getByTestId('node-1002').waitFor();
    await waitForDone(page, 1);
    assert.equal(await page.locator('[data-testid^=node-100] [data-testid=active-controller]').count(), 1);
    await page.getByTestId('lesson-next').click();
    const status = await page.getByTestId('lesson-command').textContent();
    assert.match(status, /kafka-metadata-quorum .* describe --status$/);
    await run(page, status);
    await waitForDone(page, 2);
    const lines = await page.getByTestId('terminal-line').allTextContents();
    assert.ok(lines.some((l) => /^CurrentVoters:\s+\[1000,1001,1002\]$/.test(l)), lines.join('\n'));
    await page.screenshot({ path: screenshotPath('lessons_kraft_en.png') });
    await page.locator('section[aria-labelledby=cluster-heading]').screenshot({ path: screenshotPath('lessons_kraft_cluster_en.png') });
    // Korean: the same step.
    await page.getByTestId('lang-ko').click();
    assert.equal(await page.getByTestId('lesson-step-title').textContent(), '쿼럼 상태 확인');
    await panel.screenshot({ path: screenshotPath('lessons_kraft_ko.png') });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
