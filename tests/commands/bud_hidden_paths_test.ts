/**
 * `plash bud` on a base whose upper layers hide what a lower one holds (an
 * opaque directory, a whiteout under a new directory, a symlink in place of
 * a directory): COPY, WORKDIR and `--from` see the image as its overlay
 * shows it, as buildah does (`bud_buildah_test.ts` compares the same cases
 * with buildah as root); here as root and rootless. And a rootless caller
 * whom the image's directories are closed to goes on as root of plash's
 * user namespace, rather than fail.
 */

import assert from "node:assert/strict";
import { bud, budOk, hidingStage, THROUGH_HIDDEN_PATHS, writeContext } from "../support/bud.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { TempDirs } from "../support/temp_dirs.ts";

Deno.test("COPY and WORKDIR do not find what an upper layer of the image hides", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const base = await store.busybox();
  const context = writeContext(dirs.make("plash-bud-hidden-"), {
    "a.txt": "a\n",
    Dockerfile: [...hidingStage(base), ...THROUGH_HIDDEN_PATHS].join("\n") + "\n",
  });
  const id = await budOk(store, [context]);
  assert.equal(
    await store.ok(["run", id, "sh", "-c", "find /opq /mid /real | sort"]),
    [
      "/mid",
      "/mid/deep",
      "/mid/sub",
      "/mid/top",
      "/opq",
      "/opq/deep",
      "/opq/sub",
      "/real",
      "/real/sub",
    ].join("\n"),
    "each sub is the copied file, each deep a new directory",
  );
  assert.equal(await store.ok(["run", id, "cat", "/opq/sub", "/mid/sub", "/real/sub"]), "a\na\na");
});

Deno.test("COPY --from and RUN --mount from= of a path the stage hides fail in one line", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const base = await store.busybox();
  const context = dirs.make("plash-bud-hidden-from-");
  const cases: [string, RegExp][] = [
    [
      "COPY --from=hider /mid/sub/f /f",
      /^plash error: Dockerfile:\d+: COPY: \/mid\/sub\/f: no such file or directory in /,
    ],
    [
      "COPY --from=hider /opq/sub /sub",
      /^plash error: Dockerfile:\d+: COPY: \/opq\/sub: no such file or directory in /,
    ],
    [
      "RUN --mount=type=bind,from=hider,source=/opq/sub,target=/m ls /m",
      /^plash error: Dockerfile:\d+: RUN: --mount from=hider: no such file in that stage: \/opq\/sub$/,
    ],
  ];
  for (const [line, expected] of cases) {
    Deno.writeTextFileSync(
      `${context}/Dockerfile`,
      [...hidingStage(base), `FROM ${base}`, line].join("\n") + "\n",
    );
    const result = await bud(store, ["-q", context]);
    assert.notEqual(result.code, 0, line);
    assert.match(oneLineError(result), expected);
  }
  assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)], []);
});

Deno.test("WORKDIR and COPY under a directory closed to a rootless caller are built", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const base = await store.busybox();
  const context = writeContext(dirs.make("plash-bud-closed-"), {
    "a.txt": "a\n",
    // Mode 0: its owner, the caller outside the namespace, may not search it either.
    Dockerfile: [
      `FROM ${base}`,
      "RUN mkdir -p /closed/inner && chmod 0 /closed",
      "WORKDIR /closed/inner",
      "COPY a.txt ./",
      "RUN cat a.txt > copied",
    ].join("\n") + "\n",
  });
  const id = await budOk(store, [context]);
  assert.equal(await store.ok(["run", id, "cat", "/closed/inner/copied"]), "a");
});

Deno.test("COPY through an opaque directory whose xattrs a rootless caller may not read", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const base = await store.busybox();
  // /opq is opaque in the second RUN's layer (overlay's user.overlay.opaque xattr, rootless), mode
  // 0711 and, with a subordinate range, another id's: the caller outside the namespace may search
  // it but not read its xattrs (EACCES), so the build goes on as root of plash's namespace.
  const context = writeContext(dirs.make("plash-bud-opaque-closed-"), {
    "a.txt": "a\n",
    Dockerfile: [
      `FROM ${base}`,
      "RUN mkdir -p /opq/sub && echo lower > /opq/sub/f",
      "RUN rm -r /opq && mkdir /opq && (chown 1:1 /opq 2>/dev/null || true) && chmod 0711 /opq",
      "COPY a.txt /opq/sub",
    ].join("\n") + "\n",
  });
  const id = await budOk(store, [context]);
  assert.equal(await store.ok(["run", id, "cat", "/opq/sub"]), "a");
});
