/**
 * Reading tar headers and contents from a byte stream: ustar, GNU and PAX.
 *
 * Each 512-byte header is checked against its checksum; numbers are octal or
 * GNU base-256; a ustar name is its prefix and name fields. Extended headers
 * are folded into the entry that follows them: GNU long names and long link
 * targets (`L`, `K`), PAX records (`x`, through `pax.ts`: xattr values stay
 * bytes) over the global ones (`g`). PAX `path`, `linkpath` and `size` are
 * applied to the header, and `uid`, `gid` and `mtime` when they are well
 * formed (the writer checks them again, and reads the rest: atime, xattrs);
 * an empty PAX value removes the record, as POSIX says. Extended headers are
 * at most 1 MiB each.
 *
 * Entry types are the names tar-stream gave them ("file", "link", "symlink",
 * "character-device", "block-device", "directory", "fifo",
 * "contiguous-file"); any other type flag is `null`, with its contents
 * skipped. A type "0" entry whose name ends in "/" is a directory (old tars).
 * Links, devices, directories and fifos have no contents whatever their size
 * field says, as in Go's archive/tar, which docker and podman read layers
 * with.
 *
 * The archive ends with a zero block followed by a second one, or by the end
 * of the input; what follows is read (so that a decompressor checks its
 * trailer) and ignored, as GNU tar and Go do. A zero block followed by
 * anything else, and an input that stops before the end, fail.
 *
 * Everything is parsed from the input's own chunks: a header or contents that
 * lie within a chunk are views of it (no copy), and only a header that
 * straddles two chunks is gathered. Contents are handed out in pieces, never
 * whole, so memory stays flat whatever the size of a file. An archive file
 * (a {@linkcode ByteSource}: plain, or gzip and zstd decompressed as it is
 * read) is read with `readSync` into one buffer, used again for every piece:
 * reading 178 MB into fresh 1 MiB buffers takes 112 ms, into one 41 ms, and
 * fresh buffers pile up faster than they are collected (a 1 GiB bomb: 400 MB).
 *
 * @module
 */

import { PlashError, wrap } from "../errors.ts";
import { quote } from "./entry_name.ts";
import { type AsyncByteSource, type ByteSource, fill, PIECE } from "./file_chunks.ts";
import { decodePax, type PaxValue, utf8 } from "./pax.ts";
import { BLOCK, checksum, padded } from "./tar_writer.ts";

/** One entry's header as read, its extended headers applied. */
export interface ReadHeader {
  /** The name, as the archive spells it (not normalized). */
  name: string;
  /** The entry type (see the module doc); `null` for a type flag plash does not know. */
  type: string | null;
  /** The number of bytes of contents. */
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  /** The target of a link or symlink; `null` when the header has none. */
  linkname: string | null;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
  /** The PAX records that apply (global ones under the entry's own), `null` when none do. */
  pax: Record<string, PaxValue> | null;
}

/** The largest extended header (PAX records, GNU long name) read: it is held whole. */
const MAX_EXTENDED = 1 << 20;
const EMPTY: Uint8Array = new Uint8Array(0);

/** Type flag -> entry type; the flags that are not here have no name. */
const TYPES = new Map<number, string>([
  [0, "file"],
  [0x30, "file"],
  [0x31, "link"],
  [0x32, "symlink"],
  [0x33, "character-device"],
  [0x34, "block-device"],
  [0x35, "directory"],
  [0x36, "fifo"],
  [0x37, "contiguous-file"],
]);
/** Entry types whose size field is not followed by contents. */
const HEADER_ONLY = new Set([
  "link",
  "symlink",
  "character-device",
  "block-device",
  "directory",
  "fifo",
]);

const PAX = 0x78; // x
const PAX_GLOBAL = 0x67; // g
const LONG_NAME = 0x4c; // L
const LONG_LINK = 0x4b; // K

/** What the extended headers before an entry said. */
interface Extended {
  /** The entry's own PAX records, empty values kept: they remove global ones. */
  pax?: Record<string, PaxValue>;
  name?: string;
  linkname?: string;
}

