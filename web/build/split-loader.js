// Loads the site's wasm when the build split it in two with Binaryen's
// wasm-split (web/build/split.mjs): the start-up module, with every function
// that the first render and the first seconds of a running cluster called in
// a profiling run, and the rest, fetched once the app's first render is painted.
//
// In the start-up module, each function of the rest is a slot of the function
// table that holds a placeholder: an import from "placeholder" named by the
// slot's index. Instantiating the second module (which imports the start-up
// module's memory, table, globals and functions from "primary") writes the
// real functions into those slots. A placeholder that runs before then loads
// the second module at once, synchronously (from the bytes the prefetch or,
// under the service worker, the start fetched, else by a synchronous
// request), and calls the real function: a path the profile missed is slower
// the first time, never wrong.
//
// The docs widget's build (web/build/split-widget.mjs) splits its wasm the
// same way; its loader (web/widget/kafkaplay-widget.js) imports this file and
// asks for the rest itself (`prefetch: 'when-asked'`, `loadRest()`), when a
// reader starts to use a widget: a page that only shows widgets downloads
// the start-up module alone. Its rest also carries data: constants only the
// rest's functions use, written at their addresses when it is instantiated.
//
// The site's build puts this file into init.js, which calls
// `initSplit(init, primaryUrl, secondaryUrl)` where Trunk's loader called
// `init({ module_or_path })` (one file: a module of its own would be one more
// request before the wasm can start). wasm-bindgen's glue builds its
// import object inside `init`, so WebAssembly.instantiate(Streaming) is
// wrapped while `init` runs, to add the placeholders to that object and keep
// it for the second module (whose functions call the same JS imports).
//
// When the second module is in, `performance.mark('kafkaplay:split-loaded')`
// records it, with `detail.how`: 'prefetch' or 'on-demand' (a placeholder ran
// first; `detail.slot` is its table slot). Tests and benchmarks read it.

/** Reads `url` synchronously (only when a placeholder runs before the prefetch is in). */
function fetchNow(url) {
  const xhr = new XMLHttpRequest();
  xhr.open('GET', url, false);
  // A synchronous request cannot ask for an ArrayBuffer; this charset keeps
  // each byte as one char code.
  xhr.overrideMimeType('text/plain; charset=x-user-defined');
  xhr.send();
  if (xhr.status !== 200) {
    throw new Error(`kafkaplay: could not load ${url}: HTTP ${xhr.status}`);
  }
  const text = xhr.responseText;
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    bytes[i] = text.charCodeAt(i) & 0xff;
  }
  return bytes;
}

/** Loads the rest now, if it is not in yet (see `initSplit`'s `prefetch`). */
// `var`, without a value: the app's build appends this file to init.js,
// after the top-level `await initSplit(...)` that sets it.
var restLoader;
export function loadRest() {
  return restLoader ? restLoader() : Promise.resolve();
}

/**
 * `prefetch`: 'after-paint' (the app) fetches the rest once the first render
 * is painted; 'when-asked' (the docs widget: a page that only shows its
 * widgets downloads only the start-up module) waits for `loadRest()`, or
 * for a placeholder to run.
 */
export async function initSplit(init, primaryUrl, secondaryUrl, { prefetch: when = 'after-paint' } = {}) {
  let glueImports; // the import object the glue gave the start-up module
  let primary; // the start-up module's instance
  let bytes; // the rest's bytes, once fetched (until it is instantiated)
  let fetching; // the promise of `bytes`
  let loaded = false;

  function instantiateSecondary(module, detail) {
    if (loaded) return;
    new WebAssembly.Instance(module, { ...glueImports, primary: primary.exports });
    loaded = true;
    bytes = undefined;
    performance.mark('kafkaplay:split-loaded', { detail });
  }

  function fetchRest() {
    fetching ??= fetch(secondaryUrl)
      .then((response) => {
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.arrayBuffer();
      })
      .then((buffer) => {
        if (!loaded) bytes = new Uint8Array(buffer);
      });
    return fetching;
  }

  let table;
  const placeholders = new Proxy(
    {},
    {
      get: (_, name) => {
        const slot = Number(name);
        return (...args) => {
          if (!loaded) {
            instantiateSecondary(new WebAssembly.Module(bytes ?? fetchNow(secondaryUrl)), { how: 'on-demand', slot });
          }
          table ??= Object.values(primary.exports).find((value) => value instanceof WebAssembly.Table);
          return table.get(slot)(...args);
        };
      },
    },
  );

  let prefetching = null;
  function prefetch() {
    if (loaded) return Promise.resolve();
    prefetching ??= fetchRest()
      .then(() => bytes && WebAssembly.compile(bytes))
      .then((module) => module && instantiateSecondary(module, { how: 'prefetch' }))
      // A failed prefetch leaves the loading to the first placeholder that
      // runs, which reports its own error.
      .catch(() => {});
    return prefetching;
  }
  restLoader = prefetch;

  // A page that the service worker controls gets the rest from its cache,
  // and a synchronous request (a placeholder's, with no bytes yet) would
  // not go through the worker: offline, it would fail. So there the app
  // starts only once the rest's bytes are in (from the cache: no download),
  // and a placeholder compiles them.
  const controlled = when === 'after-paint' && Boolean(globalThis.navigator?.serviceWorker?.controller);
  if (controlled) fetchRest().catch(() => {});

  const { instantiate, instantiateStreaming } = WebAssembly;
  const withPlaceholders = (imports) => {
    glueImports = imports;
    return { ...imports, placeholder: placeholders };
  };
  const started = (result) => {
    primary = result.instance ?? result;
    return controlled ? fetching.then(() => result, () => result) : result;
  };
  WebAssembly.instantiateStreaming = (source, imports) =>
    instantiateStreaming(source, withPlaceholders(imports)).then(started);
  WebAssembly.instantiate = (source, imports) => instantiate(source, withPlaceholders(imports)).then(started);
  let exports;
  try {
    exports = await init({ module_or_path: primaryUrl });
  } finally {
    WebAssembly.instantiateStreaming = instantiateStreaming;
    WebAssembly.instantiate = instantiate;
  }
  // The app has started and rendered: the rest downloads and compiles once
  // that render is painted, so neither competes with the first paint (on
  // 2 cores, compiling alongside delayed it). A hidden tab draws no frames:
  // the timer starts it there.
  if (when === 'after-paint') {
    requestAnimationFrame(() => setTimeout(prefetch, 0));
    setTimeout(prefetch, 500);
  }
  return exports;
}
