// The memo of whole Dockerfile builds (core/build/dockerfile/build_memo.ts): an unchanged
// quiet build is one lookup, and each input it covers still rebuilds through it.
import assert from "node:assert/strict";
import { bud, budOk, writeContext } from "../support/bud.ts";
import { runCommand } from "../support/command.ts";
import { TestStore } from "../support/plash.ts";
import { TempDirs } from "../support/temp_dirs.ts";
import { selfCommand } from "../../core/self_command.ts";

/**
 * The map's `cache:` keys of image `id`. A build memoized leaves three on its
 * last image: its last step's key, the memo's and the memo record's.
 */
function cacheKeysOf(store: TestStore, id: string): string[] {
  return [...Deno.readDirSync(`${store.data}/map`)]
    .filter(({ name }) => name.startsWith("cache:"))
    .filter(({ name }) => Deno.readLinkSync(`${store.data}/map/${name}`).endsWith(`/${id}`))
    .map(({ name }) => name);
}

/**
 * Whether the memo alone finds image `id` again: each of its `cache:` keys is removed in turn
 * (and put back); without the last step's key, only the memo can find the image, and a build
 * that finds it so adds no key back.
 */
async function foundByMemoAlone(store: TestStore, context: string, id: string): Promise<boolean> {
  let found = false;
  for (const key of cacheKeysOf(store, id)) {
    const link = `${store.data}/map/${key}`;
    const target = Deno.readLinkSync(link);
    Deno.removeSync(link);
    const again = await budOk(store, ["-q", context]);
    if (again === id && !cacheKeysOf(store, id).includes(key)) found = true;
    if (!cacheKeysOf(store, id).includes(key)) Deno.symlinkSync(target, link);
  }
  return found;
}

/** Files changed within the last second make no memo (racy stats): let them age. */
function ageContext(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1100));
}

/** A context of `files` with a Dockerfile of `lines` (BASE: the busybox image). */
async function setup(store: TestStore, dirs: TempDirs, lines: string[], files = {}) {
  const base = await store.busybox();
  const context = writeContext(dirs.make("plash-bud-memo-"), {
    ...files,
    Dockerfile: lines.join("\n").replaceAll("BASE", base) + "\n",
  });
  await ageContext();
  return { base, context };
}

const cat = (store: TestStore, id: string, path: string) => store.ok(["run", id, "cat", path]);

Deno.test("an unchanged quiet build is its memo's image, found without its steps' keys", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const { context } = await setup(store, dirs, [
    "FROM BASE",
    "ENV A=1",
    "COPY a.txt /a.txt",
  ], { "a.txt": "one\n" });
  const id = await budOk(store, ["-q", context]);
  const keys = cacheKeysOf(store, id);
  assert.equal(keys.length, 3, "the COPY's key, the memo's and the record's");
  assert.equal(await foundByMemoAlone(store, context, id), true);
  // Not quiet: each step is shown, from the cache (the memo is not looked up).
  const shown = await store.plash(["bud", context]);
  assert.match(shown.stderr, /STEP 3\/3: COPY a.txt \/a.txt/);
});

Deno.test("a file changed with its size and mtime kept rebuilds through the memo", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const { context } = await setup(store, dirs, ["FROM BASE", "COPY a.txt /a.txt"], {
    "a.txt": "one\n",
  });
  const first = await budOk(store, ["-q", context]);
  assert.equal(await budOk(store, ["-q", context]), first);
  assert.equal(cacheKeysOf(store, first).length, 3, "memoized");
  const { mtime } = Deno.statSync(`${context}/a.txt`);
  Deno.writeTextFileSync(`${context}/a.txt`, "two\n");
  Deno.utimeSync(`${context}/a.txt`, mtime!, mtime!); // only its ctime tells
  const second = await budOk(store, ["-q", context]);
  assert.notEqual(second, first);
  assert.equal(await cat(store, second, "/a.txt"), "two");
});

Deno.test("a changed build arg, ignore file or base rebuilds through the memo", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const { base, context } = await setup(store, dirs, [
    "FROM localhost/memo-base",
    "ARG V=0",
    "COPY . /ctx/",
    'RUN echo "$V" > /v',
  ], { "a.txt": "a\n", "b.txt": "b\n" });
  await store.ok(["tag", base, "localhost/memo-base"]);
  const first = await budOk(store, ["-q", context]);
  assert.equal(await budOk(store, ["-q", context]), first, "memoized");
  assert.equal(cacheKeysOf(store, first).length, 3);

  const arg = await budOk(store, ["-q", "--build-arg", "V=1", context]);
  assert.equal(await cat(store, arg, "/v"), "1");

  Deno.writeTextFileSync(`${context}/.dockerignore`, "b.txt\n");
  const ignored = await budOk(store, ["-q", context]);
  assert.notEqual(ignored, first);
  assert.equal((await store.plash(["run", ignored, "test", "-e", "/ctx/b.txt"])).code, 1);
  Deno.removeSync(`${context}/.dockerignore`);
  await ageContext();
  assert.equal(await budOk(store, ["-q", context]), first, "back to the first context");

  const other = await store.ok(["build", "-f", base, "--run", "echo other > /base"]);
  await store.ok(["tag", other, "localhost/memo-base"]);
  const rebased = await budOk(store, ["-q", context]);
  assert.notEqual(rebased, first);
  assert.equal(await cat(store, rebased, "/base"), "other");
});

