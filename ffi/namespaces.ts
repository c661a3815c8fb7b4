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
  if (namespaced === undefined) {
    let map = "";
    try {
      map = Deno.readTextFileSync("/proc/self/uid_map");
    } catch {
      // No /proc: assume the host's namespace, where errors are real errors.
    }
    namespaced = map !== "" && !/^\s*0\s+0\s+4294967295\s*$/.test(map);
  }
  return namespaced;
}
