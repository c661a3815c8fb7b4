/**
 * Whether a path names an entry, the entry itself: a symlink is there even
 * when what it points at is not (`lstat`, never following it).
 *
 * @example
 * ```ts
 * import { entryExists } from "./entry_exists.ts";
 *
 * entryExists("/etc/passwd"); // true
 * ```
 *
 * @module
 */

/** Whether `path` names an entry (a dangling symlink does). */
export function entryExists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
