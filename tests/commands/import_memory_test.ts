/**
 * Bounded memory on import (issue 26, item 5): `plash import-tar` (and
 * `import-url`) of decompression bombs (gzip, zstd, xz), of many tiny entries and of very long
 * names, and a gzip bomb as an image's layer (`import-oci`, `import-docker-archive`,
 * `import-docker` from a registry), each run under GNU time (`/usr/bin/time -f %M`, package
 * `time`), peaks below 100 MiB resident, and a bomb of 4 GiB as low as one of 1 GiB.
 *
 * A bomb is 64 MiB of zeros compressed once and repeated: gzip members and
 * zstd frames may follow each other, and zeros are an empty archive (its end
 * blocks) followed by what the reader reads and ignores, so the whole
 * stream is decompressed and nothing is written to the disk.
 */

import assert from "node:assert/strict";
import { HOST_ARCH } from "../support/images.ts";
import { digest, image, type Layer, pushImage, writeLayout } from "../support/oci_image.ts";
import { TestStore } from "../support/plash.ts";
import { HAVE_REGISTRY, TestRegistry } from "../support/registry.ts";
import { buildArchive, run } from "../support/tar_fixtures.ts";

const TIME = "/usr/bin/time";
/** The goal, in KiB as GNU time reports it. */
const LIMIT = 100 * 1024;
/** How far apart the peaks of a 1 and a 4 GiB bomb may be, in KiB: run to run noise. */
const SAME = 16 * 1024;

/** Each compressor, from stdin to stdout. */
const COMPRESSORS: Record<string, string> = { gzip: "gzip -1 -c", zstd: "zstd -q -1 -c" };

/** `plash import-tar PATH` (or import-url file://PATH) under GNU time; its peak resident size in KiB. */
function importPeak(store: TestStore, path: string, url = false): Promise<number> {
  return plashPeak(store, url ? ["import-url", `file://${path}`] : ["import-tar", path]);
}

/** `plash ARGS` under GNU time; its peak resident size in KiB. */
async function plashPeak(store: TestStore, args: string[]): Promise<number> {
  const result = await store.plash(args, { prefix: [TIME, "-f", "peak %M"] });
  assert.equal(result.code, 0, result.stderr);
  const peak = /^peak (\d+)$/m.exec(result.stderr);
  assert.ok(peak, result.stderr);
  return Number(peak[1]);
}

/** Writes `copies` of `part` one after the other into a new file `path`. */
function repeatInto(path: string, part: Uint8Array, copies: number): string {
  using file = Deno.openSync(path, { write: true, createNew: true });
  for (let i = 0; i < copies; i++) file.writeSync(part);
  return path;
}

for (const [name, compressor] of Object.entries(COMPRESSORS)) {
  Deno.test(`a ${name} bomb of 1 and 4 GiB imports below 100 MiB, the same for both`, async () => {
    using store = new TestStore();
    const part = await run("sh", ["-c", `head -c 64M /dev/zero | ${compressor}`]);
    const peaks: number[] = [];
    for (const gib of [1, 4]) {
      const bomb = repeatInto(`${store.data}.${gib}g.${name}`, part, gib * 16);
      peaks.push(await importPeak(store, bomb));
      // The same as a download: a stream, read by the tar reader alone.
      if (gib === 4) peaks.push(await importPeak(store, bomb, true));
      Deno.removeSync(bomb);
    }
    const [one, four, url] = peaks;
    assert.ok(peaks.every((peak) => peak < LIMIT), `peaks ${peaks} KiB (1, 4 GiB, 4 by URL)`);
    assert.ok(Math.abs(four - one) < SAME, `peaks ${one} and ${four} KiB`);
    assert.ok(Math.abs(url - one) < SAME, `peaks ${one} and ${url} KiB`);
  });
}

