/**
 * The layer directories that make up an image.
 *
 * @module
 */

import { ancestry, layerPath } from "../store/nodes.ts";

/** The layer directories of image `id`, its own first and the empty root's last. */
export function imageLayers(data: string, id: number): string[] {
  return ancestry(data, id).reverse().map((layer) => layerPath(data, layer));
}