/**
 * Reads the entries of the tar archive `input`, a stream or a file read with `readSync`:
 * {@linkcode next} for each header, {@linkcode contents} for its bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TarReader } from "./tar_reader.ts";
 * import { packTree } from "./pack.ts";
 * import { walkMerged } from "../tree/merged_tree.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/tree`);
 * Deno.writeTextFileSync(`${dir}/tree/hello`, "hi\n");
 * const archive = await Deno.create(`${dir}/rootfs.tar`);
 * await packTree(walkMerged([`${dir}/tree`])).pipeTo(archive.writable);
 * const reader = new TarReader((await Deno.open(`${dir}/rootfs.tar`)).readable);
 * const seen = [];
 * for (let header; (header = await reader.next()) !== null;) {
 *   let size = 0;
 *   for await (const piece of reader.contents()) size += piece.length;
 *   seen.push(`${header.name} ${header.type} ${size}`);
 * }
 * assert.deepEqual(seen, ["./ directory 0", "hello file 3"]);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export class TarReader {
  /** The input: a stream's reader, or a file and the buffer it is read into. */
  readonly #stream?: ReadableStreamDefaultReader<Uint8Array>;
  #file?: ByteSource | AsyncByteSource;
  #buffer = EMPTY;
  /** The input chunk being parsed, and where in it. */
  #chunk = EMPTY;
  #at = 0;
  /** The archive offset of `#chunk[0]`, for the messages. */
  #chunkStart = 0;
  /** The current entry's contents not read yet, then the padding to its last block. */
  #left = 0;
  #padding = 0;
  /** The current entry's name, for the messages. */
  #name = "";
  #global: Record<string, PaxValue> = {};
  #ended = false;

  /**
   * A reader of `input`, which it reads to its end and closes, or stops
   * reading at {@linkcode cancel}.
   */
  constructor(input: ReadableStream<Uint8Array> | ByteSource | AsyncByteSource) {
    if (input instanceof ReadableStream) {
      this.#stream = input.getReader();
    } else {
      this.#file = input;
      this.#buffer = new Uint8Array(PIECE);
    }
  }

  /**
   * The next entry's header, or `null` after the end of the archive. What
   * was not read of the previous entry's contents is skipped. A corrupt or
   * truncated archive fails with a one-line {@linkcode PlashError}.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { TarReader } from "./tar_reader.ts";
   * import { packTree } from "./pack.ts";
   * import { walkMerged } from "../tree/merged_tree.ts";
   *
   * const dir = Deno.makeTempDirSync();
   * Deno.mkdirSync(`${dir}/tree`);
   * Deno.writeTextFileSync(`${dir}/tree/hello`, "hi\n");
   * const archive = await Deno.create(`${dir}/rootfs.tar`);
   * await packTree(walkMerged([`${dir}/tree`])).pipeTo(archive.writable);
   * const reader = new TarReader((await Deno.open(`${dir}/rootfs.tar`)).readable);
   * assert.equal((await reader.next())?.name, "./");
   * await reader.cancel();
   * Deno.removeSync(dir, { recursive: true });
   * ```
   */
  async next(): Promise<ReadHeader | null> {
    if (this.#ended) return null;
    await this.#skip(this.#left + this.#padding, this.#name);
    this.#left = this.#padding = 0;
    const extended: Extended = {};
    for (;;) {
      const offset = this.#offset();
      const block = await this.#block();
      if (block === null) throw new PlashError("truncated archive: no end-of-archive block");
      if (isZero(block)) {
        await this.#end(offset);
        return null;
      }
      checkSum(block, offset);
      const flag = block[156];
      if (flag === PAX || flag === PAX_GLOBAL || flag === LONG_NAME || flag === LONG_LINK) {
        await this.#extended(flag, field(block, 124, 12, "size", offset), offset, extended);
        continue;
      }
      const header = decodeHeader(block, offset, extended, this.#global);
      this.#name = header.name;
      this.#left = header.type !== null && HEADER_ONLY.has(header.type) ? 0 : header.size;
      this.#padding = padded(this.#left) - this.#left;
      return header;
    }
  }

  /**
   * The current entry's contents, in pieces that are views of the input:
   * each is valid only until the next one is asked for (or {@linkcode next}
   * is called): the buffer is then read into again.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { TarReader } from "./tar_reader.ts";
   * import { packTree } from "./pack.ts";
   * import { walkMerged } from "../tree/merged_tree.ts";
   *
   * const dir = Deno.makeTempDirSync();
   * Deno.mkdirSync(`${dir}/tree`);
   * Deno.writeTextFileSync(`${dir}/tree/hello`, "hi\n");
   * const archive = await Deno.create(`${dir}/rootfs.tar`);
   * await packTree(walkMerged([`${dir}/tree`])).pipeTo(archive.writable);
   * const reader = new TarReader((await Deno.open(`${dir}/rootfs.tar`)).readable);
   * await reader.next(); // ./
   * await reader.next(); // hello
   * let text = "";
   * for await (const piece of reader.contents()) text += new TextDecoder().decode(piece);
   * assert.equal(text, "hi\n");
   * await reader.cancel();
   * Deno.removeSync(dir, { recursive: true });
   * ```
   */
  async *contents(): AsyncGenerator<Uint8Array, void, undefined> {
    while (this.#left > 0) {
      if (this.#at === this.#chunk.length && !await this.#pull()) {
        throw truncated(`the contents of ${quote(this.#name)}`);
      }
      const end = Math.min(this.#chunk.length, this.#at + this.#left);
      const piece = this.#chunk.subarray(this.#at, end);
      this.#left -= end - this.#at;
      this.#at = end;
      yield piece;
    }
  }

  /**
   * Stops reading the input (nothing happens after the end of the archive,
   * when it was read to its end already).
   *
   * @example
   * ```ts
   * import { TarReader } from "./tar_reader.ts";
   * import { packTree } from "./pack.ts";
   * import { walkMerged } from "../tree/merged_tree.ts";
   *
   * const dir = Deno.makeTempDirSync();
   * Deno.mkdirSync(`${dir}/tree`);
   * Deno.writeTextFileSync(`${dir}/tree/hello`, "hi\n");
   * const archive = await Deno.create(`${dir}/rootfs.tar`);
   * await packTree(walkMerged([`${dir}/tree`])).pipeTo(archive.writable);
   * const reader = new TarReader((await Deno.open(`${dir}/rootfs.tar`)).readable);
   * await reader.next();
   * await reader.cancel(); // closes the file
   * Deno.removeSync(dir, { recursive: true });
   * ```
   */
  async cancel(): Promise<void> {
    this.#ended = true;
    this.#closeFile();
    await this.#stream?.cancel().catch(() => {});
  }

  /** The archive offset of the next byte to parse. */
  #offset(): number {
    return this.#chunkStart + this.#at;
  }

  /** Moves to the next non-empty input chunk; false at the end of the input. */
  async #pull(): Promise<boolean> {
    const chunk = this.#stream ? await this.#read() : await this.#readFile();
    if (chunk === null) return false;
    this.#chunkStart += this.#chunk.length;
    this.#chunk = chunk;
    this.#at = 0;
    return true;
  }

  /** The stream's next non-empty chunk, `null` at its end. */
  async #read(): Promise<Uint8Array | null> {
    for (;;) {
      const { done, value } = await this.#stream!.read();
      if (done) return null;
      if (value.length > 0) return value;
    }
  }

  /** The file's next piece, in the one buffer; `null` (the file closed) at its end. */
  async #readFile(): Promise<Uint8Array | null> {
    const length = this.#file ? await fill(this.#file, this.#buffer) : 0;
    if (length < this.#buffer.length) this.#closeFile();
    return length === 0 ? null : this.#buffer.subarray(0, length);
  }

  #closeFile(): void {
    this.#file?.close();
    this.#file = undefined;
  }

  /**
   * The next block. `null` when the input ends before it; an input that ends
   * inside it fails.
   */
  async #block(): Promise<Uint8Array | null> {
    const offset = this.#offset();
    const block = await this.#take(BLOCK);
    if (block.length === 0) return null;
    if (block.length < BLOCK) throw truncated(`the header at byte ${offset}`);
    return block;
  }

  /**
   * The next `length` bytes (fewer when the input ends first): a view of the
   * chunk when it holds them, else a copy gathered across chunks.
   */
  async #take(length: number): Promise<Uint8Array> {
    if (this.#chunk.length - this.#at >= length) {
      this.#at += length;
      return this.#chunk.subarray(this.#at - length, this.#at);
    }
    const bytes = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (this.#at === this.#chunk.length && !await this.#pull()) return bytes.subarray(0, filled);
      const end = Math.min(this.#chunk.length, this.#at + length - filled);
      bytes.set(this.#chunk.subarray(this.#at, end), filled);
      filled += end - this.#at;
      this.#at = end;
    }
    return bytes;
  }

  /**
   * Passes over `length` bytes of the contents of entry `name`; an input
   * that ends first fails.
   */
  async #skip(length: number, name: string): Promise<void> {
    while (length > this.#chunk.length - this.#at) {
      length -= this.#chunk.length - this.#at;
      this.#at = this.#chunk.length;
      if (!await this.#pull()) throw truncated(`the contents of ${quote(name)}`);
    }
    this.#at += length;
  }

  /** Reads the extended header of type `flag` and `size` bytes at `offset` into `extended`. */
  async #extended(flag: number, size: number, offset: number, extended: Extended): Promise<void> {
    const what = flag === PAX || flag === PAX_GLOBAL ? "PAX header" : "GNU long name";
    if (size > MAX_EXTENDED) {
      throw new PlashError(
        `bad archive: the ${what} at byte ${offset} is ${size} bytes (at most ${MAX_EXTENDED})`,
      );
    }
    const blocks = padded(size);
    const data = await this.#take(blocks);
    if (data.length < blocks) throw truncated(`the ${what} at byte ${offset}`);
    if (flag === LONG_NAME) extended.name = text(data, 0, size);
    else if (flag === LONG_LINK) extended.linkname = text(data, 0, size);
    else if (flag === PAX) {
      extended.pax = { ...extended.pax, ...paxRecords(data.subarray(0, size)) };
    } else this.#global = merged(this.#global, paxRecords(data.subarray(0, size)));
  }

  /**
   * After the zero block at `offset`: a second one, or the end of the input,
   * ends the archive; the rest of the input is read and ignored.
   */
  async #end(offset: number): Promise<void> {
    const next = await this.#block();
    if (next !== null && !isZero(next)) {
      throw new PlashError(
        `bad archive: a lone zero block at byte ${offset}, followed by more data`,
      );
    }
    this.#at = this.#chunk.length;
    while (await this.#pull()) this.#at = this.#chunk.length;
    this.#ended = true;
  }
}

