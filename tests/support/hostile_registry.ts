/**
 * Test support: a hostile registry, written here rather than configured, to
 * do what a real one never would: bodies that never end, sizes that lie,
 * answers that stall, blobs redirected to a second loopback address
 * (127.0.0.2: all of 127.0.0.0/8 is loopback on Linux) and Bearer realms
 * there that record the credentials they are sent.
 *
 * Everything stops by itself: an endless body ends after
 * {@linkcode ENDLESS_LIMIT} bytes, a stall after {@linkcode STALL_LIMIT_MS},
 * so that a plash that does not stop on its own fails its test instead of
 * hanging it.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { Image, OciBlob } from "./oci_image.ts";

/** Where an endless body gives up: far more than any cap plash may have. */
export const ENDLESS_LIMIT = 256 << 20;
/** Where a stall gives up: far longer than the 1 s idle timeout the tests set. */
export const STALL_LIMIT_MS = 20_000;

/** A request a {@linkcode HostileServer} received. */
export interface Seen {
  method: string;
  /** The path and query. */
  path: string;
  /** The Authorization header it carried, or null. */
  authorization: string | null;
}

/** Answers a request, or returns undefined to leave it to the next handler. */
export type Handler = (
  request: Request,
  url: URL,
) => Response | undefined | Promise<Response | undefined>;

/** An HTTP server on a loopback address that records what it is asked; stop it with `await using`. */
export class HostileServer implements AsyncDisposable {
  /** `127.0.0.X:PORT`. */
  readonly host: string;
  /** `http://127.0.0.X:PORT`. */
  readonly url: string;
  /** Every request, in order. */
  readonly seen: Seen[] = [];
  readonly #server: Deno.HttpServer<Deno.NetAddr>;

  /** Serves on `hostname` (127.0.0.1 or 127.0.0.2); `handle` answers, else 404. */
  constructor(hostname: string, handle: Handler) {
    this.#server = Deno.serve({ hostname, port: 0, onListen() {} }, async (request) => {
      const url = new URL(request.url);
      this.seen.push({
        method: request.method,
        path: url.pathname + url.search,
        authorization: request.headers.get("authorization"),
      });
      return await handle(request, url) ?? new Response("not found\n", { status: 404 });
    });
    this.host = `${hostname}:${this.#server.addr.port}`;
    this.url = `http://${this.host}`;
  }

  /** The requests whose path matches `pattern`. */
  requests(pattern: RegExp): Seen[] {
    return this.seen.filter((seen) => pattern.test(seen.path));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#server.shutdown();
  }
}

/**
 * A registry on `hostname` serving `image` as `repository:tag` from memory,
 * anonymously. `override` answers first: return undefined to let the image
 * be served as it is.
 */
export function fakeRegistry(
  image: Image,
  options: { hostname?: string; repository?: string; tag?: string; override?: Handler } = {},
): HostileServer {
  const repository = options.repository ?? "app";
  const tag = options.tag ?? "latest";
  const blobs = new Map<string, OciBlob>(
    [image.config, ...image.layers].map((blob) => [blob.digest, blob]),
  );
  return new HostileServer(options.hostname ?? "127.0.0.1", async (request, url) => {
    const answer = await options.override?.(request, url);
    if (answer) return answer;
    if (url.pathname === "/v2/") return Response.json({});
    const manifest = url.pathname.match(`^/v2/${repository}/manifests/(.+)$`)?.[1];
    if (manifest === tag || manifest === image.manifest.digest) {
      return bytesResponse(image.manifest.bytes, image.manifest.mediaType);
    }
    const blob = url.pathname.match(`^/v2/${repository}/blobs/(.+)$`)?.[1];
    const found = blob === undefined ? undefined : blobs.get(blob);
    if (found) return bytesResponse(found.bytes, "application/octet-stream");
    return Response.json({ errors: [{ code: "NOT_FOUND" }] }, { status: 404 });
  });
}

function bytesResponse(bytes: Uint8Array, type: string): Response {
  // A copy: Response wants bytes backed by a plain ArrayBuffer.
  return new Response(bytes.slice(), { headers: { "content-type": type } });
}

/**
 * A body that never ends (until {@linkcode ENDLESS_LIMIT}): `sent` counts
 * the bytes handed to the server.
 */
export class EndlessBody {
  sent = 0;
  readonly #chunk: Uint8Array<ArrayBuffer>;

