/**
 * The files an image shows, computed from its layer directories the way
 * overlayfs merges them, without mounting anything (so it works without root
 * and without a mount namespace).
 *
 * Overlay's rules, top (newest) layer first:
 * * a character device 0/0 is a whiteout: the name is gone from here down;
 * * a directory whose `trusted.overlay.opaque` (or `user.overlay.opaque`) is
 *   `y` hides what lower layers have at its path;
 * * a non-directory hides everything lower layers have at its path; a
 *   directory merges with the directories below it until one of the above.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/1`);
 * Deno.mkdirSync(`${dir}/2`);
 * Deno.writeTextFileSync(`${dir}/1/hello`, "hi\n");
 * Deno.writeTextFileSync(`${dir}/2/bye`, "bye\n");
 * const seen = [...walkMerged([`${dir}/2`, `${dir}/1`])].map((entry) => entry.path || ".");
 * assert.deepEqual(seen.sort(), [".", "bye", "hello"]);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { isOpaque, isWhiteout } from "./overlay_format.ts";
import { layerFiles } from "./layer_files.ts";
import { fileXattrs } from "./xattrs.ts";

/** One file of a tree. */
export interface TreeEntry {
  /** Path relative to the tree's root, without a leading "./"; "" is the root itself. */
  path: string;
  /** Absolute path of the file in the layer that provides it. */
  source: string;
  /** `Deno.lstatSync(source)` (as `layer_files.ts` reads it). */
  info: Deno.FileInfo;
  /** Index of that layer in the list given to {@linkcode walkMerged}, 0 being the top. */
  layer: number;
  /** The file's xattrs; overlayfs's own are left out of a merged view. */
  xattrs: Map<string, Uint8Array>;
}

/** How to read the layers. */
export interface WalkOptions {
  /**
   * Read one directory as it is, whiteouts and overlay xattrs included: what
   * copying a layer (rather than an image) needs.
   */
  verbatim?: boolean;
}

/** What is known about one name while its layers are read, top down. */
interface Candidate {
  /** The topmost file with the name, or undefined when that is a whiteout. */
  top?: TreeEntry;
  /** For a directory: the layers whose directory at this path is merged into it. */
  dirLayers: number[];
  /** Whether lower layers can still add to it (only a directory that nothing stopped). */
  open: boolean;
}

/**
 * Yields every visible file of the merged `layers` (top first), each
 * directory before what it holds, names in code unit order: the output is
 * the same for the same layers.
 */
export function* walkMerged(
  layers: string[],
  options: WalkOptions = {},
): Generator<TreeEntry> {
  const verbatim = options.verbatim ?? false;
  if (verbatim && layers.length !== 1) throw new Error("a verbatim walk reads exactly one layer");
  const node = mergedRoot(layers, verbatim);
  if (!node?.top.info.isDirectory) throw new Error(`not a directory: ${layers[0]}`);
  yield* walkCandidate(layers, node, verbatim);
}

/**
 * Yields the merged `layers`' (top first) entry at `path` (relative, no
 * leading "/") and, for a directory, everything it holds, as
 * {@linkcode walkMerged} yields them; nothing when the image has no `path`.
 * Only the directories on the way down are read, not the whole tree.
 */
export function* walkMergedAt(layers: string[], path: string): Generator<TreeEntry> {
  let node = mergedRoot(layers);
  for (const name of path.split("/")) {
    if (node === undefined) return;
    node = mergedChild(layers, node, name);
  }
  if (node) yield* walkCandidate(layers, node, false);
}

/** One file of the merged layers, found by its path. */
export interface MergedNode {
  /** The file, from the topmost layer that has it. */
  top: TreeEntry;
  /**
   * For a directory: the layers (indexes, top first) whose directory at its
   * path is merged into it, down to the first that hides those below; empty
   * for any other file.
   */
  dirLayers: number[];
}

