/**
 * The pool of warm copies of the mount-less mode, as root with CAP_SYS_ADMIN
 * dropped (docker's default capabilities): a run's copy is reverted and
 * pooled, the next run of the image takes it (the same root inode) and sees
 * exactly the image; a copy a process stayed in is not pooled, one changed
 * in the pool is discarded; two runs at once get two copies; `clean`, `rm`
 * and `purge` empty the pool.
 */

import assert from "node:assert/strict";
import { inodeTimes } from "../../ffi/stat.ts";
import { setXattr } from "../../ffi/file_attributes.ts";
import { hasEntry } from "../../core/tree/merged_tree.ts";
import { selfCommand } from "../../core/self_command.ts";
import { manifest } from "../support/tar_fixtures.ts";
import { type Result, TestStore } from "../support/plash.ts";

const ROOT = Deno.uid() === 0;
const WITHOUT_SYS_ADMIN = ["setpriv", "--inh-caps=-sys_admin", "--bounding-set=-sys_admin"];

function withoutSysAdmin(store: TestStore, args: string[]): Promise<Result> {
  return store.plash(args, { prefix: WITHOUT_SYS_ADMIN });
}

/** Runs `command` in image `id` without mounts; returns its stdout, failing unless it exits 0. */
async function run(store: TestStore, id: string, command: string): Promise<string> {
  const result = await withoutSysAdmin(store, ["run", id, "sh", "-c", command]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

/** The names of the pooled copies in the store's tmp/. */
function pool(store: TestStore): string[] {
  return [...Deno.readDirSync(`${store.data}/tmp`)].map((entry) => entry.name)
    .filter((name) => name.startsWith("plashwarm_")).sort();
}

/**
 * The birth time of the root of each pooled copy of image `id`, which tells
 * a copy used again from a new one (ext4 gives a removed copy's inode number
 * to the next at once).
 */
function births(store: TestStore, id: string): bigint[] {
  return pool(store).filter((name) => name.startsWith(`plashwarm_${id}_`))
    .map((name) => inodeTimes(`${store.data}/tmp/${name}/root`).born);
}

/** The inode of the container's root: the copy's, which tells copies in use at once apart. */
const ROOT_INODE = "ls -id / | cut -d' ' -f1";

Deno.test("a warm copy is reverted to its image and reused by the next run", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const base = await store.busybox();
  // An image with what the command changes: a file linked twice, a directory, an xattr.
  const id = await store.ok([
    "create",
    base,
    "sh",
    "-c",
    "mkdir -p /d/sub /e; echo one > /d/sub/f; echo linked > /l1; ln /l1 /l2; " +
    "echo data > /w; echo tail > /a; chmod 640 /a",
  ]);
  await run(store, id, "true");
  const first = births(store, id);
  assert.equal(first.length, 1, "the copy was pooled");
  const copyRoot = `${store.data}/tmp/${pool(store)[0]}/root`;
  const pristine = manifest(copyRoot);

  // The command waits on stdin while the test sets an xattr in its copy, as it could itself.
  const argv = [
    ...WITHOUT_SYS_ADMIN,
    ...selfCommand([
      "run",
      id,
      "sh",
      "-c",
      "printf XXXX | dd of=/w conv=notrunc 2>/dev/null; echo more >> /a; rm /l2; " +
      "rm -r /d/sub; rm -r /e; echo file > /e; chmod 600 /w; chown 5:6 /a; " +
      "mkdir /new; echo n > /new/n; echo top > /top; touch /ready; read line",
    ]),
  ];
  const dirty = new Deno.Command(argv[0], {
    args: argv.slice(1),
    env: { PLASH_DATA: store.data },
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  let copy: string | undefined;
  for (let tries = 0; copy === undefined && tries < 300; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    copy = [...Deno.readDirSync(`${store.data}/tmp`)].map((entry) => entry.name)
      .find((name) =>
        name.startsWith("plashtmp_") && hasEntry(`${store.data}/tmp/${name}/root/ready`)
      );
  }
  assert.ok(copy, "the command ran");
  setXattr(`${store.data}/tmp/${copy}/root/l1`, "user.added", new TextEncoder().encode("x"));
  const writer = dirty.stdin.getWriter();
  await writer.write(new TextEncoder().encode("\n"));
  await writer.close();
  assert.equal((await dirty.output()).code, 0);
  assert.deepEqual(births(store, id), first, "the warm copy was used and went back to the pool");
  const reverted = `${store.data}/tmp/${pool(store)[0]}/root`;
  assert.deepEqual(manifest(reverted), pristine, "the copy is its image again");
  const seen = await run(
    store,
    id,
    "cat /w /a; ls -ln /a | cut -c1-30; ls -d /d/sub /e/ /l2; ls /new /top 2>&1; true",
  );
  assert.equal(
    seen,
    `data\ntail\n-rw-r-----    1 0        0    \n/d/sub\n/e/\n/l2\n` +
      "ls: /new: No such file or directory\nls: /top: No such file or directory\n",
  );
  assert.deepEqual(births(store, id), first, "used again");
});

Deno.test("a copy a process outlived its run in is removed, not pooled", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const id = await store.busybox();
  await run(store, id, "true");
  const first = births(store, id);
  await run(store, id, "true");
  assert.deepEqual(births(store, id), first, "a clean copy is reused");
  // The background writer outlives its run, and writes after plash is done with its copy.
  await run(store, id, "(sleep 1; echo late > /late) >/dev/null 2>&1 &");
  assert.deepEqual(pool(store), [], "a copy with a process inside is not pooled");
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const after = await run(store, id, "ls /late 2>&1; true");
  assert.equal(after, "ls: /late: No such file or directory\n");
  assert.equal(births(store, id).length, 1);
  assert.notDeepEqual(births(store, id), first, "a fresh copy");
});

Deno.test("a pooled copy changed since it was pooled is discarded by the next claim", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const id = await store.busybox();
  await run(store, id, "true");
  const first = births(store, id);
  // The same bytes written again, the mtime set back: only the ctime tells.
  const file = `${store.data}/tmp/${pool(store)[0]}/root/bin/busybox`;
  const { mtime, atime } = Deno.lstatSync(file);
  Deno.writeFileSync(file, Deno.readFileSync(file));
  Deno.utimeSync(file, atime!, mtime!);
  await run(store, id, "true");
  const fresh = births(store, id);
  assert.equal(fresh.length, 1, "the fresh copy was pooled, the changed one removed");
  assert.notDeepEqual(fresh, first, "the changed copy was not used");
  await run(store, id, "true");
  assert.deepEqual(births(store, id), fresh, "the fresh one is used again");
});

Deno.test("two runs at once get two copies, and both are pooled", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const id = await store.busybox();
  await run(store, id, "true");
  const [a, b] = await Promise.all([1, 2].map(() => run(store, id, `${ROOT_INODE}; sleep 1`)));
  assert.notEqual(a, b);
  assert.equal(pool(store).length, 2);
  // The pool holds two: a third copy pushes the oldest out.
  await Promise.all([1, 2, 3].map(() => run(store, id, "sleep 1")));
  assert.equal(pool(store).length, 2);
});

