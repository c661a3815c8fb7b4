/**
 * Downloads that Ctrl-C (SIGINT) or SIGTERM can stop without leaving half an
 * image behind.
 *
 * The work gets an `AbortSignal` to pass to `fetch` (and to anything else
 * that waits). A signal aborts it; the aborted body stream fails the import,
 * whose own cleanup removes its staging directory; plash then exits 128+N
 * with one line saying what was interrupted. Should the work not wind down
 * within a grace period (something ignores the abort), this process's own
 * staging directories are removed here and plash exits anyway. A second
 * signal exits at once, after the same removal.
 *
 * @example
 * ```ts
 * const id = await interruptible(data, url, async (signal) => {
 *   const response = await fetch(url, { signal });
 *   return await importTar(data, response.body!);
 * });
 * ```
 *
 * @module
 */

import { errorLine, PlashError } from "../errors.ts";
import { processStartTime, removeTree } from "../store/tmp.ts";

const SIGNALS: [Deno.Signal, number][] = [["SIGINT", 2], ["SIGTERM", 15]];
const GRACE_MS = 3000;

/**
 * Runs `work` with a signal that SIGINT and SIGTERM abort; then throws a
 * {@linkcode PlashError} `LABEL: interrupted` with exit status 128+N.
 * `data` is the store whose tmp/ holds this process's staging.
 */
export async function interruptible<T>(
  data: string,
  label: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let caught: number | undefined;
  let grace: ReturnType<typeof setTimeout> | undefined;
  const interrupted = () => new PlashError(`${label}: interrupted`, 128 + caught!);
  const handlers = SIGNALS.map(([name, number]): [Deno.Signal, () => void] => [name, () => {
    if (caught !== undefined) giveUp(data, interrupted());
    caught = number;
    controller.abort(interrupted());
    grace = setTimeout(() => giveUp(data, interrupted()), GRACE_MS);
  }]);
  for (const [name, handler] of handlers) Deno.addSignalListener(name, handler);
  try {
    return await work(controller.signal);
  } catch (error) {
    // Whatever the abort broke (a read, a decompressor), the cause is the signal.
    throw caught === undefined ? error : interrupted();
  } finally {
    clearTimeout(grace);
    for (const [name, handler] of handlers) Deno.removeSignalListener(name, handler);
  }
}

/** Removes this process's staging directories, says why, and exits. */
function giveUp(data: string, error: PlashError): never {
  const prefix = `plashtmp_${Deno.pid}_${processStartTime("self")}_`;
  try {
    for (const entry of Deno.readDirSync(`${data}/tmp`)) {
      if (entry.name.startsWith(prefix)) removeTree(`${data}/tmp/${entry.name}`);
    }
  } catch { /* the store is gone: nothing to clean */ }
  console.error(errorLine(error));
  Deno.exit(error.exitCode);
}