/** The header in `block` at archive offset `offset`, with the extended headers applied. */
function decodeHeader(
  block: Uint8Array,
  offset: number,
  extended: Extended,
  global: Record<string, PaxValue>,
): ReadHeader {
  const flag = block[156];
  const pax = Object.keys(global).length > 0 || extended.pax
    ? merged(global, extended.pax ?? {})
    : null;
  const header: ReadHeader = {
    name: extended.name ?? fullName(block),
    type: TYPES.get(flag) ?? null,
    size: field(block, 124, 12, "size", offset),
    mode: field(block, 100, 8, "mode", offset),
    uid: field(block, 108, 8, "uid", offset),
    gid: field(block, 116, 8, "gid", offset),
    mtime: new Date(field(block, 136, 12, "mtime", offset, true) * 1000),
    linkname: extended.linkname ?? (block[157] === 0 ? null : text(block, 157, 100)),
    uname: text(block, 265, 32),
    gname: text(block, 297, 32),
    devmajor: field(block, 329, 8, "devmajor", offset),
    devminor: field(block, 337, 8, "devminor", offset),
    pax,
  };
  if (pax) applyPax(header, pax);
  if ((flag === 0 || flag === 0x30) && header.name.endsWith("/")) header.type = "directory";
  return header;
}

/** The name fields of `block`: a ustar prefix (its magic is "ustar\0") and the name. */
function fullName(block: Uint8Array): string {
  const name = text(block, 0, 100);
  const ustar = block[257] === 0x75 && block[258] === 0x73 && block[259] === 0x74 &&
    block[260] === 0x61 && block[261] === 0x72 && block[262] === 0;
  return ustar && block[345] !== 0 ? `${text(block, 345, 155)}/${name}` : name;
}