Deno.test("a file reached through a symlink or a RUN's bind of the context rebuilds through the memo", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const { base, context } = await setup(store, dirs, ["FROM BASE", "COPY link/ /linked/"], {
    "real/a.txt": "one\n",
    "link": { link: "real" },
    "ignored.txt": "one\n",
    ".dockerignore": "ignored.txt\n",
  });
  const first = await budOk(store, ["-q", context]);
  assert.equal(await budOk(store, ["-q", context]), first);
  assert.equal(cacheKeysOf(store, first).length, 3, "memoized");
  Deno.writeTextFileSync(`${context}/real/a.txt`, "two\n");
  const linked = await budOk(store, ["-q", context]);
  assert.equal(await cat(store, linked, "/linked/a.txt"), "two");

  // A bind shows the ignored files too.
  Deno.writeTextFileSync(
    `${context}/Dockerfile`,
    `FROM ${base}\nRUN --mount=type=bind,target=/ctx cat /ctx/ignored.txt > /bound\n`,
  );
  Deno.removeSync(`${context}/link`);
  await ageContext();
  const bound = await budOk(store, ["-q", context]);
  assert.equal(await budOk(store, ["-q", context]), bound);
  assert.equal(cacheKeysOf(store, bound).length, 3, "memoized");
  Deno.writeTextFileSync(`${context}/ignored.txt`, "two\n");
  const changed = await budOk(store, ["-q", context]);
  assert.equal(await cat(store, changed, "/bound"), "two");
});

Deno.test("only the context entries a COPY names are walked, the ignored ones left out", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const files = { "src/a.txt": "a\n", "top.txt": "t\n", "other/b": "b\n", "ignored": "i\n" };
  const { base, context } = await setup(store, dirs, ["FROM BASE", "COPY src/ /src/"], files);
  const named = await budOk(store, ["-q", context]);
  Deno.writeTextFileSync(`${context}/other/b`, "changed\n");
  assert.equal(await foundByMemoAlone(store, context, named), true, "other/b is not read");

  Deno.writeTextFileSync(`${context}/Dockerfile`, `FROM ${base}\nCOPY *.txt . /all/\n`);
  Deno.writeTextFileSync(`${context}/.dockerignore`, "ignored\n");
  await ageContext();
  const all = await budOk(store, ["-q", context]);
  Deno.writeTextFileSync(`${context}/ignored`, "changed\n");
  assert.equal(await foundByMemoAlone(store, context, all), true, "an ignored file is not read");
  Deno.writeTextFileSync(`${context}/new.txt`, "new\n");
  const added = await budOk(store, ["-q", context]);
  assert.notEqual(added, all);
  assert.equal(await cat(store, added, "/all/new.txt"), "new");
});

/** The map keys of the memo records on image `id` (each `bud-record-HEX` note is `cache:HEX`'s). */
function recordKeysOf(store: TestStore, id: string): string[] {
  const notes = `${nodeOf(store, id)}/_data/notes`;
  let names: string[] = [];
  try {
    names = [...Deno.readDirSync(notes)].map(({ name }) => name);
  } catch {
    // No notes at all.
  }
  return names.filter((name) => name.startsWith("bud-record-"))
    .map((name) => `cache:${name.slice("bud-record-".length, -".json".length)}`);
}

/** The node directory of image `id` in the store (the index link's target). */
function nodeOf(store: TestStore, id: string): string {
  return Deno.realPathSync(`${store.data}/index/${id}`);
}

/** Runs `plash bud ARGS...`, which must succeed. */
async function budShown(store: TestStore, args: string[]) {
  const result = await store.plash(["bud", ...args]);
  assert.equal(result.code, 0, result.stderr);
  return result;
}

