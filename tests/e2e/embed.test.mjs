// The playground's "copy embed code" (web/src/embed.rs): a topic made with
// the topic form and a command typed in the terminal come out as the HTML of
// a <kafka-playground> widget. Parsed as a browser parses it, the snippet's
// script is the site's widget and its scenario attribute is the cluster's
// scenario (a command with ' & < in it too). The clipboard is not granted, so
// the code is read from its field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApp, screenshotPath, waitForApp } from './browser.mjs';
import { run, waitForLine } from './terminal_helpers.mjs';

const ECHO = `echo "orders: Tom's & Jerry's <3"`;

test('the embed code holds the brokers, seed, form topic and typed command', async () => {
  const { browser, page, errors } = await openApp('?lang=en&seed=7');
  try {
    await waitForApp(page, { errors });
    await page.getByTestId('node-1000').getByTestId('active-controller').waitFor();
    await page.getByTestId('topic-name-input').fill('orders');
    await page.getByTestId('topic-partitions-input').fill('3');
    await page.getByTestId('topic-rf-input').fill('2');
    await page.getByTestId('create-topic-button').click();
    await page.locator('[data-testid=topic-row][data-topic="orders"]').waitFor();
    await page.getByTestId('terminal-input').click();
    await run(page, ECHO);
    await waitForLine(page, "orders: Tom's & Jerry's <3");

    const button = page.getByTestId('embed-button');
    assert.equal((await button.textContent()).trim(), 'Copy embed code');
    await button.click();
    const code = await page.getByTestId('embed-code').inputValue();
    const lines = code.split('\n');
    assert.equal(lines.length, 2, code);
    assert.match(lines[0], /^<script type="module" src="[^"]+"><\/script>$/);
    assert.match(lines[1], /^<kafka-playground scenario='[^']+' lang="en"><\/kafka-playground>$/);

    const parsed = await page.evaluate((html) => {
      const doc = new DOMParser().parseFromString(html, 'text/html');
      const script = doc.querySelector('script');
      const widget = doc.querySelector('kafka-playground');
      return {
        type: script?.getAttribute('type'),
        src: script?.getAttribute('src'),
        scenario: widget?.getAttribute('scenario'),
        lang: widget?.getAttribute('lang'),
      };
    }, code);
    assert.equal(parsed.type, 'module');
    assert.ok(parsed.src.endsWith('/widget/kafkaplay-widget.js'), parsed.src);
    assert.equal(parsed.src, new URL('widget/kafkaplay-widget.js', page.url()).href);
    assert.equal(parsed.lang, 'en');
    assert.deepEqual(JSON.parse(parsed.scenario), {
      brokers: 3,
      controllers: 1,
      seed: 7,
      topics: [{ name: 'orders', partitions: 3, replicationFactor: 2 }],
      commands: [ECHO],
    });
    await page.screenshot({ path: screenshotPath('embed_code.png'), fullPage: false });

    await page.getByTestId('embed-close').click();
    assert.equal(await page.getByTestId('embed-code').count(), 0);
    assert.deepEqual(errors, [], 'the page logged errors');
  } finally {
    await browser.close();
  }
});
