/**
 * Test support for the archive tests: private stores, archives built entry by
 * entry, a reference tree on disk, and manifests that compare trees.
 *
 * @module
 */

import { runCommand } from "./command.ts";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mknod, S_IFBLK, S_IFCHR, splitDevice } from "../../ffi/device_nodes.ts";
import { setXattr } from "../../ffi/file_attributes.ts";
import { Store } from "../../core/store/store.ts";
import { END_OF_ARCHIVE, headerBlocks, padded, type TarHeader } from "../../core/tar/tar_writer.ts";
import { readXattrs } from "../../core/tree/xattrs.ts";

/**
 * A fresh store (`images`, at `data`) in a temp dir of its own (`dir`),
 * removed with `using`.
 */
export function freshStore(): { images: Store; data: string; dir: string } & Disposable {
  const dir = Deno.makeTempDirSync({ prefix: "plash-tar-test-" });
  const images = Store.create(`${dir}/data`);
  return {
    images,
    data: images.root,
    dir,
    [Symbol.dispose]: () => Deno.removeSync(dir, { recursive: true }),
  };
}

/** What a failed import must not leave: images, names, staging dirs. */
export function assertStoreUntouched(data: string): void {
  assert.deepEqual(names(`${data}/index`), ["0"]);
  assert.deepEqual(names(`${data}/map`), []);
  assert.deepEqual(names(`${data}/tmp`), []);
  assert.deepEqual(names(`${data}/layer/0`), ["_data"]);
}

/** The sorted names in `dir`. */
export function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
}

/** One archive entry: a header and, for a file, its contents. */
export type FixtureEntry = Partial<TarHeader> & { name: string; body?: string | Uint8Array };

/**
 * For the archive tests: they set owners and make device nodes, which only
 * root can. A user's imports go through plash's user namespace and are
 * tested in commands/rootless_test.ts.
 */
export const AS_ROOT = { ignore: Deno.uid() !== 0 };

/**
 * A tar archive of `entries`, written exactly as given (no name checks). A
 * missing type is a file; a missing or zero mode 0644 (0755 for a directory).
 */
export function buildArchive(entries: FixtureEntry[]): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (const { body, ...fields } of entries) {
    const contents = typeof body === "string" ? new TextEncoder().encode(body) : body;
    const type = fields.type ?? "file";
    const header: TarHeader = {
      mtime: new Date(1_700_000_000_000),
      ...fields,
      type,
      mode: fields.mode || (type === "directory" ? 0o755 : 0o644),
      size: contents?.length ?? fields.size,
    };
    const size = contents?.length ?? 0;
    parts.push(headerBlocks(header), contents ?? new Uint8Array(0));
    parts.push(new Uint8Array(padded(size) - size));
  }
  return Promise.resolve(concat([...parts, END_OF_ARCHIVE]));
}

/**
 * `archive` with the type flag of the header block at `offset` set to
 * `flag` (and the checksum redone): for entry types tar-stream cannot write.
 */
export function retype(archive: Uint8Array, offset: number, flag: string): Uint8Array {
  const copy = archive.slice();
  const header = copy.subarray(offset, offset + 512);
  header[156] = flag.charCodeAt(0);
  header.fill(0x20, 148, 156);
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.set(new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
  return copy;
}

/** Writes `bytes` to a new file in `dir` and returns its path. */
export function writeTemp(dir: string, name: string, bytes: Uint8Array): string {
  const path = `${dir}/${name}`;
  Deno.writeFileSync(path, bytes);
  return path;
}

/** Matches an error whose message is one line and matches `pattern`. */
export function oneLine(pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof Error);
    assert.doesNotMatch(error.message, /\n/);
    assert.match(error.message, pattern);
    return true;
  };
}

/** The bytes of a stream. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return concat(chunks);
}

export function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Runs a program; fails the test unless it exits 0. Returns its stdout. */
export async function run(
  program: string,
  args: string[],
  stdin?: Uint8Array,
): Promise<Uint8Array> {
  const output = await runCommand(program, args, { stdin });
  assert.equal(output.code, 0, `${program} ${args.join(" ")}: ${output.stderr}`);
  return output.stdout;
}

/** security.capability granting cap_setuid and cap_net_raw: binary, with a 0x80 byte. */
export const CAPABILITY = new Uint8Array([
  1,
  0,
  0,
  2,
  0x80,
  0x20,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
]);
/** A name deeper than ustar's 100-byte name field. */
export const LONG_PATH = Array.from({ length: 12 }, (_, i) => `long-directory-${i}`).join("/");

/**
 * A tree with what a root filesystem holds: owners, setuid and setgid, a
 * sticky dir, a hard link pair, symlinks, devices, a fifo, xattrs, a long path.
 */
