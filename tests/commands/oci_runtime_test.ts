/**
 * `plash runc` and `plash bundle`: images run by Debian's runc, as root and
 * (in the rootless suite) as root of plash's user namespace; a bundle that
 * runc itself runs; crun refused on this host's hybrid cgroups in one line;
 * the throwaway bundle gone after every end, SIGKILL of plash included.
 */

import assert from "node:assert/strict";
import { plannedMapping } from "../../core/runtime/id_map.ts";
import { cgroupRefusal, findOciRuntimes } from "../../core/runtime/oci_runtime.ts";
import { selfCommand } from "../../core/self_command.ts";
import { debootstrapRootfs } from "../../scripts/debootstrap_rootfs.ts";
import { runCommand } from "../support/command.ts";
import { runBundle } from "../support/run_bundle.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { TempDirs } from "../support/temp_dirs.ts";
import { imageWithAccounts } from "../support/accounts.ts";

const ROOT = Deno.uid() === 0;
const RUNC = findOciRuntimes({ ...Deno.env.toObject(), PLASH_OCI_RUNTIME: "runc" })[0];
const CRUN = findOciRuntimes({ ...Deno.env.toObject(), PLASH_OCI_RUNTIME: "crun" })[0];
const RANGES = ROOT ? undefined : plannedMapping(Deno.uid()!, Deno.gid()!).ranges;
/** Whether a user other than root can be run: as root, or rootless with a range. */
const USERS = ROOT || RANGES !== undefined;

/** An image whose config says env, working directory and user, on busybox with accounts. */
async function configured(store: TestStore, user = "nobody"): Promise<string> {
  const layer = await imageWithAccounts(store);
  const images = store.images;
  const config = { env: { GREETING: "from the config" }, workdir: "/srv", user };
  const top = images.makeTmpDir();
  Deno.chmodSync(top, 0o755); // the image's / (a merged copy takes the top layer's)
  return String(images.addLayer(Number(layer), top, config));
}

function assertTmpEmpty(store: TestStore): void {
  assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)].map((entry) => entry.name), []);
}

Deno.test(
  "plash runc runs the image's config (env, cwd, user), a -v bind, with the container's status",
  { ignore: !RUNC },
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    const id = await configured(store);
    const dir = temp.make();
    Deno.chmodSync(dir, 0o755);
    Deno.writeTextFileSync(`${dir}/in`, "bound\n");
    const script = 'echo "$GREETING"; pwd; id -u; echo $HOME; cat /data/in; echo $$; exit 7';
    const result = await store.plash(["runc", "-v", `${dir}:/data`, id, "sh", "-c", script]);
    assert.equal(result.code, 7, result.stderr);
    const [greeting, cwd, uid, home, bound, pid] = result.stdout.trim().split("\n");
    assert.deepEqual([greeting, cwd, bound], ["from the config", "/srv", "bound"]);
    // The image says nobody; a rootless user without a range is warned and runs as root.
    assert.deepEqual([uid, home], USERS ? ["65534", "/nonexistent"] : ["0", Deno.env.get("HOME")]);
    assert.equal(pid, "1", "a pid namespace of its own");
    assert.equal(
      await store.ok([
        "runc",
        "-u",
        "0",
        "-e",
        "GREETING=-e wins",
        "-w",
        "/tmp",
        id,
        "sh",
        "-c",
        'id -u; echo "$GREETING"; pwd',
      ]),
      "0\n-e wins\n/tmp",
    );
    assertTmpEmpty(store);
  },
);