Deno.test("an unchanged build without -q is its record's image, with the trace of its steps from the cache", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const { context } = await setup(store, dirs, [
    "FROM BASE AS first",
    "RUN echo one > /one",
    "FROM BASE",
    "ENV A=1",
    "COPY --from=first /one /one",
    "COPY a.txt /a.txt",
  ], { "a.txt": "a\n" });
  const id = await budOk(store, ["-q", "--label", "k=v", context]);
  const [record] = recordKeysOf(store, id);
  assert.ok(record, "recorded");
  // Without its record, the build goes step by step, all from the cache, and records it again.
  Deno.removeSync(`${store.data}/map/${record}`);
  const stepped = await budShown(store, ["--label", "k=v", context]);
  assert.equal(stepped.stdout.trim(), id);
  assert.match(stepped.stderr, /\[2\/2\] STEP 4\/4: COPY a.txt \/a.txt\n--> Using cache /);
  // With no step's key left but the record's, only the record can find the image.
  for (const key of cacheKeysOf(store, id)) {
    if (key !== record) Deno.removeSync(`${store.data}/map/${key}`);
  }
  const shown = await budShown(store, ["--label", "k=v", context]);
  assert.equal(shown.stdout, stepped.stdout);
  assert.equal(shown.stderr, stepped.stderr);
  assert.deepEqual(cacheKeysOf(store, id), [record], "nothing built or memoized again");
});

Deno.test("a changed ignore file, a base name re-tagged or a removed record misses the memo record", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const { base, context } = await setup(store, dirs, ["FROM memo-base", "COPY a.txt /a.txt"], {
    "a.txt": "a\n",
    ".dockerignore": "nothing\n",
  });
  await store.ok(["tag", base, "memo-base"]);
  const first = await budOk(store, ["-q", context]);
  assert.equal(recordKeysOf(store, first).length, 1, "recorded");

  // An ignore file changed in place leaves the context's directory as it was.
  Deno.writeTextFileSync(`${context}/.dockerignore`, "a.txt\n");
  assert.equal((await bud(store, ["-q", context])).code, 1, "a.txt is ignored now");
  Deno.writeTextFileSync(`${context}/.dockerignore`, "nothing\n");
  await ageContext();
  assert.equal(await budOk(store, ["-q", context]), first);

  const other = await store.ok(["build", "-f", base, "--run", "echo other > /base"]);
  await store.ok(["tag", other, "memo-base"]);
  const rebased = await budOk(store, ["-q", context]);
  assert.equal(await cat(store, rebased, "/base"), "other");
  await store.ok(["tag", base, "memo-base"]);
  assert.equal(await budOk(store, ["-q", context]), first);

  // Records removed: the whole-build memo finds the image and records it again.
  for (const record of recordKeysOf(store, first)) {
    Deno.removeSync(`${nodeOf(store, first)}/_data/notes/bud-record-${record.slice(6)}.json`);
  }
  assert.equal(await budOk(store, ["-q", context]), first);
  assert.equal(recordKeysOf(store, first).length, 1, "recorded again");
});

const STRACE = ["/usr/bin/strace", "/bin/strace"].find((path) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
});

/** The project's modules `plash ARGS...` loads (the `.ts` files under core/ it opens). */
async function modulesLoaded(store: TestStore, dirs: TempDirs, args: string[]): Promise<string[]> {
  const log = `${dirs.make()}/trace`;
  const result = await runCommand(
    STRACE!,
    ["-f", "-qq", "-e", "trace=openat", "-e", "signal=none", "-o", log, ...selfCommand(args)],
    { env: { PLASH_DATA: store.data } },
  );
  assert.equal(result.code, 0, result.stderr);
  const opened = Deno.readTextFileSync(log).matchAll(/openat\([^"]*"([^"]*\/core\/[^"]*\.ts)"/g);
  return [...new Set([...opened].map((match) => match[1].replace(/^.*\/core\//, "core/")))];
}

// As root only: rootless, bud starts in a user namespace, whose newgidmap runs without its
// setuid bit under strace.
Deno.test("a build found by its record loads no parser and no name resolution", {
  ignore: !STRACE || Deno.uid() !== 0,
}, async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const { base, context } = await setup(store, dirs, ["FROM localhost/memo-base", "COPY a.txt /"], {
    "a.txt": "a\n",
  });
  await store.ok(["tag", base, "localhost/memo-base"]);
  const id = await budOk(store, ["-q", context]);
  const nodepath = await modulesLoaded(store, dirs, ["nodepath", id]);
  for (const args of [["-q", context], [context]]) {
    const loaded = await modulesLoaded(store, dirs, ["bud", ...args]);
    const more = loaded.filter((module) => !nodepath.includes(module));
    assert.ok(!loaded.includes("core/build/dockerfile/parse.ts"), args.join(" "));
    assert.ok(!loaded.includes("core/images/names.ts"), args.join(" "));
    // bud.ts, memo_record.ts and what it needs that nodepath does not: keys, notes, sha256.
    assert.ok(more.length <= 5, `${args.join(" ")}: ${more.join(", ")}`);
  }
});
