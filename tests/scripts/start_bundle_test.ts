/**
 * The start bundle (`deno task bundle`): built from the sources, it runs
 * plash's commands as the sources do, the lazily loaded parts and the npm
 * packages included; and a bundle in the checkout is never older than the
 * sources it was built from (bin/plash would run stale code).
 */

import assert from "node:assert/strict";
import { selfCommand } from "../../core/self_command.ts";
import { runCommand } from "../support/command.ts";
import { TestStore } from "../support/plash.ts";
import { STRACE } from "../support/strace.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

function* sources(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(`${ROOT}${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* sources(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

Deno.test("a bundle in the checkout is newer than every source", () => {
  let bundled: Date;
  try {
    bundled = Deno.statSync(`${ROOT}dist/js/cli.js`).mtime!;
  } catch {
    return; // no bundle: bin/plash runs the sources
  }
  const newer = ["cli.ts", ...sources("core"), ...sources("ffi")]
    .filter((file) => Deno.statSync(`${ROOT}${file}`).mtime! > bundled);
  assert.deepEqual(newer, [], "dist/js is older than these sources: run `deno task bundle`");
});

Deno.test("bin/plash, the release's launcher and plash starting itself give V8 the same flags", () => {
  const flagsOf = (text: string) => [...text.matchAll(/--v8-flags=([^\s"]+)/g)].map((m) => m[1]);
  const launcher = flagsOf(Deno.readTextFileSync(`${ROOT}bin/plash`));
  assert.equal(launcher.length, 1);
  assert.deepEqual(flagsOf(Deno.readTextFileSync(`${ROOT}scripts/release/launcher.sh`)), launcher);
  assert.deepEqual(flagsOf(selfCommand(["version"]).join(" ")), launcher);
  // No task on another thread: a clone child runs JavaScript in plash's memory.
  assert.match(launcher[0], /(^|,)--single-threaded(,|$)/);
});

Deno.test("the bundle runs, builds, imports and re-runs itself as the sources do", async () => {
  // A project of its own: the bundle finds deno.json and node_modules two levels up.
  const project = Deno.makeTempDirSync({ prefix: "plash-bundle-" });
  try {
    for (const file of ["deno.json", "package.json"]) {
      Deno.copyFileSync(`${ROOT}${file}`, `${project}/${file}`);
    }
    Deno.symlinkSync(`${ROOT}node_modules`, `${project}/node_modules`);
    const built = await runCommand(Deno.execPath(), [
      "run",
      "-A",
      `${ROOT}scripts/bundle.ts`,
      `${project}/dist/js`,
    ]);
    assert.equal(built.code, 0, built.stderr);
    const bundle = [
      Deno.execPath(),
      "run",
      "-A",
      "--quiet",
      "--config",
      `${project}/deno.json`,
      `${project}/dist/js/cli.js`,
    ];
    using store = new TestStore();
    const plash = async (args: string[], stdin?: string) => {
      const result = await store.spawn([...bundle, ...args], { stdin });
      assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
      return result.stdout.trim();
    };
    assert.match(await plash(["version"]), /^plash \d/);
    const base = await store.busybox();
    assert.equal(await plash(["run", base, "sh", "-c", "echo from the bundle"]), "from the bundle");
    const strace = STRACE;
    if (strace) {
      // The files of the bundle `args` opens. Its children are not traced: a traced newuidmap
      // would lose its set-user-id.
      const opened = async (args: string[]) => {
        const log = `${project}/trace`;
        const traced = await runCommand(
          strace,
          ["-qq", "-e", "trace=openat", "-o", log, ...bundle, ...args],
          { env: { PLASH_DATA: store.data } },
        );
        assert.equal(traced.code, 0, traced.stderr);
        const paths = Deno.readTextFileSync(log).match(/"[^"]*\/dist\/js\/[^"]+"/g) ?? [];
        return new Set(
          paths.map((path) => path.slice(1, -1)).filter((path) => path.startsWith(project)),
        );
      };
      // What `run` loads comes in a few files, not one a module (scripts/bundle.ts's groups: 5
      // files as root, 7 without, where the child's maker comes too; 12 and 17 when only `run`'s
      // own modules were grouped, 34 as root without groups).
      const plain = await opened(["run", base, "true"]);
      const most = Deno.uid() === 0 ? 5 : 7;
      assert.ok(
        plain.size > 1 && plain.size <= most,
        `run loads ${plain.size} files of the bundle`,
      );
      // What a run never calls is not in the files it reads (about 0.05 ms of CPU a KB of code),
      // as it was in every start's chunk with ffi/sys.ts and libc.ts's table: the calls on file
      // attributes, statvfs and flock.
      const unused = ["llistxattr", "statvfs", "flock"];
      for (const file of plain) {
        const text = Deno.readTextFileSync(file);
        for (const marker of unused) {
          assert.ok(!text.includes(marker), `a plain run reads ${file}, which holds ${marker}`);
        }
      }
      // The user switch (become_user.ts) and the other optional operations (optional_steps.ts:
      // devices, hooks, read-only binds...): loaded by a run that has one of them, not by every
      // run (they were a third of the runtime's chunk).
      const optional = [
        ["core/runtime/become_user.js", ["-u", "0"]],
        ["core/runtime/optional_steps.js", ["-v", `${project}:/mnt:ro`]],
      ] as const;
      for (const [entry, options] of optional) {
        const path = `${project}/dist/js/${entry}`;
        const from = Deno.readTextFileSync(path).match(/from"(\.[^"]+)"/)![1];
        const code = new URL(from, `file://${path}`).pathname;
        const using = await opened(["run", ...options, base, "true"]);
        for (const file of [path, code]) {
          assert.ok(!plain.has(file), `a plain run loads ${file}`);
          assert.ok(using.has(file), `a run with ${options.join(" ")} does not load ${file}`);
        }
      }
    }
    // A layer is built by plash running itself (as the bundle), then found in the cache.
    const id = await plash(["build", "-f", base, "--run", "echo layer > /layer"]);
    assert.equal(await plash(["build", "-f", base, "--run", "echo layer > /layer"]), id);
    assert.equal(await plash(["run", id, "cat", "/layer"]), "layer");
    // The tar code, its npm package and a compressor: lazily loaded chunks of the bundle.
    await plash(["export-tar", id, `${store.data}.tar`]);
    assert.equal((await runCommand("gzip", [`${store.data}.tar`])).code, 0);
    const imported = await plash(["import-tar", `${store.data}.tar.gz`]);
    assert.equal(await plash(["run", imported, "cat", "/layer"]), "layer");
  } finally {
    Deno.removeSync(project, { recursive: true });
  }
});
