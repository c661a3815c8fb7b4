/**
 * One plash layer as an OCI layer tar: the layer directory as it is, with
 * overlay's way of deleting turned back into OCI's (see `oci_whiteouts.ts`
 * and `tree/overlay_format.ts`):
 *
 * * a whiteout (character device 0/0) `DIR/NAME` becomes an empty file
 *   `DIR/.wh.NAME`, with the whiteout's owner, mode and mtime;
 * * an opaque directory (`trusted.` or `user.overlay.opaque`) keeps its
 *   entry, without overlay's xattrs, followed at once by an empty file
 *   `DIR/.wh..wh..opq` with the directory's owner, mode and mtime;
 * * overlay's other bookkeeping xattrs are left out; every other file goes
 *   in with its owner, mode, mtime, xattrs and hard links.
 *
 * The archive is deterministic (names in code unit order, as the walk
 * yields them; see `pack.ts`): the same layer gives the same bytes, so the
 * same digest, every time. Overlay may make whiteouts hard links of one
 * another (it shares one inode among them): markers are never links.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packLayer } from "./oci_layer.ts";
 *
 * const dir = Deno.makeTempDirSync(); // an image's layer: `plash nodepath 7`/_data/root
 * Deno.writeTextFileSync(`${dir}/hello`, "hi\n");
 * const tar = await new Response(packLayer(dir)).bytes();
 * assert.equal(tar.length % 512, 0);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { walkMerged } from "../tree/merged_tree.ts";
import { isOpaque, isWhiteout } from "../tree/overlay_format.ts";
import { fileXattrs } from "../tree/xattrs.ts";
import { quote } from "./entry_name.ts";
import { isWhiteoutName, opaqueEntryName, whiteoutEntryName } from "./oci_whiteouts.ts";
import { type PackEntry, packTree } from "./pack.ts";

/** The uncompressed OCI layer tar of layer directory `layerDir`. */
export function packLayer(layerDir: string): ReadableStream<Uint8Array> {
  return packTree(ociLayerEntries(layerDir));
}

/**
 * The entries of layer directory `layerDir` as an OCI layer has them, in
 * archive order. A file whose own name starts with `.wh.` cannot be in an
 * OCI layer (it would read as a whiteout): that fails.
 */
export function* ociLayerEntries(layerDir: string): Generator<PackEntry> {
  for (const entry of walkMerged([layerDir], { verbatim: true })) {
    const name = entry.path.slice(entry.path.lastIndexOf("/") + 1);
    if (isWhiteoutName(name)) {
      throw new PlashError(
        `${layerDir}: ${quote(entry.path)} cannot go into an OCI layer: a name starting ` +
          "with .wh. is a whiteout there",
      );
    }
    if (isWhiteout(entry.info)) {
      yield { ...entry, path: whiteoutEntryName(entry.path), xattrs: new Map(), marker: true };
      continue;
    }
    yield { ...entry, xattrs: fileXattrs(entry.xattrs) };
    if (entry.info.isDirectory && isOpaque(entry.xattrs)) {
      yield { ...entry, path: opaqueEntryName(entry.path), xattrs: new Map(), marker: true };
    }
  }
}