Deno.test("10,000 tiny entries and very long names import below 100 MiB", async () => {
  using store = new TestStore();
  const component = "n".repeat(250);
  const deep = Array.from({ length: 15 }, (_, i) => `${i}${component}`).join("/");
  const archive = await buildArchive([
    ...Array.from({ length: 100 }, (_, d) => ({ name: `d${d}/`, type: "directory" as const })),
    ...Array.from({ length: 10_000 }, (_, i) => ({ name: `d${i % 100}/f${i}`, body: "x" })),
    // Names of 3,800 bytes (PAX paths), and extended headers near their 1 MiB limit.
    ...deep.split("/").map((_, i, parts) => ({
      name: parts.slice(0, i + 1).join("/") + "/",
      type: "directory" as const,
    })),
    ...Array.from({ length: 10 }, (_, i) => ({
      name: `${deep}/f${i}`,
      body: "x",
      pax: { comment: "c".repeat(1_000_000) },
    })),
  ]);
  const path = `${store.data}.many.tar`;
  Deno.writeFileSync(path, archive);
  await run("gzip", ["-1", path]);
  const peak = await importPeak(store, `${path}.gz`);
  assert.ok(peak < LIMIT, `peak ${peak} KiB`);
});

Deno.test("an xz bomb of 1 GiB imports below 100 MiB", async () => {
  using store = new TestStore();
  const bomb = `${store.data}.1g.xz`;
  await run("sh", ["-c", `head -c 1G /dev/zero | xz -1 -T1 -c > ${bomb}`]);
  const peak = await importPeak(store, bomb);
  Deno.removeSync(bomb);
  assert.ok(peak < LIMIT, `peak ${peak} KiB`);
});

/** A gzip layer of 1 GiB of zeros (an empty archive, then zeros), as an image's only layer. */
async function bombLayer(): Promise<Layer> {
  const part = await run("sh", ["-c", "head -c 64M /dev/zero | gzip -1 -c"]);
  const bytes = new Uint8Array(part.length * 16);
  for (let i = 0; i < 16; i++) bytes.set(part, i * part.length);
  const diffId = new TextDecoder().decode(
    await run("sh", ["-c", "head -c 1G /dev/zero | sha256sum"]),
  ).split(" ")[0];
  return {
    mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
    digest: digest(bytes),
    size: bytes.length,
    bytes,
    diffId: `sha256:${diffId}`,
  };
}

Deno.test("a gzip bomb layer of 1 GiB imports below 100 MiB from a layout, an archive, a registry", async (t) => {
  const bomb = image([await bombLayer()], {}, HOST_ARCH);
  using store = new TestStore();

  await t.step("import-oci", async () => {
    const layout = `${store.data}.layout`;
    writeLayout(layout, [bomb.config, ...bomb.layers, bomb.manifest], [{ blob: bomb.manifest }]);
    const peak = await plashPeak(store, ["import-oci", layout]);
    Deno.removeSync(layout, { recursive: true });
    assert.ok(peak < LIMIT, `peak ${peak} KiB`);
  });

  await t.step("import-docker-archive", async () => {
    const configName = `${bomb.config.digest.slice(7)}.json`;
    const manifest = [{ Config: configName, RepoTags: [], Layers: ["bomb/layer.tar"] }];
    const archive = await buildArchive([
      { name: "bomb/", type: "directory" },
      { name: "bomb/layer.tar", body: bomb.layers[0].bytes },
      { name: configName, body: bomb.config.bytes },
      { name: "manifest.json", body: JSON.stringify(manifest) },
    ]);
    const path = `${store.data}.docker.tar`;
    Deno.writeFileSync(path, archive);
    // Not the same store: the layer is cached by its digest after the first import.
    using other = new TestStore();
    const peak = await plashPeak(other, ["import-docker-archive", path]);
    Deno.removeSync(path);
    assert.ok(peak < LIMIT, `peak ${peak} KiB`);
  });

  await t.step({
    name: "import-docker",
    ignore: !HAVE_REGISTRY,
    fn: async () => {
      await using registry = await TestRegistry.start();
      await pushImage(registry.host, "bomb", "v1", bomb);
      using other = new TestStore();
      const peak = await plashPeak(other, ["import-docker", `${registry.host}/bomb:v1`]);
      assert.ok(peak < LIMIT, `peak ${peak} KiB`);
    },
  });
});
