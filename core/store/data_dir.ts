/**
 * Where plash keeps its images by default: `$PLASH_DATA`, else `~/.plashdata`.
 *
 * @module
 */

import { PlashError } from "../errors.ts";

/**
 * The absolute path of the data directory the environment names, whether or
 * not it exists yet.
 *
 * @example
 * ```ts
 * import { dataDir } from "./data_dir.ts";
 *
 * dataDir(); // "/root/.plashdata" unless PLASH_DATA says otherwise
 * ```
 */
export function dataDir(): string {
  const configured = Deno.env.get("PLASH_DATA");
  if (configured) {
    if (!configured.startsWith("/")) {
      throw new PlashError(`PLASH_DATA must be an absolute path, got: ${configured}`);
    }
    return configured.replace(/\/+$/, "") || "/";
  }
  const home = Deno.env.get("HOME");
  if (!home) throw new PlashError("neither PLASH_DATA nor HOME is set");
  return `${home}/.plashdata`;
}
