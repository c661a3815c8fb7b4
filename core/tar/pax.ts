/**
 * PAX extended header records (POSIX.1-2001 `pax` format): the key/value
 * records that carry long names, large numbers and xattrs of a tar entry.
 *
 * GNU tar and libarchive store `SCHILY.xattr.*` values as raw bytes (a
 * `security.capability` holds 0x80), so those values are kept as
 * `Uint8Array`; every other record is UTF-8 text.
 *
 * @module
 */

/** The prefix of the PAX records that hold xattrs, the name following it. */
export const XATTR_PREFIX = "SCHILY.xattr.";

/** A PAX record value: bytes for xattrs, text otherwise. */
export type PaxValue = string | Uint8Array;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** The longest text made without TextDecoder (each byte is an argument of a call). */
const SHORT = 4096;
const SPACE = 0x20;
const EQUALS = 0x3d;
const NEWLINE = 0x0a;

/**
 * Parses PAX records, `<length> <key>=<value>\n` each, length in bytes and
 * counting itself; `SCHILY.xattr.*` values stay bytes. A malformed record
 * fails the archive.
 *
 * @example
 * ```ts
 * import { decodePax } from "./pax.ts";
 *
 * decodePax(new TextEncoder().encode("11 path=ab\n")); // { path: "ab" }
 * ```
 */
export function decodePax(buffer: Uint8Array): Record<string, PaxValue> {
  const records: Record<string, PaxValue> = {};
  let offset = 0;
  // The data is padded to whole blocks: NULs after the last record end it.
  while (offset < buffer.length && buffer[offset] !== 0) {
    const space = buffer.indexOf(SPACE, offset);
    const digits = space < 0 ? "" : utf8(buffer.subarray(offset, space));
    const end = offset + Number(digits);
    if (!/^\d{1,15}$/.test(digits) || end > buffer.length || end <= space) {
      throw new Error("malformed PAX header");
    }
    const record = buffer.subarray(space + 1, end);
    const equals = record.indexOf(EQUALS);
    if (equals < 0 || record[record.length - 1] !== NEWLINE) {
      throw new Error("malformed PAX header");
    }
    const key = utf8(record.subarray(0, equals));
    const value = record.subarray(equals + 1, record.length - 1);
    records[key] = key.startsWith(XATTR_PREFIX) ? value.slice() : utf8(value);
    offset = end;
  }
  return records;
}

/**
 * Encodes PAX records; `Uint8Array` values are written as they are.
 *
 * @example
 * ```ts
 * import { encodePax } from "./pax.ts";
 *
 * encodePax({ path: "ab" }); // the bytes of "11 path=ab\n"
 * ```
 */
export function encodePax(records: Record<string, PaxValue>): Uint8Array {
  const parts = Object.entries(records).map(([key, value]) => {
    const body = concat([
      encoder.encode(` ${key}=`),
      typeof value === "string" ? encoder.encode(value) : value,
      new Uint8Array([NEWLINE]),
    ]);
    // The length counts its own digits: one more digit may be needed.
    let length = body.length + String(body.length).length;
    if (String(length).length !== String(body.length).length) {
      length = body.length + String(length).length;
    }
    return concat([encoder.encode(String(length)), body]);
  });
  return concat(parts);
}

/**
 * `bytes` as UTF-8 text. TextDecoder costs about 1 µs a call, more than a
 * short record or name takes, and most are ASCII: those are made directly.
 *
 * @example
 * ```ts
 * import { utf8 } from "./pax.ts";
 *
 * utf8(new Uint8Array([0x68, 0x69])); // "hi"
 * ```
 */
export function utf8(bytes: Uint8Array): string {
  if (bytes.length > SHORT) return decoder.decode(bytes);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] >= 0x80) return decoder.decode(bytes);
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
