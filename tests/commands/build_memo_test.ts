// The memo of whole macro builds (core/build/macro_memo.ts): an unchanged `plash build` of
// macros that read only their arguments is one lookup, and what it covers still rebuilds.
import assert from "node:assert/strict";
import { TestStore } from "../support/plash.ts";
import { TempDirs } from "../support/temp_dirs.ts";

/** The map's `cache:` keys of image `id`: a memoized build leaves its last layer's and the memo's. */
function cacheKeysOf(store: TestStore, id: string): string[] {
  return [...Deno.readDirSync(`${store.data}/map`)]
    .filter(({ name }) => name.startsWith("cache:"))
    .filter(({ name }) => Deno.readLinkSync(`${store.data}/map/${name}`).endsWith(`/${id}`))
    .map(({ name }) => name);
}

/**
 * Whether the memo alone finds image `id` again: each of its `cache:` keys is removed in turn
 * (and put back); without the last layer's key, only the memo can find the image.
 */
async function foundByMemoAlone(
  store: TestStore,
  args: string[],
  id: string,
  env: Record<string, string> = {},
): Promise<boolean> {
  let found = false;
  for (const key of cacheKeysOf(store, id)) {
    const link = `${store.data}/map/${key}`;
    const target = Deno.readLinkSync(link);
    Deno.removeSync(link);
    const again = await store.ok(["build", ...args], { env });
    if (again === id && cacheKeysOf(store, id).length === 1) found = true;
    if (!cacheKeysOf(store, id).includes(key)) Deno.symlinkSync(target, link);
  }
  return found;
}

Deno.test("an unchanged build of --run and --layer is its memo's image, found without its layers' keys", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const args = ["-q", "-f", base, "--run", "echo 1 > /one", "--layer", "-x", "echo 2 > /two"];
  const id = await store.ok(["build", ...args]);
  assert.equal(cacheKeysOf(store, id).length, 2, "the last layer's key and the memo's");
  assert.equal(await foundByMemoAlone(store, args, id), true);
  // Not quiet, the same image, found the same way (a cached build shows nothing either way).
  const shown = await store.plash(["build", ...args.slice(1)]);
  assert.equal(shown.stdout.trim(), id);
  assert.equal(shown.stderr, "");
});

Deno.test("a changed imported or passed variable, or a changed file of an impure macro, rebuilds", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const base = await store.busybox();
  const args = ["-f", base, "--import-env", "FOO", "--run", 'echo "$FOO" > /foo'];
  const one = await store.ok(["build", ...args], { env: { FOO: "1" } });
  assert.equal(await foundByMemoAlone(store, args, one, { FOO: "1" }), true);
  const two = await store.ok(["build", ...args], { env: { FOO: "2", UNRELATED: "a" } });
  assert.equal(await store.ok(["run", two, "cat", "/foo"]), "2");
  // A variable no layer sees keys nothing (hyperfine sets a new one for each run, say).
  assert.equal(await foundByMemoAlone(store, args, two, { FOO: "2", UNRELATED: "b" }), true);

  // What the base passes through to its runs (`--env NAME`) keys the memo as it keys the layers.
  const passing = await store.ok(["build", "-f", base, "--env", "BAR"]);
  const passed = ["-f", passing, "--run", 'echo "$BAR" > /bar'];
  const bar1 = await store.ok(["build", ...passed], { env: { BAR: "1" } });
  assert.equal(await foundByMemoAlone(store, passed, bar1, { BAR: "1" }), true);
  const bar2 = await store.ok(["build", ...passed], { env: { BAR: "2" } });
  assert.equal(await store.ok(["run", bar2, "cat", "/bar"]), "2");

  // --eval-file reads a file: never memoized, so a changed file is read again.
  const file = `${dirs.make("plash-build-memo-")}/Plashfile`;
  Deno.writeTextFileSync(file, `-f ${base}\n--run\necho a > /a\n`);
  const first = await store.ok(["build", "--eval-file", file]);
  assert.equal(cacheKeysOf(store, first).length, 1, "no memo");
  Deno.writeTextFileSync(file, `-f ${base}\n--run\necho b > /a\n`);
  const second = await store.ok(["build", "--eval-file", file]);
  assert.equal(await store.ok(["run", second, "cat", "/a"]), "b");
});
