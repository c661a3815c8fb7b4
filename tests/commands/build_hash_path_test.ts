import assert from "node:assert/strict";
import { selfCommand } from "../../core/self_command.ts";
import { TestStore } from "../support/plash.ts";

/** GNU time (Debian's package `time`): `-f %M` reports the peak resident set size in KiB. */
const GNU_TIME = "/usr/bin/time";

Deno.test("--hash-path streams: a 2 GiB file takes far less memory than its size", async () => {
  try {
    Deno.statSync(GNU_TIME);
  } catch {
    assert.fail(`${GNU_TIME} is missing: install Debian's package time (scripts/setup-debian.sh)`);
  }
  using store = new TestStore();
  const file = `${store.data}.big`;
  const report = `${store.data}.rss`;
  // Sparse: it takes no disk, yet every one of its bytes is read and hashed.
  const size = 2 * 1024 ** 3;
  {
    using big = Deno.openSync(file, { create: true, write: true });
    big.truncateSync(size);
  }
  const result = await store.spawn([
    GNU_TIME,
    "-f",
    "%M",
    "-o",
    report,
    ...selfCommand(["eval", "--hash-path", file]),
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^### plash hint: hash-path=\[".*\.big","[0-9a-f]{64}"\]\n$/);
  const peak = Number(Deno.readTextFileSync(report).trim()) * 1024;
  assert.ok(peak > 0, "GNU time measured the run");
  const mib = (bytes: number) => Math.round(bytes / 1024 ** 2);
  assert.ok(peak < 512 * 1024 ** 2, `peak RSS ${mib(peak)} MiB for a ${mib(size)} MiB file`);
});
