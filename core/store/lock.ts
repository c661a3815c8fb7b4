/**
 * Named locks shared by every plash process on a store: one lock file each,
 * held with flock(2), so that concurrent builds of one layer (or imports of
 * one source) wait for the first and then reuse what it made.
 *
 * The holder removes the file when it is done, so lock files do not pile up.
 * A waiter may then find itself holding a lock on a removed file: it checks,
 * after locking, that the path still names the file it locked, and tries
 * again when not. A holder killed with SIGKILL leaves its file behind, but the
 * kernel drops its lock, so the next process takes the lock and removes it.
 *
 * @module
 */

import { tryLockExclusive } from "../../ffi/file_lock.ts";
import { closeFd, openReadOnly } from "../../ffi/sys.ts";
import { wrap } from "../errors.ts";

/**
 * Runs `fn` holding the exclusive lock on the file `path` (created when
 * missing), then releases it; waits while another process or task holds it.
 * Not reentrant: `fn` must not lock `path` again.
 *
 * @example
 * ```ts
 * import { withLockFile } from "./lock.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * await withLockFile(`${dir}/lock`, async () => {
 *   // only one process at a time gets here
 * });
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function withLockFile<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const file = await acquire(path);
  try {
    return await fn();
  } finally {
    // Removed while still held, so nobody takes this file's lock after us
    // believing it current: a waiter on it sees it gone and starts again.
    try {
      Deno.removeSync(path);
    } catch { /* a holder killed earlier may have left it; the next one removes it */ }
    file.close();
  }
}

/** Opens and locks `path` until the locked file is the one `path` names. */
async function acquire(path: string): Promise<Deno.FsFile> {
  for (;;) {
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(path, { read: true, write: true, create: true, mode: 0o600 });
    } catch (error) {
      throw wrap(error, `lock ${path}`);
    }
    try {
      await file.lock(true); // flock(2) on a worker thread: the event loop runs on
      const locked = file.statSync();
      if (sameFile(locked, path)) return file;
    } catch (error) {
      file.close();
      throw wrap(error, `lock ${path}`);
    }
    file.close(); // its holder removed it after we opened it
  }
}

/** Whether `path` is still the file `locked` describes. */
function sameFile(locked: Deno.FileInfo, path: string): boolean {
  try {
    const current = Deno.lstatSync(path);
    return current.ino === locked.ino && current.dev === locked.dev;
  } catch {
    return false;
  }
}

/**
 * Removes the lock file `path` unless a process holds its lock (one killed
 * while holding it left it behind), as a holder removes it: locked, so a
 * waiter on it sees it gone and starts again. Returns whether it was
 * removed; one another process removed first is not.
 *
 * @example
 * ```ts
 * import { removeIfUnheld } from "./lock.ts";
 *
 * removeIfUnheld("/root/.plashdata/tmp/plashlock_0123"); // true: nobody held it
 * ```
 */
export function removeIfUnheld(path: string): boolean {
  let fd: number;
  try {
    fd = openReadOnly(path);
  } catch {
    return false; // removed by its holder or another clean
  }
  try {
    if (!tryLockExclusive(fd, path)) return false;
    if (!sameFile(Deno.statSync(`/proc/self/fd/${fd}`), path)) return false;
    Deno.removeSync(path);
    return true;
  } catch (error) {
    // Gone meanwhile (its holder or another clean removed it): not ours to report.
    if (!sameFile(Deno.statSync(`/proc/self/fd/${fd}`), path)) return false;
    throw wrap(error, `removing the lock file ${path}`);
  } finally {
    closeFd(fd);
  }
}
