/**
 * Writing a tree (an image's merged view) as a tar stream: regular files,
 * directories, symlinks, hard links, device nodes and fifos with owners,
 * modes (setuid, setgid, sticky included), mtimes and xattrs (as PAX
 * `SCHILY.xattr.*` records, which GNU tar and libarchive read). Long names
 * get PAX `path` records (see `tar_writer.ts`). Sockets have no tar form: skipped.
 *
 * The same tree gives the same bytes: entries come in the walk's order,
 * owners are numbers only (no user or group names), times are whole
 * seconds, and nothing of the moment of writing goes in. OCI layer export
 * (`oci_layer.ts`) relies on that for stable digests.
 *
 * @module
 */

import { openToRead, readSome, sendFile, writeAll } from "../../ffi/at.ts";
import { splitDevice } from "../../ffi/device_nodes.ts";
import { closeFd } from "../../ffi/sys.ts";
import { PlashError } from "../errors.ts";
import type { TreeEntry } from "../tree/merged_tree.ts";
import { type PaxValue, XATTR_PREFIX } from "./pax.ts";
import { END_OF_ARCHIVE, headerBlocks, padded, type TarHeader, writeHeader } from "./tar_writer.ts";

/**
 * Ids beyond this get a PAX record: the header field holds 6 octal digits
 * (`tar_writer.ts`), so a larger id reads 0o777777 there. (tar-stream's
 * packer, which plash used before, added the record only past 7 digits and
 * lost the ids between.)
 */
const USTAR_MAX_ID = 0o777777;
/** The ustar mtime is written as 32-bit signed seconds; beyond: PAX. */
const USTAR_MAX_TIME = 2 ** 31 - 1;
/** Files from this size on are copied by the kernel when the archive goes to a file. */
const SEND_MIN = 64 * 1024;
/** The size of each piece of the archive: large enough that per-piece costs vanish. */
const PIECE = 1 << 20;

/** An entry to archive: a file of a tree, or a marker that stands for one. */
export interface PackEntry extends TreeEntry {
  /**
   * Write an empty regular file with the entry's owner, mode and mtime,
   * whatever `info` says the file is, and never as a hard link: OCI's
   * whiteout entries (`.wh.NAME`, `.wh..wh..opq`).
   */
  marker?: true;
}

/** How {@linkcode packTree} names members and hands out pieces. */
export interface PackOptions {
  /** Put before every member's name and hard link target: `./` as `tar -C DIR -c .` does. */
  prefix?: string;
  /**
   * Write every piece into the same buffer, so that each is good only until
   * the next is read: for a reader that writes or copies a piece before it
   * reads on (`writeStream`), which then saves a fresh 1 MiB a piece.
   */
  reuse?: boolean;
}

/**
 * The tar archive of `entries` (each directory before its contents, as
 * `walkMerged` yields them), in pieces of 1 MiB (a piece may be larger to
 * hold one entry's headers). The first name of a file with several (same
 * layer, same inode) is stored as the file, the others as hard links to it.
 *
 * Nothing is read ahead of the reader: each read packs entries, reading
 * files into the piece with plain `readSync` (an async read is a hop to
 * another thread: 172 MB of Debian read in 0.9 s that way, 0.13 s so), until
 * the piece is full. A file's contents may span pieces: memory stays one
 * piece whatever the files' sizes. A file that changes size meanwhile fails
 * the archive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packTree } from "./pack.ts";
 * import { walkMerged } from "../tree/merged_tree.ts";
 * import { TarReader } from "./tar_reader.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/1`);
 * Deno.mkdirSync(`${dir}/2`);
 * Deno.writeTextFileSync(`${dir}/1/hello`, "hi\n");
 * const reader = new TarReader(packTree(walkMerged([`${dir}/2`, `${dir}/1`]))); // newest first
 * assert.equal((await reader.next())?.name, "./");
 * assert.equal((await reader.next())?.name, "hello");
 * await reader.cancel();
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function packTree(
  entries: Iterable<PackEntry>,
  options: PackOptions = {},
): ReadableStream<Uint8Array> {
  const packer = new TreePacker(entries[Symbol.iterator](), options.prefix ?? "");
  const shared = options.reuse ? new Uint8Array(PIECE) : undefined;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      try {
        const { piece, done } = packer.fill(shared ?? new Uint8Array(PIECE));
        controller.enqueue(piece);
        if (done) controller.close();
      } catch (error) {
        packer.close();
        throw error;
      }
    },
    cancel() {
      packer.close();
    },
  }, { highWaterMark: 0 });
}

/**
 * Writes the tar archive of `entries` to the file descriptor `fd`, as
 * {@linkcode packTree} would make it, byte for byte: headers and small files
 * gathered in one 1 MiB buffer and written, files of 64 KiB and more copied
 * from file to file by the kernel (sendfile), which saves one copy of every
 * byte of them through this process (78% of the bytes of a Debian tree).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sendTree } from "./pack.ts";
 * import { walkMerged } from "../tree/merged_tree.ts";
 * import { AT_FDCWD, createFileAt } from "../../ffi/at.ts";
 * import { closeFd } from "../../ffi/sys.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/1`);
 * Deno.writeTextFileSync(`${dir}/1/hello`, "hi\n");
 * const fd = createFileAt(AT_FDCWD, `${dir}/layer.tar`, 0o644);
 * assert.ok(fd >= 0);
 * sendTree(walkMerged([`${dir}/1`]), fd);
 * closeFd(fd);
 * assert.equal(Deno.statSync(`${dir}/layer.tar`).size % 512, 0);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export function sendTree(entries: Iterable<PackEntry>, fd: number, options: PackOptions = {}) {
  const packer = new TreePacker(entries[Symbol.iterator](), options.prefix ?? "");
  const buffer = new Uint8Array(PIECE);
  try {
    while (true) {
      const { piece, done } = packer.fill(buffer, true);
      writeAll(fd, piece, "the archive");
      if (done) return;
      packer.send(fd);
    }
  } finally {
    packer.close();
  }
}

/** An entry's header and, for a regular file to be read, its path. */
interface Member {
  header: TarHeader;
  source?: string;
}

