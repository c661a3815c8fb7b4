/**
 * The memo of whole macro builds (`plash build`): one key over the words, the
 * build's directory and the host's environment, mapped (as a `cache:` key,
 * as each layer's is) to the image the build made, so that an unchanged
 * build is one lookup without evaluating its macros.
 *
 * Only builds whose macros read nothing but their arguments and the
 * environment are memoized: `--run`, `--layer`, `--import-env`, comments, and
 * `--from` an image id (an image never changes). A build with any other
 * macro (one that reads a file, stdin, a URL, a name or a map key) goes
 * through its layers' keys as before. The whole environment is keyed, so
 * the variables a layer imports or its image passes through are too.
 *
 * @example
 * ```ts
 * import { macroMemoKey } from "./macro_memo.ts";
 *
 * await macroMemoKey(["-f", "1", "--run", "touch /x"], "/src"); // "cache:..."
 * await macroMemoKey(["--eval-file", "Plashfile"], "/src"); // undefined
 * ```
 *
 * @module
 */

import { sha256Hex } from "../sha256.ts";
import { KEYS } from "../store/keys.ts";
import { tokenize } from "./tokenize.ts";

/** Bumped when what the memo's key covers changes. */
const VERSION = "plash-build-memo-1";

/** The macros that read only their arguments (and the environment, which is keyed). */
const PURE = new Set(["--run", "-x", "--layer", "-l", "--import-env", "--#"]);
/** The macros of a base image, memoized when it is given by id. */
const BY_ID = new Set(["--from", "-f", "--from-id"]);

/**
 * The map key of the image that the macro words `words`, built in `dir`,
 * make; undefined when they cannot be memoized, or do not tokenize (the
 * build says why).
 */
export async function macroMemoKey(words: string[], dir: string): Promise<string | undefined> {
  let calls;
  try {
    calls = tokenize(words);
  } catch {
    return undefined;
  }
  const pure = calls.every(({ name, args }) =>
    PURE.has(name) || (BY_ID.has(name) && args.length === 1 && /^\d+$/.test(args[0]))
  );
  if (!pure) return undefined;
  const env = Object.entries(Deno.env.toObject()).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  const key = await sha256Hex(new TextEncoder().encode(JSON.stringify([VERSION, words, dir, env])));
  return KEYS.cache(key);
}
