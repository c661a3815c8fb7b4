/**
 * What a Dockerfile build may read of the host, as `lstat`s (path, mode,
 * size, inode, mtime, ctime, as git's index keeps them; see `statEntry`), for the
 * whole-build memo (`build_memo.ts`): the ignore files, the secrets, and
 * the context entries its COPY and ADD sources can reach.
 *
 * A source reaches the tree under its components before the first with a
 * wildcard or a variable (`COPY src/*.ts ./` reaches `src`), so only that
 * tree is walked, with each directory above it (whose mtime changes when an
 * entry in it comes or goes); a source with none, or with `..`, reaches
 * the whole context. Entries the ignore rules exclude are left out, since no COPY
 * reads them; but a RUN that binds the context sees all of it, and a
 * symlink may lead anywhere in it: then every entry is walked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contextStats } from "./context_stats.ts";
 * import { parseDockerfile } from "./parse.ts";
 * import { splitStages } from "./stages.ts";
 *
 * const dir = Deno.makeTempDirSync(); // a build context
 * Deno.mkdirSync(`${dir}/src`);
 * Deno.writeTextFileSync(`${dir}/src/b.ts`, "");
 * Deno.writeTextFileSync(`${dir}/src/a.ts`, "");
 * const text = "FROM busybox\nCOPY src/ /app/\n";
 * const graph = splitStages(parseDockerfile(text, "Dockerfile"), "Dockerfile");
 * const { newest } = await contextStats({ text, file: "Dockerfile", context: dir }, graph, [0]);
 * assert.ok(newest >= Deno.statSync(`${dir}/src/a.ts`).mtime!.getTime());
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { lazyImport } from "../../lazy_import.ts";
import type { DockerfileBuild } from "./build_dockerfile.ts";
import { ignoreFiles, type StatEntry, statEntry, statOrUndefined } from "./memo_record.ts";
import type { StageGraph } from "./stages.ts";
import { splitWords } from "./words.ts";

/** The `stat`s of what a build may read, and the newest mtime or ctime among them. */
export interface ContextStats {
  /** The ignore files' `stat`s (through symlinks: what they lead to is read). */
  ignores: StatEntry[];
  /** The secrets' `stat`s, also through symlinks. */
  secrets: StatEntry[];
  /** The context's real path. */
  root: string;
  /** The `lstat`s of the context entries the build may read, relative to `root`. */
  lstats: StatEntry[];
  /** In ms since the epoch. */
  newest: number;
}

/**
 * Which part of the context a build may read: all of it (maybe its ignored
 * entries too), or the trees at some paths (relative to the root).
 */
type Reach = { all: true; unfiltered: boolean } | { all: false; paths: Set<string> };

/**
 * The `stat`s of what `build` (its stages `needed` of `graph`) may read.
 * Throws when a directory cannot be read.
 */
export async function contextStats(
  build: DockerfileBuild,
  graph: StageGraph,
  needed: number[],
): Promise<ContextStats> {
  // The context's own path may be a symlink: what is under it is walked.
  const root = Deno.realPathSync(build.context);
  const result: ContextStats = { ignores: [], secrets: [], root, lstats: [], newest: 0 };
  const entry = (path: string, info: Deno.FileInfo | undefined): StatEntry => {
    const mtime = info?.mtime?.getTime() ?? Infinity;
    const ctime = info?.ctime?.getTime() ?? Infinity;
    if (info) result.newest = Math.max(result.newest, mtime, ctime);
    return statEntry(path, info);
  };
  let ignoring = false;
  for (const path of ignoreFiles(build)) {
    const info = statOrUndefined(path);
    ignoring ||= info !== undefined;
    result.ignores.push(entry(path, info));
  }
  for (const path of Object.values(build.secrets ?? {})) {
    result.secrets.push(entry(path, statOrUndefined(path)));
  }
  const record = (path: string, info: Deno.FileInfo | undefined) =>
    result.lstats.push(entry(path, info));
  const reach = contextReach(graph, needed);
  if (!(reach.all && reach.unfiltered)) {
    // Loaded only when there are ignore rules (then they decide what COPY reads).
    const rules = ignoring
      ? await lazyImport("dockerfileContext")
        .then(({ BuildContext }) => BuildContext.open(build.context, build.path, build.ignoreFile))
      : undefined;
    const found: [string, Deno.FileInfo | undefined][] = [];
    const collect = (path: string, info: Deno.FileInfo | undefined) => found.push([path, info]);
    let linked = false;
    for (const [path, deep] of walkPlan(reach)) {
      linked = !walk(root, path, deep, rules, collect) || linked;
    }
    if (!linked) {
      for (const [path, info] of found) record(path, info);
      return result;
    }
  }
  walk(root, "", true, undefined, record);
  return result;
}

