/**
 * The memo of whole Dockerfile builds: one key over everything a build's
 * result depends on, mapped (as a `cache:` key, as each step's is) to the
 * image the build made, so that an unchanged `plash bud` is one lookup:
 * no step keys, configs, WORKDIR lookups or COPY sources read and hashed.
 *
 * The key covers the Dockerfile's text and the options that shape the
 * result, the platform ARGs, the image each needed FROM and each `--from`
 * names (found in the store as the build finds it), and the `lstat`s of
 * what the build may read of the host (see `context_stats.ts`). A file
 * edited, touched, added, removed or renamed changes the key; the build
 * then goes step by step, where keys follow contents (a touched file
 * rebuilds nothing), and memoizes its result under the new key.
 *
 * Not memoized (each step is looked up as before): `--no-cache`, registry
 * caches, an image not in the store (a build pulls it), a `--from` with a
 * variable, a base with ONBUILD triggers, an ADD of a URL, and a build
 * whose files changed within the last second, whose stat could look the
 * same after another change (git's racy entries).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildMemo } from "./build_memo.ts";
 * import { Store } from "../../store/store.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`);
 * const base = store.addLayer(0, store.makeTmpDir());
 * Deno.mkdirSync(`${dir}/context`);
 * const memo = await buildMemo(store, {
 *   text: `FROM ${base}\nRUN echo hi > /hi\n`,
 *   file: "Dockerfile",
 *   context: `${dir}/context`,
 * });
 * assert.ok(memo);
 * assert.equal(store.getMap(memo.mapKey), undefined); // the image of the same build, once made
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { lazyImport } from "../../lazy_import.ts";
import { sha256Hex } from "../../sha256.ts";
import { parseImageId } from "../../store/ids.ts";
import { KEYS } from "../../store/keys.ts";
import type { Store } from "../../store/store.ts";
import { globalArgs } from "./args.ts";
import type { DockerfileBuild } from "./build_dockerfile.ts";
import { contextStats } from "./context_stats.ts";
import { keyedOptions, type MemoRecord } from "./memo_record.ts";
import { parseDockerfile } from "./parse.ts";
import { findStage, neededStages, splitStages, type StageGraph, targetStage } from "./stages.ts";
import { expandWord } from "./words.ts";

/** Bumped when what the memo's key covers changes. */
const VERSION = "plash-bud-memo-2";

/** Entries changed this recently (ms) may change again unseen: no memo is written. */
const RACY_MS = 1000;

/** A build's memo key. */
export interface BuildMemo {
  /** The map key of the build's image. */
  mapKey: string;
  /** Whether a file changed too recently for the key to be trusted later: look up, never write. */
  racy: boolean;
  /**
   * What the memo record of the build holds but its trace (`memo_record.ts`);
   * undefined when a name was found only through the name resolver, whose
   * other rules the record cannot re-check by a lookup.
   */
  record?: Omit<MemoRecord, "trace">;
}

/**
 * The memo key of `build`, or undefined when the build cannot be memoized
 * (see the module's doc), its Dockerfile included: any error is left to the
 * step-by-step build to report.
 */
export async function buildMemo(
  store: Store,
  build: DockerfileBuild,
): Promise<BuildMemo | undefined> {
  if (build.noCache || build.cacheFrom?.length || build.cacheTo?.length) return undefined;
  let globals, images, context;
  try {
    const graph = splitStages(parseDockerfile(build.text, build.file), build.file);
    globals = globalArgs(graph, build.buildArgs ?? {});
    const needed = neededStages(graph, targetStage(graph, build.target).index, globals);
    images = await namedImages(store, graph, globals, needed);
    // An unreadable directory, say, makes no memo: the build says what it cannot read.
    context = images && await contextStats(build, graph, needed);
  } catch {
    return undefined;
  }
  if (images === undefined || context === undefined) return undefined;
  const key = await sha256Hex(new TextEncoder().encode(JSON.stringify([
    VERSION,
    ...keyedOptions(build),
    globals,
    images,
    context.ignores,
    context.secrets,
    context.root,
    context.lstats,
  ])));
  const record = images.every(({ key }) => key !== undefined)
    ? {
      images: images.map(({ key, id }): [string, number | null] => [key!, id]),
      root: context.root,
      stats: context.secrets,
      lstats: context.lstats,
    }
    : undefined;
  return { mapKey: KEYS.cache(key), racy: context.newest > Date.now() - RACY_MS, record };
}

/**
 * The image `text` names in the store (an id, a name, a reference it was
 * pulled as: see `names.ts`), or undefined when a build would pull it.
 */
export async function localImage(store: Store, text: string): Promise<number | undefined> {
  if (/^\d+$/.test(text)) return store.chain(parseImageId(text)).at(-1)!;
  // A name as written (names.ts's first rule) needs no resolver: one lookup, nothing loaded.
  const named = store.getMap(text);
  if (named !== undefined) return named;
  const { resolveImage } = await lazyImport("imageNames");
  try {
    return await resolveImage(store, text);
  } catch {
    return undefined;
  }
}

/**
 * The images the needed stages of `target` start from or copy from, in
 * order, each with the map key it was found under (`#ID` for an id; none
 * when the name resolver found it); undefined when one of them is not an id
 * or store name, or the build's result could change while they stay the same.
 */
async function namedImages(
  store: Store,
  graph: StageGraph,
  globals: Record<string, string>,
  needed: number[],
): Promise<{ key?: string; id: number | null }[] | undefined> {
  const images: { key?: string; id: number | null }[] = [];
  const add = async (text: string): Promise<boolean> => {
    const id = await localImage(store, text);
    // Triggers may name images themselves: left to the step-by-step build.
    if (id === undefined || store.config(id).onBuild?.length) return false;
    if (/^\d+$/.test(text)) images.push({ key: `#${text}`, id });
    else if (store.getMap(text) === id) images.push({ key: text, id });
    else {
      // Found by the resolver: recorded when as the key a full reference is
      // pulled as, with its text as no key (the resolver's first rule).
      const { qualifiedKey } = await lazyImport("imageNames");
      const key = qualifiedKey(text);
      const pulled = key !== undefined && store.getMap(key) === id;
      images.push({ key: pulled ? text : undefined, id: null }, { key, id });
    }
    return true;
  };
  for (const index of needed) {
    const stage = graph.stages[index];
    const base = expandWord(stage.base, globals, graph.escape);
    const earlier = findStage(graph, base, { byIndex: false });
    if (!(earlier && earlier.index < index) && base !== "scratch" && !await add(base)) {
      return undefined;
    }
    for (const instruction of stage.instructions) {
      if (instruction.keyword === "ADD" && instruction.args.includes("://")) return undefined;
      for (const flag of instruction.flags) {
        const from = flag.name === "from"
          ? flag.value
          : flag.name === "mount"
          ? /(?:^|,)from=([^,]+)/.exec(flag.value)?.[1]
          : undefined;
        if (from === undefined || findStage(graph, from)) continue;
        if (from.includes("$") || !await add(from)) return undefined;
      }
    }
  }
  return images;
}
