/**
 * How the walk of a tree (`merged_tree.ts`) reads a file's owner and
 * xattrs: as this process sees them by default. A rootless export reads an
 * image's layers as its caller and shows them as root of plash's user
 * namespace sees them (owners and file capabilities as the image has them):
 * the command sets that with {@linkcode readLayersWith} before it reads
 * (`core/runtime/image_root_reader.ts`), for the whole process, which then
 * reads only that image.
 *
 * @example
 * ```ts
 * import { layerFiles } from "./layer_files.ts";
 *
 * console.log(layerFiles().lstat("/etc/hostname").uid);
 * ```
 *
 * @module
 */

import { readXattrs } from "./xattrs.ts";

/** The reads of a walk that depend on who looks. */
export interface LayerFiles {
  /** `Deno.lstatSync`. */
  lstat(path: string): Deno.FileInfo;
  /** The file's xattrs (see `xattrs.ts`). */
  xattrs(path: string): Map<string, Uint8Array>;
}

/** The files as this process sees them. */
export const OWN_VIEW: LayerFiles = {
  lstat: (path) => Deno.lstatSync(path),
  xattrs: readXattrs,
};

let current = OWN_VIEW;

/** How layer files are read now. */
export function layerFiles(): LayerFiles {
  return current;
}

/** Reads layer files with `files` from now on, in this whole process. */
export function readLayersWith(files: LayerFiles): void {
  current = files;
}
