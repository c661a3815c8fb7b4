/**
 * SHA-256, the one hash plash uses: of bytes in memory (Web Crypto, nothing
 * to load, for cache keys on the start path), and incrementally of streams
 * and files of any size (node:crypto, loaded on first use: importing it costs
 * about 15 ms, which no start may pay).
 *
 * @example
 * ```ts
 * import { sha256File, sha256Hex } from "./sha256.ts";
 *
 * await sha256Hex(new TextEncoder().encode("hi")); // "8f434346..."
 * await sha256File("/etc/hostname");
 * ```
 *
 * @module
 */

import { PlashError } from "./errors.ts";
import { lazyImport } from "./lazy_import.ts";

/**
 * Hex SHA-256 of `bytes`, held in memory.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./sha256.ts";
 *
 * await sha256Hex(new Uint8Array()); // "e3b0c442..."
 * ```
 */
export async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

/** A SHA-256 fed piece by piece; see {@linkcode createSha256}. */
export interface Sha256 {
  /** Adds `bytes` to what is hashed. */
  update(bytes: Uint8Array): void;
  /** The hex digest of everything added; call once, at the end. */
  hex(): string;
}

/**
 * A new incremental SHA-256, for data that does not fit in memory.
 *
 * @example
 * ```ts
 * import { createSha256 } from "./sha256.ts";
 *
 * const hash = await createSha256();
 * hash.update(new TextEncoder().encode("h"));
 * hash.update(new TextEncoder().encode("i"));
 * hash.hex(); // the same as sha256Hex of "hi"
 * ```
 */
export async function createSha256(): Promise<Sha256> {
  const { createHash } = await lazyImport("nodeCrypto");
  const hash = createHash("sha256");
  return { update: (bytes) => hash.update(bytes), hex: () => hash.digest("hex") };
}

/**
 * Hex SHA-256 of everything `stream` yields, read to its end.
 *
 * @example
 * ```ts
 * import { sha256Stream } from "./sha256.ts";
 *
 * await sha256Stream(ReadableStream.from([new Uint8Array([1, 2])]));
 * ```
 */
export async function sha256Stream(stream: ReadableStream<Uint8Array>): Promise<string> {
  const hash = await createSha256();
  for await (const chunk of stream) hash.update(chunk);
  return hash.hex();
}

/**
 * Hex SHA-256 of the file at `path`, read as a stream (a file of any size
 * takes a constant amount of memory). A missing file is a one-line error.
 *
 * @example
 * ```ts
 * import { sha256File } from "./sha256.ts";
 *
 * await sha256File("/etc/os-release");
 * ```
 */
export async function sha256File(path: string): Promise<string> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new PlashError(`no such file: ${path}`);
    throw error;
  }
  return await sha256Stream(file.readable);
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
