/**
 * How an overlay is mounted: a short stack by one mount(2) with its paths in
 * the option string, anything its syntax cannot carry by the new mount API.
 * The option strings are checked as data; the mounts (root only) are made
 * and read, and /proc tells which way each went (mount(2) shows
 * `lowerdir=`, the new API `lowerdir+=`).
 */

import assert from "node:assert/strict";
import { mountOverlay, overlayOptionString, type OverlaySpec } from "../../ffi/overlay.ts";
import { umount } from "../../ffi/sys.ts";

const root = Deno.uid() === 0;

Deno.test("a short stack is mounted by one mount(2) option string", () => {
  const spec = {
    lowers: ["/s/2/_data/root", "/s/1/_data/root"],
    upper: "/m/data",
    work: "/m/work",
    target: "/m/root",
    userxattr: true,
  };
  assert.equal(
    overlayOptionString(spec),
    "lowerdir=/s/2/_data/root:/s/1/_data/root,upperdir=/m/data,workdir=/m/work,userxattr",
  );
  assert.equal(overlayOptionString({ lowers: ["/a"], target: "/t" }), "lowerdir=/a");
});

Deno.test("what mount(2)'s option string cannot carry goes another way", () => {
  const spec = { lowers: ["/a", "/b"], target: "/t" };
  for (const odd of ["/a:b", "/a,b", "/a\\b"]) {
    assert.equal(overlayOptionString({ ...spec, lowers: ["/a", odd] }), undefined, odd);
    assert.equal(overlayOptionString({ ...spec, upper: odd, work: "/w" }), undefined, odd);
  }
  // More than a page of options, and a stack deep enough that whole paths cost the kernel.
  assert.equal(overlayOptionString({ ...spec, lowers: ["/" + "x".repeat(4100)] }), undefined);
  // The page holds bytes: 2,100 characters of two bytes each do not fit.
  assert.equal(overlayOptionString({ ...spec, lowers: ["/" + "é".repeat(2100)] }), undefined);
  const deep = Array.from({ length: 17 }, (_, i) => `/l${i}`);
  assert.equal(overlayOptionString({ ...spec, lowers: deep }), undefined);
  assert.notEqual(overlayOptionString({ ...spec, lowers: deep.slice(1) }), undefined);
});

/** Mounts `lowers` (made, each with its own file) and returns the mount's options as /proc shows them. */
function mountAndRead(names: string[]): string {
  const dir = Deno.makeTempDirSync({ prefix: "plash-overlay-" });
  const spec: OverlaySpec = {
    lowers: names.map((name) => `${dir}/${name}`),
    upper: `${dir}/upper`,
    work: `${dir}/work`,
    target: `${dir}/target`,
    userxattr: true,
  };
  for (const path of [...spec.lowers, spec.upper!, spec.work!, spec.target]) Deno.mkdirSync(path);
  names.forEach((name, i) => Deno.writeTextFileSync(`${spec.lowers[i]}/${i}`, name));
  try {
    mountOverlay(spec);
    try {
      names.forEach((name, i) => assert.equal(Deno.readTextFileSync(`${spec.target}/${i}`), name));
      Deno.writeTextFileSync(`${spec.target}/new`, "written");
      assert.equal(Deno.readTextFileSync(`${spec.upper}/new`), "written");
      const line = Deno.readTextFileSync("/proc/thread-self/mountinfo").split("\n")
        .find((entry) => entry.split(" ")[4] === spec.target);
      assert.ok(line, "mounted");
      return line;
    } finally {
      umount(spec.target);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test({
  name: "a short stack really mounts by mount(2), one with a ':' by the new mount API",
  ignore: !root,
  fn() {
    assert.match(mountAndRead(["top", "bottom"]), / overlay overlay .*lowerdir=[^+]/);
    const odd = mountAndRead(["top", "with:colon"]);
    assert.match(odd, /lowerdir\+=.*with:colon/);
  },
});
