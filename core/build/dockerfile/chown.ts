/**
 * COPY and ADD `--chown=USER[:GROUP]`: names from the image's account files,
 * numbers as they are, and (without root) refused in one line when plash's
 * user namespace does not map them; and the owner of WORKDIR's directory.
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

import { PlashError } from "../../errors.ts";
import { mapped } from "../../runtime/become_user.ts";
import { userNamespaceIdMaps } from "../../runtime/id_map.ts";
import { accountsInLayers } from "../../runtime/layer_accounts.ts";
import { resolveUser } from "../../runtime/users.ts";

/** `--chown=USER[:GROUP]`, names from the image's account files; checked against the id maps. */
export function chownIds(spec: string, layers: string[]): { uid: number; gid: number } {
  const files = /^\d+(:\d+)?$/.test(spec) ? {} : accountsInLayers(layers);
  const user = resolveUser(spec, files, "the image");
  // As docker: a user without a group gives its own number as the group.
  const ids = { uid: user.uid, gid: spec.includes(":") ? user.gid : user.uid };
  // Without root, the maps plash gives its user namespace (the layer is written as the caller).
  const maps = userNamespaceIdMaps();
  if (!mapped(maps.uids, ids.uid) || !mapped(maps.gids, ids.gid)) {
    throw new PlashError(
      `--chown=${spec}: ${ids.uid}:${ids.gid} is outside the ids your user namespace maps; ` +
        "give your user a range in /etc/subuid and /etc/subgid (see `plash doctor`)",
    );
  }
  return ids;
}

/**
 * The ids of USER `spec` in the image, for WORKDIR's directory (buildah makes
 * it the user's); root's when plash's user namespace cannot hold them.
 */
export function userIds(spec: string, layers: string[]): { uid: number; gid: number } {
  const { uid, gid } = resolveUser(spec, accountsInLayers(layers), "the image");
  const maps = userNamespaceIdMaps();
  if (!mapped(maps.uids, uid) || !mapped(maps.gids, gid)) return { uid: 0, gid: 0 };
  return { uid, gid };
}
