/**
 * `plash copy ID DIR`: an image's files copied into DIR, which must be
 * missing or empty.
 *
 * @module
 */

import { openStore } from "../store/data_dir.ts";
import { parseImageId } from "../store/ids.ts";
import { copyTree } from "../tree/copy_tree.ts";
import { imageLayers } from "../tree/image_layers.ts";
import { expectArgs } from "./args.ts";

/** Runs the command line. */
export function main(args: string[]): void {
  expectArgs("copy", args, 2);
  const id = parseImageId(args[0]);
  copyTree(imageLayers(openStore(), id), args[1]);
}
