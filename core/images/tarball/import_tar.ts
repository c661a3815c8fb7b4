/**
 * Making an image from a tar archive.
 *
 * @module
 */

import { wrap } from "../../errors.ts";
import type { Store } from "../../store/store.ts";
import { removeStaged } from "../../runtime/remove_staged.ts";
import { extractTar } from "../../tar/extract.ts";
import { openTar } from "../../tar/open_tar.ts";
import "../../tree/flatten.ts"; // publishes images: lets the store make checkpoints
import { applyDeferred, deferredMetadata } from "../apply_deferred.ts";

/**
 * Extracts the archive `source` (a file path, "-" for stdin, or a stream;
 * plain, gzip, zstd or xz) as the layer of a new image on the empty root and
 * returns the new id. The layer is staged in `store`'s tmp/: on any failure
 * the staging directory is removed and no image exists. Errors read
 * `WHAT: why`; `what` defaults to `import-tar FILE`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { importTar } from "./import_tar.ts";
 * import { exportTarTo } from "./export_tar.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const layer = store.makeTmpDir();
 * Deno.writeTextFileSync(`${layer}/hello`, "hi\n");
 * const dir = Deno.makeTempDirSync();
 * const archive = `${dir}/rootfs.tar`;
 * await exportTarTo(store, store.addLayer(0, layer), archive);
 * const id = await importTar(store, archive); // plain, gzip, zstd or xz; "-": stdin
 * assert.equal(Deno.readTextFileSync(`${store.layer(id)}/hello`), "hi\n");
 * Deno.removeSync(store.root, { recursive: true });
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function importTar(
  store: Store,
  source: string | ReadableStream<Uint8Array>,
  what = `import-tar ${typeof source !== "string" ? "archive" : source === "-" ? "stdin" : source}`,
): Promise<number> {
  const stage = store.makeTmpDir();
  try {
    const root = `${stage}/root`;
    Deno.mkdirSync(root);
    // The root's mode stays this unless the archive lists "./" itself.
    Deno.chmodSync(root, 0o755);
    const deferred = deferredMetadata();
    await extractTar(await openTar(source), root, { deferred });
    await applyDeferred(deferred, [root]);
    return store.addLayer(0, root);
  } catch (error) {
    throw wrap(error, what);
  } finally {
    // Files the child chowned may be closed to the caller: removed as namespace root then.
    await removeStaged(stage);
  }
}
