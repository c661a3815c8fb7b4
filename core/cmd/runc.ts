/**
 * `plash runc [RUN OPTIONS] [--net host|none] ID [CMD...]`: the image run
 * by an OCI runtime (runc, crun or $PLASH_OCI_RUNTIME) from a throwaway
 * bundle, as the original plash's plash-runc did (see
 * `core/runtime/oci_run.ts`).
 *
 * @module
 */

import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { PlashError } from "../errors.ts";
import { requireMounts } from "../runtime/host_support.ts";
import { runOci } from "../runtime/oci_run.ts";
import { deviceEdits } from "../runtime/device_edits.ts";
import { runOptionsFrom } from "../cli/commands/parse_run_options.ts";
import { Store } from "../store/store.ts";

/** `--net`: the host's network (the default, as plash shares it), or none. */
export function networkOption(args: Args): "host" | "none" {
  const net = args.value("net") ?? "host";
  if (net !== "host" && net !== "none") {
    throw new PlashError(`--net must be host or none, got: ${net}`);
  }
  return net;
}

/** Runs the command line. */
export async function main(args: Args): Promise<number> {
  const [id, ...command] = args.positionals;
  const store = Store.open();
  const image = await imageArg(store, id);
  requireMounts("runc");
  const options = runOptionsFrom((name) => args.values(name));
  return await runOci({
    store,
    id: image,
    command,
    options,
    network: networkOption(args),
    edits: await deviceEdits(store.config(image), options),
  });
}
