/**
 * `plash exec PLASHFILE [ARG...]`: what `#!/usr/bin/env plash` runs. Builds
 * the Plashfile (one macro a line) in its own directory, then runs the
 * image's entrypoint with ARGs from the caller's directory. Without an
 * entrypoint, ARGs are the command, and without those the image's default.
 *
 * @module
 */

import { build } from "../build/builder.ts";
import { plashfileLines } from "../build/tokenize.ts";
import { PlashError } from "../errors.ts";
import { openStore } from "../store/data_dir.ts";
import { readConfig } from "../store/image_config.ts";
import { nodePath } from "../store/nodes.ts";
import { usageError } from "./args.ts";
import { main as run } from "./run.ts";

/** Runs the command line. */
export async function main(args: string[]): Promise<number> {
  const [file, ...rest] = args;
  if (file === undefined) throw usageError("exec");
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (error) {
    throw new PlashError(`cannot read Plashfile ${file}: ${(error as Error).message}`);
  }
  const callerDir = Deno.cwd();
  Deno.chdir(file.includes("/") ? file.slice(0, file.lastIndexOf("/")) || "/" : ".");
  const id = await build(plashfileLines(text));
  Deno.chdir(callerDir);
  const { entrypoint = [] } = readConfig(nodePath(openStore(), id));
  return run([String(id), ...entrypoint, ...rest]);
}
