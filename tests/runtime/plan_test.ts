/**
 * A container's set-up as data (`core/runtime/plan.ts`), checked without
 * root: what is bound where and in which order, the command, the
 * environment; and the step that meets the image, placing a bind's target
 * inside a plain directory standing for the image root.
 */

import assert from "node:assert/strict";
import { openPath } from "../../ffi/in_root.ts";
import { closeFd } from "../../ffi/sys.ts";
import { type BindSpec, placeTarget } from "../../core/runtime/binds.ts";
import { containerSpec } from "../../core/runtime/container_spec.ts";
import {
  containerOps,
  type ContainerPlan,
  planContainer,
  type SetupOp,
} from "../../core/runtime/plan.ts";
import { Store } from "../../core/store/store.ts";
import { TempDirs } from "../support/temp_dirs.ts";

function freshStore(temp: TempDirs): Store {
  return Store.create(`${temp.make("plash-plan-")}/data`);
}

function imageOn(store: Store, parent: number, config = {}): number {
  const dir = store.makeTmpDir();
  return store.addLayer(parent, dir, config);
}

const HOST = { cwd: "/work/project", env: { TERM: "xterm", SECRET: "no", PATH: "/host/bin" } };

function ops<K extends SetupOp["op"]>(plan: ContainerPlan, op: K): Extract<SetupOp, { op: K }>[] {
  return plan.ops.filter((each): each is Extract<SetupOp, { op: K }> => each.op === op);
}

Deno.test("the overlay's layers are also given nested: each is the layer of the parent node of the one above", () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  let id = 0;
  for (let i = 0; i < 10; i++) id = imageOn(store, id);
  const [overlay] = ops(planContainer({ store, id, command: [] }, HOST), "overlay");
  const { lowers, nested } = overlay.overlay;
  assert.ok(nested !== undefined);
  assert.equal(lowers.length, 11);
  // What the kernel is handed: from the top node, climbing one node a layer.
  const walked = lowers.map((_, up) =>
    Deno.realPathSync(`${nested.top}/${"../".repeat(up)}${nested.layer}`)
  );
  assert.deepEqual(walked, lowers.map((lower) => Deno.realPathSync(lower)));
});

Deno.test("a run: namespace, tmpfs, overlay, the host's binds, chroot, cwd, exec, in that order", () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const base = imageOn(store, 0);
  const id = imageOn(store, base, { env: { A: "1" }, cmd: ["/bin/app"] });
  const plan = planContainer({ store, id, command: [] }, HOST);
  assert.deepEqual(plan.ops.map((op) => op.op), [
    "unshare-mounts",
    "tmpfs",
    "mkdirs",
    "overlay",
    ...Array(7).fill("bind"),
    "chroot",
    "chdir",
    "exec",
  ]);
  const [tmpfs] = ops(plan, "tmpfs");
  assert.equal(tmpfs.target, store.mountRoot);
  const [overlay] = ops(plan, "overlay");
  assert.deepEqual(overlay.overlay.lowers, [store.layer(id), store.layer(base), store.layer(0)]);
  assert.equal(overlay.overlay.target, `${store.mountRoot}/root`);
  assert.equal(overlay.overlay.userxattr, true);
  assert.deepEqual(
    ops(plan, "bind").map(({ bind }) => [bind.target, bind.owner, bind.readOnly ?? false]),
    [
      ["/proc", "host", false],
      ["/dev", "host", false],
      ["/sys", "host", false],
      ["/tmp", "host", false],
      ["/home", "host", false],
      ["/root", "host", false],
      ["/etc/resolv.conf", "image", false],
    ],
  );
  assert.deepEqual(ops(plan, "chdir")[0].candidates, ["/work/project", "/", "/"]);
  const [exec] = ops(plan, "exec");
  assert.deepEqual(exec.argv, ["/bin/app"]);
  assert.deepEqual(exec.env.sort(), [`A=1`, `PATH=${exec.path}`, "TERM=xterm"].sort());
  assert.equal(exec.where, `image ${id}`);
});

