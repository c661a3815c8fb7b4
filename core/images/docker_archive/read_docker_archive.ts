/**
 * `plash import-docker-archive`: an image from what `docker save` writes, a
 * tar archive with `manifest.json` listing each image's config file, tags
 * and layer files (`<id>/layer.tar` in older dockers, `blobs/sha256/<hex>`
 * since docker 25).
 *
 * Digests are checked where the archive has them: a file named after its
 * digest must match it. Every layer, compressed or not, must decompress to
 * the tar its `diff_id` in the config names.
 *
 * @module
 */

import { PlashError, wrap } from "../../errors.ts";
import type { Store } from "../../store/store.ts";
import { detectCompression } from "../../tar/decompress.ts";
import { digestOf, shortDigest } from "../digest.ts";
import { checkLayerCount, installImage } from "../install_image.ts";
import { formatReference, parseReference, referenceKey } from "../registry/reference.ts";
import { fileInside, onlyImage, readSmallFile, withArchiveDir } from "../archive_dir.ts";
import { imageConfigOf } from "../oci/oci_image_config.ts";
import { diffIdsOf, parseImageConfig } from "../oci/manifest.ts";

/** One image of the archive's manifest.json. */
interface Entry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/**
 * Imports the image of `docker save` archive `source` (a file, "-" for
 * stdin, or a directory it was unpacked to) tagged `ref`, or its only one,
 * into `store`; returns its id. The image's tags map to it as
 * `--from-docker TAG` finds them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { importDockerArchive } from "./read_docker_archive.ts";
 * import { exportDockerArchive } from "./write_docker_archive.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const dir = Deno.makeTempDirSync();
 * const archive = `${dir}/app.tar`; // `docker save app:1 > app.tar`
 * await exportDockerArchive(store, store.addLayer(0, store.makeTmpDir()), archive, { ref: "app:1" });
 * const id = await importDockerArchive(store, archive, undefined, AbortSignal.timeout(60_000));
 * assert.equal(store.parent(id), 0);
 * Deno.removeSync(store.root, { recursive: true });
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function importDockerArchive(
  store: Store,
  source: string,
  ref: string | undefined,
  signal: AbortSignal,
): Promise<number> {
  try {
    return await withArchiveDir(store, source, (dir) => importFrom(store, dir, ref, signal));
  } catch (error) {
    signal.throwIfAborted();
    throw wrap(error, `import-docker-archive ${source === "-" ? "stdin" : source}`);
  }
}

async function importFrom(
  store: Store,
  dir: string,
  ref: string | undefined,
  signal: AbortSignal,
): Promise<number> {
  const entry = pickImage(await readEntries(dir), ref);
  checkLayerCount(entry.Layers.length);
  const configPath = fileInside(dir, entry.Config, "config");
  const configBytes = await readSmallFile(configPath, { digest: digestInName(entry.Config) });
  const config = parseImageConfig(configBytes);
  const diffIds = diffIdsOf(config, entry.Layers.length);
  const layers = await Promise.all(entry.Layers.map(async (name, i) => {
    const path = fileInside(dir, name, "layer");
    return {
      name: name.replace(/^blobs\/sha256\//, "").replace(/\/layer\.tar$/, "").slice(0, 12),
      digest: digestInName(name) ?? (await isPlainTar(path) ? diffIds[i] : undefined),
      diffId: diffIds[i],
      open: async () => (await Deno.open(path)).readable,
    };
  }));
  const keys = (entry.RepoTags ?? []).flatMap((tag) => {
    try {
      return [referenceKey(tag)];
    } catch {
      return []; // a tag docker would not write: nothing to find it by
    }
  });
  const configDigest = await digestOf(configBytes);
  return await installImage(store, {
    label: `importing ${entry.RepoTags?.[0] ?? shortDigest(configDigest)}`,
    configDigest,
    config: imageConfigOf(config),
    layers,
    keys,
  }, signal);
}

async function readEntries(dir: string): Promise<Entry[]> {
  const bytes = await readSmallFile(fileInside(dir, "manifest.json", "file"), {});
  let entries: unknown;
  try {
    entries = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new PlashError("manifest.json is not JSON");
  }
  const valid = (item: Entry) =>
    typeof item?.Config === "string" && Array.isArray(item.Layers) &&
    item.Layers.every((layer) => typeof layer === "string") &&
    (item.RepoTags == null || Array.isArray(item.RepoTags));
  if (!Array.isArray(entries) || !entries.every(valid)) {
    throw new PlashError("manifest.json is not a list of images");
  }
  return entries;
}

/** The image tagged `ref` (as docker reads tags: `alpine` is `alpine:latest`), or the only one. */
function pickImage(entries: Entry[], ref: string | undefined): Entry {
  const tags = entries.flatMap((entry) => entry.RepoTags ?? []);
  if (ref !== undefined) {
    const wanted = formatReference(parseReference(ref));
    const found = entries.find((entry) =>
      (entry.RepoTags ?? []).some((tag) => {
        try {
          return formatReference(parseReference(tag)) === wanted;
        } catch {
          return false;
        }
      })
    );
    if (found) return found;
    throw new PlashError(
      `no image tagged ${ref}; the archive has: ${tags.join(", ") || "no tags"}`,
    );
  }
  return onlyImage(entries, tags);
}

/** The digest a file's name gives: `blobs/sha256/<hex>`, `<hex>.json`. */
function digestInName(name: string): string | undefined {
  const hex = name.match(/(?:^|\/)([a-f0-9]{64})(?:\.json)?$/)?.[1];
  return hex && `sha256:${hex}`;
}

/** Whether the file at `path` is an uncompressed tar (its digest is then its diff_id). */
async function isPlainTar(path: string): Promise<boolean> {
  using file = await Deno.open(path);
  const head = new Uint8Array(6);
  const read = await file.read(head) ?? 0;
  return detectCompression(head.subarray(0, read)) === "none";
}
