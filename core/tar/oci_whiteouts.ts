/**
 * OCI layer whiteouts: the archive entries that delete what lower layers
 * have.
 *
 * An OCI (and docker) layer deletes a file of the layers below with an empty
 * entry `.wh.NAME` beside it, and hides all of a directory's lower contents
 * with an entry `DIR/.wh..wh..opq`. overlayfs says the same its own way (see
 * `tree/overlay_format.ts`): the extractor writes one for the other, and
 * layer export (`oci_layer.ts`) the other for the one.
 *
 * @module
 */

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

/**
 * The name of the entry that deletes `path` (relative to the archive's root)
 * in the layers below.
 *
 * @example
 * ```ts
 * whiteoutEntryName("etc/motd"); // "etc/.wh.motd"
 * ```
 */
export function whiteoutEntryName(path: string): string {
  const slash = path.lastIndexOf("/");
  return `${path.slice(0, slash + 1)}${WHITEOUT_PREFIX}${path.slice(slash + 1)}`;
}

/**
 * The name of the entry that makes directory `dir` (relative to the
 * archive's root, "" for the root) opaque.
 *
 * @example
 * ```ts
 * opaqueEntryName("var/cache"); // "var/cache/.wh..wh..opq"
 * ```
 */
export function opaqueEntryName(dir: string): string {
  return dir === "" ? OPAQUE_MARKER : `${dir}/${OPAQUE_MARKER}`;
}

/** Whether a file called `name` would be read as a whiteout in an OCI layer. */
export function isWhiteoutName(name: string): boolean {
  return name.startsWith(WHITEOUT_PREFIX);
}
