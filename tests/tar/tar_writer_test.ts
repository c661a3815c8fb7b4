/**
 * The tar writer (`core/tar/tar_writer.ts`) and the packer on it
 * (`core/tar/pack.ts`): the same bytes as tar-stream wrote (layer digests
 * depend on them: a digest pins a tree of every kind of entry), what GNU
 * tar reads of them, pieces bounded whatever the files' sizes, and files
 * that change while they are read.
 */

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mknod, S_IFBLK, S_IFCHR } from "../../ffi/device_nodes.ts";
import { setXattr } from "../../ffi/file_attributes.ts";
import { type PackEntry, packTree, sendTree } from "../../core/tar/pack.ts";
import { AT_FDCWD, createFileAt } from "../../ffi/at.ts";
import { closeFd } from "../../ffi/sys.ts";
import { BLOCK, headerBlocks, writeHeader } from "../../core/tar/tar_writer.ts";
import { walkMerged } from "../../core/tree/merged_tree.ts";
import { TarReader } from "../../core/tar/tar_reader.ts";
import { TempDirs } from "../support/temp_dirs.ts";
import {
  AS_ROOT,
  buildArchive,
  CAPABILITY,
  readAll,
  run,
  writeTemp,
} from "../support/tar_fixtures.ts";

const MTIME = 1_650_000_000;
/** A 100+ byte path (name and prefix fields) and a 255+ byte one (PAX `path`). */
const LONG = `${"d".repeat(60)}/${"e".repeat(60)}`;
const LONGER = Array.from({ length: 6 }, (_, i) => String(i).repeat(50)).join("/");

/**
 * A tree of every kind of entry and of what takes tar's less common forms:
 * PAX paths, link paths and xattrs (with the byte 0x80), ids and a time
 * beyond ustar's fields, modes 000, setuid and sticky, a file of several
 * 1 MiB pieces. Every byte, owner and time is fixed.
 */
function makeTree(root: string): void {
  const write = (path: string, data: string | Uint8Array, mode = 0o644) => {
    Deno.writeFileSync(`${root}/${path}`, typeof data === "string" ? encode(data) : data);
    Deno.chmodSync(`${root}/${path}`, mode);
  };
  Deno.mkdirSync(`${root}/${LONG}`, { recursive: true });
  Deno.mkdirSync(`${root}/${LONGER}`, { recursive: true });
  write(`${LONG}/file`, "ustar prefix\n");
  write(`${LONGER}/file`, "PAX path\n");
  write("n".repeat(150), "one name over 100 bytes\n");
  write("ünïcødé-名前", "unicode\n");
  write(`${"o".repeat(99)}ü`, "ASCII would fit\n");
  write("big", new Uint8Array(2.5 * (1 << 20) + 3).map((_, i) => (i * 7919) % 251));
  write("block", new Uint8Array(BLOCK).fill(7));
  write("empty", "");
  write("tool", "#!/bin/sh\n", 0o4755);
  setXattr(`${root}/tool`, "security.capability", CAPABILITY);
  setXattr(`${root}/tool`, "user.comment", encode("é"));
  Deno.linkSync(`${root}/tool`, `${root}/tool-link`);
  Deno.linkSync(`${root}/tool`, `${root}/${LONGER}/link-${"z".repeat(40)}`);
  write("closed", "000\n", 0);
  write("ids", "large ids\n");
  Deno.chownSync(`${root}/ids`, 0o7777777 + 5, 0o777777 + 3);
  Deno.mkdirSync(`${root}/tmp`);
  Deno.chmodSync(`${root}/tmp`, 0o1777);
  Deno.symlinkSync("t".repeat(150), `${root}/long-target`);
  Deno.symlinkSync("/usr/bin/ü", `${root}/unicode-target`);
  mknod(`${root}/null`, S_IFCHR | 0o666, 1, 3);
  mknod(`${root}/disk`, S_IFBLK | 0o660, 259, 70_000);
  new Deno.Command("mkfifo", { args: [`${root}/fifo`] }).outputSync();
  // Modes as given, whatever the umask.
  Deno.chmodSync(`${root}/null`, 0o666);
  Deno.chmodSync(`${root}/disk`, 0o660);
  Deno.chmodSync(`${root}/fifo`, 0o600);
  for (const path of [...deepestFirst(root), root]) {
    if (Deno.lstatSync(path).isDirectory && path !== `${root}/tmp`) Deno.chmodSync(path, 0o755);
    new Deno.Command("touch", { args: ["-h", "-d", `@${MTIME}`, path] }).outputSync();
  }
  write("later", "mtime past 2038\n");
  Deno.utimeSync(`${root}/later`, 2 ** 33, 2 ** 33);
  Deno.utimeSync(root, MTIME, MTIME);
}

