/**
 * Encoding tar headers into 512-byte blocks: a ustar header when the entry
 * fits one, else a PAX extended header (`PaxHeader`, its records, then the
 * entry's own header).
 *
 * The bytes are those tar-stream 3 wrote for plash before this module (with
 * plash's binary-safe PAX records): image layer digests, and so pushed images
 * and the registry build cache, depend on them. That is why some fields keep
 * tar-stream's quirks: ids and devices get 6 octal digits (a larger id reads
 * `777777`, and `pack.ts` adds PAX `uid` and `gid` records for those; a
 * larger device number, which tar-stream cut the same way, takes all 7 of
 * its field), the ustar mtime is the seconds cut to 32 bits (a PAX `mtime`
 * record holds the true value), and the entry header after a PAX header is
 * named `PaxHeader` too.
 *
 * @module
 */

import { encodePax, type PaxValue } from "./pax.ts";

/** The size of a tar block: headers and contents come in whole blocks. */
export const BLOCK = 512;

/** The two zero blocks that end an archive. */
export const END_OF_ARCHIVE: Uint8Array = new Uint8Array(2 * BLOCK);

/** The entry types a header can have. */
export type TarType =
  | "file"
  | "link"
  | "symlink"
  | "character-device"
  | "block-device"
  | "directory"
  | "fifo"
  | "contiguous-file"
  | "pax-header";

/** One entry's header fields; missing numbers are 0, missing names empty. */
export interface TarHeader {
  name: string;
  type: TarType;
  /** The contents' length; a symlink's is written as 0. */
  size?: number;
  /** Permission bits, setuid, setgid and sticky (the bits above are dropped). */
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
  linkname?: string;
  uname?: string;
  gname?: string;
  devmajor?: number;
  devminor?: number;
  /** PAX records to write; with them the entry always gets a PAX header. */
  pax?: Record<string, PaxValue>;
}

const TYPE_FLAGS: Record<TarType, number> = {
  "file": 0,
  "link": 1,
  "symlink": 2,
  "character-device": 3,
  "block-device": 4,
  "directory": 5,
  "fifo": 6,
  "contiguous-file": 7,
  "pax-header": 72,
};
const ZERO = 0x30;
const SPACE = 0x20;
const USTAR = [0x75, 0x73, 0x74, 0x61, 0x72, 0x00, ZERO, ZERO]; // "ustar\0" "00"
const NAME_FIELD = 100;
const PREFIX_FIELD = 155;
const encoder = new TextEncoder();

/**
 * Writes the header blocks of `header` into `target` at `offset` and returns
 * the offset after them, or -1 (nothing written) when they do not fit.
 *
 * @example
 * ```ts
 * import { writeHeader } from "./tar_writer.ts";
 *
 * const block = new Uint8Array(512);
 * writeHeader({ name: "etc/", type: "directory", mode: 0o755 }, block, 0); // 512
 * ```
 */
export function writeHeader(header: TarHeader, target: Uint8Array, offset: number): number {
  const split = header.pax ? undefined : ustarName(header);
  if (split) {
    if (offset + BLOCK > target.length) return -1;
    encodeBlock(header, split.name, split.prefix, target, offset);
    return offset + BLOCK;
  }
  const records = paxRecordsOf(header);
  const end = offset + BLOCK + padded(records.length) + BLOCK;
  if (end > target.length) return -1;
  // tar-stream's framing: the PAX header and the entry's header share every field but size and type.
  const paxHeader: TarHeader = {
    ...header,
    name: "PaxHeader",
    type: "pax-header",
    size: records.length,
    linkname: header.linkname ? "PaxHeader" : undefined,
  };
  encodeBlock(paxHeader, paxHeader.name, "", target, offset);
  target.set(records, offset + BLOCK);
  target.fill(0, offset + BLOCK + records.length, end - BLOCK);
  encodeBlock(
    { ...paxHeader, size: header.size, type: header.type },
    "PaxHeader",
    "",
    target,
    end - BLOCK,
  );
  return end;
}

/**
 * The header blocks of `header` in a buffer of their own.
 *
 * @example
 * ```ts
 * import { headerBlocks } from "./tar_writer.ts";
 *
 * headerBlocks({ name: "a".repeat(300), type: "file", size: 0 }).length; // 1536: PAX
 * ```
 */
export function headerBlocks(header: TarHeader): Uint8Array {
  const length = !header.pax && ustarName(header)
    ? BLOCK
    : 2 * BLOCK + padded(paxRecordsOf(header).length);
  const blocks = new Uint8Array(length);
  writeHeader(header, blocks, 0);
  return blocks;
}

/**
 * `size` rounded up to whole blocks: the room contents take in the archive.
 *
 * @example
 * ```ts
 * import { padded } from "./tar_writer.ts";
 *
 * padded(700); // 1024
 * ```
 */
export function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK;
}

/** The contents' length as the header states it. */
function sizeOf(header: TarHeader): number {
  return header.type === "symlink" ? 0 : header.size || 0;
}

