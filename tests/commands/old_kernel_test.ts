/**
 * Plash on an old kernel (before 5.2): a seccomp filter makes openat2, the new
 * mount API, mount_setattr, clone3 and close_range fail with ENOSYS, as such a
 * kernel does, and every command must still work as root.
 */

import assert from "node:assert/strict";
import { busyboxRootfs } from "../../scripts/busybox_rootfs.ts";
import { NEW_SYSCALLS, oldKernel } from "../support/old_kernel.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { runCommand } from "../support/command.ts";
import { TempDirs } from "../support/temp_dirs.ts";
import { mount, umount } from "../../ffi/sys.ts";

const ROOT = Deno.uid() === 0;
const DENO = Deno.execPath();

/** Runs `plash ARGS...` under the filter; fails the test unless it exits 0; its trimmed stdout. */
async function old(store: TestStore, args: string[]): Promise<string> {
  const result = await store.plash(args, { prefix: oldKernel() });
  assert.equal(result.code, 0, `plash ${args.join(" ")}: ${result.stderr}`);
  return result.stdout.trim();
}

/** Runs a Deno program under the filter; its exit status and trimmed output. */
async function denoUnderFilter(code: string, denied = NEW_SYSCALLS) {
  const result = await runCommand(oldKernel(denied)[0], [
    ...oldKernel(denied).slice(1),
    DENO,
    "eval",
    code,
  ]);
  return { ...result, stdout: new TextDecoder().decode(result.stdout).trim() };
}

/** Adds `count` layers, each on the one before, on image `base`; returns the top image. */
function deepImage(store: TestStore, base: number, count: number): number {
  const images = store.images;
  for (let i = 0; i < count; i++) {
    const dir = images.makeTmpDir();
    Deno.writeTextFileSync(`${dir}/layer${i}`, `${i}\n`);
    base = images.addLayer(base, dir);
  }
  return base;
}

const LIBC = new URL("../../ffi/libc.ts", import.meta.url).href;

Deno.test("the filter makes the denied calls fail with ENOSYS, and only those", async () => {
  // openat2(AT_FDCWD, NULL, NULL, 0): EINVAL (a size too small) where the kernel has it.
  const probe = `import { errno, sym } from "${LIBC}";
    const result = sym.syscall(437n, -100n, null, null, 0n);
    console.log(Number(result), errno());`;
  const filtered = await denoUnderFilter(probe);
  assert.equal(filtered.stdout, "-1 38", filtered.stderr);
  const unfiltered = await denoUnderFilter(probe, ["fsopen"]);
  assert.equal(unfiltered.stdout, "-1 22", unfiltered.stderr);
});

Deno.test("Deno starts programs under the filter (glibc and Deno fall back from clone3)", async () => {
  const result = await denoUnderFilter(
    `const out = await new Deno.Command("sh", { args: ["-c", "echo started"] }).output();
    console.log(new TextDecoder().decode(out.stdout).trim(), out.code);`,
  );
  assert.equal(result.stdout, "started 0", result.stderr);
});

Deno.test("old kernel, root: import-tar, then on 150 layers run, build, create, export-oci", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const archive = `${temp.make()}/rootfs.tar`;
  const tar = await runCommand("tar", ["-C", await busyboxRootfs(), "-cf", archive, "."]);
  assert.equal(tar.code, 0, tar.stderr);
  const imported = await old(store, ["import-tar", archive]);
  const base = String(deepImage(store, Number(imported), 149));
  assert.equal(await old(store, ["run", base, "sh", "-c", "echo hi > /x; cat /x"]), "hi");
  assert.equal((await store.plash(["run", base, "ls", "/x"])).code, 1, "a run changes nothing");
  const built = await old(store, ["build", "--from", base, "--run", "echo built > /built"]);
  assert.equal(await old(store, ["run", built, "cat", "/built"]), "built");
  const created = await old(store, ["create", built, "sh", "-c", "rm /built; echo c > /c"]);
  const check = "cat /c; test -e /built || echo deleted";
  assert.equal(await old(store, ["run", created, "sh", "-c", check]), "c\ndeleted");
  const layout = `${temp.make()}/layout`;
  await old(store, ["export-oci", created, layout]);
  const index = JSON.parse(Deno.readTextFileSync(`${layout}/index.json`));
  assert.equal(index.manifests.length, 1);
});

Deno.test("old kernel, root: an image of 150 layers runs", { ignore: !ROOT }, async () => {
  using store = new TestStore();
  const top = deepImage(store, Number(await store.busybox()), 149);
  assert.equal(store.images.chain(top).length, 151);
  // The root's layers as mount(2) got them: one descriptor number each.
  const layers = "awk '$5 == \"/\"' /proc/self/mountinfo | grep -o 'lowerdir=[0-9:]*' | tr : '\\n'";
  const script = `cat /layer0 /layer148; ${layers} | wc -l`;
  assert.equal(await old(store, ["run", String(top), "sh", "-c", script]), "0\n148\n151");
});

