/**
 * Image ids: integers handed out by a store's `id_counter`, never twice.
 *
 * @module
 */

import { PlashError } from "../errors.ts";

/**
 * Reserves the next id of the counter file `counter`. An exclusive lock on
 * the file serializes concurrent plash processes. The counter only grows, so
 * writing the new number over the old one in place never leaves a shorter,
 * stale tail.
 */
export function allocateId(counter: string): number {
  const file = Deno.openSync(counter, { read: true, write: true });
  try {
    file.lockSync(true);
    const buffer = new Uint8Array(32);
    const length = file.readSync(buffer) ?? 0;
    const text = new TextDecoder().decode(buffer.subarray(0, length)).trim();
    const current = text === "" ? 0 : idFromName(text);
    if (current === undefined || !Number.isSafeInteger(current + 1)) {
      throw new PlashError(`corrupt id counter ${counter}: ${JSON.stringify(text)}`);
    }
    const next = current + 1;
    file.seekSync(0, Deno.SeekMode.Start);
    const bytes = new TextEncoder().encode(String(next));
    if (file.writeSync(bytes) !== bytes.length) {
      throw new PlashError(`short write to ${counter}`);
    }
    return next;
  } finally {
    file.close();
  }
}

/**
 * Whether `text` is one or more ASCII digits, as `/^\d+$/` tells. Not a
 * regular expression: each one costs its first use 15-40 µs of compilation,
 * and every start reads ids.
 *
 * @example
 * ```ts
 * import { isDigits } from "./ids.ts";
 *
 * isDigits("042"); // true
 * isDigits("4a"); // false
 * ```
 */
export function isDigits(text: string): boolean {
  if (text === "") return false;
  for (let at = 0; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

/** How {@linkcode parseImageId} reads an argument. */
export interface ImageArgOptions {
  /** Whether the empty root image 0 may be named (`add-layer 0 DIR` builds on it). */
  allowRoot?: boolean;
}

/**
 * Parses an image id argument: a number written in digits, worded as the
 * original plash worded it. The empty root image 0 is refused unless
 * `allowRoot`: nothing runs in it, and commands that took it by mistake
 * (`map KEY 0`, `run 0`) are refused, as in the original plash.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseImageId } from "./ids.ts";
 *
 * assert.equal(parseImageId("7"), 7);
 * assert.throws(() => parseImageId("x"), /image arg must be a positive number, got: x/);
 * assert.throws(() => parseImageId("0"), /image must not be the special root image \('0'\)/);
 * assert.equal(parseImageId("0", { allowRoot: true }), 0);
 * ```
 */
export function parseImageId(text: string, options: ImageArgOptions = {}): number {
  if (!isDigits(text)) {
    throw new PlashError(`image arg must be a positive number, got: ${text}`);
  }
  const id = Number(text);
  // Number() rounds past 2^53: 9007199254740993 would name image 9007199254740992.
  if (!Number.isSafeInteger(id)) throw new PlashError(`image id too large, got: ${text}`);
  if (id === 0 && !options.allowRoot) {
    throw new PlashError("image must not be the special root image ('0')");
  }
  return id;
}

/**
 * The id a name in the store stands for (an `index/` entry, a node directory,
 * a component of a link target, the counter), or undefined when the name is
 * not one plash writes: decimal digits without leading zeros, below 2^53.
 * Checked as text, so that no name is rounded into another image's id.
 *
 * @example
 * ```ts
 * import { idFromName } from "./ids.ts";
 *
 * idFromName("42"); // 42
 * idFromName("042"); // undefined
 * idFromName("9007199254740993"); // undefined, not 9007199254740992
 * ```
 */
export function idFromName(name: string): number | undefined {
  if (!isDigits(name) || (name[0] === "0" && name !== "0")) return undefined;
  const id = Number(name);
  return Number.isSafeInteger(id) ? id : undefined;
}

/**
 * The ids a node link (`../layer/0/1/5`, as index and map links hold) names,
 * the empty root 0 first; undefined for any other text.
 *
 * @example
 * ```ts
 * import { chainOfLink } from "./ids.ts";
 *
 * chainOfLink("../layer/0/1/5"); // [0, 1, 5]
 * chainOfLink("../layer/0/9007199254740993"); // undefined
 * ```
 */
export function chainOfLink(target: string): number[] | undefined {
  const parts = target.split("/");
  if (parts[0] !== ".." || parts[1] !== "layer" || parts[2] !== "0") return undefined;
  const chain = parts.slice(2).map(idFromName);
  return chain.includes(undefined) ? undefined : chain as number[];
}
