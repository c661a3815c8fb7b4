/**
 * Building one layer: its script runs under the image's /bin/sh in a child
 * plash whose changes become the new image; a layer with nothing to run is an
 * empty layer carrying its config. Loaded only when a build has something to
 * build, so a fully cached build never loads this code.
 *
 * @module
 */

import { createImage, type StepCopies } from "../runtime/create_image.ts";
import { addConfigLayer } from "../store/config_layer.ts";
import type { Store } from "../store/store.ts";
import type { LayerPlan } from "./evaluate.ts";
import "../tree/flatten.ts"; // publishes images: lets the store make checkpoints

/** Traces each command on stderr as `--> cmd` and stops at the first that fails. */
const PREAMBLE = "PS4='--> '\nset -ex\n";
/** Stops at the first command that fails, tracing none (`plash build -q`). */
const QUIET_PREAMBLE = "set -e\n";

/**
 * Builds `layer` on image `parent` and returns the new image; `what` names
 * it in errors; `quiet` leaves out the traces; without mounts, `reuse`
 * holds the copy that the steps of one build share.
 */
export async function buildLayer(
  store: Store,
  parent: number,
  layer: LayerPlan,
  what: string,
  options: { quiet?: boolean; reuse?: StepCopies; context?: string } = {},
): Promise<number> {
  if (layer.runs) {
    // The preamble is no part of the layer's cache key: quiet or not, one image.
    const preamble = options.quiet ? QUIET_PREAMBLE : PREAMBLE;
    return await createImage(store, parent, [], {
      config: layer.config,
      buildStep: true,
      script: new TextEncoder().encode(preamble + layer.text),
      what,
      reuse: options.reuse,
      context: options.context,
    });
  }
  const id = addConfigLayer(store, parent, layer.config);
  options.reuse?.follow(parent, id);
  return id;
}
