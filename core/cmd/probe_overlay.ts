/**
 * `plash probe-overlay` (for `plash doctor`): mounts a two-layer overlay in a
 * temporary directory of the data dir, in a mount namespace of its own, the
 * way `plash run` does.
 *
 * @module
 */

import { mountOverlay } from "../../ffi/overlay.ts";
import { enterPrivateMountNamespace, umount } from "../../ffi/sys.ts";
import { Store } from "../store/store.ts";
import { removeTree } from "../store/tmp.ts";

const MNT_DETACH = 2;

/** Runs the command line; throws what failed. */
export function main(): void {
  const dir = Store.open().makeTmpDir();
  try {
    for (const sub of ["a", "b", "upper", "work", "root"]) Deno.mkdirSync(`${dir}/${sub}`);
    enterPrivateMountNamespace();
    mountOverlay({
      lowers: [`${dir}/a`, `${dir}/b`],
      upper: `${dir}/upper`,
      work: `${dir}/work`,
      target: `${dir}/root`,
      userxattr: true,
    });
    umount(`${dir}/root`, MNT_DETACH);
  } finally {
    removeTree(dir);
  }
}
