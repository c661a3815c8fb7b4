import assert from "node:assert/strict";
import { detectCompression } from "../../core/tar/decompress.ts";
import { importTar } from "../../core/images/tarball/import_tar.ts";
import {
  AS_ROOT,
  assertStoreUntouched,
  buildArchive,
  concat,
  freshStore,
  manifest,
  oneLine,
  run,
  writeTemp,
} from "../support/tar_fixtures.ts";

/** A small archive whose contents compress well enough to be cut in the middle. */
function sampleArchive(): Promise<Uint8Array> {
  const text = Array.from({ length: 4000 }, (_, i) => `line ${i} ${i * i}\n`).join("");
  return buildArchive([
    // The root listed too: else its mtime is the moment of extraction, which two imports may
    // see on either side of a second.
    { name: "./", type: "directory", mode: 0o755 },
    { name: "etc/", type: "directory", mode: 0o755 },
    { name: "etc/big", type: "file", mode: 0o644, body: text },
    { name: "etc/owned", type: "file", mode: 0o600, uid: 1000, gid: 1000, body: "mine" },
  ]);
}

const COMPRESSORS: [string, string[]][] = [
  ["gzip", ["gzip", "-c"]],
  ["zstd", ["zstd", "-q", "-c"]],
  ["xz", ["xz", "-c"]],
];

for (const [name, [program, ...args]] of COMPRESSORS) {
  Deno.test(`a ${name} archive imports like the plain one`, AS_ROOT, async () => {
    using store = freshStore();
    const { images, dir } = store;
    const plain = await sampleArchive();
    const compressed = await run(program, args, plain);
    assert.equal(detectCompression(compressed), name);
    const fromPlain = await importTar(images, writeTemp(dir, "plain.tar", plain));
    const fromCompressed = await importTar(images, writeTemp(dir, `a.tar.${name}`, compressed));
    assert.deepEqual(
      manifest(images.layer(fromCompressed)),
      manifest(images.layer(fromPlain)),
    );
  });

  Deno.test(`a truncated ${name} archive fails and leaves nothing`, AS_ROOT, async () => {
    using store = freshStore();
    const { images, data, dir } = store;
    const compressed = await run(program, args, await sampleArchive());
    const path = writeTemp(dir, "cut", compressed.subarray(0, compressed.length / 2));
    await assert.rejects(importTar(images, path), oneLine(/^import-tar .*cut: /));
    assertStoreUntouched(data);
  });
}

Deno.test("concatenated gzip members are one archive, as gunzip reads them", AS_ROOT, async () => {
  using store = freshStore();
  const { images, dir } = store;
  const plain = await sampleArchive();
  const half = Math.floor(plain.length / 1024) * 512;
  const members = concat([
    await run("gzip", ["-c"], plain.subarray(0, half)),
    await run("gzip", ["-c"], plain.subarray(half)),
  ]);
  const id = await importTar(images, writeTemp(dir, "two.tar.gz", members));
  assert.equal(Deno.readTextFileSync(`${images.layer(id)}/etc/owned`), "mine");
});

Deno.test("a corrupt gzip archive fails with one line and leaves nothing", AS_ROOT, async () => {
  using store = freshStore();
  const { images, data, dir } = store;
  const compressed = await run("gzip", ["-c"], await sampleArchive());
  const corrupt = compressed.slice();
  for (let i = 20; i < corrupt.length - 8; i += 7) corrupt[i] ^= 0x5a;
  const path = writeTemp(dir, "corrupt.tar.gz", corrupt);
  await assert.rejects(importTar(images, path), oneLine(/corrupt gzip data/));
  assertStoreUntouched(data);
});

Deno.test(
  "a plain archive cut mid-entry or between entries fails and leaves nothing",
  AS_ROOT,
  async () => {
    using store = freshStore();
    const { images, data, dir } = store;
    const plain = await sampleArchive();
    for (const [name, length] of [["mid-entry", 1500], ["between-entries", plain.length - 1024]]) {
      const path = writeTemp(dir, String(name), plain.subarray(0, Number(length)));
      await assert.rejects(importTar(images, path), oneLine(/truncated archive|Unexpected end/));
      assertStoreUntouched(data);
    }
    const empty = writeTemp(dir, "empty", new Uint8Array());
    await assert.rejects(importTar(images, empty), oneLine(/truncated archive/));
    const garbage = writeTemp(dir, "garbage", new TextEncoder().encode("not a tar\n".repeat(100)));
    await assert.rejects(importTar(images, garbage), oneLine(/bad archive/));
    assertStoreUntouched(data);
  },
);
