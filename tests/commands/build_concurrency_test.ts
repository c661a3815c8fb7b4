import assert from "node:assert/strict";
import { type Result, TestStore } from "../support/plash.ts";

/** The ids that `runs` printed, each run checked to have succeeded. */
function printedIds(runs: Result[]): string[] {
  return runs.map((result) => {
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^\d+\n$/);
    return result.stdout.trim();
  });
}

/** How many images the store has: a layer built twice shows as one image too many. */
function imageCount(store: TestStore): number {
  return store.images.imageIds().length;
}

Deno.test("8 concurrent identical builds make each layer once and give one id", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  // The pause keeps the first build in its layer while the others arrive.
  const args = ["build", "-f", base, "-x", "sleep 0.3; touch /one", "-l", "-x", "touch /two"];
  const ids = printedIds(await Promise.all(Array.from({ length: 8 }, () => store.plash(args))));
  assert.equal(new Set(ids).size, 1, `one id, not ${ids.join(" ")}`);
  assert.equal(imageCount(store), 3, "the base and two layers, nothing duplicated");
  const top = Number(ids[0]);
  assert.deepEqual(store.images.chain(top).slice(1, 2), [Number(base)]);
  assert.equal(await store.ok(["run", ids[0], "ls", "/one", "/two"]), "/one\n/two");
  assert.deepEqual(
    [...Deno.readDirSync(`${store.data}/tmp`)],
    [],
    "no lock file or staging is left",
  );
  // Concurrent builds sharing the first layer only: that layer is still made once.
  const forks = await Promise.all(
    ["a", "b", "c", "d"].map((name) =>
      store.plash([
        "build",
        "-f",
        base,
        "-x",
        "sleep 0.3; touch /one",
        "-l",
        "-x",
        `touch /${name}`,
      ])
    ),
  );
  assert.equal(new Set(printedIds(forks)).size, 4);
  assert.equal(imageCount(store), 3 + 4, "four new second layers on the one first layer");
});

Deno.test("concurrent --from-tar builds of one archive import it once", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const archive = `${store.data}.tar`;
  await store.ok(["export-tar", base, archive]);
  const runs = await Promise.all(
    Array.from({ length: 4 }, () => store.plash(["build", "--from-tar", archive])),
  );
  const ids = printedIds(runs);
  assert.equal(new Set(ids).size, 1, `one import, not ${ids.join(" ")}`);
  assert.equal(imageCount(store), 2, "the busybox image and one import of the archive");
  Deno.removeSync(archive);
});
