import assert from "node:assert/strict";
import { debootstrapRootfs } from "../../scripts/debootstrap_rootfs.ts";
import { TestStore } from "../support/plash.ts";

// As root only: the fixture, owned by root and holding device nodes, is copied with cp -a.
const ignore = Deno.uid() !== 0;

Deno.test({
  name: "a build on Debian bookworm installs a package with --apt, and it runs",
  ignore,
}, async () => {
  using store = new TestStore();
  // Built once into .fixtures/ (a few minutes), then reused.
  const rootfs = await debootstrapRootfs();
  const copy = `${store.data}.debian`;
  const cp = await new Deno.Command("cp", { args: ["-a", rootfs, copy] }).output();
  assert.ok(cp.success, "cp of the debootstrap fixture");
  const base = await store.ok(["add-layer", "0", copy]);
  const args = ["build", "-f", base, "--apt", "hello", "--layer", "--run", "hello > /greeting"];
  const result = await store.plash(args);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^--> apt-get update$/m);
  assert.match(result.stderr, /^--> apt-get install -y hello$/m);
  const id = result.stdout.trim();
  assert.equal(await store.ok(["run", id, "hello"]), "Hello, world!");
  assert.equal(await store.ok(["run", id, "cat", "/greeting"]), "Hello, world!");
  const again = await store.plash(args);
  assert.deepEqual([again.stdout, again.stderr], [result.stdout, ""], "cached");
});
