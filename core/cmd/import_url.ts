/**
 * `plash import-url URL`: a new image from a tar archive at an http, https or
 * file URL. Prints the new id and nothing else; the image becomes what
 * `--from-url URL` builds on.
 *
 * @module
 */

import { importUrl } from "../images/url/import_url.ts";
import { urlKey } from "../images/url/url_key.ts";
import { openStore } from "../store/data_dir.ts";
import { setMap } from "../store/map.ts";
import { expectArgs, printLine } from "./args.ts";

/** Runs the command line. */
export async function main(args: string[]): Promise<void> {
  expectArgs("import-url", args, 1);
  const data = openStore();
  const id = await importUrl(data, args[0]);
  setMap(data, await urlKey(args[0]), id);
  printLine(id);
}
