/**
 * Plash layers out as OCI layer tars (`core/tar/oci_layer.ts`): overlay's
 * whiteouts and opaque directories back to `.wh.` entries, everything else
 * kept, and the same bytes every time, compressed or not.
 */

import assert from "node:assert/strict";
import { mknod, S_IFCHR } from "../../ffi/device_nodes.ts";
import { setXattr } from "../../ffi/file_attributes.ts";
import { compress } from "../../core/tar/compress.ts";
import { extractTar } from "../../core/tar/extract.ts";
import { packLayer } from "../../core/tar/oci_layer.ts";
import { packTree } from "../../core/tar/pack.ts";
import { type ReadHeader, TarReader } from "../../core/tar/tar_reader.ts";
import { walkMerged } from "../../core/tree/merged_tree.ts";
import { isOpaque, isWhiteout } from "../../core/tree/overlay_format.ts";
import { readXattrs } from "../../core/tree/xattrs.ts";
import { AS_ROOT, makeReferenceTree, manifest, readAll } from "../support/tar_fixtures.ts";

/** The headers of a tar archive, in order. */
async function headersOf(archive: Uint8Array): Promise<ReadHeader[]> {
  const reader = new TarReader(new Blob([archive as Uint8Array<ArrayBuffer>]).stream());
  const headers: ReadHeader[] = [];
  for (let header; (header = await reader.next()) !== null;) headers.push(header);
  return headers;
}

/** A layer as a build leaves one: files, a whiteout, an opaque directory. */
function makeLayer(root: string): void {
  Deno.mkdirSync(`${root}/etc`);
  Deno.writeTextFileSync(`${root}/etc/hostname`, "layer\n");
  mknod(`${root}/etc/gone`, S_IFCHR | 0o600, 0, 0); // as the extractor makes them
  Deno.mkdirSync(`${root}/var/cache`, { recursive: true });
  Deno.writeTextFileSync(`${root}/var/cache/new`, "new\n");
  setXattr(`${root}/var/cache`, "user.overlay.opaque", new TextEncoder().encode("y"));
  setXattr(`${root}/var/cache/new`, "user.comment", new TextEncoder().encode("kept"));
}

function tempDir(): { dir: string } & Disposable {
  const dir = Deno.makeTempDirSync({ prefix: "plash-export-layer-" });
  return { dir, [Symbol.dispose]: () => Deno.removeSync(dir, { recursive: true }) };
}

Deno.test("a layer's whiteouts and opaque dirs become OCI whiteout entries", async () => {
  using temp = tempDir();
  makeLayer(temp.dir);
  const headers = await headersOf(await readAll(packLayer(temp.dir)));
  assert.deepEqual(headers.map((header) => [header.name, header.type, header.size]), [
    ["./", "directory", 0],
    ["etc/", "directory", 0],
    ["etc/.wh.gone", "file", 0],
    ["etc/hostname", "file", 6],
    ["var/", "directory", 0],
    ["var/cache/", "directory", 0],
    ["var/cache/.wh..wh..opq", "file", 0],
    ["var/cache/new", "file", 4],
  ]);
  const pax = (name: string): Record<string, unknown> =>
    (headers.find((header) => header.name === name)?.pax ?? {}) as Record<string, unknown>;
  assert.deepEqual(Object.keys(pax("var/cache/")), [], "overlay's xattrs stay out");
  assert.equal(
    new TextDecoder().decode(pax("var/cache/new")["SCHILY.xattr.user.comment"] as Uint8Array),
    "kept",
  );
  for (const header of headers) {
    assert.equal(header.uname, "", "no user names");
    assert.equal(header.gname, "", "no group names");
  }
});

Deno.test("whiteouts overlay shares as hard links are whiteout entries, never links", async () => {
  using temp = tempDir();
  mknod(`${temp.dir}/a`, S_IFCHR, 0, 0);
  Deno.linkSync(`${temp.dir}/a`, `${temp.dir}/b`);
  const headers = await headersOf(await readAll(packLayer(temp.dir)));
  assert.deepEqual(headers.map((header) => [header.name, header.type]), [
    ["./", "directory"],
    [".wh.a", "file"],
    [".wh.b", "file"],
  ]);
});

