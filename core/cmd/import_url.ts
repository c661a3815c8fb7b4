/**
 * `plash import-url URL`: a new image from a tar archive at an http, https or
 * file URL. Prints the new id and nothing else; the image becomes what
 * `--from-url URL` builds on.
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { importUrl } from "../images/tarball/import_url.ts";
import { urlKey } from "../images/tarball/url_key.ts";
import { setQuiet } from "../images/progress.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  setQuiet(args.flag("quiet"));
  const [url] = args.positionals;
  const store = Store.open();
  const id = await importUrl(store, url);
  store.setMap(await urlKey(url), id);
  printLine(id);
}
