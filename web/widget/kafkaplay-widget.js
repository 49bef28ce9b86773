// kafkaplay's embeddable widget: a live Kafka cluster inside any page.
//
//   <script type="module" src=".../widget/kafkaplay-widget.js"></script>
//   <kafka-playground scenario="replicated" views="cluster terminal"></kafka-playground>
//
// or, from JavaScript:
//
//   import { mount } from '.../widget/kafkaplay-widget.js';
//   const widget = mount(document.querySelector('#demo'), { scenario: 'rf1' });
//   await widget.run('kafka-topics --bootstrap-server localhost:9092 --list');
//   const off = widget.on('leader-changed', (e) => console.log(e.detail));
//   widget.destroy();
//
// The wasm (kafkaplay_widget_bg.wasm, next to this file) is fetched once, by
// the first widget that scrolls into view, and shared by every widget of the
// page; each has its own cluster. When the build split it
// (web/build/split-widget.mjs), that file is the start-up module: what the
// widgets run until a reader uses one. The rest (kafkaplay_widget_rest.wasm)
// is fetched when the reader first points at or types into a widget, or
// calls `run()`, and before a widget with `persist` or `lesson` starts; a
// click in a widget before it is in waits for it (HELD_EVENTS), and a
// function of it needed before then loads it on the spot. A widget lives
// in a shadow root with its own styles (adopted, so a strict style-src needs
// no exception), and needs no inline script: `script-src 'self'
// 'wasm-unsafe-eval'` is enough.
// Options (attributes, or the object given to mount):
//   scenario  a built-in name (three-brokers, replicated, rf1, empty) or inline
//             JSON: {"brokers":3,"topics":[{"name":"t","partitions":2,
//             "replicationFactor":3,"configs":{}}],"commands":["..."],"seed":1}
//   views     any of "cluster terminal messages" (default: cluster terminal)
//   height    a CSS length, or a number of pixels (default: as tall as the content)
//   lang      ko or en (default: the nearest lang attribute, else en)
//   theme     light, dark or auto (default: light)
//   autoplay  the clock runs from the start (default); "false": it waits for ▶
//   readonly  no fault buttons, no typing
//   persist   a namespace: the cluster is kept in IndexedDB across reloads
//             (default: off, a fresh cluster each load)
//   lesson    a guided lesson above the terminal (topics, rf1-broker-down, ...):
//             its steps check the widget's cluster
//   eager     start at once, without waiting to be scrolled into view
// Events (CustomEvent on the element, bubbling): ready, error, leader-changed,
// records-produced, step-done, lesson-step-done.

import init, { mount_widget, live_widgets } from './kafkaplay_widget.js';
import { initSplit, loadRest } from './split-loader.js';

const CSS = __KAFKAPLAY_WIDGET_CSS__;

let sheet = null;
function styleSheet() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
}

// The build writes the rest's file name here when it split the wasm
// (web/build/split-widget.mjs); null: one module, all of it at start.
const SPLIT = null;

let loading = null;
/** Fetches and starts the wasm (the start-up module, when split), once for the whole page. */
export function load() {
  const url = (name) => new URL(`./${name}`, import.meta.url);
  loading ??= SPLIT
    ? initSplit(init, url('kafkaplay_widget_bg.wasm'), url(SPLIT.rest), { prefetch: 'when-asked' })
    : init({ module_or_path: url('kafkaplay_widget_bg.wasm') });
  return loading;
}

/** Whether the whole wasm is in (always, when not split). */
let restIn = !SPLIT;

/** The whole wasm loaded: resolves once the rest is in (at once when not split). */
function loadAll() {
  return load()
    .then(() => (SPLIT ? loadRest() : undefined))
    .then(() => {
      restIn = true;
    });
}

// What starts the rest's download: the reader using a widget.
const USE_EVENTS = ['pointerdown', 'keydown', 'focusin'];
// What waits for the rest, when it is not in yet: a click (kill, restart,
// the other buttons) and a select's change. Their handlers are in the rest,
// and one run before it is in would load it synchronously, the page frozen
// for the download. The click's own pointerdown has started the download.
const HELD_EVENTS = ['click', 'change'];

