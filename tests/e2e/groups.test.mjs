// The consumer-groups panel: produce, start a consumer in a group from the
// page, see its partitions assigned and the lag fall to 0; stop it and see
// the group empty with its offsets kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FULL_PAGE_STYLE, openApp, screenshotPath, waitForApp } from './browser.mjs';

test('a consumer started from the UI joins its group and the lag goes to 0', async () => {
  const { browser, page, errors } = await openApp('?lang=en&seed=7');
  try {
    await waitForApp(page, { errors });
    await page.getByTestId('node-1000').getByTestId('active-controller').waitFor();
    await page.getByTestId('speed-select').selectOption({ label: '5×' });
    await page.getByTestId('topic-name-input').fill('orders');
    await page.getByTestId('topic-partitions-input').fill('3');
    await page.getByTestId('topic-rf-input').fill('2');
    await page.getByTestId('create-topic-button').click();
    await page.locator('[data-testid=topic-row][data-topic="orders"]').waitFor();
    assert.equal(await page.getByTestId('groups-none').count(), 1);

    await page.getByTestId('producer-topic').selectOption('orders');
    await page.getByTestId('producer-rate').fill('50');
    await page.getByTestId('producer-keys').fill('6');
    await page.getByTestId('producer-start').click();
    await page.waitForFunction(() => /acknowledged [1-9]\d/.test(document.querySelector('[data-testid=producer-stats]')?.textContent ?? ''), null, {
      timeout: 30_000,
    });
    await page.getByTestId('producer-stop').click();

    // An empty group id is refused, with a message.
    await page.getByTestId('consumer-group').fill('');
    await page.getByTestId('consumer-start').click();
    assert.match(await page.getByTestId('consumer-error').textContent(), /group id/);

    await page.getByTestId('consumer-group').fill('billing');
    await page.getByTestId('consumer-topic').selectOption('orders');
    // Keyboard: Enter in the form submits it.
    await page.getByTestId('consumer-group').press('Enter');
    await page.getByTestId('consumer-run').waitFor();
    assert.match(await page.getByTestId('consumer-run').textContent(), /billing · orders · running/);

    const group = page.locator('[data-testid=group][data-group="billing"]');
    await group.waitFor({ timeout: 30_000 });
    await page.waitForFunction(
      () => {
        const g = document.querySelector('[data-testid=group][data-group="billing"]');
        return (
          g &&
          g.querySelector('[data-testid=group-state]')?.textContent === 'Stable' &&
          g.querySelectorAll('[data-testid=group-row]').length === 3 &&
          g.querySelector('[data-testid=group-lag]')?.textContent === '0' &&
          [...g.querySelectorAll('[data-testid=row-lag]')].every((c) => c.textContent === '0')
        );
      },
      null,
      { timeout: 60_000 },
    );
    for (const lag of await group.getByTestId('row-lag').allTextContents()) {
      assert.equal(lag, '0');
    }
    let total = 0;
    for (const row of await group.getByTestId('group-row').all()) {
      const cells = await row.locator('td').allTextContents();
      assert.match(cells[0], /^consumer-billing-\d+$/, 'the assigned member is shown by its client id');
      assert.equal(cells[1], cells[2], `committed = log end offset: ${cells}`);
      total += Number(cells[2]);
    }
    assert.ok(total >= 10, `the records produced were consumed and committed (${total})`);
    assert.equal(await page.getByTestId('chart-consumer-lag').count(), 1);
    await group.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('groups_stable.png'), fullPage: true, style: FULL_PAGE_STYLE });
    await page.getByTestId('groups-panel').screenshot({ path: screenshotPath('groups_panel.png') });
    await page.locator('[data-testid=chart-consumer-lag]').screenshot({ path: screenshotPath('groups_lag_chart.png') });

    // Stop: the member leaves, the offsets stay.
    await page.getByRole('button', { name: /^Stop consumer consumer-billing-/ }).click();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=group][data-group="billing"] [data-testid=group-state]')?.textContent ===
        'Empty',
      null,
      { timeout: 30_000 },
    );
    assert.match(await page.getByTestId('consumer-run').textContent(), /stopped/);

    // A second group, which keeps reading while billing falls behind: the
    // lag chart has one line per group, each named in the legend.
    await page.getByTestId('consumer-group').fill('audit');
    await page.getByTestId('consumer-start').click();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid=group][data-group="audit"] [data-testid=group-state]')?.textContent ===
        'Stable',
      null,
      { timeout: 30_000 },
    );
    await page.getByTestId('producer-start').click();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid=group][data-group="billing"] [data-testid=group-lag]')?.textContent) >= 20,
      null,
      { timeout: 30_000 },
    );
    await page.getByTestId('producer-stop').click();
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-testid=group-lag-line]').length === 2 &&
        document.querySelector('[data-testid=group-lag-legend-item][data-group="billing"]')?.textContent.match(/Lag (\d+)/)?.[1] >= 20,
      null,
      { timeout: 30_000 },
    );
    const groupIds = await page.locator('[data-testid=group]').evaluateAll((gs) => gs.map((g) => g.dataset.group).sort());
    const lineIds = await page.getByTestId('group-lag-line').evaluateAll((ls) => ls.map((l) => l.dataset.group).sort());
    assert.deepEqual(lineIds, groupIds, 'one line per group');
    assert.deepEqual(groupIds, ['audit', 'billing']);
    const dashes = await page.getByTestId('group-lag-line').evaluateAll((ls) => ls.map((l) => l.getAttribute('stroke-dasharray') ?? ''));
    assert.equal(new Set(dashes).size, 2, `the lines differ by dash pattern, not only colour: ${dashes}`);
    for (const d of await page.getByTestId('group-lag-line').evaluateAll((ls) => ls.map((l) => l.getAttribute('d')))) {
      assert.match(d, /^M[\d.]+,[\d.]+ L/, 'a line of several samples');
    }
    const legend = await page.getByTestId('group-lag-legend-item').allTextContents();
    assert.equal(legend.length, 2);
    assert.match(legend.join(' | '), /audit.*Lag \d+ \| billing.*Lag \d+/);
    const chart = page.getByTestId('group-lag-chart');
    assert.match(await chart.locator('svg[role=img]').getAttribute('aria-label'), /audit \d+, billing \d+/);
    await chart.scrollIntoViewIfNeeded();
    await chart.screenshot({ path: screenshotPath('groups_lag_per_group.png') });
    assert.deepEqual(errors, [], 'the page logged errors or failed to load a resource');
  } finally {
    await browser.close();
  }
});
