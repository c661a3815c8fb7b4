/**
 * tar-stream's parser, with PAX records that keep xattr values as bytes.
 *
 * tar-stream 3.2.2 decodes every PAX record as UTF-8 text. Xattr values are
 * binary: a `security.capability` for cap_setuid holds the byte 0x80, which
 * becomes U+FFFD on the way in. GNU tar and libarchive store
 * `SCHILY.xattr.*` values as raw bytes, so the parser made here has its PAX
 * step replaced by one that passes those values through as `Uint8Array`
 * (every other record stays text). The replacement is made on each instance
 * (tar-stream's `_decodeLongHeader` method): nothing global changes and no
 * file of tar-stream is looked up, so this works wherever tar-stream is
 * installed (node_modules or Deno's npm cache). The tests round-trip a value
 * holding 0x80 to catch a tar-stream that no longer works this way. (Archives
 * are written by `tar_writer.ts`.)
 *
 * Use {@linkcode tarExtract} rather than tar-stream.
 *
 * @module
 */

import tar, { type Extract } from "tar-stream";
import { decodePax, type PaxValue } from "./pax.ts";

/** The parts of tar-stream's Extract that decode PAX headers. */
interface ExtractInternals {
  _header: { type: string };
  _pax: Record<string, PaxValue> | null;
  _paxGlobal: Record<string, PaxValue> | null;
  _decodeLongHeader(buffer: Uint8Array): void;
}

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
