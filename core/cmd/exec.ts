/**
 * `plash exec [RUN OPTIONS] PLASHFILE [ARG...]`: what `#!/usr/bin/env plash`
 * runs. Builds the Plashfile (one macro a line) in its own directory, then
 * runs the image's entrypoint with ARGs from the caller's directory, with
 * `run`'s options (`-e`, `-v`, `-w`, `-u`...) given before PLASHFILE.
 * Without an entrypoint, ARGs are the command, and without those the
 * image's default.
 *
 * @module
 */

import { build } from "../build/builder.ts";
import { plashfileLines } from "../build/tokenize.ts";
import { findCommand } from "../cli/commands.ts";
import { splitLeadingOptions } from "../cli/leading_options.ts";
import { type Args, parseArgs, usageError } from "../cli/parse_args.ts";
import { PlashError, reason } from "../errors.ts";
import { Store } from "../store/store.ts";
import { main as run } from "./run.ts";

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
  const callerDir = Deno.cwd();
  Deno.chdir(file.includes("/") ? file.slice(0, file.lastIndexOf("/")) || "/" : ".");
  const id = await build(store, plashfileLines(text));
  Deno.chdir(callerDir);
  const { entrypoint = [] } = store.config(id);
  return run(parseArgs(runCommand, [...options, String(id), ...entrypoint, ...rest]));
}
