/**
 * Container edits (a device's: device nodes, mounts, env, groups, hooks)
 * honoured by every back end, checked from inside real containers: `run`
 * (in plash's process as root, in the clone child rootless), `runc` and a
 * bundle that runc runs, as root and in the rootless suite. The edits are
 * written by hand, as the CDI reader will hand them over.
 */

import assert from "node:assert/strict";
import { mknod, S_IFCHR } from "../../ffi/device_nodes.ts";
import type { ContainerEdits } from "../../core/runtime/container_edits.ts";
import { findOciRuntimes } from "../../core/runtime/oci_runtime.ts";
import { runCommand } from "../support/command.ts";
import { runBundle } from "../support/run_bundle.ts";
import { type Result, TestStore } from "../support/plash.ts";
import { TempDirs } from "../support/temp_dirs.ts";

const ROOT = Deno.uid() === 0;
const RUNC = findOciRuntimes({ ...Deno.env.toObject(), PLASH_OCI_RUNTIME: "runc" })[0];
const DRIVER = new URL("../support/run_with_edits.ts", import.meta.url).pathname;

/** The edits of a made-up device, with its files in `dir` (bound at /opt/hooks). */
function deviceEdits(dir: string): ContainerEdits {
  Deno.writeTextFileSync(`${dir}/data.txt`, "from the host\n");
  // Records its arguments and its stdin (the OCI state) in the file named by its first argument.
  Deno.writeTextFileSync(
    `${dir}/hook.sh`,
    '#!/bin/sh\n{ echo "args:$*"; cat; echo; } > "$OUT_DIR/$1"\n',
  );
  Deno.chmodSync(`${dir}/hook.sh`, 0o755);
  let hostNode = "/dev/null";
  if (ROOT) {
    // A node of the test's own, as a vendor's would be: the null device's numbers.
    hostNode = `${dir}/null-node`;
    mknod(hostNode, S_IFCHR | 0o666, 1, 3);
    Deno.chmodSync(hostNode, 0o666); // not the umask's
  }
  return {
    env: ["DEVICE_VAR=on", "PATH=/bin:/usr/bin:/sbin"],
    deviceNodes: [{ path: "/opt/devs/null0", hostPath: hostNode, major: 1, minor: 3 }],
    mounts: [
      { hostPath: `${dir}/data.txt`, containerPath: "/opt/edit/data.txt", options: ["ro", "bind"] },
      { hostPath: dir, containerPath: "/opt/hooks", options: ["rbind"] },
    ],
    hooks: [
      {
        hookName: "createContainer",
        path: `${dir}/hook.sh`,
        args: ["hook.sh", "create", "second"],
        env: [`OUT_DIR=${dir}`],
      },
      {
        hookName: "startContainer",
        path: "/opt/hooks/hook.sh",
        args: ["hook.sh", "start"],
        env: ["OUT_DIR=/opt/hooks"],
      },
    ],
    additionalGids: ROOT ? [50] : [],
  };
}

/** What the container reports of its edits. */
const CHECK = [
  "stat -c '%F %t:%T' /opt/devs/null0",
  "echo written > /opt/devs/null0 && echo device-writable",
  "cat /opt/edit/data.txt",
  "(echo x >> /opt/edit/data.txt) 2>/dev/null || echo read-only",
  'echo "var=$DEVICE_VAR path=$PATH"',
  "id -G",
].join("; ");

function driver(store: TestStore, args: string[], edits: ContainerEdits): Promise<Result> {
  const deno = Deno.execPath();
  const argv = [deno, "run", "-A", DRIVER, ...args];
  const env = { PLASH_TEST_EDITS: JSON.stringify(edits) };
  // Without root, runc and bundle need plash's user namespace, as their commands enter it.
  const sudo = !ROOT && args[0] !== "run";
  return sudo ? store.plash(["sudo", ...argv], { env }) : store.spawn(argv, { env });
}

