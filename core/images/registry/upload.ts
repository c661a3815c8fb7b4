/**
 * Uploading blobs and manifests to one repository of a registry, the
 * registry API v2 way:
 *
 * * `HEAD /v2/NAME/blobs/DIGEST`: a blob the repository has is not sent;
 * * `POST /v2/NAME/blobs/uploads/?mount=DIGEST&from=OTHER`: a blob another
 *   repository of the registry has is mounted, not sent (201); a registry
 *   that cannot answers 202 with an upload session instead, which is used;
 * * `POST .../uploads/` starts a session, then either one `PUT
 *   LOCATION?digest=D` with the whole blob (monolithic), or for a blob
 *   larger than a chunk (`PLASH_PUSH_CHUNK` bytes, default 8 MiB) a
 *   `PATCH LOCATION` per chunk with its `Content-Range`, each answer naming
 *   the next location, and a closing `PUT LOCATION?digest=D` (chunked). A
 *   layer streams out as it is packed and compressed, its digest known
 *   only at its end: it is not staged on disk;
 * * `PUT /v2/NAME/manifests/REFERENCE` last.
 *
 * Whatever the registry says a blob or manifest is (`Docker-Content-Digest`)
 * must be what plash sent: a registry that reports another digest fails the
 * push.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Uploader } from "./upload.ts";
 * import { RegistryClient } from "./client.ts";
 *
 * const bytes = new TextEncoder().encode("{}");
 * const digest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
 * // A registry at 127.0.0.1:5000, say:
 * //   if (!await uploads.has(digest)) {
 * //     await uploads.upload(ReadableStream.from([bytes]), "a config", undefined, digest);
 * //   }
 * // None listens on port 1: one line naming the URL.
 * const uploads = new Uploader(new RegistryClient("127.0.0.1:1"), "app");
 * await assert.rejects(uploads.has(digest), /127\.0\.0\.1:1\/v2\/app\/blobs\/sha256:44136fa3/);
 * ```
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import { createSha256 } from "../../sha256.ts";
import { inBlocks } from "../../tar/compress.ts";
import type { ProgressItem } from "../progress.ts";
import type { RegistryClient } from "./client.ts";

/**
 * The largest piece of a blob sent in one request, unless `PLASH_PUSH_CHUNK`
 * says (bytes): also what an upload holds in memory, twice.
 */
export const DEFAULT_CHUNK = 8 << 20;
/** What a request body hands over at a time. */
const PIECE = 64 << 10;

/** A blob uploaded: its digest and size. */
export interface WrittenBlob {
  digest: string;
  size: number;
}

/** Uploads to repository `repository` of the registry `client` talks to. */
export class Uploader {
  readonly #client: RegistryClient;
  readonly #repository: string;
  readonly #chunk: number;

  constructor(client: RegistryClient, repository: string, chunk = pushChunk()) {
    this.#client = client;
    this.#repository = repository;
    this.#chunk = chunk;
  }

