/**
 * Becoming another user right before exec: supplementary groups, group id,
 * user id, in that order (the last step gives up the right to the others).
 *
 * Raw system calls, not libc's setuid(3) and friends: glibc applies those to
 * every thread of the process it knows (the "setxid" broadcast), and the
 * container child of a rootless run shares plash's memory, so glibc would
 * signal threads that are not the child's and wait for them. The kernel's
 * calls change the calling thread only, which is all an exec keeps.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { switchIds } from "./credentials.ts";
 * import { spawnSharingMemory } from "./spawn_in_namespaces.ts";
 * import { waitForExit } from "./processes.ts";
 * import { execve } from "./sys.ts";
 *
 * // In a clone child (as root), right before its exec: plash's own ids stay.
 * const pid = spawnSharingMemory(() => {
 *   switchIds({ uid: 65534, gid: 65534, groups: [65534] });
 *   execve("/bin/sh", ["sh", "-c", '[ "$(id -u):$(id -g)" = 65534:65534 ]'], []);
 * }, { onError: () => 127 });
 * assert.equal(await waitForExit(pid), 0);
 * ```
 *
 * @module
 */

import { SyscallError } from "./errors.ts";
import { errno, sym } from "./libc.ts";

/** The numbers of the calls on this architecture (asm/unistd.h). */
const CALLS = Deno.build.arch === "aarch64"
  ? { setgroups: 159n, setgid: 144n, setuid: 146n }
  : { setgroups: 116n, setgid: 106n, setuid: 105n };

/** The ids a process runs as. */
export interface Ids {
  uid: number;
  gid: number;
  /** Supplementary groups. */
  groups: number[];
}

function call(name: keyof typeof CALLS, first: bigint, list: Uint8Array | null, shown: string) {
  const result = sym.syscall(CALLS[name], first, list, null, 0n);
  if (result < 0n) throw new SyscallError(name, shown, errno());
}

/**
 * Sets this thread's supplementary groups, then its real, effective and
 * saved group and user ids (as root, setgid and setuid set all three).
 * Fails with a {@linkcode SyscallError}: EINVAL for an id this user
 * namespace does not map, EPERM without the right to change it.
 */
export function switchIds(ids: Ids): void {
  const groups = new Uint32Array(ids.groups);
  call("setgroups", BigInt(groups.length), new Uint8Array(groups.buffer), ids.groups.join(","));
  call("setgid", BigInt(ids.gid), null, String(ids.gid));
  call("setuid", BigInt(ids.uid), null, String(ids.uid));
}
