/**
 * Devices in real containers (issue 23): a CDI spec the test writes (a
 * device node bound from the host's /dev/null, a mounted host file, env, and
 * createContainer/startContainer hooks that record their arguments and the
 * OCI state on their stdin), asked for with `--device` on `run`, `runc` and
 * `bundle`, and through the image's `--device` macro; a plain host device;
 * as root a node made with mknod in a test directory. Checked from inside
 * the container, as root and rootless.
 */

import assert from "node:assert/strict";
import { mknod, S_IFCHR } from "../../ffi/device_nodes.ts";
import { findOciRuntimes } from "../../core/runtime/oci_runtime.ts";
import { runCommand } from "../support/command.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { TempDirs } from "../support/temp_dirs.ts";

const ROOT = Deno.uid() === 0;
const RUNC = findOciRuntimes({ ...Deno.env.toObject(), PLASH_OCI_RUNTIME: "runc" })[0];
const KIND = "plash.test/dev";

/** A CDI spec directory with one device, and where its hooks leave their records. */
interface Fixture {
  specDir: string;
  records: string;
}

/** Writes the spec, the mounted file and the recording hook into `temp`'s directories. */
function fixture(temp: TempDirs): Fixture {
  const specDir = temp.make("plash-cdi-");
  // Under the host's /tmp, which containers share: startContainer hooks run inside.
  const records = temp.make("plash-cdi-records-");
  Deno.chmodSync(records, 0o777);
  const hook = `${records}/hook`;
  Deno.writeTextFileSync(
    hook,
    `#!/bin/sh\n# Its arguments and the OCI state on its stdin, by hook.\n` +
      `echo "$@" > ${records}/$1.argv\ncat > ${records}/$1.state\n`,
  );
  Deno.chmodSync(hook, 0o755);
  const mounted = `${temp.make()}/file`;
  Deno.writeTextFileSync(mounted, "from the host\n");
  Deno.chmodSync(mounted, 0o644);
  const spec = {
    cdiVersion: "0.5.0",
    kind: KIND,
    containerEdits: {
      env: ["CDI_SPEC=spec"],
      hooks: ["createContainer", "startContainer"].map((hookName) => ({
        hookName,
        path: hook,
        args: ["hook", hookName],
      })),
    },
    devices: [{
      name: "null",
      containerEdits: {
        env: ["CDI_DEVICE=null"],
        deviceNodes: [{ path: "/dev/cdi-null", hostPath: "/dev/null" }],
        mounts: [{
          hostPath: mounted,
          containerPath: "/cdi/file",
          options: ["ro", "nosuid", "nodev", "bind"],
        }],
      },
    }],
  };
  Deno.writeTextFileSync(`${specDir}/test.json`, JSON.stringify(spec));
  return { specDir, records };
}

/**
 * What the container prints of its device: `ls -ln`, env, the mounted file, a
 * write. The write only to a character device: /dev is the host's, and a
 * missing node must not become a file there.
 */
const INSIDE = 'ls -ln /dev/cdi-null; echo "$CDI_SPEC $CDI_DEVICE"; cat /cdi/file; ' +
  "[ -c /dev/cdi-null ] && echo x > /dev/cdi-null && echo written";

function assertInside(stdout: string): void {
  const [node, env, file, written] = stdout.trim().split("\n");
  assert.match(node, /^c[-rwx]{9} .* 1, +3 .*\/dev\/cdi-null$/);
  assert.deepEqual([env, file, written], ["spec null", "from the host", "written"]);
}

/** The hooks ran with their arguments and a state naming the container. */
function assertHooksRan(records: string): void {
  for (const hookName of ["createContainer", "startContainer"]) {
    assert.equal(Deno.readTextFileSync(`${records}/${hookName}.argv`).trim(), hookName);
    const state = JSON.parse(Deno.readTextFileSync(`${records}/${hookName}.state`));
    assert.equal(typeof state.ociVersion, "string");
    assert.equal(typeof state.id, "string");
    assert.ok(state.pid > 0, `${hookName}: pid ${state.pid}`);
  }
}

/** Nothing of the device is left on the host. */
function assertHostClean(): void {
  assert.throws(() => Deno.lstatSync("/dev/cdi-null"), Deno.errors.NotFound);
}

