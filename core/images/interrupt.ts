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
 * import assert from "node:assert/strict";
 * import { interruptible } from "./interrupt.ts";
 * import { importTar } from "./tarball/import_tar.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const url = "https://example.org/rootfs.tar";
 * const id = await interruptible(store, url, async (signal) => {
 *   // const response = await fetch(url, { signal }); then response.body! for the tar:
 *   assert.ok(!signal.aborted); // Ctrl-C aborts it, and the half-made image is removed
 *   return await importTar(store, ReadableStream.from([new Uint8Array(1024)]));
 * });
 * assert.ok(store.exists(id));
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 *
 * @module
 */

import { errorLine, PlashError } from "../errors.ts";
import type { Store } from "../store/store.ts";
import { removeTree, tmpPrefixOf } from "../store/tmp.ts";

const SIGNALS: [Deno.Signal, number][] = [["SIGINT", 2], ["SIGTERM", 15]];
const GRACE_MS = 3000;

/**
 * Runs `work` with a signal that SIGINT and SIGTERM abort; then throws a
 * {@linkcode PlashError} `LABEL: interrupted` with exit status 128+N.
 * `store` is the store whose tmp/ holds this process's staging.
 */
export async function interruptible<T>(
  store: Store,
  label: string,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let caught: number | undefined;
  let grace: ReturnType<typeof setTimeout> | undefined;
  const interrupted = () => new PlashError(`${label}: interrupted`, { exitCode: 128 + caught! });
  const handlers = SIGNALS.map(([name, number]): [Deno.Signal, () => void] => [name, () => {
    if (caught !== undefined) giveUp(store, interrupted());
    caught = number;
    controller.abort(interrupted());
    grace = setTimeout(() => giveUp(store, interrupted()), GRACE_MS);
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
function giveUp(store: Store, error: PlashError): never {
  const prefix = tmpPrefixOf(Deno.pid);
  try {
    for (const entry of Deno.readDirSync(store.tmpRoot)) {
      if (entry.name.startsWith(prefix)) removeTree(store.tmpEntry(entry.name));
    }
  } catch { /* the store is gone: nothing to clean */ }
  console.error(errorLine(error));
  Deno.exit(error.exitCode);
}
