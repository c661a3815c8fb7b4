/**
 * The tar reader's own rules (`core/tar/tar_reader.ts`), on archives made by
 * GNU tar and by hand: checksums, number encodings, extended headers, the
 * end of the archive, and inputs read in pieces of every size.
 */

import assert from "node:assert/strict";
import { encodePax } from "../../core/tar/pax.ts";
import { type ReadHeader, TarReader } from "../../core/tar/tar_reader.ts";
import { concat, oneLine, run } from "../support/tar_fixtures.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One entry as read: its header and its contents. */
interface Read {
  header: ReadHeader;
  body: string;
}

/** The entries of `archive`, fed to the reader in pieces of `piece` bytes. */
async function readEntries(archive: Uint8Array, piece = 1 << 20): Promise<Read[]> {
  let at = 0;
  const input = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= archive.length) return controller.close();
      controller.enqueue(archive.slice(at, at + piece));
      at += piece;
    },
  });
  return await readAll(new TarReader(input));
}

async function readAll(reader: TarReader): Promise<Read[]> {
  const entries: Read[] = [];
  for (let header; (header = await reader.next()) !== null;) {
    const pieces: Uint8Array[] = [];
    // Copied: a piece is valid only until the next one is asked for.
    for await (const piece of reader.contents()) pieces.push(piece.slice());
    entries.push({ header, body: decoder.decode(concat(pieces)) });
  }
  return entries;
}

/** The fields of a hand-made header; a number array is a field's raw bytes (base-256). */
interface HeaderFields {
  name: string;
  type?: string;
  size?: number | number[];
  uid?: number | number[];
  mtime?: number | number[];
  linkname?: string;
}

/** A ustar header block with a right checksum. */
function header(fields: HeaderFields): Uint8Array {
  const block = new Uint8Array(512);
  block.set(encoder.encode(fields.name), 0);
  put(block, 100, 8, 0o644);
  put(block, 108, 8, fields.uid ?? 0);
  put(block, 116, 8, 0);
  put(block, 124, 12, fields.size ?? 0);
  put(block, 136, 12, fields.mtime ?? 1_700_000_000);
  block[156] = (fields.type ?? "0").charCodeAt(0);
  block.set(encoder.encode(fields.linkname ?? ""), 157);
  block.set(encoder.encode("ustar\x0000"), 257);
  return withChecksum(block);
}

function put(block: Uint8Array, offset: number, length: number, value: number | number[]): void {
  if (Array.isArray(value)) block.set(value, offset);
  else block.set(encoder.encode(value.toString(8).padStart(length - 1, "0")), offset);
}

