/**
 * Root where it is needed, and only there: a command that works as its
 * caller (a cached build, `export-tar`) calls {@linkcode needPrivilege}
 * right before the first thing that needs root (building a layer, an
 * import's chown), before it has changed anything. Without root that throws
 * {@linkcode NeedsPrivilege}, and the command line (`cli.ts`) runs the
 * command again as root of plash's user namespace: a second start only for
 * the commands that need one.
 *
 * @example
 * ```ts
 * import { needPrivilege } from "./privilege.ts";
 *
 * needPrivilege(); // as root: nothing; else the command goes on in a user namespace
 * ```
 *
 * @module
 */

/** Thrown where a command needs root and the caller is not (see the module's documentation). */
export class NeedsPrivilege extends Error {
  constructor() {
    super("root of plash's user namespace is needed");
  }
}

/** Throws {@linkcode NeedsPrivilege} unless plash runs as root (of the host or its namespace). */
export function needPrivilege(): void {
  if (Deno.uid() !== 0) throw new NeedsPrivilege();
}

/**
 * Whether `error`, or an error it was wrapped around (its `cause`), is
 * {@linkcode NeedsPrivilege}: an import says where it failed around it.
 */
export function needsPrivilege(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    if (e instanceof NeedsPrivilege) return true;
  }
  return false;
}
