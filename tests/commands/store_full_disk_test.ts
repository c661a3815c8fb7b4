/**
 * A store on a full filesystem (an ext4 image on a loop device, a small
 * tmpfs), filled to its last block, then to its last inode: every command
 * that frees space works, every other one fails in one line naming the lack
 * of space and leaves the store as it was, and succeeds once space is freed.
 * Mounting needs root: without it the test is skipped.
 */

import assert from "node:assert/strict";
import { busyboxRootfs } from "../../scripts/busybox_rootfs.ts";
import { selfCommand } from "../../core/self_command.ts";
import { runCommand } from "../support/command.ts";
import { assertStoreConsistent } from "../support/store_check.ts";
import { TempDirs } from "../support/temp_dirs.ts";

/** How a filesystem is made and mounted on `dir` (its backing file beside it). */
type Filesystem = "ext4" | "tmpfs";
/** What runs out. */
type Lack = "blocks" | "inodes";

async function must(program: string, args: string[]): Promise<void> {
  const output = await runCommand(program, args);
  assert.equal(output.code, 0, `${program} ${args.join(" ")}: ${output.stderr}`);
}

async function mountFilesystem(kind: Filesystem, dir: string): Promise<void> {
  if (kind === "tmpfs") {
    await must("mount", ["-t", "tmpfs", "-o", "size=12m,nr_inodes=1500", "tmpfs", dir]);
    return;
  }
  const image = `${dir}.img`;
  await must("truncate", ["-s", "24M", image]);
  // No blocks reserved for root (the test is root), few inodes (fast to use up).
  await must("mkfs.ext4", ["-q", "-m", "0", "-N", "1500", image]);
  await must("mount", ["-o", "loop", image, dir]);
}

let fillers = 0;

/** Takes every free block (or inode) of the filesystem at `dir` with files in `dir/fill`. */
function fill(dir: string, lack: Lack): void {
  Deno.mkdirSync(`${dir}/fill`, { recursive: true });
  const take = (make: (path: string) => void) => {
    for (;;) {
      try {
        make(`${dir}/fill/${fillers++}`);
      } catch (error) {
        if ((error as { code?: string }).code === "ENOSPC") return;
        throw error;
      }
    }
  };
  if (lack === "inodes") {
    take((path) => Deno.writeFileSync(path, new Uint8Array()));
    return;
  }
  for (const size of [1 << 20, 4096, 1]) {
    take((path) => {
      const file = Deno.openSync(path, { write: true, createNew: true });
      try {
        const chunk = new Uint8Array(size);
        for (;;) file.writeSync(chunk);
      } finally {
        file.close();
      }
    });
  }
}

function listing(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
}

/** What a user sees of a store: its images and names, and tmp/ (empty between commands). */
function snapshot(data: string): string[] {
  return ["index", "map", "tmp"].flatMap((part) =>
    [...Deno.readDirSync(`${data}/${part}`)].map((entry) => `${part}/${entry.name}`).sort()
  );
}

for (const kind of ["ext4", "tmpfs"] as const) {
  for (const lack of ["blocks", "inodes"] as const) {
    Deno.test({
      name: `a store on a full ${kind} (no free ${lack}): rm, untag, map '', clean, shrink ` +
        "and purge work; the rest fail in one line, leave nothing, then succeed",
      ignore: Deno.uid() !== 0,
      fn: () => fullDisk(kind, lack),
    });
  }
}

async function fullDisk(kind: Filesystem, lack: Lack): Promise<void> {
  using dirs = new TempDirs();
  const dir = `${dirs.make("plash-full-")}/fs`;
  Deno.mkdirSync(dir);
  await mountFilesystem(kind, dir);
  try {
    const data = `${dir}/data`;
    const plash = async (...args: string[]) => {
      const [program, ...rest] = selfCommand(args);
      const output = await runCommand(program, rest, { env: { PLASH_DATA: data } });
      return { ...output, stdout: new TextDecoder().decode(output.stdout).trim() };
    };
    const ok = async (...args: string[]) => {
      const result = await plash(...args);
      assert.equal(result.code, 0, `plash ${args.join(" ")}: ${result.stderr}`);
      return result.stdout;
    };
    await ok("init");
    await must("cp", ["-a", await busyboxRootfs(), `${dir}/busybox`]);
    const base = await ok("add-layer", "0", `${dir}/busybox`);
    const named = await ok("create", base, "sh", "-c", "echo named > /named");
    await ok("tag", named, "mine");
    await ok("map", "key", named);
    const leaves = [];
    for (const file of ["a", "b", "c"]) {
      leaves.push(await ok("build", "-q", "-f", named, "--run", `echo ${file} > /${file}`));
    }

    // What needs space fails in one line, and the store stays as it was. A
    // name needs a directory entry and a link, which a tmpfs without free
    // blocks still has room for: there it may succeed.
    const archive = `${dirs.make("plash-full-tar-")}/busybox.tar`;
    await must("tar", ["-C", `${data}/index/${base}/_data/root`, "-cf", archive, "."]);
    const needSpace = [
      { args: ["create", base, "sh", "-c", "echo more > /more"], fails: true },
      { args: ["build", "-q", "-f", base, "--run", "echo built > /built"], fails: true },
      { args: ["import-tar", archive], fails: true },
      { args: ["export-tar", base, `${dir}/exported.tar`], fails: true },
      { args: ["tag", base, "other"], fails: kind === "ext4" || lack === "inodes" },
      { args: ["map", "again", base], fails: kind === "ext4" || lack === "inodes" },
    ];
    fill(dir, lack);
    const top = listing(dir);
    for (const { args, fails } of needSpace) {
      const before = snapshot(data);
      const result = await plash(...args);
      const what = `plash ${args.join(" ")}: ${result.stderr}`;
      if (!fails && result.code === 0) continue;
      assert.notEqual(result.code, 0, `${what} succeeded on a full disk`);
      // Before it, what the command in the image said of its failed writes, if it ran.
      const lines = result.stderr.trimEnd().split("\n");
      const errors = lines.filter((line) => line.startsWith("plash error:"));
      assert.deepEqual(errors, [lines.at(-1)], what);
      assert.match(errors[0], /No space left on device|no space left on the device/, what);
      assert.deepEqual(snapshot(data), before, `${what}: left something`);
      assert.deepEqual(listing(dir), top, `${what}: left a file`);
    }

    // What frees space needs none.
    await ok("untag", "mine");
    await ok("map", "key", "");
    await ok("clean");
    await ok("rm", leaves[0]);
    fill(dir, lack);
    await ok("shrink");
    fill(dir, lack);
    await ok("clean");

    // With space again, the same commands succeed.
    Deno.removeSync(`${dir}/fill`, { recursive: true });
    for (const { args } of needSpace) await ok(...args);
    await ok("clean");
    assertStoreConsistent(data, JSON.parse(await ok("ls", "--json")));

    fill(dir, lack);
    await ok("purge", "--yes");
    assert.deepEqual([...Deno.readDirSync(data)], []);
  } finally {
    await must("umount", [dir]);
    if (kind === "ext4") Deno.removeSync(`${dir}.img`);
  }
}
