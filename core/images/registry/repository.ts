/**
 * Reading one repository of a registry: manifests (with their digests and
 * bytes), blobs as they stream, configs checked and bounded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Repository } from "./repository.ts";
 * import { RegistryClient } from "./client.ts";
 *
 * // A registry at 127.0.0.1:5000, say:
 * //   const { digest, document } = await repository.manifest("latest");
 * // None listens on port 1: one line naming the URL.
 * const repository = new Repository(new RegistryClient("127.0.0.1:1"), "app");
 * await assert.rejects(repository.manifest("latest"), /127\.0\.0\.1:1\/v2\/app\/manifests/);
 * ```
 *
 * @module
 */

import { wrap } from "../../errors.ts";
import { readBlob, refuseOversized } from "../checked_blob.ts";
import { digestOf } from "../digest.ts";
import { CONFIG_LIMIT, DOCUMENT_LIMIT } from "../limits.ts";
import { type Descriptor, type ManifestDocument, parseManifest } from "../oci/manifest.ts";
import { MANIFEST_TYPES, OCI_MANIFEST } from "../oci/media_types.ts";
import type { RegistryClient } from "./client.ts";

/** A manifest as a registry sent it. */
export interface FetchedManifest {
  document: ManifestDocument;
  digest: string;
  bytes: Uint8Array<ArrayBuffer>;
  /** Its media type: the document's own, else the Content-Type. */
  mediaType: string;
}

/** One repository of a registry, to read from. */
export class Repository {
  readonly #client: RegistryClient;
  readonly #name: string;
  readonly #scope: string;

  /** Repository `name` (`library/alpine`) of the registry `client` talks to. */
  constructor(client: RegistryClient, name: string) {
    this.#client = client;
    this.#name = name;
    this.#scope = `repository:${name}:pull`;
  }

  /**
   * The manifest (or index) that `reference` (a tag or digest) names:
   * parsed, its digest, bytes and type.
   */
  async manifest(reference: string): Promise<FetchedManifest> {
    return (await this.#manifest(reference, false))!;
  }

  /** The same, or undefined when the registry has no such manifest (404). */
  findManifest(reference: string): Promise<FetchedManifest | undefined> {
    return this.#manifest(reference, true);
  }

  async #manifest(reference: string, missingOk: boolean): Promise<FetchedManifest | undefined> {
    const path = `/v2/${this.#name}/manifests/${reference}`;
    const what = `manifest ${reference}`;
    const response = await this.#client.request("GET", path, this.#scope, what, {
      accept: [...MANIFEST_TYPES],
      ok: missingOk ? [200, 404] : undefined,
    });
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = await readBlob(response.body!, { limit: DOCUMENT_LIMIT });
    } catch (error) {
      throw wrap(error, what);
    }
    const contentType = response.headers.get("content-type")?.split(";")[0].trim();
    const document = parseManifest(bytes, contentType);
    const declared = JSON.parse(new TextDecoder().decode(bytes)).mediaType;
    const mediaType = typeof declared === "string" ? declared : contentType ?? OCI_MANIFEST;
    return { document, digest: await digestOf(bytes), bytes, mediaType };
  }

  /** A blob's bytes as they stream (checked by whoever reads them); errors call it `what`. */
  async blob(descriptor: Descriptor, what: string): Promise<ReadableStream<Uint8Array>> {
    const path = `/v2/${this.#name}/blobs/${descriptor.digest}`;
    return (await this.#client.get(path, this.#scope, what)).body!;
  }

  /** The config blob's bytes, checked; one declared above the cap is not asked for. */
  async config(descriptor: Descriptor): Promise<Uint8Array<ArrayBuffer>> {
    const what = `config ${descriptor.digest}`;
    const expected = { ...descriptor, limit: CONFIG_LIMIT };
    try {
      refuseOversized(expected);
    } catch (error) {
      throw wrap(error, what);
    }
    // The request's own errors name the config already.
    const stream = await this.blob(descriptor, what);
    try {
      return await readBlob(stream, expected);
    } catch (error) {
      throw wrap(error, what);
    }
  }
}
