/**
 * Checkpoints (core/store/checkpoint.ts): a deep image mounts the layers above
 * its nearest checkpoint and the checkpoint, and shows what all its layers
 * show; images deeper than overlay stacks run; what reads an image's layers
 * reads them as before.
 */

import assert from "node:assert/strict";
import { plannedMapping } from "../../core/runtime/id_map.ts";
import { CHECKPOINT_EVERY } from "../../core/store/checkpoint.ts";
import type { Store } from "../../core/store/store.ts";
import "../../core/tree/flatten.ts"; // as plash's own modules that publish images do
import { TestStore } from "../support/plash.ts";
import { TempDirs } from "../support/temp_dirs.ts";
import { runCommand } from "../support/command.ts";
import { selfCommand } from "../../core/self_command.ts";
import { umount } from "../../ffi/sys.ts";
import { oldKernel } from "../support/old_kernel.ts";

const ROOT = Deno.uid() === 0;

/** Adds `count` layers on `base`, each with a file of its own in one of five directories. */
function addLayers(images: Store, base: number, from: number, count: number): number {
  for (let i = from; i < from + count; i++) {
    const dir = images.makeTmpDir();
    Deno.mkdirSync(`${dir}/d${i % 5}`);
    Deno.writeTextFileSync(`${dir}/d${i % 5}/f${i}`, `${i}\n`);
    Deno.writeTextFileSync(`${dir}/layer${i}`, `${i}\n`);
    base = images.addLayer(base, dir);
  }
  return base;
}

/**
 * The lower directories of the container's root mount, from inside it: the
 * paths of `lowerdir=A:B` (mount(2), a short stack) or of each `lowerdir+=A`.
 */
const LOWERS = "awk '$5 == \"/\"' /proc/self/mountinfo | grep -oE 'lowerdir\\+?=[^,]*' | " +
  "sed -E 's/^lowerdir\\+?=//' | tr : '\\n' | wc -l";

/**
 * Every file of the container's root filesystem with what a program sees of
 * it. Inode numbers aside, and for directories their size and link count: a
 * directory merged from several layers shows overlay's, one from a checkpoint
 * the checkpoint's (see the README, "Depth"). The host's binds aside too: a
 * mount point shows the host's directory, whose times other processes change;
 * and `/` and `/etc`, where a run makes missing mount points (resolv.conf) in
 * its writable layer, with the time of the run.
 */
const LISTING = "{ find / -xdev ! -type d -exec stat -c '%n %F %a %u %g %s %Y %h %N' {} +; " +
  "find / -xdev -type d -exec stat -c '%n %a %u %g %Y' {} +; } | " +
  "grep -vE '^/(|etc|tmp|home|root|proc|sys|dev|etc/resolv.conf) ' | sort";

/** Runs `sh -c script` in image `id`; its stdout, failing the test unless it exits 0. */
async function inImage(
  store: TestStore,
  id: number,
  script: string,
  env: Record<string, string> = {},
): Promise<string> {
  return await store.ok(["run", String(id), "sh", "-c", script], { env });
}

/**
 * A 70-layer image: busybox, small layers, a whiteout and an opaque directory
 * made by `create` below the first checkpoint, a `create` at the second.
 */
async function seventyLayers(store: TestStore): Promise<number> {
  const images = store.images;
  let id = addLayers(images, Number(await store.busybox()), 2, 8); // depth 9
  id = Number(await store.ok(["create", String(id), "rm", "/d2/f2"])); // a whiteout, depth 10
  id = addLayers(images, id, 11, 9); // depth 19
  const opaque = "rm -rf /d3 && mkdir /d3 && echo new > /d3/new";
  id = Number(await store.ok(["create", String(id), "sh", "-c", opaque])); // depth 20
  id = addLayers(images, id, 21, 43); // depth 63
  id = Number(await store.ok(["create", String(id), "touch", "/created"])); // depth 64
  id = addLayers(images, id, 65, 6); // depth 70
  assert.equal(images.chain(id).length, 71);
  return id;
}

