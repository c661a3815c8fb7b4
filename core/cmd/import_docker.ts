/**
 * `plash import-docker [--arch ARCH] [--variant V] [--insecure] REF`: pulls
 * an image from a registry. Prints the new id and nothing else; the image
 * becomes what `--from-docker REF` builds on.
 *
 * @module
 */

import { interruptible } from "../images/interrupt.ts";
import { optionValue, parseOptions } from "../images/options.ts";
import { pullImage } from "../images/registry/pull.ts";
import { openStore } from "../store/data_dir.ts";
import { printLine, usageError } from "./args.ts";

/** Runs the command line. */
export async function main(args: string[]): Promise<void> {
  const parsed = parseOptions("import-docker", args, {
    values: ["arch", "variant"],
    flags: ["insecure"],
  });
  if (parsed.positionals.length !== 1) throw usageError("import-docker");
  const [ref] = parsed.positionals;
  const data = openStore();
  const options = {
    architecture: optionValue(parsed, "arch"),
    variant: optionValue(parsed, "variant"),
    insecure: parsed.options.insecure === true,
  };
  const id = await interruptible(
    data,
    `import-docker ${ref}`,
    (signal) => pullImage(data, ref, options, signal),
  );
  printLine(id);
}
