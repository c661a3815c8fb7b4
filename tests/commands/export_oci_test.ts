/**
 * `plash export-oci`: an image built with plash as an OCI image layout, read
 * back by umoci, skopeo and plash itself, the same bytes on every export.
 */

import assert from "node:assert/strict";
import { exportDockerArchive } from "../../core/images/docker_archive/write_docker_archive.ts";
import { exportOciLayout } from "../../core/images/layout/write_layout.ts";
import { assertSameTree, builtImage, filesOf, installed, ok } from "../support/export_image.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { HAVE_REGISTRY, TestRegistry } from "../support/registry.ts";
import { names } from "../support/tar_fixtures.ts";

/** The JSON blob `digest` of the layout at `dir`. */
function blob(dir: string, digest: string) {
  return JSON.parse(Deno.readTextFileSync(`${dir}/blobs/sha256/${digest.slice(7)}`));
}

Deno.test("export-oci: a layout that umoci, skopeo and plash read, the same every time", {
  ignore: !HAVE_REGISTRY || !installed("umoci") || !installed("skopeo"),
}, async (t) => {
  using store = new TestStore();
  const id = await builtImage(store);
  const out = `${store.data}.out`;
  Deno.mkdirSync(out);
  const digest = await store.ok(["export-oci", "--ref", "app", id, `${out}/layout`]);
  assert.match(digest, /^sha256:[a-f0-9]{64}$/);

  await t.step("the manifest, config and layers say what the image is", () => {
    const index = JSON.parse(Deno.readTextFileSync(`${out}/layout/index.json`));
    assert.equal(index.manifests.length, 1);
    assert.equal(index.manifests[0].digest, digest);
    assert.equal(index.manifests[0].annotations["org.opencontainers.image.ref.name"], "app");
    const manifest = blob(`${out}/layout`, digest);
    // busybox and two build layers; the config-only layer is history, not a layer.
    assert.equal(manifest.layers.length, 3);
    for (const layer of manifest.layers) {
      assert.equal(layer.mediaType, "application/vnd.oci.image.layer.v1.tar+gzip");
    }
    const config = blob(`${out}/layout`, manifest.config.digest);
    assert.equal(config.os, "linux");
    assert.ok(config.config.Env.includes("GREETING=hi"));
    assert.ok(config.config.Env.some((item: string) => item.startsWith("PATH=")));
    assert.deepEqual(config.config.Entrypoint, ["/bin/cat"]);
    assert.equal(config.rootfs.diff_ids.length, 3);
    assert.equal(config.history.length, 4);
    assert.equal(config.history.at(-1).empty_layer, true);
    assert.match(config.created, /^\d{4}-\d\d-\d\dT/);
  });

  await t.step("a second export, and one as a tar, have the same digest and blobs", async () => {
    assert.equal(await store.ok(["export-oci", "--ref", "app", id, `${out}/again`]), digest);
    assert.deepEqual(filesOf(`${out}/again/blobs`), filesOf(`${out}/layout/blobs`));
    assert.equal(await store.ok(["export-oci", "--ref", "app", id, `${out}/layout.tar`]), digest);
    Deno.mkdirSync(`${out}/unpacked`);
    await ok("tar", ["-C", `${out}/unpacked`, "-xf", `${out}/layout.tar`]);
    assert.deepEqual(filesOf(`${out}/unpacked`), filesOf(`${out}/layout`));
  });

  await t.step("umoci unpack gives the tree plash copy gives", async () => {
    await store.ok(["copy", id, `${out}/copy`]);
    const rootless = Deno.uid() === 0 ? [] : ["--rootless"];
    await ok("umoci", ["unpack", ...rootless, "--image", `${out}/layout:app`, `${out}/bundle`]);
    if (Deno.uid() === 0) {
      assertSameTree(`${out}/bundle/rootfs`, `${out}/copy`);
      assert.equal(Deno.statSync(`${out}/bundle/rootfs/srv/suid`).mode! & 0o7777, 0o4755);
    } else {
      // umoci --rootless cannot keep owners; the files are the same.
      assert.deepEqual(filesOf(`${out}/bundle/rootfs`), filesOf(`${out}/copy`));
    }
    assert.deepEqual(names(`${out}/bundle/rootfs/srv`), [
      "cache",
      "hello",
      "hello-link",
      "suid",
    ]);
    assert.deepEqual(names(`${out}/bundle/rootfs/srv/cache`), ["new"]);
  });

  await t.step("skopeo copies it into a registry, under the same digest", async () => {
    await using registry = await TestRegistry.start();
    await ok("skopeo", [
      "copy",
      "--quiet",
      "--dest-tls-verify=false",
      `oci:${out}/layout:app`,
      `docker://${registry.host}/plash/app:1`,
    ]);
    const inspected = JSON.parse(
      await ok("skopeo", [
        "inspect",
        "--tls-verify=false",
        `docker://${registry.host}/plash/app:1`,
      ]),
    );
    assert.equal(inspected.Digest, digest);
  });

  await t.step("plash import-oci reads it back", async () => {
    using other = new TestStore();
    const imported = await other.ok(["import-oci", "--ref", "app", `${out}/layout`]);
    assert.equal(await other.ok(["run", imported, "cat", "/srv/cache/new"]), "new");
    const gone = await other.plash(["run", imported, "/bin/ls", "/srv/gone", "/srv/cache/old"]);
    assert.notEqual(gone.code, 0);
    assert.equal(await other.ok(["run", imported, "/bin/sh", "-c", "echo $GREETING"]), "hi");
    const node = await other.ok(["nodepath", imported]);
    const config = JSON.parse(Deno.readTextFileSync(`${node}/_data/config.json`));
    assert.deepEqual(config.entrypoint, ["/bin/cat"]);
  });
});

