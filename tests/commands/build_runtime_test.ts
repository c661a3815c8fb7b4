import assert from "node:assert/strict";
import { oneLineError, TestStore } from "../support/plash.ts";

Deno.test("--env and --env-prefix reach every run of the image", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const id = await store.ok([
    "build",
    "-f",
    base,
    "--env",
    "SET=a value",
    "PASSED",
    "--env-prefix",
    "MY_",
  ]);
  const script = 'echo "$SET|$PASSED|$MY_ONE|$MY_TWO|$OTHER"';
  const env = { PASSED: "p", MY_ONE: "1", MY_TWO: "2", OTHER: "o" };
  assert.equal(await store.ok(["run", id, "sh", "-c", script], { env }), "a value|p|1|2|");
  const child = await store.ok(["build", "-f", id, "--env", "SET=new", "-x", "true"]);
  assert.equal(await store.ok(["run", child, "sh", "-c", script], { env }), "new|p|1|2|");
});

Deno.test("--entrypoint is what run starts without a command", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const id = await store.ok(["build", "-f", base, "--entrypoint", "/bin/echo", "from", "entry"]);
  assert.equal(await store.ok(["run", id]), "from entry");
  assert.equal(await store.ok(["run", id, "echo", "mine"]), "mine");
  const script = await store.ok(["build", "-f", base, "--entrypoint-script", "echo scripted"]);
  assert.equal(await store.ok(["run", script]), "scripted");
});

Deno.test("--mount binds host directories and files into every run", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const host = Deno.makeTempDirSync();
  try {
    Deno.mkdirSync(`${host}/dir`);
    Deno.writeTextFileSync(`${host}/dir/inside`, "in dir\n");
    Deno.writeTextFileSync(`${host}/file`, "a file\n");
    const id = await store.ok([
      "build",
      "-f",
      base,
      "--mount",
      `${host}/dir:/deep/new/dir`,
      `${host}/file:/etc/mounted`,
      `${host}/dir`,
    ]);
    const read = "cat /deep/new/dir/inside /etc/mounted";
    assert.equal(await store.ok(["run", id, "sh", "-c", read]), "in dir\na file");
    assert.equal(await store.ok(["run", id, "ls", `${host}/dir`]), "inside");
    await store.ok(["run", id, "sh", "-c", "echo written > /deep/new/dir/out"]);
    assert.equal(Deno.readTextFileSync(`${host}/dir/out`), "written\n");
    // A later layer sees the mounts while it builds, and keeps none of their mount points.
    const child = await store.ok(["build", "-f", id, "-x", `${read} > /copy`]);
    assert.equal(await store.ok(["run", child, "cat", "/copy"]), "in dir\na file");
    // (Directories the image has, like /etc, may stay as empty copies: that changes nothing.)
    const node = await store.ok(["nodepath", child]);
    const names = [...Deno.readDirSync(`${node}/_data/root`)].map((entry) => entry.name);
    assert.ok(names.includes("copy") && !names.includes("deep"), names.join(" "));
    assert.deepEqual([...Deno.readDirSync(`${node}/_data/root/etc`)], []);
    const gone = await store.ok(["build", "-f", base, "--mount", `${host}/gone:/x`]);
    const result = await store.plash(["run", gone, "true"]);
    assert.equal(
      oneLineError(result),
      `plash error: mount source is missing on the host: ${host}/gone`,
    );
  } finally {
    Deno.removeSync(host, { recursive: true });
  }
});

Deno.test("--import-env sets a variable for the build and keys the cache with its value", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const args = ["build", "-f", base, "--import-env", "HOST_VAR:SEEN", "-x", 'echo "$SEEN" > /seen'];
  const one = await store.plash(args, { env: { HOST_VAR: "one" } });
  const two = await store.plash(args, { env: { HOST_VAR: "two" } });
  assert.notEqual(one.stdout, two.stdout);
  assert.equal(await store.ok(["run", two.stdout.trim(), "cat", "/seen"]), "two");
  const again = await store.plash(args, { env: { HOST_VAR: "one" } });
  assert.equal(again.stdout, one.stdout);
  assert.equal(again.stderr, "");
});
