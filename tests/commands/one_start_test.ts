/**
 * Commands that need no root run in one Deno start, rootless too: a cached
 * build, `b run` and `exec` of a cached build, `ls`, `inspect`, `nodepath`,
 * `export-*` and `push` of an image whose files are the caller's to read,
 * and `sudo`, `data` and `with-mount`, whose command alone needs the user
 * namespace. Counted for
 * real: every program plash execs, traced by strace, or the command's
 * parent.
 */

import assert from "node:assert/strict";
import { budOk, writeContext } from "../support/bud.ts";
import { runCommand } from "../support/command.ts";
import { TestStore } from "../support/plash.ts";
import { HAVE_REGISTRY, TestRegistry } from "../support/registry.ts";
import { STRACE } from "../support/strace.ts";
import { TempDirs } from "../support/temp_dirs.ts";
import { selfCommand } from "../../core/self_command.ts";

/** The programs `plash ARGS...` and its children exec'd, in order, and plash's exit status. */
async function execs(store: TestStore, temp: TempDirs, args: string[], cwd?: string) {
  const log = `${temp.make()}/trace`;
  const result = await runCommand(
    STRACE!,
    ["-f", "-qq", "-e", "trace=execve", "-e", "signal=none", "-o", log, ...selfCommand(args)],
    { env: { PLASH_DATA: store.data }, cwd },
  );
  const programs = Deno.readTextFileSync(log).split("\n")
    .filter((line) => / = 0$/.test(line))
    .map((line) => line.match(/execve\("([^"]+)"/)![1]);
  return { code: result.code, stderr: result.stderr, programs };
}

/** The pid `plash ARGS...` started as, and what the command in the container printed. */
async function startedAs(store: TestStore, args: string[]): Promise<{ pid: number; out: string }> {
  const [program, ...rest] = selfCommand(args);
  const child = new Deno.Command(program, {
    args: rest,
    env: { PLASH_DATA: store.data },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = await child.output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return { pid: child.pid, out: new TextDecoder().decode(output.stdout).trim() };
}

Deno.test("a cached build, ls, inspect and nodepath start Deno once", {
  ignore: !STRACE,
}, async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const base = await store.busybox();
  const macros = ["--from", base, "--run", "touch /one"];
  const built = await store.ok(["build", ...macros]);
  const deno = Deno.execPath();
  for (const args of [["build", ...macros], ["ls"], ["inspect", built], ["nodepath", built]]) {
    const { code, stderr, programs } = await execs(store, temp, args);
    assert.equal(code, 0, stderr);
    assert.deepEqual(programs, [deno], args.join(" "));
  }
});

Deno.test("a bud found by its memo record starts Deno once, with -q or without", {
  ignore: !STRACE,
}, async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const base = await store.busybox();
  const context = writeContext(temp.make(), {
    "a.txt": "a\n",
    Dockerfile: `FROM ${base}\nCOPY a.txt /\nRUN cat /a.txt > /b.txt\n`,
  });
  // Files changed within the last second are not memoized (racy stats).
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const id = await budOk(store, [context]);
  const deno = Deno.execPath();
  for (const args of [["bud", "-q", context], ["bud", context]]) {
    const { code, stderr, programs } = await execs(store, temp, args);
    assert.equal(code, 0, stderr);
    assert.deepEqual(programs, [deno], args.join(" "));
  }
  assert.equal(await budOk(store, [context]), id);
});

Deno.test("b run and exec of a cached build, sudo, data and with-mount run their command from plash's first start", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const base = await store.busybox();
  const macros = ["--from", base, "--run", "touch /one"];
  const dir = temp.make();
  Deno.writeTextFileSync(
    `${dir}/Plashfile`,
    `--from\n${base}\n--run\ntouch /one\n--entrypoint\n/bin/sh\n`,
  );
  const script = ["-c", "echo $$ $PPID"];
  await store.ok(["exec", `${dir}/Plashfile`, ...script]); // built once
  await store.ok(["b", "run", ...macros, "--", "true"]);
  for (
    const args of [
      ["b", "run", ...macros, "--", "sh", ...script],
      ["exec", `${dir}/Plashfile`, ...script],
      ["sudo", "sh", ...script],
      ["data", "sh", ...script],
      ["with-mount", base, "sh", ...script],
    ]
  ) {
    const { pid, out } = await startedAs(store, args);
    const [self, parent] = out.split(" ").map(Number);
    // As root the command is plash's process itself; rootless its child. A plash that
    // started again in a user namespace would be between them.
    assert.equal(Deno.uid() === 0 ? self : parent, pid, args.join(" "));
  }
});

Deno.test(
  "export-tar, export-oci, export-docker-archive and push of readable files start Deno once, with the image's owners",
  {
    ignore: !STRACE,
  },
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    await using registry = HAVE_REGISTRY ? await TestRegistry.start() : undefined;
    const base = await store.busybox();
    // Owned by container ids 42 and 43 where a subordinate range maps them (else by root),
    // readable by all: the files the caller may read, as they are in the image.
    const image = await store.ok([
      "build",
      "--from",
      base,
      "--run",
      "echo a > /f && mkdir /e && touch /e/g && (chown -R 42:43 /f /e 2>/dev/null || true)",
    ]);
    const owners = (await store.ok(["run", image, "stat", "-c", "%u:%g", "/f"])).trim();
    const dir = temp.make();
    const deno = Deno.execPath();
    for (
      const args of [
        ["export-tar", image, `${dir}/image.tar`],
        ["export-oci", image, `${dir}/layout`],
        ["export-docker-archive", image, `${dir}/docker.tar`],
        ...registry ? [["push", "-q", image, `${registry.host}/plash/once:1`]] : [],
      ]
    ) {
      const { code, stderr, programs } = await execs(store, temp, args);
      assert.equal(code, 0, stderr);
      assert.deepEqual(programs, [deno], args[0]);
    }
    const listing = await runCommand("tar", ["--numeric-owner", "-tvf", `${dir}/image.tar`]);
    const text = new TextDecoder().decode(listing.stdout);
    const line = text.split("\n").find((entry) => entry.endsWith(" ./f"));
    assert.match(
      line ?? "",
      new RegExp(`^-rw-r--r-- ${owners.replace(":", "/")} `),
      text,
    );
    // A file closed to the caller: read as root of the namespace, to a file (the partial one
    // made as the caller removed) and to stdout, whole.
    const closed = await store.ok(["build", "--from", image, "--run", "echo s > /s && chmod 0 /s"]);
    const closedTar = `${temp.make()}/closed.tar`;
    await store.ok(["export-tar", closed, closedTar]);
    const [program, ...rest] = selfCommand(["export-tar", closed]);
    const onStdout = await runCommand(program, rest, { env: { PLASH_DATA: store.data } });
    assert.equal(onStdout.code, 0, onStdout.stderr);
    for (const tar of [closedTar, `${closedTar}.stdout`]) {
      if (tar !== closedTar) Deno.writeFileSync(tar, onStdout.stdout);
      const read = await runCommand("tar", ["-xOf", tar, "./s"]);
      assert.equal(new TextDecoder().decode(read.stdout), "s\n", tar);
    }
    assert.deepEqual(
      [...Deno.readDirSync(closedTar.slice(0, -"/closed.tar".length))].map((entry) => entry.name)
        .sort(),
      ["closed.tar", "closed.tar.stdout"],
    );
  },
);
