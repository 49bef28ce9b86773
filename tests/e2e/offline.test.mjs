// Offline after the first load: the built site's service worker (sw.js, written
// by web/build/post-build.mjs) precaches the build, so once it controls the
// page the site works with the server gone. This test serves dist/ itself
// (under /kafkaplay/, as a project site is), so it can take the server away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { launch, repoRoot, screenshotPath, waitForApp } from './browser.mjs';
import { outputOf, run, waitForLine } from './terminal_helpers.mjs';

const PREFIX = '/kafkaplay/';
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
};

/** Serves `root` (dist/) under PREFIX on a free port; records the paths it answered. */
async function serveDist(root = join(repoRoot, 'dist')) {
  const served = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (!path.startsWith(PREFIX) || normalize(path) !== path) {
      res.writeHead(404).end();
      return;
    }
    let file = path.slice(PREFIX.length);
    if (file === '' || file.endsWith('/')) file += 'index.html';
    try {
      const body = await readFile(join(root, file));
      served.push(path);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}${PREFIX}`;
  const close = () =>
    new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections();
    });
  return { url, served, close };
}

/**
 * dist/ served (`serveDist`), a browser with service workers on, and a page
 * of the site that the site's worker controls: it installed (precaching the
 * build), activated and took the page over. On a failure on the way, closes
 * what it opened.
 */
async function controlledPage() {
  const site = await serveDist();
  const context = await launch({ serviceWorkers: 'allow' });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    await page.goto(`${site.url}?lang=en&seed=7`);
    await waitForApp(page, { errors });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
    return { site, context, page, errors };
  } catch (error) {
    await context.close();
    await site.close();
    throw error;
  }
}

/** The second module of a split build (split.test.mjs), when the build split the wasm. */
const splitWasm = (await readdir(join(repoRoot, 'dist'))).filter((f) => f.endsWith('_split.wasm'));

test('after the first load the site works offline: the server gone, a reload renders and kafka-topics runs', async () => {
  const { site, context, page, errors } = await controlledPage();
  let serverUp = true;
  try {
    const cached = await page.evaluate(async () => {
      const keys = await caches.keys();
      const cache = await caches.open(keys[0]);
      return { keys, urls: (await cache.keys()).map((r) => new URL(r.url).pathname) };
    });
    assert.equal(cached.keys.length, 1, `one cache: ${cached.keys}`);
    assert.match(cached.keys[0], /^kafkaplay-[0-9a-f]{16}$/);
    const wasm = cached.urls.filter((u) => u.endsWith('_bg.wasm'));
    assert.equal(wasm.length, 1, `the build's wasm is cached: ${cached.urls.join(' ')}`);
    // A split build's second module too.
    for (const file of splitWasm) {
      assert.ok(cached.urls.includes(`${PREFIX}${file}`), `${file} is cached: ${cached.urls.join(' ')}`);
    }
    for (const url of [`${PREFIX}index.html`, `${PREFIX}init.js`]) {
      assert.ok(cached.urls.includes(url), `${url} is cached: ${cached.urls.join(' ')}`);
    }
    assert.ok(cached.urls.every((u) => u.startsWith(PREFIX)), 'every cached URL is under the sub-path');

    // Take the server away, and the network with it.
    await site.close();
    serverUp = false;
    await context.setOffline(true);
    const servedBefore = site.served.length;

    await page.reload();
    await waitForApp(page, { errors });
    await page.getByTestId('node-1000').getByTestId('active-controller').waitFor();
    await page.getByTestId('terminal').waitFor();
    await page.getByTestId('terminal-input').click();
    const create = 'kafka-topics --bootstrap-server localhost:9092 --create --topic offline --partitions 2';
    await run(page, create);
    await waitForLine(page, 'Created topic offline.');
    const list = 'kafka-topics --bootstrap-server localhost:9092 --list';
    await run(page, list);
    assert.ok((await outputOf(page, list)).includes('offline'));
    await page.screenshot({ path: screenshotPath('offline.png') });

    assert.equal(site.served.length, servedBefore, 'nothing reached the (closed) server');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    if (serverUp) await site.close();
  }
});

test('offline, a shared link replays: a split wasm loads its second module from the service worker cache', async () => {
  const { site, context, page, errors } = await controlledPage();
  let serverUp = true;
  try {
    await page.getByTestId('node-1000').getByTestId('active-controller').waitFor();
    await page.getByTestId('terminal-input').click();
    await run(page, 'kafka-topics --bootstrap-server localhost:9092 --create --topic shared --partitions 2');
    await waitForLine(page, 'Created topic shared.');
    await page.getByTestId('share-button').click();
    const link = await page.getByTestId('share-url').inputValue();

    await site.close();
    serverUp = false;
    await context.setOffline(true);

    // The link's replay runs the shell's kafka-topics as the page starts:
    // functions of the split's second module, before its prefetch.
    const opened = await context.newPage();
    opened.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    await opened.goto(link);
    await waitForApp(opened, { errors });
    await opened.getByTestId('link-notice').waitFor();
    await opened.locator('[data-testid=topic-row][data-topic=shared]').waitFor();
    if (splitWasm.length) {
      const how = await opened.evaluate(() => performance.getEntriesByName('kafkaplay:split-loaded')[0]?.detail.how);
      assert.equal(how, 'on-demand', 'the replay needed the second module before its prefetch');
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    if (serverUp) await site.close();
  }
});

test('a new build replaces the cached one: its service worker takes over and deletes the old cache', async () => {
  // A copy of dist/ whose sw.js can change, as a new deployment's would.
  const root = await mkdtemp(join(tmpdir(), 'kafkaplay-offline-'));
  await cp(join(repoRoot, 'dist'), root, { recursive: true });
  const site = await serveDist(root);
  const context = await launch({ serviceWorkers: 'allow' });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    await page.goto(`${site.url}?lang=en&seed=7`);
    await waitForApp(page, { errors });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
    const [before] = await page.evaluate(() => caches.keys());

    // The "new build": another cache name in sw.js.
    const sw = await readFile(join(root, 'sw.js'), 'utf8');
    const after = 'kafkaplay-0123456789abcdef';
    assert.ok(sw.includes(JSON.stringify(before)), `sw.js names its cache ${before}`);
    await writeFile(join(root, 'sw.js'), sw.replace(JSON.stringify(before), JSON.stringify(after)));
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
    const deadline = Date.now() + 30_000;
    let keys;
    while ((keys = await page.evaluate(() => caches.keys())).join() !== after) {
      assert.ok(Date.now() < deadline, `the caches after the update: ${keys}`);
      await page.waitForTimeout(100);
    }
    await page.reload();
    await waitForApp(page, { errors });
    assert.deepEqual(await page.evaluate(() => caches.keys()), [after]);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await site.close();
    await rm(root, { recursive: true, force: true });
  }
});
