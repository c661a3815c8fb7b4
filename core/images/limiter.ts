/**
 * Running async tasks a few at a time: downloads and uploads of layers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { limiter } from "./limiter.ts";
 *
 * const limit = limiter(3); // at most 3 at a time
 * const sizes = await Promise.all(
 *   ["/dev/null", "/dev/zero", "/dev/full", "/dev/null"].map((path) =>
 *     limit(async () => (await Deno.stat(path)).size)
 *   ),
 * );
 * assert.deepEqual(sizes, [0, 0, 0, 0]);
 * ```
 *
 * @module
 */

/** A runner of async tasks that starts at most `max` at once, in the order given. */
export function limiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    while (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * Runs `task` for each of `items`, at most `max` at once, and returns their
 * results in order. The first failure aborts the signal the others were
 * given; once every task has ended, that failure is thrown (so nothing
 * still runs when this returns or throws). `signal` stops them all too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runLimited } from "./limiter.ts";
 *
 * const signal = AbortSignal.timeout(5000); // once aborted, it stops them all
 * const sizes = await runLimited(["/dev/null", "/dev/zero"], 3, signal, async (path) => {
 *   return (await Deno.stat(path)).size;
 * });
 * assert.deepEqual(sizes, [0, 0]);
 * ```
 */
export async function runLimited<T, R>(
  items: T[],
  max: number,
  signal: AbortSignal,
  task: (item: T, signal: AbortSignal) => Promise<R>,
): Promise<R[]> {
  const failed = new AbortController();
  const stopping = AbortSignal.any([signal, failed.signal]);
  let firstError: unknown;
  const limit = limiter(max);
  const results = await Promise.allSettled(items.map((item) =>
    limit(() => {
      stopping.throwIfAborted();
      return task(item, stopping);
    }).catch((error) => {
      if (!failed.signal.aborted) {
        firstError = error;
        failed.abort(error);
      }
      throw error;
    })
  ));
  if (results.some((result) => result.status === "rejected")) throw firstError;
  return results.map((result) => (result as PromiseFulfilledResult<R>).value);
}