Deno.test("a build step: /home read-only, no /tmp or /root, its directory, the image view", () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const id = imageOn(store, 0);
  const plan = planContainer({ store, id, command: ["sh"], buildStep: true }, HOST);
  assert.deepEqual(
    ops(plan, "bind").map(({ bind }) => [bind.target, bind.readOnly ?? false]),
    [
      ["/proc", false],
      ["/dev", false],
      ["/sys", false],
      ["/home", true],
      ["/etc/resolv.conf", false],
      ["/work/project", true],
    ],
  );
  assert.equal(ops(plan, "bind").at(-1)!.bind.onlyWhereMissing, true);
  assert.deepEqual(ops(plan, "image-view").map((op) => op.target), ["/.plash-image"]);
  // Under /home, the directory is shown by /home itself.
  const inHome = planContainer({ store, id, command: [], buildStep: true }, {
    ...HOST,
    cwd: "/home/me/project",
  });
  assert.ok(!ops(inHome, "bind").some(({ bind }) => bind.target === "/home/me/project"));
});

Deno.test("a Dockerfile step with network none unshares the network first, with mounts or without", () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const id = imageOn(store, 0);
  const step = (network?: "host" | "none") =>
    containerSpec({ store, id, command: ["sh"], dockerfileStep: { env: [], network } }, HOST);
  const names = (plan: ContainerPlan) => plan.ops.map((op) => op.op).slice(0, 3);
  assert.deepEqual(names(containerOps(step("none"))), [
    "unshare-mounts",
    "unshare-network",
    "tmpfs",
  ]);
  assert.deepEqual(names(containerOps(step("none"), { root: "/copy" })), [
    "unshare-network",
    "chroot",
    "chdir",
  ]);
  // The host's /sys would list the host's interfaces: the namespace's own sysfs is there instead.
  const none = containerOps(step("none"));
  assert.deepEqual(ops(none, "sysfs").map((op) => op.target), ["/sys"]);
  assert.ok(!ops(none, "bind").some(({ bind }) => bind.target === "/sys"));
  assert.deepEqual(ops(containerOps(step()), "sysfs"), []);
  assert.deepEqual(ops(containerOps(step()), "unshare-network"), []);
  assert.deepEqual(ops(containerOps(step("host"), { root: "/copy" }), "unshare-network"), []);
});

Deno.test("--changes keeps the layer in DIR: no tmpfs; --mount sources must exist", () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const source = `${temp.make()}/source`; // removed below: the disposal removes its parent
  Deno.mkdirSync(source);
  const id = imageOn(store, 0, { mounts: [{ source, target: "/data" }] });
  const plan = planContainer({ store, id, command: ["true"], changesDir: "/changes" }, HOST);
  assert.deepEqual(ops(plan, "tmpfs"), []);
  assert.deepEqual(ops(plan, "mkdirs")[0].paths, [
    "/changes/data",
    "/changes/work",
    "/changes/root",
  ]);
  const mount = ops(plan, "bind").find(({ bind }) => bind.target === "/data")!.bind;
  assert.deepEqual(mount, {
    source,
    target: "/data",
    directory: true,
    owner: "image",
    required: true,
  });
  Deno.removeSync(source);
  assert.throws(
    () => planContainer({ store, id, command: [] }, HOST),
    new RegExp(`^PlashError: mount source is missing on the host: ${source}$`),
  );
});

/** Places `bind` in a plain directory made by `make`: what the executor does before it mounts. */
function place(temp: TempDirs, make: (root: string) => void, bind: BindSpec) {
  const root = temp.make("plash-root-");
  make(root);
  const rootFd = openPath(root, { directory: true });
  const created: string[] = [];
  try {
    const fd = placeTarget(rootFd, bind, created);
    if (fd !== undefined) closeFd(fd);
    return { placed: fd !== undefined, created, root };
  } finally {
    closeFd(rootFd);
  }
}

const HOST_BIND: BindSpec = { source: "/proc", target: "/proc", directory: true, owner: "host" };
const RESOLV: BindSpec = {
  source: "/etc/resolv.conf",
  target: "/etc/resolv.conf",
  directory: false,
  owner: "image",
};

Deno.test("a host bind's target: made when missing, refused through a symlink", () => {
  using temp = new TempDirs();
  const missing = place(temp, () => {}, HOST_BIND);
  assert.equal(missing.placed, true);
  assert.deepEqual(missing.created, ["/proc"]);
  assert.ok(Deno.statSync(`${missing.root}/proc`).isDirectory);
  const outside = temp.make();
  const linked = place(temp, (root) => Deno.symlinkSync(outside, `${root}/proc`), HOST_BIND);
  assert.equal(linked.placed, false);
  assert.deepEqual(linked.created, []);
  assert.deepEqual([...Deno.readDirSync(outside)], [], "nothing made through the link");
});

