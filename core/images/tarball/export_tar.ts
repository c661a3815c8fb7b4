/**
 * Writing an image's files as one tar archive.
 *
 * @module
 */

import { wrap } from "../../errors.ts";
import type { Store } from "../../store/store.ts";
import { packTree, sendTree } from "../../tar/pack.ts";
import { intoFile, writeArchive } from "../../tar/write_archive.ts";
import { walkMerged } from "../../tree/merged_tree.ts";

/**
 * The uncompressed tar archive of image `id`'s merged view (every layer, top
 * one winning, whiteouts applied).
 *
 * @example
 * ```ts
 * import { exportTar } from "./export_tar.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const id = store.addLayer(0, store.makeTmpDir());
 * const archive = Deno.makeTempFileSync({ suffix: ".tar" });
 * await exportTar(store, id).pipeTo((await Deno.create(archive)).writable);
 * Deno.removeSync(store.root, { recursive: true });
 * Deno.removeSync(archive);
 * ```
 */
export function exportTar(store: Store, id: number): ReadableStream<Uint8Array> {
  return packImage(store, id, false);
}

function layersOf(store: Store, id: number): string[] {
  return store.layersOf(store.chain(id));
}

function packImage(store: Store, id: number, reuse: boolean): ReadableStream<Uint8Array> {
  // Members named `./etc/passwd`, as the original plash's `tar -cf - .` named them.
  return packTree(walkMerged(layersOf(store, id)), { prefix: "./", reuse });
}

/**
 * Writes the archive of image `id` to `target`, a file path or "-" for
 * stdout. A file is written under a temporary name beside it and renamed when
 * complete, so a failure leaves no partial archive (and any old file intact).
 *
 * @example
 * ```ts
 * import { exportTarTo } from "./export_tar.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const id = store.addLayer(0, store.makeTmpDir());
 * const archive = Deno.makeTempFileSync({ suffix: ".tar" });
 * await exportTarTo(store, id, archive); // "-": stdout
 * Deno.removeSync(store.root, { recursive: true });
 * Deno.removeSync(archive);
 * ```
 */
export async function exportTarTo(store: Store, id: number, target: string): Promise<void> {
  if (target === "-") {
    // writeStream is done with each piece before it reads the next: one buffer serves them all.
    return await writeArchive(() => packImage(store, id, true), target, "export-tar");
  }
  try {
    await intoFile(target, (fd) => sendTree(walkMerged(layersOf(store, id)), fd, { prefix: "./" }));
  } catch (error) {
    throw wrap(error, `export-tar ${target}`);
  }
}
