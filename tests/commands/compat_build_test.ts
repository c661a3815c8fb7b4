/**
 * Compatibility with the original plash (macro era): create, builds,
 * Plashfiles and export-tar, as its tests state them.
 */

import assert from "node:assert/strict";
import { serveImages } from "../support/image_server.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { runCommand } from "../support/command.ts";

const BIN = new URL("../../bin/", import.meta.url).pathname;

Deno.test("create ID with no command runs /bin/sh on the script from stdin", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const id = await store.ok(["create", base], { stdin: "echo hi\ntouch /from-stdin\n" });
  assert.match(id, /^\d+$/);
  await store.ok(["run", id, "test", "-e", "/from-stdin"]);
});

Deno.test("PLASH_EXPORT reaches runs, never create or build layers", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const env = { PLASH_EXPORT: "A", A: "a" };
  const created = await store.plash(["create", base, "sh", "-c", "echo MARKER$A"], { env });
  assert.equal(created.code, 0);
  assert.deepEqual(created.stderr.split("\n").filter((line) => line.includes("MARKER")), [
    "MARKER",
  ]);
  const built = await store.ok(["build", "-f", base, "--run", 'echo "MARKER$A" > /m'], { env });
  assert.equal(await store.ok(["run", built, "cat", "/m"]), "MARKER");
  assert.equal(await store.ok(["run", base, "sh", "-c", "echo $A"], { env }), "a");
  // HOME does reach a build, as in the original.
  const home = await store.ok([
    "build",
    "-f",
    base,
    "--invalidate-layer",
    "--run",
    "echo $HOME > /h",
  ], {
    env: { HOME: "/nowhere" },
  });
  assert.equal(await store.ok(["run", home, "cat", "/h"]), "/nowhere");
});

Deno.test("a host variable that reaches a layer's build is part of its cache key", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const build = (foo: string, ...config: string[]) =>
    store.ok(["build", "-f", base, ...config, "--layer", "--run", "echo $FOO$FOO_X > /foo"], {
      env: { FOO: foo, FOO_X: "x" },
    });
  for (const config of [["--env", "FOO"], ["--env-prefix", "FOO"]]) {
    const one = await build("1", ...config);
    const two = await build("2", ...config);
    assert.notEqual(one, two, config.join(" "));
    assert.equal(await store.ok(["run", two, "cat", "/foo"]), config[0] === "--env" ? "2" : "2x");
    assert.equal(await build("1", ...config), one, "the same value is the same layer");
  }
});

Deno.test("--eval-github USER/REPO[/FILE] reads GitHub's raw host ($PLASH_GITHUB_RAW)", async () => {
  using store = new TestStore();
  await using server = serveImages({
    "/ihucos/plash-github-test/master/plashfile": "--run\necho from github\n",
    "/me/repo/master/sub/Plashfile": "--run true\n",
    "/me/repo/master/other": "--run\necho other\n",
  });
  const env = { PLASH_GITHUB_RAW: server.url };
  const evaluated = (...args: string[]) => store.ok(["eval", "--eval-github", ...args], { env });
  assert.equal(await evaluated("ihucos/plash-github-test"), "echo from github");
  assert.equal(await evaluated("me/repo/sub/Plashfile"), "true");
  assert.equal(await evaluated("me/repo", "other"), "echo other");
  const missing = await store.plash(["eval", "--eval-github", "me/none"], { env });
  assert.equal(missing.code, 1);
  assert.match(
    oneLineError(missing),
    new RegExp(`${server.url}/me/none/master/plashfile: HTTP 404`),
  );
  const bad = await store.plash(["eval", "--eval-github", "noslash"], { env });
  assert.match(oneLineError(bad), /user-repo-pair must include a slash \(got noslash\)/);
});

Deno.test("--hint writes a hint; -# is a comment as --# is", async () => {
  using store = new TestStore();
  assert.equal(
    await store.ok(["eval", "--hint", "use-env", "MYENV", "--hint", "mark", "-#", "a note"]),
    "### plash hint: use-env=MYENV\n### plash hint: mark",
  );
  const base = await store.busybox();
  const dir = Deno.makeTempDirSync({ dir: store.data.slice(0, -"/data".length) });
  const file = `${dir}/Plashfile`;
  Deno.writeTextFileSync(
    file,
    `#!/usr/bin/env plash\n--from ${base}\n-# a comment\n--write-file /f\nline1\n-# between\nline2\n` +
      "--entrypoint cat /f\n",
  );
  assert.equal(await store.ok(["exec", file]), "line1\nline2");
});

Deno.test("a Plashfile without --entrypoint fails before building", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const dir = Deno.makeTempDirSync({ dir: store.data.slice(0, -"/data".length) });
  Deno.writeTextFileSync(`${dir}/Plashfile`, `--from\n${base}\n--run\ntouch /x\n`);
  const result = await store.plash(["exec", `${dir}/Plashfile`, "ls"]);
  assert.equal(result.code, 1);
  assert.match(
    oneLineError(result),
    /has no entrypoint \(maybe try adding `--entrypoint \/bin\/sh`\)/,
  );
  assert.deepEqual(JSON.parse(await store.ok(["ls", "--json"])).map((i: { id: number }) => i.id), [
    Number(base),
  ]);
});

Deno.test("a plash-exec Plashfile builds in its directory and runs from the caller's", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const top = store.data.slice(0, -"/data".length);
  const [dir, caller] = ["plashfiles", "caller"].map((name) => `${top}/${name}`);
  for (const each of [dir, caller]) Deno.mkdirSync(each);
  const file = `${dir}/tool`;
  // The original's Plashfile: #!/usr/bin/env plash-exec, one macro or argument a line.
  Deno.writeTextFileSync(
    file,
    `#!/usr/bin/env plash-exec\n--from\n${base}\n--run\npwd > /pwd\n--entrypoint /bin/sh\n`,
  );
  Deno.chmodSync(file, 0o755);
  const result = await runCommand(file, ["-c", "cat /pwd; pwd"], {
    cwd: caller,
    env: { PLASH_DATA: store.data, PATH: `${BIN}:${Deno.env.get("PATH")}` },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(new TextDecoder().decode(result.stdout), `${dir}\n${caller}\n`);
  const bare = await runCommand(`${BIN}plash-exec`, []);
  assert.equal(bare.code, 1);
  assert.equal(bare.stderr, "plash-exec: this program is usually invoked from a shebang\n");
});

Deno.test("export-tar names its members ./NAME, as the original's tar did", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const tar = `${store.data}.tar`;
  await store.ok(["export-tar", base, tar]);
  const listing = await runCommand("tar", ["-tf", tar]);
  Deno.removeSync(tar);
  const names = new TextDecoder().decode(listing.stdout).trimEnd().split("\n");
  assert.ok(names.includes("./bin/sh") && names.includes("./etc/"), names.slice(0, 5).join(" "));
  assert.deepEqual(names.filter((name) => !name.startsWith("./")), []);
});
