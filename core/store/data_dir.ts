/**
 * Where plash keeps its images: `$PLASH_DATA`, default `~/.plashdata`.
 *
 * @module
 */

import { PlashError } from "../errors.ts";

/** The absolute path of the data directory, whether or not it exists yet. */
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

/** The data directory, initialized on first use as `plash init` would. */
export function openStore(): string {
  const data = dataDir();
  try {
    Deno.lstatSync(`${data}/index/0`);
  } catch {
    initStore(data);
  }
  return data;
}

/** Creates the store's directories; safe to run again and concurrently. */
export function initStore(data: string): void {
  Deno.mkdirSync(data, { recursive: true, mode: 0o700 });
  for (const dir of ["index", "map", "tmp", "mnt", "layer/0/_data/root"]) {
    Deno.mkdirSync(`${data}/${dir}`, { recursive: true, mode: 0o755 });
  }
  try {
    Deno.writeFileSync(`${data}/id_counter`, new Uint8Array(), { createNew: true, mode: 0o644 });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  try {
    Deno.symlinkSync("../layer/0", `${data}/index/0`);
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
}
