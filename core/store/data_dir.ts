/**
 * The data directory: where the environment says it is, and the check that
 * it and what plash keeps at its top are the caller's own, private and no
 * symbolic links, before anything acts on them (see `store.ts` for why).
 *
 * @module
 */

import { type FileStatus, fileStatus } from "../../ffi/stat.ts";
import { PlashError, wrap } from "../errors.ts";

/**
 * The data directory the environment names, as it names it (a relative
 * `PLASH_DATA` stays relative, as the original plash printed it), whether or
 * not it exists yet: `$PLASH_DATA`, else `$HOME/.plashdata`, else the
 * caller's home from /etc/passwd.
 *
 * @example
 * ```ts
 * import { dataDir } from "./data_dir.ts";
 *
 * dataDir(); // "/root/.plashdata" unless PLASH_DATA says otherwise
 * ```
 */
export function dataDir(): string {
  const configured = Deno.env.get("PLASH_DATA");
  if (configured) return configured;
  return `${Deno.env.get("HOME") || passwdHome()}/.plashdata`;
}

/** The caller's home directory in /etc/passwd (no HOME in the environment: cron, su -). */
function passwdHome(): string {
  const uid = String(outerUid(Deno.uid()!));
  try {
    for (const line of Deno.readTextFileSync("/etc/passwd").split("\n")) {
      const fields = line.split(":");
      if (fields[2] === uid && fields[5]) return fields[5];
    }
  } catch {
    // No passwd file: nothing names a home.
  }
  throw new PlashError("could not determine your home directory (set HOME or PLASH_DATA)");
}

/**
 * The user `uid` of this process's user namespace is outside it, by
 * /proc/self/uid_map: in plash's own user namespace (without root) root is
 * the caller, whose home is meant, not root's.
 *
 * @example
 * ```ts
 * import { outerUid } from "./data_dir.ts";
 *
 * outerUid(0); // 1001 in plash's user namespace of user 1001, else 0
 * ```
 */
export function outerUid(uid: number): number {
  try {
    for (const line of Deno.readTextFileSync("/proc/self/uid_map").split("\n")) {
      const [inside, outside, count] = line.trim().split(/\s+/).map(Number);
      if (uid >= inside && uid < inside + count) return outside + uid - inside;
    }
  } catch {
    // No /proc: the ids are the host's.
  }
  return uid;
}

/**
 * `path` made absolute against the working directory, without `.`, `..` or
 * doubled slashes: the store's paths must not change meaning when plash
 * changes directory (it mounts from inside the store).
 *
 * @example
 * ```ts
 * import { absolutePath } from "./data_dir.ts";
 *
 * absolutePath("data/", "/home/me"); // "/home/me/data"
 * ```
 */
export function absolutePath(path: string, cwd?: string): string {
  const parts: string[] = [];
  // The working directory is asked for only when needed: each start opens the store by an
  // absolute path, and Deno.cwd() is a call into Deno.
  const full = path.startsWith("/") ? path : `${cwd ?? Deno.cwd()}/${path}`;
  for (const part of full.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== "" && part !== ".") parts.push(part);
  }
  return `/${parts.join("/")}`;
}

/** What a path in the store must be. */
export type PrivateKind = "directory" | "file";

/**
 * Checks that `path` (the data directory `root` or a path in it) is a
 * `kind` of the caller's own and no symbolic link, and gives it `mode` when
 * it has another; returns false when nothing is at `path`. Anything else is
 * refused in one line naming the data directory. (Beside the data
 * directory's lookup, not in a module of its own: on the start path, loading
 * one more module costs more than the checks, about 0.15 ms.)
 */
export function ensurePrivate(
  root: string,
  path: string,
  kind: PrivateKind,
  mode: number,
): boolean {
  let info: FileStatus | undefined;
  try {
    info = fileStatus(path, { follow: false });
  } catch (error) {
    throw wrap(error, `data directory ${root}`);
  }
  if (info === undefined) return false;
  const what = path === root ? "it" : path;
  const refuse = (why: string) => new PlashError(`refusing the data directory ${root}: ${why}`);
  if (info.type === "symlink") throw refuse(`${what} is a symbolic link`);
  if (info.type !== kind) throw refuse(`${what} is not a ${kind}`);
  const me = Deno.uid();
  if (info.uid !== me) throw refuse(`${what} is owned by uid ${info.uid}, not by uid ${me}`);
  if (info.mode !== mode) {
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
