/**
 * Looking a path up in an image without mounting it: through its layers, top
 * down, symlinks resolved inside the image (never on the host), as COPY's
 * destination and WORKDIR need to know what the image already has there.
 *
 * @example
 * ```ts
 * import { lookupInLayers } from "./image_path.ts";
 *
 * const found = lookupInLayers(["/store/layer/0/1/_data/root"], "/etc/passwd");
 * found?.path; // "/etc/passwd" (symlinks resolved), found?.info.isFile
 * ```
 *
 * @module
 */

import { MAX_LINKS } from "../../../ffi/in_root.ts";
import { isOpaque, isWhiteout } from "../../tree/overlay_format.ts";
import { readXattrs } from "../../tree/xattrs.ts";

/** A file of an image: its resolved path in the image and where a layer holds it. */
export interface ImageFile {
  /** The path inside the image, symlinks resolved (but the last with `follow: false`). */
  path: string;
  /** The file in the topmost layer that has it. */
  source: string;
  info: Deno.FileInfo;
}

/**
 * The file at `path` in the image of `layers` (top first), or undefined; the
 * last component's symlink is followed unless `follow` is false.
 */
export function lookupInLayers(
  layers: string[],
  path: string,
  options: { follow?: boolean } = {},
): ImageFile | undefined {
  const pending = path.split("/").filter((part) => part !== "" && part !== ".");
  const resolved: string[] = [];
  let links = 0;
  while (pending.length) {
    const name = pending.shift()!;
    if (name === "..") {
      resolved.pop();
      continue;
    }
    const found = topmost(layers, `/${[...resolved, name].join("/")}`);
    if (found === undefined) return undefined;
    if (found.info.isSymlink && (pending.length || options.follow !== false)) {
      if (++links > MAX_LINKS) return undefined;
      const target = Deno.readLinkSync(found.source);
      if (target.startsWith("/")) resolved.length = 0;
      pending.unshift(...target.split("/").filter((part) => part !== "" && part !== "."));
      continue;
    }
    if (pending.length && !found.info.isDirectory) return undefined;
    resolved.push(name);
  }
  return topmost(layers, `/${resolved.join("/")}`);
}

/** The topmost layer's file at `path` (a whiteout hides it). */
function topmost(layers: string[], path: string): ImageFile | undefined {
  const inLayer = path === "/" ? "" : path;
  for (const layer of layers) {
    let info: Deno.FileInfo;
    try {
      info = Deno.lstatSync(`${layer}${inLayer}`);
    } catch (error) {
      // Refused to a caller without root: not absent (the build starts again as namespace root).
      if (error instanceof Deno.errors.PermissionDenied) throw error;
      continue; // not in this layer: the next one down may have it
    }
    return isWhiteout(info) ? undefined : { path, source: `${layer}${inLayer}`, info };
  }
  return undefined;
}

/**
 * The directories whose merge is the image's directory at `path` (resolved,
 * as {@linkcode lookupInLayers} gives it), top first: each layer's directory
 * there, down to the first layer that hides the ones below (a whiteout, a
 * file or an opaque directory at `path` or above it), as overlayfs merges.
 */
export function layersAt(layers: string[], path: string): string[] {
  const parts = path.split("/").filter((part) => part !== "");
  const found: string[] = [];
  for (const layer of layers) {
    let here = layer;
    let reaches = true;
    let hides = false;
    for (const part of parts) {
      here = `${here}/${part}`;
      let info: Deno.FileInfo;
      try {
        info = Deno.lstatSync(here);
      } catch {
        reaches = false; // not in this layer: the ones below show through
        break;
      }
      if (!info.isDirectory) {
        [reaches, hides] = [false, true];
        break;
      }
      if (isOpaque(readXattrs(here))) hides = true;
    }
    if (reaches) found.push(here);
    if (hides) break;
  }
  return found;
}
