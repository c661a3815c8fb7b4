/**
 * Compatibility with the original plash (macro era): create, builds,
 * Plashfiles and export-tar, as its tests state them.
 */

import assert from "node:assert/strict";
import { TestStore } from "./support/plash.ts";

Deno.test("create ID with no command runs /bin/sh on the script from stdin", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const id = await store.ok(["create", base], { stdin: "echo hi\ntouch /from-stdin\n" });
  assert.match(id, /^\d+$/);
  await store.ok(["run", id, "test", "-e", "/from-stdin"]);
});

Deno.test("PLASH_EXPORT reaches runs, never create or build layers", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const env = { PLASH_EXPORT: "A", A: "a" };
  const created = await store.plash(["create", base, "sh", "-c", "echo MARKER$A"], { env });
  assert.equal(created.code, 0);
  assert.deepEqual(created.stderr.split("\n").filter((line) => line.includes("MARKER")), [
    "MARKER",
  ]);
  const built = await store.ok(["build", "-f", base, "--run", 'echo "MARKER$A" > /m'], { env });
  assert.equal(await store.ok(["run", built, "cat", "/m"]), "MARKER");
  assert.equal(await store.ok(["run", base, "sh", "-c", "echo $A"], { env }), "a");
  // HOME does reach a build, as in the original.
  const home = await store.ok([
    "build",
    "-f",
    base,
    "--invalidate-layer",
    "--run",
    "echo $HOME > /h",
  ], {
    env: { HOME: "/nowhere" },
  });
  assert.equal(await store.ok(["run", home, "cat", "/h"]), "/nowhere");
});

Deno.test("a host variable that reaches a layer's build is part of its cache key", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const build = (foo: string, ...config: string[]) =>
    store.ok(["build", "-f", base, ...config, "--layer", "--run", "echo $FOO$FOO_X > /foo"], {
      env: { FOO: foo, FOO_X: "x" },
    });
  for (const config of [["--env", "FOO"], ["--env-prefix", "FOO"]]) {
    const one = await build("1", ...config);
    const two = await build("2", ...config);
    assert.notEqual(one, two, config.join(" "));
    assert.equal(await store.ok(["run", two, "cat", "/foo"]), config[0] === "--env" ? "2" : "2x");
    assert.equal(await build("1", ...config), one, "the same value is the same layer");
  }
});
