import assert from "node:assert/strict";
import { SyscallError } from "../../ffi/errors.ts";
import { fileStatus } from "../../ffi/stat.ts";
import { TempDirs } from "../support/temp_dirs.ts";

Deno.test("fileStatus tells a path's type, owner and mode as lstat and stat do", () => {
  using temp = new TempDirs();
  const dir = temp.make();
  Deno.writeTextFileSync(`${dir}/file`, "x");
  Deno.chmodSync(`${dir}/file`, 0o4750);
  Deno.symlinkSync("file", `${dir}/link`);
  Deno.chmodSync(dir, 0o1700);
  const uid = Deno.uid()!;
  const nofollow = { follow: false };
  assert.deepEqual(fileStatus(dir, nofollow), { type: "directory", uid, mode: 0o1700 });
  assert.deepEqual(fileStatus(`${dir}/file`, nofollow), { type: "file", uid, mode: 0o4750 });
  assert.equal(fileStatus(`${dir}/link`, nofollow)?.type, "symlink");
  assert.deepEqual(
    fileStatus(`${dir}/link`, { follow: true }),
    fileStatus(`${dir}/file`, nofollow),
  );
  assert.equal(fileStatus("/dev/null", nofollow)?.type, "other");
  assert.equal(fileStatus(`${dir}/missing`, nofollow), undefined);
  // Only a missing path is undefined; anything else fails in a line naming it.
  assert.throws(
    () => fileStatus(`${dir}/file/below`, nofollow),
    (error) =>
      error instanceof SyscallError && error.code === "ENOTDIR" &&
      error.message.startsWith(`statx ${dir}/file/below: `),
  );
});
