/**
 * Building one layer: its script runs under the image's /bin/sh in a child
 * plash whose changes become the new image; a layer with nothing to run is an
 * empty layer carrying its config. Loaded only when a build has something to
 * build, so a fully cached build never loads this code.
 *
 * @module
 */

import { createImage } from "../runtime/create_image.ts";
import { addConfigLayer } from "../store/config_layer.ts";
import type { Store } from "../store/store.ts";
import type { LayerPlan } from "./evaluate.ts";

/**
 * Runs a layer's script: the shell reads it from fd 3, a copy of the stdin
 * plash writes it to, so that the script can be of any size (never on argv)
 * and the commands in it read /dev/null, not the rest of the script. Their
 * stdout joins stderr at once, keeping the two in order.
 */
const SHELL = ["/bin/sh", "-c", "exec /bin/sh /dev/fd/3 3<&0 0</dev/null 1>&2"];

/** Traces each command on stderr as `--> cmd` and stops at the first that fails. */
const PREAMBLE = "PS4='--> '\nset -ex\n";
/** Stops at the first command that fails, tracing none (`plash build -q`). */
const QUIET_PREAMBLE = "set -e\n";

/**
 * Builds `layer` on image `parent` and returns the new image; `what` names
 * it in errors; `quiet` leaves out the traces.
 */
export async function buildLayer(
  store: Store,
  parent: number,
  layer: LayerPlan,
  what: string,
  options: { quiet?: boolean; context?: string } = {},
): Promise<number> {
  if (layer.runs) {
    // The preamble is no part of the layer's cache key: quiet or not, one image.
    const preamble = options.quiet ? QUIET_PREAMBLE : PREAMBLE;
    return await createImage(store, parent, SHELL, {
      config: layer.config,
      buildStep: true,
      stdin: new TextEncoder().encode(preamble + layer.text),
      what,
      context: options.context,
    });
  }
  return addConfigLayer(store, parent, layer.config);
}
