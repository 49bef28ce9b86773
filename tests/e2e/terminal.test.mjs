// The terminal: type into the learner's shell over the page's simulated
// cluster (3 brokers: containers broker1..3, broker 1 at localhost:9092), as the
// seed notes do after `docker-compose up` (docker ps, docker exec into a broker,
// kafka-topics), with history, completion, Ctrl+C, paste and stderr. The
// terminal and the cluster view are one cluster.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, screenshotPath, waitForApp } from './browser.mjs';
import { outputLines, outputOf, produceLines, run, waitForLine } from './terminal_helpers.mjs';

const HOST_PROMPT = 'learner@kafkaplay:~$ ';

async function openTerminal(query = '') {
  const opened = await openApp(`?lang=en${query}`);
  await waitForApp(opened.page, opened);
  await opened.page.getByTestId('terminal').waitFor();
  return opened;
}

test('the seed workflow: docker ps, docker exec into the broker, a command, history, stderr', async () => {
  const { browser, page, errors } = await openTerminal();
  try {
    // Clicking the terminal focuses its line; the line and the log are labelled.
    await page.getByTestId('terminal-screen').click();
    const input = page.getByTestId('terminal-input');
    assert.equal(await input.evaluate((el) => el === document.activeElement), true);
    assert.equal(await page.getByLabel('Command line').count(), 1);
    const log = page.getByTestId('terminal-output');
    assert.equal(await log.getAttribute('role'), 'log');
    assert.equal(await log.getAttribute('aria-live'), 'polite');
    assert.equal(await page.getByTestId('terminal-prompt').textContent(), HOST_PROMPT);

    // Keyboard only from here on.
    await page.keyboard.type('docker ps');
    await page.keyboard.press('Enter');
    await waitForLine(page, `${HOST_PROMPT}docker ps`);
    const ps = await outputOf(page, 'docker ps');
    assert.match(ps[0], /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
    for (const id of [1, 2, 3]) {
      const port = 9091 + id;
      const up = new RegExp(`Up .*0\\.0\\.0\\.0:${port}->${port}/tcp.*\\sbroker${id}$`);
      assert.ok(ps.some((l) => up.test(l)), ps.join('\n'));
    }
    assert.ok(ps.some((l) => /\scontroller$/.test(l)), ps.join('\n'));

    await run(page, 'docker exec -it broker1 bash');
    const inBroker = '[appuser@broker1 ~]$ ';
    await page.getByTestId('terminal-prompt').filter({ hasText: '[appuser@broker1' }).waitFor();
    assert.equal(await page.getByTestId('terminal-prompt').textContent(), inBroker);

    await run(page, 'echo $HOSTNAME; pwd');
    assert.deepEqual(await outputOf(page, 'echo $HOSTNAME; pwd'), ['broker1', '/home/appuser']);

    // ↑ recalls the last command, ↑ again the one before, ↓ comes back.
    await input.press('ArrowUp');
    assert.equal(await input.inputValue(), 'echo $HOSTNAME; pwd');
    await input.press('ArrowUp');
    assert.equal(await input.inputValue(), 'docker exec -it broker1 bash');
    await input.press('ArrowDown');
    assert.equal(await input.inputValue(), 'echo $HOSTNAME; pwd');
    await input.press('Enter');
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid=terminal-line]')].filter((l) => l.textContent.endsWith('echo $HOSTNAME; pwd')).length === 2,
    );

    // stderr is shown apart: its own class, a bar in the margin, not only a colour.
    await run(page, 'foo');
    const err = page.locator('.term-stderr', { hasText: 'bash: foo: command not found' });
    await err.waitFor();
    assert.equal(await err.textContent(), 'bash: foo: command not found');
    const errLine = page.getByTestId('terminal-line').filter({ has: err });
    assert.match(await errLine.getAttribute('class'), /term-line-stderr/);
    const style = await errLine.evaluate((el) => {
      const s = getComputedStyle(el);
      return { border: s.borderLeftWidth, borderStyle: s.borderLeftStyle };
    });
    assert.deepEqual(style, { border: '3px', borderStyle: 'solid' });
    const colors = await page.evaluate(() => ({
      err: getComputedStyle(document.querySelector('.term-stderr')).color,
      out: getComputedStyle(document.querySelector('.term-stdout')).color,
    }));
    assert.notEqual(colors.err, colors.out);
    await run(page, 'echo $?');
    assert.deepEqual(await outputOf(page, 'echo $?'), ['127']);

    // Output is text, never HTML.
    await run(page, "echo '<b id=injected>bold</b>'");
    assert.deepEqual(await outputOf(page, "echo '<b id=injected>bold</b>'"), ['<b id=injected>bold</b>']);
    assert.equal(await page.locator('#injected').count(), 0);


    await page.screenshot({ path: screenshotPath('terminal.png'), fullPage: false });

    // Long output scrolls the terminal to its end; scrolled up, the view stays until the next command.
    const screen = page.getByTestId('terminal-screen');
    const atBottom = () => screen.evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 2);
    await run(page, 'seq 1 300');
    await waitForLine(page, '300');
    assert.equal(await atBottom(), true);
    await screen.evaluate((el) => el.scrollTo(0, 0));
    await page.waitForTimeout(100);
    await screen.evaluate((el) => el.dispatchEvent(new Event('scroll')));
    // (↑ re-renders the terminal without printing.)
    await page.keyboard.press('ArrowUp');
    assert.equal(await page.getByTestId('terminal-input').inputValue(), 'seq 1 300');
    await page.waitForTimeout(100);
    assert.equal(await screen.evaluate((el) => el.scrollTop), 0);
    await page.keyboard.press('Control+u');
    await run(page, 'echo back at the end');
    await waitForLine(page, 'back at the end');
    assert.equal(await atBottom(), true);
    assert.deepEqual(errors, [], 'the page logged errors or failed to load a resource');
  } finally {
    await browser.close();
  }
});

