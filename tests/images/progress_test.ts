/**
 * One progress line (issue 14, item 7), as `core/images/progress.ts` draws it
 * for a layer: name, bar, bytes of the total, rate, colored or not.
 */

import assert from "node:assert/strict";
import { progressLine } from "../../core/images/progress.ts";

// deno-lint-ignore no-control-regex -- the color escapes themselves
const COLOR = /\x1b\[3\dm/;

Deno.test("a progress line: name, bar, bytes of the total, rate; done when done", () => {
  const line = { name: "4abc", total: 2000, bytes: 1000, started: 0 };
  assert.equal(
    progressLine(line, 1000, 80, false),
    "  4abc  [==========>         ]  1.0kB/2.0kB  1.0kB/s",
  );
  assert.equal(
    progressLine({ ...line, bytes: 2000, ended: 2000 }, 5000, 80, false),
    "  4abc  [====================]  2.0kB/2.0kB  done",
  );
  // No size known: no bar.
  assert.equal(
    progressLine({ name: "f", bytes: 500, started: 0 }, 1000, 80, false),
    "  f  500B  500B/s",
  );
  assert.match(progressLine(line, 1000, 80, true), COLOR);
  assert.doesNotMatch(progressLine(line, 1000, 80, false), COLOR);
});