Deno.test("export-oci: settings without an OCI form are labels, said in one warning", async () => {
  using store = new TestStore();
  const id = await builtImage(store, ["--mount", "/tmp:/host-tmp", "--env", "TERM_PROGRAM"]);
  const layout = `${store.data}.layout`;
  const result = await store.plash(["export-oci", id, layout]);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(
    lines[0],
    /^plash warning: image \d+: --mount \/tmp:\/host-tmp, --env TERM_PROGRAM: /,
  );
  const config = blob(layout, blob(layout, result.stdout.trim()).config.digest);
  assert.deepEqual(JSON.parse(config.config.Labels["plash.mounts"]), [
    { source: "/tmp", target: "/host-tmp" },
  ]);
  assert.deepEqual(JSON.parse(config.config.Labels["plash.env-pass"]), ["TERM_PROGRAM"]);
  Deno.removeSync(layout, { recursive: true });
});

Deno.test("export-oci: into an existing layout, beside its other images", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const other = await store.ok(["build", "--from", base, "--run", "echo other > /other"]);
  const layout = `${store.data}.layout`;
  const first = await store.ok(["export-oci", "--ref", "base", base, layout]);
  const second = await store.ok(["export-oci", "--ref", "other", other, layout]);
  const index = JSON.parse(Deno.readTextFileSync(`${layout}/index.json`));
  assert.deepEqual(
    index.manifests.map((entry: { digest: string }) => entry.digest),
    [first, second],
  );
  // The same name again replaces that image only.
  const again = await store.ok([
    "export-oci",
    "--ref",
    "other",
    "--compress",
    "zstd",
    other,
    layout,
  ]);
  assert.notEqual(again, second);
  const names = JSON.parse(Deno.readTextFileSync(`${layout}/index.json`)).manifests
    .map((entry: { annotations: Record<string, string> }) =>
      entry.annotations["org.opencontainers.image.ref.name"]
    );
  assert.deepEqual(names, ["base", "other"]);
  using reader = new TestStore();
  const imported = await reader.ok(["import-oci", "--ref", "other", layout]);
  assert.equal(await reader.ok(["run", imported, "cat", "/other"]), "other");
  Deno.removeSync(layout, { recursive: true });
});

