/**
 * Test support for the image download tests: a local HTTP server on
 * 127.0.0.1 serving fixed routes and counting requests, and the busybox
 * fixture as an `xz`-compressed tar archive made by Debian's tar and xz, as
 * LXC image servers ship root filesystems.
 *
 * @module
 */

import { busyboxRootfs } from "../../scripts/busybox_rootfs.ts";
import { run } from "./tar_fixtures.ts";

/** What a path answers: bytes (200), or a handler. */
export type Route = Uint8Array | string | ((request: Request) => Response | Promise<Response>);

/** A running server; stop it with `await using`. */
export interface ImageServer extends AsyncDisposable {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Adds or replaces routes while the server runs. */
  routes: Record<string, Route>;
  /** How many requests came for `path`, or for any path. */
  requests(path?: string): number;
}

/** Serves `routes` (by path); other paths are 404. */
export function serveImages(routes: Record<string, Route>): ImageServer {
  const counts = new Map<string, number>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      const path = decodeURIComponent(new URL(request.url).pathname);
      counts.set(path, (counts.get(path) ?? 0) + 1);
      const route = served.routes[path];
      if (route === undefined) return new Response("not found\n", { status: 404 });
      if (typeof route === "function") return await route(request);
      // A copy: Response wants bytes backed by a plain ArrayBuffer.
      return new Response(typeof route === "string" ? route : route.slice());
    },
  );
  const served: ImageServer = {
    url: `http://127.0.0.1:${server.addr.port}`,
    routes,
    requests: (path) =>
      path === undefined
        ? [...counts.values()].reduce((sum, count) => sum + count, 0)
        : counts.get(path) ?? 0,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
  return served;
}

/** A response that announces `size` bytes but sends only `bytes`, then closes. */
export function shortBody(bytes: Uint8Array, size: number): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-length": String(size) } });
}

const archives = new Map<string, Promise<Uint8Array>>();

/**
 * The busybox fixture as a tar archive compressed by `compressor` (`xz`
 * makes `rootfs.tar.xz`), made once per test process.
 */
export function busyboxArchive(compressor: "xz" | "gzip" = "xz"): Promise<Uint8Array> {
  let archive = archives.get(compressor);
  if (!archive) {
    // A pipeline, not two runs: a pipe's buffer would stall a run fed the whole tar.
    archive = busyboxRootfs().then((rootfs) =>
      run("sh", ["-c", 'tar -C "$1" -cf - . | $2 -c', "sh", rootfs, compressor])
    );
    archives.set(compressor, archive);
  }
  return archive;
}

/** `bytes` with a run of bytes in the middle inverted: a corrupt compressed stream. */
export function corrupt(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  const middle = Math.floor(copy.length / 2);
  for (let i = middle; i < middle + 64 && i < copy.length; i++) copy[i] ^= 0xff;
  return copy;
}
