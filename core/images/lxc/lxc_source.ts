/**
 * `--from-lxc NAME` (and `--from NAME`, the distribution shortcuts): the
 * image NAME was last imported as, else an import.
 *
 * Instant on the second use: the image is found by its name in the map
 * without fetching the index, as the original plash did. The price is that a
 * build keeps the release build it first got; `plash import-lxc NAME` fetches
 * the newest and makes it what NAME means. Kept apart from the importer so a
 * cached build loads no download or archive code.
 *
 * @module
 */

import { lazyImport } from "../../lazy_import.ts";
import { getMap } from "../../store/map.ts";
import { lxcArch, lxcNameKey, parseLxcName } from "./lxc_name.ts";

/** The image for the LXC image `name`, imported when there is none yet. */
export async function resolveLxc(data: string, name: string): Promise<number> {
  parseLxcName(name); // a malformed name fails before the map is asked
  const cached = getMap(data, lxcNameKey(name, lxcArch()));
  if (cached !== undefined) return cached;
  const { importLxc } = await lazyImport<typeof import("./import_lxc.ts")>(
    import.meta.url,
    "./import_lxc.ts",
  );
  return await importLxc(data, name);
}
