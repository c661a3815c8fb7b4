/**
 * `USER[:GROUP]` against an image's account files (`core/runtime/users.ts`)
 * and the run options' spelling (`core/cli/commands/parse_run_options.ts`), without
 * running anything.
 */

import assert from "node:assert/strict";
import { resolveUser } from "../../core/runtime/users.ts";
import { withRunEnv } from "../../core/runtime/environment.ts";
import { parseMount, parseVolume } from "../../core/cli/commands/parse_run_options.ts";

const FILES = {
  passwd:
    "root:x:0:0:root:/root:/bin/sh\n# comment\nnobody:x:65534:65534::/nonexistent:/bin/false\n" +
    "app:x:1000:1000:App:/home/app:/bin/sh\n",
  group: "root:x:0:\nstaff:x:50:app,nobody\nwheel:x:10:app\nnogroup:x:65534:\napp:x:1000:\n",
};

Deno.test("users by name or number, with their groups and HOME, as docker resolves them", () => {
  assert.deepEqual(resolveUser("app", FILES, "image 1"), {
    uid: 1000,
    gid: 1000,
    groups: [1000, 50, 10],
    home: "/home/app",
  });
  assert.deepEqual(resolveUser("1000", FILES, "image 1").groups, [1000, 50, 10]);
  assert.deepEqual(resolveUser("app:staff", FILES, "image 1"), {
    uid: 1000,
    gid: 50,
    groups: [50],
    home: "/home/app",
  });
  assert.deepEqual(resolveUser("4242:77", FILES, "image 1"), {
    uid: 4242,
    gid: 77,
    groups: [77],
    home: "/",
  });
  assert.deepEqual(resolveUser("4242", {}, "image 1"), {
    uid: 4242,
    gid: 0,
    groups: [0],
    home: "/",
  });
  assert.throws(
    () => resolveUser("ghost", FILES, "image 1"),
    /^PlashError: unknown user in image 1: ghost/,
  );
  assert.throws(
    () => resolveUser("app:ghosts", FILES, "image 1"),
    /unknown group in image 1: ghosts/,
  );
  assert.throws(() => resolveUser("app:", FILES, "image 1"), /USER\[:GROUP\]/);
  assert.throws(() => resolveUser("99999999999", FILES, "image 1"), /out of range/);
});

Deno.test("-v and --mount in docker's spelling", () => {
  assert.deepEqual(parseVolume("/a:/b", "/"), { source: "/a", target: "/b", readOnly: false });
  assert.deepEqual(parseVolume("./a:/b//c/:ro", "/work"), {
    source: "/work/./a",
    target: "/b/c",
    readOnly: true,
  });
  assert.throws(() => parseVolume("/a", "/"), /-v needs SRC:DST/);
  assert.throws(() => parseVolume("name:/b", "/"), /no named volumes/);
  assert.throws(() => parseVolume("/a:/b/../c", "/"), /must not contain '\.\.'/);
  assert.throws(() => parseVolume("/a:/", "/"), /must not be \//);
  assert.deepEqual(parseMount("type=bind,src=/a,dst=/b,readonly", "/"), {
    source: "/a",
    target: "/b",
    readOnly: true,
  });
  assert.equal(parseMount("type=bind,source=/a,target=/b,readonly=false", "/").readOnly, false);
  assert.throws(() => parseMount("type=tmpfs,target=/b", "/"), /only type=bind/);
  assert.throws(() => parseMount("type=bind,source=/a,target=/b,z", "/"), /unknown field z/);
});

Deno.test("-e entries lay over the environment in order; a bare NAME is the host's", () => {
  const env = withRunEnv(["PATH=/bin", "A=1"], ["A=2", "B", "C", "A=3"], { B: "host" });
  assert.deepEqual(env, ["PATH=/bin", "A=3", "B=host"]);
});
