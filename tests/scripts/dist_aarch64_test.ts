/**
 * The aarch64 release archive on an x86_64 machine, under qemu-user (binfmt_misc):
 * from a root of arm64 busybox-static only (no C library: the archive carries
 * its own), and on this host: it starts (about 2.5 s a start under
 * emulation, so few starts), imports an arm64 busybox rootfs and runs it as
 * root, with the host's /proc, /dev and resolv.conf bound in (qemu-user lacks
 * openat2, so this also runs plash's lookups without it). And an arm64 image pulled from a registry with `--arch arm64` by the
 * x86_64 archive runs under the same emulation.
 *
 * Rootless is not tested here: qemu-user runs the clone(CLONE_VM|CLONE_VFORK)
 * that plash's user namespace needs as a plain fork (plash then fails with
 * one line, `clone CLONE_NEWUSER: Invalid argument`). It needs a real aarch64
 * machine.
 */

import assert from "node:assert/strict";
import { VERSION } from "../../core/version.ts";
import { BareRoot } from "../support/bare_root.ts";
import { runCommand } from "../support/command.ts";
import { distArchives, Unpacked } from "../support/dist.ts";
import {
  arm64BusyboxRootfs,
  enableAarch64Emulation,
  HAVE_AARCH64_EMULATION,
} from "../support/emulation.ts";
import { busyboxLayer } from "../support/images.ts";
import { image, index, layer, pushIndex } from "../support/oci_image.ts";
import { HAVE_REGISTRY, TestRegistry } from "../support/registry.ts";

// Enabling binfmt_misc and running as root (the rootless path cannot run under qemu-user).
const ignore = Deno.uid() !== 0 || !HAVE_AARCH64_EMULATION;

/** Runs the unpacked archive's plash with an empty HOME and Deno cache beside it, and `env`. */
async function plash(archive: Unpacked, args: string[], env: Record<string, string> = {}) {
  const result = await runCommand(archive.plash, args, {
    env: {
      PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
      HOME: `${archive.dir}/home`,
      DENO_DIR: `${archive.dir}/deno-cache`,
      PLASH_DATA: `${archive.dir}/data`,
      ...env,
    },
  });
  const stdout = new TextDecoder().decode(result.stdout);
  assert.equal(result.code, 0, `plash ${args.join(" ")}: ${result.stderr}`);
  return stdout.trim();
}

Deno.test({
  name: "the aarch64 archive under qemu-user: version, import-tar, run prints aarch64",
  ignore,
}, async () => {
  await enableAarch64Emulation();
  const { aarch64 } = await distArchives();
  using archive = await Unpacked.from(aarch64);
  // ELF e_machine (offset 18, little-endian): 183 is aarch64, 62 x86_64.
  using deno = Deno.openSync(archive.plash.replace(/bin\/plash$/, "lib/plash/deno"));
  const header = new Uint8Array(20);
  deno.readSync(header);
  assert.equal(new DataView(header.buffer).getUint16(18, true), 183, "an aarch64 Deno");
  assert.equal(
    await plash(archive, ["version"]),
    `plash ${VERSION} (deno ${Deno.version.deno}, linux aarch64)`,
  );
  // A plain tar: the wasm xz decompressor alone takes seconds under emulation.
  await plash(archive, ["init"]);
  const tar = `${archive.dir}/busybox-arm64.tar`;
  const made = await runCommand("tar", ["-C", await arm64BusyboxRootfs(), "-cf", tar, "."]);
  assert.equal(made.code, 0, made.stderr);
  const id = await plash(archive, ["import-tar", tar]);
  assert.equal(await plash(archive, ["run", id, "uname", "-m"]), "aarch64");
  // qemu-user has no openat2: the binds are placed by plash's own walk, none is skipped.
  const shared = "test -e /proc/self/stat && test -c /dev/null && test -e /etc/resolv.conf";
  assert.equal(await plash(archive, ["run", id, "sh", "-c", `${shared} && echo shared`]), "shared");
});

Deno.test({
  name: "the aarch64 archive from an arm64 root with no C library (busybox only), under qemu-user",
  ignore,
}, async () => {
  await enableAarch64Emulation();
  const { aarch64 } = await distArchives();
  const rootfs = await arm64BusyboxRootfs();
  using root = await BareRoot.make(rootfs);
  const name = `plash-${VERSION}-linux-aarch64`;
  Deno.mkdirSync(`${root.path}/srv`);
  Deno.copyFileSync(aarch64, `${root.path}/srv/${name}.tar.gz`);
  const tar = await runCommand("tar", ["-C", rootfs, "-cf", `${root.path}/srv/busybox.tar`, "."]);
  assert.equal(tar.code, 0, tar.stderr);
  assert.equal(await root.ok("find / -xdev -name 'libc.so*' -o -xdev -name 'ld-*.so*'"), "");
  await root.ok(`mkdir -p /opt && tar -xzf /srv/${name}.tar.gz -C /opt`);
  const plash = `/opt/${name}/bin/plash`;
  assert.equal(
    await root.ok(`${plash} version`),
    `plash ${VERSION} (deno ${Deno.version.deno}, linux aarch64)`,
  );
  await root.ok(`${plash} init`);
  const id = await root.ok(`${plash} import-tar /srv/busybox.tar`);
  assert.equal(await root.ok(`${plash} run ${id} uname -m`), "aarch64");
});

Deno.test({
  name: "an arm64 image pulled with --arch arm64 runs under emulation",
  ignore: ignore || !HAVE_REGISTRY,
}, async () => {
  await enableAarch64Emulation();
  const { x86_64 } = await distArchives();
  using archive = await Unpacked.from(x86_64);
  await using registry = await TestRegistry.start();
  const tar = await runCommand("tar", [
    "-C",
    await arm64BusyboxRootfs(),
    "--owner=0",
    "--group=0",
    "-c",
    ".",
  ]);
  assert.equal(tar.code, 0, tar.stderr);
  const images = [
    { image: image([await busyboxLayer()], {}, "amd64"), architecture: "amd64" },
    { image: image([await layer(tar.stdout, "gzip")], {}, "arm64"), architecture: "arm64" },
  ];
  await pushIndex(
    registry.host,
    "busybox",
    "multi",
    images.map((each) => each.image),
    index(images),
  );
  const ref = `${registry.host}/busybox:multi`;
  await plash(archive, ["init"]);
  const arm64 = await plash(archive, ["import-docker", "--arch", "arm64", ref]);
  assert.equal(await plash(archive, ["run", arm64, "uname", "-m"]), "aarch64");
  const amd64 = await plash(archive, ["import-docker", ref]);
  assert.equal(await plash(archive, ["run", amd64, "uname", "-m"]), "x86_64");
});
