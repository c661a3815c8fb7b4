/**
 * Compatibility with the original plash (macro era): the command line's
 * words, messages and exit statuses that its users' scripts test, as its own
 * tests (github.com/ihucos/plash, tests/) state them.
 */

import assert from "node:assert/strict";
import { DISTRIBUTIONS } from "../core/build/macros.ts";
import { oneLineError, TestStore, usageFailure } from "./support/plash.ts";

Deno.test("bare plash says the original's short line and exits 1", async () => {
  using store = new TestStore();
  const result = await store.plash([]);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  assert.equal(result.stderr, "plash is a container build and run engine, try --help\n");
});

Deno.test("an unknown command: no such command, exit 1", async () => {
  using store = new TestStore();
  for (const args of [["cmdnotfoundxxx"], ["../blaaah"], ["--"], ["-"], ["a", "b", "c"]]) {
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
  // The rest may be names (issue 14): one that is not there is said so, exit 1.
  for (const bad of ["xx", "222x", "x222"]) {
    const result = await store.plash(["nodepath", bad]);
    assert.equal(result.code, 1, bad);
    assert.match(oneLineError(result), new RegExp(`^plash error: no image named ${bad}: `));
  }
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
