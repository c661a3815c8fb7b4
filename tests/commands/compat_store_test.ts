/**
 * Compatibility with the original plash (macro era): the data directory, and
 * the commands that keep it (clean, shrink, purge), as its tests state them.
 */

import assert from "node:assert/strict";
import { allCommands } from "../../core/cli/commands/mod.ts";
import { selfCommand } from "../../core/self_command.ts";
import { oneLineError, TestStore } from "../support/plash.ts";

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `plash ARGS...` in `cwd` with exactly `env` (plus PATH, and Deno's cache
 * where it is, not under a HOME of the test's): HOME can be left out.
 */
async function plashWithEnv(args: string[], env: Record<string, string>, cwd: string) {
  const [program, ...rest] = selfCommand(args);
  const denoDir = Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;
  const output = await new Deno.Command(program, {
    args: rest,
    cwd,
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", DENO_DIR: denoDir, ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: output.code, stdout: new TextDecoder().decode(output.stdout).trim() };
}

Deno.test("PLASH_DATA and HOME: a relative PLASH_DATA as given, else HOME's, else passwd's", async () => {
  using store = new TestStore({ init: false });
  const cwd = store.data.slice(0, -"/data".length);
  const env = { PLASH_DATA: "rel" };
  assert.equal(await store.ok(["data"], { env }), "rel");
  assert.equal((await store.plash(["init"], { env, cwd })).code, 0);
  const nodepath = await store.plash(["nodepath", "0", "--allow-root-container"], { env, cwd });
  assert.equal(nodepath.stdout.trim(), `${cwd}/rel/layer/0`);
  assert.equal((await plashWithEnv(["data"], { HOME: "xx" }, cwd)).stdout, "xx/.plashdata");
  const passwd = Deno.readTextFileSync("/etc/passwd").split("\n")
    .map((line) => line.split(":")).find((fields) => fields[2] === String(Deno.uid()));
  assert.ok(passwd, "the test user has a passwd entry");
  assert.deepEqual(await plashWithEnv(["data"], {}, cwd), {
    code: 0,
    stdout: `${passwd[5]}/.plashdata`,
  });
});

/** A command line for each command that reads or changes a store (a missing one here). */
const NEEDS_STORE: Record<string, string[]> = {
  run: ["1", "true"],
  create: ["1", "true"],
  mount: ["1", "/nonexistent"],
  "with-mount": ["1", "true"],
  build: ["-f", "1"],
  eval: ["--from", "1"],
  b: ["run", "-f", "1"],
  exec: ["/dev/null"],
  ls: [],
  inspect: ["1"],
  tag: ["1", "web"],
  untag: ["web"],
  rm: ["1"],
  map: ["key"],
  nodepath: ["1"],
  parent: ["1"],
  "add-layer": ["0", "/nonexistent"],
  "import-tar": ["/nonexistent.tar"],
  "import-url": ["file:///nonexistent.tar"],
  "import-lxc": ["alpine"],
  "import-docker": ["127.0.0.1:9/none"],
  "import-oci": ["/nonexistent"],
  "import-docker-archive": ["/nonexistent"],
  "export-tar": ["1", "/nonexistent/out.tar"],
  copy: ["1", "/nonexistent/copy"],
  data: ["true"],
  clean: [],
  shrink: [],
  mkdtemp: [],
  "probe-overlay": [],
  bundle: ["1", "/nonexistent/bundle"],
  runc: ["1", "true"],
  "export-oci": ["1", "/nonexistent/layout"],
  "export-docker-archive": ["1", "/nonexistent/out.tar"],
  push: ["1", "127.0.0.1:9/none"],
  bud: ["-f", "/dev/null", "/"],
};

/** Commands that never touch a store, and those that may without one. */
const NO_STORE = [
  "sudo",
  "help-macros",
  "login",
  "logout",
  "doctor",
  "help",
  "version",
  "init",
  "purge",
  "completion",
  "complete-images",
];

Deno.test("only init creates a data directory; the others say to run it", async () => {
  using store = new TestStore({ init: false });
  assert.deepEqual(
    allCommands().map((command) => command.name).filter((name) =>
      !(name in NEEDS_STORE) && !NO_STORE.includes(name)
    ),
    [],
    "every command is checked here",
  );
  const env = { LANG: "C", PLASH_LXC_SERVER: "http://127.0.0.1:9" };
  for (const [name, args] of Object.entries(NEEDS_STORE)) {
    const result = await store.plash([name, ...args], { env });
    assert.equal(result.code, 1, `${name}: ${result.stderr}`);
    assert.ok(
      oneLineError(result).endsWith(
        `run \`plash init\`: ${store.data}: No such file or directory`,
      ),
      `${name}: ${result.stderr}`,
    );
    assert.equal(exists(store.data), false, `${name} made ${store.data}`);
  }
  // Those that only read or print never make one.
  assert.equal(await store.ok(["data"]), store.data);
  await store.ok(["purge", "--yes"]);
  assert.equal(exists(store.data), false);
  await store.ok(["init"]);
  assert.equal(await store.ok(["ls", "--json"]), "[]");
});

Deno.test("a PLASH_DATA that is not a store is refused with the original's hint", async () => {
  using store = new TestStore({ init: false });
  // The original's test used /xxx; a path in the test's own directory leaves nothing behind.
  const xxx = `${store.data.slice(0, -"/data".length)}/xxx`;
  const result = await store.plash(["nodepath", "1"], { env: { PLASH_DATA: xxx } });
  assert.equal(result.code, 1);
  assert.equal(
    oneLineError(result),
    `plash error: run \`plash init\`: ${xxx}: No such file or directory`,
  );
  assert.equal(exists(xxx), false);
  Deno.mkdirSync(store.data);
  assert.match(oneLineError(await store.plash(["ls"])), /run `plash init`: .*: not a plash data/);
  assert.deepEqual([...Deno.readDirSync(store.data)], []);
});

Deno.test("clean takes the original's flags, each cleaning its part", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const child = await store.ok(["create", base, "true"]);
  for (const key of ["key1", "key2"]) await store.ok(["map", key, child]);
  // A temporary directory whose owner (the shell) has ended.
  const [program, ...args] = selfCommand(["mkdtemp"]);
  const tmp = (await store.spawn(["sh", "-c", '"$0" "$@"', program, ...args])).stdout.trim();
  Deno.symlinkSync("../layer/0/999", `${store.data}/index/999`);
  await store.ok(["rm", child]);

  await store.ok(["clean", "--clean-cache-keys", "--quiet"]);
  assert.deepEqual([...Deno.readDirSync(`${store.data}/map`)], []);
  assert.ok(exists(tmp) && exists(`${store.data}/index/999`), "only map entries go");
  await store.ok(["clean", "--clean-tmp"]);
  assert.ok(!exists(tmp) && exists(`${store.data}/index/999`));
  await store.ok(["clean", "--clean-index"]);
  assert.ok(!exists(`${store.data}/index/999`));
  assert.deepEqual([...Deno.readDirSync(`${store.data}/index`)].map((e) => e.name).sort(), [
    "0",
    base,
  ]);
});

Deno.test("clean removes plash's own temporary dirs of ended processes, nothing foreign", async () => {
  using store = new TestStore();
  const [program, ...args] = selfCommand(["mkdtemp"]);
  const dead = (await store.spawn(["sh", "-c", '"$0" "$@"', program, ...args])).stdout.trim();
  const tmp = `${store.data}/tmp`;
  Deno.writeTextFileSync(`${tmp}/mybadfile`, "mine\n");
  Deno.mkdirSync(`${tmp}/notes_1_2_3`);
  Deno.mkdirSync(`${tmp}/plashtmpx`);
  Deno.writeTextFileSync(`${store.data}/index/mybadfile`, "");
  Deno.writeTextFileSync(`${store.data}/map/mybadfile`, "");
  await store.ok(["clean"]);
  assert.ok(!exists(dead));
  assert.deepEqual([...Deno.readDirSync(tmp)].map((entry) => entry.name).sort(), [
    "mybadfile",
    "notes_1_2_3",
    "plashtmpx",
  ]);
  assert.ok(exists(`${store.data}/index/mybadfile`) && exists(`${store.data}/map/mybadfile`));
});

Deno.test("shrink removes about half of the images, built layers included", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const built = [];
  for (const file of ["a", "b", "c"]) {
    built.push(await store.ok(["build", "-f", base, "--run", `touch /${file}`]));
  }
  await store.ok(["shrink"]);
  await store.ok(["clean", "--clean-index"]);
  const left = [...Deno.readDirSync(`${store.data}/index`)].map((entry) => entry.name).sort();
  // The oldest leaves go first; the base has children until they are gone.
  assert.deepEqual(left, ["0", base, built[2]].sort());
  // A user's name keeps an image.
  const named = await store.ok(["build", "-f", base, "--run", "touch /d"]);
  await store.ok(["map", "keep", built[2]]);
  await store.ok(["shrink"]);
  assert.equal(await store.ok(["map", "keep"]), built[2]);
  assert.equal((await store.plash(["nodepath", named])).code, 1);
});

Deno.test("purge confirms from a pipe and keeps the data directory, emptied", async () => {
  using store = new TestStore();
  await store.busybox();
  const refused = await store.plash(["purge"], { stdin: "no\n" });
  assert.equal(refused.code, 1);
  assert.match(oneLineError(refused), /not confirmed/);
  assert.ok(exists(`${store.data}/index/1`));
  for (const answer of ["y\n", "yes\n"]) {
    assert.equal((await store.plash(["purge"], { stdin: answer })).code, 0);
    assert.deepEqual([...Deno.readDirSync(store.data)], [], answer);
    await store.ok(["init"]);
  }
  await store.ok(["purge", "--yes"]);
  await store.ok(["purge", "--yes"]);
  assert.ok(Deno.statSync(store.data).isDirectory);
  await store.ok(["init"]);
  assert.equal(await store.ok(["ls", "--json"]), "[]");
});

Deno.test({
  name: "purge empties a data directory that is a mount point, and refuses mounts inside",
  ignore: Deno.uid() !== 0,
  async fn() {
    using store = new TestStore({ init: false });
    Deno.mkdirSync(store.data);
    const mount = (...args: string[]) => new Deno.Command("mount", { args }).outputSync();
    const umount = (dir: string) => new Deno.Command("umount", { args: [dir] }).outputSync();
    assert.ok(mount("-t", "tmpfs", "plash-test", store.data).success);
    try {
      await store.ok(["init"]);
      Deno.mkdirSync(`${store.data}/tmp/inside`);
      assert.ok(mount("-t", "tmpfs", "plash-test", `${store.data}/tmp/inside`).success);
      try {
        const refused = await store.plash(["purge", "--yes"]);
        assert.match(oneLineError(refused), /tmp\/inside is mounted inside/);
      } finally {
        umount(`${store.data}/tmp/inside`);
      }
      await store.ok(["purge", "--yes"]);
      assert.deepEqual([...Deno.readDirSync(store.data)], []);
      const mountinfo = Deno.readTextFileSync("/proc/self/mountinfo");
      assert.ok(mountinfo.includes(` ${store.data} `), "still mounted");
    } finally {
      umount(store.data);
    }
  },
});
