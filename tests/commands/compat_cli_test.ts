/**
 * Compatibility with the original plash (macro era): the command line's
 * words, messages and exit statuses that its users' scripts test, as its own
 * tests (github.com/ihucos/plash, tests/) state them.
 */

import assert from "node:assert/strict";
import { DISTRIBUTIONS } from "../../core/build/macros.ts";
import { oneLineError, TestStore, usageFailure } from "../support/plash.ts";

Deno.test("bare plash says the original's short line and exits 1", async () => {
  using store = new TestStore();
  const result = await store.plash([]);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  assert.equal(result.stderr, "plash is a container build and run engine, try --help\n");
});

Deno.test("an unknown command: no such command, exit 1", async () => {
  using store = new TestStore();
  for (const args of [["cmdnotfoundxxx"], ["--"], ["-"], ["a", "b", "c"]]) {
    const result = await store.plash(args);
    assert.equal(result.code, 1, args.join(" "));
    assert.equal(
      oneLineError(result),
      `plash error: no such command: ${args[0]} (try \`plash help\`)`,
    );
  }
  const help = await store.plash(["help", "xxxx"]);
  assert.equal(help.code, 1);
  assert.match(oneLineError(help), /no such command: xxxx/);
});

Deno.test("wrong usage prints the usage line alone and exits 1", async () => {
  using store = new TestStore();
  // The original's tests/usage: these print their usage when given nothing.
  for (
    const name of [
      "add-layer",
      "b",
      "copy",
      "create",
      "export-tar",
      "import-docker",
      "import-lxc",
      "import-url",
      "map",
      "mount",
      "nodepath",
      "parent",
      "rm",
      "run",
      "with-mount",
    ]
  ) {
    assert.match(usageFailure(await store.plash([name])), new RegExp(`^usage: plash ${name}\\b`));
  }
  assert.equal(
    usageFailure(await store.plash(["ls", "--yaml"])),
    "usage: plash ls [--json] [-a|--all] (unknown option --yaml)",
  );
  assert.match(usageFailure(await store.plash(["b", "nodepath"])), /^usage: plash b /);
});

Deno.test("a first argument with a slash is a Plashfile; a missing one is the system's words", async () => {
  using store = new TestStore();
  for (const path of ["../blaaah", "./nothing/Plashfile", "/does/not/exist"]) {
    const result = await store.plash([path, "arg"]);
    assert.equal(result.code, 1, path);
    assert.match(
      oneLineError(result),
      new RegExp(`^plash error: .*${path}.*: No such file or directory`),
    );
  }
  // An existing one runs as `plash exec` runs it (compat_build_test.ts has the rest).
  const dir = Deno.makeTempDirSync({ dir: store.data.slice(0, -"/data".length) });
  Deno.writeTextFileSync(
    `${dir}/Plashfile`,
    `#!/usr/bin/env plash\n--from-id\n${await store.busybox()}\n--entrypoint /bin/echo\n`,
  );
  assert.equal(await store.ok([`${dir}/Plashfile`, "hi"]), "hi");
  // Unlike the original's `plashtmp*` of each `b run`, nothing stays behind.
  assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)], []);
});

Deno.test("map keys: '/' and empty ones refused in the original's words; plash's own kinds keep their '/'", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  for (const args of [["map", "hi/da", base], ["map", "hi/da"], ["map", "hi/da", ""]]) {
    const result = await store.plash(args);
    assert.equal(result.code, 1, args.join(" "));
    assert.equal(oneLineError(result), "plash error: '/' not allowed in map name: hi/da");
  }
  for (const args of [["map", "", base], ["map", ""]]) {
    const result = await store.plash(args);
    assert.equal(result.code, 1, args.join(" "));
    assert.equal(oneLineError(result), "plash error: empty map name not allowed");
  }
  // A key longer than a file name can be is refused before anything is written.
  const long = "k".repeat(256);
  const tooLong = await store.plash(["map", long, base]);
  assert.equal(tooLong.code, 1);
  assert.equal(
    oneLineError(tooLong),
    `plash error: map key too long: ${long}: at most 255 bytes as a file name`,
  );
  assert.deepEqual([...Deno.readDirSync(`${store.data}/map`)], []);
  assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)], []);
  // What the original took still works, "." and ".." included (they are escaped).
  for (const key of ["k".repeat(255), "50%", ".", "..", "a b", "x:y@z"]) {
    await store.ok(["map", key, base]);
    assert.equal(await store.ok(["map", key]), base, key);
  }
  const reference = "docker-ref:docker.io/library/alpine:3.20";
  await store.ok(["map", reference, base]);
  assert.equal(await store.ok(["map", reference]), base);
  assert.equal(await store.ok(["run", "alpine:3.20", "echo", "hi"]), "hi");
  // A tag with a '/' is a reference: kept where pulled references are, never as a user key.
  await store.ok(["tag", base, "team/app:v1"]);
  assert.equal(await store.ok(["map", "docker-ref:docker.io/team/app:v1"]), base);
  assert.equal(await store.ok(["nodepath", "team/app:v1"]), await store.ok(["nodepath", base]));
  const bad = await store.plash(["tag", base, "Team/App"]);
  assert.equal(bad.code, 1);
  assert.match(oneLineError(bad), /^plash error: tag: cannot name an image Team\/App: /);
});

