/** Removing a container's changes directory (`core/runtime/remove_staged.ts`). */

import assert from "node:assert/strict";
import { removeStaged } from "../../core/runtime/remove_staged.ts";
import { TempDirs } from "../support/temp_dirs.ts";

Deno.test("removeStaged removes a tree its caller may not look into, in plash's user namespace without root", async () => {
  using temp = new TempDirs();
  const changes = `${temp.make()}/changes`;
  Deno.mkdirSync(`${changes}/data/d`, { recursive: true });
  Deno.mkdirSync(`${changes}/work`);
  Deno.mkdirSync(`${changes}/work/work`, { mode: 0 }); // as overlay leaves it
  Deno.writeTextFileSync(`${changes}/data/d/f`, "f\n");
  // Closed to its owner: only root (of the namespace, over the caller's files) may look in.
  Deno.chmodSync(`${changes}/data/d`, 0);
  await removeStaged(changes);
  assert.throws(() => Deno.lstatSync(changes), Deno.errors.NotFound);
});