  /** Repeats `fill` (a byte value) in chunks of 64 KiB. */
  constructor(fill = 0x20) {
    this.#chunk = new Uint8Array(64 << 10).fill(fill);
  }

  /** A new response streaming it, with `init`'s status and headers. */
  response(init: ResponseInit = {}): Response {
    const stream = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        if (this.sent >= ENDLESS_LIMIT) return controller.close();
        this.sent += this.#chunk.length;
        controller.enqueue(this.#chunk.slice());
      },
    }, { highWaterMark: 0 });
    return new Response(stream, init);
  }

  /**
   * Whether the client stopped reading near `limit` bytes: the server sent
   * no more than `limit` plus what sockets and buffers hold in between (a
   * few MiB on loopback; 32 MiB is far from ENDLESS_LIMIT). Ask once the
   * client has exited: a client that read on would have had it all.
   */
  stoppedNear(limit: number): boolean {
    return this.sent <= limit + (32 << 20);
  }
}

/**
 * A response that sends `head` and then nothing, until the client goes away
 * or {@linkcode STALL_LIMIT_MS} passed (then it breaks off).
 */
export function stallingResponse(head: Uint8Array, init: ResponseInit = {}): Response {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sent = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent) {
        sent = true;
        return controller.enqueue(head.slice());
      }
      return new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          controller.error(new Error("stalled long enough"));
          resolve();
        }, STALL_LIMIT_MS);
      });
    },
    cancel() {
      clearTimeout(timer);
    },
  }, { highWaterMark: 0 });
  return new Response(stream, init);
}

/**
 * A TCP server on 127.0.0.1 that accepts connections and never answers,
 * until the client goes away or {@linkcode STALL_LIMIT_MS} passed. `host` is
 * `127.0.0.1:PORT`; `connections` counts who came.
 */
export class SilentServer implements AsyncDisposable {
  readonly host: string;
  connections = 0;
  readonly #listener: Deno.Listener;
  readonly #accepting: Promise<void>;
  readonly #held: Promise<void>[] = [];

  constructor() {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#listener = listener;
    this.host = `127.0.0.1:${listener.addr.port}`;
    this.#accepting = (async () => {
      try {
        for await (const conn of listener) {
          this.connections++;
          this.#held.push(hold(conn));
        }
      } catch {
        // Closed.
      }
    })();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#listener.close();
    await this.#accepting;
    await Promise.all(this.#held);
  }
}

/** Reads what `conn` sends and says nothing, until it closes or the stall limit passes. */
async function hold(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(4096);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<null>((resolve) =>
    timer = setTimeout(() => resolve(null), STALL_LIMIT_MS)
  );
  try {
    while (await Promise.race([conn.read(buffer), limit]) !== null) {
      // Requests are read and never answered.
    }
  } catch {
    // Reset by the client.
  } finally {
    clearTimeout(timer);
    conn.close();
  }
}

/** What a {@linkcode FakeUploadRegistry} was sent: blobs and manifests by digest and tag. */
export interface Uploaded {
  /** Blobs stored, by `repository@digest`. */
  blobs: Map<string, Uint8Array>;
  /** Manifests stored, by repository:reference, with their content type. */
  manifests: Map<string, { bytes: Uint8Array; type: string }>;
}

/**
 * A registry that takes uploads, in memory, the registry API v2 way: HEAD
 * of blobs, POST of an upload (a mount with `?mount=&from=` when the blob is
 * there), PATCH of chunks (their `Content-Range` checked), PUT with the
 * digest (checked), PUT of manifests, GET of both. `override` answers first
 * (a refusal, a lie); `report` may change the digest the registry says it
 * stored. Anonymous, or with `token` set, Bearer tokens from its own
 * `/token` for a scope that includes `push`.
 */
export class FakeUploadRegistry extends HostileServer {
  readonly uploaded: Uploaded = { blobs: new Map(), manifests: new Map() };
  /** The scopes `/token` was asked for. */
  readonly scopes: string[] = [];

