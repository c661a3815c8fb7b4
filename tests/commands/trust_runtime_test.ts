/**
 * What an image holds never acts on the host: bind targets resolved inside
 * the image root, builds that write into their image only, mounts others can
 * reach that carry nosuid and nodev, add-layer that takes a directory and not
 * its owner's access.
 */

import assert from "node:assert/strict";
import { umount } from "../../ffi/sys.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { TempDirs } from "../support/temp_dirs.ts";

const ROOT = Deno.uid() === 0;

/** A new image on `base` whose layer holds `make`'s files (made in a fresh directory). */
async function imageWith(store: TestStore, base: string, make: (dir: string) => void) {
  using dirs = new TempDirs();
  const dir = `${dirs.make("plash-hostile-")}/layer`;
  Deno.mkdirSync(dir);
  make(dir);
  return await store.ok(["add-layer", base, dir]); // moved into the store
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The plash warning lines of `stderr`. */
function warnings(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.startsWith("plash warning: "));
}

Deno.test("a resolv.conf symlink through /proc/self/cwd makes nothing on the host", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const base = await store.busybox();
  const id = await imageWith(store, base, (dir) => {
    Deno.mkdirSync(`${dir}/etc`);
    Deno.symlinkSync("/proc/self/cwd/PWNED", `${dir}/etc/resolv.conf`);
  });
  // plash's own working directory is outside the image: the link would lead there.
  const cwd = temp.make("plash-cwd-");
  for (const args of [["run", id, "true"], ["create", id, "true"]]) {
    const result = await store.plash(args, { cwd });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(warnings(result.stderr), [
      "plash warning: /etc/resolv.conf is not shared: the image has a symlink on the way to " +
      "/etc/resolv.conf",
    ]);
    assert.ok(!exists(`${cwd}/PWNED`), `${args[0]} made a file on the host`);
  }
  const built = await store.plash(["build", "-f", id, "--run", "true"], { cwd });
  assert.equal(built.code, 0, built.stderr);
  assert.ok(!exists(`${cwd}/PWNED`), "a build made a file on the host");
});

Deno.test("a dangling resolv.conf climbing out with .. is made inside the image only", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const base = await store.busybox();
  // In the host's /tmp itself (not $TMPDIR): the links below name /tmp/NAME.
  const hostDir = temp.make("plash-victim-", "/tmp");
  const name = hostDir.slice("/tmp/".length);
  const id = await imageWith(store, base, (dir) => {
    Deno.mkdirSync(`${dir}/etc`);
    Deno.mkdirSync(`${dir}/srv`);
    // Read lexically, ../../../.. is above the root and this is the host's /tmp/NAME/x.
    Deno.symlinkSync(`../../../../srv/${name}/x`, `${dir}/etc/resolv.conf`);
    Deno.symlinkSync(`../../../../tmp/${name}/y`, `${dir}/srv/through-tmp`);
  });
  const run = await store.plash([
    "run",
    id,
    "sh",
    "-c",
    "cat /etc/resolv.conf >/dev/null; ls /srv",
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(warnings(run.stderr), []);
  assert.equal(run.stdout, `${name}\nthrough-tmp\n`, "the file was made in the image's /srv");
  // Where the link leads into a directory the host shares, nothing is made at all.
  const through = await imageWith(store, base, (dir) => {
    Deno.mkdirSync(`${dir}/etc`);
    Deno.symlinkSync(`../../../../tmp/${name}/z`, `${dir}/etc/resolv.conf`);
  });
  const shared = await store.plash(["run", through, "true"]);
  assert.equal(shared.code, 0, shared.stderr);
  assert.deepEqual(warnings(shared.stderr), [
    `plash warning: /etc/resolv.conf is not shared: /tmp/${name}/z would have to be made ` +
    "outside the image",
  ]);
  assert.deepEqual([...Deno.readDirSync(hostDir)], [], "nothing was made in the host's /tmp");
});

Deno.test("an image whose /proc is a symlink or /home a file runs, with a warning each", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const base = await store.busybox();
  const victim = temp.make("plash-victim-");
  const id = await imageWith(store, base, (dir) => {
    Deno.symlinkSync(victim, `${dir}/proc`);
    Deno.writeTextFileSync(`${dir}/home`, "a file\n");
  });
  const result = await store.plash(["run", id, "cat", "/home"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "a file\n");
  assert.deepEqual(warnings(result.stderr).sort(), [
    "plash warning: /home is not shared: /home in the image is not a directory",
    "plash warning: /proc is not shared: the image has a symlink on the way to /proc",
  ]);
  assert.deepEqual([...Deno.readDirSync(victim)], [], "nothing was bound or made through the link");
});

Deno.test("a bind the host refuses in a way plash did not foresee is skipped with a warning", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  // A name longer than a filesystem allows: the lookup fails with ENAMETOOLONG.
  const id = await imageWith(store, base, (dir) => {
    Deno.mkdirSync(`${dir}/etc`);
    Deno.symlinkSync(`/${"x".repeat(300)}`, `${dir}/etc/resolv.conf`);
  });
  const result = await store.plash(["run", id, "true"]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(warnings(result.stderr), [
    "plash warning: /etc/resolv.conf is not shared: openat2 /etc/resolv.conf: File name too long",
  ]);
});

Deno.test("a --mount target through a symlink out of the image fails in one line", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const base = await store.busybox();
  const hostDir = temp.make("plash-victim-");
  const source = temp.make("plash-source-");
  const id = await imageWith(store, base, (dir) => {
    Deno.symlinkSync(`../../../..${hostDir}`, `${dir}/data`);
  });
  const built = await store.ok(["build", "-f", id, "--mount", `${source}:/data/x`]);
  const result = await store.plash(["run", built, "true"]);
  assert.notEqual(result.code, 0);
  assert.match(oneLineError(result), /^plash error: mount target \/data\/x: /);
  assert.deepEqual([...Deno.readDirSync(hostDir)], [], "no mount point was made on the host");
});

