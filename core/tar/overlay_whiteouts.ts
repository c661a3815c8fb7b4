/**
 * OCI layer whiteouts as overlayfs understands them.
 *
 * An OCI (and docker) layer deletes a file of the layers below with an empty
 * entry `.wh.NAME` beside it, and hides all of a directory's lower contents
 * with an entry `DIR/.wh..wh..opq`. overlayfs says the same with a character
 * device 0/0 named NAME, and with the xattr `user.overlay.opaque="y"` on DIR
 * (plash mounts every overlay with `userxattr`). Both may be made without
 * root: the kernel lets anyone make a 0/0 device, and a directory's owner set
 * its `user.*` xattrs.
 *
 * @module
 */

import { mknod, S_IFCHR, setXattr } from "../../ffi/sys.ts";
import { PlashError } from "../errors.ts";
import { quote } from "./entry_name.ts";

const WHITEOUT_PREFIX = ".wh.";
const OPAQUE_MARKER = ".wh..wh..opq";

/** What a whiteout entry asks for, as name components under the archive's root. */
export type Whiteout =
  | { kind: "opaque"; dir: string[] }
  | { kind: "delete"; target: string[] };

/**
 * The whiteout that the entry with (normalized) name `parts` is, or undefined
 * for an ordinary entry.
 *
 * @example
 * ```ts
 * whiteoutOf(["etc", ".wh.motd"]); // { kind: "delete", target: ["etc", "motd"] }
 * whiteoutOf(["var", ".wh..wh..opq"]); // { kind: "opaque", dir: ["var"] }
 * ```
 */
export function whiteoutOf(parts: string[]): Whiteout | undefined {
  const last = parts[parts.length - 1];
  if (last === undefined || !last.startsWith(WHITEOUT_PREFIX)) return undefined;
  const dir = parts.slice(0, -1);
  if (last === OPAQUE_MARKER) return { kind: "opaque", dir };
  const name = last.slice(WHITEOUT_PREFIX.length);
  // Other `.wh..wh.` names are reserved by the OCI spec for future markers.
  if (name === "" || name === "." || name === ".." || name.startsWith(WHITEOUT_PREFIX)) {
    throw new PlashError(`bad whiteout ${quote(last)}`);
  }
  return { kind: "delete", target: [...dir, name] };
}

/** Makes the overlay whiteout (a 0/0 character device) at `path`, where nothing is. */
export function makeWhiteout(path: string): void {
  mknod(path, S_IFCHR | 0o600, 0, 0);
}

/** Marks directory `path` opaque: overlay shows none of the lower layers' contents in it. */
export function markOpaque(path: string): void {
  setXattr(path, "user.overlay.opaque", new TextEncoder().encode("y"));
}
