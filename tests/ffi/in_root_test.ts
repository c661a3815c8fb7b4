/**
 * Lookups inside an image root without openat2 (`walkInRoot`, what plash
 * uses on Linux before 5.6 and under qemu-user) give what openat2 gives on
 * this kernel: the same object or the same errno, for every path of a
 * hostile tree and every option. Needs no root.
 */

import assert from "node:assert/strict";
import { SyscallError } from "../../ffi/errors.ts";
import {
  fdPath,
  type InRootOptions,
  openInRoot,
  openPath,
  tryOpenDirBelow,
  walkInRoot,
} from "../../ffi/in_root.ts";
import { closeFd } from "../../ffi/sys.ts";

/** A tree whose links try every way out: climbing, absolute, loops, through /proc. */
function hostileRoot(): string {
  const root = Deno.makeTempDirSync({ prefix: "plash-in-root-" });
  Deno.mkdirSync(`${root}/a/b/c`, { recursive: true });
  Deno.writeTextFileSync(`${root}/a/file`, "");
  const links: Record<string, string> = {
    "a/up": "../../../../..",
    "a/abs": "/a/b",
    "a/rel": "b/c",
    "a/to-file": "file",
    "a/to-root": "/",
    "a/dangling": "/nowhere/x",
    "loop1": "loop2",
    "loop2": "loop1",
    "resolv": "/proc/self/cwd/../../../etc/passwd",
    "etc-out": "../../../../etc",
  };
  for (const [path, target] of Object.entries(links)) Deno.symlinkSync(target, `${root}/${path}`);
  // 41 links in a chain: one more than the kernel follows.
  for (let i = 0; i < 41; i++) Deno.symlinkSync(`chain${i + 1}`, `${root}/chain${i}`);
  Deno.mkdirSync(`${root}/chain41`);
  return root;
}

const PATHS = [
  "",
  ".",
  "..",
  "a",
  "a/b/c",
  "/a/b/../file",
  "a/file/x",
  "a/up",
  "a/up/a/b",
  "a/abs/c",
  "a/rel",
  "a/to-file",
  "a/to-root/a",
  "a/dangling",
  "loop1",
  "resolv",
  "etc-out/passwd",
  "chain0",
  "chain1",
  "missing/x",
];

const OPTIONS: InRootOptions[] = [
  { symlinks: "follow" },
  { symlinks: "refuse" },
  { symlinks: "follow", directory: true },
  { symlinks: "refuse", directory: true },
  { symlinks: "follow", noFollowLast: true },
  { symlinks: "refuse", noFollowLast: true },
  { symlinks: "follow", sameMount: true },
];

/** What a lookup gave: the path of the object opened, or the errno name. */
function outcome(lookup: () => number): string {
  try {
    const fd = lookup();
    try {
      return Deno.readLinkSync(fdPath(fd));
    } finally {
      closeFd(fd);
    }
  } catch (error) {
    if (error instanceof SyscallError) return error.code;
    throw error;
  }
}

Deno.test("without openat2 every lookup in an image root gives what openat2 gives", () => {
  const root = hostileRoot();
  const rootFd = openPath(root, { directory: true });
  try {
    for (const path of PATHS) {
      for (const options of OPTIONS) {
        const kernel = outcome(() => openInRoot(rootFd, path, options));
        const walked = outcome(() => walkInRoot(rootFd, path, options));
        assert.equal(walked, kernel, `${JSON.stringify(path)} ${JSON.stringify(options)}`);
      }
    }
    // Nothing outside the root is ever reached: every object found is below it.
    for (const path of PATHS) {
      const found = outcome(() => walkInRoot(rootFd, path, { symlinks: "follow" }));
      if (found.startsWith("/")) assert.ok(found.startsWith(root), `${path} -> ${found}`);
    }
  } finally {
    closeFd(rootFd);
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("without openat2 magic links and other mounts are refused as openat2 refuses them", () => {
  // The host's own root: /proc is a procfs mount with magic links.
  const rootFd = openPath("/", { directory: true });
  try {
    const cases: [string, InRootOptions][] = [
      ["proc/self/cwd", { symlinks: "follow" }],
      ["proc/self/root/etc", { symlinks: "follow" }],
      ["proc/self/exe", { symlinks: "follow", noFollowLast: true }],
      ["proc/self/fd/0", { symlinks: "follow" }],
      ["proc/version", { symlinks: "follow", sameMount: true }],
    ];
    for (const [path, options] of cases) {
      assert.equal(
        outcome(() => walkInRoot(rootFd, path, options)),
        outcome(() => openInRoot(rootFd, path, options)),
        path,
      );
    }
  } finally {
    closeFd(rootFd);
  }
});

Deno.test("the extractor's parent lookup refuses what openat2 refuses, without openat2 too", () => {
  const root = hostileRoot();
  const rootFd = openPath(root, { directory: true });
  try {
    for (const path of ["a", "a/b/c", "a/abs", "a/rel", "a/up", "a/file", "missing"]) {
      const fd = tryOpenDirBelow(rootFd, path);
      const walked = outcome(() =>
        walkInRoot(rootFd, path, { symlinks: "refuse", directory: true })
      );
      if (fd >= 0) {
        assert.equal(walked, Deno.readLinkSync(fdPath(fd)), path);
        closeFd(fd);
      } else {
        assert.ok(!walked.startsWith("/"), `${path}: openat2 failed, the walk gave ${walked}`);
      }
    }
  } finally {
    closeFd(rootFd);
    Deno.removeSync(root, { recursive: true });
  }
});