Deno.test("export-oci: bad input fails in one line and leaves nothing at PATH", async (t) => {
  using store = new TestStore();
  const base = await store.busybox();
  const dir = `${store.data}.out`;
  Deno.mkdirSync(dir);

  await t.step("an unknown image", async () => {
    for (const target of [`${dir}/layout`, `${dir}/layout.tar`]) {
      const result = await store.plash(["export-oci", "99", target]);
      assert.notEqual(result.code, 0);
      assert.match(oneLineError(result), /no image: 99/);
    }
    assert.deepEqual(names(dir), []);
  });

  await t.step("a path that is a file, or a directory that is not a layout", async () => {
    Deno.writeTextFileSync(`${dir}/file`, "mine\n");
    Deno.mkdirSync(`${dir}/full`);
    Deno.writeTextFileSync(`${dir}/full/keep`, "mine\n");
    for (const target of ["file", "full"]) {
      const result = await store.plash(["export-oci", base, `${dir}/${target}`]);
      assert.match(oneLineError(result), /exists and is not an OCI image layout/);
    }
    assert.equal(Deno.readTextFileSync(`${dir}/file`), "mine\n");
    assert.deepEqual(names(`${dir}/full`), ["keep"]);
    assert.deepEqual(names(dir), ["file", "full"]);
  });

  await t.step("a bad --compress or --base", async () => {
    const compress = await store.plash(["export-oci", "--compress", "xz", base, `${dir}/x`]);
    assert.equal(compress.code, 1);
    assert.match(oneLineError(compress), /--compress: "xz" is not one of gzip, zstd, none/);
    // Base 0 is every layer, as without --base; image 0 itself has none to export.
    const whole = await store.plash(["export-oci", "--base", "0", base, `${dir}/whole`]);
    assert.equal(whole.code, 0, whole.stderr);
    const empty = await store.plash(["export-oci", "0", `${dir}/x`]);
    assert.match(oneLineError(empty), /image must not be the special root image/);
    const other = await store.ok(["build", "--from", base, "--run", "touch /x"]);
    const unrelated = await store.plash(["export-oci", "--base", other, base, `${dir}/y`]);
    assert.match(oneLineError(unrelated), new RegExp(`image ${other} is not below image ${base}`));
  });
  assert.deepEqual(names(`${store.data}/tmp`), []);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("export-oci --base: only the layers above the base", async () => {
  using store = new TestStore();
  const id = await builtImage(store);
  const base = await store.ok(["parent", await store.ok(["parent", id])]);
  const layout = `${store.data}.layout`;
  const digest = await store.ok(["export-oci", "--base", base, "--compress", "none", id, layout]);
  const manifest = blob(layout, digest);
  // The build's first layer is on busybox: the second build layer, then the config layer.
  assert.equal(manifest.layers.length, 1);
  assert.equal(manifest.layers[0].mediaType, "application/vnd.oci.image.layer.v1.tar");
  const config = blob(layout, manifest.config.digest);
  assert.equal(config.history.length, 2);
  const tar = await ok("tar", [
    "-tf",
    `${layout}/blobs/sha256/${manifest.layers[0].digest.slice(7)}`,
  ]);
  assert.match(tar, /^srv\/\.wh\.gone$/m);
  assert.match(tar, /^srv\/cache\/\.wh\.\.wh\.\.opq$/m);
  Deno.removeSync(layout, { recursive: true });
});

Deno.test("an export stopped half way leaves nothing behind", async () => {
  using store = new TestStore();
  const id = Number(await builtImage(store));
  const images = store.images;
  const dir = `${store.data}.out`;
  Deno.mkdirSync(dir);
  for (const target of [`${dir}/layout`, `${dir}/layout.tar`]) {
    const stop = new AbortController();
    stop.abort(new Error("stopped"));
    await assert.rejects(exportOciLayout(images, id, target, { signal: stop.signal }), /stopped/);
    const archive = exportDockerArchive(images, id, `${dir}/archive.tar`, { signal: stop.signal });
    await assert.rejects(archive, /stopped/);
  }
  assert.deepEqual(names(dir), []);
  assert.deepEqual(names(`${store.data}/tmp`), []);
  Deno.removeSync(dir);
});

Deno.test("export-oci to another filesystem: copied beside PATH, then renamed", async (t) => {
  using store = new TestStore();
  const base = await store.busybox();
  let shm: string;
  try {
    shm = Deno.makeTempDirSync({ dir: "/dev/shm", prefix: "plash-test-" });
  } catch {
    return; // no /dev/shm here
  }
  try {
    if (Deno.statSync(shm).dev === Deno.statSync(store.data).dev) return;
    await t.step("the layout is whole, and nothing else is left", async () => {
      const digest = await store.ok(["export-oci", base, `${shm}/layout`]);
      assert.equal(await store.ok(["export-oci", base, `${store.data}.same-fs`]), digest);
      assert.deepEqual(filesOf(`${shm}/layout`), filesOf(`${store.data}.same-fs`));
      assert.deepEqual(names(shm), ["layout"]);
    });
  } finally {
    Deno.removeSync(shm, { recursive: true });
  }
});
