/**
 * HTTP requests as plash makes them: redirects followed by hand (at most
 * ten), credentials never carried to another origin, failures told in one
 * line naming the URL, a server that stays silent given up on (the idle
 * timeout, `PLASH_HTTP_TIMEOUT` seconds), and bodies read only up to a limit.
 *
 * Every request plash makes goes through {@linkcode fetchFollowing}: registry
 * calls, downloads and `--eval-url`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fetchFollowing, readLimited } from "./http.ts";
 *
 * // A server on this machine (nothing here reaches the network)
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) =>
 *   new URL(request.url).pathname === "/macros"
 *     ? new Response("--run 'echo hi'\n")
 *     : Response.redirect(new URL("/macros", request.url), 302));
 * const url = `http://127.0.0.1:${server.addr.port}/old`;
 * const response = await fetchFollowing(url); // redirected to /macros
 * const text = new TextDecoder().decode(await readLimited(response.body!, 1 << 20, "macros"));
 * assert.equal(text, "--run 'echo hi'\n");
 * await server.shutdown();
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
/** How long a server may stay silent, in seconds, unless `PLASH_HTTP_TIMEOUT` says. */
export const DEFAULT_TIMEOUT = 30;
const TIMEOUT_VARIABLE = "PLASH_HTTP_TIMEOUT";

/** How to make a request. */
export interface FetchOptions {
  /** The method: GET unless said. */
  method?: string;
  /**
   * The request's body, made anew for each request a redirect (307, 308)
   * repeats. The idle timeout counts from the last piece of a streamed
   * body taken, not from the start: an upload is not the server's silence.
   */
  body?: () => BodyInit | null;
  /** The request's headers. */
  headers?: Headers;
  /** Stops the request and its body. */
  signal?: AbortSignal;
  /** Checks each URL before it is requested, the first and every redirect's: throws to refuse. */
  check?: (url: URL) => void;
  /**
   * Seconds a server may stay silent: waiting for the headers, and for each
   * read of the body. Default `PLASH_HTTP_TIMEOUT`, else {@linkcode DEFAULT_TIMEOUT}.
   */
  timeout?: number;
}

/**
 * Requests `url` (GET unless `options.method` says), following redirects by
 * hand, and returns the final response whatever its status; its `url` is
 * the one that answered. A redirect to another origin drops the credential
 * headers; a 301, 302 or 303 after another method than GET or HEAD asks
 * with GET and no body, as browsers do. Throws a one-line
 * {@linkcode PlashError} when a server cannot be reached, a redirect has no
 * location, or there are more than {@linkcode MAX_REDIRECTS}; a server
 * silent for longer than the timeout, waiting for the headers or for any
 * read of the body, fails the request or the body in one line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fetchFollowing } from "./http.ts";
 *
 * // A registry on this machine, that says whom it was sent
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   (request) => new Response(request.headers.get("authorization")),
 * );
 * const headers = new Headers({ authorization: "Basic dTpw" });
 * const response = await fetchFollowing(`http://127.0.0.1:${server.addr.port}/v2/`, { headers });
 * assert.equal(await response.text(), "Basic dTpw");
 * await server.shutdown();
 * ```
 */
export async function fetchFollowing(
  url: string | URL,
  options: FetchOptions = {},
): Promise<Response> {
  const first = typeof url === "string" ? parseUrl(url) : url;
  const seconds = options.timeout ?? httpTimeout();
  let target = first;
  let headers = options.headers ?? new Headers();
  let method = options.method ?? "GET";
  let body = options.body;
  for (let redirects = 0;; redirects++) {
    options.check?.(target);
    const send = { method, body: body?.() ?? null, headers };
    const response = await request(first, target, send, seconds, options.signal);
    if (!REDIRECTS.has(response.status)) return response;
    if (response.status < 307 && method !== "GET" && method !== "HEAD") {
      method = "GET";
      body = undefined;
    }
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

/**
 * The idle timeout in seconds: `PLASH_HTTP_TIMEOUT`, else
 * {@linkcode DEFAULT_TIMEOUT}. A value that is not a positive number fails
 * in one line.
 *
 * @example
 * ```ts
 * import { httpTimeout } from "./http.ts";
 *
 * Deno.env.set("PLASH_HTTP_TIMEOUT", "120");
 * httpTimeout(); // 120
 * ```
 */
export function httpTimeout(): number {
  const text = Deno.env.get(TIMEOUT_VARIABLE);
  if (text === undefined || text === "") return DEFAULT_TIMEOUT;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new PlashError(`${TIMEOUT_VARIABLE}: not a number of seconds: ${JSON.stringify(text)}`);
  }
  return seconds;
}

/** One request's method, body and headers. */
interface Send {
  method: string;
  body: BodyInit | null;
  headers: Headers;
}

async function request(
  first: URL,
  target: URL,
  send: Send,
  seconds: number,
  signal?: AbortSignal,
): Promise<Response> {
  const where = target.href === first.href ? "" : ` (redirected to ${target.href})`;
  // Aborted when the server stays silent: that closes the connection, body included.
  const silence = new AbortController();
  const both = signal ? AbortSignal.any([signal, silence.signal]) : silence.signal;
  let timer = setTimeout(() => silence.abort(), seconds * 1000);
  const rearm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => silence.abort(), seconds * 1000);
  };
  const body = send.body instanceof ReadableStream
    ? send.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          rearm();
          controller.enqueue(chunk);
        },
      }),
    )
    : send.body;
  try {
    // Manual, so a loop ends here with a clear error and credentials stay where they belong.
    const response = await fetch(target, {
      method: send.method,
      body,
      headers: send.headers,
      redirect: "manual",
      signal: both,
    });
    return withIdleTimeout(response, seconds, silence, () =>
      new PlashError(
        `${first.href}${where}: no data for ${seconds} s (${TIMEOUT_VARIABLE})`,
      ));
  } catch (error) {
    signal?.throwIfAborted();
    if (silence.signal.aborted) {
      throw new PlashError(
        `${first.href}${where}: no answer in ${seconds} s (${TIMEOUT_VARIABLE})`,
      );
    }
    // Deno's cause reads "error sending request for url (...): client error (Connect): WHY".
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const why = cause instanceof Error ? cause.message.replace(/^.*\): /s, "") : String(cause);
    throw new PlashError(`${first.href}${where}: cannot connect: ${why.split("\n")[0]}`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `response` with a body whose every read fails with `idle()` when no data
 * comes for `seconds`; `silence` is then aborted, which drops the connection.
 * The timer runs only while a read waits for the network: a consumer that is
 * slow to read is not the server's silence.
 */
function withIdleTimeout(
  response: Response,
  seconds: number,
  silence: AbortController,
  idle: () => PlashError,
): Response {
  if (!response.body) return response;
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const quiet = new Promise<never>((_, reject) =>
        timer = setTimeout(() => {
          const error = idle();
          silence.abort(error);
          reject(error);
        }, seconds * 1000)
      );
      try {
        const { done, value } = await Promise.race([reader.read(), quiet]);
        if (done) controller.close();
        else controller.enqueue(value);
      } finally {
        clearTimeout(timer);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
  const timed = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // A constructed Response has no URL; callers tell where the answer came from by it.
  Object.defineProperty(timed, "url", { value: response.url });
  return timed;
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