Deno.test(
  "plash run --device: the CDI device's node, mount, env and hooks, seen inside",
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    const { specDir, records } = fixture(temp);
    const id = await store.busybox();
    const args = ["--cdi-spec-dir", specDir, "--device", `${KIND}=null`];
    const result = await store.plash(["run", ...args, id, "sh", "-c", INSIDE]);
    assert.equal(result.code, 0, result.stderr);
    assertInside(result.stdout);
    assertHooksRan(records);
    assertHostClean();
    // =all names the spec's one device.
    const all = await store.plash([
      "run",
      "--cdi-spec-dir",
      specDir,
      "--device",
      `${KIND}=all`,
      id,
      "sh",
      "-c",
      INSIDE,
    ]);
    assert.equal(all.code, 0, all.stderr);
    assertInside(all.stdout);
  },
);

Deno.test(
  "plash runc --device: the same through runc",
  { ignore: !RUNC },
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    const { specDir, records } = fixture(temp);
    const id = await store.busybox();
    const result = await store.plash([
      "runc",
      "--cdi-spec-dir",
      specDir,
      "--device",
      `${KIND}=null`,
      id,
      "sh",
      "-c",
      INSIDE,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assertInside(result.stdout);
    assertHooksRan(records);
    assertHostClean();
  },
);

Deno.test(
  "plash bundle --device: config.json carries the edits, and runc runs it",
  { ignore: !RUNC },
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    const { specDir, records } = fixture(temp);
    const id = await store.busybox();
    const bundle = `${temp.make()}/bundle`;
    // Without root a mount would end with plash's namespace: only a copy works.
    const copy = ROOT ? [] : ["--copy"];
    const made = await store.plash([
      "bundle",
      ...copy,
      "--cdi-spec-dir",
      specDir,
      "--device",
      `${KIND}=null`,
      id,
      bundle,
      "sh",
      "-c",
      INSIDE,
    ]);
    assert.equal(made.code, 0, made.stderr);
    try {
      const config = JSON.parse(Deno.readTextFileSync(`${bundle}/config.json`));
      // As root the runtime makes the node; in a user namespace plash's bind of /dev/null is it.
      const device = config.linux.devices?.find((each: { path: string }) =>
        each.path === "/dev/cdi-null"
      );
      if (ROOT) assert.deepEqual([device?.type, device?.major, device?.minor], ["c", 1, 3]);
      else assert.equal(device, undefined);
      assert.ok(config.process.env.includes("CDI_DEVICE=null"));
      assert.ok(
        config.mounts.some((each: { destination: string }) => each.destination === "/cdi/file"),
      );
      assert.equal(config.hooks.createContainer.length, 1);
      assert.equal(config.hooks.startContainer.length, 1);
      const run = await runCommand(RUNC!.path, [
        "--root",
        `${bundle}.state`,
        "run",
        "-b",
        bundle,
        "t",
      ], {
        env: { XDG_RUNTIME_DIR: "" },
      });
      assert.equal(run.code, 0, run.stderr);
      assertInside(new TextDecoder().decode(run.stdout));
      assertHooksRan(records);
      assertHostClean();
    } finally {
      if (ROOT) await runCommand("umount", [`${bundle}/rootfs`]);
      // A copy holds files of the subordinate ids: plash's namespace removes them.
      await store.ok(["sudo", "rm", "-rf", bundle, `${bundle}.state`]);
    }
  },
);

Deno.test(
  "--device /dev/HOST:/dev/CONTAINER, and the image's --device macro",
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    const { specDir } = fixture(temp);
    const base = await store.busybox();
    const plain = await store.plash([
      "run",
      "--device",
      "/dev/zero:/dev/plain-zero:rw",
      base,
      "sh",
      "-c",
      "ls -ln /dev/plain-zero; head -c 3 /dev/plain-zero | od -An -tx1",
    ]);
    assert.equal(plain.code, 0, plain.stderr);
    const [node, zeros] = plain.stdout.trim().split("\n");
    assert.match(node, /^c[-rwx]{9} .* 1, +5 .*\/dev\/plain-zero$/);
    assert.equal(zeros.trim(), "00 00 00");
    assert.throws(() => Deno.lstatSync("/dev/plain-zero"), Deno.errors.NotFound);
    const id = await store.ok(["build", "--from", base, "--device", `${KIND}=null`]);
    const result = await store.plash(["run", "--cdi-spec-dir", specDir, id, "sh", "-c", INSIDE]);
    assert.equal(result.code, 0, result.stderr);
    assertInside(result.stdout);
  },
);

