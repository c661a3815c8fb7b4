/**
 * Who `USER[:GROUP]` is in an image: `docker run -u` and OCI `User`
 * resolved against the image's own /etc/passwd and /etc/group, as runc and
 * docker resolve them. A name must be in the files; a number need not be (a
 * uid the image does not list runs with group 0 and HOME /, as in docker).
 *
 * The files' text is given by the caller: the executor reads them in the
 * container's root after chroot (`execute.ts`), `plash bundle` through the
 * bundle's rootfs.
 *
 * @example
 * ```ts
 * import { resolveUser } from "./users.ts";
 *
 * const passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
 * const group = "root:x:0:\nnogroup:x:65534:\nstaff:x:50:nobody\n";
 * resolveUser("nobody", { passwd, group }, "image 3");
 * // { uid: 65534, gid: 65534, groups: [65534, 50], home: "/nonexistent" }
 * ```
 *
 * @module
 */

import { PlashError } from "../errors.ts";

/** A resolved user: what setgroups, setgid and setuid are given, and its HOME. */
export interface ResolvedUser {
  uid: number;
  gid: number;
  /**
   * Supplementary groups: the primary group, and without an explicit group
   * every group listing the user.
   */
  groups: number[];
  /** The home directory from passwd, else "/". */
  home: string;
}

/** The text of the image's account files; undefined where the image has none. */
export interface AccountFiles {
  passwd?: string;
  group?: string;
}

/** The largest account file plash reads (a real one is a few KiB). */
export const ACCOUNT_FILE_LIMIT = 4 << 20;

/** An id given as a number. */
const NUMBER = /^\d+$/;

function rows(text: string | undefined): string[][] {
  return (text ?? "").split("\n").filter((line) => line && !line.startsWith("#"))
    .map((line) => line.split(":"));
}

function id(text: string, what: string, where: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0 || value > 0xfffffffe) {
    throw new PlashError(`${what} id out of range in ${where}: ${text}`);
  }
  return value;
}

/**
 * `spec` (`name`, `uid`, `name:group`, `uid:gid`...) as ids in the image
 * whose account files are `files`; `where` names the image in errors. An
 * unknown name fails in one line.
 */
export function resolveUser(spec: string, files: AccountFiles, where: string): ResolvedUser {
  const colon = spec.indexOf(":");
  const userPart = colon === -1 ? spec : spec.slice(0, colon);
  const groupPart = colon === -1 ? undefined : spec.slice(colon + 1);
  if (userPart === "" || groupPart === "") {
    throw new PlashError(`user must be USER[:GROUP], got: ${spec}`);
  }
  const passwd = rows(files.passwd);
  const entry = passwd.find((row) =>
    NUMBER.test(userPart) ? row[2] === userPart : row[0] === userPart
  );
  if (entry === undefined && !NUMBER.test(userPart)) {
    throw new PlashError(`unknown user in ${where}: ${userPart} (not in its /etc/passwd)`);
  }
  const uid = id(entry?.[2] ?? userPart, "user", where);
  const groups = rows(files.group);
  let gid = entry ? id(entry[3], "group", where) : 0;
  if (groupPart !== undefined) {
    const row = groups.find((each) =>
      NUMBER.test(groupPart) ? each[2] === groupPart : each[0] === groupPart
    );
    if (row === undefined && !NUMBER.test(groupPart)) {
      throw new PlashError(`unknown group in ${where}: ${groupPart} (not in its /etc/group)`);
    }
    gid = id(row?.[2] ?? groupPart, "group", where);
  }
  // As in docker: a group given names the one group; else the user's are those listing it.
  const name = groupPart === undefined ? entry?.[0] : undefined;
  const member = groups.filter((row) =>
    name !== undefined && (row[3] ?? "").split(",").includes(name)
  ).map((row) => id(row[2], "group", where));
  return { uid, gid, groups: [...new Set([gid, ...member])], home: entry?.[5] || "/" };
}
