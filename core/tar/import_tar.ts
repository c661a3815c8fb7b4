/**
 * Making an image from a tar archive.
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { addLayer } from "../store/publish.ts";
import { makeTmpDir, removeTree } from "../store/tmp.ts";
import { decompress } from "./decompress.ts";
import { extractTar } from "./extract.ts";

/**
 * Extracts the archive `source` (a file path, "-" for stdin, or a stream;
 * plain, gzip, zstd or xz) as the layer of a new image on the empty root and
 * returns the new id. The layer is staged in `data`'s tmp/: on any failure
 * the staging directory is removed and no image exists. Errors read
 * `WHAT: why`; `what` defaults to `import-tar FILE`.
 *
 * @example
 * ```ts
 * const id = await importTar(dataDir(), "rootfs.tar.gz");
 * ```
 */
export async function importTar(
  data: string,
  source: string | ReadableStream<Uint8Array>,
  what = `import-tar ${typeof source !== "string" ? "archive" : source === "-" ? "stdin" : source}`,
): Promise<number> {
  const stage = makeTmpDir(data);
  try {
    const root = `${stage}/root`;
    Deno.mkdirSync(root);
    // The root's mode stays this unless the archive lists "./" itself.
    Deno.chmodSync(root, 0o755);
    await extractTar(await decompress(await openArchive(source)), root);
    return addLayer(data, 0, root);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new PlashError(`${what}: ${why.split("\n")[0]}`);
  } finally {
    removeTree(stage);
  }
}

/** The bytes of `source`: a file path, "-" for stdin, or a stream. */
export async function openArchive(
  source: string | ReadableStream<Uint8Array>,
): Promise<ReadableStream<Uint8Array>> {
  if (typeof source !== "string") return source;
  if (source === "-") return Deno.stdin.readable;
  try {
    return (await Deno.open(source)).readable;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new PlashError("no such file");
    throw error;
  }
}
