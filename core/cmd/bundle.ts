/**
 * `plash bundle [RUN OPTIONS] [--copy] [--net host|none] ID DIR [CMD...]`:
 * an OCI runtime bundle of the image in DIR, for `runc run -b DIR NAME` (see
 * `core/runtime/oci_bundle.ts`). As root DIR/rootfs is the image's overlay,
 * mounted on the host (unmount it before removing DIR); `--copy` makes it a
 * merged copy instead, which is the only way without root: plash's user
 * namespace, and any mount in it, ends with plash. The copy is made in one
 * start (`core/images/copy_image.ts`); the config then has a user namespace
 * with plash's id mappings, for a rootless runtime.
 *
 * @module
 */

import { inUserNamespace } from "../../ffi/namespaces.ts";
import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { PlashError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { writeBundle } from "../runtime/oci_bundle.ts";
import { deviceEdits } from "../runtime/device_edits.ts";
import { runOptionsFrom } from "../cli/commands/parse_run_options.ts";
import { Store } from "../store/store.ts";
import { networkOption } from "./runc.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<number> {
  const [id, dir, ...command] = args.positionals;
  // Run by its caller, or started again as root of the namespace (a file closed to the caller).
  const rootless = Deno.uid() !== 0 || inUserNamespace();
  const copy = args.flag("copy");
  // The store comes first, so a missing one is told before the mode's limits.
  const store = Store.open();
  if (rootless && !copy) {
    throw new PlashError(
      "bundle: without root the overlay would be unmounted when plash ends: use --copy",
    );
  }
  const image = await imageArg(store, id);
  const options = runOptionsFrom((name) => args.values(name));
  const { mounted } = await writeBundle(dir, {
    store,
    id: image,
    command,
    options,
    // Loaded only for a copy.
    copy: copy && (await lazyImport("copyImage")).copyImage,
    network: networkOption(args),
    mode: rootless ? "rootless" : "root",
    edits: await deviceEdits(store.config(image), options),
  });
  if (mounted) console.error(`plash: ${dir}/rootfs is mounted: umount it before removing ${dir}`);
  return 0;
}
