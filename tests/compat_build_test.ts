/**
 * Compatibility with the original plash (macro era): create, builds,
 * Plashfiles and export-tar, as its tests state them.
 */

import assert from "node:assert/strict";
import { TestStore } from "./support/plash.ts";

Deno.test("create ID with no command runs /bin/sh on the script from stdin", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const id = await store.ok(["create", base], { stdin: "echo hi\ntouch /from-stdin\n" });
  assert.match(id, /^\d+$/);
  await store.ok(["run", id, "test", "-e", "/from-stdin"]);
});