Deno.test("a build step writes into its image only: /root and /tmp are its own, /home read-only", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const base = await store.busybox();
  const home = Deno.env.get("HOME")!;
  const tag = `plash-test-${crypto.randomUUID()}`;
  // A directory of the host's /home (which root may write, a user only in their own).
  const hostHome = temp.make("plash-home-", ROOT ? "/home" : home);
  Deno.writeTextFileSync(`${hostHome}/input`, "from the host\n");
  const id = await store.ok([
    "build",
    "-f",
    base,
    "--run",
    "mkdir -p /root", // the busybox fixture has none
    "--write-file",
    `/root/${tag}`,
    "written",
    "--write-file",
    `/home/${tag}`,
    "into the image's /home",
    "--run",
    `echo ran > /root/${tag}.run; echo tmp > /tmp/${tag}; cat ${hostHome}/input > /copied`,
    `! touch ${hostHome}/${tag}.touched 2>/dev/null`,
  ]);
  for (const host of [`/root/${tag}`, `/root/${tag}.run`, `/tmp/${tag}`, `/home/${tag}`]) {
    assert.ok(!exists(host), `the build wrote ${host} on the host`);
  }
  assert.deepEqual([...Deno.readDirSync(hostHome)].map((entry) => entry.name), ["input"]);
  // `plash run` shares the host's /home and /root again: read the image's own in its layers.
  const layer = `${await store.ok(["nodepath", id])}/_data/root`;
  const nodes = [
    layer,
    `${await store.ok(["nodepath", await store.ok(["parent", id])])}/_data/root`,
  ];
  const find = (path: string) => nodes.map((root) => `${root}${path}`).find(exists);
  assert.equal(Deno.readTextFileSync(find(`/root/${tag}`)!), "written\n");
  assert.equal(Deno.readTextFileSync(find(`/root/${tag}.run`)!), "ran\n");
  assert.equal(Deno.readTextFileSync(find(`/home/${tag}`)!), "into the image's /home\n");
  assert.equal(Deno.readTextFileSync(find("/copied")!), "from the host\n");
  assert.ok(find("/.plash-image") === undefined, "the image view is not part of the image");
});

Deno.test(
  "plash mount and with-mount as root are nosuid and nodev",
  { ignore: !ROOT },
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    const id = await store.busybox();
    const target = temp.make("plash-mountpoint-");
    await store.ok(["mount", id, target]);
    try {
      const line = Deno.readTextFileSync("/proc/self/mountinfo").split("\n")
        .find((each) => each.split(" ")[4] === target)!;
      assert.match(line.split(" ")[5], /(^|,)nosuid(,|$)/);
      assert.match(line.split(" ")[5], /(^|,)nodev(,|$)/);
    } finally {
      umount(target);
    }
    const inside = await store.ok([
      "with-mount",
      id,
      "sh",
      "-c",
      'grep " $(pwd -P) " /proc/self/mountinfo',
    ]);
    assert.match(inside.split(" ")[5], /nosuid.*nodev|nodev.*nosuid/);
  },
);

Deno.test(
  "add-layer copies a directory that is not wholly the caller's",
  { ignore: !ROOT },
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    await store.ok(["init"]); // the store, so that the directories below share its filesystem
    const parent = temp.make("plash-add-", `${store.data}/..`);
    const theirs = `${parent}/theirs`;
    Deno.mkdirSync(theirs);
    Deno.writeTextFileSync(`${theirs}/file`, "theirs\n");
    Deno.chownSync(theirs, 1001, 1001);
    Deno.chownSync(`${theirs}/file`, 1001, 1001);
    const mixed = `${parent}/mixed`;
    Deno.mkdirSync(`${mixed}/sub`, { recursive: true });
    Deno.writeTextFileSync(`${mixed}/sub/file`, "theirs\n");
    Deno.chownSync(`${mixed}/sub/file`, 1001, 1001);
    const mine = `${parent}/mine`;
    Deno.mkdirSync(mine);
    Deno.writeTextFileSync(`${mine}/file`, "mine\n");
    for (const [dir, file] of [[theirs, "file"], [mixed, "sub/file"]]) {
      const inode = Deno.statSync(`${dir}/${file}`).ino;
      const id = await store.ok(["add-layer", "0", dir]);
      const layer = `${await store.ok(["nodepath", id])}/_data/root`;
      assert.ok(exists(dir), `${dir} was moved, not copied`);
      assert.notEqual(Deno.statSync(`${layer}/${file}`).ino, inode, "a new file, not theirs");
      assert.equal(Deno.statSync(`${layer}/${file}`).uid, 1001, "owners are kept");
    }
    await store.ok(["add-layer", "0", mine]);
    assert.ok(!exists(mine), "a directory wholly the caller's is moved");
  },
);
