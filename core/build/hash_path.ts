/**
 * `--hash-path`: a digest of a file tree, so that a layer's cache key changes
 * when anything under the path does.
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { sha256File, sha256Hex } from "../sha256.ts";
import { walkMerged } from "../tree/merged_tree.ts";

const encoder = new TextEncoder();

/**
 * The hex SHA-256 of everything under `path`: for each entry, sorted by its
 * name relative to `path`, that name, its type and mode bits, and its content
 * (a file's own SHA-256, a symlink's target). Names are relative so that the
 * same tree elsewhere hashes the same; symlinks below `path` are not followed.
 */
export async function hashPath(path: string): Promise<string> {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch {
    throw new PlashError(`no such file or directory: ${path}`);
  }
  const entries: Entry[] = [];
  await collect(path, ".", info, entries);
  return await digest(entries);
}

/**
 * {@linkcode hashPath} of the merged view of `layers` (top first): the same
 * digest as that of a copy of it.
 */
export async function hashMerged(layers: string[]): Promise<string> {
  const entries: Entry[] = [];
  for (const entry of walkMerged(layers)) {
    entries.push(
      await describe(entry.source, entry.path === "" ? "." : `./${entry.path}`, entry.info),
    );
  }
  return await digest(entries);
}

/** One entry hashed: its relative name, type, mode bits and content. */
type Entry = [string, string, number, string];

async function digest(entries: Entry[]): Promise<string> {
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return await sha256Hex(encoder.encode(JSON.stringify(entries)));
}

async function collect(
  path: string,
  name: string,
  info: Deno.FileInfo,
  into: Entry[],
): Promise<void> {
  into.push(await describe(path, name, info));
  if (!info.isDirectory) return;
  for (const entry of Deno.readDirSync(path)) {
    const child = `${path}/${entry.name}`;
    await collect(child, `${name}/${entry.name}`, Deno.lstatSync(child), into);
  }
}

async function describe(path: string, name: string, info: Deno.FileInfo): Promise<Entry> {
  const mode = (info.mode ?? 0) & 0o7777;
  if (info.isDirectory) return [name, "dir", mode, ""];
  if (info.isSymlink) return [name, "symlink", mode, Deno.readLinkSync(path)];
  // Streamed: a file of any size hashes in constant memory.
  if (info.isFile) return [name, "file", mode, await sha256File(path)];
  return [name, "other", mode, ""];
}
