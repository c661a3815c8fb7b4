/**
 * `--hash-path`: a digest of a file tree, so that a layer's cache key changes
 * when anything under the path does.
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { sha256File, sha256Hex } from "../sha256.ts";

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
  const entries: [string, string, number, string][] = [];
  await collect(path, ".", info, entries);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return await sha256Hex(encoder.encode(JSON.stringify(entries)));
}

async function collect(
  path: string,
  name: string,
  info: Deno.FileInfo,
  into: [string, string, number, string][],
): Promise<void> {
  const mode = (info.mode ?? 0) & 0o7777;
  if (info.isDirectory) {
    into.push([name, "dir", mode, ""]);
    for (const entry of Deno.readDirSync(path)) {
      const child = `${path}/${entry.name}`;
      await collect(child, `${name}/${entry.name}`, Deno.lstatSync(child), into);
    }
  } else if (info.isSymlink) {
    into.push([name, "symlink", mode, Deno.readLinkSync(path)]);
  } else if (info.isFile) {
    // Streamed: a file of any size hashes in constant memory.
    into.push([name, "file", mode, await sha256File(path)]);
  } else {
    into.push([name, "other", mode, ""]);
  }
}
