/**
 * Unpacking one image layer into a staging directory while it downloads.
 *
 * @module
 */

import { PlashError, wrap } from "../errors.ts";
import type { DeferredMetadata } from "../tree/deferred_metadata.ts";
import type { Store } from "../store/store.ts";
import { removeStaged } from "../runtime/remove_staged.ts";
import { decompressForReading } from "../tar/decompress.ts";
import { extractTar } from "../tar/extract.ts";
import { applyDeferred, deferredMetadata } from "./apply_deferred.ts";
import { checkBlob } from "./checked_blob.ts";
import { hashedTar } from "./hashed_tar.ts";
import { countBytes, type Progress } from "./progress.ts";

/** A layer of an image, wherever its bytes come from. */
export interface LayerBlob {
  /** What progress and errors call it. */
  name: string;
  /** The sha256 of the bytes `open` yields, when known: checked, and the layer's cache key. */
  digest?: string;
  /** Their size, when known: checked. */
  size?: number;
  /** Their media type, when a manifest says. */
  mediaType?: string;
  /** The sha256 of the layer as an uncompressed tar (the config's `diff_id`): checked. */
  diffId: string;
  /** The layer's bytes: a tar archive, plain, gzip or zstd. */
  open(signal: AbortSignal): Promise<ReadableStream<Uint8Array>>;
}

/**
 * Streams `layer` into a new staging directory of `store` and returns it (the
 * layer is its `root`). Whiteouts become overlay whiteouts; the digest and
 * size of the blob are checked, and the digest of the tar it decompresses to
 * (its diff_id), hashed as it is extracted (`hashed_tar.ts`). On any failure the directory is
 * removed. Without root the layer is extracted as the caller: given
 * `deferred`, what needs root of the user namespace is noted there for the
 * caller to apply (`apply_deferred.ts`: one child for several layers), else
 * it is applied here.
 */
export async function stageLayer(
  store: Store,
  layer: LayerBlob,
  signal: AbortSignal,
  progress: Progress,
  deferred?: DeferredMetadata,
): Promise<string> {
  const stage = store.makeTmpDir();
  const notes = deferred ?? deferredMetadata();
  try {
    const root = `${stage}/root`;
    Deno.mkdirSync(root);
    // The root's mode stays this unless the layer lists "./" itself.
    Deno.chmodSync(root, 0o755);
    const source = countBytes(await layer.open(signal), progress.item(layer.name, layer.size));
    const blob = checkBlob(source, layer, signal);
    // The tar is hashed as the extractor reads it, then to its end (past where the
    // extractor stops, also when it fails): the diff_id covers every byte.
    const tar = decompressForReading(blob.stream).then(hashedTar);
    const extracted = tar.then((tar) =>
      extractTar(tar.source, root, { whiteouts: true, deferred: notes })
    );
    const hashed = extracted.catch(() => {}).then(() => tar).then((tar) => tar.digest())
      .finally(blob.release);
    const [extraction, check, diff] = await Promise.allSettled([extracted, blob.verified, hashed]);
    // A corrupt blob explains whatever the rest made of it, a layer that is not
    // the one the config names explains what the extraction made of it.
    if (check.status === "rejected") throw check.reason;
    if (diff.status === "rejected") throw diff.reason;
    if (diff.value !== layer.diffId) {
      throw new PlashError(
        `diff_id mismatch: the uncompressed layer is ${diff.value}, the config says ${layer.diffId}`,
      );
    }
    if (extraction.status === "rejected") throw extraction.reason;
    // Applied here only when the notes are this call's own (a caller that passes its own applies
    // them for all its layers at once).
    if (deferred === undefined) await applyDeferred(notes, [root]);
    return stage;
  } catch (error) {
    // Files the child chowned may be closed to the caller: removed as namespace root then.
    await removeStaged(stage);
    throw wrap(error, `layer ${layer.name}`);
  }
}
