/**
 * The memo of whole macro builds (`plash build`): one key over the words, the
 * build's directory and the host variables that reach its layers, mapped (as
 * a `cache:` key, as each layer's is) to the image the build made, so that an
 * unchanged build is one lookup without evaluating its macros.
 *
 * Only builds whose macros read nothing but their arguments and the host's
 * variables are memoized: `--run`, `--layer`, `--import-env`, comments, and
 * `--from` an image id (an image never changes). A build with any other
 * macro (one that reads a file, stdin, a URL, a name or a map key, or sets
 * config) goes through its layers' keys as before. The variables keyed are
 * those the layers' keys cover (what the base image passes through, see
 * `importedFromHost`) and those `--import-env` reads: the others no more
 * change the image than they change a layer's key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { macroMemoKey } from "./macro_memo.ts";
 * import { Store } from "../store/store.ts";
 *
 * const store = Store.create(Deno.makeTempDirSync());
 * const id = String(store.addLayer(0, store.makeTmpDir()));
 * assert.match((await macroMemoKey(store, ["-f", id, "--run", "touch /x"], "/src"))!, /^cache:/);
 * assert.equal(await macroMemoKey(store, ["--eval-file", "Plashfile"], "/src"), undefined);
 * Deno.removeSync(store.root, { recursive: true });
 * ```
 *
 * @module
 */

import { importedFromHost } from "../runtime/environment.ts";
import { sha256Hex } from "../sha256.ts";
import { parseImageId } from "../store/ids.ts";
import { KEYS } from "../store/keys.ts";
import type { Store } from "../store/store.ts";
import { tokenize } from "./tokenize.ts";

/** Bumped when what the memo's key covers changes. */
const VERSION = "plash-build-memo-1";

/** The macros that read only their arguments (and `--import-env` the host's variables). */
const PURE = new Set(["--run", "-x", "--layer", "-l", "--import-env", "--#"]);
/** The macros of a base image, memoized when it is given by id. */
const BY_ID = new Set(["--from", "-f", "--from-id"]);

/**
 * The map key of the image that the macro words `words`, built in `dir` on
 * `store`, make; undefined when they cannot be memoized, or do not tokenize,
 * or name no image (the build says why).
 */
export async function macroMemoKey(
  store: Store,
  words: string[],
  dir: string,
): Promise<string | undefined> {
  let calls;
  try {
    calls = tokenize(words);
  } catch {
    return undefined;
  }
  const bases: string[] = [];
  const imported: string[] = [];
  for (const { name, args } of calls) {
    if (BY_ID.has(name) && args.length === 1 && /^\d+$/.test(args[0])) bases.push(args[0]);
    else if (!PURE.has(name)) return undefined;
    else if (name === "--import-env") imported.push(...args);
  }
  if (bases.length !== 1) return undefined;
  let config;
  try {
    config = store.config(parseImageId(bases[0]));
  } catch {
    return undefined;
  }
  const host = Deno.env.toObject();
  const env = [
    importedFromHost(config, host),
    imported.map((arg) => [arg, host[arg.split(":")[0]] ?? null]),
  ];
  const key = await sha256Hex(new TextEncoder().encode(JSON.stringify([VERSION, words, dir, env])));
  return KEYS.cache(key);
}