Deno.test("a 70-layer image mounts at most K+1 lower directories and shows what its layers show", async () => {
  using store = new TestStore();
  const top = await seventyLayers(store);
  const chain = store.images.chain(top);
  for (const depth of [CHECKPOINT_EVERY, 2 * CHECKPOINT_EVERY]) {
    assert.ok(Deno.statSync(store.images.checkpoint(chain[depth])).isDirectory, `depth ${depth}`);
  }
  const lowers = Number(await inImage(store, top, LOWERS));
  assert.ok(lowers <= CHECKPOINT_EVERY + 1, `${lowers} lower directories`);
  assert.equal(lowers, 70 - 2 * CHECKPOINT_EVERY + 1);
  // At a checkpoint's depth, the checkpoint alone.
  const atCheckpoint = chain[2 * CHECKPOINT_EVERY];
  assert.equal(await inImage(store, atCheckpoint, `cat /created /layer63; ${LOWERS}`), "63\n1");
  const all = { PLASH_CHECKPOINTS: "off" };
  assert.equal(Number(await inImage(store, top, LOWERS, all)), 71);
  const view = await inImage(store, top, LISTING);
  assert.equal(view, await inImage(store, top, LISTING, all));
  assert.match(view, /^\/layer69 /m);
  assert.match(view, /^\/created /m);
  assert.doesNotMatch(view, /^\/d2\/f2 /m, "the whiteout hides the file");
  const d3 = (await inImage(store, top, "ls /d3")).split("\n");
  assert.deepEqual(d3.filter((name) => ["f3", "f8", "f13", "f18"].includes(name)), []);
  assert.ok(
    d3.includes("new") && d3.includes("f23"),
    "the opaque directory hides only what is below",
  );
});

Deno.test("an image of 520 layers runs", async () => {
  using store = new TestStore();
  const top = addLayers(store.images, Number(await store.busybox()), 2, 519);
  assert.equal(store.images.chain(top).length, 521);
  assert.equal(await inImage(store, top, "cat /layer520 /layer2 /d0/f5"), "520\n2\n5");
  assert.ok(Number(await inImage(store, top, LOWERS)) <= CHECKPOINT_EVERY + 1);
});

Deno.test("export-tar of a deep image reads its layers, not its checkpoint", async () => {
  using store = new TestStore();
  const top = addLayers(store.images, Number(await store.busybox()), 2, 38);
  const checkpoint = store.images.checkpoint(store.images.chain(top)[CHECKPOINT_EVERY]);
  assert.ok(Deno.statSync(checkpoint).isDirectory);
  const exportTar = async () => {
    const [program, ...args] = selfCommand(["export-tar", String(top), "-"]);
    const result = await runCommand(program, args, { env: { PLASH_DATA: store.data } });
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  };
  const withCheckpoint = await exportTar();
  Deno.removeSync(checkpoint, { recursive: true }); // as the image was before checkpoints
  assert.deepEqual(await exportTar(), withCheckpoint);
});

Deno.test("rm removes an image's checkpoint with it", async () => {
  using store = new TestStore();
  const base = Number(await store.busybox());
  const top = addLayers(store.images, base, 2, CHECKPOINT_EVERY - 1);
  const checkpoint = store.images.checkpoint(top);
  const busybox = `${store.images.layer(base)}/bin/busybox`;
  assert.equal(Deno.statSync(busybox).nlink, 2, "the layer's file and the checkpoint's link");
  await store.ok(["rm", String(top)]);
  assert.throws(() => Deno.statSync(checkpoint), Deno.errors.NotFound);
  assert.equal(Deno.statSync(busybox).nlink, 1);
});

