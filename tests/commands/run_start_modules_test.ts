/**
 * What a root `plash run ID true` reads to start: not the steps its plan has
 * none of (the user switch, the device edits'), which `prepareExecution`
 * loads only for a plan that has them. Read for real: the files plash opens,
 * traced by strace. Root only: without root the child's maker loads both
 * with itself (`spawn_container.ts`).
 */

import assert from "node:assert/strict";
import { runCommand } from "../support/command.ts";
import { TestStore } from "../support/plash.ts";
import { STRACE } from "../support/strace.ts";
import { TempDirs } from "../support/temp_dirs.ts";
import { selfCommand } from "../../core/self_command.ts";

const STEP_MODULES = ["core/runtime/become_user", "core/runtime/edit_steps"];

/** Which of STEP_MODULES `plash ARGS...` opened (source or Deno's emit of it). */
async function stepModulesRead(store: TestStore, temp: TempDirs, args: string[]) {
  const log = `${temp.make()}/trace`;
  const result = await runCommand(
    STRACE!,
    ["-f", "-qq", "-e", "trace=openat", "-e", "signal=none", "-o", log, ...selfCommand(args)],
    { env: { PLASH_DATA: store.data } },
  );
  assert.equal(result.code, 0, result.stderr);
  const trace = Deno.readTextFileSync(log);
  return STEP_MODULES.filter((module) => trace.includes(`/${module}.`));
}

Deno.test("a root run reads the user switch only when it switches, and no device edits' steps", {
  ignore: !STRACE || Deno.uid() !== 0,
}, async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const id = await store.busybox();
  assert.deepEqual(await stepModulesRead(store, temp, ["run", id, "true"]), []);
  assert.deepEqual(await stepModulesRead(store, temp, ["run", "-u", "1000", id, "true"]), [
    "core/runtime/become_user",
  ]);
});
