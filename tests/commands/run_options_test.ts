/**
 * `plash run`'s docker-style options (`-e`, `--env-file`, `-v`, `--mount`,
 * `-w`, `-u`), the image's User, and the exit statuses 126 and 127: real
 * runs, as root and (in the rootless suite) as a user with and without a
 * subordinate id range.
 */

import assert from "node:assert/strict";
import { plannedMapping } from "../../core/runtime/id_map.ts";
import { selfCommand } from "../../core/self_command.ts";
import { oneLineError, TestStore, usageFailure } from "../support/plash.ts";
import { TempDirs } from "../support/temp_dirs.ts";
import { imageWithAccounts } from "../support/accounts.ts";

const ROOT = Deno.uid() === 0;
const RANGES = ROOT ? undefined : plannedMapping(Deno.uid()!, Deno.gid()!).ranges;

/** The host uid that container uid `id` is in this suite's run: itself as root. */
function hostUid(id: number): number {
  if (ROOT) return id;
  if (id === 0) return Deno.uid()!;
  return RANGES!.uids.start + id - 1;
}

Deno.test("-e, --env-file and -w set the environment and the working directory", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const id = await store.busybox();
  const file = `${temp.make()}/env`;
  Deno.writeTextFileSync(file, "# a comment\nFROM_FILE=file value\n\nPASSED\nA=from file\n");
  const output = await store.ok([
    "run",
    "--env-file",
    file,
    "-e",
    "A=from -e",
    "--env=B=two=2",
    "-e",
    "PASSED",
    "-e",
    "UNSET_ON_HOST",
    "-w",
    "/made/for/me",
    id,
    "sh",
    "-c",
    'pwd; echo "$A|$B|$FROM_FILE|$PASSED|${UNSET_ON_HOST-unset}"',
  ], { env: { PASSED: "from the host" } });
  assert.equal(output, "/made/for/me\nfrom -e|two=2|file value|from the host|unset");
  // An existing directory of the image, and -w after an image WorkingDir-less default.
  assert.equal(await store.ok(["run", "--workdir", "/etc", id, "pwd"]), "/etc");
});

Deno.test("-v and --mount bind host paths; :ro is read-only", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const id = await store.busybox();
  const dir = temp.make();
  Deno.writeTextFileSync(`${dir}/in`, "from the host\n");
  const file = `${temp.make()}/single`;
  Deno.writeTextFileSync(file, "one file\n");
  const output = await store.ok([
    "run",
    "-v",
    `${dir}:/data`,
    "--mount",
    `type=bind,source=${file},target=/etc/single,readonly`,
    id,
    "sh",
    "-c",
    "cat /data/in /etc/single; echo made > /data/out; echo x > /etc/single || echo refused",
  ]);
  assert.equal(output, "from the host\none file\nrefused");
  assert.equal(Deno.readTextFileSync(`${dir}/out`), "made\n");
  assert.equal(Deno.readTextFileSync(file), "one file\n");
  const ro = await store.plash(["run", "-v", `${dir}:/data:ro`, id, "touch", "/data/new"]);
  assert.notEqual(ro.code, 0);
  assert.match(ro.stderr, /Read-only file system/);
  assert.throws(() => Deno.statSync(`${dir}/new`));
});

Deno.test(
  ":ro holds for the mounts below the source and against another user's remount",
  { ignore: !ROOT },
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    const id = await imageWithAccounts(store);
    const dir = temp.make();
    Deno.mkdirSync(`${dir}/sub`);
    Deno.chmodSync(dir, 0o777);
    // The submount exists only in unshare's namespace, which plash's run copies.
    const [program, ...rest] = selfCommand([
      "run",
      "-u",
      "nobody",
      "-v",
      `${dir}:/data:ro`,
      id,
      "sh",
      "-c",
      "touch /data/sub/x 2>&1; mount -o remount,rw,bind /data 2>&1; touch /data/y 2>&1; true",
    ]);
    const script = `mount -t tmpfs -o mode=0777 none '${dir}/sub' && exec "$@"`;
    const result = await store.spawn(["unshare", "-m", "sh", "-c", script, "sh", program, ...rest]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\/data\/sub\/x: Read-only file system/);
    assert.match(result.stdout, /\/data\/y: Read-only file system/);
    assert.deepEqual([...Deno.readDirSync(`${dir}/sub`)], []);
  },
);