Deno.test("a mount-less build leaves a warm copy of its base, which a run reuses", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const base = await store.busybox();
  await run(store, base, "true");
  const first = births(store, base);
  assert.equal(first.length, 1, "the run's copy was pooled");
  const built = await withoutSysAdmin(store, ["build", "--from", base, "--run", "echo x > /x"]);
  assert.equal(built.code, 0, built.stderr);
  assert.equal(await run(store, built.stdout.trim(), "cat /x"), "x\n");
  // The build's copy went back to its base: the run of the base used it.
  assert.equal(await run(store, base, "ls /x 2>&1; true"), "ls: /x: No such file or directory\n");
  assert.deepEqual(births(store, base), first);
});

Deno.test("clean, rm and purge remove warm copies", { ignore: !ROOT }, async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const id = await store.ok(["create", base, "true"]);
  await run(store, base, "true");
  await run(store, id, "true");
  assert.equal(pool(store).length, 2);
  const removed = await store.ok(["rm", id]);
  assert.equal(removed, "");
  assert.deepEqual(pool(store).map((name) => name.split("_")[1]), [base]);
  const clean = await store.plash(["clean"]);
  assert.match(clean.stderr, /^removed 1 temporary dirs/);
  assert.deepEqual(pool(store), []);
  await run(store, base, "true");
  assert.equal(pool(store).length, 1);
  assert.equal((await store.plash(["purge", "--yes"])).code, 0);
  assert.throws(() => Deno.readDirSync(`${store.data}/tmp`));
});
