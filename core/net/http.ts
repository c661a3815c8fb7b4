/**
 * HTTP requests as plash makes them: redirects followed by hand (at most
 * ten), credentials never carried to another origin, failures told in one
 * line naming the URL, and bodies read only up to a limit.
 *
 * Every request plash makes goes through {@linkcode fetchFollowing}: registry
 * calls, downloads and `--eval-url`.
 *
 * @example
 * ```ts
 * import { fetchFollowing, readLimited } from "./http.ts";
 *
 * const response = await fetchFollowing("http://127.0.0.1:8080/macros");
 * const text = new TextDecoder().decode(await readLimited(response.body!, 1 << 20, "macros"));
 * ```
 *
 * @module
 */

import { PlashError } from "../errors.ts";

/** As curl's default: enough for any sane mirror chain, few enough to stop a loop. */
export const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that hold credentials: they stay with the origin they were meant for. */
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

/** How to make a request. */
export interface FetchOptions {
  /** The request's headers. */
  headers?: Headers;
  /** Stops the request and its body. */
  signal?: AbortSignal;
  /** Checks each URL before it is requested, the first and every redirect's: throws to refuse. */
  check?: (url: URL) => void;
}

/**
 * Requests `url` (GET), following redirects by hand, and returns the final
 * response whatever its status. A redirect to another origin drops the
 * credential headers. Throws a one-line {@linkcode PlashError} when a server
 * cannot be reached, a redirect has no location, or there are more than
 * {@linkcode MAX_REDIRECTS}.
 *
 * @example
 * ```ts
 * import { fetchFollowing } from "./http.ts";
 *
 * const headers = new Headers({ authorization: "Basic dTpw" });
 * const response = await fetchFollowing("https://registry.example/v2/", { headers });
 * ```
 */
export async function fetchFollowing(
  url: string | URL,
  options: FetchOptions = {},
): Promise<Response> {
  const first = typeof url === "string" ? parseUrl(url) : url;
  let target = first;
  let headers = options.headers ?? new Headers();
  for (let redirects = 0;; redirects++) {
    options.check?.(target);
    const response = await request(first, target, headers, options.signal);
    if (!REDIRECTS.has(response.status)) return response;
    await response.body?.cancel();
    const location = response.headers.get("location");
    if (!location) {
      throw new PlashError(`${first.href}: HTTP ${response.status} without a Location`);
    }
    if (redirects === MAX_REDIRECTS) {
      throw new PlashError(
        `${first.href}: more than ${MAX_REDIRECTS} redirects (last to ${location})`,
      );
    }
    const next = new URL(location, target);
    if (next.origin !== target.origin) headers = withoutCredentials(headers);
    target = next;
  }
}

/** `text` as a URL, or a one-line error saying it is not one. */
export function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new PlashError(`${text}: not a URL`);
  }
}

async function request(
  first: URL,
  target: URL,
  headers: Headers,
  signal?: AbortSignal,
): Promise<Response> {
  try {
    // Manual, so a loop ends here with a clear error and credentials stay where they belong.
    return await fetch(target, { headers, redirect: "manual", signal });
  } catch (error) {
    signal?.throwIfAborted();
    // Deno's cause reads "error sending request for url (...): client error (Connect): WHY".
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const why = cause instanceof Error ? cause.message.replace(/^.*\): /s, "") : String(cause);
    const where = target.href === first.href ? "" : ` (redirected to ${target.href})`;
    throw new PlashError(`${first.href}${where}: cannot connect: ${why.split("\n")[0]}`, {
      cause: error,
    });
  }
}

function withoutCredentials(headers: Headers): Headers {
  const kept = new Headers(headers);
  for (const name of CREDENTIAL_HEADERS) kept.delete(name);
  return kept;
}

/**
 * All of `body`, which may be at most `limit` bytes: reading stops, and
 * fails calling the body `what`, at the first byte over it, so a server
 * cannot make plash hold more than `limit` in memory.
 *
 * @example
 * ```ts
 * import { readLimited } from "./http.ts";
 *
 * const bytes = await readLimited(ReadableStream.from([new Uint8Array(3)]), 4, "reply");
 * ```
 */
export async function readLimited(
  body: ReadableStream<Uint8Array>,
  limit: number,
  what: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limit) throw new PlashError(`${what} is larger than ${limit} bytes`);
      chunks.push(value);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
