/** Children that share plash's memory (`ffi/spawn_in_namespaces.ts`). */

import assert from "node:assert/strict";
import { TempDirs } from "../support/temp_dirs.ts";

const FFI = new URL("../../ffi/", import.meta.url).pathname;

Deno.test("several children made in one task each walk their stack and exec", async () => {
  using temp = new TempDirs();
  // Each child makes an Error (V8 walks its stack) before it execs. Made one
  // after another before the event loop runs again, the second one used to
  // spin for ever: its stack lay over the first's, where V8 still pointed.
  const script = `${temp.make()}/children.ts`;
  Deno.writeTextFileSync(
    script,
    `import { dieWithParent, spawnSharingMemory } from "${FFI}spawn_in_namespaces.ts";
import { waitForExit } from "${FFI}processes.ts";
import { execve, processId } from "${FFI}sys.ts";
const parent = processId();
const pids = [];
for (let i = 0; i < 6; i++) {
  pids.push(spawnSharingMemory(() => {
    dieWithParent(parent); // a spinning child goes when the timeout kills its parent
    if (!new Error("child " + i).stack) throw new Error("no stack");
    execve("/bin/true", ["/bin/true"], []);
  }, { onError: () => 1 }));
}
for (const pid of pids) console.log(await waitForExit(pid));
`,
  );
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", script],
    stdout: "piped",
    stderr: "inherit",
    signal: AbortSignal.timeout(30_000),
  }).output();
  assert.equal(code, 0, "the children spun: killed after 30 s");
  assert.equal(new TextDecoder().decode(stdout), "0\n".repeat(6));
});