Deno.test(
  "as root, a device node made with mknod in a test directory",
  { ignore: !ROOT },
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    const dir = temp.make();
    // /dev/full's numbers: writes fail with ENOSPC, which says the node is the real device.
    mknod(`${dir}/full`, S_IFCHR | 0o666, 1, 7);
    Deno.writeTextFileSync(
      `${dir}/spec.json`,
      JSON.stringify({
        cdiVersion: "0.5.0",
        kind: KIND,
        devices: [{
          name: "full",
          containerEdits: { deviceNodes: [{ path: "/dev/cdi-full", hostPath: `${dir}/full` }] },
        }],
      }),
    );
    const id = await store.busybox();
    const result = await store.plash([
      "run",
      "--cdi-spec-dir",
      dir,
      "--device",
      `${KIND}=full`,
      id,
      "sh",
      "-c",
      "ls -ln /dev/cdi-full; [ -c /dev/cdi-full ] && { echo x > /dev/cdi-full || echo refused; }",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const [node, write] = result.stdout.trim().split("\n");
    assert.match(node, /^c[-rwx]{9} .* 1, +7 .*\/dev\/cdi-full$/);
    assert.equal(write, "refused");
  },
);

Deno.test(
  "an unknown CDI device fails run, runc and bundle in one line, listing the known ones",
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    const { specDir, records } = fixture(temp);
    const id = await store.busybox();
    for (const command of ["run", "runc", "bundle"]) {
      const bundle = `${temp.make()}/bundle`;
      const args = ["--cdi-spec-dir", specDir, "--device", `${KIND}=gpu`];
      const result = await store.plash(
        command === "bundle"
          ? ["bundle", "--copy", ...args, id, bundle, "true"]
          : [command, ...args, id, "true"],
      );
      assert.equal(result.code, 1);
      assert.equal(
        oneLineError(result),
        `plash error: no CDI device ${KIND}=gpu; known: ${KIND}=null`,
      );
      assert.throws(() => Deno.statSync(bundle), Deno.errors.NotFound);
      assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)], []);
    }
    assert.deepEqual([...Deno.readDirSync(records)].map((entry) => entry.name), ["hook"]);
  },
);

Deno.test("a CDI hook past its timeout is killed and fails the run in one line", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const specDir = temp.make("plash-cdi-");
  const records = temp.make("plash-cdi-records-");
  Deno.chmodSync(records, 0o777);
  const hook = `${records}/hook`;
  // The hook's own pid sleeps (exec), so killing it leaves nothing running.
  Deno.writeTextFileSync(hook, `#!/bin/sh\necho $$ > ${records}/pid\nexec sleep 5\n`);
  Deno.chmodSync(hook, 0o755);
  const spec = {
    cdiVersion: "0.5.0",
    kind: KIND,
    devices: [{
      name: "slow",
      containerEdits: {
        env: ["SLOW=1"],
        hooks: [{ hookName: "createContainer", path: hook, args: ["hook"], timeout: 1 }],
      },
    }],
  };
  Deno.writeTextFileSync(`${specDir}/slow.json`, JSON.stringify(spec));
  const id = await store.busybox();
  const result = await store.plash([
    "run",
    "--cdi-spec-dir",
    specDir,
    "--device",
    `${KIND}=slow`,
    id,
    "sh",
    "-c",
    `touch ${records}/ran`,
  ]);
  assert.equal(result.code, 1, result.stderr);
  assert.equal(
    oneLineError(result),
    `plash error: createContainer hook ${hook} timed out: still running after its timeout of 1 s, killed`,
  );
  assert.throws(() => Deno.statSync(`${records}/ran`), Deno.errors.NotFound);
  const pid = Deno.readTextFileSync(`${records}/pid`).trim();
  assert.throws(() => Deno.statSync(`/proc/${pid}`), Deno.errors.NotFound, "the hook is gone");
});