/** The regular file being copied into the archive. */
interface Contents {
  file: Deno.FsFile;
  source: string;
  /** The bytes still to read. */
  left: number;
  /** The zeros that follow the contents to the end of their last block. */
  padding: number;
}

/** Packs entries into pieces, each read taking up where the last piece stopped. */
class TreePacker {
  readonly #entries: Iterator<PackEntry>;
  readonly #prefix: string;
  /** The first name of each file with several, by layer, device and inode. */
  readonly #links = new Map<string, string>();
  /** A member whose headers did not fit the last piece. */
  #pending?: Member;
  /** A file whose headers ended the last piece, its contents for `send`. */
  #toSend?: Member;
  #contents?: Contents;
  #ended = false;
  /** One byte to read into past a file's end: a file that grew fails. */
  readonly #probe = new Uint8Array(1);

  constructor(entries: Iterator<PackEntry>, prefix: string) {
    this.#entries = entries;
    this.#prefix = prefix;
  }

  /**
   * Fills `buffer` with the archive's next bytes; `done` once its end is in.
   * With `sending`, a piece stops after the headers of a file large enough to
   * be sent by the kernel (see {@linkcode sendTree}), which `send` then does.
   */
  fill(buffer: Uint8Array, sending = false): { piece: Uint8Array; done: boolean } {
    let offset = 0;
    while (true) {
      if (this.#contents) offset = this.#copy(buffer, offset);
      if (this.#contents) return { piece: buffer, done: false };
      const member = this.#pending ?? this.#next();
      this.#pending = undefined;
      if (member === undefined) return this.#end(buffer, offset);
      const end = writeHeader(member.header, buffer, offset);
      if (end < 0) {
        if (offset > 0) {
          this.#pending = member;
          return { piece: buffer.subarray(0, offset), done: false };
        }
        // Headers larger than a piece (many large xattrs): a piece of their own.
        this.#open(member);
        return { piece: headerBlocks(member.header), done: false };
      }
      offset = end;
      if (sending && member.source !== undefined && (member.header.size ?? 0) >= SEND_MIN) {
        this.#toSend = member;
        return { piece: buffer.subarray(0, offset), done: false };
      }
      this.#open(member);
    }
  }

  /**
   * Copies the contents of the file the last piece stopped before (if any)
   * to `fd` with sendfile, then its padding: what `fill` would have put in the
   * next pieces. A file that changed size meanwhile fails the archive.
   */
  send(fd: number): void {
    const member = this.#toSend;
    if (member === undefined) return;
    this.#toSend = undefined;
    const source = member.source!;
    const size = member.header.size ?? 0;
    const file = openToRead(source);
    try {
      if (sendFile(fd, file, size, source) < size || readSome(file, this.#probe, source) > 0) {
        throw changedSize(source);
      }
    } finally {
      closeFd(file);
    }
    writeAll(fd, new Uint8Array(padded(size) - size), "the archive");
  }

  /** Closes the file being read, if any: its contents are in, or the archive is abandoned. */
  close(): void {
    this.#contents?.file.close();
    this.#contents = undefined;
  }

  /** The next member to write, or undefined after the last. */
  #next(): Member | undefined {
    while (!this.#ended) {
      const next = this.#entries.next();
      if (next.done) this.#ended = true;
      else {
        const member = memberOf(next.value, this.#links, this.#prefix);
        if (member) return member;
      }
    }
    return undefined;
  }

  #end(buffer: Uint8Array, offset: number): { piece: Uint8Array; done: boolean } {
    if (offset + END_OF_ARCHIVE.length > buffer.length) {
      return { piece: buffer.subarray(0, offset), done: false };
    }
    buffer.set(END_OF_ARCHIVE, offset);
    return { piece: buffer.subarray(0, offset + END_OF_ARCHIVE.length), done: true };
  }

  #open(member: Member): void {
    if (member.source === undefined) return;
    const size = member.header.size ?? 0;
    const file = Deno.openSync(member.source);
    this.#contents = { file, source: member.source, left: size, padding: padded(size) - size };
  }

  /**
   * Reads the current file into `buffer` from `offset` until the file or the
   * buffer ends; returns the new offset. Contents start on a block boundary
   * and pieces are whole blocks, so the padding always fits once they end.
   *
   * Each read asks for a byte more than is left where there is room: a
   * regular file's read stops short only at its end, so a short one shows
   * the end without a read of nothing (100,000 small files: 100,000 reads
   * fewer). Only a file that grew fills that byte, and it fails.
   */
  #copy(buffer: Uint8Array, offset: number): number {
    const contents = this.#contents!;
    let ended = false;
    while (contents.left > 0) {
      if (offset === buffer.length) return offset;
      const room = Math.min(contents.left + 1, buffer.length - offset);
      const read = contents.file.readSync(buffer.subarray(offset, offset + room));
      if (read === null || read > contents.left) throw changedSize(contents.source);
      contents.left -= read;
      offset += read;
      ended = read < room;
    }
    if (!ended && contents.file.readSync(this.#probe) !== null) throw changedSize(contents.source);
    this.close();
    buffer.fill(0, offset, offset + contents.padding);
    return offset + contents.padding;
  }
}

/** The error of a file whose size is not the one its header was written with. */
function changedSize(source: string): PlashError {
  return new PlashError(`file changed size while being archived: ${source}`);
}

/** The header for `entry`, and the file to read for a regular file; undefined for a socket. */
function memberOf(
  entry: PackEntry,
  links: Map<string, string>,
  prefix: string,
): Member | undefined {
  const { info } = entry;
  if (info.isSocket && !entry.marker) return undefined;
  const path = entry.path === "" ? "" : prefix + entry.path;
  const header = {
    name: path === "" ? "./" : info.isDirectory && !entry.marker ? `${path}/` : path,
    mode: (info.mode ?? 0) & 0o7777,
    uid: info.uid ?? 0,
    gid: info.gid ?? 0,
    mtime: info.mtime ?? new Date(0),
    pax: paxRecords(entry),
  };
  if (entry.marker) return { header: { ...header, type: "file", size: 0 } };
  if (!info.isDirectory && (info.nlink ?? 1) > 1) {
    // Overlay copies a file up alone: hard links only ever join names within one layer.
    const key = `${entry.layer}:${info.dev}:${info.ino}`;
    const first = links.get(key);
    // The file's metadata travels with its first name; a link entry only names it.
    if (first !== undefined) {
      return { header: { ...header, pax: undefined, type: "link", linkname: first } };
    }
    links.set(key, path);
  }
  if (info.isDirectory) return { header: { ...header, type: "directory" } };
  if (info.isFile) {
    return { header: { ...header, type: "file", size: info.size }, source: entry.source };
  }
  if (info.isSymlink) {
    return { header: { ...header, type: "symlink", linkname: Deno.readLinkSync(entry.source) } };
  }
  if (info.isFifo) return { header: { ...header, type: "fifo" } };
  const { major, minor } = splitDevice(info.rdev ?? 0);
  const type = info.isCharDevice ? "character-device" : "block-device";
  return { header: { ...header, type, devmajor: major, devminor: minor } };
}

/** The PAX records `entry` needs (xattrs, large ids and times), or undefined for none. */
function paxRecords(entry: TreeEntry): Record<string, PaxValue> | undefined {
  const { info } = entry;
  const records: Record<string, PaxValue> = {};
  for (const [name, value] of entry.xattrs) records[XATTR_PREFIX + name] = value;
  if ((info.uid ?? 0) > USTAR_MAX_ID) records.uid = String(info.uid);
  if ((info.gid ?? 0) > USTAR_MAX_ID) records.gid = String(info.gid);
  const mtime = (info.mtime?.getTime() ?? 0) / 1000;
  if (mtime < 0 || mtime > USTAR_MAX_TIME) records.mtime = String(Math.floor(mtime));
  return Object.keys(records).length > 0 ? records : undefined;
}
