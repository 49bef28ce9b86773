// Shared helpers for the end-to-end tests: launch headless Chromium through
// playwright-core (never `npx playwright install`: the system Chromium is used)
// and open the site that `cargo xtask test` serves at BASE_URL.
//
//   import { openApp, screenshotPath } from './browser.mjs';
//   const { browser, page } = await openApp();
//   try { ... } finally { await browser.close(); }

import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The repository root (tests/e2e/ is two levels below it). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where tests write screenshots: target/e2e/<name>. */
export function screenshotPath(name) {
  const dir = join(repoRoot, 'target', 'e2e');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/** The site under test, e.g. http://127.0.0.1:41234/kafkaplay/ (always ends in '/'). */
export function baseUrl() {
  const url = process.env.BASE_URL;
  if (!url) {
    throw new Error('BASE_URL is not set: run the end-to-end tests with `cargo xtask test`');
  }
  return url.endsWith('/') ? url : `${url}/`;
}

/** Flags for headless Chromium on these machines (root in a container, no network chatter). */
export const chromeArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * For full-page screenshots (`page.screenshot({ fullPage: true, style:
 * FULL_PAGE_STYLE })`): the page's cards have `content-visibility: auto`
 * (style.css), so Chromium skips drawing the ones off screen, and a capture
 * taller than the window would show them empty. A person scrolling sees each
 * card drawn as it comes near the window.
 */
export const FULL_PAGE_STYLE = '.card { content-visibility: visible !important; }';

/**
 * Launches headless Chromium (CHROME, else /usr/bin/chromium) with a fresh
 * profile. Returns the playwright BrowserContext; close() also removes the profile.
 *
 * The site's service worker is blocked unless `serviceWorkers: 'allow'`: once it
 * controls a page it answers from its cache, and Playwright's page.route (which
 * the CSP test uses to add its header) never sees those requests.
 * offline.test.mjs tests the service worker.
 */
export async function launch({ viewport = { width: 1280, height: 900 }, serviceWorkers = 'block' } = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'kafkaplay-e2e-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROME || '/usr/bin/chromium',
    headless: true,
    args: chromeArgs,
    viewport,
    serviceWorkers,
  });
  const close = context.close.bind(context);
  context.close = async () => {
    try {
      await close();
    } finally {
      rmSync(userDataDir, { recursive: true, force: true });
    }
  };
  return context;
}

/**
 * Opens BASE_URL (plus an optional relative `path`, e.g. '?seed=7') in a new page
 * and collects the page's errors and console errors, so a test can assert there
 * were none. Returns { browser, page, errors }; call browser.close() when done.
 */
export async function openApp(path = '', options = {}) {
  const browser = await launch(options);
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // "Failed to load resource" duplicates the response listener below, which has the URL.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      errors.push(`console.error: ${message.text()}`);
    }
  });
  page.on('requestfailed', (request) =>
    errors.push(`requestfailed: ${request.url()} ${request.failure()?.errorText ?? ''}`),
  );
  page.on('response', (response) => {
    // Chromium asks for /favicon.ico at the host root by itself; no page refers to it.
    const ownRequest = new URL(response.url()).pathname !== '/favicon.ico';
    if (response.status() >= 400 && ownRequest) {
      errors.push(`HTTP ${response.status()}: ${response.url()}`);
    }
  });
  await page.goto(new URL(path, baseUrl()).href);
  return { browser, page, errors };
}

/**
 * Waits until the wasm app has loaded and rendered: the web app renders an
 * element with data-testid=app-ready once its wasm has started. On timeout the
 * error lists what the page reported (`errors` from openApp), which usually says
 * why the wasm did not start.
 */
export async function waitForApp(page, { errors = [], timeout = 30_000 } = {}) {
  try {
    await page.locator('[data-testid=app-ready]').first().waitFor({ state: 'attached', timeout });
  } catch (error) {
    const reported = errors.length ? errors.join('\n') : '(nothing)';
    throw new Error(`${error.message}\nthe page reported:\n${reported}`);
  }
}