/**
 * Sets the fields PAX records override. A bad size cannot be passed over (it
 * says where the next header is); a bad uid, gid or mtime is left for the
 * writer to refuse, naming the entry.
 */
function applyPax(header: ReadHeader, pax: Record<string, PaxValue>): void {
  const { path, linkpath, size, uid, gid, mtime } = pax;
  if (typeof path === "string") header.name = path;
  if (typeof linkpath === "string") header.linkname = linkpath;
  if (size !== undefined) {
    if (typeof size !== "string" || !/^\d{1,16}$/.test(size) || !Number.isSafeInteger(+size)) {
      throw new PlashError(`bad archive: bad PAX size ${quote(String(size))}`);
    }
    header.size = Number(size);
  }
  if (typeof uid === "string" && /^\d{1,10}$/.test(uid)) header.uid = Number(uid);
  if (typeof gid === "string" && /^\d{1,10}$/.test(gid)) header.gid = Number(gid);
  if (typeof mtime === "string" && /^-?\d{1,15}(\.\d+)?$/.test(mtime)) {
    header.mtime = new Date(Number(mtime) * 1000);
  }
}

/** PAX records, a malformed one failing as a bad archive. */
function paxRecords(data: Uint8Array): Record<string, PaxValue> {
  try {
    return decodePax(data);
  } catch (error) {
    throw wrap(error, "bad archive");
  }
}

