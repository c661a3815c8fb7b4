/**
 * The container spec (`core/runtime/container_spec.ts`) and the operations
 * each back end makes of it (`core/runtime/plan.ts`), as plain data: the
 * host view of each kind of container, device edits laid over a spec, where
 * devices and hooks fall among the operations, and the mount-less variant.
 * The same edits run in real containers in container_edits_test.ts.
 */

import assert from "node:assert/strict";
import type { ContainerEdits } from "../../core/runtime/container_edits.ts";
import { applyEdits, containerSpec } from "../../core/runtime/container_spec.ts";
import { containerOps, type SetupOp } from "../../core/runtime/plan.ts";
import { Store } from "../../core/store/store.ts";
import { TempDirs } from "../support/temp_dirs.ts";

const HOST = { cwd: "/work/project", env: { TERM: "xterm", SECRET: "no", HOME: "/root" } };

function image(temp: TempDirs, config = {}): { store: Store; id: number } {
  const store = Store.create(`${temp.make("plash-spec-")}/data`);
  const id = store.addLayer(0, store.makeTmpDir(), config);
  return { store, id };
}

const EDITS: ContainerEdits = {
  env: ["GPU=1", "A=edit"],
  deviceNodes: [{ path: "/dev/gpu0", hostPath: "/dev/null", permissions: "rw" }],
  mounts: [{ hostPath: "/etc/hostname", containerPath: "/etc/gpu.conf", options: ["ro"] }],
  hooks: [
    { hookName: "createContainer", path: "/usr/bin/gpu-hook", args: ["gpu-hook", "create"] },
    { hookName: "startContainer", path: "/bin/ldconfig" },
  ],
  additionalGids: [44],
};

Deno.test("a run's spec: the process, the root's layers, the host's mounts in order", () => {
  using temp = new TempDirs();
  const { store, id } = image(temp, { env: { A: "1" }, cmd: ["/bin/app"], workdir: "/srv" });
  const spec = containerSpec({ store, id, command: [] }, HOST);
  assert.deepEqual(spec.process, {
    args: ["/bin/app"],
    env: spec.process.env,
    path: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    // The image's own command starts in its WorkingDir, as docker's run.
    cwd: ["/srv", "/"],
    cwdRequired: false,
    user: undefined,
    keepHome: false,
    additionalGids: [],
  });
  // A command of the caller's starts in the caller's directory where the image has it.
  assert.deepEqual(
    containerSpec({ store, id, command: ["ls"] }, HOST).process.cwd,
    ["/work/project", "/srv", "/"],
  );
  assert.deepEqual(spec.process.env.sort(), [
    "A=1",
    "HOME=/root",
    `PATH=${spec.process.path}`,
    "TERM=xterm",
  ]);
  assert.deepEqual(spec.root.layers, [store.layer(id), store.layer(0)]);
  assert.deepEqual([spec.root.changes, spec.root.discard], [store.mountRoot, true]);
  assert.deepEqual(spec.mounts.map((bind) => bind.target), [
    "/proc",
    "/dev",
    "/sys",
    "/tmp",
    "/home",
    "/root",
    "/etc/resolv.conf",
  ]);
  assert.deepEqual([spec.devices, spec.hooks, spec.imageView], [[], [], undefined]);
});

Deno.test("the host views: a run, a plash build step, a Dockerfile step", () => {
  using temp = new TempDirs();
  const { store, id } = image(temp, { env: { A: "1" } });
  const view = (hostView: "run" | "build-step" | "dockerfile-step") => {
    const spec = containerSpec({ store, id, command: ["sh"], hostView }, HOST);
    return {
      mounts: spec.mounts.map((bind) => `${bind.target}${bind.readOnly ? ":ro" : ""}`),
      env: spec.process.env.map((entry) => entry.split("=")[0]).sort(),
      cwd: spec.process.cwd,
      imageView: spec.imageView,
    };
  };
  assert.deepEqual(view("build-step"), {
    mounts: ["/proc", "/dev", "/sys", "/home:ro", "/etc/resolv.conf", "/work/project:ro"],
    env: ["A", "HOME", "PATH", "TERM"],
    cwd: ["/work/project", "/", "/"],
    imageView: "/.plash-image",
  });
  assert.deepEqual(view("dockerfile-step"), {
    mounts: ["/proc", "/dev", "/sys", "/etc/resolv.conf"],
    env: ["A", "PATH"],
    cwd: ["/", "/"],
    imageView: undefined,
  });
  // buildStep: true is the build step's view.
  const legacy = containerSpec({ store, id, command: ["sh"], buildStep: true }, HOST);
  assert.deepEqual(
    legacy,
    containerSpec({ store, id, command: ["sh"], hostView: "build-step" }, HOST),
  );
});

