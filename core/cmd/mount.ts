/**
 * `plash mount ID MOUNTPOINT [CHANGESDIR]`: mounts the image in the host's
 * mount namespace, where it stays until unmounted. Other users can reach it
 * there, so it is nosuid and nodev: the image's setuid files and device nodes
 * give nobody more than they had.
 *
 * @module
 */

import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { PlashError } from "../errors.ts";
import { requireMounts } from "../runtime/host_support.ts";
import { mountImageLayers } from "../runtime/image_root.ts";
import { requireRoot } from "../runtime/require_root.ts";
import { mountedLayers } from "../store/checkpoint.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const [id, mountPoint, changesDir] = args.positionals;
  // What is wrong with the arguments or the store is said first, root or not.
  const store = Store.open();
  const image = await imageArg(store, id);
  const { layers: lowers } = mountedLayers(store, store.chain(image));
  requireRoot(
    "mount",
    "a mount made without root would vanish with plash's namespace: run it inside `plash sudo`",
  );
  requireMounts("mount");
  const target = existingDir(mountPoint, "mount point");
  if (changesDir === undefined) {
    // Read-only: overlay then wants two lower layers. Every image but 0 has
    // them; one at a checkpoint's depth mounts its checkpoint alone, under
    // which its own layer, already in it, changes nothing.
    const twoOrMore = lowers.length === 1 ? [store.layer(image), ...lowers] : lowers;
    mountImageLayers({ lowers: twoOrMore, target, userxattr: true, nosuid: true, image });
    return;
  }
  Deno.mkdirSync(changesDir, { recursive: true });
  const changes = existingDir(changesDir, "changes dir");
  for (const dir of ["data", "work"]) Deno.mkdirSync(`${changes}/${dir}`, { recursive: true });
  mountImageLayers({
    lowers,
    upper: `${changes}/data`,
    work: `${changes}/work`,
    target,
    userxattr: true,
    nosuid: true,
    image,
  });
}

function existingDir(path: string, what: string): string {
  try {
    const real = Deno.realPathSync(path);
    if (Deno.statSync(real).isDirectory) return real;
  } catch {
    // Reported below.
  }
  throw new PlashError(`${what} is not a directory: ${path}`);
}
