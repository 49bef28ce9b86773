import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { chromeArgs } from './browser.mjs';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: chromeArgs });
const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await ctx.newPage();
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto('http://127.0.0.1:8099/instr/?lang=en&seed=7');
await page.getByTestId('node-1000').getByTestId('active-controller').waitFor({ timeout: 60_000 });
const dump = async (name) => writeFileSync(`/tmp/cov-${name}.json`, JSON.stringify(await page.evaluate(() => [...(globalThis.__kpSeen || [])])));
await dump('first');
await page.waitForTimeout(5000);
await dump('idle');
const term = page.locator('[data-testid=terminal-input]');
for (const c of ['kafka-topics --bootstrap-server localhost:9092 --create --topic t --partitions 3 --replication-factor 2', 'kafka-topics --bootstrap-server localhost:9092 --describe --topic t']) {
  await term.fill(c); await term.press('Enter'); await page.waitForTimeout(1500);
}
await dump('shell');
await browser.close();
