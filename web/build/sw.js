// The site's service worker: after the first visit the page works offline.
//
// web/build/post-build.mjs copies this file into dist/ as sw.js and replaces
// the two placeholders below with this build's cache name (a hash of every
// file's contents) and the list of its files. Every URL is relative to this
// script, so the site works under any sub-path (e.g. /kafkaplay/).
//
// - install: download every file of the build into the build's cache.
// - activate: delete the caches of earlier builds, take over open pages.
// - fetch: cache first. A page load (navigation) under the site gets the cached
//   index.html whatever its query (?seed=7, shared links); other requests get
//   their cached copy, else go to the network.
const CACHE = '__KAFKAPLAY_CACHE__';
const FILES = __KAFKAPLAY_FILES__;
const PREFIX = 'kafkaplay-';

const scope = new URL('./', self.location.href).href;
const index = new URL('./index.html', scope).href;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // `reload`: straight from the server, never an older copy from the HTTP cache.
      await cache.addAll(FILES.map((file) => new Request(new URL(file, scope).href, { cache: 'reload' })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith(PREFIX) && key !== CACHE) {
          await caches.delete(key);
        }
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || !request.url.startsWith(scope)) {
    return;
  }
  // caches.match with cacheName, not caches.open: a worker of an older build,
  // still answering while the new one takes over, must not recreate its deleted cache.
  event.respondWith(
    (async () => {
      const page = request.mode === 'navigate' ? await caches.match(index, { cacheName: CACHE }) : undefined;
      return page ?? (await caches.match(request, { cacheName: CACHE, ignoreSearch: true })) ?? fetch(request);
    })(),
  );
});
