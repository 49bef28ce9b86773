// The log lab (below the playground): produce batches into demo-0 and read them back from the
// batch table, the offsets panel, the record details and the downloaded .log file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FULL_PAGE_STYLE, openApp, screenshotPath, waitForApp } from './browser.mjs';

/** The log lab is a closed <details> under the playground: open it (by
 * keyboard: a click could land elsewhere while the cards above it, drawn as
 * they come into view, still change size). */
async function openLogLab(page) {
  await page.locator('details.lab > summary').press('Enter');
  await page.getByTestId('log-lab').waitFor();
}

/** The cells of every batch row, as { base, last, count, size, crc, valid }. */
async function batchRows(page) {
  return page.locator('[data-testid=batch-row]').evaluateAll((rows) =>
    rows.map((row) => {
      const cell = (id) => row.querySelector(`[data-testid=${id}]`);
      return {
        base: cell('batch-base-offset').textContent,
        last: cell('batch-last-offset').textContent,
        count: cell('batch-records-count').textContent,
        size: Number(cell('batch-size').textContent),
        crc: cell('batch-crc').textContent,
        valid: cell('batch-crc-status').dataset.valid,
      };
    }),
  );
}

test('append a keyed record with a header, then a batch of 3', async () => {
  const { browser, page, errors } = await openApp('?lang=en');
  try {
    await waitForApp(page);
    await openLogLab(page);

    await page.getByTestId('key-input').fill('user-1');
    await page.getByTestId('value-input').fill('hello');
    await page.getByTestId('add-header-button').click();
    await page.getByTestId('header-key-input').fill('source');
    await page.getByTestId('header-value-input').fill('web');
    await page.getByTestId('append-button').click();
    await page.getByTestId('status').filter({ hasText: 'Appended offsets 0–0' }).waitFor();

    await page.getByTestId('value-input').fill('batch');
    await page.getByTestId('record-count-input').fill('3');
    await page.getByTestId('append-button').click();
    await page.getByTestId('status').filter({ hasText: 'Appended offsets 1–3' }).waitFor();

    const rows = await batchRows(page);
    assert.deepEqual(
      rows.map(({ base, last, count }) => ({ base, last, count })),
      [
        { base: '0', last: '0', count: '1' },
        { base: '1', last: '3', count: '3' },
      ],
    );
    for (const row of rows) {
      assert.match(row.crc, /^0x[0-9a-f]{8}$/);
      assert.equal(row.valid, 'true', `CRC ${row.crc} of batch ${row.base} is not marked valid`);
    }
    assert.equal(await page.getByTestId('log-start-offset').textContent(), '0');
    assert.equal(await page.getByTestId('log-end-offset').textContent(), '4');
    assert.equal(await page.getByTestId('high-watermark').textContent(), '4');

    // Expanding a batch shows its records and bytes.
    await page.getByTestId('batch-row').nth(0).click();
    await page.getByTestId('batch-row').nth(1).click();
    const details = page.getByTestId('batch-details');
    assert.equal(await details.count(), 2);
    const first = details.nth(0);
    assert.equal(await first.getByTestId('record-key').textContent(), 'user-1');
    assert.equal(await first.getByTestId('record-value').textContent(), 'hello');
    assert.equal(await first.getByTestId('record-headers').textContent(), 'source = web');
    assert.match(await first.getByTestId('batch-hex').textContent(), /^00000000  00 00 00 00 00 00 00 00 /);
    assert.deepEqual(await details.nth(1).getByTestId('record-value').allTextContents(), ['batch-1', 'batch-2', 'batch-3']);

    // The downloaded .log file is the two batches back to back.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-log-button').first().click(),
    ]);
    assert.equal(download.suggestedFilename(), '00000000000000000000.log');
    const bytes = readFileSync(await download.path());
    assert.equal(bytes.length, rows[0].size + rows[1].size);
    assert.equal(bytes.readBigInt64BE(rows[0].size), 1n, 'the second batch starts at offset 1');

    await page.screenshot({ path: screenshotPath('log_page.png'), fullPage: true, style: FULL_PAGE_STYLE });
    assert.deepEqual(errors, [], 'the page logged errors or failed to load a resource');
  } finally {
    await browser.close();
  }
});

test('Korean UI, and errors are shown on the page', async () => {
  const { browser, page, errors } = await openApp('?lang=en');
  try {
    await waitForApp(page);
    await openLogLab(page);
    await page.getByTestId('lang-ko').click();
    assert.equal(await page.locator('details.lab > summary').textContent(), '로그 실험실: 파티션 로그 자세히 보기');
    assert.equal(await page.locator('html').getAttribute('lang'), 'ko');

    await page.getByTestId('record-count-input').fill('0');
    await page.getByTestId('append-button').click();
    await page.getByTestId('error').filter({ hasText: '1부터 100까지' }).waitFor();

    // A LogError (Kafka's text) from set_config: segment.bytes below its minimum.
    await page.getByTestId('segment-bytes-input').fill('10');
    await page.getByTestId('apply-config-button').click();
    await page.getByTestId('error').filter({ hasText: 'Invalid value 10 for configuration segment.bytes' }).waitFor();
    assert.equal(await page.getByTestId('log-end-offset').textContent(), '0');

    await page.screenshot({ path: screenshotPath('log_page_ko.png'), fullPage: true, style: FULL_PAGE_STYLE });
    assert.deepEqual(errors, [], 'the page logged errors or failed to load a resource');
  } finally {
    await browser.close();
  }
});