  constructor(
    options: {
      override?: Handler;
      report?: (kind: "blob" | "manifest", digest: string) => string;
      token?: boolean;
    } = {},
  ) {
    const sessions = new Map<string, Uint8Array[]>();
    // Set just after super(): the handler only runs once the server is up.
    // deno-lint-ignore prefer-const
    let self: FakeUploadRegistry | undefined;
    super("127.0.0.1", async (request, url) => {
      const answer = await options.override?.(request, url);
      if (answer) return answer;
      const report = (kind: "blob" | "manifest", digest: string) =>
        options.report?.(kind, digest) ?? digest;
      if (url.pathname === "/token") {
        self!.scopes.push(url.searchParams.getAll("scope").join(" "));
        return Response.json({ token: `t:${url.searchParams.getAll("scope").join(" ")}` });
      }
      if (options.token && !/[:,]push\b/.test(request.headers.get("authorization") ?? "")) {
        return new Response(null, {
          status: 401,
          headers: { "www-authenticate": `Bearer realm="${self!.url}/token",service="fake"` },
        });
      }
      if (url.pathname === "/v2/") return Response.json({});
      const body = async () => new Uint8Array(await request.arrayBuffer());
      const blob = url.pathname.match(/^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/);
      if (blob && (request.method === "HEAD" || request.method === "GET")) {
        const found = self!.uploaded.blobs.get(`${blob[1]}@${blob[2]}`);
        if (!found) return new Response(null, { status: 404 });
        return new Response(request.method === "HEAD" ? null : found.slice(), {
          headers: { "content-length": String(found.length), "docker-content-digest": blob[2] },
        });
      }
      const start = url.pathname.match(/^\/v2\/(.+)\/blobs\/uploads\/$/);
      if (start && request.method === "POST") {
        const mount = url.searchParams.get("mount");
        const mounted = self!.uploaded.blobs.get(`${url.searchParams.get("from")}@${mount}`);
        if (mounted) {
          self!.uploaded.blobs.set(`${start[1]}@${mount}`, mounted);
          return new Response(null, { status: 201 });
        }
        const id = crypto.randomUUID();
        sessions.set(id, []);
        return new Response(null, {
          status: 202,
          headers: { location: `/v2/${start[1]}/blobs/uploads/${id}` },
        });
      }
      const session = url.pathname.match(/^\/v2\/(.+)\/blobs\/uploads\/([\w-]+)$/);
      const parts = session && sessions.get(session[2]);
      if (session && parts && (request.method === "PATCH" || request.method === "PUT")) {
        const offset = parts.reduce((total, part) => total + part.length, 0);
        const range = request.headers.get("content-range");
        if (request.method === "PATCH" && range && !range.startsWith(`${offset}-`)) {
          return new Response(null, { status: 416 });
        }
        parts.push(await body());
        const location = `/v2/${session[1]}/blobs/uploads/${session[2]}`;
        if (request.method === "PATCH") {
          const end = parts.reduce((total, part) => total + part.length, 0) - 1;
          return new Response(null, { status: 202, headers: { location, range: `0-${end}` } });
        }
        const bytes = new Uint8Array(await new Blob(parts as BlobPart[]).arrayBuffer());
        const digest = url.searchParams.get("digest")!;
        if (digestOf(bytes) !== digest) {
          return Response.json({ errors: [{ code: "DIGEST_INVALID" }] }, { status: 400 });
        }
        sessions.delete(session[2]);
        self!.uploaded.blobs.set(`${session[1]}@${digest}`, bytes);
        return new Response(null, {
          status: 201,
          headers: { "docker-content-digest": report("blob", digest) },
        });
      }
      const manifest = url.pathname.match(/^\/v2\/(.+)\/manifests\/(.+)$/);
      if (manifest && request.method === "PUT") {
        const bytes = await body();
        const type = request.headers.get("content-type") ?? "";
        const digest = digestOf(bytes);
        self!.uploaded.manifests.set(`${manifest[1]}:${manifest[2]}`, { bytes, type });
        self!.uploaded.manifests.set(`${manifest[1]}:${digest}`, { bytes, type });
        return new Response(null, {
          status: 201,
          headers: { "docker-content-digest": report("manifest", digest) },
        });
      }
      if (manifest && (request.method === "GET" || request.method === "HEAD")) {
        const found = self!.uploaded.manifests.get(`${manifest[1]}:${manifest[2]}`);
        if (!found) {
          return Response.json({ errors: [{ code: "MANIFEST_UNKNOWN" }] }, { status: 404 });
        }
        return new Response(request.method === "HEAD" ? null : found.bytes.slice(), {
          headers: { "content-type": found.type },
        });
      }
      return undefined;
    });
    self = this;
  }
}

function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}