Deno.test(
  "plash runc -u finds the user in an /etc/passwd closed to the caller (a subordinate id's, 0600)",
  { ignore: !RUNC || ROOT || RANGES === undefined },
  async () => {
    using store = new TestStore();
    const base = await configured(store, "");
    const id = (await store.ok([
      "build",
      "-f",
      base,
      "--run",
      "chown 1:1 /etc/passwd && chmod 600 /etc/passwd",
    ])).trim();
    const result = await store.plash(["runc", "-u", "nobody", id, "id", "-u"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "65534\n");
    assertTmpEmpty(store);
  },
);

Deno.test(
  "plash runc -u nobody: 65534 inside, files made in a -v dir are its own",
  { ignore: !RUNC || !USERS },
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    const id = await configured(store, "");
    const dir = temp.make();
    Deno.chmodSync(dir, 0o777);
    const result = await store.plash([
      "runc",
      "-u",
      "nobody",
      "-v",
      `${dir}:/out`,
      id,
      "sh",
      "-c",
      "id -u; touch /out/made",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "65534\n");
    const owner = Deno.statSync(`${dir}/made`).uid;
    assert.equal(owner, ROOT ? 65534 : RANGES!.uids.start + 65533);
  },
);

Deno.test(
  "the debootstrap Debian image runs under plash runc: its config, -v, -u nobody, its status",
  { ignore: !RUNC || !ROOT },
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    const copy = `${store.data}.debian`;
    const cp = await new Deno.Command("cp", { args: ["-a", await debootstrapRootfs(), copy] })
      .output();
    assert.ok(cp.success, "cp of the debootstrap fixture");
    const base = await store.ok(["add-layer", "0", copy]);
    const images = store.images;
    const top = images.makeTmpDir();
    Deno.chmodSync(top, 0o755);
    const config = { env: { GREETING: "from the config" }, workdir: "/usr", user: "daemon" };
    const id = String(images.addLayer(Number(base), top, config));
    const dir = temp.make();
    Deno.chmodSync(dir, 0o777);
    const script = '. /etc/os-release; echo "$VERSION_CODENAME $GREETING"; pwd; id -un; ' +
      "echo $HOME; touch /out/made; exit 3";
    const result = await store.plash(["runc", "-v", `${dir}:/out`, id, "sh", "-c", script]);
    assert.equal(result.code, 3, result.stderr);
    assert.equal(result.stdout, "bookworm from the config\n/usr\ndaemon\n/usr/sbin\n");
    assert.equal(Deno.statSync(`${dir}/made`).uid, 1, "daemon's file");
    assert.equal(
      await store.ok(["runc", "-u", "nobody", "-w", "/", id, "sh", "-c", "id -u; pwd; echo $HOME"]),
      "65534\n/\n/nonexistent",
    );
    assert.equal(await store.ok(["runc", "-u", "0", id, "id", "-un"]), "root");
    assertTmpEmpty(store);
  },
);

/** `runc spec`'s config: what a bundle's must be shaped like. */
async function runcSpec(temp: TempDirs): Promise<Record<string, unknown>> {
  const dir = temp.make();
  const output = await runCommand(RUNC!.path, ["spec"], { cwd: dir });
  assert.equal(output.code, 0, output.stderr);
  return JSON.parse(Deno.readTextFileSync(`${dir}/config.json`));
}

type Json = Record<string, unknown>;

/** Asserts that `ours` has every key `reference` has at the top and in process, root, linux. */
function assertShapedLike(ours: Json, reference: Json): void {
  for (const key of ["ociVersion", "process", "root", "mounts", "linux"]) {
    assert.equal(typeof ours[key], typeof reference[key], key);
  }
  const [process, expected] = [ours.process as Json, reference.process as Json];
  for (const key of ["user", "args", "env", "cwd", "capabilities"]) {
    assert.equal(typeof process[key], typeof expected[key], `process.${key}`);
  }
  assert.equal((ours.root as Json).path, "rootfs");
  assert.ok(Array.isArray((ours.linux as Json).namespaces));
  for (const mount of ours.mounts as Json[]) assert.equal(typeof mount.destination, "string");
  assert.match(ours.ociVersion as string, /^1\.0\./);
}

Deno.test(
  "plash bundle writes a runtime bundle shaped as runc spec's, and runc runs it",
  { ignore: !RUNC || !ROOT },
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    const id = await configured(store);
    const reference = await runcSpec(temp);
    for (const copy of [false, true]) {
      const bundle = `${temp.make()}/bundle`;
      const args = ["bundle", ...(copy ? ["--copy"] : []), "--net", "none", id, bundle];
      const made = await store.plash([...args, "sh", "-c", 'echo "$GREETING"; id -u; exit 5']);
      assert.equal(made.code, 0, made.stderr);
      const config = JSON.parse(Deno.readTextFileSync(`${bundle}/config.json`));
      assertShapedLike(config, reference);
      const namespaces = config.linux.namespaces.map((each: { type: string }) => each.type);
      assert.deepEqual(namespaces.sort(), ["ipc", "mount", "network", "pid", "uts"]);
      assert.equal(config.linux.resources, undefined);
      const state = temp.make();
      try {
        const run = await runCommand(RUNC!.path, ["--root", state, "run", "-b", bundle, "t"]);
        assert.equal(run.code, 5, run.stderr);
        assert.equal(new TextDecoder().decode(run.stdout), "from the config\n65534\n");
      } finally {
        if (!copy) await runCommand("umount", [`${bundle}/rootfs`]);
      }
    }
    const taken = temp.make();
    Deno.writeTextFileSync(`${taken}/file`, "");
    const full = await store.plash(["bundle", id, taken]);
    assert.equal(full.code, 1);
    assert.match(oneLineError(full), /not an empty directory$/);
  },
);

