import assert from "node:assert/strict";
import { oneLineError, TestStore, usageFailure } from "../support/plash.ts";

Deno.test("bad macros fail in one line with exit 1 before anything runs", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const before = await store.ok(["ls", "--json"]);
  const cases: [string[], string][] = [
    [["-f", base, "--bogus"], "unknown macro: --bogus (see `plash help-macros`)"],
    [["-f", base, "-Qx", "true"], "unknown macro: -Q (see `plash help-macros`)"],
    [["-f"], "-f: missing argument (usage: -f IMAGE)"],
    [
      ["-f", base, "--write-file"],
      "--write-file: missing argument (usage: --write-file PATH [LINE...])",
    ],
    [["--from-map"], "--from-map: missing argument (usage: --from-map KEY)"],
    [["-f", base, base], "-f: too many arguments (usage: -f IMAGE)"],
    [["-f", base, "-l", "x"], "-l: too many arguments (usage: -l)"],
    [["touch", "/a"], "expected a macro (like --run) before the argument: touch"],
    [["-x", "true"], "no base image: start with --from (or -f ID)"],
    [["-f", base, "--from-id", base], `more than one base image: ${base}, ${base}`],
    [["-f", base, "--env", "1A=b"], '--env: not a variable name: "1A"'],
    [
      ["-f", base, "--mount", "relative:/x"],
      "--mount: mount source must be an absolute path: relative",
    ],
  ];
  for (const [args, message] of cases) {
    const result = await store.plash(["build", ...args]);
    assert.equal(result.code, 1, `${args.join(" ")}: ${result.stderr}`);
    assert.equal(oneLineError(result), `plash error: ${message}`);
    assert.equal(result.stdout, "");
  }
  assert.equal(await store.ok(["ls", "--json"]), before, "nothing was built");
  assert.equal(usageFailure(await store.plash(["build"])), "usage: plash build MACRO [ARG...]...");
});

Deno.test("a failing layer caches nothing of its own; build exits 1 whatever its status", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const result = await store.plash([
    "build",
    "-f",
    base,
    "-x",
    "touch /a",
    "-l",
    "-x",
    "touch /b",
    "false",
    "touch /never",
    "-l",
    "-x",
    "touch /c",
  ]);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  const lines = result.stderr.trimEnd().split("\n");
  assert.deepEqual(lines.slice(0, -1), ["--> touch /a", "--> touch /b", "--> false"]);
  assert.match(
    lines.at(-1)!,
    /^plash error: build: layer 2 failed in image \d+ with exit status 1$/,
  );
  const images = JSON.parse(await store.ok(["ls", "--json"]));
  assert.equal(images.length, 2, "the base and the first layer, which worked");
  assert.match(images[1].names[0], /^cache:[0-9a-f]{64}$/);
  assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)], []);
  const fixed = await store.plash(["build", "-f", base, "-x", "touch /a", "-l", "-x", "touch /b"]);
  assert.equal(fixed.stderr, "--> touch /b\n", "layer 1 came from the cache");
  const status = await store.plash(["build", "-f", base, "-x", "exit 42"]);
  assert.equal(status.code, 1, "as the original plash: scripts test for 1");
  assert.match(
    status.stderr,
    /^--> exit 42\nplash error: build: layer 1 failed in image \d+ with exit status 42\n$/,
  );
  assert.equal(JSON.parse(await store.ok(["ls", "--json"])).length, 3);
});
