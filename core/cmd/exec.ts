/**
 * `plash exec [RUN OPTIONS] PLASHFILE [ARG...]`: what `#!/usr/bin/env plash`
 * (and the original's `#!/usr/bin/env plash-exec`) runs. Builds the
 * Plashfile (one macro a line) in its own directory, then runs the image's
 * entrypoint with ARGs from the caller's directory, as the original plash
 * did, with `run`'s options (`-e`, `-v`, `-w`, `-u`...) given before
 * PLASHFILE. A Plashfile without `--entrypoint` is refused before anything
 * is built, as there.
 *
 * @module
 */

import { buildPlan } from "../build/builder.ts";
import { evalContext, evaluate, planBuild } from "../build/evaluate.ts";
import { plashfileLines, tokenize } from "../build/tokenize.ts";
import { findCommand } from "../cli/commands/mod.ts";
import { splitLeadingOptions } from "../cli/leading_options.ts";
import { type Args, parseArgs, usageError } from "../cli/parse_args.ts";
import { PlashError, reason } from "../errors.ts";
import { Store } from "../store/store.ts";
import { runImage } from "../runtime/run_image.ts";
import { runSpecOf } from "./run.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<number> {
  // `plash exec -v SRC:DST PLASHFILE ARG...`: run's options come before the Plashfile.
  const runCommand = findCommand("run")!;
  const { options, rest: words } = splitLeadingOptions(runCommand, args.positionals);
  const [file, ...rest] = words;
  if (file === undefined) throw usageError(findCommand("exec")!, "no PLASHFILE");
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (error) {
    throw new PlashError(`cannot read Plashfile ${file}: ${reason(error)}`, { cause: error });
  }
  const store = Store.open();
  // The build's context is the Plashfile's directory: relative paths in it
  // (--eval-file, --hash-path) and its build steps start there.
  const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) || "/" : ".";
  // As the process's directory would be there: symlinks resolved.
  const context = Deno.realPathSync(dir);
  const steps = await evaluate(tokenize(plashfileLines(text)), evalContext(() => store, context));
  if (!steps.some((step) => step.kind === "hint" && step.name === "entrypoint")) {
    throw new PlashError(
      `Plashfile ${file} has no entrypoint (maybe try adding \`--entrypoint /bin/sh\`)`,
    );
  }
  const id = await buildPlan(store, planBuild(steps), { context });
  const { entrypoint = [] } = store.config(id);
  const runArgs = parseArgs({ ...runCommand, arity: [0, 0] }, options);
  return await runImage(await runSpecOf(runArgs, store, id, [...entrypoint, ...rest]));
}