/**
 * The ustar name and prefix fields for `header`'s name, or undefined when
 * it needs a PAX `path` (not ASCII, or not splittable at a slash into 155 +
 * 100 bytes) or `linkpath` (over 100 bytes). Leading components move to the
 * prefix one at a time until the name fits, as tar-stream did.
 */
function ustarName(header: TarHeader): { name: string; prefix: string } | undefined {
  let name = header.name;
  if (!isAscii(name)) return undefined;
  if (header.linkname && utf8Length(header.linkname) > NAME_FIELD) return undefined;
  let prefix = "";
  while (name.length > NAME_FIELD) {
    const slash = name.indexOf("/");
    if (slash === -1) return undefined;
    prefix += prefix ? "/" + name.slice(0, slash) : name.slice(0, slash);
    name = name.slice(slash + 1);
  }
  return prefix.length > PREFIX_FIELD ? undefined : { name, prefix };
}

function paxRecordsOf(header: TarHeader): Uint8Array {
  return encodePax({
    ...(header.name ? { path: header.name } : {}),
    ...(header.linkname ? { linkpath: header.linkname } : {}),
    ...header.pax,
  });
}

/** Writes one ustar header block (all fields fit: checked by {@linkcode ustarName}). */
function encodeBlock(
  header: TarHeader,
  name: string,
  prefix: string,
  target: Uint8Array,
  offset: number,
): void {
  const block = target.subarray(offset, offset + BLOCK);
  block.fill(0);
  writeAscii(block, 0, name);
  writeOctal(block, 100, (header.mode ?? 0) & 0o7777, 6);
  writeOctal(block, 108, header.uid ?? 0, 6);
  writeOctal(block, 116, header.gid ?? 0, 6);
  writeSize(block, 124, sizeOf(header));
  // `| 0`: 32-bit seconds, as tar-stream wrote them (a PAX record carries larger times).
  writeOctal(block, 136, ((header.mtime?.getTime() ?? 0) / 1000) | 0, 11);
  block[156] = ZERO + TYPE_FLAGS[header.type];
  if (header.linkname) encoder.encodeInto(header.linkname, block.subarray(157, 257));
  block.set(USTAR, 257);
  if (header.uname) encoder.encodeInto(header.uname, block.subarray(265, 297));
  if (header.gname) encoder.encodeInto(header.gname, block.subarray(297, 329));
  writeDevice(block, 329, header.devmajor ?? 0);
  writeDevice(block, 337, header.devminor ?? 0);
  writeAscii(block, 345, prefix);
  writeOctal(block, 148, checksum(block), 6);
}

/**
 * `value` in `digits` octal digits and a space; a value too large for them
 * reads all sevens. (A negative one keeps its minus sign, as tar-stream's
 * did: only an mtime cut to 32 bits can be negative.)
 */
function writeOctal(block: Uint8Array, offset: number, value: number, digits: number): void {
  const octal = value.toString(8);
  const text = octal.length > digits ? "7".repeat(digits) : octal.padStart(digits, "0");
  writeAscii(block, offset, text + " ");
}

/**
 * A device number: 6 octal digits and a space as tar-stream wrote them, or,
 * past those (Linux minors go to 2^20 - 1), all 7 digits the 8-byte field
 * holds and its NUL; beyond even that, base 256 (GNU tar's form).
 */
function writeDevice(block: Uint8Array, offset: number, value: number): void {
  const octal = value.toString(8);
  if (octal.length <= 6) return writeOctal(block, offset, value, 6);
  if (octal.length === 7) return writeAscii(block, offset, octal);
  writeBase256(block, offset, value, 8);
}

/** A size in 11 octal digits, or from 8 GiB on in base 256 (GNU tar's form). */
function writeSize(block: Uint8Array, offset: number, size: number): void {
  if (size.toString(8).length <= 11) return writeOctal(block, offset, size, 11);
  writeBase256(block, offset, size, 12);
}

/** A non-negative `value` in the `length`-byte field at `offset` as GNU base 256. */
function writeBase256(block: Uint8Array, offset: number, value: number, length: number): void {
  block[offset] = 0x80;
  for (let i = length - 1, rest = value; i > 0; i--, rest = Math.floor(rest / 0x100)) {
    block[offset + i] = rest & 0xff;
  }
}

/**
 * The header checksum of the 512-byte header `block`: the sum of its bytes,
 * the checksum field counted as spaces (the reader checks it the same way).
 *
 * @example
 * ```ts
 * import { BLOCK, checksum } from "./tar_writer.ts";
 *
 * checksum(new Uint8Array(BLOCK)); // 256: eight spaces
 * ```
 */
export function checksum(block: Uint8Array): number {
  let sum = 8 * SPACE;
  for (let i = 0; i < 148; i++) sum += block[i];
  for (let i = 156; i < BLOCK; i++) sum += block[i];
  return sum;
}

function writeAscii(block: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) block[offset + i] = text.charCodeAt(i);
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function utf8Length(text: string): number {
  return isAscii(text) ? text.length : encoder.encode(text).length;
}
