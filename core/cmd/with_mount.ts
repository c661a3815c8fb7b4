/**
 * `plash with-mount ID [CMD...]`: a host command with the image mounted as
 * its working directory, in a mount namespace that ends with it.
 *
 * @module
 */

import { chdir } from "../../ffi/sys.ts";
import { execCommand } from "../runtime/exec.ts";
import { DEFAULT_PATH } from "../runtime/environment.ts";
import { mountImagePrivately } from "../runtime/image_root.ts";
import { openStore } from "../store/data_dir.ts";
import { parseImageId } from "../store/ids.ts";
import { ancestry } from "../store/nodes.ts";
import { expectArgs } from "./args.ts";

/** Runs the command line. */
export function main(args: string[]): void {
  expectArgs("with-mount", args, 1, Infinity);
  const data = openStore();
  const changes = mountImagePrivately(data, ancestry(data, parseImageId(args[0])));
  chdir(changes.root);
  execHostCommand(args.slice(1));
}

/** Execs `argv` (default: $SHELL) with plash's own environment, found on the host's PATH. */
export function execHostCommand(argv: string[]): never {
  const env = Deno.env.toObject();
  const command = argv.length ? argv : [env.SHELL || "/bin/sh"];
  const list = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  execCommand(command, list, env.PATH ?? DEFAULT_PATH, "the host's PATH");
}
