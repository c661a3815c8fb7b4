/**
 * Names for images: `map/<key>` in the store is a relative symlink to the
 * image's node. Keys are any non-empty text; "/" and "%" are escaped in the
 * file name, as is a leading "." (so no key is "." or "..").
 *
 * The original plash stored a key verbatim as the file name (it refused keys
 * with "/"), so a store it made holds names such as `50%`. Both are read:
 * lookups try plash's escaped name first, then the verbatim one; a listed
 * name is read as plash's escaping when it is one (only `%25`, `%2F` and a
 * leading `%2E`), else as the key itself. So each name is one key: an
 * original key that looks escaped, `a%2Fb`, is the key `a/b`. Writing a key
 * stores the escaped name and drops the verbatim one.
 *
 * @module
 */

import { exists } from "../../ffi/sys.ts";
import { PlashError, wrap } from "../errors.ts";
import { chainOfLink } from "./ids.ts";
import { nodeDataDir } from "./layout.ts";
import type { Store } from "./store.ts";
import { removeTree } from "./tmp.ts";

/**
 * One entry of the map.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Store } from "./store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * store.setMap("docker:alpine", store.addLayer(0, store.makeTmpDir()));
 * const [entry] = store.mapEntries();
 * assert.equal(entry.key, "docker:alpine");
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 */
export interface MapEntry {
  /** The key, as the user or plash wrote it. */
  key: string;
  /** Its file name in `map/`. */
  file: string;
  /** The node it links to, relative to the store (`../layer/0/3/7`). */
  target: string;
  /** The image that node is. */
  id: number;
}

/** The longest file name Linux's filesystems take, in bytes. */
const NAME_MAX = 255;

/** The file name in map/ that holds `key`. */
export function keyFileName(key: string): string {
  if (key === "") throw new PlashError("empty map key");
  return key.replaceAll("%", "%25").replaceAll("/", "%2F").replace(/^\./, "%2E");
}

/**
 * The file name the original plash gave `key` (the key itself), when it is
 * not the escaped one, can be a file name in `map/`, and is not plash's name
 * of another key (`a%2Fb` is the key `a/b`'s).
 */
function verbatimFileName(key: string): string | undefined {
  if (key.includes("/") || key === "." || key === ".." || key === keyFileName(key)) {
    return undefined;
  }
  return keyFileName(keyFromFileName(key)) === key ? undefined : key;
}

/** The names `key` may be stored under in map/, plash's first. */
function fileNamesOf(key: string): string[] {
  const verbatim = verbatimFileName(key);
  return verbatim === undefined ? [keyFileName(key)] : [keyFileName(key), verbatim];
}

/** What plash's escaping makes: any text but "%" outside `%25` and `%2F`, a leading `%2E`. */
const ESCAPED = /^(?:%2E)?(?:[^%]|%25|%2F)*$/;
const UNESCAPE: Record<string, string> = { "%25": "%", "%2F": "/", "%2E": "." };

/**
 * The key a map file name stands for: plash's escaping undone when the name
 * is escaped that way, else the name as it is (the original plash's keys).
 *
 * @example
 * ```ts
 * import { keyFromFileName } from "./map.ts";
 *
 * keyFromFileName("docker:a%2Fb"); // "docker:a/b"
 * keyFromFileName("50%"); // "50%": written by the original plash
 * ```
 */
export function keyFromFileName(name: string): string {
  if (!ESCAPED.test(name)) return name;
  return name.replace(/%(?:25|2F|2E)/g, (escape) => UNESCAPE[escape]);
}

/** The image a map link target (`../layer/0/3/7`) names, if it is a node link. */
function idOfTarget(target: string): number | undefined {
  return chainOfLink(target)?.at(-1);
}

/** The image mapped to `key`, or undefined (also when the image was removed). */
export function getMap(store: Store, key: string): number | undefined {
  if (key === "") return undefined;
  for (const name of fileNamesOf(key)) {
    const link = store.mapLink(name);
    let target: string;
    try {
      target = Deno.readLinkSync(link);
    } catch {
      continue; // not stored under this name
    }
    if (!exists(nodeDataDir(link))) return undefined; // its image is gone
    return idOfTarget(target);
  }
  return undefined;
}

/** Maps `key` to image `id`, replacing what it mapped to, in one rename(2). */
export function setMap(store: Store, key: string, id: number): void {
  const name = keyFileName(key);
  // Checked here, not left to rename(2): its error would name a temporary file.
  if (new TextEncoder().encode(name).length > NAME_MAX) {
    throw new PlashError(`map key too long: ${key}: at most ${NAME_MAX} bytes as a file name`);
  }
  const target = store.nodeLink(store.chain(id));
  const stage = store.makeTmpDir();
  try {
    Deno.symlinkSync(target, `${stage}/link`);
    Deno.renameSync(`${stage}/link`, store.mapLink(name));
  } finally {
    removeTree(stage);
  }
  // The original plash's name for the key, if any, would list it twice.
  const verbatim = verbatimFileName(key);
  if (verbatim !== undefined) removeLink(store.mapLink(verbatim));
}

/** Removes `key`; removing a key that is not there is not an error. */
export function deleteMap(store: Store, key: string): void {
  for (const name of fileNamesOf(key)) removeLink(store.mapLink(name));
}

/**
 * Removes the link at `path` (in map/ or index/): one that is not there, or
 * that another process removed first, is done.
 */
export function removeLink(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw wrap(error, `removing ${path}`);
  }
}

/** Every entry of the map, whether or not its image still exists. */
export function mapEntries(store: Store): MapEntry[] {
  const entries: MapEntry[] = [];
  for (const entry of Deno.readDirSync(store.mapRoot)) {
    if (!entry.isSymlink) continue;
    let target: string;
    try {
      target = Deno.readLinkSync(store.mapLink(entry.name));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue; // removed since readdir
      throw error;
    }
    const id = idOfTarget(target);
    // A link plash did not make names no image; `clean` removes it if it dangles.
    if (id === undefined) continue;
    entries.push({ key: keyFromFileName(entry.name), file: entry.name, target, id });
  }
  return entries;
}
