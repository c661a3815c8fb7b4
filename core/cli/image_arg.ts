/**
 * Reading an image argument: an id, a name or a reference (see
 * `core/images/names.ts`). Every command that takes an image reads it here.
 * A number costs nothing more than it did: the name resolver is loaded only
 * for a name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { imageArg } from "./image_arg.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const id = store.addLayer(0, store.makeTmpDir());
 * store.setMap("docker-ref:docker.io/library/alpine:3.20", id); // `plash pull alpine:3.20`
 * assert.equal(await imageArg(store, String(id)), id);
 * assert.equal(await imageArg(store, "alpine:3.20"), id);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 *
 * @module
 */

import { lazyImport } from "../lazy_import.ts";
import { type ImageArgOptions, isDigits, parseImageId } from "../store/ids.ts";
import type { Store } from "../store/store.ts";

/**
 * The image `text` names in `store`: a number is an id (0 only with
 * `allowRoot`), anything else a name or reference already in the store.
 */
export async function imageArg(
  store: Store,
  text: string,
  options: ImageArgOptions = {},
): Promise<number> {
  if (isDigits(text)) return parseImageId(text, options);
  const { resolveImage } = await lazyImport("imageNames");
  return await resolveImage(store, text, options);
}
