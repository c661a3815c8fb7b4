/**
 * Opening a URL for reading: http, https and file, with redirects followed
 * up to a limit and failures told in one line.
 *
 * @module
 */

import { PlashError } from "../errors.ts";

/** An opened URL. */
export interface Opened {
  /** The bytes. It errors, in one line, when the connection breaks or ends early. */
  body: ReadableStream<Uint8Array>;
  /** The length the server announced (or the file's size), when known. */
  size?: number;
}

/** As curl's default: enough for any sane mirror chain, few enough to stop a loop. */
const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Opens `url` (http:, https: or file:). Throws a {@linkcode PlashError}
 * `URL: why` when it cannot: bad URL, unreachable host, an HTTP error
 * status, too many redirects, no such file. `signal` aborts the request and
 * the body.
 *
 * @example
 * ```ts
 * const { body, size } = await openUrl("https://example.org/rootfs.tar.xz");
 * ```
 */
export async function openUrl(url: string, signal?: AbortSignal): Promise<Opened> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PlashError(`${url}: not a URL`);
  }
  if (parsed.protocol === "file:") return openFile(url, parsed, signal);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new PlashError(`${url}: unsupported URL scheme ${parsed.protocol} (http, https, file)`);
  }
  for (let redirects = 0;; redirects++) {
    // Manual, so a loop ends here with a clear error rather than in fetch's own limit.
    const response = await request(url, parsed, signal);
    if (!REDIRECTS.has(response.status)) return opened(url, response, signal);
    await response.body?.cancel();
    const location = response.headers.get("location");
    if (!location) throw new PlashError(`${url}: HTTP ${response.status} without a Location`);
    if (redirects === MAX_REDIRECTS) {
      throw new PlashError(`${url}: more than ${MAX_REDIRECTS} redirects (last to ${location})`);
    }
    parsed = new URL(location, parsed);
  }
}

async function request(url: string, target: URL, signal?: AbortSignal): Promise<Response> {
  try {
    return await fetch(target, { redirect: "manual", signal });
  } catch (error) {
    // Deno's cause reads "error sending request for url (...): client error (Connect): WHY".
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const why = cause instanceof Error ? cause.message.replace(/^.*\): /s, "") : String(cause);
    const where = target.href === url ? "" : ` (redirected to ${target.href})`;
    throw new PlashError(`${url}${where}: cannot connect: ${why.split("\n")[0]}`);
  }
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
        const why = error instanceof Error ? error.message : String(error);
        throw new PlashError(`download broke off (${got()}): ${why}`);
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
    const why = error instanceof Error ? error.message : String(error);
    throw new PlashError(`${url}: ${why}`);
  }
}
