/**
 * Where an image's blobs are in registries, noted on the image (see
 * `store/notes.ts`), as docker keeps its "distribution metadata": a layer
 * pulled, or pushed, from `registry/repository` as blob D (with diff_id X)
 * is D there, so a push of it to that registry asks whether D is there, or
 * mounts D from that repository, instead of packing and compressing the
 * layer again. A pulled image's manifest and config are noted on its config
 * image, so that pushing it back unchanged gives the same manifest, byte for
 * byte, and the same digest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { knownBlobs, rememberBlob } from "./blob_notes.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const id = store.addLayer(0, store.makeTmpDir());
 * const blob = {
 *   digest: `sha256:${"a".repeat(64)}`,
 *   size: 42,
 *   mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
 *   diffId: `sha256:${"b".repeat(64)}`,
 * };
 * rememberBlob(store, id, blob, "127.0.0.1:5000/app");
 * assert.deepEqual(knownBlobs(store, id), [{ ...blob, repositories: ["127.0.0.1:5000/app"] }]);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 *
 * @module
 */

import { imageNote, setImageNote } from "../store/notes.ts";
import type { Store } from "../store/store.ts";
import { ociLayerType } from "./oci/media_types.ts";

/** A blob that holds an image's layer. */
export interface LayerBlobInfo {
  /** The blob's digest. */
  digest: string;
  /** Its size. */
  size: number;
  /** Its media type, OCI's name for it. */
  mediaType: string;
  /** The digest of the tar it decompresses to. */
  diffId: string;
}

/** A layer blob and where it is. */
export interface KnownBlob extends LayerBlobInfo {
  /** `registry/repository` names that have it, the latest last. */
  repositories: string[];
}

/** A pulled image's manifest and config, as its registry sent them. */
export interface PulledManifest {
  /** The manifest's bytes. */
  manifest: Uint8Array;
  /** Its media type. */
  mediaType: string;
  /** The config blob's bytes. */
  config: Uint8Array;
  /** Where it was pulled from: `registry/repository`. */
  repository: string;
}

const BLOBS = "blobs";
const MANIFEST = "manifest";
/** How many repositories a blob's note keeps. */
const KEPT = 8;

/** The blobs known to hold layer image `id`'s layer. */
export function knownBlobs(store: Store, id: number): KnownBlob[] {
  const note = imageNote(store, id, BLOBS);
  return Array.isArray(note) ? note.filter(isKnownBlob) : [];
}

/** Notes that `repository` (`registry/repository`) has `blob`, which holds layer image `id`'s layer. */
export function rememberBlob(
  store: Store,
  id: number,
  blob: LayerBlobInfo,
  repository: string,
): void {
  const known = knownBlobs(store, id);
  const mediaType = ociLayerType(blob.mediaType);
  const same = known.find((each) => each.digest === blob.digest);
  if (same?.repositories.at(-1) === repository) return;
  const repositories = [
    ...(same?.repositories ?? []).filter((each) => each !== repository),
    repository,
  ]
    .slice(-KEPT);
  const { digest, size, diffId } = blob;
  const others = known.filter((each) => each !== same);
  setImageNote(store, id, BLOBS, [...others, { digest, size, mediaType, diffId, repositories }]);
}

/** Notes the manifest and config that config image `id` was pulled with. */
export function rememberManifest(store: Store, id: number, pulled: PulledManifest): void {
  setImageNote(store, id, MANIFEST, {
    manifest: pulled.manifest.toBase64(),
    mediaType: pulled.mediaType,
    config: pulled.config.toBase64(),
    repository: pulled.repository,
  });
}

/** The manifest and config config image `id` was pulled with, when noted. */
export function pulledManifest(store: Store, id: number): PulledManifest | undefined {
  const note = imageNote(store, id, MANIFEST) as Record<string, unknown> | undefined;
  if (
    typeof note?.manifest !== "string" || typeof note.config !== "string" ||
    typeof note.mediaType !== "string" || typeof note.repository !== "string"
  ) {
    return undefined;
  }
  try {
    return {
      manifest: Uint8Array.fromBase64(note.manifest),
      mediaType: note.mediaType,
      config: Uint8Array.fromBase64(note.config),
      repository: note.repository,
    };
  } catch {
    return undefined; // not base64: not a note plash wrote
  }
}

function isKnownBlob(value: unknown): value is KnownBlob {
  const blob = value as KnownBlob;
  return typeof blob?.digest === "string" && /^sha256:[a-f0-9]{64}$/.test(blob.digest) &&
    Number.isSafeInteger(blob.size) && typeof blob.mediaType === "string" &&
    typeof blob.diffId === "string" && Array.isArray(blob.repositories) &&
    blob.repositories.every((each) => typeof each === "string");
}
