/**
 * The shared libraries an ELF file names in its dynamic section (`DT_NEEDED`),
 * what `ldd` follows, read from the file itself: the release carries the C
 * library of a foreign architecture too, where `ldd` cannot run.
 *
 * @module
 */

import { PlashError } from "../../core/errors.ts";

const SHT_DYNAMIC = 6;
const DT_NULL = 0n;
const DT_NEEDED = 1n;

/** The `DT_NEEDED` names of the 64-bit little-endian ELF file at `path`, in order. */
export function neededLibraries(path: string): string[] {
  const bytes = Deno.readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // "\x7fELF", ELFCLASS64, ELFDATA2LSB: both architectures plash ships for.
  if (view.getUint32(0) !== 0x7f454c46 || bytes[4] !== 2 || bytes[5] !== 1) {
    throw new PlashError(`${path}: not a 64-bit little-endian ELF file`);
  }
  const sections = Number(view.getBigUint64(0x28, true));
  const entrySize = view.getUint16(0x3a, true);
  const count = view.getUint16(0x3c, true);
  const section = (index: number) => {
    const at = sections + index * entrySize;
    return {
      type: view.getUint32(at + 4, true),
      offset: Number(view.getBigUint64(at + 0x18, true)),
      size: Number(view.getBigUint64(at + 0x20, true)),
      link: view.getUint32(at + 0x28, true),
    };
  };
  const decoder = new TextDecoder();
  const needed: string[] = [];
  for (let index = 0; index < count; index++) {
    const dynamic = section(index);
    if (dynamic.type !== SHT_DYNAMIC) continue;
    const strings = section(dynamic.link).offset; // the dynamic string table
    for (let at = dynamic.offset; at < dynamic.offset + dynamic.size; at += 16) {
      const tag = view.getBigUint64(at, true);
      if (tag === DT_NULL) break;
      if (tag !== DT_NEEDED) continue;
      const start = strings + Number(view.getBigUint64(at + 8, true));
      needed.push(decoder.decode(bytes.subarray(start, bytes.indexOf(0, start))));
    }
  }
  return needed;
}