/** `base` with `records` over it; a record with an empty value removes the key (POSIX). */
function merged(
  base: Record<string, PaxValue>,
  records: Record<string, PaxValue>,
): Record<string, PaxValue> {
  const result = { ...base };
  for (const [key, value] of Object.entries(records)) {
    if (value === "") delete result[key];
    else result[key] = value;
  }
  return result;
}

/** Whether every byte of `block` is zero. */
function isZero(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** Fails unless `block`'s checksum field is the sum of its bytes, the field counted as spaces. */
function checkSum(block: Uint8Array, offset: number): void {
  if (octal(block, 148, 8) !== checksum(block)) {
    throw new PlashError(
      `bad archive: bad header checksum at byte ${offset}: not a tar archive, or a corrupt one`,
    );
  }
}

/**
 * The numeric field `name` of `length` bytes at `start`: octal, or GNU
 * base-256 when its first byte has the high bit set. Only `signed` fields
 * may be negative.
 */
function field(
  block: Uint8Array,
  start: number,
  length: number,
  name: string,
  offset: number,
  signed = false,
): number {
  const value = block[start] & 0x80 ? base256(block, start, length) : octal(block, start, length);
  if (!Number.isSafeInteger(value) || (value < 0 && !signed)) {
    throw new PlashError(`bad archive: bad ${name} field in the header at byte ${offset}`);
  }
  return value;
}

/**
 * An octal field: leading spaces, digits, then NULs or spaces; `NaN` when it
 * is anything else. A field without digits is 0.
 */
function octal(block: Uint8Array, start: number, length: number): number {
  const end = start + length;
  let i = start;
  while (i < end && block[i] === 0x20) i++;
  let value = 0;
  for (; i < end && block[i] >= 0x30 && block[i] <= 0x37; i++) value = value * 8 + block[i] - 0x30;
  for (; i < end; i++) if (block[i] !== 0 && block[i] !== 0x20) return NaN;
  return value;
}

/**
 * A GNU base-256 field: the bits after the leading marker bit are a
 * big-endian two's complement number. Beyond 2^53 it is no longer exact,
 * which {@linkcode field} refuses.
 */
function base256(block: Uint8Array, start: number, length: number): number {
  const top = block[start] & 0x7f;
  let value = top & 0x40 ? top - 0x80 : top;
  for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i];
  return value;
}

/** The text of a field: its bytes up to the first NUL, as UTF-8. */
function text(bytes: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && bytes[end] !== 0) end++;
  return utf8(bytes.subarray(start, end));
}

/** The error of an archive that ends inside `what`. */
function truncated(what: string): PlashError {
  return new PlashError(`truncated archive: it ends inside ${what}`);
}
