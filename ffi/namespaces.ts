/**
 * Which user namespace this process is in.
 *
 * @module
 */

/** Read once: plash never changes its user namespace after starting in it. */
let namespaced: boolean | undefined;

/**
 * Whether this process is in a user namespace other than the host's (its uid
 * map is not the identity of every id).
 */
export function inUserNamespace(): boolean {
  namespaced ??= readUserNamespace();
  return namespaced;
}

/**
 * {@linkcode inUserNamespace}, read again: a clone child that has joined a
 * user namespace shares the memory, and so the answer kept, of a parent that
 * has not.
 */
export function readUserNamespace(): boolean {
  let map = "";
  try {
    map = Deno.readTextFileSync("/proc/self/uid_map");
  } catch {
    // No /proc: assume the host's namespace, where errors are real errors.
  }
  return map !== "" && !/^\s*0\s+0\s+4294967295\s*$/.test(map);
}
