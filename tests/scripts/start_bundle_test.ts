/**
 * The start bundle (`deno task bundle`): built from the sources, it runs
 * plash's commands as the sources do, the lazily loaded parts and the npm
 * packages included; and a bundle in the checkout is never older than the
 * sources it was built from (bin/plash would run stale code).
 */

import assert from "node:assert/strict";
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
    if (STRACE) {
      // What `run` loads comes in a few files, not one a module (scripts/bundle.ts's groups: 5
      // files as root, 7 without, where the child's maker comes too; 12 and 17 when only `run`'s
      // own modules were grouped, 34 as root without groups). Its children are not traced: a
      // traced newuidmap would lose its set-user-id.
      const log = `${project}/trace`;
      const traced = await runCommand(
        STRACE,
        ["-qq", "-e", "trace=openat", "-o", log, ...bundle, "run", base, "true"],
        { env: { PLASH_DATA: store.data } },
      );
      assert.equal(traced.code, 0, traced.stderr);
      const opened = Deno.readTextFileSync(log).match(/"[^"]*\/dist\/js\/[^"]+"/g) ?? [];
      const files = new Set(opened.filter((path) => path.startsWith(`"${project}/`)));
      const most = Deno.uid() === 0 ? 5 : 7;
      assert.ok(
        files.size > 1 && files.size <= most,
        `run loads ${files.size} files of the bundle`,
      );
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
