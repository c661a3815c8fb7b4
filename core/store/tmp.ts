/**
 * Temporary directories in a store's `tmp/`, each named after the process
 * that owns it so that `plash clean` removes only those whose owner is gone.
 *
 * Name: `plashtmp_<pid>_<starttime>_<random>`. The start time (from
 * /proc/PID/stat) tells a live owner from a later process that reuses its pid.
 *
 * @module
 */

import { bindNow } from "../../ffi/libc.ts";
import { makeDir, processId, readSmallFile } from "../../ffi/sys.ts";
import { type StoreLayout, TMP_PREFIX } from "./layout.ts";

/** More than /proc/PID/stat holds: 52 numbers and a command name of at most 64 bytes. */
const STAT_LIMIT = 4096;

/**
 * The kernel's start time of process `pid` in clock ticks, or undefined if it is gone. Read
 * by system calls: the child that becomes `plash runc`'s runtime names its bundle so.
 */
export function processStartTime(pid: number | "self"): string | undefined {
  let stat: string | undefined;
  try {
    stat = readSmallFile(`/proc/${pid}/stat`, STAT_LIMIT);
  } catch {
    return undefined;
  }
  if (stat === undefined) return undefined;
  // Field 2 (the command name) may hold spaces and parentheses: split after the last ")".
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
}

/** The name prefix of the temporary directories process `owner` made. */
export function tmpPrefixOf(owner: number): string {
  return tmpPrefix(owner, processStartTime(owner === Deno.pid ? "self" : owner));
}

function tmpPrefix(owner: number, startTime: string | undefined): string {
  return `${TMP_PREFIX}${owner}_${startTime ?? "0"}_`;
}

/**
 * A new path in the store's `tmp/` for a temporary directory owned by process `owner`
 * (default: this one), not made: what is renamed there (a removed image's
 * node) becomes one, which needs no new inode on a full disk.
 */
export function tmpPath(layout: StoreLayout, owner: number = Deno.pid): string {
  const random = crypto.getRandomValues(new Uint32Array(2)).join("");
  return layout.tmpEntry(`${tmpPrefixOf(owner)}${random}`);
}

/** Creates a temporary directory in the store's `tmp/` owned by process `owner` (default: this one). */
export function makeTmpDir(layout: StoreLayout, owner: number = Deno.pid): string {
  const path = tmpPath(layout, owner);
  Deno.mkdirSync(path, { mode: 0o700 });
  return path;
}

/**
 * Prepares a temporary directory in the store's `tmp/` owned by the process that calls the
 * function returned: a clone child sharing this process's memory, which makes it with system
 * calls alone (no Deno call: see `ffi/spawn_in_namespaces.ts`) and gets its path.
 */
export function ownTmpDirMaker(layout: StoreLayout): () => string {
  const random = crypto.getRandomValues(new Uint32Array(2)).join("");
  bindNow("getpid", "open", "read", "close", "mkdirat");
  return () => {
    const path = layout.tmpEntry(`${tmpPrefix(processId(), processStartTime("self"))}${random}`);
    makeDir(path, 0o700);
    return path;
  };
}

let tmpName: RegExp | undefined;

/**
 * The name of a temporary directory plash made: its owner's pid and start
 * time. Made on first use: made at load, it cost every start 0.02 ms.
 */
function tmpNamePattern(): RegExp {
  return tmpName ??= new RegExp(`^${TMP_PREFIX}(\\d+)_(\\d+)_`);
}

/** Whether `name` (an entry of tmp/) is a temporary directory's name as plash makes them. */
export function isTmpName(name: string): boolean {
  return tmpNamePattern().test(name);
}

/** Whether the process that owns the temporary directory named `name` still runs. */
export function tmpOwnerAlive(name: string): boolean {
  const match = tmpNamePattern().exec(name);
  if (!match) return false;
  return processStartTime(Number(match[1])) === match[2];
}

/**
 * What removes a directory tree (or a file), ignoring that it is already
 * gone: {@linkcode removeTree}, as the caller, unless a command passes one
 * that also removes what only root of plash's user namespace may
 * (`core/runtime/tree_removal.ts`, which the store may not import).
 *
 * @example
 * ```ts
 * import { removingTrees } from "@plash/plash/runtime";
 * import { removeImage, Store, type TreeRemover } from "@plash/plash/store";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const id = store.addLayer(0, store.makeTmpDir());
 * // Without root too: what only root of plash's user namespace may delete, it deletes.
 * await removingTrees((remove: TreeRemover) => removeImage(store, id, remove));
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export type TreeRemover = (path: string) => void;

/** Removes a directory tree, ignoring that it is already gone. */
export function removeTree(path: string): void {
  try {
    Deno.removeSync(path, { recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}
