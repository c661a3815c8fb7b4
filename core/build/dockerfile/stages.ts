/**
 * A Dockerfile's stages: the ARGs before the first FROM (the global ones
 * FROM lines may use), each FROM and what follows it, and which stages a
 * target needs (its base, COPY --from and RUN --mount from=), so that, as
 * BuildKit does, no other stage is built.
 *
 * @example
 * ```ts
 * import { parseDockerfile } from "./parse.ts";
 * import { neededStages, splitStages } from "./stages.ts";
 *
 * const graph = splitStages(parseDockerfile("FROM a AS x\nFROM b\nCOPY --from=x /a /a\n", "F"), "F");
 * neededStages(graph, 1, {}); // [0, 1]
 * ```
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import type { Dockerfile, Instruction } from "./parse.ts";
import { expandWord, splitWords, type Variables } from "./words.ts";

/** One stage: from its FROM to the next. */
export interface Stage {
  index: number;
  /** Its `AS` name, in lower case. */
  name?: string;
  from: Instruction;
  /** The base as written (expanded with the global ARGs when built). */
  base: string;
  instructions: Instruction[];
}

/** The stages of a Dockerfile and its global ARGs. */
export interface StageGraph {
  escape: string;
  globalArgs: Instruction[];
  stages: Stage[];
}

/** Splits `dockerfile` (read from `file`) into its stages. */
export function splitStages(dockerfile: Dockerfile, file: string): StageGraph {
  const graph: StageGraph = { escape: dockerfile.escape, globalArgs: [], stages: [] };
  for (const instruction of dockerfile.instructions) {
    if (instruction.keyword === "FROM") {
      const words = splitWords(instruction.args, dockerfile.escape);
      if (words.length !== 1 && !(words.length === 3 && words[1].toLowerCase() === "as")) {
        throw new PlashError(
          `${file}:${instruction.line}: FROM requires either one or three arguments: ${instruction.text}`,
        );
      }
      graph.stages.push({
        index: graph.stages.length,
        name: words[2]?.toLowerCase(),
        from: instruction,
        base: words[0],
        instructions: [],
      });
    } else if (graph.stages.length) {
      graph.stages.at(-1)!.instructions.push(instruction);
    } else if (instruction.keyword === "ARG") {
      graph.globalArgs.push(instruction);
    } else {
      throw new PlashError(
        `${file}:${instruction.line}: no FROM before ${instruction.keyword}: ${instruction.text}`,
      );
    }
  }
  if (graph.stages.length === 0) throw new PlashError(`${file}: no FROM instruction`);
  return graph;
}

/**
 * The stage `text` names: an `AS` name, or (`--from` only, not FROM, where a
 * number is a plash image id) an index; else undefined.
 */
export function findStage(
  graph: StageGraph,
  text: string,
  options: { byIndex?: boolean } = { byIndex: true },
): Stage | undefined {
  const lower = text.toLowerCase();
  const named = graph.stages.find((stage) => stage.name === lower);
  if (named || !options.byIndex) return named;
  return /^\d+$/.test(text) ? graph.stages[Number(text)] : undefined;
}

/** The stage `--target` names, or the last one. */
export function targetStage(graph: StageGraph, target: string | undefined): Stage {
  if (target === undefined) return graph.stages.at(-1)!;
  const stage = graph.stages.find((stage) => stage.name === target.toLowerCase());
  if (!stage) throw new PlashError(`--target ${target}: no stage of that name`);
  return stage;
}

/**
 * The indexes of the stages `target` needs, itself included, in order;
 * `globals` are the global ARGs' values (a base or `--from` may use them).
 */
export function neededStages(graph: StageGraph, target: number, globals: Variables): number[] {
  const needed = new Set<number>();
  const visit = (index: number) => {
    if (needed.has(index)) return;
    needed.add(index);
    for (const dep of stageDependencies(graph, graph.stages[index], globals)) visit(dep);
  };
  visit(target);
  return [...needed].sort((a, b) => a - b);
}

function stageDependencies(graph: StageGraph, stage: Stage, globals: Variables): number[] {
  const base = findStage(graph, expandWord(stage.base, globals, graph.escape), { byIndex: false });
  const refs: string[] = [];
  for (const instruction of stage.instructions) {
    for (const flag of instruction.flags) {
      if (flag.name === "from") refs.push(flag.value);
      if (flag.name === "mount") {
        const from = /(?:^|,)from=([^,]+)/.exec(flag.value);
        if (from) refs.push(from[1]);
      }
    }
  }
  return [base, ...refs.map((ref) => findStage(graph, ref))]
    .filter((found): found is Stage => found !== undefined && found.index < stage.index)
    .map((found) => found.index);
}
