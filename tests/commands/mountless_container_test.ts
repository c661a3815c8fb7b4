/**
 * Plash inside a default container, as a CI job runs it: a Debian image run
 * by `podman --runtime runc run` with podman's default capabilities and
 * seccomp profile, this checkout and its Deno bound in. Root there cannot
 * mount, so plash builds and runs without mounts; what it builds exports to
 * the layers the same build makes on the host with mounts.
 */

import assert from "node:assert/strict";
import { shellQuote } from "../../core/build/shell_quote.ts";
import { selfCommand } from "../../core/self_command.ts";
import { busyboxRootfs } from "../../scripts/busybox_rootfs.ts";
import { debootstrapRootfs } from "../../scripts/debootstrap_rootfs.ts";
import { assertRound, hostLayers, roundScript } from "../support/container_round.ts";
import { HAVE_PODMAN, PodmanContainers, type Volume } from "../support/podman_container.ts";
import { TempDirs } from "../support/temp_dirs.ts";

/** This checkout and the Deno that runs it (node_modules may link elsewhere), at their paths. */
function checkoutVolumes(): Volume[] {
  const checkout = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
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
  const script = `${plashFunction()}\n${roundScript("plash", "/work", "tar -C /busybox -c .")}`;
  const result = await podman.exec(image, ["sh", "-c", script], {
    volumes: [
      ...checkoutVolumes(),
      { source: await busyboxRootfs(), target: "/busybox", readOnly: true },
      { source: work, target: "/work" },
    ],
    env: { DENO_DIR: "/work/deno" },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^plash: no mounts here \(root without CAP_SYS_ADMIN cannot mount\)/);
  await assertRound(work, await hostLayers());
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
  const script =
    `${plashFunction()}\nplash init\nmkdir /work/layer\nplash add-layer 0 /work/layer >/dev/null && plash run 1 true; plash doctor`;
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
  // A rootless run's container is a clone child in a new user namespace. (An import makes one
  // only for a chown it could not do itself, after reading the archive.)
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
