import assert from "node:assert/strict";
import { budOk, writeContext } from "../support/bud.ts";
import { TestStore } from "../support/plash.ts";
import { TempDirs } from "../support/temp_dirs.ts";

/**
 * A Dockerfile whose stage `src` makes /data in three layers (its first
 * writing `first`), and /d/sub twice.
 */
function dockerfile(base: string, first: string): string {
  return [
    `FROM ${base} AS src`,
    `RUN mkdir -p /data/sub && echo ${first} > /data/a && echo old > /data/gone`,
    "RUN echo two > /data/b && rm /data/gone",
    "RUN echo three > /data/sub/c && mkdir -p /d/sub && echo old > /d/sub/old",
    // /d made anew: an opaque directory above /d/sub hides the layer below.
    "RUN rm -r /d && mkdir -p /d/sub && echo new > /d/sub/new",
    `FROM ${base}`,
    "RUN --mount=type=bind,from=src,source=/data,target=/mnt " +
    "find /mnt | sort > /seen && cat /mnt/a /mnt/b /mnt/sub/c > /content",
    "RUN --mount=type=bind,from=src,source=/data,target=/mnt,rw " +
    "echo scratch > /mnt/a && cat /mnt/a > /written",
    "RUN --mount=type=bind,from=src,source=/d/sub,target=/mnt ls /mnt > /renewed",
    "COPY --from=src /d/sub /copied/",
  ].join("\n") + "\n";
}

Deno.test("RUN --mount=type=bind,from=STAGE shows the stage's directory merged from all its layers", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const base = await store.busybox();
  const context = writeContext(dirs.make("plash-bud-"), { Dockerfile: dockerfile(base, "one") });
  const id = await budOk(store, [context]);
  const cat = (image: string, path: string) => store.ok(["run", image, "cat", path]);
  assert.deepEqual((await cat(id, "/seen")).split("\n"), [
    "/mnt",
    "/mnt/a",
    "/mnt/b",
    "/mnt/sub",
    "/mnt/sub/c",
  ], "every layer's files, the removed one gone");
  assert.equal(await cat(id, "/content"), "one\ntwo\nthree");
  assert.equal(await cat(id, "/written"), "scratch", "an rw bind of a stage is writable");
  assert.equal(await cat(id, "/renewed"), "new", "what a directory made anew hid stays hidden");
  assert.equal(await store.ok(["run", id, "ls", "/copied"]), "new", "in COPY --from too");
  assert.equal(
    await store.ok(["run", id, "sh", "-c", "test -e /mnt || echo gone"]),
    "gone",
    "nothing of the binds stays",
  );
  assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)], []);

  // A change in a lower layer only (the top one the same) changes what the mount shows.
  Deno.writeTextFileSync(`${context}/Dockerfile`, dockerfile(base, "ONE"));
  const changed = await budOk(store, [context]);
  assert.equal(await cat(changed, "/content"), "ONE\ntwo\nthree");
});
