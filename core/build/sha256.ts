/**
 * SHA-256 with Web Crypto: no module to load, for the small inputs of cache
 * keys and `--hash-path` (a file at a time).
 *
 * @module
 */

/** Hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
