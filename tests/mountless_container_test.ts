/**
 * Plash inside a default container, as a CI job runs it: a Debian image run
 * by `podman --runtime runc run` with podman's default capabilities and
 * seccomp profile, this checkout and its Deno bound in. Root there cannot
 * mount, so plash builds and runs without mounts; what it builds exports to
 * the layers the same build makes on the host with mounts.
 */

import assert from "node:assert/strict";
import { shellQuote } from "../core/build/shell_quote.ts";
import { sha256Hex } from "../core/sha256.ts";
import { selfCommand } from "../core/self_command.ts";
import { busyboxRootfs } from "../scripts/busybox_rootfs.ts";
import { debootstrapRootfs } from "../scripts/debootstrap_rootfs.ts";
import { BUILD } from "./support/export_image.ts";
import { layerEntries } from "./support/oci_layers.ts";
import { TestStore } from "./support/plash.ts";
import { HAVE_PODMAN, PodmanContainers, type Volume } from "./support/podman_container.ts";
import { manifest } from "./tar_fixtures.ts";
import { TempDirs } from "./support/temp_dirs.ts";

/** This checkout and the Deno that runs it (node_modules may link elsewhere), at their paths. */
function checkoutVolumes(): Volume[] {
  const checkout = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const deno = Deno.realPathSync(Deno.execPath());
  return [
    { source: checkout, readOnly: true },
    { source: Deno.realPathSync(`${checkout}/node_modules`), readOnly: true },
    { source: deno.slice(0, deno.lastIndexOf("/")), readOnly: true },
  ];
}

/** A shell function `plash` that runs this checkout's plash as the tests do. */
function plashFunction(): string {
  return `plash() { ${selfCommand([]).map(shellQuote).join(" ")} "$@"; }`;
}