Deno.test("edits: env laid over, devices, mounts as binds after the rest, hooks, groups", () => {
  using temp = new TempDirs();
  const { store, id } = image(temp, { env: { A: "image" } });
  const plain = containerSpec({ store, id, command: ["sh"] }, HOST);
  const spec = applyEdits(plain, EDITS);
  assert.deepEqual(
    containerSpec({ store, id, command: ["sh"], edits: EDITS }, HOST),
    spec,
    "RunSpec.edits is the same",
  );
  assert.ok(spec.process.env.includes("A=edit") && spec.process.env.includes("GPU=1"));
  assert.ok(!spec.process.env.includes("A=image"));
  assert.deepEqual(spec.process.additionalGids, [44]);
  assert.deepEqual(spec.devices, EDITS.deviceNodes);
  assert.deepEqual(spec.hooks, EDITS.hooks);
  // A device in /dev: /dev is the container's own, not the host's bound.
  assert.equal(spec.ownDev, true);
  assert.deepEqual(
    spec.mounts.slice(0, -1),
    plain.mounts.filter((bind) => bind.target !== "/dev"),
  );
  assert.deepEqual(spec.mounts.at(-1), {
    source: "/etc/hostname",
    target: "/etc/gpu.conf",
    directory: false,
    owner: "caller",
    required: true,
    readOnly: true,
  });
  assert.throws(
    () => applyEdits(plain, { ...EDITS, mounts: [{ ...EDITS.mounts[0], type: "tmpfs" }] }),
    /^PlashError: device mount \/etc\/gpu.conf: type tmpfs: only binds are supported$/,
  );
  assert.throws(
    () =>
      applyEdits(plain, {
        ...EDITS,
        mounts: [{ hostPath: "/no/such/file", containerPath: "/x" }],
      }),
    /^PlashError: device mount source \/no\/such\/file: /,
  );
});

function names(ops: SetupOp[]): string[] {
  return ops.map((op) => op.op === "hook" ? `hook:${op.hook.hookName}:${op.status}` : op.op);
}

Deno.test("operations with mounts: devices after the binds, createContainer before the chroot, startContainer before the exec", () => {
  using temp = new TempDirs();
  const { store, id } = image(temp);
  const spec = containerSpec({ store, id, command: ["sh"], edits: EDITS }, HOST);
  const { ops } = containerOps(spec);
  assert.deepEqual(names(ops), [
    "unshare-mounts",
    "tmpfs",
    "mkdirs",
    "overlay",
    "own-dev",
    ...Array(7).fill("bind"),
    "device",
    "hook:createContainer:creating",
    "chroot",
    "chdir",
    "groups",
    "hook:startContainer:created",
    "exec",
  ]);
  const hook = ops.find((op) => op.op === "hook")!;
  assert.deepEqual(hook, {
    op: "hook",
    hook: EDITS.hooks[0],
    status: "creating",
    bundle: store.mountRoot,
  });
  assert.deepEqual(ops.find((op) => op.op === "groups"), {
    op: "groups",
    gids: [44],
    where: `image ${id}`,
  });
});

Deno.test("operations without mounts: chroot into the prepared root, mknod, the command's steps", () => {
  using temp = new TempDirs();
  const { store, id } = image(temp);
  const spec = containerSpec({ store, id, command: ["sh"], edits: EDITS }, HOST);
  const { ops } = containerOps(spec, { root: "/prepared/root" });
  assert.deepEqual(names(ops), [
    "chroot",
    "mknod",
    "chdir",
    "groups",
    "hook:startContainer:created",
    "exec",
  ]);
  assert.deepEqual(ops[0], { op: "chroot", root: "/prepared/root" });
  assert.deepEqual(ops[1], { op: "mknod", node: EDITS.deviceNodes[0] });
  const exec = ops.at(-1)!;
  assert.ok(exec.op === "exec" && exec.env.includes("GPU=1"));
});

Deno.test("hooks plash's own executor cannot run are refused in one line", () => {
  using temp = new TempDirs();
  const { store, id } = image(temp);
  const edits = { ...EDITS, hooks: [{ hookName: "poststop" as const, path: "/bin/cleanup" }] };
  const spec = containerSpec({ store, id, command: ["sh"], edits }, HOST);
  assert.throws(
    () => containerOps(spec),
    /^PlashError: hook \/bin\/cleanup: poststop hooks run only under an OCI runtime \(plash runc, plash bundle\)$/,
  );
});
