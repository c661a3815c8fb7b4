/**
 * The SHA-256 of a file of any size, read as a stream.
 *
 * node:crypto hashes incrementally (Web Crypto wants the whole file in
 * memory); it costs about 15 ms to load, so import this module lazily.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { PlashError } from "../errors.ts";

/** The hex SHA-256 of the file at `path`. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new PlashError(`no such file: ${path}`);
    throw error;
  }
  for await (const chunk of file.readable) hash.update(chunk);
  return hash.digest("hex");
}
