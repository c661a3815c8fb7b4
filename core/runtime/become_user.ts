/**
 * The plan's `user` step (`plan.ts`): in the image's root, right before the
 * exec, the command's user is looked up in the image's own /etc/passwd and
 * /etc/group (the files the command will see, whatever layer or link they
 * come from) and this thread becomes it: setgroups, setgid, setuid.
 *
 * As root this is a real switch. Rootless it is the id as plash's user
 * namespace maps it: with a subordinate range, container uid 65534 is an id
 * of that range on the host; without one only the caller is mapped, so the
 * command runs as the caller (container root) after one warning line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { becomeUser } from "./become_user.ts";
 * import { readIdMaps } from "../../ffi/namespaces.ts";
 * import { spawnSharingMemory } from "../../ffi/spawn_in_namespaces.ts";
 * import { waitForExit } from "../../ffi/processes.ts";
 * import { execve } from "../../ffi/sys.ts";
 *
 * const maps = readIdMaps(); // before chroot: /proc is the host's
 * let home: string | undefined;
 * // In the container's clone child (as root), after its chroot, right before its exec:
 * const pid = spawnSharingMemory(() => {
 *   home = becomeUser({ op: "user", user: "nobody", keepHome: false, where: "image 3" }, maps);
 *   execve("/bin/sh", ["sh", "-c", '[ "$(id -un)" = nobody ]'], []);
 * }, { onError: () => 127 });
 * assert.equal(await waitForExit(pid), 0);
 * assert.equal(home, "/nonexistent"); // nobody's, in Debian's /etc/passwd
 * ```
 *
 * @module
 */

import { switchIds } from "../../ffi/credentials.ts";
import type { IdMaps, IdRange } from "../../ffi/namespaces.ts";
import { readSmallFile } from "../../ffi/sys.ts";
import { PlashError } from "../errors.ts";
import type { SetupOp } from "./plan.ts";
import { ACCOUNT_FILE_LIMIT, type AccountFiles, type ResolvedUser, resolveUser } from "./users.ts";

/** Whether `ranges` map `id` (inside the namespace). */
export function mapped(ranges: IdRange[], id: number): boolean {
  return ranges.some(({ inside, count }) => id >= inside && id < inside + count);
}

/**
 * The ids of the `user` step's user in the image whose account files are
 * `files`, as this namespace (`maps`) can hold them; undefined for root
 * (0:0), and for a user a namespace that maps only the caller cannot hold
 * (said in one warning line: the command then runs as the caller).
 */
export function mappedUser(
  op: Extract<SetupOp, { op: "user" }>,
  files: AccountFiles,
  maps: IdMaps,
): ResolvedUser | undefined {
  const user = resolveUser(op.user, files, op.where);
  if (user.uid === 0 && user.gid === 0) return undefined;
  if (!mapped(maps.uids, user.uid) || !mapped(maps.gids, user.gid)) {
    const only = maps.uids.length === 1 && maps.uids[0].count === 1;
    if (only) {
      console.error(
        `plash warning: ${op.where} runs as ${op.user}, but without a subordinate id range ` +
          "only your own id is mapped: it runs as you (see `plash doctor`)",
      );
      return undefined;
    }
    throw new PlashError(
      `user ${op.user} (${user.uid}:${user.gid}) is not mapped in plash's user namespace ` +
        `(${maps.uids.map(({ inside, count }) => `${inside}-${inside + count - 1}`).join(", ")})`,
    );
  }
  // A supplementary group the namespace does not map cannot be held: it is left out.
  return { ...user, groups: user.groups.filter((gid) => mapped(maps.gids, gid)) };
}

/** The image's account files as this thread's root has them (the container's after chroot). */
export function accountFiles(): AccountFiles {
  return {
    passwd: readSmallFile("/etc/passwd", ACCOUNT_FILE_LIMIT),
    group: readSmallFile("/etc/group", ACCOUNT_FILE_LIMIT),
  };
}

/**
 * Becomes the `user` step's user, also in groups `extraGroups` (a device's)
 * where this namespace maps them; returns the HOME the command gets, or
 * undefined to keep the environment's. Root (0:0) switches nothing.
 */
export function becomeUser(
  op: Extract<SetupOp, { op: "user" }>,
  maps: IdMaps,
  extraGroups: number[] = [],
): string | undefined {
  const user = mappedUser(op, accountFiles(), maps);
  if (user === undefined) return undefined;
  const extra = extraGroups.filter((gid) => mapped(maps.gids, gid) && !user.groups.includes(gid));
  switchIds(extra.length ? { ...user, groups: [...user.groups, ...extra] } : user);
  return op.keepHome ? undefined : user.home;
}
