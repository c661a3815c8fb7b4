/**
 * A directory of an export (an OCI layout, a docker archive) as a tar
 * archive, the same bytes for the same files: names in code unit order,
 * owner root, modes 0644 and 0755, one modification time for all.
 *
 * @example
 * ```ts
 * import { packDirectory } from "./pack_dir.ts";
 *
 * await packDirectory("/tmp/layout", new Date(0)).pipeTo(Deno.stdout.writable);
 * ```
 *
 * @module
 */

import { packTree } from "../tar/pack.ts";
import { type TreeEntry, walkMerged } from "../tree/merged_tree.ts";

/** The tar archive of `dir`'s files (its root is `./`), every entry's mtime `mtime`. */
export function packDirectory(dir: string, mtime: Date): ReadableStream<Uint8Array> {
  return packTree(normalized(walkMerged([dir], { verbatim: true }), mtime));
}

function* normalized(entries: Iterable<TreeEntry>, mtime: Date): Generator<TreeEntry> {
  for (const entry of entries) {
    const mode = entry.info.isDirectory ? 0o755 : 0o644;
    const info = { ...entry.info, uid: 0, gid: 0, mode, mtime, nlink: 1 };
    yield { ...entry, info, xattrs: new Map() };
  }
}
