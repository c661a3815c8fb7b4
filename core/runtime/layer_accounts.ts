/**
 * An image's account files read from its layer directories, without mounting
 * it and without root: what a bundle written before its overlay is mounted
 * (`oci_bundle.ts`) and a Dockerfile's `--chown` and USER (`chown.ts`) look
 * names up in. Kept out of `users.ts`, which every run loads.
 *
 * @module
 */

import { readSmallFile } from "../../ffi/sys.ts";
import { findMerged } from "../tree/merged_path.ts";
import { ACCOUNT_FILE_LIMIT, type AccountFiles } from "./users.ts";

/**
 * The /etc/passwd and /etc/group of the image of `layers` (top first), found
 * as its overlay would show them (links followed inside the image), each read
 * no further than {@linkcode ACCOUNT_FILE_LIMIT}; one the caller may not read
 * is a `SyscallError` (EACCES), which starts the command again as root of
 * plash's user namespace where that is done (`image_root_reader.ts`).
 */
export function accountsInLayers(layers: string[]): AccountFiles {
  const read = (path: string) => {
    const found = findMerged(layers, path);
    return found?.info.isFile ? readSmallFile(found.source, ACCOUNT_FILE_LIMIT) : undefined;
  };
  return { passwd: read("/etc/passwd"), group: read("/etc/group") };
}
