/**
 * Evaluating macro calls into a build's steps, and the steps into a plan of
 * layers.
 *
 * @module
 */

import { PlashError, wrap } from "../errors.ts";
import { needPrivilege } from "../privilege.ts";
import { type ImageConfig, mergeConfig } from "../store/image_config.ts";
import type { Store } from "../store/store.ts";
import { findMacro } from "./macros.ts";
import { type EvalContext, renderStep, type Step } from "./steps.ts";
import type { MacroCall } from "./tokenize.ts";

/**
 * A fresh context whose macros reach the store `openStore` gives, asked for
 * (and stdin read) only when a macro needs it, and read relative paths from
 * `dir`.
 *
 * @example
 * ```ts
 * import { evalContext, evaluate } from "./evaluate.ts";
 * import { tokenize } from "./tokenize.ts";
 * import { Store } from "../store/store.ts";
 *
 * const steps = await evaluate(tokenize(["--run", "true"]), evalContext(() => Store.open()));
 * ```
 */
export function evalContext(openStore: () => Store, dir: string = Deno.cwd()): EvalContext {
  let store: Store | undefined;
  let stdin: Promise<string> | undefined;
  const context: EvalContext = {
    dir,
    store: () => (store ??= openStore()),
    evaluate: (calls) => evaluate(calls, context),
    stdin: () => {
      // Read once: a start that went on in plash's user namespace could not read it again.
      needPrivilege();
      return stdin ??= new Response(Deno.stdin.readable).text();
    },
  };
  return context;
}

/** Expands `calls`, in order, into steps. Errors name the macros that failed. */
export async function evaluate(calls: MacroCall[], ctx: EvalContext): Promise<Step[]> {
  // Every call is checked before any runs: a typo must not cost an import first.
  const macros = calls.map(({ name, args }) => {
    const macro = findMacro(name);
    if (!macro) throw new PlashError(`unknown macro: ${name} (see \`plash help-macros\`)`);
    if (args.length < macro.min) {
      throw new PlashError(`${name}: missing argument (usage: ${name} ${macro.usage})`);
    }
    if (args.length > macro.max) {
      throw new PlashError(
        `${name}: too many arguments (usage: ${`${name} ${macro.usage}`.trimEnd()})`,
      );
    }
    return macro;
  });
  const steps: Step[] = [];
  for (const [i, { name, args }] of calls.entries()) {
    const macro = macros[i];
    try {
      steps.push(...await macro.expand(args, ctx));
    } catch (error) {
      // Nested macros (a shortcut, --eval-file) add their names: `-A: --from: ...`.
      if (!(error instanceof PlashError)) throw error;
      throw wrap(error, name);
    }
  }
  return steps;
}

/** `plash eval`'s output: every step's text, a line each. */
export function renderSteps(steps: Step[]): string {
  return steps.map((step) => renderStep(step) + "\n").join("");
}

/** One layer to build. */
export interface LayerPlan {
  /** Its script and hints as `plash eval` prints them: what its cache key covers. */
  text: string;
  /** Whether it has any shell to run (else it is an empty layer carrying config). */
  runs: boolean;
  /** Its changes to the image config. */
  config: ImageConfig;
}

/** What to build: a base image and the layers on it. */
export interface BuildPlan {
  /** The image the first layer is built on. */
  base: number;
  /** The layers, the bottom one first. */
  layers: LayerPlan[];
  /** Registry repositories (`REG/REPO`) to look layers up in before building them. */
  cacheFrom?: string[];
  /** Registry repositories to put the build's layers in. */
  cacheTo?: string[];
}

/**
 * Groups steps into layers: a layer ends at each `--layer`, and one with no
 * steps at all is dropped. The build has exactly one base image, wherever its
 * `--from` stands.
 */
export function planBuild(steps: Step[]): BuildPlan {
  const bases = steps.flatMap((step) => step.kind === "base" ? [step.id] : []);
  if (bases.length === 0) {
    throw new PlashError("no base image: start with --from (or -f ID)");
  }
  if (bases.length > 1) {
    throw new PlashError(`more than one base image: ${bases.join(", ")}`);
  }
  const groups: Step[][] = [[]];
  const caches = { from: [] as string[], to: [] as string[] };
  for (const step of steps) {
    if (step.kind === "layer") groups.push([]);
    else if (step.kind === "cache") caches[step.direction].push(step.repository);
    else if (step.kind !== "base") groups.at(-1)!.push(step);
  }
  const layers = groups.filter((group) => group.length > 0).map((group) => ({
    text: renderSteps(group),
    runs: group.some((step) => step.kind === "script"),
    config: group.reduce(
      (config: ImageConfig, step) =>
        step.kind === "hint" && step.config ? mergeConfig(config, step.config) : config,
      {},
    ),
  }));
  const plan: BuildPlan = { base: bases[0], layers };
  if (caches.from.length) plan.cacheFrom = [...new Set(caches.from)];
  if (caches.to.length) plan.cacheTo = [...new Set(caches.to)];
  return plan;
}
