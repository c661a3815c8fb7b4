/**
 * `plash run [--changes DIR] [--build-step] ID [CMD...]`
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { lazyImport } from "../lazy_import.ts";
import { runContainer } from "../runtime/container.ts";
import { parseImageId } from "../store/ids.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<number> {
  const [id, ...command] = args.positionals;
  const spec = {
    store: Store.open(),
    id: parseImageId(id),
    command,
    changesDir: args.value("changes"),
    buildStep: args.flag("build-step"),
  };
  if (Deno.env.get("PLASH_NO_UNSHARE") === "1") {
    // Loaded only here: it brings the tree copier.
    const { runChrootOnly } = await lazyImport<typeof import("../runtime/chroot_only.ts")>(
      "core/runtime/chroot_only.ts",
    );
    runChrootOnly(spec);
  }
  runContainer(spec);
}
