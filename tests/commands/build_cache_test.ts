import assert from "node:assert/strict";
import { oneLineError, type Result, TestStore } from "../support/plash.ts";

/** The commands a build traced on stderr (`--> cmd`), in order. */
function traced(result: Result): string[] {
  return result.stderr.split("\n").filter((line) => line.startsWith("--> ")).map((line) =>
    line.slice(4)
  );
}

async function build(store: TestStore, args: string[], options = {}): Promise<Result> {
  const result = await store.plash(["build", ...args], options);
  assert.equal(result.code, 0, `build ${args.join(" ")}: ${result.stderr}`);
  assert.match(result.stdout, /^\d+\n$/, "stdout is the id alone");
  return result;
}

Deno.test("a build runs each layer under set -ex, tracing --> on stderr", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const result = await build(store, [
    "-f",
    base,
    "-x",
    "echo to-stdout",
    "echo to-stderr >&2",
    "echo layer1 > /one",
    "--layer",
    "--run",
    "cat /one > /two",
  ]);
  assert.equal(
    result.stderr,
    "--> echo to-stdout\nto-stdout\n--> echo to-stderr\nto-stderr\n--> echo layer1\n" +
      "--> cat /one\n",
  );
  const id = result.stdout.trim();
  assert.equal(await store.ok(["run", id, "cat", "/two"]), "layer1");
  const layer1 = await store.ok(["parent", id]);
  assert.equal(await store.ok(["parent", layer1]), base, "one image per layer");
  const three = await build(store, ["-f", base, "-l", "-x", "true", "-l", "-l", "-x", "true"]);
  const chain = await store.ok(["nodepath", three.stdout.trim()]);
  assert.match(chain, new RegExp(`/layer/0/${base}/\\d+/\\d+$`), "empty layers are dropped");
  assert.equal(await store.ok(["build", "-f", base]), base, "no layers: the base itself");
});

Deno.test("an unchanged rebuild runs nothing and gives the same id", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const args = ["-f", base, "-x", "touch /a", "-l", "-x", "touch /b", "-l", "--env", "A=1"];
  const first = await build(store, args);
  assert.deepEqual(traced(first), ["touch /a", "touch /b"]);
  const second = await build(store, args);
  assert.equal(second.stdout, first.stdout);
  assert.equal(second.stderr, "", "nothing ran");
  assert.doesNotMatch(second.stderr, /-->/);
});

Deno.test("changing layer N rebuilds N and what follows, reusing the layers below", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const layers = (second: string) => [
    "-f",
    base,
    "-x",
    "echo 1 > /one",
    "-l",
    "-x",
    second,
    "-l",
    "-x",
    "echo 3 > /three",
  ];
  const first = await build(store, layers("echo 2 > /two"));
  const changed = await build(store, layers("echo two > /two"));
  assert.deepEqual(traced(changed), ["echo two", "echo 3"]);
  const id = changed.stdout.trim();
  assert.notEqual(id, first.stdout.trim());
  assert.equal(await store.ok(["run", id, "cat", "/one", "/two", "/three"]), "1\ntwo\n3");
  const [old, now] = [first.stdout.trim(), id].map((each) => store.ok(["nodepath", each]));
  const parts = async (path: Promise<string>) => (await path).split("/").slice(-4);
  const [oldChain, newChain] = [await parts(old), await parts(now)];
  assert.equal(newChain[1], oldChain[1], "layer 1 is shared");
  assert.notEqual(newChain[2], oldChain[2]);
  // Back to the first version: all cached.
  const again = await build(store, layers("echo 2 > /two"));
  assert.equal(again.stdout, first.stdout);
  assert.equal(again.stderr, "");
});

Deno.test("argument order matters, and no two different builds share a key", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const ab = await build(store, ["-f", base, "-x", "echo a", "echo b"]);
  const ba = await build(store, ["-f", base, "-x", "echo b", "echo a"]);
  assert.deepEqual(traced(ba), ["echo b", "echo a"]);
  assert.notEqual(ab.stdout, ba.stdout);
  // The same text split differently between layers is a different build.
  const one = await build(store, ["-f", base, "-x", "echo a", "-l", "-x", "echo b"]);
  assert.deepEqual(traced(one), ["echo a", "echo b"]);
  assert.notEqual(one.stdout, ab.stdout);
});

Deno.test("--invalidate-layer rebuilds its layer every time", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const args = ["-f", base, "-x", "touch /a", "-l", "--invalidate-layer", "-x", "touch /b"];
  const first = await build(store, args);
  const second = await build(store, args);
  assert.deepEqual(traced(second), ["touch /b"], "the layer before stays cached");
  assert.notEqual(second.stdout, first.stdout);
  const empty = await build(store, ["-f", base, "--invalidate-layer"]);
  assert.equal(await store.ok(["parent", empty.stdout.trim()]), base, "a layer of its own");
});