function deepestFirst(dir: string): string[] {
  return [...Deno.readDirSync(dir)].flatMap(({ name, isDirectory }) => {
    const path = `${dir}/${name}`;
    return isDirectory ? [...deepestFirst(path), path] : [path];
  });
}

function encode(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** What GNU tar reads of `archive`: every entry with its xattrs, owners as numbers. */
async function gnuListing(dir: string, archive: Uint8Array): Promise<string[]> {
  const path = writeTemp(dir, "listing.tar", archive);
  const output = await run("env", [
    "TZ=UTC",
    "tar",
    "--xattrs",
    "--xattrs-include=*",
    "--numeric-owner",
    "--full-time",
    "-tvvf",
    path,
  ]);
  return new TextDecoder().decode(output).trimEnd().split("\n");
}

/** Runs `test` on a fresh {@linkcode makeTree} at `${dir}/root`; `dir` is removed after. */
async function withTree(test: (dir: string, root: string) => Promise<void>): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "plash-tar-writer-" });
  try {
    Deno.mkdirSync(`${dir}/root`);
    makeTree(`${dir}/root`);
    await test(dir, `${dir}/root`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test(
  "a tree packs to the bytes tar-stream wrote (ids kept whole), which GNU tar reads",
  AS_ROOT,
  () =>
    withTree(async (dir, root) => {
      const archive = await readAll(packTree(walkMerged([root]), { prefix: "./" }));
      // tar-stream's packer (plash before tar_writer.ts) wrote this tree as e1a3db5e...; these
      // bytes differ from those only by the PAX gid record of `ids`, which tar-stream lost.
      assert.equal(
        sha256(archive),
        "3f990713bdb1101105fda2af51afc2bc16708b5401dc01eb46ae0df2aa31d9d5",
      );
      assert.deepEqual(await gnuListing(dir, archive), EXPECTED_LISTING);
    }),
);

/**
 * GNU tar's listing of the tree's archive. Ids have 6 octal digits in the header; larger
 * ones, like both of `ids`, come back whole from PAX records.
 */
const EXPECTED_LISTING = [
  "drwxr-xr-x  0/0               0 2022-04-15 05:20:00 ./",
  `drwxr-xr-x  0/0               0 2022-04-15 05:20:00 ./${"0".repeat(50)}/`,
  `drwxr-xr-x  0/0               0 2022-04-15 05:20:00 ./${"0".repeat(50)}/${"1".repeat(50)}/`,
  `drwxr-xr-x  0/0               0 2022-04-15 05:20:00 ./${"0".repeat(50)}/${"1".repeat(50)}/${
    "2".repeat(50)
  }/`,
  `drwxr-xr-x  0/0               0 2022-04-15 05:20:00 ./${"0".repeat(50)}/${"1".repeat(50)}/${
    "2".repeat(50)
  }/${"3".repeat(50)}/`,
  `drwxr-xr-x  0/0               0 2022-04-15 05:20:00 ./${"0".repeat(50)}/${"1".repeat(50)}/${
    "2".repeat(50)
  }/${"3".repeat(50)}/${"4".repeat(50)}/`,
  `drwxr-xr-x  0/0               0 2022-04-15 05:20:00 ./${LONGER}/`,
  `-rw-r--r--  0/0               9 2022-04-15 05:20:00 ./${LONGER}/file`,
  `-rwsr-xr-x* 0/0              10 2022-04-15 05:20:00 ./${LONGER}/link-${"z".repeat(40)}`,
  "  x: 20 security.capability",
  "  x: 2 user.comment",
  "-rw-r--r--  0/0         2621443 2022-04-15 05:20:00 ./big",
  "-rw-r--r--  0/0             512 2022-04-15 05:20:00 ./block",
  "----------  0/0               4 2022-04-15 05:20:00 ./closed",
  `drwxr-xr-x  0/0               0 2022-04-15 05:20:00 ./${"d".repeat(60)}/`,
  `drwxr-xr-x  0/0               0 2022-04-15 05:20:00 ./${LONG}/`,
  `-rw-r--r--  0/0              13 2022-04-15 05:20:00 ./${LONG}/file`,
  "brw-rw----  0/0       259,70000 2022-04-15 05:20:00 ./disk",
  "-rw-r--r--  0/0               0 2022-04-15 05:20:00 ./empty",
  "prw-------  0/0               0 2022-04-15 05:20:00 ./fifo",
  "-rw-r--r--  2097156/262146   10 2022-04-15 05:20:00 ./ids",
  "-rw-r--r--  0/0              16 2242-03-16 12:56:32 ./later",
  `lrwxrwxrwx  0/0               0 2022-04-15 05:20:00 ./long-target -> ${"t".repeat(150)}`,
  `-rw-r--r--  0/0              24 2022-04-15 05:20:00 ./${"n".repeat(150)}`,
  "crw-rw-rw-  0/0             1,3 2022-04-15 05:20:00 ./null",
  `-rw-r--r--  0/0              16 2022-04-15 05:20:00 ./${"o".repeat(99)}ü`,
  "drwxrwxrwt  0/0               0 2022-04-15 05:20:00 ./tmp/",
  `hrwsr-xr-x  0/0               0 2022-04-15 05:20:00 ./tool link to ./${LONGER}/link-${
    "z".repeat(40)
  }`,
  `hrwsr-xr-x  0/0               0 2022-04-15 05:20:00 ./tool-link link to ./${LONGER}/link-${
    "z".repeat(40)
  }`,
  "lrwxrwxrwx  0/0               0 2022-04-15 05:20:00 ./unicode-target -> /usr/bin/ü",
  "-rw-r--r--  0/0               8 2022-04-15 05:20:00 ./ünïcødé-名前",
];

Deno.test("ustar names split at a slash into prefix and name; others take PAX", () => {
  const block = new Uint8Array(BLOCK);
  assert.equal(writeHeader({ name: `${LONG}/file`, type: "file" }, block, 0), BLOCK);
  assert.equal(text(block.subarray(345, 345 + 61)), "d".repeat(60) + "\0");
  assert.equal(text(block.subarray(0, 66)), `${"e".repeat(60)}/file\0`);
  assert.equal(text(block.subarray(257, 265)), "ustar\u000000");
  for (const name of [LONGER, "n".repeat(101), "ü"]) {
    const blocks = headerBlocks({ name, type: "file" });
    assert.equal(blocks[156], "x".charCodeAt(0), name);
    assert.equal(text(blocks.subarray(0, 10)), "PaxHeader\0");
    assert.equal(blocks.length % BLOCK, 0);
  }
});

Deno.test("headers that do not fit are not written", () => {
  const target = new Uint8Array(2 * BLOCK).fill(1);
  assert.equal(writeHeader({ name: "a", type: "file" }, target, BLOCK + 1), -1);
  assert.equal(writeHeader({ name: "ü", type: "file" }, target, 0), -1, "PAX takes 3 blocks");
  assert.ok(target.every((byte) => byte === 1));
});

Deno.test("every header's checksum is the sum of its bytes", () => {
  const block = headerBlocks({ name: "a", type: "symlink", linkname: "b", uid: 7, mode: 0o777 });
  const stored = parseInt(text(block.subarray(148, 154)), 8);
  const copy = block.slice();
  copy.fill(0x20, 148, 156);
  assert.equal(stored, copy.reduce((sum, byte) => sum + byte, 0));
});

Deno.test("device numbers past 6 octal digits keep every digit: GNU tar and the reader agree", async () => {
  const devices = [[259, 70_000], [259, 2 ** 20 - 1], [0o7777777 + 1, 5]];
  const archive = await buildArchive(
    devices.map(([devmajor, devminor], i) => ({
      name: `dev${i}`,
      type: "block-device",
      devmajor,
      devminor,
    })),
  );
  // Within 6 digits the bytes stay tar-stream's (layer digests depend on them).
  assert.equal(text(archive.subarray(337, 345)), "210560 \0");
  assert.equal(text(archive.subarray(BLOCK + 337, BLOCK + 345)), "3777777\0");
  using temp = new TempDirs();
  const listed = (await gnuListing(temp.make(), archive)).map((line) => line.split(/\s+/)[2]);
  assert.deepEqual(listed, devices.map(([major, minor]) => `${major},${minor}`));
  const reader = new TarReader(ReadableStream.from([archive]));
  const read = [];
  for (let header; (header = await reader.next()) !== null;) {
    read.push([header.devmajor, header.devminor]);
  }
  assert.deepEqual(read, devices);
});

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** A regular file's entry for `path`, as the walk yields one, with `size` as its size. */
function fileEntry(path: string, size: number, xattrs = new Map<string, Uint8Array>()): PackEntry {
  const info = { ...Deno.lstatSync(path), size };
  return { path: "file", source: path, layer: 0, info, xattrs };
}

Deno.test("pieces stay 1 MiB, whatever the files' sizes", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "plash-tar-writer-" });
  try {
    const big = 5 * (1 << 20) + 100;
    writeTemp(dir, "big", new Uint8Array(big).fill(0x61));
    const sizes: number[] = [];
    const buffers = new Set<ArrayBufferLike>();
    const entries = [fileEntry(`${dir}/big`, big)];
    for await (const piece of packTree(entries, { reuse: true })) {
      sizes.push(piece.length);
      buffers.add(piece.buffer);
    }
    assert.ok(sizes.every((size) => size <= 1 << 20), String(sizes));
    assert.equal(sizes.reduce((sum, size) => sum + size), BLOCK + big + 412 + 2 * BLOCK);
    assert.equal(buffers.size, 1, "one buffer for every piece");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("headers larger than a piece come in a piece of their own", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "plash-tar-writer-" });
  try {
    writeTemp(dir, "file", encode("contents"));
    const value = new Uint8Array(300_000).fill(0x80);
    const xattrs = new Map(["a", "b", "c", "d"].map((name) => [`user.${name}`, value]));
    const pieces = await Array.fromAsync(packTree([fileEntry(`${dir}/file`, 8, xattrs)]));
    assert.deepEqual(pieces.map((piece) => piece.length > 1 << 20), [true, false]);
    const archive = await readAll(ReadableStream.from(pieces));
    const listing = await gnuListing(dir, archive);
    assert.deepEqual(listing.filter((line) => line.includes("user.")), [
      "  x: 300000 user.a",
      "  x: 300000 user.b",
      "  x: 300000 user.c",
      "  x: 300000 user.d",
    ]);
    const extracted = await run("tar", ["-xOf", `${dir}/listing.tar`]);
    assert.equal(text(extracted), "contents");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/** `sendTree` of `entries` into a new file `path`, closed whatever happens. */
function sendToFile(entries: Iterable<PackEntry>, path: string, prefix?: string): void {
  const fd = createFileAt(AT_FDCWD, path, 0o644);
  assert.ok(fd >= 0, `open ${path}: ${-fd}`);
  try {
    sendTree(entries, fd, { prefix });
  } finally {
    closeFd(fd);
  }
}

Deno.test(
  "an archive sent to a file (large files by sendfile) is the packed one, byte for byte",
  AS_ROOT,
  () =>
    withTree(async (dir, root) => {
      // Around the size from which files are sent: one below, one at it, one a block past.
      for (const size of [65535, 65536, 66049]) {
        Deno.writeFileSync(`${root}/sized-${size}`, new Uint8Array(size).fill(size % 251));
      }
      const packed = await readAll(packTree(walkMerged([root]), { prefix: "./" }));
      sendToFile(walkMerged([root]), `${dir}/sent.tar`, "./");
      const sent = Deno.readFileSync(`${dir}/sent.tar`);
      assert.equal(sent.length, packed.length);
      assert.equal(sha256(sent), sha256(packed));
    }),
);

for (const [change, size] of [["grows", 69_999], ["shrinks", 70_001]] as const) {
  Deno.test(`a large file that ${change} while it is sent fails the archive`, () => {
    const dir = Deno.makeTempDirSync({ prefix: "plash-tar-writer-" });
    try {
      writeTemp(dir, "file", new Uint8Array(70_000));
      assert.throws(
        () => sendToFile([fileEntry(`${dir}/file`, size)], `${dir}/out.tar`),
        /file changed size while being archived: .*\/file$/,
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}

for (const [change, size] of [["grows", 3], ["shrinks", 5]] as const) {
  Deno.test(`a file that ${change} while it is packed fails the archive`, async () => {
    const dir = Deno.makeTempDirSync({ prefix: "plash-tar-writer-" });
    try {
      writeTemp(dir, "file", encode("four"));
      await assert.rejects(
        readAll(packTree([fileEntry(`${dir}/file`, size)])),
        /file changed size while being archived: .*\/file$/,
      );
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  });
}

Deno.test("a cancelled archive closes the file it was reading", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "plash-tar-writer-" });
  try {
    const big = 3 << 20;
    writeTemp(dir, "big", new Uint8Array(big));
    const open = () => [...Deno.readDirSync("/proc/self/fd")].length;
    const before = open();
    const reader = packTree([fileEntry(`${dir}/big`, big)]).getReader();
    await reader.read();
    assert.equal(open(), before + 1);
    await reader.cancel();
    assert.equal(open(), before);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
