/**
 * What a user sees of their images (issue 14, items 2 and 3): `plash ls`
 * (names and references, intermediate images and plash's own keys hidden
 * but with --all, total sizes, relative times on a terminal), `plash inspect`
 * and `--json` of inspect, doctor and version.
 */

import assert from "node:assert/strict";
import { busyboxLayer } from "../support/images.ts";
import { image, layer, pushImage } from "../support/oci_image.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { HAVE_REGISTRY, TestRegistry } from "../support/registry.ts";
import { onTerminal } from "../support/terminal.ts";

/** `plash ls` as rows of cells, the header first. */
function rows(text: string): string[][] {
  return text.trim().split("\n").map((line) => line.split(/\s{2,}/));
}

Deno.test("ls shows names and leaves; --all every image and key; total sizes", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  await store.ok(["tag", base, "box"]);
  // Two layers: the first is an intermediate image, known by its cache key only.
  const top = await store.ok([
    "build",
    "--from-id",
    base,
    "--run",
    "head -c 1000 /dev/zero > /a",
    "--layer",
    "--run",
    "head -c 500 /dev/zero > /b",
  ]);
  const middle = await store.ok(["parent", top]);
  await store.ok(["map", `docker-ref:example.org/app:v1`, base]);
  const listing = rows(await store.ok(["ls"]));
  assert.deepEqual(listing[0], ["ID", "PARENT", "SIZE", "TOTAL", "CREATED", "NAMES"]);
  assert.deepEqual(listing.map((row) => row[0]), ["ID", base, top]);
  // Names first, then references; no cache keys.
  assert.equal(listing[1][5], "box,example.org/app:v1");
  assert.equal(listing[2].length, 5, "an unnamed leaf has no names");
  const all = rows(await store.ok(["ls", "--all"]));
  assert.deepEqual(all.map((row) => row[0]), ["ID", base, middle, top]);
  assert.match(all[2][5], /^cache:[0-9a-f]{64}$/);
  assert.deepEqual(rows(await store.ok(["ls", "-a"])), all);
  // SIZE is the layer's own; TOTAL adds the parents'.
  const json = JSON.parse(await store.ok(["ls", "--json"]));
  const byId = new Map(json.map((each: { id: number }) => [String(each.id), each]));
  const [b, m, t] = [base, middle, top].map((id) => byId.get(id) as Record<string, number>);
  assert.equal(m.size, 1000);
  assert.equal(t.size, 500);
  assert.equal(t.totalSize, b.size + 1500);
  assert.equal(m.totalSize, b.size + 1000);
  // --json lists every image, with every key, as it did.
  assert.equal(json.length, 3);
  assert.ok((byId.get(middle) as { names: string[] }).names[0].startsWith("cache:"));
  // Off a terminal CREATED is a timestamp, on one a relative time.
  assert.match(listing[1][4], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  const terminal = await onTerminal(store, ["ls"]);
  assert.equal(terminal.code, 0, terminal.stdout);
  assert.match(
    terminal.stdout,
    new RegExp(`^${base}\\s+0\\s+\\S+\\s+\\S+\\s+(just now|\\d+ \\w+ ago)\\s+box`, "m"),
  );
});

Deno.test(
  { name: "inspect: parents, names, sizes, config and source", ignore: !HAVE_REGISTRY },
  async () => {
    await using registry = await TestRegistry.start();
    const img = image([await busyboxLayer(), await layer([{ name: "etc/motd", body: "hi\n" }])], {
      Env: ["PATH=/usr/bin:/bin", "GREETING=hello"],
      Entrypoint: ["/bin/sh", "-c"],
      Cmd: ["echo $GREETING"],
      WorkingDir: "/srv",
      User: "1000:1000",
    });
    await pushImage(registry.host, "team/app", "v1", img);
    using store = new TestStore();
    const ref = `${registry.host}/team/app:v1`;
    const id = await store.ok(["import-docker", ref]);
    await store.ok(["tag", ref, "app"]);
    const [report] = JSON.parse(await store.ok(["inspect", "--json", "app"]));
    const layerId = Number(await store.ok(["parent", id]));
    const baseId = Number(await store.ok(["parent", String(layerId)]));
    assert.equal(report.id, Number(id));
    assert.equal(report.parent, layerId);
    assert.deepEqual(report.parents, [layerId, baseId, 0]);
    assert.deepEqual(report.names, ["app"]);
    assert.deepEqual(report.references, [ref]);
    assert.equal(report.size.layer, 0);
    const ls = JSON.parse(await store.ok(["ls", "--json"]));
    assert.equal(
      report.size.total,
      ls.find((each: { id: number }) => each.id === Number(id)).totalSize,
    );
    assert.ok(report.size.total > 1000);
    assert.deepEqual(report.config.env, { PATH: "/usr/bin:/bin", GREETING: "hello" });
    assert.deepEqual(report.config.entrypoint, ["/bin/sh", "-c"]);
    assert.deepEqual(report.config.cmd, ["echo $GREETING"]);
    assert.equal(report.config.workdir, "/srv");
    assert.equal(report.config.user, "1000:1000");
    assert.ok(!Number.isNaN(Date.parse(report.created)));
    assert.deepEqual(
      report.sources.find((source: { kind: string }) => source.kind === "docker-manifest"),
      { kind: "docker-manifest", value: img.manifest.digest },
    );
    // As text: a line a field.
    const text = await store.ok(["inspect", ref]);
    assert.match(text, new RegExp(`^id: +${id}$`, "m"));
    assert.match(text, new RegExp(`^parents: +${layerId} ${baseId} 0$`, "m"));
    assert.match(text, new RegExp(`^references: +${ref}$`, "m"));
    assert.match(text, /^env: +PATH=\/usr\/bin:\/bin\n +GREETING=hello$/m);
    assert.match(text, /^entrypoint: +\["\/bin\/sh","-c"\]$/m);
    assert.match(text, /^workdir: +\/srv$/m);
    assert.match(text, new RegExp(`^source: +registry manifest ${img.manifest.digest}$`, "m"));
    // Several images: a JSON array in order; one unknown fails them all.
    const two = JSON.parse(await store.ok(["inspect", "--json", id, String(layerId)]));
    assert.deepEqual(two.map((each: { id: number }) => each.id), [Number(id), layerId]);
    assert.equal(two[1].sources[0].kind, "docker-layer");
    const bad = await store.plash(["inspect", id, "nope"]);
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, "");
    assert.match(
      oneLineError(bad),
      /must be a positive number or a name, got: nope \(the store has app, /,
    );
  },
);

Deno.test("version and doctor speak JSON", async () => {
  using store = new TestStore();
  const version = JSON.parse(await store.ok(["version", "--json"]));
  assert.deepEqual(Object.keys(version), ["version", "deno", "os", "arch"]);
  assert.equal(
    await store.ok(["version"]),
    `plash ${version.version} (deno ${version.deno}, ${version.os} ${version.arch})`,
  );
  const result = await store.plash(["doctor", "--json"]);
  const checks = JSON.parse(result.stdout);
  assert.ok(checks.length > 3);
  for (const check of checks) {
    assert.deepEqual(Object.keys(check), ["name", "ok", "required", "detail", "fix"]);
    assert.equal(check.fix === null, check.ok, check.name);
  }
  const failing = checks.some((check: { ok: boolean; required: boolean }) =>
    !check.ok && check.required
  );
  assert.equal(result.code, failing ? 1 : 0);
  // The text lists the same checks, a line each.
  const text = await store.plash(["doctor"]);
  assert.equal(text.stdout.trim().split("\n").length, checks.length);
});
