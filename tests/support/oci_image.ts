/**
 * Test support: OCI images made in the test, as blobs, written as an OCI
 * image layout, a `docker save` archive, or pushed to a registry with the
 * registry API (no skopeo needed).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { buildArchive, type FixtureEntry } from "./tar_fixtures.ts";
import { runCommand } from "./command.ts";

/** A blob and what describes it. */
export interface OciBlob {
  mediaType: string;
  digest: string;
  size: number;
  bytes: Uint8Array;
}

/** A layer: its blob and the digest of its uncompressed tar. */
export interface Layer extends OciBlob {
  diffId: string;
}

/** An image: config, layers and the manifest that lists them. */
export interface Image {
  config: OciBlob;
  layers: Layer[];
  manifest: OciBlob;
}

/** The run settings of an image config. */
export interface RunConfig {
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  User?: string;
}

const LAYER = "application/vnd.oci.image.layer.v1.tar";

/** sha256:HEX of `bytes`. */
export function digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** `bytes` as a blob of type `mediaType`. */
export function blob(mediaType: string, bytes: Uint8Array): OciBlob {
  return { mediaType, digest: digest(bytes), size: bytes.length, bytes };
}

/** A JSON document as a blob. */
export function jsonBlob(mediaType: string, value: unknown): OciBlob {
  return blob(mediaType, new TextEncoder().encode(JSON.stringify(value)));
}

/** A layer from a tar archive (or entries to make one), compressed as asked. */
export async function layer(
  tar: Uint8Array | FixtureEntry[],
  compression: "gzip" | "zstd" | "none" = "gzip",
): Promise<Layer> {
  const archive = tar instanceof Uint8Array ? tar : await buildArchive(tar);
  let bytes = archive;
  if (compression === "gzip") {
    const stream = new Blob([archive as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
      new CompressionStream("gzip"),
    );
    bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  } else if (compression === "zstd") {
    bytes = (await runCommand("zstd", ["-q", "-c"], { stdin: archive })).stdout;
  }
  const suffix = compression === "none" ? "" : `+${compression}`;
  return { ...blob(LAYER + suffix, bytes), diffId: digest(archive) };
}

/** An image of `layers` with run settings `config`, for `architecture`. */
export function image(layers: Layer[], config: RunConfig = {}, architecture = "amd64"): Image {
  const configBlob = jsonBlob("application/vnd.oci.image.config.v1+json", {
    architecture,
    os: "linux",
    config,
    rootfs: { type: "layers", diff_ids: layers.map((each) => each.diffId) },
  });
  const manifest = jsonBlob("application/vnd.oci.image.manifest.v1+json", {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: describe(configBlob),
    layers: layers.map(describe),
  });
  return { config: configBlob, layers, manifest };
}

/** An index of `images`, each described with its config's platform. */
export function index(images: { image: Image; architecture: string; variant?: string }[]): OciBlob {
  return jsonBlob("application/vnd.oci.image.index.v1+json", {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: images.map(({ image, architecture, variant }) => ({
      ...describe(image.manifest),
      platform: { os: "linux", architecture, ...(variant ? { variant } : {}) },
    })),
  });
}

/** The descriptor of `blob`. */
export function describe(blob: OciBlob): { mediaType: string; digest: string; size: number } {
  return { mediaType: blob.mediaType, digest: blob.digest, size: blob.size };
}

/** Every blob of `image`. */
export function blobsOf(image: Image): OciBlob[] {
  return [image.config, ...image.layers, image.manifest];
}

/**
 * Writes an OCI image layout at `dir`: `blobs`, and an index.json listing
 * `manifests` (with a ref name annotation each, when given).
 */
export function writeLayout(
  dir: string,
  blobs: OciBlob[],
  manifests: { blob: OciBlob; ref?: string }[],
): void {
  Deno.mkdirSync(`${dir}/blobs/sha256`, { recursive: true });
  for (const each of blobs) {
    Deno.writeFileSync(`${dir}/blobs/sha256/${each.digest.slice(7)}`, each.bytes);
  }
  Deno.writeTextFileSync(`${dir}/oci-layout`, '{"imageLayoutVersion":"1.0.0"}');
  Deno.writeTextFileSync(
    `${dir}/index.json`,
    JSON.stringify({
      schemaVersion: 2,
      manifests: manifests.map(({ blob, ref }) => ({
        ...describe(blob),
        ...(ref ? { annotations: { "org.opencontainers.image.ref.name": ref } } : {}),
      })),
    }),
  );
}

/**
 * Pushes `image` as `repository:tag` to registry `host`, or each image of
 * `list` (by digest) and then the index `list.index` under `tag`.
 */
export async function pushImage(
  host: string,
  repository: string,
  tag: string,
  image: Image,
  headers: Record<string, string> = {},
): Promise<void> {
  await push(host, repository, tag, [image.config, ...image.layers], image.manifest, headers);
}

/** Pushes the images of an index by digest, then the index under `tag`. */
export async function pushIndex(
  host: string,
  repository: string,
  tag: string,
  images: Image[],
  list: OciBlob,
): Promise<void> {
  for (const each of images) await pushImage(host, repository, each.manifest.digest, each);
  await push(host, repository, tag, [], list);
}

/**
 * Pushes blobs and then a manifest (or index) as `repository:reference` (a
 * tag or the manifest's digest) to registry `host`.
 */
export async function push(
  host: string,
  repository: string,
  reference: string,
  blobs: OciBlob[],
  manifest: OciBlob,
  headers: Record<string, string> = {},
): Promise<void> {
  const base = `http://${host}/v2/${repository}`;
  for (const each of blobs) {
    const start = await fetch(`${base}/blobs/uploads/`, { method: "POST", headers });
    await start.body?.cancel();
    if (start.status !== 202) throw new Error(`upload start: ${start.status}`);
    const location = new URL(start.headers.get("location")!, base);
    location.searchParams.set("digest", each.digest);
    const put = await fetch(location, {
      method: "PUT",
      headers: { ...headers, "content-type": "application/octet-stream" },
      body: each.bytes as Uint8Array<ArrayBuffer>,
    });
    await put.body?.cancel();
    if (put.status !== 201) throw new Error(`upload of ${each.digest}: ${put.status}`);
  }
  const put = await fetch(`${base}/manifests/${reference}`, {
    method: "PUT",
    headers: { ...headers, "content-type": manifest.mediaType },
    body: manifest.bytes as Uint8Array<ArrayBuffer>,
  });
  const text = await put.text();
  if (put.status !== 201) {
    throw new Error(`manifest ${repository}:${reference}: ${put.status} ${text}`);
  }
}
