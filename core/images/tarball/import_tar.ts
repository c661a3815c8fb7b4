/**
 * Making an image from a tar archive.
 *
 * @module
 */

import { wrap } from "../../errors.ts";
import type { Store } from "../../store/store.ts";
import { removeTree } from "../../store/tmp.ts";
import { extractTar } from "../../tar/extract.ts";
import { openTar } from "../../tar/open_tar.ts";

/**
 * Extracts the archive `source` (a file path, "-" for stdin, or a stream;
 * plain, gzip, zstd or xz) as the layer of a new image on the empty root and
 * returns the new id. The layer is staged in `store`'s tmp/: on any failure
 * the staging directory is removed and no image exists. Errors read
 * `WHAT: why`; `what` defaults to `import-tar FILE`.
 *
 * @example
 * ```ts
 * import { importTar } from "./import_tar.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const id = await importTar(Store.open(), "rootfs.tar.gz");
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
    await extractTar(await openTar(source), root);
    return store.addLayer(0, root);
  } catch (error) {
    throw wrap(error, what);
  } finally {
    removeTree(stage);
  }
}
