// The page's clock made to run fast: the docs widget's frames read
// `Date.now`, so a widget's simulated time runs as fast as this clock (up to
// what a frame may run). The widget's profiling run (split-widget.mjs) and
// its e2e tests (tests/e2e/widget.test.mjs) use it to cover minutes of a
// page left alone in seconds.

/**
 * An init script (Playwright's `page.addInitScript`): `Date.now` from then on
 * runs `k` times as fast as real time after `__kafkaplayTimeScale(k)` (1 until
 * then), and never goes back.
 */
export function fastClock() {
  const realNow = Date.now;
  let scale = 1;
  let lastReal = realNow();
  let now = lastReal;
  Date.now = () => {
    const real = realNow();
    now += (real - lastReal) * scale;
    lastReal = real;
    return Math.floor(now);
  };
  globalThis.__kafkaplayTimeScale = (k) => {
    Date.now();
    scale = k;
  };
}
