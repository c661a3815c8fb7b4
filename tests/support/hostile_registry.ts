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