Deno.test("-u nobody runs as 65534 with its groups; files it makes are 65534's", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const id = await imageWithAccounts(store);
  const dir = temp.make();
  Deno.chmodSync(dir, 0o777);
  const result = await store.plash([
    "run",
    "-u",
    "nobody",
    "-v",
    `${dir}:/out`,
    id,
    "sh",
    "-c",
    "id -u; id -g; id -G; echo $HOME; touch /out/made",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const made = Deno.statSync(`${dir}/made`);
  if (ROOT || RANGES) {
    assert.equal(result.stdout, "65534\n65534\n65534 50\n/nonexistent\n");
    assert.equal(made.uid, hostUid(65534));
    assert.equal(result.stderr, "");
  } else {
    // Only the caller is mapped: one warning, and the command runs as the caller.
    assert.equal(result.stdout.split("\n")[0], "0");
    assert.equal(made.uid, Deno.uid());
    assert.match(oneWarning(result.stderr), /without a subordinate id range/);
  }
});

function oneWarning(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0], /^plash warning: /);
  return lines[0];
}

Deno.test("-u by number, with a group; -u 0 is root", async () => {
  using store = new TestStore();
  const id = await imageWithAccounts(store);
  const mapped = ROOT || RANGES;
  if (mapped) {
    const explicit = await store.ok(["run", "-u", "1000:staff", id, "sh", "-c", "id -u; id -G"]);
    assert.equal(explicit, "1000\n50", "a group given is the only group");
    // A uid the image does not list: group 0, HOME /, as in docker.
    const unlisted = await store.ok([
      "run",
      "-u",
      "4242",
      id,
      "sh",
      "-c",
      "id -u; id -g; echo $HOME",
    ]);
    assert.equal(unlisted, "4242\n0\n/");
  }
  assert.equal(await store.ok(["run", "-u", "0", id, "id", "-u"]), "0");
  assert.equal(await store.ok(["run", "-u", "root", id, "id", "-u"]), "0");
});

Deno.test("the image's User applies to runs, not to builds; -u 0 overrides it", async () => {
  using store = new TestStore();
  const base = await imageWithAccounts(store);
  const built = await store.plash([
    "build",
    "--from-id",
    base,
    "--user",
    "app",
    "--layer",
    "--run",
    "id -u > /built-as",
  ]);
  assert.equal(built.code, 0, built.stderr);
  const id = built.stdout.trim();
  assert.equal(await store.ok(["run", id, "cat", "/built-as"]), "0", "the build step ran as root");
  const expected = ROOT || RANGES ? "1000" : "0";
  const asApp = await store.plash(["run", id, "id", "-u"]);
  assert.equal(asApp.stdout.trim(), expected, asApp.stderr);
  assert.equal(await store.ok(["run", "-u", "0", id, "id", "-u"]), "0");
  // The OCI config's User is the same field: what import-docker records.
  const images = store.images;
  const oci = images.addLayer(Number(base), images.makeTmpDir(), { user: "65534" });
  const result = await store.plash(["run", String(oci), "id", "-u"]);
  assert.equal(result.stdout.trim(), ROOT || RANGES ? "65534" : "0", result.stderr);
});

Deno.test("bad run options fail in one line and leave nothing behind", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const base = await imageWithAccounts(store);
  const outside = temp.make();
  const id = await store.ok([
    "add-layer",
    base,
    (() => {
      const dir = `${temp.make("plash-links-")}/layer`; // moved into the store
      Deno.mkdirSync(dir);
      Deno.symlinkSync(`../../../../../..${outside}`, `${dir}/climbs`);
      Deno.symlinkSync("/tmp", `${dir}/to-tmp`);
      Deno.symlinkSync("/etc", `${dir}/to-etc`);
      return dir;
    })(),
  ]);
  const dir = temp.make();
  const cases: [string[], RegExp, number][] = [
    [["-u", "nosuchuser"], /^plash error: unknown user in image \d+: nosuchuser/, 1],
    [["-u", "nobody:nosuchgroup"], /^plash error: unknown group in image \d+: nosuchgroup/, 1],
    [
      ["-v", "/nonexistent/source:/data"],
      /^plash error: -v source \/nonexistent\/source is missing on the host$/,
      1,
    ],
    [
      ["-v", `${dir}:/climbs/x`],
      /^plash error: mount target \/climbs\/x: a symlink in the image on the way leads out of it$/,
      1,
    ],
    [
      ["-v", `${dir}:/to-tmp/x`],
      /^plash error: mount target \/to-tmp\/x: a symlink in the image on the way leads out of it$/,
      1,
    ],
    [["-v", `${dir}:relative`], /^plash error: -v target must be an absolute path: relative$/, 1],
    [["-v", `${dir}:/a:rx`], /^plash error: -v .*: unknown option rx/, 1],
    [["--mount", `type=volume,source=x,target=/y`], /only type=bind/, 1],
    [["--env-file", "/nonexistent/env"], /^plash error: --env-file \/nonexistent\/env: /, 1],
  ];
  for (const [options, expected, code] of cases) {
    const result = await store.plash(["run", ...options, id, "true"]);
    assert.equal(result.code, code, `${options.join(" ")}: ${result.stderr}`);
    assert.match(oneLineError(result), expected, options.join(" "));
  }
  // Wrong usage is the usage line alone, as the original plash said it.
  for (const [option, shown] of [["--no-such-option", "--no-such-option"], ["-q", "-q"]]) {
    const result = await store.plash(["run", option, id, "true"]);
    assert.match(
      usageFailure(result),
      new RegExp(`^usage: plash run .*\\(unknown option ${shown}\\)$`),
    );
  }
  // A link inside the image is followed: /to-etc/x is /etc/x of the image.
  assert.equal(
    await store.ok(["run", "-v", `${dir}:/to-etc/x`, id, "ls", "-d", "/etc/x"]),
    "/etc/x",
  );
  assert.deepEqual([...Deno.readDirSync(outside)], [], "nothing made through the climbing link");
  assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)], []);
  assert.deepEqual([...Deno.readDirSync(`${store.data}/mnt`)], []);
});

