/**
 * The errors users see: `plash error: <what failed>: <why>` on one line, with
 * the failures that led to it kept as the error's `cause` chain
 * (`PLASH_TRACE=1` prints that chain).
 *
 * @example
 * ```ts
 * import { PlashError, wrap } from "./errors.ts";
 *
 * try {
 *   throw new PlashError("interrupted", { exitCode: 130 });
 * } catch (error) {
 *   const wrapped = wrap(error, "import-tar rootfs.tar");
 *   console.log(wrapped.message); // "import-tar rootfs.tar: interrupted"
 *   console.log(wrapped.exitCode); // 130
 * }
 * ```
 *
 * @module
 */

/**
 * How a {@linkcode PlashError} ends plash and what caused it.
 *
 * @example
 * ```ts
 * import { PlashError, type PlashErrorOptions } from "./errors.ts";
 *
 * const options: PlashErrorOptions = { exitCode: 130, cause: new Error("SIGINT") };
 * const error = new PlashError("interrupted", options); // plash exits 130
 * ```
 */
export interface PlashErrorOptions {
  /** What plash exits with; 1 unless said otherwise. */
  exitCode?: number;
  /** The failure this one explains, kept for `PLASH_TRACE=1`. */
  cause?: unknown;
}

/**
 * A failure the user can act on; `exitCode` is what plash exits with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PlashError } from "./errors.ts";
 *
 * const error = new PlashError("no image: 7", { exitCode: 2 });
 * assert.equal(error.message, "no image: 7"); // plash says "plash error: no image: 7", exits 2
 * assert.equal(error.exitCode, 2);
 * ```
 */
export class PlashError extends Error {
  /** The exit status plash ends with when this error reaches the command line. */
  readonly exitCode: number;

  /** An error saying `message`, ending plash with `options.exitCode` (default 1). */
  constructor(message: string, options: PlashErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PlashError";
    this.exitCode = options.exitCode ?? 1;
  }
}

/**
 * An image that is not in the store, or no longer: `no image: ID`, and why
 * when another process removed it while a command used it.
 *
 * @example
 * ```ts
 * import { NoImageError } from "./errors.ts";
 *
 * new NoImageError(7, "exporting it").message; // "no image: 7 (removed while exporting it)"
 * ```
 */
export class NoImageError extends PlashError {
  /** `no image: ID`, with `(removed while DOING)` when given `doing`. */
  constructor(id: number, doing?: string, options: { cause?: unknown } = {}) {
    super(`no image: ${id}${doing === undefined ? "" : ` (removed while ${doing})`}`, options);
    this.name = "NoImageError";
  }
}

/**
 * A command line plash cannot take: printed as the usage line alone
 * (`usage: plash CMD ...`, no `plash error:` in front), exit status 1, as the
 * original plash printed it, so that scripts matching `usage: plash` keep
 * working.
 *
 * @example
 * ```ts
 * import { errorLine, UsageError } from "./errors.ts";
 *
 * errorLine(new UsageError("usage: plash nodepath ID")); // "usage: plash nodepath ID"
 * ```
 */
export class UsageError extends PlashError {
  /** A usage error saying `usage`, the command's usage line (and what was wrong). */
  constructor(usage: string) {
    super(usage, { exitCode: 1 });
    this.name = "UsageError";
  }
}

/**
 * What went wrong, in one line: the first line of `error`'s message, and for
 * an error that is not plash's own, its cause's first line too (`fetch` says
 * only "fetch failed" and puts the reason there).
 *
 * @example
 * ```ts
 * import { reason } from "./errors.ts";
 *
 * reason(new TypeError("fetch failed", { cause: new Error("connection refused") }));
 * // "fetch failed: connection refused"
 * ```
 */
export function reason(error: unknown): string {
  const firstLine = (value: unknown) =>
    (value instanceof Error ? value.message : String(value)).split("\n")[0];
  const cause = error instanceof Error && !(error instanceof PlashError) &&
      error.cause !== undefined
    ? `: ${firstLine(error.cause)}`
    : "";
  return firstLine(error) + cause;
}

/**
 * `error` explained as `context: why`, keeping `error` as the cause and its
 * exit status (a usage error stays a usage error on its way up).
 *
 * @example
 * ```ts
 * import { PlashError, wrap } from "./errors.ts";
 *
 * wrap(new PlashError("interrupted", { exitCode: 130 }), "pull alpine").exitCode; // 130
 * ```
 */
export function wrap(error: unknown, context: string): PlashError {
  return new PlashError(`${context}: ${reason(error)}`, {
    exitCode: error instanceof PlashError ? error.exitCode : 1,
    cause: error,
  });
}

/**
 * The one line plash prints for any error: `plash error: WHY`, or a usage
 * error's usage line as it is.
 *
 * @example
 * ```ts
 * import { errorLine, PlashError } from "./errors.ts";
 *
 * errorLine(new PlashError("no image: 7")); // "plash error: no image: 7"
 * ```
 */
export function errorLine(error: unknown): string {
  if (error instanceof UsageError) return error.message;
  return `plash error: ${reason(error)}`;
}

/**
 * Every error of `error`'s cause chain with its stack, outermost first: what
 * `PLASH_TRACE=1` prints below the error line.
 *
 * @example
 * ```ts
 * import { errorTrace, PlashError, wrap } from "./errors.ts";
 *
 * console.error(errorTrace(wrap(new PlashError("inner"), "outer")));
 * ```
 */
export function errorTrace(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  for (let each = error; each !== undefined && !seen.has(each);) {
    seen.add(each);
    parts.push(each instanceof Error ? each.stack ?? String(each) : String(each));
    each = each instanceof Error ? each.cause : undefined;
  }
  return parts.join("\ncaused by: ");
}
