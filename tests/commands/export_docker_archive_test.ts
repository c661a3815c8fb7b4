/**
 * `plash export-docker-archive`: what `podman load` (and `docker load`)
 * take, run by podman, and read back by plash.
 */

import assert from "node:assert/strict";
import { builtImage, installed, ok, TestPodman } from "../support/export_image.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { names } from "../support/tar_fixtures.ts";

Deno.test({
  name: "export-docker-archive: podman loads it and runs it",
  // Debian's podman runs containers as root only here (see DESIGN.md).
  ignore: Deno.uid() !== 0 || !installed("podman") || !installed("runc"),
}, async () => {
  using store = new TestStore();
  const id = await builtImage(store);
  const archive = `${store.data}.tar`;
  await store.ok(["export-docker-archive", "--ref", "localhost/plash-test/app:1", id, archive]);
  await using podman = new TestPodman();
  assert.match(await podman.podman(["load", "--quiet", "-i", archive]), /plash-test\/app:1/);
  const image = "localhost/plash-test/app:1";
  // The entrypoint is cat: the arguments are its files.
  assert.equal(await podman.run(image, ["/srv/cache/new", "/srv/hello-link"]), "new\nhello\n");
  const shell = (script: string) => podman.run(image, ["-c", script], ["--entrypoint", "/bin/sh"]);
  assert.equal(
    await shell("ls /srv; ls /srv/cache; echo $GREETING; stat -c %a /srv/suid"),
    "cache\nhello\nhello-link\nsuid\nnew\nhi\n4755\n",
  );
  Deno.removeSync(archive);
});

Deno.test("export-docker-archive: plash reads it back; the same bytes twice; stdout", async () => {
  using store = new TestStore();
  const id = await builtImage(store);
  const archive = `${store.data}.tar`;
  await store.ok(["export-docker-archive", "--ref", "plash/app", id, archive]);
  const again = `${store.data}.again.tar`;
  await store.ok(["export-docker-archive", "--ref", "plash/app", id, again]);
  assert.deepEqual(Deno.readFileSync(again), Deno.readFileSync(archive));
  const unpacked = `${store.data}.unpacked`;
  Deno.mkdirSync(unpacked);
  await ok("tar", ["-C", unpacked, "-xf", archive]);
  const [entry] = JSON.parse(Deno.readTextFileSync(`${unpacked}/manifest.json`));
  assert.deepEqual(entry.RepoTags, ["plash/app:latest"]);
  assert.equal(entry.Layers.length, 3);
  // docker save's layers are plain tars: each one's digest is its diff_id.
  const config = JSON.parse(Deno.readTextFileSync(`${unpacked}/${entry.Config}`));
  assert.deepEqual(
    entry.Layers.map((layer: string) => `sha256:${layer.split("/").at(-1)}`),
    config.rootfs.diff_ids,
  );

  using other = new TestStore();
  const imported = await other.ok(["import-docker-archive", archive]);
  assert.equal(
    await other.ok(["run", imported, "cat", "/srv/cache/new", "/srv/hello"]),
    "new\nhello",
  );
  assert.equal(await other.ok(["build", "--from-docker", "plash/app"]), imported);

  // To stdout, the same archive.
  const child = store.start(["export-docker-archive", "--ref", "plash/app", id, "-"]);
  const piped = new Uint8Array(await new Response(child.stdout).arrayBuffer());
  assert.equal((await child.status).code, 0);
  assert.deepEqual(piped, Deno.readFileSync(archive));
  for (const path of [archive, again]) Deno.removeSync(path);
  Deno.removeSync(unpacked, { recursive: true });
});

Deno.test("export-docker-archive: bad input fails in one line and leaves nothing", async () => {
  using store = new TestStore();
  const dir = `${store.data}.out`;
  Deno.mkdirSync(dir);
  const unknown = await store.plash(["export-docker-archive", "99", `${dir}/a.tar`]);
  assert.match(oneLineError(unknown), /no image: 99/);
  const base = await store.busybox();
  const digest = await store.plash([
    "export-docker-archive",
    "--ref",
    `app@sha256:${"a".repeat(64)}`,
    base,
    `${dir}/b.tar`,
  ]);
  assert.match(oneLineError(digest), /cannot hold a digest/);
  assert.deepEqual(names(dir), []);
  assert.deepEqual(names(`${store.data}/tmp`), []);
  Deno.removeSync(dir);
});
