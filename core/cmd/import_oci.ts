/**
 * `plash import-oci [--ref NAME] [--arch ARCH] [--variant V] PATH`: an image
 * from an OCI image layout, a directory or a tar of one. Prints the new id.
 *
 * @module
 */

import { interruptible } from "../images/interrupt.ts";
import { importOciLayout } from "../images/oci/layout.ts";
import { wantedPlatform } from "../images/oci/platform.ts";
import { optionValue, parseOptions } from "../images/options.ts";
import { openStore } from "../store/data_dir.ts";
import { printLine, usageError } from "./args.ts";

/** Runs the command line. */
export async function main(args: string[]): Promise<void> {
  const parsed = parseOptions("import-oci", args, { values: ["ref", "arch", "variant"] });
  if (parsed.positionals.length !== 1) throw usageError("import-oci");
  const [path] = parsed.positionals;
  const data = openStore();
  const options = {
    ref: optionValue(parsed, "ref"),
    platform: wantedPlatform(optionValue(parsed, "arch"), optionValue(parsed, "variant")),
  };
  const id = await interruptible(
    data,
    `import-oci ${path}`,
    (signal) => importOciLayout(data, path, options, signal),
  );
  printLine(id);
}