test('tab completion, multi-line paste with a heredoc, Ctrl+C, Ctrl+L and Ctrl+D', async () => {
  const { browser, page, errors } = await openTerminal('&seed=7');
  try {
    const input = page.getByTestId('terminal-input');
    await input.click();

    // One candidate completes the word.
    await page.keyboard.type('kafkapl');
    await page.keyboard.press('Tab');
    assert.equal(await input.inputValue(), 'kafkaplay ');
    await input.fill('docker ex');
    await page.keyboard.press('End');
    await page.keyboard.press('Tab');
    assert.equal(await input.inputValue(), 'docker exec ');
    // Focus stayed in the line (Tab did not move it).
    assert.equal(await input.evaluate((el) => el === document.activeElement), true);

    // Several are listed under the echoed line, and the line is kept.
    await input.fill('kafkaplay s');
    await page.keyboard.press('End');
    await page.keyboard.press('Tab');
    await waitForLine(page, `${HOST_PROMPT}kafkaplay s`);
    const listed = await outputOf(page, 'kafkaplay s');
    assert.deepEqual(listed, ['sample  seed  slow  status']);
    assert.equal(await input.inputValue(), 'kafkaplay s');
    await page.keyboard.type('ta');
    await page.keyboard.press('Tab');
    assert.equal(await input.inputValue(), 'kafkaplay status ');
    await page.keyboard.press('Enter');
    await waitForLine(page, /^simulated time: .* \(seed 7\)$/);

    // A multi-line paste runs each line in order; a heredoc collects its body.
    await input.fill('');
    await input.evaluate((el) => {
      const data = new DataTransfer();
      data.setData('text/plain', 'cat <<EOF > notes.txt\nline one\nline two\nEOF\nwc -l notes.txt\necho typed');
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await waitForLine(page, '2 notes.txt');
    const lines = await outputLines(page);
    const at = lines.indexOf(`${HOST_PROMPT}cat <<EOF > notes.txt`);
    assert.notEqual(at, -1, lines.join('\n'));
    assert.deepEqual(lines.slice(at, at + 6), [
      `${HOST_PROMPT}cat <<EOF > notes.txt`,
      '> line one',
      '> line two',
      '> EOF',
      `${HOST_PROMPT}wc -l notes.txt`,
      '2 notes.txt',
    ]);
    // The last pasted line, without its newline, waits in the input.
    assert.equal(await input.inputValue(), 'echo typed');

    // Ctrl+C abandons the line (and an unfinished heredoc).
    await input.fill('cat <<END');
    await input.press('Enter');
    await page.getByTestId('terminal-prompt').filter({ hasText: /^> $/ }).waitFor();
    await page.keyboard.type('half a line');
    await page.keyboard.press('Control+c');
    await waitForLine(page, '> half a line^C');
    assert.equal(await page.getByTestId('terminal-prompt').textContent(), HOST_PROMPT);
    assert.equal(await input.inputValue(), '');
    await run(page, 'echo $?');
    assert.deepEqual(await outputOf(page, 'echo $?'), ['130']);

    // Ctrl+L clears the screen; the prompt stays.
    await page.keyboard.press('Control+l');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=terminal-line]').length === 0);
    assert.equal(await page.getByTestId('terminal-prompt').textContent(), HOST_PROMPT);

    // Ctrl+D inside the container leaves it; on the machine it ends the shell.
    await run(page, 'docker exec -it broker2 bash');
    await input.press('Control+d');
    await waitForLine(page, '[appuser@broker2 ~]$ exit');
    assert.equal(await page.getByTestId('terminal-prompt').textContent(), HOST_PROMPT);
    await input.press('Control+d');
    await page.getByTestId('terminal-exited').waitFor();
    assert.deepEqual(errors, [], 'the page logged errors or failed to load a resource');
  } finally {
    await browser.close();
  }
});

test('the command history survives a reload', async () => {
  const { browser, page, errors } = await openTerminal();
  try {
    await page.getByTestId('terminal-input').click();
    await run(page, 'echo remembered');
    await page.reload();
    await waitForApp(page, { errors });
    // The history comes back with the playground, from IndexedDB (persistence.rs).
    await page.locator('[data-testid=persist-status][data-loaded=true]').waitFor();
    const input = page.getByTestId('terminal-input');
    await input.click();
    assert.equal(await input.inputValue(), '');
    await input.press('ArrowUp');
    assert.equal(await input.inputValue(), 'echo remembered');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('the terminal speaks Korean', async () => {
  const { browser, page, errors } = await openApp('?lang=ko');
  try {
    await waitForApp(page, { errors });
    await page.getByRole('heading', { name: '터미널' }).waitFor();
    assert.equal(await page.getByLabel('명령줄').count(), 1);
    assert.equal(await page.getByTestId('terminal-output').getAttribute('aria-label'), '터미널 출력');
    const banner = await page.locator('.term-banner').textContent();
    assert.match(banner, /docker exec -it broker1 bash/);
    assert.match(banner, /브로커 컨테이너/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test("the seed notes' kafka-topics, then a console producer and a consumer stopped with Ctrl+C", async () => {
  const { browser, page, errors } = await openTerminal();
  try {
    const input = page.getByTestId('terminal-input');
    await input.click();
    await run(page, 'docker exec -it broker1 bash');
    const prompt = page.getByTestId('terminal-prompt');
    const inBroker = '[appuser@broker1 ~]$ ';
    await prompt.filter({ hasText: inBroker }).waitFor();

    await run(page, 'kafka-topics --bootstrap-server localhost:9092 --create --topic test_topic_02 --partitions 3');
    await waitForLine(page, 'Created topic test_topic_02.');
    await run(page, 'kafka-topics --bootstrap-server localhost:9092 --list');
    assert.deepEqual(await outputOf(page, 'kafka-topics --bootstrap-server localhost:9092 --list'), ['test_topic_02']);

    // The topic name completes after --topic.
    await input.fill('kafka-topics --bootstrap-server localhost:9092 --describe --topic test_t');
    await page.keyboard.press('End');
    await page.keyboard.press('Tab');
    const describe = 'kafka-topics --bootstrap-server localhost:9092 --describe --topic test_topic_02';
    assert.equal(await input.inputValue(), `${describe} `);
    await input.press('Enter');
    await waitForLine(page, /^\tTopic: test_topic_02\tPartition: 2\t/);
    const lines = await outputOf(page, `${describe} `);
    assert.equal(lines.length, 4, lines.join('\n'));
    assert.match(lines[0], /^Topic: test_topic_02\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 3\tReplicationFactor: 1\tConfigs:$/);
    // RF 1 on 3 brokers: the leaders are spread, one partition each.
    const leaders = new Set();
    for (const p of [0, 1, 2]) {
      const m = lines[1 + p].match(/^\tTopic: test_topic_02\tPartition: (\d)\tLeader: ([123])\tReplicas: \2\tIsr: \2\tOffline:$/);
      assert.ok(m && m[1] === String(p), lines[1 + p]);
      leaders.add(m[2]);
    }
    assert.equal(leaders.size, 3, lines.join('\n'));

    // The console producer shows its `>` prompt; each line is a record; Ctrl+D ends it.
    await produceLines(page, 'test_topic_02', ['hello', 'world']);
    await page.keyboard.press('Control+d');
    await prompt.filter({ hasText: inBroker }).waitFor();

    // The consumer keeps running: the timer ticks it and its records appear;
    // Ctrl+C stops it with Kafka's summary on stderr.
    const consume = 'kafka-console-consumer --bootstrap-server localhost:9092 --topic test_topic_02 --from-beginning';
    await run(page, consume);
    await page.getByTestId('terminal-job').waitFor();
    await waitForLine(page, 'world', 30_000);
    await waitForLine(page, 'hello', 1_000);
    assert.equal(await prompt.textContent(), '');
    await page.keyboard.press('Control+c');
    await waitForLine(page, 'Processed a total of 2 messages');
    const after = await outputOf(page, consume);
    assert.deepEqual([...after].sort(), ['Processed a total of 2 messages', '^C', 'hello', 'world'].sort());
    assert.equal(after.at(-2), '^C');
    assert.ok(
      await page.locator('.term-stderr', { hasText: 'Processed a total of 2 messages' }).count(),
      'the summary is on stderr',
    );
    await prompt.filter({ hasText: inBroker }).waitFor();
    assert.equal(await page.getByTestId('terminal-job').count(), 0);
    await run(page, 'echo $?');
    assert.deepEqual(await outputOf(page, 'echo $?'), ['130']);

    await page.screenshot({ path: screenshotPath('terminal_kafka.png'), fullPage: false });
    assert.deepEqual(errors, [], 'the page logged errors or failed to load a resource');
  } finally {
    await browser.close();
  }
});

/** The describe lines of `topic` after its last `--describe`, by partition: { leader, replicas, isr }. */
async function describeTopic(page, topic) {
  const command = `kafka-topics --bootstrap-server localhost:9092 --describe --topic ${topic}`;
  await run(page, command);
  await waitForLine(page, new RegExp(`^\\tTopic: ${topic}\\tPartition: 2\\t`));
  const lines = await outputOf(page, command);
  const partitions = {};
  for (const line of lines.slice(1)) {
    const m = line.match(/^\tTopic: \S+\tPartition: (\d+)\tLeader: (\S+)\tReplicas: (\S+)\tIsr: (\S*)\tOffline:(.*)$/);
    assert.ok(m, `not a partition line: ${JSON.stringify(line)}`);
    partitions[m[1]] = { leader: m[2], replicas: m[3].split(','), isr: m[4].split(',') };
  }
  return { lines, partitions };
}

test('one cluster: a topic made in the terminal shows in the boxes, a broker killed in its box is gone in the terminal', async () => {
  const { browser, page, errors } = await openTerminal('&seed=11');
  try {
    await page.getByTestId('node-1000').getByTestId('active-controller').waitFor();
    await page.getByTestId('terminal-input').click();
    await run(page, 'kafka-topics --bootstrap-server localhost:9092 --create --topic shared --replication-factor 2 --partitions 3');
    await waitForLine(page, 'Created topic shared.');

    // The cluster view shows it: the topic table and 6 replicas in the boxes.
    const row = page.locator('[data-testid=topic-row][data-topic=shared]');
    await row.waitFor();
    assert.equal(await row.getByTestId('topic-partitions').textContent(), '3');
    assert.equal(await row.getByTestId('topic-rf').textContent(), '2');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=replica][data-tp^="shared-"]').length === 6);

    const before = await describeTopic(page, 'shared');
    // localhost:9092 is broker 1, so a broker other than 1 that leads a partition is killed.
    const [tp, victim] =
      Object.entries(before.partitions)
        .map(([p, d]) => [p, d.leader])
        .find(([, leader]) => leader === '2' || leader === '3') ?? [];
    assert.ok(victim, before.lines.join('\n'));
    assert.equal(
      await page.getByTestId(`node-${victim}`).locator(`[data-testid=replica][data-tp="shared-${tp}"]`).getAttribute('data-role'),
      'leader',
    );

    // Kill it from its box; at 10x the controller fences it after broker.session.timeout.ms.
    await page.getByTestId('speed-select').selectOption({ label: '10×' });
    await page.getByTestId(`node-${victim}`).getByRole('button', { name: `Kill (kill -9) broker ${victim}` }).click();
    await page.waitForFunction(
      ({ tp, victim }) => {
        const cell = document.querySelector(`[data-testid=partition-row][data-tp="shared-${tp}"] [data-testid=partition-leader]`);
        return cell && /^[123]$/.test(cell.textContent.trim()) && cell.textContent.trim() !== victim;
      },
      { tp, victim },
      { timeout: 30_000 },
    );

    // The terminal sees the same cluster: the leader moved, the dead broker left the ISR.
    const after = await describeTopic(page, 'shared');
    const moved = after.partitions[tp];
    assert.notEqual(moved.leader, before.partitions[tp].leader, after.lines.join('\n'));
    assert.notEqual(moved.leader, victim);
    assert.ok(moved.replicas.includes(moved.leader), after.lines.join('\n'));
    for (const [p, d] of Object.entries(after.partitions)) {
      assert.ok(!d.isr.includes(victim), `partition ${p}: ${after.lines.join('\n')}`);
      assert.notEqual(d.leader, victim);
    }

    // docker ps lists the other containers, not the killed one.
    await run(page, 'docker ps');
    const ps = await outputOf(page, 'docker ps');
    assert.ok(!ps.some((l) => l.endsWith(` broker${victim}`)), ps.join('\n'));
    for (const id of ['1', '2', '3'].filter((id) => id !== victim)) {
      assert.ok(ps.some((l) => l.endsWith(` broker${id}`)), ps.join('\n'));
    }
    assert.ok(ps.some((l) => /\scontroller$/.test(l)), ps.join('\n'));

    await page.getByTestId('terminal').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('terminal_one_cluster.png'), fullPage: false });

    // A new cluster gives the terminal its new shell: every container is up again, no topic.
    await page.getByTestId('new-cluster-button').click();
    await page.locator('[data-testid=topic-row][data-topic=shared]').waitFor({ state: 'detached' });
    await run(page, 'docker ps');
    const fresh = await outputOf(page, 'docker ps');
    for (const id of ['1', '2', '3']) {
      assert.ok(fresh.some((l) => l.endsWith(` broker${id}`)), fresh.join('\n'));
    }
    await run(page, 'kafka-topics --bootstrap-server localhost:9092 --list');
    // (Kafka prints String.join("\n", topics): one empty line for none.)
    assert.deepEqual(await outputOf(page, 'kafka-topics --bootstrap-server localhost:9092 --list'), ['']);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByTestId('terminal').scrollIntoViewIfNeeded();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page overflows by ${overflow}px at 390 px`);
    await page.screenshot({ path: screenshotPath('terminal_phone.png'), fullPage: false });
    assert.deepEqual(errors, [], 'the page logged errors or failed to load a resource');
  } finally {
    await browser.close();
  }
});
