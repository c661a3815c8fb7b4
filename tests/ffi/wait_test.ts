import assert from "node:assert/strict";
import { SyscallError } from "../../ffi/errors.ts";
import { waitForExit } from "../../ffi/processes.ts";
import { parentPid } from "../../ffi/sys.ts";

Deno.test("waitForExit reports the errno of its own waitpid: ECHILD for a process that is no child", async () => {
  // The blocking waitpid runs on a worker thread; its errno must not be read
  // from the main thread's (which holds whatever the main thread left there).
  const error = await waitForExit(parentPid()).then(
    () => assert.fail("waited for a process that is not a child"),
    (error) => error,
  );
  assert.ok(error instanceof SyscallError, String(error));
  assert.equal(error.code, "ECHILD");
  assert.equal(error.errno, 10);
  assert.match(error.message, /^waitpid \d+: No child processes$/);
});