export function makeReferenceTree(root: string): void {
  const mtime = 1_650_000_000;
  Deno.mkdirSync(`${root}/bin`);
  Deno.writeTextFileSync(`${root}/bin/tool`, "#!/bin/sh\necho tool\n");
  Deno.chownSync(`${root}/bin/tool`, 1000, 1000);
  Deno.chmodSync(`${root}/bin/tool`, 0o4755);
  setXattr(`${root}/bin/tool`, "security.capability", CAPABILITY);
  setXattr(`${root}/bin/tool`, "user.comment", new TextEncoder().encode("plash"));
  Deno.linkSync(`${root}/bin/tool`, `${root}/bin/tool-link`);
  Deno.mkdirSync(`${root}/srv`);
  Deno.chownSync(`${root}/srv`, 0, 42);
  Deno.chmodSync(`${root}/srv`, 0o2775);
  Deno.writeFileSync(`${root}/srv/data`, new Uint8Array(70_000).map((_, i) => (i * 7919) % 251));
  Deno.chownSync(`${root}/srv/data`, 0, 42);
  Deno.chmodSync(`${root}/srv/data`, 0o2640);
  Deno.mkdirSync(`${root}/tmp`);
  Deno.chmodSync(`${root}/tmp`, 0o1777);
  Deno.symlinkSync("/bin/tool", `${root}/absolute-link`);
  Deno.symlinkSync("../bin/tool", `${root}/srv/relative-link`);
  Deno.mkdirSync(`${root}/dev`);
  mknod(`${root}/dev/null`, S_IFCHR | 0o666, 1, 3);
  mknod(`${root}/dev/sda1`, S_IFBLK | 0o660, 8, 1);
  new Deno.Command("mkfifo", { args: [`${root}/dev/fifo`] }).outputSync();
  Deno.mkdirSync(`${root}/${LONG_PATH}`, { recursive: true });
  Deno.writeTextFileSync(`${root}/${LONG_PATH}/file-with-a-long-path`, "deep\n");
  Deno.writeTextFileSync(`${root}/empty`, "");
  for (const entry of [...walk(root), root]) {
    new Deno.Command("touch", { args: ["-h", "-d", `@${mtime}`, entry] }).outputSync();
  }
}

/** Every path under `root`, deepest first (so touching them keeps their mtimes). */
function walk(root: string): string[] {
  const found: string[] = [];
  for (const entry of Deno.readDirSync(root)) {
    const path = `${root}/${entry.name}`;
    if (entry.isDirectory) found.push(...walk(path));
    found.push(path);
  }
  return found;
}

/** One file's description in a {@linkcode manifest}. */
export interface ManifestEntry {
  type: string;
  mode: string;
  uid: number;
  gid: number;
  size?: number;
  sha256?: string;
  target?: string;
  device?: string;
  xattrs: Record<string, string>;
  mtime: number;
  /** For files with several names: the first name of the group. */
  hardLinkGroup?: string;
}

/**
 * Everything about a tree an image must keep, by path ("." is the root):
 * comparing two manifests compares two trees.
 */
export function manifest(root: string): Record<string, ManifestEntry> {
  const result: Record<string, ManifestEntry> = {};
  const groups = new Map<number, string>();
  const visit = (path: string, name: string) => {
    const info = Deno.lstatSync(path);
    const entry: ManifestEntry = {
      type: typeOf(info),
      mode: (info.mode! & 0o7777).toString(8),
      uid: info.uid!,
      gid: info.gid!,
      xattrs: Object.fromEntries(
        [...readXattrs(path)].map(([key, value]) => [key, hex(value)]),
      ),
      mtime: Math.floor(info.mtime!.getTime() / 1000),
    };
    if (info.isFile) {
      entry.size = info.size;
      entry.sha256 = createHash("sha256").update(Deno.readFileSync(path)).digest("hex");
    }
    if (info.isSymlink) entry.target = Deno.readLinkSync(path);
    if (info.isCharDevice || info.isBlockDevice) {
      const { major, minor } = splitDevice(info.rdev!);
      entry.device = `${major}:${minor}`;
    }
    if (!info.isDirectory && info.nlink! > 1) {
      if (!groups.has(info.ino!)) groups.set(info.ino!, name);
      entry.hardLinkGroup = groups.get(info.ino!);
    }
    result[name] = entry;
    if (!info.isDirectory) return;
    for (const child of names(path)) {
      visit(`${path}/${child}`, name === "." ? child : `${name}/${child}`);
    }
  };
  visit(root, ".");
  return result;
}

function typeOf(info: Deno.FileInfo): string {
  if (info.isFile) return "file";
  if (info.isDirectory) return "dir";
  if (info.isSymlink) return "symlink";
  if (info.isCharDevice) return "char";
  if (info.isBlockDevice) return "block";
  if (info.isFifo) return "fifo";
  return "other";
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