  /** The token scope of pushing here (and of reading `from` too, when given). */
  #scope(from?: string): string {
    const push = `repository:${this.#repository}:pull,push`;
    return from === undefined ? push : `${push} repository:${from}:pull`;
  }

  /** Whether the repository has blob `digest`. */
  async has(digest: string): Promise<boolean> {
    const path = `/v2/${this.#repository}/blobs/${digest}`;
    const response = await this.#client.request("HEAD", path, this.#scope(), `blob ${digest}`, {
      ok: [200, 404],
    });
    await response.body?.cancel();
    return response.status === 200;
  }

  /**
   * Mounts blob `digest` from repository `from` of the same registry;
   * false when the registry would not (the session it opened instead is
   * left to expire: a blob upload may follow at once on its own session).
   */
  async mount(digest: string, from: string): Promise<boolean> {
    const query = new URLSearchParams({ mount: digest, from });
    const response = await this.#client.request(
      "POST",
      `/v2/${this.#repository}/blobs/uploads/?${query}`,
      this.#scope(from),
      `mount of blob ${digest} from ${from}`,
      { ok: [201, 202] },
    );
    await response.body?.cancel();
    return response.status === 201;
  }

  /**
   * Uploads the blob `stream` holds (errors call it `name`), hashing it on
   * the way, and returns its digest and size; `expected`, when given, is the
   * digest it must have. A
   * blob of at most one chunk goes in one PUT; a larger one in PATCHes of
   * one chunk each, the next chunk read (and so compressed, for a layer) while
   * the last is sent, then a PUT with the digest. `progress` counts what
   * was sent.
   */
  async upload(
    stream: ReadableStream<Uint8Array>,
    name: string,
    progress?: ProgressItem,
    expected?: string,
  ): Promise<WrittenBlob> {
    const what = `upload of ${name}`;
    const hash = await createSha256();
    const blocks = inBlocks(stream, this.#chunk).getReader();
    const read = async () => {
      const { done, value } = await blocks.read();
      if (done) return undefined;
      hash.update(value);
      return value;
    };
    try {
      const start = await this.#client.request(
        "POST",
        `/v2/${this.#repository}/blobs/uploads/`,
        this.#scope(),
        what,
        { ok: [202] },
      );
      await start.body?.cancel();
      let location = locationOf(start, what);
      const first = await read() ?? new Uint8Array(0);
      let upcoming = await read();
      let body: Uint8Array<ArrayBuffer> | undefined = first;
      let size = 0;
      if (upcoming !== undefined) {
        // Each chunk is sent while the one after the next is read.
        let current: Uint8Array<ArrayBuffer> | undefined = first;
        while (current !== undefined) {
          const [at, after]: [string, Uint8Array<ArrayBuffer> | undefined] = await Promise.all([
            this.#patch(location, current, size, what, progress),
            upcoming === undefined ? undefined : read(),
          ]);
          location = at;
          size += current.length;
          current = upcoming;
          upcoming = after;
        }
        body = undefined;
      } else size = first.length;
      const digest = `sha256:${hash.hex()}`;
      if (expected !== undefined && digest !== expected) {
        throw new PlashError(`${what}: the blob read is ${digest}`);
      }
      const url = new URL(location);
      url.searchParams.set("digest", digest);
      const put = await this.#client.request("PUT", url.href, this.#scope(), what, {
        headers: {
          "content-type": "application/octet-stream",
          "content-length": String(body?.length ?? 0),
        },
        body: body === undefined || body.length === 0 ? undefined : () => sendable(body!, progress),
        ok: [201],
      });
      await put.body?.cancel();
      checkReported(put, digest, what);
      progress?.done();
      return { digest, size };
    } finally {
      blocks.cancel().catch(() => {});
    }
  }

  /** Sends `chunk` (the blob from `offset`) to upload `location`; returns the next location. */
  async #patch(
    location: string,
    chunk: Uint8Array<ArrayBuffer>,
    offset: number,
    what: string,
    progress?: ProgressItem,
  ): Promise<string> {
    const response = await this.#client.request("PATCH", location, this.#scope(), what, {
      headers: {
        "content-type": "application/octet-stream",
        "content-range": `${offset}-${offset + chunk.length - 1}`,
        "content-length": String(chunk.length),
      },
      body: () => sendable(chunk, progress),
      ok: [202],
    });
    await response.body?.cancel();
    return locationOf(response, what);
  }

  /**
   * Puts manifest `bytes` (of media type `mediaType`, digest `digest`) as
   * `reference`, a tag or its digest.
   */
  async putManifest(
    reference: string,
    bytes: Uint8Array<ArrayBuffer>,
    mediaType: string,
    digest: string,
  ): Promise<void> {
    const what = `manifest ${this.#repository}:${reference}`;
    const response = await this.#client.request(
      "PUT",
      `/v2/${this.#repository}/manifests/${reference}`,
      this.#scope(),
      what,
      { headers: { "content-type": mediaType }, body: () => bytes, ok: [201] },
    );
    await response.body?.cancel();
    checkReported(response, digest, what);
  }
}

/** `PLASH_PUSH_CHUNK` as bytes, else {@linkcode DEFAULT_CHUNK}. */
export function pushChunk(): number {
  const text = Deno.env.get("PLASH_PUSH_CHUNK");
  if (text === undefined || text === "") return DEFAULT_CHUNK;
  const bytes = Number(text);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new PlashError(`PLASH_PUSH_CHUNK: not a number of bytes: ${JSON.stringify(text)}`);
  }
  return bytes;
}

/**
 * `bytes` as a stream of small pieces: the idle timeout counts from the last
 * piece taken (see `net/http.ts`), so a slow link is not a silent server;
 * `progress` counts each piece.
 */
function sendable(bytes: Uint8Array<ArrayBuffer>, progress?: ProgressItem): ReadableStream {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      const piece = bytes.subarray(offset, offset + PIECE);
      offset += piece.length;
      progress?.add(piece.length);
      controller.enqueue(piece);
    },
  }, { highWaterMark: 0 });
}

/** The absolute URL of the upload session an answer names. */
function locationOf(response: Response, what: string): string {
  const location = response.headers.get("location");
  if (!location) throw new PlashError(`${what}: the registry named no upload location`);
  return new URL(location, response.url).href;
}

/** Fails unless what the registry says it stored is `digest` (when it says). */
function checkReported(response: Response, digest: string, what: string): void {
  const reported = response.headers.get("docker-content-digest");
  if (reported !== null && reported !== digest) {
    throw new PlashError(`${what}: the registry stored ${reported}, plash sent ${digest}`);
  }
}
