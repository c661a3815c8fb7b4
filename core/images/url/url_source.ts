/**
 * `--from-url URL`: the image imported from URL before, else a download.
 *
 * Kept apart from the importer so that a build whose base is cached loads no
 * download or archive code (start-up rule, DESIGN section 1).
 *
 * @module
 */

import { lazyImport } from "../../lazy_import.ts";
import { getMap } from "../../store/map.ts";

/** The map key of the image imported from `url`. */
export function urlKey(url: string): string {
  return `url:${url}`;
}

/**
 * The image last imported from `url` (by `--from-url` or `plash import-url`),
 * else a new import of it. No request is made when the image is there.
 */
export async function resolveUrl(data: string, url: string): Promise<number> {
  const cached = getMap(data, urlKey(url));
  if (cached !== undefined) return cached;
  const { importUrl } = await lazyImport<typeof import("./import_url.ts")>(
    import.meta.url,
    "./import_url.ts",
  );
  return await importUrl(data, url);
}
