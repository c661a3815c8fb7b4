/**
 * tar-stream, with PAX records that keep xattr values as bytes.
 *
 * tar-stream 3.2.2 decodes and encodes every PAX record as UTF-8 text. Xattr
 * values are binary: a `security.capability` for cap_setuid holds the byte
 * 0x80, which becomes U+FFFD on the way in and two bytes on the way out. GNU
 * tar and libarchive store `SCHILY.xattr.*` values as raw bytes, so the
 * parser and packer made here have their PAX step replaced by one that
 * passes those values through as `Uint8Array` (every other record stays
 * text). The replacement is made on each instance (tar-stream's
 * `_decodeLongHeader` and `_encodePax` methods): nothing global changes and
 * no file of tar-stream is looked up, so this works wherever tar-stream is
 * installed (node_modules or Deno's npm cache). The tests round-trip a value
 * holding 0x80 to catch a tar-stream that no longer works this way.
 *
 * Use {@linkcode tarExtract} and {@linkcode tarPack} rather than tar-stream.
 *
 * @module
 */

import tar, { type Extract, type Pack } from "tar-stream";
import { decodePax, encodePax, type PaxValue } from "./pax.ts";

/** The header of an entry as tar-stream's packer holds it, with binary PAX values. */
interface PackHeader {
  name: string;
  type?: string;
  size?: number;
  mode?: number;
  mtime?: Date;
  linkname?: string;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  devmajor?: number;
  devminor?: number;
  pax?: Record<string, PaxValue>;
}

/** The parts of tar-stream's Extract that decode PAX headers. */
interface ExtractInternals {
  _header: { type: string };
  _pax: Record<string, PaxValue> | null;
  _paxGlobal: Record<string, PaxValue> | null;
  _decodeLongHeader(buffer: Uint8Array): void;
}

/** The parts of tar-stream's Pack that encode PAX headers. */
interface PackInternals {
  _encode(header: PackHeader): void;
  _encodePax(header: PackHeader): void;
  push(chunk: Uint8Array): boolean;
}

const BLOCK = 512;

/**
 * A tar parser (tar-stream's `extract()`) whose entries' `header.pax` keeps
 * `SCHILY.xattr.*` values as bytes.
 *
 * @example
 * ```ts
 * import { tarExtract } from "./tar_stream.ts";
 *
 * const extract = tarExtract();
 * extract.on("entry", (header, stream, next) => { stream.resume(); next(); });
 * ```
 */
export function tarExtract(): Extract {
  const extract = tar.extract();
  const internals = extract as unknown as ExtractInternals;
  const decodeOther = internals._decodeLongHeader;
  internals._decodeLongHeader = function (this: ExtractInternals, buffer: Uint8Array) {
    if (this._header.type === "pax-header") {
      this._pax = { ...this._paxGlobal, ...decodePax(buffer) };
    } else if (this._header.type === "pax-global-header") {
      this._paxGlobal = decodePax(buffer);
    } else {
      decodeOther.call(this, buffer); // GNU long names stay tar-stream's
    }
  };
  return extract;
}

/**
 * A tar packer (tar-stream's `pack()`) that writes `header.pax` records with
 * `Uint8Array` values as raw bytes.
 *
 * @example
 * ```ts
 * import { tarPack } from "./tar_stream.ts";
 *
 * const pack = tarPack();
 * pack.entry({ name: "a", pax: { "SCHILY.xattr.user.x": new Uint8Array([0x80]) } }, "");
 * pack.finalize();
 * ```
 */
export function tarPack(): Pack {
  const pack = tar.pack();
  const internals = pack as unknown as PackInternals;
  internals._encodePax = function (this: PackInternals, header: PackHeader) {
    const records = encodePax({
      ...(header.name ? { path: header.name } : {}),
      ...(header.linkname ? { linkpath: header.linkname } : {}),
      ...header.pax,
    });
    // The same framing as tar-stream's: a PaxHeader entry, its records, then the entry.
    const paxHeader: PackHeader = {
      name: "PaxHeader",
      mode: header.mode,
      uid: header.uid,
      gid: header.gid,
      size: records.length,
      mtime: header.mtime,
      type: "pax-header",
      linkname: header.linkname ? "PaxHeader" : undefined,
      uname: header.uname,
      gname: header.gname,
      devmajor: header.devmajor,
      devminor: header.devminor,
    };
    this._encode(paxHeader);
    this.push(records);
    const padding = records.length % BLOCK;
    if (padding) this.push(new Uint8Array(BLOCK - padding));
    this._encode({ ...paxHeader, size: header.size, type: header.type });
  };
  return pack;
}