Deno.test("--hash-path rebuilds when a file deep in the tree changes", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const tree = Deno.makeTempDirSync();
  try {
    Deno.mkdirSync(`${tree}/a/b/c`, { recursive: true });
    Deno.writeTextFileSync(`${tree}/a/b/c/deep`, "one");
    Deno.writeTextFileSync(`${tree}/top`, "top");
    const args = ["-f", base, "--hash-path", tree, "-x", "touch /built"];
    const first = await build(store, args);
    assert.deepEqual(traced(first), ["touch /built"]);
    assert.equal((await build(store, args)).stderr, "", "unchanged tree: cached");
    const ids = new Set([first.stdout]);
    const changes = [
      () => Deno.writeTextFileSync(`${tree}/a/b/c/deep`, "two"),
      () => Deno.chmodSync(`${tree}/a/b/c/deep`, 0o700),
      () => Deno.writeTextFileSync(`${tree}/a/b/new`, ""),
      () => Deno.renameSync(`${tree}/a/b/new`, `${tree}/a/b/renamed`),
      () => Deno.mkdirSync(`${tree}/a/empty`),
      () => Deno.symlinkSync("top", `${tree}/link`),
    ];
    for (const change of changes) {
      change();
      const result = await build(store, args);
      assert.deepEqual(traced(result), ["touch /built"], change.toString());
      ids.add(result.stdout);
    }
    assert.equal(ids.size, changes.length + 1);
    const missing = await store.plash(["build", "-f", base, "--hash-path", `${tree}/nope`]);
    assert.equal(
      oneLineError(missing),
      `plash error: --hash-path: no such file or directory: ${tree}/nope`,
    );
  } finally {
    Deno.removeSync(tree, { recursive: true });
  }
});

Deno.test("a layer script of 1 MB builds whole", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const line = "x".repeat(99) + "\n";
  const body = line.repeat(10_500);
  const script = `cat > /big <<'EOF'\n${body}EOF\nwc -c < /big > /size\n`;
  assert.ok(script.length > 1_000_000);
  const result = await store.plash(["build", "-f", base, "--run-stdin"], { stdin: script });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await store.ok(["run", result.stdout.trim(), "cat", "/size"]), String(body.length));
});

Deno.test("build commands read /dev/null, see /home but not the host's /tmp", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const hostTmp = Deno.makeTempFileSync({ dir: "/tmp" });
  try {
    const result = await build(store, [
      "-f",
      base,
      "-x",
      "cat > /stdin",
      `test ! -e ${hostTmp} && echo no > /tmp-seen`,
      "test -d /home && echo yes > /home-seen",
    ], { stdin: "should not be read" });
    const id = result.stdout.trim();
    assert.equal(
      await store.ok(["run", id, "cat", "/stdin", "/tmp-seen", "/home-seen"]),
      "no\nyes",
    );
  } finally {
    Deno.removeSync(hostTmp);
  }
});

Deno.test("a layer with only config makes an empty layer with the config", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const result = await build(store, ["-f", base, "--env", "A=1", "--entrypoint", "/bin/echo"]);
  assert.equal(result.stderr, "", "nothing to run");
  const node = await store.ok(["nodepath", result.stdout.trim()]);
  assert.deepEqual([...Deno.readDirSync(`${node}/_data/root`)], []);
  const config = JSON.parse(Deno.readTextFileSync(`${node}/_data/config.json`));
  assert.deepEqual([config.env, config.entrypoint, config.cmd], [{ A: "1" }, ["/bin/echo"], []]);
});

Deno.test("--from-tar imports once per archive content", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const archive = `${store.data}.tar`;
  await store.ok(["export-tar", base, archive]);
  const args = ["--from-tar", archive, "-x", "touch /from-tar"];
  const first = await build(store, args);
  const imported = await store.ok(["parent", first.stdout.trim()]);
  assert.notEqual(imported, base);
  const second = await build(store, args);
  assert.equal(second.stdout, first.stdout);
  assert.equal(second.stderr, "");
  assert.equal(
    await store.ok(["eval", "--from-tar", archive]),
    `### plash hint: image=${imported}`,
  );
  const missing = await store.plash(["build", "--from-tar", `${archive}.nope`]);
  assert.equal(oneLineError(missing), `plash error: --from-tar: no such file: ${archive}.nope`);
});
