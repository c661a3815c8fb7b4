/**
 * `deno task man`: writes the manual page `plash.1` from the command and
 * macro tables (see `core/cli/manual.ts`). Run it after changing a
 * command's or a macro's declaration: a test fails while the page is stale.
 *
 * usage: deno run -A scripts/man.ts [FILE]   (default: plash.1 in the project)
 *
 * @module
 */

import { manPage } from "../core/cli/manual.ts";

const file = Deno.args[0] ?? new URL("../plash.1", import.meta.url).pathname;
Deno.writeTextFileSync(file, manPage());
console.error(`wrote ${file}`);
