/**
 * The first lookup of a `plash bud`, which parses nothing: a key over what
 * needs no parsing (the Dockerfile's bytes, the options, the stats of the
 * ignore files), mapped to the image a build of them made, which carries a
 * note, the memo record, saying what else that build depended on: the map
 * keys its FROMs and `--from`s were found under (a name as written, or an
 * id) and the images they gave, the `stat`s of what it read of the host,
 * and the trace a build taken all from the cache prints. A hit re-checks
 * each of them (one `getMap` or `stat` each) and loads nothing else; any
 * difference is a miss, and the build goes through the whole-build memo
 * (`build_memo.ts`) and step by step as before, then writes the record
 * again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoRecordKey, recordedBuild } from "./memo_record.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const context = Deno.makeTempDirSync();
 * const build = { text: "FROM 1\nRUN echo hi > /hi\n", file: "Dockerfile", context };
 * const key = await memoRecordKey(build);
 * // { id, trace } of the same build once one wrote its record; none was built here
 * assert.equal(key && recordedBuild(store, build, key), undefined);
 * Deno.removeSync(store.root, { recursive: true });
 * Deno.removeSync(context, { recursive: true });
 * ```
 *
 * @module
 */

import { sha256Hex } from "../../sha256.ts";
import { KEYS } from "../../store/keys.ts";
import { imageNote, setImageNote } from "../../store/notes.ts";
import type { Store } from "../../store/store.ts";
import type { DockerfileBuild } from "./build_dockerfile.ts";

/** Bumped when what the key or the record covers changes. */
const VERSION = "plash-bud-record-1";

/**
 * One `stat` as the memo compares it: path, then mode, size, inode, mtime,
 * ctime. Not the owner, which reads differently as root of plash's user
 * namespace and as its caller; a chown changes the ctime.
 */
export type StatEntry = [path: string, ...stat: (number | null)[]];

/** What a memoized build depended on beyond its record key, and what it printed. */
export interface MemoRecord {
  /**
   * Each map key a FROM or `--from` was found under (`#ID` for an id), with
   * its image; null for a key that must stay unmapped.
   */
  images: [key: string, id: number | null][];
  /** The context's real path, under which `lstats` were taken. */
  root: string;
  /** `stat`s (through symlinks) of the secrets. */
  stats: StatEntry[];
  /** `lstat`s of the context entries the build may read (paths relative to `root`). */
  lstats: StatEntry[];
  /** What a step-by-step build all from the cache prints on stderr; none when unknown. */
  trace?: string[];
}

/** The ignore files a build may read, whether or not they exist, in the order they rule. */
export function ignoreFiles(build: DockerfileBuild): string[] {
  if (build.ignoreFile !== undefined) return [build.ignoreFile];
  return [
    ...(build.path ? [`${build.path}.dockerignore`] : []),
    `${build.context}/.containerignore`,
    `${build.context}/.dockerignore`,
  ];
}

/** The entry of `path` as `info` says (`[path]` alone when it does not exist). */
export function statEntry(path: string, info: Deno.FileInfo | undefined): StatEntry {
  if (info === undefined) return [path];
  const mtime = info.mtime?.getTime() ?? null;
  const ctime = info.ctime?.getTime() ?? null;
  return [path, info.mode, info.size, info.ino, mtime, ctime];
}

/** The `stat` (or `lstat`) of `path`, or undefined when there is nothing there. */
export function statOrUndefined(
  path: string,
  stat: (path: string) => Deno.FileInfo = Deno.statSync,
): Deno.FileInfo | undefined {
  try {
    return stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/**
 * The record key of `build`: the map key of the image an earlier build of the
 * same text, options and ignore files made; undefined when it is not memoized
 * (`--no-cache`, registry caches).
 */
export async function memoRecordKey(build: DockerfileBuild): Promise<string | undefined> {
  if (build.noCache || build.cacheFrom?.length || build.cacheTo?.length) return undefined;
  let ignores;
  try {
    ignores = ignoreFiles(build).map((path) => statEntry(path, statOrUndefined(path)));
  } catch {
    return undefined;
  }
  const key = await sha256Hex(new TextEncoder().encode(JSON.stringify([
    VERSION,
    Deno.build.arch,
    ...keyedOptions(build),
    ignores,
  ])));
  return KEYS.cache(key);
}

/**
 * What of `build` both memo keys cover as given (this record's key and the
 * whole-build memo's), in the order they list it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyedOptions } from "./memo_record.ts";
 *
 * const options = keyedOptions({ text: "FROM 1\n", file: "Dockerfile", context: "/src" });
 * assert.deepEqual(options.slice(0, 4), ["FROM 1\n", "Dockerfile", undefined, "/src"]);
 * ```
 */
export function keyedOptions(build: DockerfileBuild): unknown[] {
  return [
    build.text,
    build.file,
    build.path,
    build.context,
    build.buildArgs,
    build.target,
    build.labels,
    build.secrets,
    build.ignoreFile,
  ];
}

/** The note name of the record under `key` (on the image `key` maps to). */
function noteName(key: string): string {
  return `bud-record-${key.slice(-64)}`;
}

/**
 * The image and trace of `build` when the image `key` maps to has a record
 * whose images and stats are all as they are now; else undefined.
 */
export function recordedBuild(
  store: Store,
  build: DockerfileBuild,
  key: string,
): { id: number; trace?: string[] } | undefined {
  const id = store.getMap(key);
  if (id === undefined) return undefined;
  const record = imageNote(store, id, noteName(key)) as MemoRecord | undefined;
  if (!record || !Array.isArray(record.images)) return undefined;
  try {
    for (const [name, image] of record.images) {
      if (!name.startsWith("#")) {
        if ((store.getMap(name) ?? null) !== image) return undefined;
      } else if (store.chain(Number(name.slice(1))).at(-1) !== image) return undefined;
    }
    if (Deno.realPathSync(build.context) !== record.root) return undefined;
    const same = (entries: StatEntry[], stat: (path: string) => Deno.FileInfo, root = "") =>
      entries.every((entry) => {
        const path = root && entry[0] ? `${root}/${entry[0]}` : root || entry[0];
        return sameEntry(entry, statEntry(entry[0], statOrUndefined(path, stat)));
      });
    if (!same(record.stats, Deno.statSync)) return undefined;
    if (!same(record.lstats, Deno.lstatSync, record.root)) return undefined;
  } catch {
    return undefined;
  }
  return { id, trace: record.trace };
}

function sameEntry(a: StatEntry, b: StatEntry): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/** Writes `record` of the build of record key `key`, which made image `id`. */
export function writeMemoRecord(store: Store, key: string, id: number, record: MemoRecord): void {
  // The note first: a key mapped is always to an image with its record.
  setImageNote(store, id, noteName(key), record);
  store.setMap(key, id);
}