Deno.test("an image whose checkpoint cannot be made is made without it and runs", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const base = addLayers(store.images, Number(await store.busybox()), 2, CHECKPOINT_EVERY - 2);
  const stuck = store.images.makeTmpDir();
  Deno.writeTextFileSync(`${stuck}/immutable`, "stuck\n");
  // Not even root may hard-link an immutable file: the flattening fails half-way.
  const chattr = await runCommand("chattr", ["+i", `${stuck}/immutable`]);
  assert.equal(chattr.code, 0, chattr.stderr);
  let file = `${stuck}/immutable`;
  try {
    const top = store.images.addLayer(base, stuck);
    file = `${store.images.layer(top)}/immutable`;
    assert.equal(store.images.chain(top).length, CHECKPOINT_EVERY + 1);
    assert.throws(() => Deno.statSync(store.images.checkpoint(top)), Deno.errors.NotFound);
    assert.equal(await inImage(store, top, "cat /immutable /layer2"), "stuck\n2");
    assert.equal(Number(await inImage(store, top, LOWERS)), CHECKPOINT_EVERY + 1);
  } finally {
    await runCommand("chattr", ["-i", file]);
  }
});

Deno.test("old kernel, root: mount(2) stacks the layers above the checkpoint and the checkpoint", {
  ignore: !ROOT,
}, async () => {
  using store = new TestStore();
  const top = addLayers(store.images, Number(await store.busybox()), 2, CHECKPOINT_EVERY + 3);
  // The root's layers as mount(2) got them: a short stack, one path each.
  const lowers = "awk '$5 == \"/\"' /proc/self/mountinfo | grep -o 'lowerdir=[^,]*' | tr : '\\n'";
  const script = `cat /layer2 /layer${CHECKPOINT_EVERY + 4}; ${lowers} | wc -l`;
  const result = await store.plash(["run", String(top), "sh", "-c", script], {
    prefix: oldKernel(),
  });
  assert.equal(result.stdout, `2\n${CHECKPOINT_EVERY + 4}\n5\n`, result.stderr);
});

Deno.test(
  "mount shows an image at a checkpoint's depth, read-only",
  { ignore: !ROOT },
  async () => {
    using store = new TestStore();
    const top = addLayers(store.images, Number(await store.busybox()), 2, CHECKPOINT_EVERY - 1);
    assert.ok(Deno.statSync(store.images.checkpoint(top)).isDirectory);
    using dirs = new TempDirs();
    const target = dirs.make();
    await store.ok(["mount", String(top), target]);
    try {
      assert.equal(
        Deno.readTextFileSync(`${target}/layer${CHECKPOINT_EVERY}`),
        `${CHECKPOINT_EVERY}\n`,
      );
      assert.ok(Deno.statSync(`${target}/bin/busybox`).isFile);
    } finally {
      umount(target);
    }
  },
);

Deno.test(
  "rootless: a file the caller may not hard-link leaves the checkpoint out, not the image",
  {
    ignore: ROOT || plannedMapping(Deno.uid()!, Deno.gid()!).ranges === undefined,
  },
  async () => {
    using store = new TestStore();
    let id = addLayers(store.images, Number(await store.busybox()), 2, CHECKPOINT_EVERY - 3);
    // Owned by a subordinate id on disk: fs.protected_hardlinks lets the caller read it, not link it.
    const theirs = "echo theirs > /theirs && chown 1000:1000 /theirs";
    id = Number(await store.ok(["create", String(id), "sh", "-c", theirs]));
    assert.notEqual(Deno.statSync(`${store.images.layer(id)}/theirs`).uid, Deno.uid());
    // Published by the caller itself, outside any user namespace, as an import running as its
    // caller would publish.
    const top = addLayers(store.images, id, CHECKPOINT_EVERY, 1);
    assert.equal(store.images.chain(top).length, CHECKPOINT_EVERY + 1);
    assert.throws(() => Deno.statSync(store.images.checkpoint(top)), Deno.errors.NotFound);
    assert.equal(
      await inImage(store, top, `cat /theirs /layer${CHECKPOINT_EVERY}`),
      `theirs\n${CHECKPOINT_EVERY}`,
    );
  },
);
