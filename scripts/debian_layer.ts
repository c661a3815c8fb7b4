/**
 * Test and benchmark fixture: the debootstrap Debian rootfs (see
 * `debootstrap_rootfs.ts`) as one gzip-compressed tar layer, about 60 MB.
 *
 * `deno run -A scripts/debian_layer.ts [FILE]` builds it (default
 * `.fixtures/debian-bookworm.tar.gz`) unless it is there, and prints its path.
 *
 * @module
 */

import { debootstrapRootfs } from "./debootstrap_rootfs.ts";

/** Where the layer is built by default. */
export const DEFAULT_LAYER = new URL("../.fixtures/debian-bookworm.tar.gz", import.meta.url)
  .pathname;

/** Builds the layer at `path` unless it is there already; returns `path`. */
export async function debianLayer(path: string = DEFAULT_LAYER): Promise<string> {
  try {
    // The file is renamed into place whole, so one that is there is complete.
    Deno.statSync(path);
    return path;
  } catch {
    // Not built yet.
  }
  const rootfs = await debootstrapRootfs();
  const staging = `${path}.${Deno.pid}`;
  const output = await new Deno.Command("sh", {
    args: ["-c", 'tar --numeric-owner -C "$0" -cf - . | gzip -6 > "$1"', rootfs, staging],
    stderr: "piped",
  }).output();
  if (!output.success) {
    await Deno.remove(staging).catch(() => {});
    throw new Error(`tar of ${rootfs}: ${new TextDecoder().decode(output.stderr)}`);
  }
  Deno.chmodSync(staging, 0o644);
  Deno.renameSync(staging, path);
  return path;
}

if (import.meta.main) console.log(await debianLayer(Deno.args[0]));
