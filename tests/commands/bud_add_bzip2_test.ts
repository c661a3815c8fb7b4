import assert from "node:assert/strict";
import { bud, budOk } from "../support/bud.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { TempDirs } from "../support/temp_dirs.ts";

Deno.test("ADD of a bzip2 tar archive fails in one line naming bzip2; COPY keeps it packed", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const src = dirs.make("plash-bud-src-");
  Deno.writeTextFileSync(`${src}/packed.txt`, "packed\n");
  const context = dirs.make("plash-bud-");
  const tar = await new Deno.Command("tar", {
    args: ["-cjf", `${context}/files.tar.bz2`, "-C", src, "packed.txt"],
  }).output();
  assert.ok(tar.success);
  const base = await store.busybox();
  const before = await store.ok(["ls", "--json"]);
  Deno.writeTextFileSync(`${context}/Dockerfile`, `FROM ${base}\nADD files.tar.bz2 /unpacked/\n`);
  const result = await bud(store, ["-q", context]);
  assert.equal(result.code, 1);
  assert.match(
    oneLineError(result),
    /^plash error: Dockerfile:2: ADD: files\.tar\.bz2: bzip2 is not supported: /,
  );
  assert.equal(await store.ok(["ls", "--json"]), before, "no image was made");
  assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)], []);

  Deno.writeTextFileSync(`${context}/Dockerfile`, `FROM ${base}\nCOPY files.tar.bz2 /kept/\n`);
  const id = await budOk(store, [context]);
  assert.equal(await store.ok(["run", id, "ls", "/kept"]), "files.tar.bz2");
});
