/**
 * The map key under which `--from-url URL` finds the image imported from URL
 * (a tarball: see `import_url.ts`).
 *
 * @module
 */

import { sha256Hex } from "../../sha256.ts";
import { KEYS } from "../../store/keys.ts";
import { keyFileName } from "../../store/map.ts";

/** The longest file name Linux allows (NAME_MAX). */
const MAX_FILE_NAME = 255;

/**
 * `url:URL`, or `url:sha256:HEX` for a URL too long to be a file name in
 * map/ (signed download links are).
 */
export async function urlKey(url: string): Promise<string> {
  const key = KEYS.url(url);
  if (new TextEncoder().encode(keyFileName(key)).length <= MAX_FILE_NAME) return key;
  return KEYS.urlHash(await sha256Hex(new TextEncoder().encode(url)));
}
