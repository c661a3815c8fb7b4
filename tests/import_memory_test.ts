/**
 * Bounded memory on import (issue 26, item 5): `plash import-tar` (and
 * `import-url`) of decompression bombs, of many tiny entries and of very long names, each run
 * under GNU time (`/usr/bin/time -f %M`, package `time`), peaks below 100 MiB
 * resident, and a bomb of 4 GiB as low as one of 1 GiB.
 *
 * A bomb is 64 MiB of zeros compressed once and repeated: gzip members and
 * zstd frames may follow each other, and zeros are an empty archive (its end
 * blocks) followed by what the reader reads and ignores, so the whole
 * stream is decompressed and nothing is written to the disk.
 */

import assert from "node:assert/strict";
import { buildArchive, run } from "./tar_fixtures.ts";
import { TestStore } from "./support/plash.ts";

const TIME = "/usr/bin/time";
/** The goal, in KiB as GNU time reports it. */
const LIMIT = 100 * 1024;
/** How far apart the peaks of a 1 and a 4 GiB bomb may be, in KiB: run to run noise. */
const SAME = 16 * 1024;

/** Each compressor, from stdin to stdout. */
const COMPRESSORS: Record<string, string> = { gzip: "gzip -1 -c", zstd: "zstd -q -1 -c" };

/** `plash import-tar PATH` (or import-url file://PATH) under GNU time; its peak resident size in KiB. */
async function importPeak(store: TestStore, path: string, url = false): Promise<number> {
  const args = url ? ["import-url", `file://${path}`] : ["import-tar", path];
  const result = await store.plash(args, { prefix: [TIME, "-f", "peak %M"] });
  assert.equal(result.code, 0, result.stderr);
  const peak = /^peak (\d+)$/m.exec(result.stderr);
  assert.ok(peak, result.stderr);
  return Number(peak[1]);
}

/** Writes `copies` of `part` one after the other into a new file `path`. */
function repeatInto(path: string, part: Uint8Array, copies: number): string {
  using file = Deno.openSync(path, { write: true, createNew: true });
  for (let i = 0; i < copies; i++) file.writeSync(part);
  return path;
}

for (const [name, compressor] of Object.entries(COMPRESSORS)) {
  Deno.test(`a ${name} bomb of 1 and 4 GiB imports below 100 MiB, the same for both`, async () => {
    using store = new TestStore();
    const part = await run("sh", ["-c", `head -c 64M /dev/zero | ${compressor}`]);
    const peaks: number[] = [];
    for (const gib of [1, 4]) {
      const bomb = repeatInto(`${store.data}.${gib}g.${name}`, part, gib * 16);
      peaks.push(await importPeak(store, bomb));
      // The same as a download: a stream, read by the tar reader alone.
      if (gib === 4) peaks.push(await importPeak(store, bomb, true));
      Deno.removeSync(bomb);
    }
    const [one, four, url] = peaks;
    assert.ok(peaks.every((peak) => peak < LIMIT), `peaks ${peaks} KiB (1, 4 GiB, 4 by URL)`);
    assert.ok(Math.abs(four - one) < SAME, `peaks ${one} and ${four} KiB`);
    assert.ok(Math.abs(url - one) < SAME, `peaks ${one} and ${url} KiB`);
  });
}

Deno.test("10,000 tiny entries and very long names import below 100 MiB", async () => {
  using store = new TestStore();
  const component = "n".repeat(250);
  const deep = Array.from({ length: 15 }, (_, i) => `${i}${component}`).join("/");
  const archive = await buildArchive([
    ...Array.from({ length: 100 }, (_, d) => ({ name: `d${d}/`, type: "directory" as const })),
    ...Array.from({ length: 10_000 }, (_, i) => ({ name: `d${i % 100}/f${i}`, body: "x" })),
    // Names of 3,800 bytes (PAX paths), and extended headers near their 1 MiB limit.
    ...deep.split("/").map((_, i, parts) => ({
      name: parts.slice(0, i + 1).join("/") + "/",
      type: "directory" as const,
    })),
    ...Array.from({ length: 10 }, (_, i) => ({
      name: `${deep}/f${i}`,
      body: "x",
      pax: { comment: "c".repeat(1_000_000) },
    })),
  ]);
  const path = `${store.data}.many.tar`;
  Deno.writeFileSync(path, archive);
  await run("gzip", ["-1", path]);
  const peak = await importPeak(store, `${path}.gz`);
  assert.ok(peak < LIMIT, `peak ${peak} KiB`);
});
