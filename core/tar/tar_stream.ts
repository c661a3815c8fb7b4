/**
 * tar-stream, with PAX records that keep xattr values as bytes.
 *
 * tar-stream 3.2.2 decodes and encodes every PAX record as UTF-8 text. Xattr
 * values are binary: a `security.capability` for cap_setuid holds the byte
 * 0x80, which becomes U+FFFD on the way in and two bytes on the way out. GNU
 * tar and libarchive store `SCHILY.xattr.*` values as raw bytes, so this
 * module swaps tar-stream's two PAX codec functions for ones that pass those
 * values through as `Uint8Array` (every other record stays text). tar-stream
 * calls them through its `headers` module object, so replacing the two
 * properties there is enough; the tests round-trip a value holding 0x80 to
 * catch a tar-stream that no longer works this way.
 *
 * Use {@linkcode tarStream} rather than importing tar-stream directly.
 *
 * @module
 */

import { createRequire } from "node:module";
import tar from "tar-stream";

/** The prefix of the PAX records that hold xattrs, the name following it. */
export const XATTR_PREFIX = "SCHILY.xattr.";

/** A PAX record value: bytes for xattrs, text otherwise. */
export type PaxValue = string | Uint8Array;

interface HeadersModule {
  decodePax(buffer: Uint8Array): Record<string, PaxValue>;
  encodePax(
    options: { name?: string; linkname?: string; pax?: Record<string, PaxValue> },
  ): Uint8Array;
}

let patched = false;

/** tar-stream, with binary-safe xattr records in PAX headers. */
export function tarStream(): typeof tar {
  if (!patched) {
    const require = createRequire(import.meta.url);
    const headersFile = require.resolve("tar-stream").replace(/index\.js$/, "headers.js");
    const headers: HeadersModule = require(headersFile);
    if (typeof headers.decodePax !== "function" || typeof headers.encodePax !== "function") {
      throw new Error(`tar-stream has no PAX codec in ${headersFile}: check its version`);
    }
    headers.decodePax = decodePax;
    headers.encodePax = ({ name, linkname, pax }) =>
      encodePax({
        ...(name ? { path: name } : {}),
        ...(linkname ? { linkpath: linkname } : {}),
        ...pax,
      });
    patched = true;
  }
  return tar;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const SPACE = 0x20;
const EQUALS = 0x3d;
const NEWLINE = 0x0a;

/**
 * Parses PAX records, `<length> <key>=<value>\n` each, length in bytes and
 * counting itself. A malformed record fails the archive.
 */
function decodePax(buffer: Uint8Array): Record<string, PaxValue> {
  const records: Record<string, PaxValue> = {};
  let offset = 0;
  // The data is padded to whole blocks: NULs after the last record end it.
  while (offset < buffer.length && buffer[offset] !== 0) {
    const space = buffer.indexOf(SPACE, offset);
    const digits = space < 0 ? "" : decoder.decode(buffer.subarray(offset, space));
    const end = offset + Number(digits);
    if (!/^\d{1,15}$/.test(digits) || end > buffer.length || end <= space) {
      throw new Error("malformed PAX header");
    }
    const record = buffer.subarray(space + 1, end);
    const equals = record.indexOf(EQUALS);
    if (equals < 0 || record[record.length - 1] !== NEWLINE) {
      throw new Error("malformed PAX header");
    }
    const key = decoder.decode(record.subarray(0, equals));
    const value = record.slice(equals + 1, record.length - 1);
    records[key] = key.startsWith(XATTR_PREFIX) ? value : decoder.decode(value);
    offset = end;
  }
  return records;
}

/** Encodes PAX records; `Uint8Array` values are written as they are. */
function encodePax(records: Record<string, PaxValue>): Uint8Array {
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

function concat(parts: Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
