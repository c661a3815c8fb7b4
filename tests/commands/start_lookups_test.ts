/**
 * What a start reads of the store: a `plash run` looks its image up once
 * (one readlink of the index link, one read of the config), and a run, a
 * cached build and `nodepath` build no `Deno.FileInfo` on the way (Deno's
 * first one reads /etc/localtime to set up the time zone, 0.2 ms of a
 * start). Each lookup more was a walk of the node's path, hundreds of
 * directories long on a deep image (see bench/README.md, "Issue 23:
 * start-up, 2026-12-07 fourth step"). Counted with strace in plash's own
 * process (not its children: a set-user-id newuidmap must keep its
 * privilege), as root and rootless.
 */

import assert from "node:assert/strict";
import { runCommand } from "../support/command.ts";
import { TestStore } from "../support/plash.ts";
import { STRACE } from "../support/strace.ts";
import { TempDirs } from "../support/temp_dirs.ts";
import { selfCommand } from "../../core/self_command.ts";

/** The file system calls of `plash ARGS...` (its own process), one a line; fails unless it exits 0. */
async function fileCalls(store: TestStore, temp: TempDirs, args: string[]): Promise<string[]> {
  const log = `${temp.make()}/trace`;
  const result = await runCommand(
    STRACE!,
    ["-qq", "-e", "trace=%file", "-e", "signal=none", "-o", log, ...selfCommand(args)],
    { env: { PLASH_DATA: store.data } },
  );
  assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
  return Deno.readTextFileSync(log).split("\n");
}

Deno.test("a run reads its image's index link and config once", {
  ignore: !STRACE,
}, async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const id = await store.busybox();
  const calls = await fileCalls(store, temp, ["run", id, "true"]);
  const count = (pattern: RegExp) => calls.filter((line) => pattern.test(line)).length;
  assert.equal(count(new RegExp(`^readlink\\("${store.data}/index/${id}"`)), 1, "index link");
  assert.equal(count(new RegExp(`"${store.data}/layer/[^"]*/_data/config\\.json"`)), 1, "config");
  assert.equal(count(/"\/etc\/localtime"/), 0, "a Deno.FileInfo");
});

Deno.test("a cached build and nodepath build no Deno.FileInfo", {
  ignore: !STRACE,
}, async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const id = await store.busybox();
  const build = ["build", "--from", id, "--run", "true"];
  const built = await store.ok(build);
  for (const args of [build, ["nodepath", built]]) {
    const calls = await fileCalls(store, temp, args);
    assert.ok(!calls.some((line) => line.includes('"/etc/localtime"')), args.join(" "));
  }
});