Deno.test("package macros print the original's lines; apt's non-interactive mode is the build's environment", async () => {
  using store = new TestStore();
  assert.equal(
    await store.ok(["eval", "--apt", "pkg1", "shell escape"]),
    "apt-get update\napt-get install -y 'pkg1' 'shell escape'",
  );
  assert.equal(await store.ok(["eval", "--apt"]), "");
  assert.equal(await store.ok(["eval", "--apk", "it's"]), `apk update\napk add 'it'"'"'s'`);
  assert.equal(await store.ok(["eval", "--pip3", "a", "b"]), "pip3 install 'a' 'b'");
  const base = await store.busybox();
  const built = await store.ok(["build", "-f", base, "--run", "echo $DEBIAN_FRONTEND > /frontend"]);
  assert.equal(await store.ok(["run", built, "cat", "/frontend"]), "noninteractive");
  // Builds only: a run sees what it saw.
  const run = await store.plash(["run", base, "sh", "-c", "echo ${DEBIAN_FRONTEND-unset}"], {
    env: { DEBIAN_FRONTEND: "readline" },
  });
  assert.equal(run.stdout, "unset\n");
});

Deno.test("b without macros says so, exit 1", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  for (const args of [["b", "nodepath", base], ["b", "nodepath", base, "2", "3"]]) {
    const result = await store.plash(args);
    assert.equal(result.code, 1);
    assert.match(oneLineError(result), /^plash error: b: no build arguments/);
  }
});

Deno.test("nodepath: an image arg must be a positive number; 0 only when allowed", async () => {
  using store = new TestStore();
  // What can be no name is refused in the original's words.
  for (const bad of ["-1", "--", ""]) {
    const result = await store.plash(["nodepath", bad]);
    assert.equal(result.code, 1, bad);
    assert.equal(
      oneLineError(result),
      `plash error: image arg must be a positive number, got: ${bad}`.trimEnd(),
    );
  }
  // The rest may be names (issue 14): one that names nothing is said in the
  // original's words, which scripts grep for, with what the store has.
  for (const bad of ["xx", "222x", "x222"]) {
    const result = await store.plash(["nodepath", bad]);
    assert.equal(result.code, 1, bad);
    assert.equal(
      oneLineError(result),
      `plash error: image arg must be a positive number or a name, got: ${bad} ` +
        "(the store has no names; an id names an image: see plash ls)",
    );
  }
  await store.ok(["map", "web", await store.busybox()]);
  assert.equal(
    oneLineError(await store.plash(["nodepath", "xx"])),
    "plash error: image arg must be a positive number or a name, got: xx (the store has web)",
  );
  const root = await store.plash(["nodepath", "0"]);
  assert.equal(root.code, 1);
  assert.equal(oneLineError(root), "plash error: image must not be the special root image ('0')");
  assert.equal(
    await store.ok(["nodepath", "0", "--allow-root-container"]),
    `${store.data}/layer/0`,
  );
  assert.match(
    usageFailure(await store.plash(["nodepath", "0", "--bogus"])),
    /^usage: plash nodepath/,
  );
});

Deno.test("image 0 is refused by the commands that refused it", async () => {
  using store = new TestStore();
  const dir = Deno.makeTempDirSync({ dir: store.data.slice(0, -"/data".length) });
  for (
    const args of [
      ["map", "mykey", "0"],
      ["with-mount", "0", "ls"],
      ["run", "0", "true"],
      ["create", "0", "true"],
      ["rm", "0"],
      ["parent", "0"],
      ["mount", "0", dir],
      ["export-tar", "0", `${dir}/out.tar`],
      ["copy", "0", `${dir}/copy`],
      ["build", "-f", "0"],
      ["build", "--from-id", "0", "--run", "true"],
    ]
  ) {
    const result = await store.plash(args);
    assert.equal(result.code, 1, args.join(" "));
    assert.match(oneLineError(result), /image must not be the special root image \('0'\)$/);
  }
  assert.equal(await store.ok(["map", "mykey"]), "");
  assert.deepEqual([...Deno.readDirSync(dir)], []);
  assert.equal(await store.ok(["ls", "--json"]), "[]");
});

Deno.test("a failing build layer makes build exit 1, whatever the script's status", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const result = await store.plash(["build", "-f", base, "--run", "exit 42"]);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  assert.match(result.stderr.trimEnd().split("\n").at(-1)!, /^plash error: build: layer 1 failed/);
});

Deno.test("sudo: a command that is not there is the original's message, exit 1", async () => {
  using store = new TestStore();
  const result = await store.plash(["sudo", "cmdnotfound"]);
  assert.equal(result.code, 1);
  assert.equal(
    oneLineError(result),
    'plash error: could not exec "cmdnotfound": No such file or directory',
  );
});

Deno.test("plash help lists `plash CMD  description` lines, each CMD explained by help", async () => {
  using store = new TestStore();
  const help = await store.ok(["help"]);
  assert.match(help, /^plash run +run a command in an image$/m);
  assert.match(help, /^plash sudo +/m);
  assert.match(help, /^plash with-mount +/m);
  // The original's test: every line but the last names a command `plash help` explains.
  const names = help.split("\n").slice(0, -1).filter((line) => line !== "")
    .map((line) => line.split(" ")[1]);
  assert.ok(names.length > 30);
  for (const name of names) assert.match(await store.ok(["help", name]), /^usage: plash /, name);
  assert.match(await store.ok(["help", "help"]), /^usage: plash help/);
  assert.match(await store.ok(["help", "sudo"]), /^usage: plash sudo/);
});

Deno.test("help-macros says which release each shortcut picks, and how to pick another", async () => {
  using store = new TestStore();
  const text = await store.ok(["help-macros"]);
  for (const { letter, image } of DISTRIBUTIONS) {
    assert.match(text, new RegExp(`^  -${letter}  ${image}$`, "m"));
  }
  assert.match(text, /--from alpine:edge --apk git/);
});