Deno.test("old kernel: more layers than overlay stacks fail in one line", {
  ignore: !ROOT,
}, async () => {
  using temp = new TempDirs();
  const dir = temp.make();
  const lowers = Array.from({ length: 501 }, (_, i) => `${dir}/${i}`);
  for (const lower of lowers) Deno.mkdirSync(lower);
  Deno.mkdirSync(`${dir}/target`);
  const overlay = new URL("../../ffi/overlay.ts", import.meta.url).href;
  const sys = new URL("../../ffi/sys.ts", import.meta.url).href;
  const result = await denoUnderFilter(`import { mountOverlay } from "${overlay}";
    import { enterPrivateMountNamespace } from "${sys}";
    enterPrivateMountNamespace();
    try {
      mountOverlay({ lowers: ${JSON.stringify(lowers)}, target: "${dir}/target", image: 7 });
    } catch (error) {
      console.log(error.message);
    }`);
  assert.equal(
    result.stdout,
    "image 7 has too many layers for this kernel's mount(2) (501, at most about 500): " +
      "overlay stacks at most 500, and Linux before 6.8 takes them in one page of options",
    result.stderr,
  );
});

Deno.test("old kernel, root: run -v ro makes the mounts below the volume read-only too", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const id = await store.busybox();
  const volume = temp.make();
  const sub = temp.make();
  Deno.mkdirSync(`${volume}/sub`);
  mount(sub, `${volume}/sub`, null, 4096n); // MS_BIND
  try {
    const script = "touch /v/x 2>/dev/null || echo top; touch /v/sub/y 2>/dev/null || echo sub";
    assert.equal(
      await old(store, ["run", "-v", `${volume}:/v:ro`, id, "sh", "-c", script]),
      "top\nsub",
    );
    assert.deepEqual([...Deno.readDirSync(sub)], []);
  } finally {
    umount(`${volume}/sub`);
  }
});

Deno.test("old kernel, root: mount and with-mount of 150 layers", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const id = String(deepImage(store, Number(await store.busybox()), 149));
  const target = temp.make();
  const changes = `${temp.make()}/changes`;
  await old(store, ["mount", id, target, changes]);
  try {
    Deno.writeTextFileSync(`${target}/new`, "x");
    assert.equal(Deno.readTextFileSync(`${target}/layer0`), "0\n");
  } finally {
    umount(target);
  }
  assert.equal(Deno.readTextFileSync(`${changes}/data/new`), "x");
  const output = await old(store, ["with-mount", id, "cat", "layer148"]);
  assert.equal(output, "148");
});

Deno.test(
  "old kernel, root: doctor lists each missing kernel feature and what plash does instead",
  {
    ignore: !ROOT,
  },
  async () => {
    using store = new TestStore();
    const checks = JSON.parse(await old(store, ["doctor", "--json"]));
    const missing = checks.filter((check: { ok: boolean; required: boolean }) =>
      !check.ok && !check.required
    ).map((check: { name: string; detail: string }) => `${check.name}: ${check.detail}`);
    for (
      const [name, instead] of [
        ["openat2", "one component at a time"],
        ["new mount API (fsopen)", "mount(2)"],
        ["mount_setattr", "remounting each mount"],
        ["clone3", "clone"],
        ["close_range", "without it"],
      ]
    ) {
      assert.ok(
        missing.some((line: string) =>
          line.startsWith(`${name}: missing`) && line.includes(instead)
        ),
        `${name} in ${missing.join("\n")}`,
      );
    }
    const here = JSON.parse(await store.ok(["doctor", "--json"]));
    assert.ok(
      here.some((check: { name: string; ok: boolean }) =>
        check.name === "kernel features" && check.ok
      ),
    );
  },
);

/**
 * The prefix that runs plash as root of a new user namespace (its uid 0 is
 * root's, so /dev/fuse opens there) on a kernel whose overlay refuses user
 * namespaces, as before Linux 5.11: the filter answers EPERM to such mounts.
 */
const BEFORE_5_11 = [
  ...oldKernel(["--no-overlay-in-userns", ...NEW_SYSCALLS]),
  "/usr/bin/unshare",
  "--user",
  "--map-root-user",
];

Deno.test("old kernel, in a user namespace: run and build by fuse-overlayfs", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const id = await store.busybox();
  const inNamespace = async (args: string[]) => {
    const result = await store.plash(args, { prefix: BEFORE_5_11 });
    assert.equal(result.code, 0, `plash ${args.join(" ")}: ${result.stderr}`);
    // fuse-overlayfs's own chatter stays out.
    assert.doesNotMatch(result.stderr, /fuse|argument/);
    return result.stdout.trim();
  };
  const root = "awk '$5 == \"/\" {print $8}' /proc/self/mountinfo";
  assert.equal(
    await inNamespace(["run", id, "sh", "-c", `${root}; echo x > /x; cat /x`]),
    "fuse.fuse-overlayfs\nx",
  );
  const built = await inNamespace(["build", "--from", id, "--run", "echo b > /b; rm /bin/vi"]);
  // Mounted by the kernel's overlay: the layer fuse-overlayfs made means the same there.
  const check = "cat /b; test -e /bin/vi || echo deleted";
  assert.equal(await store.ok(["run", built, "sh", "-c", check]), "b\ndeleted");
});

Deno.test("old kernel, in a user namespace, without fuse-overlayfs: one line says so", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const id = await store.busybox();
  const result = await store.plash(["run", id, "true"], {
    prefix: BEFORE_5_11,
    env: { PATH: "/sbin" }, // no fuse-overlayfs there (/usr/bin, /bin)
  });
  assert.match(
    oneLineError(result),
    /^plash error: overlay at .*: this kernel mounts no overlay in a user namespace \(Linux before 5\.11\) and fuse-overlayfs is not installed: apt-get install fuse-overlayfs, or run as root$/,
  );
});
