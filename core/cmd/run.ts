/**
 * `plash run [--changes DIR] [--no-tmp] ID [CMD...]`
 *
 * @module
 */

import { runContainer } from "../runtime/container.ts";
import { openStore } from "../store/data_dir.ts";
import { parseImageId } from "../store/ids.ts";
import { usageError } from "./args.ts";
import { lazyImport } from "../lazy_import.ts";

/** Runs the command line. */
export async function main(args: string[]): Promise<number> {
  let changesDir: string | undefined;
  let shareTmp = true;
  for (;;) {
    if (args[0] === "--changes") {
      changesDir = args[1];
      args = args.slice(2);
    } else if (args[0] === "--no-tmp") {
      shareTmp = false;
      args = args.slice(1);
    } else break;
  }
  if (args.length === 0 || changesDir === "") throw usageError("run");
  const spec = {
    data: openStore(),
    id: parseImageId(args[0]),
    command: args.slice(1),
    changesDir,
    shareTmp,
  };
  if (Deno.env.get("PLASH_NO_UNSHARE") === "1") {
    // Loaded only here: it brings the tree copier.
    const { runChrootOnly } = await lazyImport<typeof import("../runtime/chroot_only.ts")>(
      import.meta.url,
      "../runtime/chroot_only.ts",
    );
    runChrootOnly(spec);
  }
  runContainer(spec);
}
