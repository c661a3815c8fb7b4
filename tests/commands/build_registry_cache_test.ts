/**
 * Build layers shared through a registry (`--cache-to`, `--cache-from`): a
 * second machine (a second, empty PLASH_DATA) builds the same macros with no
 * layer run, pulling the layers; what the registry lacks is built; a cache
 * that cannot be reached is one warning line and a local build.
 */

import assert from "node:assert/strict";
import { busyboxRootfs } from "../../scripts/busybox_rootfs.ts";
import { runCommand } from "../support/command.ts";
import { TestStore } from "../support/plash.ts";
import { freePort, HAVE_REGISTRY, TestRegistry } from "../support/registry.ts";
import { manifest } from "../support/tar_fixtures.ts";
import { TempDirs } from "../support/temp_dirs.ts";

const ignore = !HAVE_REGISTRY;

/** The busybox fixture as a tar file in `dir` (both "machines" build from it). */
async function busyboxTar(dir: string): Promise<string> {
  const path = `${dir}/busybox.tar`;
  const tar = await runCommand("tar", ["-C", await busyboxRootfs(), "-cf", path, "."]);
  assert.equal(tar.code, 0, tar.stderr);
  return path;
}

/** The layers' traces (`--> CMD`) in a build's stderr: what ran. */
function ran(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.startsWith("--> "));
}

/** Builds `macros` in `store`; returns the id and what ran. */
async function build(store: TestStore, macros: string[]) {
  const result = await store.plash(["build", ...macros]);
  assert.equal(result.code, 0, result.stderr);
  return { id: result.stdout.trim(), ran: ran(result.stderr), stderr: result.stderr };
}

/** The tree of image `id`, to compare. */
async function tree(store: TestStore, id: string) {
  const dir = `${store.data}.copy-${id}`;
  await store.ok(["copy", id, dir]);
  const found = manifest(dir);
  await runCommand("rm", ["-rf", dir]);
  return found;
}

const LAYERS = [
  "--run",
  "echo one > /one",
  "--layer",
  "--env",
  "X=1",
  "--run",
  "echo two > /two && rm /bin/ls",
];

Deno.test({ name: "build cache through a registry", ignore }, async (t) => {
  await using registry = await TestRegistry.start();
  const cache = `${registry.host}/plash/cache`;
  using dirs = new TempDirs();
  const tar = await busyboxTar(dirs.make("plash-cache-test-"));
  using first = new TestStore();
  const built = await build(first, ["--cache-to", cache, "--from-tar", tar, ...LAYERS]);
  assert.deepEqual(built.ran, ["--> echo one", "--> echo two", "--> rm /bin/ls"]);

  await t.step("a second machine builds the same macros with no layer run", async () => {
    using second = new TestStore();
    const pulled = await build(second, ["--cache-from", cache, "--from-tar", tar, ...LAYERS]);
    assert.deepEqual(pulled.ran, [], pulled.stderr);
    assert.deepEqual(await tree(second, pulled.id), await tree(first, built.id));
    assert.equal(await second.ok(["run", pulled.id, "sh", "-c", "echo $X"]), "1");
    // Now it is in the local cache: nothing is asked of the registry.
    const gets = registry.requests(/"GET /).length;
    assert.equal(
      (await build(second, ["--cache-from", cache, "--from-tar", tar, ...LAYERS])).id,
      pulled.id,
    );
    assert.equal(registry.requests(/"GET /).length, gets);
  });

  await t.step("a layer whose key the registry lacks is built here", async () => {
    using third = new TestStore();
    const more = [...LAYERS, "--layer", "--run", "echo three > /three"];
    const result = await build(third, ["--cache-from", cache, "--from-tar", tar, ...more]);
    assert.deepEqual(result.ran, ["--> echo three"]);
    assert.equal(
      await third.ok(["run", result.id, "cat", "/one", "/two", "/three"]),
      "one\ntwo\nthree",
    );
  });

  await t.step("--cache-to puts layers built before, and a base given by id", async () => {
    await using other = await TestRegistry.start();
    const otherCache = `${other.host}/plash/cache`;
    using fourth = new TestStore();
    const base = await fourth.busybox();
    const local = await build(fourth, ["--from", base, ...LAYERS]);
    const shared = await build(fourth, ["--cache-to", otherCache, "--from", base, ...LAYERS]);
    assert.equal(shared.id, local.id);
    assert.deepEqual(shared.ran, []);
    const tags = await (await fetch(`http://${other.host}/v2/plash/cache/tags/list`)).json();
    assert.equal(tags.tags.length, 2);
    // Another machine whose busybox image has another id: the base is known by its content.
    using fifth = new TestStore();
    await fifth.busybox();
    const otherBase = await fifth.busybox();
    assert.notEqual(otherBase, base);
    const pulled = await build(fifth, ["--cache-from", otherCache, "--from", otherBase, ...LAYERS]);
    assert.deepEqual(pulled.ran, []);
    assert.deepEqual(await tree(fifth, pulled.id), await tree(fourth, local.id));
  });
});

Deno.test("an unreachable cache registry is one warning line and a local build", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const nowhere = `127.0.0.1:${freePort()}/plash/cache`;
  for (const option of ["--cache-from", "--cache-to"]) {
    const built = await build(store, [
      option,
      nowhere,
      "--from",
      base,
      ...LAYERS,
      "--layer",
      "--run",
      `echo ${option}`,
    ]);
    const warnings = built.stderr.split("\n").filter((line) => line.startsWith("plash warning:"));
    assert.equal(warnings.length, 1, built.stderr);
    assert.match(
      warnings[0],
      new RegExp(`^plash warning: cache ${nowhere}: .*cannot connect.*; building without it$`),
    );
    assert.equal(await store.ok(["run", built.id, "cat", "/one", "/two"]), "one\ntwo");
  }
});

Deno.test("a cache name with a tag or digest is a usage error", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  for (
    const name of ["127.0.0.1:5000/cache:latest", `127.0.0.1:5000/cache@sha256:${"a".repeat(64)}`]
  ) {
    const result = await store.plash([
      "build",
      "--cache-to",
      name,
      "--from",
      base,
      "--run",
      "true",
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /name a repository \(REG\/REPO\), without a tag/);
  }
});
