/**
 * `plash mount ID MOUNTPOINT [CHANGESDIR]`: mounts the image in the host's
 * mount namespace, where it stays until unmounted.
 *
 * @module
 */

import { mountOverlay } from "../../ffi/overlay.ts";
import { PlashError } from "../errors.ts";
import { chainLowers } from "../runtime/image_root.ts";
import { ancestry } from "../store/nodes.ts";
import { requireRoot } from "../runtime/require_root.ts";
import { openStore } from "../store/data_dir.ts";
import { parseImageId } from "../store/ids.ts";
import { expectArgs } from "./args.ts";

/** Runs the command line. */
export function main(args: string[]): void {
  expectArgs("mount", args, 2, 3);
  requireRoot(
    "mount",
    "a mount made without root would vanish with plash's namespace: run it inside `plash sudo`",
  );
  const data = openStore();
  const lowers = chainLowers(data, ancestry(data, parseImageId(args[0])));
  const target = existingDir(args[1], "mount point");
  if (args[2] === undefined) {
    // Read-only: every image but 0 has at least the two lower layers overlay then wants.
    mountOverlay({ lowers, target, userxattr: true });
    return;
  }
  Deno.mkdirSync(args[2], { recursive: true });
  const changes = existingDir(args[2], "changes dir");
  for (const dir of ["data", "work"]) Deno.mkdirSync(`${changes}/${dir}`, { recursive: true });
  mountOverlay({
    lowers,
    upper: `${changes}/data`,
    work: `${changes}/work`,
    target,
    userxattr: true,
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