/**
 * The paths to walk for `reach`, each with whether its tree is walked (else
 * only itself): the trees reached, and each directory above them down from
 * the root, whose mtime changes when an entry in it comes or goes.
 */
function walkPlan(reach: Reach): [string, boolean][] {
  if (reach.all) return [["", true]];
  const deep = [...reach.paths].filter((path) =>
    ![...reach.paths].some((other) => path.startsWith(`${other}/`))
  );
  const above = new Set([""]);
  for (const path of deep) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) above.add(parts.slice(0, i).join("/"));
  }
  return [
    ...[...above].sort().map((path): [string, boolean] => [path, false]),
    ...deep.sort().map((path): [string, boolean] => [path, true]),
  ];
}

/** The part of the context the COPY and ADD sources and the RUN binds of `needed` reach. */
function contextReach(graph: StageGraph, needed: number[]): Reach {
  const paths = new Set<string>();
  let all = false;
  for (const index of needed) {
    for (const instruction of graph.stages[index].instructions) {
      const flags = instruction.flags;
      if (instruction.keyword === "RUN") {
        for (const { name, value } of flags) {
          if (name !== "mount" || /(?:^|,)from=/.test(value)) continue;
          const type = /(?:^|,)type=([^,]*)/.exec(value)?.[1] ?? "bind";
          if (type === "bind") return { all: true, unfiltered: true };
        }
      }
      if (!["COPY", "ADD"].includes(instruction.keyword)) continue;
      if (flags.some(({ name }) => name === "from")) continue;
      const words = instruction.json ?? splitWords(instruction.args, graph.escape);
      for (const source of words.slice(0, -1)) {
        if (source.startsWith("<<")) continue;
        const parts = source.split("/").filter((part) => part !== "" && part !== ".");
        if (parts.includes("..")) all = true;
        // What a wildcard or a variable may match is under the components before it.
        const literal = parts.findIndex((part) => /[*?[\\$]/.test(part));
        const prefix = literal < 0 ? parts : parts.slice(0, literal);
        if (prefix.length === 0) all = true;
        else paths.add(prefix.join("/"));
      }
    }
  }
  return all ? { all: true, unfiltered: false } : { all: false, paths };
}

/**
 * Records the `lstat` of `root/rel` and, when `deep`, of every entry under it
 * that `rules` keep, in a stable order; false when it met a symlink.
 */
function walk(
  root: string,
  rel: string,
  deep: boolean,
  rules: { excludes(path: string): boolean; descendsInto(path: string): boolean } | undefined,
  record: (path: string, info: Deno.FileInfo | undefined) => void,
): boolean {
  const dir = rel === "" ? root : `${root}/${rel}`;
  const info = statOrUndefined(dir, Deno.lstatSync);
  if (rules?.excludes(rel) && !(info?.isDirectory && rules.descendsInto(rel))) return true;
  record(rel, info);
  if (info?.isSymlink) return false;
  if (!deep || !info?.isDirectory) return true;
  const names = [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
  let clean = true;
  for (const name of names) {
    clean = walk(root, rel === "" ? name : `${rel}/${name}`, true, rules, record) && clean;
  }
  return clean;
}