/** `block` with its checksum field set to the sum of its bytes. */
function withChecksum(block: Uint8Array): Uint8Array {
  block.fill(0x20, 148, 156);
  const sum = block.reduce((total, byte) => total + byte, 0);
  block.set(encoder.encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
  return block;
}

/** `bytes` padded with zeros to whole blocks. */
function padded(bytes: Uint8Array | string): Uint8Array {
  const data = typeof bytes === "string" ? encoder.encode(bytes) : bytes;
  const out = new Uint8Array(Math.ceil(data.length / 512) * 512);
  out.set(data);
  return out;
}

/** A PAX header of type `type` ("x" or "g") holding `records`, with its data. */
function pax(records: Record<string, string>, type = "x"): Uint8Array {
  const data = encodePax(records);
  return concat([header({ name: "PaxHeader", type, size: data.length }), padded(data)]);
}

/** `parts` followed by the two zero blocks that end an archive. */
function archive(...parts: Uint8Array[]): Uint8Array {
  return concat([...parts, new Uint8Array(1024)]);
}

/** A tree with a long name and a long symlink target, archived by GNU tar as `format`. */
async function gnuArchive(format: string, long: boolean): Promise<Uint8Array> {
  const dir = Deno.makeTempDirSync({ prefix: "plash-tar-reader-" });
  try {
    const deep = Array.from({ length: 6 }, (_, i) => `directory-number-${i}`).join("/");
    Deno.mkdirSync(`${dir}/tree/${deep}`, { recursive: true });
    Deno.writeTextFileSync(`${dir}/tree/${deep}/file-at-the-bottom`, "deep\n");
    Deno.writeTextFileSync(`${dir}/tree/big`, "0123456789".repeat(7000));
    if (long) Deno.symlinkSync(`${deep}/${deep}`, `${dir}/tree/link`);
    return await run("tar", [
      `--format=${format}`,
      "--sort=name",
      "-cf",
      "-",
      "-C",
      `${dir}/tree`,
      ".",
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** Whether some header block of `bytes` has type flag `flag`. */
function hasTypeFlag(bytes: Uint8Array, flag: string): boolean {
  for (let at = 0; at + 512 <= bytes.length; at += 512) {
    if (bytes[at + 156] === flag.charCodeAt(0) && bytes[at + 257] === 0x75) return true;
  }
  return false;
}

Deno.test("GNU tar's gnu, pax and ustar archives read the same, in pieces of any size", async () => {
  const deep = Array.from({ length: 6 }, (_, i) => `directory-number-${i}`).join("/");
  const gnu = await gnuArchive("gnu", true);
  // The long name and long target go into GNU long name and long link headers.
  assert.ok(hasTypeFlag(gnu, "L") && hasTypeFlag(gnu, "K"));
  const expected = await readEntries(gnu);
  const summary = (entries: Read[]) =>
    entries.map(({ header, body }) => [header.name, header.type, header.linkname, body.length]);
  assert.deepEqual(summary(expected), [
    ["./", "directory", null, 0],
    ["./big", "file", null, 70_000],
    ...Array.from({ length: 6 }, (_, i) => {
      const name = `./${deep.split("/").slice(0, i + 1).join("/")}/`;
      return [name, "directory", null, 0];
    }),
    [`./${deep}/file-at-the-bottom`, "file", null, 5],
    ["./link", "symlink", `${deep}/${deep}`, 0],
  ]);
  assert.equal(expected[1].body, "0123456789".repeat(7000));
  for (const piece of [1, 7, 512, 1000, 65_536]) {
    assert.deepEqual(summary(await readEntries(gnu, piece)), summary(expected), `gnu, ${piece}`);
    const posix = await readEntries(await gnuArchive("pax", true), piece);
    assert.deepEqual(summary(posix), summary(expected), `pax, ${piece}`);
  }
  // ustar holds a long name in its prefix field; a long target does not fit.
  const ustar = await gnuArchive("ustar", false);
  assert.deepEqual(summary(await readEntries(ustar, 100)), summary(expected).slice(0, -1));
});

Deno.test("an archive file is read through one buffer, every piece whole", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "plash-tar-reader-" });
  try {
    // Files that straddle the 1 MiB buffer at odd places.
    const bodies = [700_001, 900_003, 1_500_007].map((size, i) =>
      "abcdefghijklmnopqrstuvwxyz".repeat(Math.ceil(size / 26)).slice(i, size + i)
    );
    Deno.mkdirSync(`${dir}/tree`);
    bodies.forEach((body, i) => Deno.writeTextFileSync(`${dir}/tree/f${i}`, body));
    await run("tar", ["--sort=name", "-cf", `${dir}/a.tar`, "-C", `${dir}/tree`, "."]);
    const entries = await readAll(new TarReader(Deno.openSync(`${dir}/a.tar`)));
    assert.deepEqual(entries.map(({ header }) => header.name), ["./", "./f0", "./f1", "./f2"]);
    assert.deepEqual(entries.slice(1).map(({ body }) => body), bodies);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a header with a bad checksum, and an input that is not a tar, are refused", async () => {
  const good = archive(header({ name: "a", size: 1 }), padded("x"));
  assert.deepEqual((await readEntries(good)).map(({ body }) => body), ["x"]);
  const bad = good.slice();
  bad[0] = "b".charCodeAt(0);
  await assert.rejects(readEntries(bad), oneLine(/^bad archive: bad header checksum at byte 0: /));
  const second = archive(header({ name: "a" }), header({ name: "b" }));
  second[513] = 1;
  await assert.rejects(readEntries(second), oneLine(/bad header checksum at byte 512/));
  const text = encoder.encode("not a tar\n".repeat(100));
  await assert.rejects(readEntries(text), oneLine(/not a tar archive, or a corrupt one$/));
});

Deno.test("GNU base-256 numbers: a size and a uid too large for octal", async () => {
  // By hand: size 3 as base-256 (0x80, then big-endian bytes).
  const size = [0x80, ...new Array(10).fill(0), 3];
  const uid = [0x80, 0, 0, 0, 0, 0x2d, 0xc6, 0xc0]; // 3,000,000
  const mtime = new Array(12).fill(0xff); // -1: a second before 1970
  const [entry] = await readEntries(
    archive(header({ name: "a", size, uid, mtime }), padded("abc")),
  );
  assert.equal(entry.header.size, 3);
  assert.equal(entry.header.uid, 3_000_000);
  assert.equal(entry.header.mtime.getTime(), -1000);
  assert.equal(entry.body, "abc");
  // GNU tar writes base-256 for a uid above 2,097,151 (octal's 7 digits).
  const dir = Deno.makeTempDirSync({ prefix: "plash-tar-reader-" });
  try {
    Deno.writeTextFileSync(`${dir}/f`, "f");
    const tar = await run("tar", [
      "--format=gnu",
      "--owner=3000000",
      "--group=4000000",
      "--numeric-owner",
      "-cf",
      "-",
      "-C",
      dir,
      "f",
    ]);
    assert.equal(tar[108] & 0x80, 0x80, "GNU tar wrote a base-256 uid");
    const [file] = await readEntries(tar);
    assert.deepEqual([file.header.uid, file.header.gid, file.body], [3_000_000, 4_000_000, "f"]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  // A negative size, or one beyond what a number holds exactly, is refused.
  for (const bad of [[0xff, ...new Array(11).fill(0xff)], [0x80, ...new Array(11).fill(0xff)]]) {
    const input = archive(header({ name: "a", size: bad }));
    await assert.rejects(readEntries(input), oneLine(/bad size field in the header at byte 0/));
  }
});

Deno.test("GNU long names and long link targets apply to the next entry only", async () => {
  const name = `${"n".repeat(150)}/file`;
  const target = `${"t".repeat(200)}/target`;
  const entries = await readEntries(archive(
    header({ name: "././@LongLink", type: "L", size: name.length + 1 }),
    padded(`${name}\0`),
    header({ name: "././@LongLink", type: "K", size: target.length }),
    padded(target),
    header({ name: "short", type: "2", linkname: "short-target" }),
    header({ name: "next", type: "2", linkname: "next-target" }),
  ));
  assert.deepEqual(entries.map(({ header }) => [header.name, header.type, header.linkname]), [
    [name, "symlink", target],
    ["next", "symlink", "next-target"],
  ]);
});

Deno.test("PAX records override the path, size and mtime, over the global ones", async () => {
  const long = `${"p".repeat(300)}/name`;
  const entries = await readEntries(archive(
    pax({ path: long, size: "3", mtime: "1234567890.5", uid: "7" }),
    header({ name: "short", size: 0, mtime: 1 }),
    padded("abc"),
    pax({ mtime: "100", gid: "42", comment: "everyone" }, "g"),
    header({ name: "global", mtime: 1 }),
    pax({ mtime: "200" }),
    header({ name: "own", mtime: 1 }),
    // An empty value removes the record: the header's field counts again.
    pax({ mtime: "" }),
    header({ name: "emptied", mtime: 1 }),
  ));
  const [first, global, own, emptied] = entries.map(({ header }) => header);
  assert.equal(first.name, long);
  assert.equal(first.size, 3);
  assert.equal(entries[0].body, "abc");
  assert.equal(first.mtime.getTime(), 1_234_567_890_500);
  assert.equal(first.uid, 7);
  assert.equal(first.pax?.uid, "7");
  assert.equal(global.mtime.getTime(), 100_000);
  assert.deepEqual(global.pax, { mtime: "100", gid: "42", comment: "everyone" });
  assert.equal(global.gid, 42);
  assert.equal(own.mtime.getTime(), 200_000);
  assert.equal(emptied.mtime.getTime(), 1000);
  assert.deepEqual(emptied.pax, { gid: "42", comment: "everyone" });
  const badSize = archive(pax({ size: "12abc" }), header({ name: "x" }));
  await assert.rejects(readEntries(badSize), oneLine(/bad archive: bad PAX size "12abc"/));
});

Deno.test("an extended header above 1 MiB is refused in one line, before it is read", async () => {
  for (const type of ["x", "g", "L", "K"]) {
    const huge = archive(header({ name: "big", type, size: 2 << 20 }));
    await assert.rejects(
      readEntries(huge),
      oneLine(/^bad archive: the (PAX header|GNU long name) at byte 0 is 2097152 bytes \(at most/),
    );
  }
});

Deno.test("an archive that stops early is truncated; one zero block then the end is not", async () => {
  const file = concat([header({ name: "file", size: 1000 }), padded("y".repeat(1000))]);
  await assert.rejects(
    readEntries(file.subarray(0, 512 + 600)),
    oneLine(/^truncated archive: it ends inside the contents of "file"$/),
  );
  await assert.rejects(
    readEntries(file),
    oneLine(/^truncated archive: no end-of-archive block$/),
  );
  await assert.rejects(
    readEntries(file.subarray(0, 300)),
    oneLine(/^truncated archive: it ends inside the header at byte 0$/),
  );
  await assert.rejects(readEntries(new Uint8Array(0)), oneLine(/no end-of-archive block/));
  const pending = concat([pax({ path: "p" }), header({ name: "x", type: "x", size: 100 })]);
  await assert.rejects(readEntries(pending), oneLine(/ends inside the PAX header at byte 1024/));
  // One zero block, then the end: accepted, as by GNU tar.
  const once = concat([file, new Uint8Array(512)]);
  assert.deepEqual((await readEntries(once)).map(({ header }) => header.name), ["file"]);
  // A zero block then another header: the archive is corrupt, not ended.
  const lone = concat([file, new Uint8Array(512), header({ name: "hidden" })]);
  await assert.rejects(readEntries(lone), oneLine(/^bad archive: a lone zero block at byte 1536/));
  // What follows the two zero blocks is read and ignored.
  const trailing = concat([archive(file), encoder.encode("trailing garbage")]);
  assert.deepEqual((await readEntries(trailing, 100)).map(({ header }) => header.name), ["file"]);
});

Deno.test("old directories, header-only types and unknown types", async () => {
  const entries = await readEntries(archive(
    header({ name: "old-dir/" }),
    // A symlink's size is no contents (as for Go's archive/tar): the next header follows.
    header({ name: "link", type: "2", linkname: "t", size: 5 }),
    header({ name: "volume", type: "V", size: 3 }),
    padded("vol"),
    header({ name: "contiguous", type: "7", size: 2 }),
    padded("ok"),
  ));
  assert.deepEqual(entries.map(({ header, body }) => [header.name, header.type, body]), [
    ["old-dir/", "directory", ""],
    ["link", "symlink", ""],
    ["volume", null, "vol"],
    ["contiguous", "contiguous-file", "ok"],
  ]);
});

Deno.test("names are UTF-8, in header fields as in PAX records", async () => {
  const entries = await readEntries(archive(
    header({ name: "café/naïve", type: "2", linkname: "→ target" }),
    pax({ path: "日本/語", "SCHILY.xattr.user.bin": "\x01" }),
    header({ name: "ignored" }),
  ));
  assert.deepEqual(entries.map(({ header }) => [header.name, header.linkname]), [
    ["café/naïve", "→ target"],
    ["日本/語", null],
  ]);
  assert.deepEqual(entries[1].header.pax?.["SCHILY.xattr.user.bin"], new Uint8Array([1]));
});