Deno.test("a file named .wh.NAME cannot go into an OCI layer", async () => {
  using temp = tempDir();
  Deno.writeTextFileSync(`${temp.dir}/.wh.trick`, "");
  await assert.rejects(readAll(packLayer(temp.dir)), /\.wh\.trick.*cannot go into an OCI layer/);
});

// Only root reads files of mode 000 (plash's commands export as root of their namespace).
Deno.test("a file of mode 000 is archived as mode 000", AS_ROOT, async () => {
  using temp = tempDir();
  Deno.writeTextFileSync(`${temp.dir}/locked`, "secret\n");
  Deno.chmodSync(`${temp.dir}/locked`, 0o000);
  Deno.mkdirSync(`${temp.dir}/closed`);
  Deno.chmodSync(`${temp.dir}/closed`, 0o000);
  for (const archive of [packLayer(temp.dir), packTree(walkMerged([temp.dir]))]) {
    const headers = await headersOf(await readAll(archive));
    const mode = (name: string) => headers.find((header) => header.name === name)?.mode;
    assert.equal(mode("locked"), 0);
    assert.equal(mode("closed/"), 0);
  }
});

Deno.test("a layer packs to the same bytes every time, compressed the same way", async () => {
  using temp = tempDir();
  makeLayer(temp.dir);
  Deno.writeFileSync(`${temp.dir}/big`, new Uint8Array(3 << 20).map((_, i) => (i * 7) % 253));
  const tar = await readAll(packLayer(temp.dir));
  assert.deepEqual(await readAll(packLayer(temp.dir)), tar);
  // However the tar comes in pieces, the compressed bytes are the same.
  const pieces = (sizes: number[]) => {
    const chunks: Uint8Array[] = [];
    for (let offset = 0, i = 0; offset < tar.length; i++) {
      const size = sizes[i % sizes.length];
      chunks.push(tar.slice(offset, offset + size));
      offset += size;
    }
    return ReadableStream.from(chunks);
  };
  for (const compression of ["gzip", "zstd"] as const) {
    const whole = await readAll(compress(pieces([tar.length]), compression));
    const odd = await readAll(compress(pieces([1000, 65_537, 7, 300_000]), compression));
    assert.deepEqual(odd, whole, `${compression} output depends on the input's pieces`);
  }
});

Deno.test("a layer extracted from its OCI tar is the layer again", AS_ROOT, async () => {
  using temp = tempDir();
  const layer = `${temp.dir}/layer`;
  Deno.mkdirSync(layer);
  makeReferenceTree(layer);
  makeLayer(layer);
  const copy = `${temp.dir}/copy`;
  Deno.mkdirSync(copy);
  await extractTar(packLayer(layer), copy, { whiteouts: true });
  assert.ok(isWhiteout(Deno.lstatSync(`${copy}/etc/gone`)));
  assert.ok(isOpaque(readXattrs(`${copy}/var/cache`)));
  // The extractor marks opaque dirs its own way; the rest is the same, byte for byte, but for
  // the whiteout's mtime: each is made when it is made (a second may tick between the two).
  const withoutWhiteoutTime = (tree: string) => {
    const entries = manifest(tree);
    entries["etc/gone"] = { ...entries["etc/gone"], mtime: 0 };
    return entries;
  };
  assert.deepEqual(withoutWhiteoutTime(copy), withoutWhiteoutTime(layer));
});

Deno.test("gzip in blocks: what goes in comes out, random, empty or many blocks", async () => {
  const random = new Uint8Array(3 << 20);
  for (let offset = 0; offset < random.length; offset += 65536) {
    crypto.getRandomValues(random.subarray(offset, offset + 65536));
  }
  for (
    const input of [random, new Uint8Array(0), new TextEncoder().encode("plash\n".repeat(1e6))]
  ) {
    const gzip = await readAll(compress(ReadableStream.from([input]), "gzip"));
    // DecompressionStream reads one gzip member only: the blocks are one.
    const gunzip = ReadableStream.from([gzip]).pipeThrough(
      new DecompressionStream("gzip") as TransformStream<Uint8Array, Uint8Array>,
    );
    assert.deepEqual(await readAll(gunzip), input);
  }
});