Deno.test("exit statuses: the command's, 127 not found, 126 found but not executable", async () => {
  using store = new TestStore();
  const id = await store.busybox();
  assert.equal((await store.plash(["run", id, "sh", "-c", "exit 42"])).code, 42);
  const missing = await store.plash(["run", id, "no-such-command"]);
  assert.equal(missing.code, 127);
  assert.equal(
    oneLineError(missing),
    `plash error: no-such-command: command not found in image ${id}`,
  );
  const directory = await store.plash(["run", id, "/etc"]);
  assert.equal(directory.code, 126);
  assert.equal(
    oneLineError(directory),
    `plash error: /etc: cannot execute in image ${id}: is a directory`,
  );
  const noExecBit = await store.plash(["run", id, "/etc/passwd"]);
  assert.equal(noExecBit.code, 126);
  assert.match(oneLineError(noExecBit), /: permission denied$/);
  // On PATH too: a file without its exec bit is found and refused, as shells do.
  const onPath = await store.plash(["run", "-e", "PATH=/etc", id, "passwd"]);
  assert.equal(onPath.code, 126, onPath.stderr);
});

Deno.test("a command on PATH whose interpreter is missing gives way to the next, as execvp", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const id = await store.busybox();
  const dir = temp.make();
  Deno.writeTextFileSync(`${dir}/true`, "#!/no/such/interpreter\n", { mode: 0o755 });
  Deno.chmodSync(`${dir}/true`, 0o755);
  // execvp goes on to /bin's own `true`; a check of the file alone found this one runnable.
  const passed = await store.plash([
    "run",
    "-v",
    `${dir}:/opt/x`,
    "-e",
    "PATH=/opt/x:/bin",
    id,
    "true",
  ]);
  assert.equal(passed.code, 0, passed.stderr);
  const alone = await store.plash(["run", "-v", `${dir}:/opt/x`, "-e", "PATH=/opt/x", id, "true"]);
  assert.equal(alone.code, 127);
  assert.match(oneLineError(alone), /^plash error: true: cannot execute in image \d+: /);
});

Deno.test("b run, the MACROS -- CMD shortcut and exec take run's options", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const base = await store.busybox();
  const shortcut = await store.plash([
    "--from-id",
    base,
    "--",
    "-e",
    "A=1",
    "-w",
    "/w",
    "sh",
    "-c",
    "echo $A; pwd",
  ]);
  assert.equal(shortcut.stdout, "1\n/w\n", shortcut.stderr);
  const b = await store.plash([
    "b",
    "run",
    "--from-id",
    base,
    "--",
    "--env",
    "B=2",
    "sh",
    "-c",
    "echo $B",
  ]);
  assert.equal(b.stdout, "2\n", b.stderr);
  const unknown = await store.plash(["--from-id", base, "--", "-q", "true"]);
  assert.match(usageFailure(unknown), /\(unknown option -q\)$/);
  const dir = temp.make();
  const file = `${dir}/Plashfile`;
  Deno.writeTextFileSync(file, `#!/usr/bin/env plash\n--from-id ${base}\n--entrypoint sh -c\n`);
  const exec = await store.plash(["exec", "-e", "C=3", file, "echo $C"]);
  assert.equal(exec.stdout, "3\n", exec.stderr);
});