function assertEdited(output: string, dir: string): void {
  const lines = output.trim().split("\n");
  assert.equal(lines[0], "character special file 1:3");
  assert.deepEqual(lines.slice(1, 5), [
    "device-writable",
    "from the host",
    "read-only",
    "var=on path=/bin:/usr/bin:/sbin",
  ]);
  if (ROOT) assert.ok(lines[5].split(" ").includes("50"), `groups: ${lines[5]}`);
  const create = Deno.readTextFileSync(`${dir}/create`).split("\n");
  assert.equal(create[0], "args:create second");
  const createState = JSON.parse(create[1]);
  assert.equal(createState.status, "creating");
  assert.match(createState.ociVersion, /^1\.0\.2/); // runc says its own: 1.0.2-dev
  assert.ok(createState.pid > 0 && typeof createState.id === "string" && createState.bundle);
  const start = Deno.readTextFileSync(`${dir}/start`).split("\n");
  assert.equal(start[0], "args:start");
  const startState = JSON.parse(start[1]);
  assert.equal(startState.status, "created");
  assert.equal(startState.pid, createState.pid);
}

function hookDir(temp: TempDirs): string {
  const dir = temp.make("plash-edits-");
  Deno.chmodSync(dir, 0o777); // the container's users write the hooks' records
  return dir;
}

for (
  const [mode, name] of [
    ["run", "plash run honours a device's edits: node, mounts, env, groups, both hooks"],
    ["runc", "plash runc hands a device's edits to runc, which honours them"],
  ]
) {
  Deno.test(name, { ignore: mode === "runc" && !RUNC }, async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    const id = await store.busybox();
    const dir = hookDir(temp);
    const result = await driver(store, [mode, id, "sh", "-c", CHECK], deviceEdits(dir));
    assert.equal(result.code, 0, result.stderr);
    assertEdited(result.stdout, dir);
  });
}

Deno.test("a bundle carries a device's edits in config.json, and runc honours them", {
  ignore: !RUNC,
}, async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const id = await store.busybox();
  const dir = hookDir(temp);
  const bundle = `${temp.make()}/bundle`;
  const args = ["bundle", ...(ROOT ? [] : ["--copy"]), id, bundle, "sh", "-c", CHECK];
  const made = await driver(store, args, deviceEdits(dir));
  assert.equal(made.code, 0, made.stderr);
  try {
    const config = JSON.parse(Deno.readTextFileSync(`${bundle}/config.json`));
    // In a user namespace a runtime binds a device from its own path: this one is plash's bind.
    assert.deepEqual(
      config.linux?.devices,
      ROOT
        ? [{
          path: "/opt/devs/null0",
          type: "c",
          major: 1,
          minor: 3,
          fileMode: 0o666,
        }]
        : undefined,
    );
    assert.deepEqual(Object.keys(config.hooks), ["createContainer", "startContainer"]);
    assert.deepEqual(config.hooks.createContainer[0].args, ["hook.sh", "create", "second"]);
    const run = await runBundle(RUNC!.path, bundle);
    assert.equal(run.code, 0, run.stderr);
    assertEdited(new TextDecoder().decode(run.stdout), dir);
  } finally {
    if (ROOT) await runCommand("umount", [`${bundle}/rootfs`]);
    // A rootless copy holds files of the subordinate ids: plash's namespace removes them.
    else await store.ok(["sudo", "rm", "-rf", bundle, `${bundle}.state`]);
  }
});

Deno.test("without mounts: device nodes made with mknod, env, groups, the startContainer hook", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const id = await store.busybox();
  const root = `${temp.make()}/root`;
  await runCommand("cp", ["-a", store.images.layer(Number(id)), root]);
  const dir = `${root}/opt/hooks`;
  Deno.mkdirSync(dir, { recursive: true });
  const edits = deviceEdits(dir);
  // Nothing is mounted: only what needs no mount is there (no mounts, no createContainer hook).
  const mountless = { ...edits, mounts: [], hooks: edits.hooks.slice(1) };
  const script = "stat -c '%F %t:%T %a' /opt/devs/null0; echo $DEVICE_VAR; id -G";
  const result = await driver(store, ["mountless", id, root, "sh", "-c", script], mountless);
  assert.equal(result.code, 0, result.stderr);
  const [node, variable, groups] = result.stdout.trim().split("\n");
  assert.deepEqual([node, variable], ["character special file 1:3 666", "on"]);
  assert.ok(groups.split(" ").includes("50"), groups);
  const start = Deno.readTextFileSync(`${dir}/start`).split("\n");
  assert.equal(start[0], "args:start");
  assert.equal(JSON.parse(start[1]).status, "created");
});
