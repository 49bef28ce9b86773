// Helpers for tests that type into the page's terminal (shared by
// terminal.test.mjs, share.test.mjs and lessons.test.mjs).
//
//   import { run, outputOf, waitForLine, produceLines } from './terminal_helpers.mjs';

import assert from 'node:assert/strict';

/** The terminal's finished output lines, as text. */
export async function outputLines(page) {
  return page.getByTestId('terminal-line').allTextContents();
}

/** Waits until the output has a line equal to `line` (or matching it, for a RegExp). */
export async function waitForLine(page, line, timeout = 15_000) {
  const matches = (l) => (line instanceof RegExp ? line.test(l) : l === line);
  const deadline = Date.now() + timeout;
  for (;;) {
    const lines = await outputLines(page);
    if (lines.some(matches)) return lines;
    if (Date.now() > deadline) {
      assert.fail(`no output line ${line} in:\n${lines.join('\n')}`);
    }
    await page.waitForTimeout(50);
  }
}

/** Types `command` into the terminal, presses Enter and waits for its echo. */
export async function run(page, command) {
  const input = page.getByTestId('terminal-input');
  await input.fill(command);
  await input.press('Enter');
  await page.waitForFunction(
    (c) => [...document.querySelectorAll('[data-testid=terminal-line]')].some((l) => l.textContent.endsWith(c)),
    command,
  );
}

/** The lines printed after the last echo of `command`, up to the next prompt. */
export async function outputOf(page, command) {
  const lines = await outputLines(page);
  const at = lines.findLastIndex((l) => l.endsWith(command));
  assert.notEqual(at, -1, `"${command}" was not echoed`);
  const after = lines.slice(at + 1);
  const next = after.findIndex((l) => /^(learner@kafkaplay|\[appuser@)/.test(l));
  return next === -1 ? after : after.slice(0, next);
}

/**
 * Starts `kafka-console-producer` on `topic`, waits for its `>` prompt and
 * types each of `values` as a record line, waiting for each echo. The producer
 * is left running (Ctrl+D ends it).
 */
export async function produceLines(page, topic, values) {
  await run(page, `kafka-console-producer --bootstrap-server localhost:9092 --topic ${topic}`);
  await page.getByTestId('terminal-prompt').filter({ hasText: /^>$/ }).waitFor();
  for (const value of values) {
    await page.keyboard.type(value);
    await page.keyboard.press('Enter');
    await waitForLine(page, `>${value}`);
  }
}