/** How many widgets are running on the page (0 before the wasm loaded). */
export function liveWidgets() {
  return loading ? live_widgets() : 0;
}

// One observer for every widget: a widget starts when it comes near the viewport.
const waiting = new Map();
let observer = null;
function whenVisible(element, start) {
  if (typeof IntersectionObserver !== 'function') {
    start();
    return;
  }
  observer ??= new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const go = waiting.get(entry.target);
      waiting.delete(entry.target);
      observer.unobserve(entry.target);
      go?.();
    }
  }, { rootMargin: '200px' });
  waiting.set(element, start);
  observer.observe(element);
}
function stopWaiting(element) {
  if (waiting.delete(element)) observer?.unobserve(element);
}

const LABELS = { en: 'Kafka playground: starts when shown', ko: 'Kafka 플레이그라운드: 화면에 보이면 시작합니다' };

class Widget {
  #host; #options; #container; #handle = null; #queued = []; #destroyed = false;
  #media = null; #onMedia = null; #onUse = null; #onEarly = null;

  constructor(host, options) {
    this.#host = host;
    this.#options = { ...options };
    const lang = (options.lang || host.closest('[lang]')?.lang || 'en').toLowerCase().startsWith('ko') ? 'ko' : 'en';
    this.#options.lang = lang;
    const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [styleSheet()];
    this.#container = document.createElement('div');
    this.#container.className = 'kpw-root';
    const theme = ['dark', 'auto'].includes(options.theme) ? options.theme : 'light';
    this.#container.dataset.theme = theme;
    this.#container.toggleAttribute('data-dark', theme === 'dark');
    if (theme === 'auto') {
      // Dark while the reader's system is (widget.css styles [data-dark]).
      this.#media = matchMedia('(prefers-color-scheme: dark)');
      this.#onMedia = () => this.#container.toggleAttribute('data-dark', this.#media.matches);
      this.#onMedia();
      this.#media.addEventListener('change', this.#onMedia);
    }
    this.#container.dataset.state = 'waiting';
    this.#container.textContent = LABELS[lang];
    // A bare number is pixels; else any CSS length. (Set through the CSSOM,
    // which a strict style-src allows, unlike a style attribute.)
    if (options.height) {
      const height = String(options.height).trim();
      this.#container.style.height = /^\d+(\.\d+)?$/.test(height) ? `${height}px` : height;
    }
    root.replaceChildren(this.#container);
    if (SPLIT) {
      this.#onUse = () => {
        if (!loading) return; // not started: nothing to use yet
        this.#stopUseListening();
        loadAll().catch(() => {});
      };
      for (const type of USE_EVENTS) host.addEventListener(type, this.#onUse);
      // Held (HELD_EVENTS) before the widget's own listeners see it, and
      // given to them again once the rest is in.
      this.#onEarly = (event) => {
        if (restIn || !loading || !event.isTrusted) return;
        const target = event.composedPath()[0];
        if (!(target instanceof Element)) return;
        event.stopImmediatePropagation();
        event.preventDefault();
        loadAll().then(() => {
          if (this.#destroyed || !target.isConnected) return;
          if (event.type === 'click') target.click();
          else target.dispatchEvent(new Event(event.type, { bubbles: true, composed: true }));
        });
      };
      for (const type of HELD_EVENTS) root.addEventListener(type, this.#onEarly, true);
    }
    const start = () => this.#start();
    if (options.eager) start(); else whenVisible(host, start);
  }

  #stopUseListening() {
    if (!this.#onUse) return;
    for (const type of USE_EVENTS) this.#host.removeEventListener(type, this.#onUse);
    this.#onUse = null;
  }

  async #start() {
    try {
      // Restoring a stored cluster and a lesson's panel are outside the
      // start-up module: load the rest first rather than on the spot.
      await (this.#options.persist || this.#options.lesson ? loadAll() : load());
    } catch (error) {
      this.#container.textContent = `kafkaplay: the wasm could not be loaded (${error})`;
      this.#host.dispatchEvent(new CustomEvent('error', { detail: { message: String(error) }, bubbles: true, composed: true }));
      return;
    }
    if (this.#destroyed) return;
    this.#container.textContent = '';
    this.#container.dataset.state = 'running';
    // Every option goes to the wasm, which checks them all (an unknown one is an error it shows).
    this.#handle = mount_widget(this.#container, this.#host, this.#options);
    for (const [line, resolve] of this.#queued.splice(0)) resolve(this.run(line));
  }

  /** Whether the widget has started (its wasm is loaded and its cluster up). */
  get started() { return this.#handle !== null; }

  /** Runs a shell line; resolves to {stdout, stderr, exitCode}, or null if destroyed first. */
  run(line) {
    if (this.#destroyed) return Promise.resolve(null);
    this.#onUse?.();
    // A command may need any tool: it waits for the whole wasm (split), and
    // runs even if the rest failed to load (a placeholder then says why).
    if (this.#handle) {
      const go = () => (this.#handle ? this.#handle.run(String(line)) : null);
      return loadAll().then(go, go);
    }
    return new Promise((resolve) => this.#queued.push([String(line), resolve]));
  }

  /** Listens to one of the widget's events; returns the function that stops listening. */
  on(type, listener) {
    this.#host.addEventListener(type, listener);
    return () => this.#host.removeEventListener(type, listener);
  }

  play() { this.#handle?.setPlaying(true); }
  pause() { this.#handle?.setPlaying(false); }

  /** Stops the widget and frees its cluster; its element is left empty. */
  destroy() {
    if (this.#destroyed) return;
    this.#destroyed = true;
    stopWaiting(this.#host);
    this.#stopUseListening();
    if (this.#onEarly) {
      const root = this.#host.shadowRoot;
      for (const type of HELD_EVENTS) root?.removeEventListener(type, this.#onEarly, true);
      this.#onEarly = null;
    }
    this.#media?.removeEventListener('change', this.#onMedia);
    for (const [, resolve] of this.#queued.splice(0)) resolve(null);
    if (this.#handle) {
      this.#handle.destroy();
      this.#handle.free();
      this.#handle = null;
    }
    this.#container.remove();
  }
}

/** Mounts a widget into `element` (in a shadow root of its own); see the options above. */
export function mount(element, options = {}) {
  if (!(element instanceof Element)) throw new TypeError('mount: the first argument must be an element');
  return new Widget(element, options);
}

function attributeOptions(el) {
  const flag = (name) => el.hasAttribute(name) && el.getAttribute(name) !== 'false';
  return {
    scenario: el.getAttribute('scenario') ?? undefined,
    views: el.getAttribute('views') ?? undefined,
    height: el.getAttribute('height') ?? undefined,
    lang: el.getAttribute('lang') ?? undefined,
    theme: el.getAttribute('theme') ?? undefined,
    autoplay: el.hasAttribute('autoplay') ? flag('autoplay') : undefined,
    readOnly: flag('readonly'),
    lesson: el.getAttribute('lesson') ?? undefined,
    persist: el.getAttribute('persist') ?? undefined,
    eager: flag('eager'),
  };
}

/** `<kafka-playground>`: mounts a widget when added to the page, destroys it when removed. */
export class KafkaPlayground extends HTMLElement {
  #widget = null;

  connectedCallback() {
    this.#widget ??= new Widget(this, attributeOptions(this));
  }

  disconnectedCallback() {
    // Moved within the page (removed and added again in one task): keep it.
    queueMicrotask(() => {
      if (!this.isConnected && this.#widget) {
        this.#widget.destroy();
        this.#widget = null;
      }
    });
  }

  /** Same as the handle's: see `mount`. */
  run(line) { return this.#widget ? this.#widget.run(line) : Promise.resolve(null); }
  on(type, listener) { this.addEventListener(type, listener); return () => this.removeEventListener(type, listener); }
  play() { this.#widget?.play(); }
  pause() { this.#widget?.pause(); }
  get started() { return this.#widget?.started ?? false; }
}

if (!customElements.get('kafka-playground')) {
  customElements.define('kafka-playground', KafkaPlayground);
}