Deno.test("an image bind's target: followed inside the root, made there when dangling", () => {
  using temp = new TempDirs();
  const victim = temp.make();
  const climbing = place(temp, (root) => {
    Deno.mkdirSync(`${root}/etc`);
    Deno.symlinkSync(`../../../../../..${victim}/resolv.conf`, `${root}/etc/resolv.conf`);
  }, RESOLV);
  assert.equal(climbing.placed, true);
  assert.deepEqual(climbing.created, [...pathsOf(victim), `${victim}/resolv.conf`]);
  assert.ok(Deno.statSync(`${climbing.root}${victim}/resolv.conf`).isFile, "made in the root");
  assert.deepEqual([...Deno.readDirSync(victim)], [], "not on the host");
});

/** The directories `/a`, `/a/b` ... of absolute path `path`. */
function pathsOf(path: string): string[] {
  const parts = path.split("/").filter(Boolean);
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join("/")}`);
}

Deno.test("run options: -v binds last, -w made and entered, -u before exec, -e over the image's", () => {
  using temp = new TempDirs();
  const store = freshStore(temp);
  const source = `${temp.make()}/source`; // removed below: the disposal removes its parent
  Deno.mkdirSync(source);
  const id = imageOn(store, 0, { env: { A: "image", HOME: "/image-home" }, user: "app" });
  const options = {
    env: ["A=option", "TERM", "NOT_ON_HOST"],
    volumes: [{ source, target: "/data", readOnly: true }],
    workdir: "/work",
  };
  const plan = planContainer({ store, id, command: ["true"], options, imageUser: true }, HOST);
  const names = plan.ops.map((op) => op.op);
  assert.deepEqual(names.slice(-6), ["bind", "make-dir", "chroot", "chdir", "user", "exec"]);
  assert.deepEqual(ops(plan, "bind").at(-1)!.bind, {
    source,
    target: "/data",
    directory: true,
    owner: "caller",
    required: true,
    readOnly: true,
  });
  assert.deepEqual(ops(plan, "make-dir")[0].target, "/work");
  assert.deepEqual(ops(plan, "chdir")[0], { op: "chdir", candidates: ["/work"], required: true });
  assert.deepEqual(ops(plan, "user")[0], {
    op: "user",
    user: "app",
    keepHome: true, // the image sets HOME
    where: `image ${id}`,
  });
  const env = ops(plan, "exec")[0].env;
  assert.ok(env.includes("A=option") && env.includes("TERM=xterm"));
  assert.ok(!env.some((entry) => entry.startsWith("NOT_ON_HOST")));
  // -u beats the image's User; create and build steps run as root.
  const asRoot = planContainer(
    { store, id, command: [], options: { user: "0" }, imageUser: true },
    HOST,
  );
  assert.equal(ops(asRoot, "user")[0].user, "0");
  assert.deepEqual(ops(planContainer({ store, id, command: [] }, HOST), "user"), []);
  Deno.removeSync(source);
  assert.throws(
    () => planContainer({ store, id, command: [], options }, HOST),
    new RegExp(`^PlashError: -v source ${source} is missing on the host$`),
  );
});

const CALLER: BindSpec = { source: "/srv", target: "/data/x", directory: true, owner: "caller" };

Deno.test("a caller's bind target: the image's links followed inside it, never out", () => {
  using temp = new TempDirs();
  const inside = place(temp, (root) => {
    Deno.mkdirSync(`${root}/real`);
    Deno.symlinkSync("/real", `${root}/data`);
  }, CALLER);
  assert.equal(inside.placed, true);
  assert.deepEqual(inside.created, ["/real/x"]);
  const outside = temp.make();
  for (const link of [`../../../../../..${outside}`, "../..", "/.."]) {
    assert.throws(
      () =>
        place(temp, (root) => Deno.symlinkSync(link, `${root}/data`), {
          ...CALLER,
          required: true,
        }),
      /^PlashError: mount target \/data\/x: a symlink in the image on the way leads out of it$/,
      link,
    );
  }
  assert.deepEqual([...Deno.readDirSync(outside)], []);
});
