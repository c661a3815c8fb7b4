/**
 * The uid and gid mappings of a rootless container: container root is the
 * caller; with newuidmap/newgidmap and ranges in /etc/subuid and /etc/subgid,
 * container ids 1..N map to the caller's subordinate range (so apt can switch
 * to `_apt`). Nothing maps an id the caller could not use before.
 *
 * @module
 */

import { spawnSharingMemory } from "../../ffi/spawn_in_namespaces.ts";
import { dup2, makePipe, readAvailable, waitForExit } from "../../ffi/processes.ts";
import { closeFd, effectiveIds, execve } from "../../ffi/sys.ts";
import { PlashError } from "../errors.ts";
import { type IdMaps, readIdMaps } from "../../ffi/namespaces.ts";
import { DEFAULT_PATH } from "./environment.ts";
import { findExecutable } from "./exec.ts";

/** One subordinate id range from /etc/subuid or /etc/subgid. */
export interface IdRange {
  start: number;
  count: number;
}

/** The first range of `file` granted to the user named `name` or with id `id`. */
export function subordinateRange(file: string, name: string, id: number): IdRange | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch {
    return undefined;
  }
  for (const line of text.split("\n")) {
    const [owner, start, count] = line.trim().split(":");
    if ((owner === name || owner === String(id)) && Number(count) > 0) {
      return { start: Number(start), count: Number(count) };
    }
  }
  return undefined;
}

/** The caller's user name from /etc/passwd (subuid files name users, not ids). */
function userName(uid: number): string {
  try {
    for (const line of Deno.readTextFileSync("/etc/passwd").split("\n")) {
      const fields = line.split(":");
      if (fields[2] === String(uid)) return fields[0];
    }
  } catch {
    // No passwd: only numeric entries in /etc/subuid can match.
  }
  return String(uid);
}

/** How plash will map ids for the caller: the full range or only the caller itself. */
export function plannedMapping(uid: number, gid: number) {
  const name = userName(uid);
  // Each answer only when the ones before it allow a range: a caller without one (the common
  // rootless case) reads no subgid file and searches PATH for no helper.
  const uids = subordinateRange("/etc/subuid", name, uid);
  const gids = uids && subordinateRange("/etc/subgid", name, uid);
  const path = Deno.env.get("PATH") ?? DEFAULT_PATH;
  const newuidmap = gids && findExecutable("newuidmap", path);
  const newgidmap = newuidmap && findExecutable("newgidmap", path);
  const ranges = uids && gids && newuidmap && newgidmap
    ? { uids, gids, newuidmap, newgidmap }
    : undefined;
  return { uid, gid, ranges };
}

/** How plash maps ids for a caller ({@linkcode plannedMapping}'s answer). */
export type IdMapping = ReturnType<typeof plannedMapping>;

/**
 * The id maps a namespace mapped as `plan` says shows in /proc/self: what
 * a caller outside it reads to know what ids its root will hold.
 */
export function namespaceIdMaps(plan: IdMapping): IdMaps {
  const own = (id: number) => ({ inside: 0, outside: id, count: 1 });
  if (!plan.ranges) return { uids: [own(plan.uid)], gids: [own(plan.gid)] };
  const { uids, gids } = plan.ranges;
  return {
    uids: [own(plan.uid), { inside: 1, outside: uids.start, count: uids.count }],
    gids: [own(plan.gid), { inside: 1, outside: gids.start, count: gids.count }],
  };
}

/**
 * The id maps of plash's user namespace, read or planned: as root (of the
 * host, or of the namespace a command started again in) this process's own;
 * else those plash gives the namespaces it makes for the caller (below):
 * the caller as 0, its subordinate range from 1. (Here, not in
 * `become_user.ts`, which every run loads: a root run needs no plan.)
 */
export function userNamespaceIdMaps(): IdMaps {
  const { uid, gid } = effectiveIds();
  return uid === 0 ? readIdMaps() : namespaceIdMaps(plannedMapping(uid, gid));
}

/**
 * Writes the uid and gid maps `plan` plans of process `pid`, which waits in
 * its new user namespace.
 */
export async function writeIdMaps(pid: number, plan: IdMapping): Promise<void> {
  const { uid, gid } = plan;
  if (plan.ranges) {
    const { uids, gids, newuidmap, newgidmap } = plan.ranges;
    // The two helpers are independent: running them at once saves one process start.
    await Promise.all([
      runMapper(newuidmap, [pid, 0, uid, 1, 1, uids.start, uids.count]),
      runMapper(newgidmap, [pid, 0, gid, 1, 1, gids.start, gids.count]),
    ]);
    return;
  }
  mapOnlyCaller(pid, uid, gid);
}

/**
 * Maps only the caller (`uid`, `gid`) as root in the user namespace of
 * process `pid` ("self": this process, in its new namespace): what a user may
 * map without the setuid helpers, after giving up setgroups.
 */
export function mapOnlyCaller(pid: number | "self", uid: number, gid: number): void {
  Deno.writeTextFileSync(`/proc/${pid}/setgroups`, "deny");
  Deno.writeTextFileSync(`/proc/${pid}/uid_map`, `0 ${uid} 1\n`);
  Deno.writeTextFileSync(`/proc/${pid}/gid_map`, `0 ${gid} 1\n`);
}

/**
 * Runs a setuid mapping helper, its stderr kept for the error. Started by a
 * clone child that shares plash's memory and execs it at once: Deno.Command
 * would cost a few milliseconds a process, on the path of every rootless run.
 */
async function runMapper(program: string, args: number[]): Promise<void> {
  const argv = [program, ...args.map(String)];
  const pipe = makePipe();
  let pid: number;
  try {
    pid = spawnSharingMemory(() => {
      dup2(pipe.write, 2);
      execve(program, argv, []);
    }, { onError: () => 127 });
  } finally {
    closeFd(pipe.write);
  }
  try {
    const status = await waitForExit(pid);
    if (status !== 0) {
      const why = readAvailable(pipe.read).trim().split("\n")[0] || `exit status ${status}`;
      throw new PlashError(`${argv.join(" ")} failed: ${why}`);
    }
  } finally {
    closeFd(pipe.read);
  }
}
