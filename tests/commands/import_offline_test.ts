/**
 * Offline images: `plash import-oci` of an OCI image layout (a directory
 * or a tar of one) and `plash import-docker-archive` of `docker save`
 * output, both made here.
 */

import assert from "node:assert/strict";
import { busyboxLayer, HOST_ARCH, OTHER_ARCH } from "../support/images.ts";
import {
  blobsOf,
  digest,
  image,
  index,
  type Layer,
  layer,
  writeLayout,
} from "../support/oci_image.ts";
import { selfCommand } from "../../core/self_command.ts";
import { runCommand } from "../support/command.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { assertStoreUntouched, buildArchive } from "../support/tar_fixtures.ts";
import { TempDirs } from "../support/temp_dirs.ts";

/** A tar archive of directory `dir`'s contents. */
async function tarOf(dir: string): Promise<Uint8Array> {
  const tar = await runCommand("tar", ["-C", dir, "-c", "."]);
  assert.equal(tar.code, 0, tar.stderr);
  return tar.stdout;
}

Deno.test("import-oci: a layout directory, a tar of it, --ref and platforms", async (t) => {
  const base = await busyboxLayer();
  const one = image([base, await layer([{ name: "who", body: "one" }])], { Cmd: ["cat", "/who"] });
  const two = image([base, await layer([{ name: "who", body: "two" }])], { Cmd: ["cat", "/who"] });
  using dirs = new TempDirs();
  const dir = dirs.make();

  await t.step("a directory with one image, then a tar of it: the same image", async () => {
    using store = new TestStore();
    const layout = `${dir}/single`;
    writeLayout(layout, blobsOf(one), [{ blob: one.manifest, ref: "latest" }]);
    const id = await store.ok(["import-oci", layout]);
    assert.equal(await store.ok(["run", id]), "one");
    const archive = `${dir}/single.tar`;
    Deno.writeFileSync(archive, await tarOf(layout));
    assert.equal(await store.ok(["import-oci", archive]), id);
    assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)], [], "no staging left");
  });

  await t.step("several images: --ref picks one, none is an error naming them", async () => {
    using store = new TestStore();
    const layout = `${dir}/several`;
    writeLayout(layout, [...blobsOf(one), ...blobsOf(two)], [
      { blob: one.manifest, ref: "one" },
      { blob: two.manifest, ref: "two" },
    ]);
    assert.equal(
      await store.ok(["run", await store.ok(["import-oci", "--ref", "two", layout])]),
      "two",
    );
    assert.match(
      oneLineError(await store.plash(["import-oci", layout])),
      /pick one with --ref \(one, two\)/,
    );
    assert.match(
      oneLineError(await store.plash(["import-oci", "--ref", "three", layout])),
      /no image named three; the layout has: one, two/,
    );
  });

  await t.step("an index in the layout gives the host's platform", async () => {
    using store = new TestStore();
    const layout = `${dir}/multi`;
    const other = image([await layer([{ name: "who", body: OTHER_ARCH }])], {}, OTHER_ARCH);
    const list = index([{ image: one, architecture: HOST_ARCH }, {
      image: other,
      architecture: OTHER_ARCH,
    }]);
    writeLayout(layout, [...blobsOf(one), ...blobsOf(other), list], [{ blob: list }]);
    assert.equal(await store.ok(["run", await store.ok(["import-oci", layout])]), "one");
    const copy = `${dirs.make()}/copy`;
    await store.ok(["copy", await store.ok(["import-oci", "--arch", OTHER_ARCH, layout]), copy]);
    assert.equal(Deno.readTextFileSync(`${copy}/who`), OTHER_ARCH);
  });

  await t.step("a corrupt blob or a missing one imports nothing", async () => {
    using store = new TestStore();
    const layout = `${dir}/corrupt`;
    writeLayout(layout, blobsOf(two), [{ blob: two.manifest }]);
    const top = two.layers[1].digest.slice("sha256:".length);
    const bytes = Deno.readFileSync(`${layout}/blobs/sha256/${top}`);
    bytes[bytes.length - 1] ^= 1;
    Deno.writeFileSync(`${layout}/blobs/sha256/${top}`, bytes);
    assert.match(oneLineError(await store.plash(["import-oci", layout])), /digest mismatch/);
    Deno.removeSync(`${layout}/blobs/sha256/${top}`);
    assert.match(oneLineError(await store.plash(["import-oci", layout])), /blob .* is missing/);
    assertStoreUntouched(store.data);
  });
});

/** `docker save` output for one image: layer.tar files, a config named by its digest. */
async function dockerSave(layers: Layer[], config: object, tags: string[]): Promise<Uint8Array> {
  const configBytes = new TextEncoder().encode(JSON.stringify({
    architecture: HOST_ARCH,
    os: "linux",
    config,
    rootfs: { type: "layers", diff_ids: layers.map((each) => each.diffId) },
  }));
  const configName = `${digest(configBytes).slice("sha256:".length)}.json`;
  const layerNames = layers.map((_, i) => `${String(i).padStart(64, "0")}/layer.tar`);
  return await buildArchive([
    ...layers.flatMap((each, i) => [
      { name: layerNames[i].replace("/layer.tar", "/"), type: "directory" as const },
      { name: layerNames[i], body: each.bytes },
    ]),
    { name: configName, body: configBytes },
    {
      name: "manifest.json",
      body: JSON.stringify([{ Config: configName, RepoTags: tags, Layers: layerNames }]),
    },
  ]);
}

Deno.test("import-docker-archive: docker save output, from a file and from stdin", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const dir = dirs.make();
  const base = await busyboxLayer();
  const plainBase = await layer(await gunzip(base.bytes), "none");
  const app = await layer([{ name: "saved", body: "from docker save" }], "none");
  const archive = await dockerSave([plainBase, app], { Cmd: ["cat", "/saved"] }, [
    "example.org/saved/app:1.0",
  ]);
  Deno.writeFileSync(`${dir}/saved.tar`, archive);
  const id = await store.ok(["import-docker-archive", `${dir}/saved.tar`]);
  assert.equal(await store.ok(["run", id]), "from docker save");
  // Its tag is what --from-docker finds, without a registry.
  assert.equal(await store.ok(["build", "--from-docker", "example.org/saved/app:1.0"]), id);
  const [program, ...args] = selfCommand(["import-docker-archive", "-"]);
  const fromStdin = await runCommand(program, args, {
    stdin: archive,
    env: { PLASH_DATA: store.data },
  });
  assert.equal(new TextDecoder().decode(fromStdin.stdout).trim(), id, fromStdin.stderr);

  // A layer that is not what the config's diff_ids say.
  using other = new TestStore();
  const forged = await dockerSave([plainBase, { ...app, diffId: plainBase.diffId }], {}, []);
  Deno.writeFileSync(`${dir}/forged.tar`, forged);
  const result = await other.plash(["import-docker-archive", `${dir}/forged.tar`]);
  assert.match(oneLineError(result), /digest mismatch/);
  assertStoreUntouched(other.data);
});

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
