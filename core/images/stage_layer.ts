/**
 * Unpacking one image layer into a staging directory while it downloads.
 *
 * @module
 */

import { wrap } from "../errors.ts";
import type { Store } from "../store/store.ts";
import { removeTree } from "../store/tmp.ts";
import { decompress } from "../tar/decompress.ts";
import { extractTar } from "../tar/extract.ts";
import { checkBlob } from "./checked_blob.ts";
import { countBytes, type Progress } from "./progress.ts";

/** A layer of an image, wherever its bytes come from. */
export interface LayerBlob {
  /** What progress and errors call it. */
  name: string;
  /** The sha256 of the bytes `open` yields, when known: checked, and the layer's cache key. */
  digest?: string;
  /** Their size, when known: checked. */
  size?: number;
  /** The layer's bytes: a tar archive, plain, gzip or zstd. */
  open(signal: AbortSignal): Promise<ReadableStream<Uint8Array>>;
}

/**
 * Streams `layer` into a new staging directory of `store` and returns it (the
 * layer is its `root`). Whiteouts become overlay whiteouts; the digest and
 * size are checked. On any failure the directory is removed.
 */
export async function stageLayer(
  store: Store,
  layer: LayerBlob,
  signal: AbortSignal,
  progress: Progress,
): Promise<string> {
  const stage = store.makeTmpDir();
  try {
    const root = `${stage}/root`;
    Deno.mkdirSync(root);
    // The root's mode stays this unless the layer lists "./" itself.
    Deno.chmodSync(root, 0o755);
    const source = countBytes(await layer.open(signal), progress.item(layer.name, layer.size));
    const blob = checkBlob(source, layer, signal);
    const extracted = decompress(blob.stream)
      .then((tar) => extractTar(tar, root, { whiteouts: true }))
      .finally(blob.release);
    const [extraction, check] = await Promise.allSettled([extracted, blob.verified]);
    // A corrupt blob explains whatever the extraction made of it.
    if (check.status === "rejected") throw check.reason;
    if (extraction.status === "rejected") throw extraction.reason;
    return stage;
  } catch (error) {
    removeTree(stage);
    throw wrap(error, `layer ${layer.name}`);
  }
}
