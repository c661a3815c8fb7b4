/**
 * Content digests of OCI blobs: `sha256:<64 hex>`. Other algorithms (sha512)
 * are allowed by the spec but used by no registry plash has met; they fail
 * with an error that says so.
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { sha256Hex } from "../sha256.ts";

const SHA256 = /^sha256:[a-f0-9]{64}$/;

/**
 * `text` if it is a sha256 digest; else a one-line error calling it `what`.
 * Digests become file and map names, so nothing else may pass.
 */
export function checkDigest(text: unknown, what = "digest"): string {
  if (typeof text === "string" && SHA256.test(text)) return text;
  if (typeof text === "string" && /^[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(text)) {
    throw new PlashError(`${what} ${text}: only sha256 digests are supported`);
  }
  throw new PlashError(`bad ${what}: ${JSON.stringify(text)}`);
}

/** The digest of `bytes`. */
export async function digestOf(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return `sha256:${await sha256Hex(bytes)}`;
}

/** The first 12 hex digits, as docker shows digests. */
export function shortDigest(digest: string): string {
  return digest.slice("sha256:".length, "sha256:".length + 12);
}
