/**
 * A store is its owner's alone. The data directory and what plash makes at
 * its top (`index/ map/ tmp/ mnt/ layer/ id_counter`) belong to the caller,
 * are no symbolic links, and are mode 0700 (the counter 0600), so nobody else
 * reaches the setuid files of root's images or plants a link that root's
 * plash would follow (`tmp -> /victim`, and `clean` would empty /victim).
 *
 * Checked with one lstat a path each time a store is opened, before anything
 * acts on it: no walks, so `plash run` pays a few microseconds.
 *
 * @example
 * ```ts
 * import { ensurePrivate } from "./private.ts";
 *
 * const root = Deno.makeTempDirSync();
 * Deno.chmodSync(root, 0o755);
 * ensurePrivate(root, root, "directory", 0o700); // true, and root is 0700 now
 * ensurePrivate(root, `${root}/tmp`, "directory", 0o700); // false: not there
 * ```
 *
 * @module
 */

import { PlashError, wrap } from "../errors.ts";

/** What a path in the store must be. */
export type PrivateKind = "directory" | "file";

/**
 * Checks that `path` (the data directory `root` or a path in it) is a
 * `kind` of the caller's own and no symbolic link, and gives it `mode` when
 * it has another; returns false when nothing is at `path`. Anything else is
 * refused in one line naming the data directory.
 */
export function ensurePrivate(
  root: string,
  path: string,
  kind: PrivateKind,
  mode: number,
): boolean {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw wrap(error, `data directory ${root}`);
  }
  const what = path === root ? "it" : path;
  const refuse = (why: string) => new PlashError(`refusing the data directory ${root}: ${why}`);
  if (info.isSymlink) throw refuse(`${what} is a symbolic link`);
  if (kind === "directory" ? !info.isDirectory : !info.isFile) {
    throw refuse(`${what} is not a ${kind}`);
  }
  const me = Deno.uid();
  if (info.uid !== me) throw refuse(`${what} is owned by uid ${info.uid}, not by uid ${me}`);
  if (((info.mode ?? 0) & 0o7777) !== mode) {
    // Inside the store, the data directory was made private first, so nobody
    // else can swap `path` for a link between the lstat and the chmod.
    try {
      Deno.chmodSync(path, mode);
    } catch (error) {
      throw wrap(error, `making ${path} private (mode ${mode.toString(8)})`);
    }
  }
  return true;
}