Deno.test("in a default container plash builds, runs and exports without mounts", {
  ignore: !HAVE_PODMAN,
}, async () => {
  await using podman = new PodmanContainers();
  using dirs = new TempDirs();
  const work = dirs.make("plash-container-");
  const image = await podman.image(await debootstrapRootfs());
  const script = [
    "set -e",
    plashFunction(),
    "plash init",
    "base=$(tar -C /busybox -c . | plash import-tar)",
    `id=$(plash build -q --from "$base" ${BUILD.map(shellQuote).join(" ")})`,
    "echo $id > /work/id",
    `made=$(plash create "$id" sh -c 'echo made > /made')`,
    `plash run "$made" cat /made > /work/made`,
    // In-place writes of an image file, and a new file: none of it may stay.
    `plash run "$id" sh -c 'echo more >> /srv/hello; sed -i s/hello/changed/ /srv/hello; ` +
    `echo new > /new; cat /srv/hello' > /work/changed`,
    `plash run "$id" sh -c 'cat /srv/hello; ls /new 2>&1 || true' > /work/after`,
    `plash export-oci "$id" /work/layout > /dev/null`,
  ].join("\n");
  const result = await podman.exec(image, ["sh", "-c", script], {
    volumes: [
      ...checkoutVolumes(),
      { source: await busyboxRootfs(), target: "/busybox", readOnly: true },
      { source: work, target: "/work" },
    ],
    env: { PLASH_DATA: "/work/data", DENO_DIR: "/work/deno" },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^plash: no mounts here \(root without CAP_SYS_ADMIN cannot mount\)/);
  const read = (name: string) => Deno.readTextFileSync(`${work}/${name}`);
  assert.equal(read("made"), "made\n");
  assert.equal(read("changed"), "changed\nmore\n");
  assert.equal(read("after"), "hello\nls: /new: No such file or directory\n");

  // The same build on the host, with mounts.
  using store = new TestStore();
  const base = await store.busybox();
  const id = await store.ok(["build", "-q", "--from", base, ...BUILD]);
  await store.ok(["export-oci", id, `${store.data}.layout`]);
  const [inContainer, onHost] = [
    await layerEntries(`${work}/layout`),
    await layerEntries(`${store.data}.layout`),
  ];
  assert.equal(inContainer.length, 3, "busybox and two build layers");
  assert.deepEqual(inContainer, onHost);
  // And its layer directories: the runs wrote none of them.
  const hellos = Object.entries(manifest(`${work}/data/layer`))
    .filter(([path]) => path.endsWith("/_data/root/srv/hello"));
  // Made by the first layer, copied up by the second (which links it).
  assert.equal(hellos.length, 2);
  const hello = await sha256Hex(new TextEncoder().encode("hello\n"));
  for (const [path, entry] of hellos) assert.equal(entry.sha256, hello, path);
  assert.deepEqual([...Deno.readDirSync(`${work}/data/tmp`)].filter((e) => e.isDirectory), []);
});

/**
 * What docker's default seccomp profile does and podman's does not: no new
 * user namespace without CAP_SYS_ADMIN (unshare refused, clone refused with
 * CLONE_NEWUSER), everything else allowed.
 */
const NO_USER_NAMESPACES = {
  defaultAction: "SCMP_ACT_ALLOW",
  syscalls: [
    { names: ["unshare"], action: "SCMP_ACT_ERRNO", errnoRet: 1 },
    {
      names: ["clone"],
      action: "SCMP_ACT_ERRNO",
      errnoRet: 1,
      args: [{ index: 0, value: 0x10000000, valueTwo: 0x10000000, op: "SCMP_CMP_MASKED_EQ" }],
    },
  ],
};

Deno.test("a non-root user where user namespaces are refused gets one line: what would help", {
  ignore: !HAVE_PODMAN,
}, async () => {
  await using podman = new PodmanContainers();
  using dirs = new TempDirs();
  const work = dirs.make("plash-container-");
  Deno.chmodSync(work, 0o777);
  Deno.writeTextFileSync(`${work}/seccomp.json`, JSON.stringify(NO_USER_NAMESPACES));
  const image = await podman.image(await debootstrapRootfs());
  const script = `${plashFunction()}\nplash init\nplash import-tar /dev/null; plash doctor`;
  const result = await podman.exec(image, ["sh", "-c", script], {
    volumes: [...checkoutVolumes(), { source: work, target: "/work" }],
    env: { PLASH_DATA: "/work/data", DENO_DIR: "/work/deno", HOME: "/work" },
    user: "65534:65534",
    seccomp: `${work}/seccomp.json`,
  });
  assert.equal(result.code, 1, "doctor fails");
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  const refused = "clone CLONE_NEWUSER: Operation not permitted \\(this host refuses user " +
    "namespaces to non-root users.*run plash as root there";
  assert.match(lines[0], new RegExp(`^plash error: ${refused}`));
  assert.match(result.stdout, new RegExp(`^FAIL {2}mounting: ${refused}`, "m"));
});

Deno.test("the harness runs a busybox-only image with podman's defaults: no CAP_SYS_ADMIN", {
  ignore: !HAVE_PODMAN,
}, async () => {
  await using podman = new PodmanContainers();
  const image = await podman.image(await busyboxRootfs());
  assert.equal(await podman.image(await busyboxRootfs()), image, "imported once, by contents");
  const result = await podman.exec(image, [
    "sh",
    "-c",
    "grep CapEff /proc/self/status; ls /x; echo $GREETING",
  ], {
    volumes: [{ source: "/etc/hostname", target: "/x", readOnly: true }],
    env: { GREETING: "hi" },
  });
  assert.equal(result.code, 0, result.stderr);
  const capabilities = BigInt(`0x${result.stdout.split("\t")[1].split("\n")[0]}`);
  assert.equal((capabilities >> 21n) & 1n, 0n, "no CAP_SYS_ADMIN");
  assert.equal((capabilities >> 18n) & 1n, 1n, "CAP_SYS_CHROOT");
  assert.match(result.stdout, /^\/x\nhi\n$/m);
});
