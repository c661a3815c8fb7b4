/**
 * Writing an image's files as one tar archive.
 *
 * @module
 */

import { wrap } from "../errors.ts";
import type { Store } from "../store/store.ts";
import { walkMerged } from "../tree/merged_tree.ts";
import { packTree } from "./pack.ts";

/**
 * The uncompressed tar archive of image `id`'s merged view (every layer, top
 * one winning, whiteouts applied).
 *
 * @example
 * ```ts
 * import { exportTar } from "./export_tar.ts";
 * import { Store } from "../store/store.ts";
 *
 * await exportTar(Store.open(), 3).pipeTo(Deno.stdout.writable);
 * ```
 */
export function exportTar(store: Store, id: number): ReadableStream<Uint8Array> {
  // Members named `./etc/passwd`, as the original plash's `tar -cf - .` named them.
  return packTree(walkMerged(store.layersOf(store.chain(id))), { prefix: "./" });
}

/**
 * Writes the archive of image `id` to `target`, a file path or "-" for
 * stdout. A file is written under a temporary name beside it and renamed when
 * complete, so a failure leaves no partial archive (and any old file intact).
 *
 * @example
 * ```ts
 * import { exportTarTo } from "./export_tar.ts";
 * import { Store } from "../store/store.ts";
 *
 * await exportTarTo(Store.open(), 3, "/tmp/image3.tar");
 * ```
 */
export async function exportTarTo(store: Store, id: number, target: string): Promise<void> {
  await writeArchive(() => exportTar(store, id), target, "export-tar");
}

/**
 * Writes the archive `open` makes to `target`, a file path or "-" for
 * stdout. A file is written under a temporary name beside it and renamed
 * when complete, so a failure leaves no partial archive (and any old file
 * intact); errors read `WHAT TARGET: why` (just `why` without `what`).
 *
 * @example
 * ```ts
 * import { writeArchive } from "./export_tar.ts";
 *
 * await writeArchive(() => ReadableStream.from([new Uint8Array(1024)]), "/tmp/empty.tar", "demo");
 * ```
 */
export async function writeArchive(
  open: () => ReadableStream<Uint8Array> | Promise<ReadableStream<Uint8Array>>,
  target: string,
  what?: string,
): Promise<void> {
  const partial = `${target}.plash-partial-${Deno.pid}`;
  let archive: ReadableStream<Uint8Array> | undefined;
  try {
    archive = await open();
    if (target === "-") return await writeStream(archive, Deno.stdout);
    using file = await Deno.open(partial, { write: true, createNew: true, mode: 0o644 });
    await writeStream(archive, file);
    await file.syncData();
    await Deno.rename(partial, target);
  } catch (error) {
    await archive?.cancel().catch(() => {});
    if (target !== "-") await Deno.remove(partial).catch(() => {});
    if (what === undefined) throw error;
    throw wrap(error, `${what} ${target === "-" ? "stdout" : target}`);
  }
}

/**
 * Writes `stream` to `output` with plain write calls: an `FsFile`'s
 * `writable` buffers, and writes reach the file only when it is closed.
 *
 * @example
 * ```ts
 * import { writeStream } from "./export_tar.ts";
 *
 * await writeStream(ReadableStream.from([new TextEncoder().encode("hi\n")]), Deno.stdout);
 * ```
 */
export async function writeStream(
  stream: ReadableStream<Uint8Array>,
  output: { write(data: Uint8Array): Promise<number> },
): Promise<void> {
  for await (const chunk of stream) {
    for (let done = 0; done < chunk.length;) done += await output.write(chunk.subarray(done));
  }
}