Deno.test(
  "without root plash bundle writes a copy with plash's id mappings, which runc runs rootless",
  { ignore: !RUNC || ROOT },
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    const id = await configured(store, "");
    const refused = await store.plash(["bundle", id, `${temp.make()}/b`]);
    assert.equal(refused.code, 1);
    assert.match(oneLineError(refused), /use --copy$/);
    const bundle = `${temp.make()}/bundle`;
    try {
      const made = await store.plash(["bundle", "--copy", id, bundle, "sh", "-c", "id -u; exit 4"]);
      assert.equal(made.code, 0, made.stderr);
      const config = JSON.parse(Deno.readTextFileSync(`${bundle}/config.json`));
      assert.equal(config.linux.uidMappings[0].hostID, Deno.uid());
      const run = await runBundle(RUNC!.path, bundle);
      assert.equal(run.code, 4, run.stderr);
      assert.equal(new TextDecoder().decode(run.stdout), "0\n");
    } finally {
      // The copy holds files of the subordinate ids: plash's namespace removes them.
      await store.ok(["sudo", "rm", "-rf", bundle, `${bundle}.state`]);
    }
  },
);

Deno.test(
  "crun on this host's hybrid cgroups: one line naming plash doctor, nothing left",
  { ignore: !CRUN || cgroupRefusal(CRUN ?? { name: "", path: "" }) === undefined },
  async () => {
    using store = new TestStore();
    const id = await store.busybox();
    const result = await store.plash(["runc", id, "true"], { env: { PLASH_OCI_RUNTIME: "crun" } });
    assert.equal(result.code, 1);
    assert.match(oneLineError(result), /^plash error: runc: crun refuses .*hybrid.*`plash doctor`/);
    assertTmpEmpty(store);
    const doctor = await store.plash(["doctor"], { env: { PLASH_OCI_RUNTIME: "crun" } });
    assert.match(doctor.stdout, /^warn {2}OCI runtime: .*crun refuses/m);
  },
);

Deno.test("plash doctor names the OCI runtime plash runc uses", { ignore: !RUNC }, async () => {
  using store = new TestStore();
  const doctor = await store.plash(["doctor"]);
  assert.match(doctor.stdout, /^ok {4}OCI runtime: plash runc uses runc version/m);
});

Deno.test(
  "signals reach the container; after a SIGKILL of plash its bundle stays while runc runs",
  { ignore: !RUNC },
  async () => {
    using store = new TestStore();
    const id = await store.busybox();
    // SIGTERM to plash: runc passes it to the container's shell.
    const trap = "trap 'echo got-TERM; exit 9' TERM; echo ready; while :; do sleep 0.05; done";
    const child = startPiped(store, ["runc", id, "sh", "-c", trap]);
    await child.waitFor("ready");
    child.process.kill("SIGTERM");
    await child.waitFor("got-TERM");
    assert.equal((await child.process.status).code, 9);
    await child.close();
    assertTmpEmpty(store);
    // SIGKILL: runc and the container live on, and so does the bundle, named after runc.
    const reader = startPiped(store, ["runc", id, "sh", "-c", "echo ready; read line; echo $line"]);
    await reader.waitFor("ready");
    const [left] = [...Deno.readDirSync(`${store.data}/tmp`)].map((entry) => entry.name);
    const runc = Number(left.split("_")[1]);
    // runc is plash's child, rootless too: no plash started again in the namespace between them.
    const parent = Number(Deno.readTextFileSync(`/proc/${runc}/stat`).split(") ")[1].split(" ")[1]);
    assert.equal(parent, reader.process.pid);
    reader.process.kill("SIGKILL");
    await reader.process.status;
    assert.match((await store.plash(["clean"])).stderr, /^removed 0 temporary dirs/);
    assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)].map((entry) => entry.name), [left]);
    await reader.stdin.write(new TextEncoder().encode("bye\n"));
    await reader.close();
    while (alive(runc) || alive(parent)) await new Promise((resolve) => setTimeout(resolve, 20));
    await store.ok(["clean"]);
    assertTmpEmpty(store);
  },
);

/** Whether process `pid` is there, a zombie not yet reaped included (as `clean` sees it). */
function alive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/** plash started with stdin and stdout piped, and a way to wait for a line of its output. */
function startPiped(store: TestStore, args: string[]) {
  const [program, ...rest] = selfCommand(args);
  const process = new Deno.Command(program, {
    args: rest,
    env: { PLASH_DATA: store.data },
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const reader = process.stdout.getReader();
  const stdin = process.stdin.getWriter();
  const decoder = new TextDecoder();
  let seen = "";
  return {
    process,
    stdin,
    /** Closes stdin and stops reading stdout. */
    async close(): Promise<void> {
      await stdin.close().catch(() => {});
      await reader.cancel();
    },
    async waitFor(text: string): Promise<void> {
      while (!seen.includes(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`ended before ${text}: ${seen}`);
        seen += decoder.decode(value);
      }
    },
  };
}
