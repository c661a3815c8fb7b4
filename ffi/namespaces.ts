/**
 * The namespaces this process is in, and entering a mount namespace of its
 * own.
 *
 * @module
 */

import { check } from "./errors.ts";
import { sym } from "./libc.ts";
import { mount, MS } from "./sys.ts";

const CLONE_NEWNS = 0x20000;

/**
 * Gives the calling thread a mount namespace of its own whose mounts do not
 * propagate back to the host.
 */
export function enterPrivateMountNamespace(): void {
  check(sym.unshare(CLONE_NEWNS), "unshare", "CLONE_NEWNS");
  mount(null, "/", null, MS.REC | MS.PRIVATE);
}

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
