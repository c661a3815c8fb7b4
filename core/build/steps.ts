/**
 * What the macros evaluate to: the build plan's steps, and how `plash eval`
 * prints them.
 *
 * A build is a list of steps: shell script, the base image, layer breaks and
 * hints. Hints say what is not shell: image config (`--env`, `--mount`,
 * `--entrypoint`) and extra cache-key input (`--hash-path`,
 * `--invalidate-layer`). They print as `### plash hint: NAME=JSON` lines, a
 * shell comment, so a layer's text is its script and its hints at once, and
 * that text is what its cache key covers.
 *
 * @module
 */

import type { ImageConfig } from "../store/image_config.ts";
import type { Store } from "../store/store.ts";
import type { MacroCall } from "./tokenize.ts";

/** One step of a build. */
export type Step =
  /** Shell script, one or more lines. */
  | { kind: "script"; text: string }
  /** The image the build starts from. */
  | { kind: "base"; id: number }
  /** Everything after this goes into a new layer. */
  | { kind: "layer" }
  /**
   * Not shell: `config` changes the layer's image config; any hint keys its
   * cache. `verbatim` hints (`--hint NAME [VALUE]`) print their value as it
   * is (none: the bare name), others as JSON.
   */
  | { kind: "hint"; name: string; value: unknown; config?: ImageConfig; verbatim?: true }
  /**
   * A registry repository the build shares layers through (`--cache-from`,
   * `--cache-to`): how to build, not what, so no layer's text or key.
   */
  | { kind: "cache"; direction: "from" | "to"; repository: string };

/** What a macro can reach while it expands. */
export interface EvalContext {
  /** The build context: where a macro's relative paths start (a Plashfile's directory). */
  dir: string;
  /** The store, opened on first use. */
  store(): Store;
  /** Expands other macro calls (shortcuts, `--eval-*`). */
  evaluate(calls: MacroCall[]): Promise<Step[]>;
  /** Standard input as text, read on first use; later calls get the same text. */
  stdin(): Promise<string>;
}

/** The line(s) `plash eval` prints for `step`. */
export function renderStep(step: Step): string {
  switch (step.kind) {
    case "script":
      return step.text;
    case "base":
      return `### plash hint: image=${step.id}`;
    case "layer":
      return "### plash hint: layer";
    case "hint":
      if (!step.verbatim) return `### plash hint: ${step.name}=${JSON.stringify(step.value)}`;
      return `### plash hint: ${step.name}${step.value === undefined ? "" : `=${step.value}`}`;
    case "cache":
      return `### plash hint: cache-${step.direction}=${JSON.stringify(step.repository)}`;
  }
}
