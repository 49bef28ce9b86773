// Smoke test: the built site loads under a sub-path, its wasm starts and renders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FULL_PAGE_STYLE, openApp, screenshotPath, waitForApp } from './browser.mjs';

test('page loads and the wasm app becomes ready', async () => {
  const { browser, page, errors } = await openApp();
  try {
    await waitForApp(page, { errors });
    await page.screenshot({ path: screenshotPath('page.png'), fullPage: true, style: FULL_PAGE_STYLE });
    assert.deepEqual(errors, [], 'the page logged errors or failed to load a resource');
  } finally {
    await browser.close();
  }
});