/**
 * The root directory of the merged `layers` (top first); undefined when there
 * are none. `verbatim`: whiteouts are files (a verbatim walk's one layer).
 */
export function mergedRoot(layers: string[], verbatim = false): MergedNode | undefined {
  let candidate: Candidate | undefined;
  layers.forEach((dir, layer) => {
    candidate = consider(candidate, dir, "", layer, verbatim);
  });
  return found(candidate);
}

/**
 * What directory `parent` of the merged `layers` holds as `name`, as
 * overlayfs shows it: undefined when no layer merged into `parent` has the
 * name, the topmost one is a whiteout, or `parent` is no directory. Only the
 * layers that make `parent` are read, so what hides a directory (a whiteout,
 * a file, an opaque directory above it) hides all it held.
 */
export function mergedChild(
  layers: string[],
  parent: MergedNode,
  name: string,
): MergedNode | undefined {
  if (!parent.top.info.isDirectory) return undefined;
  const path = parent.top.path === "" ? name : `${parent.top.path}/${name}`;
  let candidate: Candidate | undefined;
  for (const layer of parent.dirLayers) {
    if (candidate && !candidate.open) break;
    // One lstat a layer: whether it has the name, and what it is.
    const info = lstatIfAny(`${layers[layer]}/${path}`);
    if (info === undefined) continue;
    candidate = consider(candidate, layers[layer], path, layer, false, info);
  }
  return found(candidate);
}

function found(candidate: Candidate | undefined): MergedNode | undefined {
  return candidate?.top && { top: candidate.top, dirLayers: candidate.dirLayers };
}

/** Whether there is an entry at `path` (a dangling symlink too). */
export function hasEntry(path: string): boolean {
  return lstatIfAny(path) !== undefined;
}

/** The entry at `path` as a walk reads it, undefined when there is none (not a dangling symlink). */
function lstatIfAny(path: string): Deno.FileInfo | undefined {
  try {
    return layerFiles().lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw error;
  }
}

function* walkCandidate(
  layers: string[],
  node: MergedNode,
  verbatim: boolean,
): Generator<TreeEntry> {
  const entry = node.top;
  yield entry;
  if (!entry.info.isDirectory) return;
  const children = new Map<string, Candidate>();
  for (const layer of node.dirLayers) {
    for (const { name } of Deno.readDirSync(`${layers[layer]}/${entry.path}`)) {
      const path = entry.path === "" ? name : `${entry.path}/${name}`;
      children.set(name, consider(children.get(name), layers[layer], path, layer, verbatim));
    }
  }
  const names = [...children.keys()].sort();
  for (const name of names) {
    const child = found(children.get(name));
    if (child) yield* walkCandidate(layers, child, verbatim);
  }
}

/**
 * Folds the file at `path` in `layer` into what the layers above said about
 * the name; `lstat` is the file's, when the caller has read it.
 */
function consider(
  known: Candidate | undefined,
  layerDir: string,
  path: string,
  layer: number,
  verbatim: boolean,
  lstat?: Deno.FileInfo,
): Candidate {
  if (known && !known.open) return known;
  const source = path === "" ? layerDir : `${layerDir}/${path}`;
  const files = layerFiles();
  const info = lstat ?? files.lstat(source);
  if (!verbatim && isWhiteout(info)) return known ? closed(known) : { dirLayers: [], open: false };
  if (known) {
    if (!info.isDirectory) return closed(known);
    known.dirLayers.push(layer);
    known.open = !isOpaque(files.xattrs(source));
    return known;
  }
  const xattrs = files.xattrs(source);
  const top = { path, source, info, layer, xattrs: verbatim ? xattrs : fileXattrs(xattrs) };
  if (!info.isDirectory) return { top, dirLayers: [], open: false };
  return { top, dirLayers: [layer], open: !verbatim && !isOpaque(xattrs) };
}

function closed(candidate: Candidate): Candidate {
  candidate.open = false;
  return candidate;
}
