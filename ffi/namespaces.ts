/**
 * Which user namespace this process is in, and the ids it maps.
 *
 * @module
 */

import { readSmallFile } from "./sys.ts";

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
 * has not. Read by system calls (`readSmallFile`), not a Deno file op, as
 * everything such a child does (`ffi/spawn_in_namespaces.ts`).
 */
export function readUserNamespace(): boolean {
  let map: string | undefined;
  try {
    map = readSmallFile("/proc/self/uid_map", 1 << 16);
  } catch {
    // procfs refused: as without /proc, below.
  }
  // No /proc: assume the host's namespace, where errors are real errors.
  return map !== undefined && map !== "" && !/^\s*0\s+0\s+4294967295\s*$/.test(map);
}

/** One line of /proc/self/uid_map or gid_map: `count` ids from `inside` are `outside`... */
export interface IdRange {
  inside: number;
  outside: number;
  count: number;
}

/** The ids this process's user namespace maps, read from /proc/self (before chroot). */
export interface IdMaps {
  uids: IdRange[];
  gids: IdRange[];
}

function parseMap(text: string | undefined): IdRange[] {
  return (text ?? "").trim().split("\n").filter(Boolean).map((line) => {
    const [inside, outside, count] = line.trim().split(/\s+/).map(Number);
    return { inside, outside, count };
  });
}

/** This process's id maps (the host's own map everything); read them before a chroot. */
export function readIdMaps(): IdMaps {
  return {
    uids: parseMap(readSmallFile("/proc/self/uid_map", 1 << 16)),
    gids: parseMap(readSmallFile("/proc/self/gid_map", 1 << 16)),
  };
}
