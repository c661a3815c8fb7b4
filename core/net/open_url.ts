/**
 * Opening a URL for reading a download as it streams: http, https and file,
 * with the length checked and failures told in one line.
 *
 * @module
 */

import { PlashError, reason, wrap } from "../errors.ts";
import { fetchFollowing, parseUrl } from "./http.ts";

/** An opened URL. */
export interface Opened {
  /** The bytes. It errors, in one line, when the connection breaks or ends early. */
  body: ReadableStream<Uint8Array>;
  /** The length the server announced (or the file's size), when known. */
  size?: number;
}

/**
 * Opens `url` (http:, https: or file:). Throws a {@linkcode PlashError}
 * `URL: why` when it cannot: bad URL, unreachable host, an HTTP error
 * status, too many redirects, no such file. `signal` aborts the request and
 * the body.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openUrl } from "./open_url.ts";
 *
 * // `https://example.org/rootfs.tar.xz` is opened the same way; here a server on this machine
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () => new Response(new Uint8Array(1024)),
 * );
 * const { body, size } = await openUrl(`http://127.0.0.1:${server.addr.port}/rootfs.tar`);
 * assert.equal(size, 1024);
 * assert.equal((await new Response(body).bytes()).length, 1024);
 * await server.shutdown();
 * ```
 */
export async function openUrl(url: string, signal?: AbortSignal): Promise<Opened> {
  const parsed = parseUrl(url);
  if (parsed.protocol === "file:") return openFile(url, parsed, signal);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new PlashError(`${url}: unsupported URL scheme ${parsed.protocol} (http, https, file)`);
  }
  return opened(url, await fetchFollowing(parsed, { signal }), signal);
}

function opened(url: string, response: Response, signal?: AbortSignal): Opened {
  if (!response.ok || !response.body) {
    const status = `HTTP ${response.status} ${response.statusText}`.trimEnd();
    const where = response.url === url ? "" : ` (redirected to ${response.url})`;
    response.body?.cancel();
    throw new PlashError(`${url}${where}: ${status}`);
  }
  // fetch undoes a Content-Encoding, after which Content-Length no longer counts the body.
  const length = response.headers.has("content-encoding")
    ? null
    : response.headers.get("content-length");
  const size = length === null ? undefined : Number(length);
  return { body: checkedLength(response.body, size, signal), size };
}

/**
 * `body`, failing when the connection breaks or ends before `size` bytes
 * (whether fetch notices a short body depends on the transfer coding), and
 * at once when `signal` aborts: fetch's own abort does not reach the body
 * of a Response that was garbage-collected (seen with Deno 2.9), which
 * leaves a stalled read waiting forever.
 */
function checkedLength(
  body: ReadableStream<Uint8Array>,
  size: number | undefined,
  signal: AbortSignal | undefined,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let seen = 0;
  const got = () => `got ${seen}${size === undefined ? "" : ` of ${size}`} bytes`;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      signal?.addEventListener("abort", () => {
        controller.error(signal.reason);
        reader.cancel(signal.reason).catch(() => {});
      }, { once: true });
    },
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw new PlashError(`download broke off (${got()}): ${reason(error)}`, { cause: error });
      }
      if (signal?.aborted) return; // errored already
      if (chunk.done) {
        if (size !== undefined && seen < size) {
          throw new PlashError(`download ended early (${got()})`);
        }
        return controller.close();
      }
      seen += chunk.value.length;
      controller.enqueue(chunk.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

async function openFile(url: string, parsed: URL, signal?: AbortSignal): Promise<Opened> {
  const path = decodeURIComponent(parsed.pathname);
  try {
    const file = await Deno.open(path);
    const size = (await file.stat()).size;
    // A file read knows no signal: the pipe's does, and closes the file.
    return { body: file.readable.pipeThrough(new TransformStream(), { signal }), size };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new PlashError(`${url}: no such file`);
    throw wrap(error, url);
  }
}
