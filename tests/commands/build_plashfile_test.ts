import assert from "node:assert/strict";
import { evalContext, evaluate } from "../../core/build/evaluate.ts";
import { tokenize } from "../../core/build/tokenize.ts";
import { oneLineError, TestStore, usageFailure } from "../support/plash.ts";
import { TempDirs } from "../support/temp_dirs.ts";

const BIN = new URL("../../bin", import.meta.url).pathname;

/** Runs an executable Plashfile the way a user does: the kernel finds `plash` on PATH. */
function runPlashfile(store: TestStore, file: string, args: string[], cwd: string) {
  const env = { PATH: `${BIN}:${Deno.env.get("PATH")}` };
  return store.spawn([file, ...args], { cwd, env });
}

function writePlashfile(path: string, lines: string[]): void {
  Deno.writeTextFileSync(path, ["#!/usr/bin/env plash", ...lines, ""].join("\n"));
  Deno.chmodSync(path, 0o755);
}

Deno.test("a Plashfile builds in its directory and runs its entrypoint with the arguments", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  // Builds see the host's /home and /root but not its /tmp: the Plashfile's directory must
  // exist inside.
  const dir = Deno.makeTempDirSync({ dir: Deno.env.get("HOME"), prefix: "plashfile-test-" });
  try {
    Deno.writeTextFileSync(`${dir}/input`, "from the build dir\n");
    writePlashfile(`${dir}/Plashfile`, [
      `--from ${base}`,
      "--# a comment line, and the next macro's arguments around another",
      "--write-file /lines",
      "line1",
      "--# between the lines",
      "--\\ --dashed",
      "--\\",
      "",
      "--run",
      "pwd > /build-dir",
      "cat input > /copied",
      "--layer",
      "--entrypoint /bin/sh /entry",
      "--write-script /entry",
      'echo "args: $*"',
      "cat /lines /build-dir /copied",
      "pwd",
    ]);
    const result = await runPlashfile(store, `${dir}/Plashfile`, ["a", "b c"], "/");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      `args: a b c\nline1\n--dashed\n\n${dir}\nfrom the build dir\n/\n`,
      "the entrypoint ran from the caller's directory",
    );
    // The Plashfile is the same build as --eval-file from its directory: all cached.
    const built = await store.plash(["build", "--eval-file", "Plashfile"], { cwd: dir });
    assert.equal(built.code, 0, built.stderr);
    assert.equal(built.stderr, "");
    const again = await runPlashfile(store, "./Plashfile", [], dir);
    assert.equal(again.stderr, "", "cached: nothing ran");
    assert.match(again.stdout, /^args: \n/);
    assert.equal(
      await store.ok(["run", built.stdout.trim(), "cat", "/copied"]),
      "from the build dir",
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a Plashfile without an entrypoint is refused; its errors are one line", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const dir = Deno.makeTempDirSync();
  try {
    writePlashfile(`${dir}/plain`, [`--from ${base}`, "--run", "echo hi > /hi"]);
    const plain = await runPlashfile(store, `${dir}/plain`, ["cat", "/hi"], dir);
    assert.equal(plain.code, 1);
    assert.match(oneLineError(plain), /has no entrypoint/);
    writePlashfile(`${dir}/bad`, [`--from ${base}`, "--no-such-macro"]);
    const bad = await runPlashfile(store, `${dir}/bad`, [], dir);
    assert.equal(bad.code, 1);
    assert.equal(
      oneLineError(bad),
      "plash error: unknown macro: --no-such-macro (see `plash help-macros`)",
    );
    const missing = await store.plash(["exec", `${dir}/missing`]);
    assert.match(
      oneLineError(missing),
      new RegExp(`^plash error: cannot read Plashfile ${dir}/missing: `),
    );
    // A first argument with a slash is a Plashfile, as in the original: a missing one says so.
    assert.match(
      oneLineError(await store.plash([`${dir}/missing`])),
      new RegExp(`^plash error: cannot read Plashfile ${dir}/missing: No such file or directory`),
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("plash b builds then runs a command on the image", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const id = await store.ok(["build", "-f", base, "-x", "echo b > /b"]);
  assert.equal(
    await store.ok(["b", "nodepath", "-f", base, "-x", "echo b > /b"]),
    await store.ok(["nodepath", id]),
  );
  assert.equal(
    await store.ok(["b", "run", "-f", base, "-x", "echo b > /b", "--", "cat", "/b"]),
    "b",
  );
  assert.equal(
    await store.ok(["b", "run", "cat", "-f", base, "-x", "echo b > /b", "--", "/b"]),
    "b",
  );
  for (const args of [["b", "run", id], ["b", "run", "--", "ls"]]) {
    const result = await store.plash(args);
    assert.equal(result.code, 1, args.join(" "));
    assert.match(oneLineError(result), /^plash error: b: no build arguments/);
  }
  for (const args of [["b"], ["b", "run"]]) {
    assert.equal(
      usageFailure(await store.plash(args)),
      "usage: plash b CMD [ARG...] MACRO... [-- ARG...]",
    );
  }
});

Deno.test("plash MACROS -- CMD builds and runs", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const result = await store.plash(["-f", base, "-x", "echo hi > /hi", "--", "cat", "/hi"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "hi\n");
  assert.equal(result.stderr, "--> echo hi\n");
  const status = await store.plash(["-f", base, "--", "sh", "-c", "exit 5"]);
  assert.equal(status.code, 5, "the command's exit status");
  const help = await store.ok(["--help-macros"]);
  assert.equal(help, await store.ok(["help-macros"]));
});

Deno.test("a build's context is a parameter: its macros read relative paths there, not in the cwd", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const dir = temp.make("plash-context-");
  Deno.writeTextFileSync(`${dir}/more`, "--env\nFROM_EVAL=1\n");
  Deno.mkdirSync(`${dir}/data`);
  Deno.writeTextFileSync(`${dir}/data/file`, "content\n");
  const words = ["--eval-file", "more", "--hash-path", "data"];
  const steps = await evaluate(tokenize(words), evalContext(() => store.images, dir));
  const hints = steps.filter((step) => step.kind === "hint").map((step) => step.name);
  assert.deepEqual(hints, ["env", "hash-path"]);
  // The same words from the process's own directory find neither.
  await assert.rejects(
    () => evaluate(tokenize(words), evalContext(() => store.images)),
    /cannot read more/,
  );
  if (Deno.uid() !== 0) return; // importing a tar needs plash's user namespace
  const base = await store.busybox();
  await store.ok(["export-tar", base, `${dir}/base.tar`]);
  const [from] = await evaluate(
    tokenize(["--from-tar", "base.tar"]),
    evalContext(() => store.images, dir),
  );
  assert.equal(from.kind, "base");
});
