/**
 * The map key under which `--from-url URL` finds the image imported from URL.
 *
 * @module
 */

import { keyFileName } from "../../store/map.ts";

/** The longest file name Linux allows (NAME_MAX). */
const MAX_FILE_NAME = 255;

/**
 * `url:URL`, or `url:sha256:HEX` for a URL too long to be a file name in
 * map/ (signed download links are).
 */
export async function urlKey(url: string): Promise<string> {
  const key = `url:${url}`;
  if (new TextEncoder().encode(keyFileName(key)).length <= MAX_FILE_NAME) return key;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(url));
  const hex = [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0"));
  return `url:sha256:${hex.join("")}`;
}
