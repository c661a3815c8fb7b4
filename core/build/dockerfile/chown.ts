/**
 * COPY and ADD `--chown=USER[:GROUP]`: names from the image's account files,
 * numbers as they are, and (without root) refused in one line when plash's
 * user namespace does not map them.
 *
 * @example
 * ```ts
 * import { chownIds } from "./chown.ts";
 *
 * chownIds("5:6", []); // { uid: 5, gid: 6 }
 * ```
 *
 * @module
 */

import { inUserNamespace } from "../../../ffi/namespaces.ts";
import { PlashError } from "../../errors.ts";
import { mapped, readIdMaps } from "../../runtime/become_user.ts";
import { resolveUser } from "../../runtime/users.ts";
import { lookupInLayers } from "./image_path.ts";

/** `--chown=USER[:GROUP]`, names from the image's account files; checked against the id maps. */
export function chownIds(spec: string, layers: string[]): { uid: number; gid: number } {
  const read = (path: string) => {
    const file = lookupInLayers(layers, path);
    return file?.info.isFile ? Deno.readTextFileSync(file.source) : undefined;
  };
  const files = /^\d+(:\d+)?$/.test(spec)
    ? {}
    : { passwd: read("/etc/passwd"), group: read("/etc/group") };
  const user = resolveUser(spec, files, "the image");
  // As docker: a user without a group gives its own number as the group.
  const ids = { uid: user.uid, gid: spec.includes(":") ? user.gid : user.uid };
  if (inUserNamespace()) {
    const maps = readIdMaps();
    if (!mapped(maps.uids, ids.uid) || !mapped(maps.gids, ids.gid)) {
      throw new PlashError(
        `--chown=${spec}: ${ids.uid}:${ids.gid} is outside the ids your user namespace maps; ` +
          "give your user a range in /etc/subuid and /etc/subgid (see `plash doctor`)",
      );
    }
  }
  return ids;
}
