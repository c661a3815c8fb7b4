/**
 * Test support: aarch64 programs on an x86_64 machine, by Debian's
 * qemu-user-static through binfmt_misc, with the arm64 C library by multiarch
 * (scripts/setup-debian.sh installs both), and an arm64 busybox rootfs.
 *
 * @module
 */

import { busyboxRootfs } from "../../scripts/busybox_rootfs.ts";
import { unpackDebianPackage } from "../../scripts/debian_package.ts";
import { runCommand } from "./command.ts";

const BINFMT = "/proc/sys/fs/binfmt_misc";

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether this machine has what aarch64 emulation needs installed (enabling it needs root). */
export const HAVE_AARCH64_EMULATION = Deno.build.arch === "x86_64" &&
  exists("/usr/bin/qemu-aarch64-static") && exists("/usr/sbin/update-binfmts") &&
  exists("/lib/ld-linux-aarch64.so.1");

/**
 * Makes the kernel run aarch64 executables with qemu: binfmt_misc mounted
 * and Debian's qemu-aarch64 entry enabled (it stays enabled: that is
 * harmless, and the next run finds it so).
 */
export async function enableAarch64Emulation(): Promise<void> {
  const entry = `${BINFMT}/qemu-aarch64`;
  if (exists(entry) && Deno.readTextFileSync(entry).startsWith("enabled")) return;
  if (!exists(`${BINFMT}/status`)) {
    const mount = await runCommand("mount", ["-t", "binfmt_misc", "binfmt_misc", BINFMT]);
    if (mount.code !== 0) throw new Error(`mount binfmt_misc: ${mount.stderr}`);
  }
  const enable = await runCommand("update-binfmts", ["--enable", "qemu-aarch64"]);
  if (enable.code !== 0) throw new Error(`update-binfmts --enable qemu-aarch64: ${enable.stderr}`);
}

/** Where the arm64 busybox rootfs is built (once, then reused). */
const ARM64_ROOTFS = new URL("../../.fixtures/busybox-rootfs-arm64", import.meta.url).pathname;

/** A busybox rootfs of Debian's busybox-static:arm64 (emulation enabled first). */
export async function arm64BusyboxRootfs(): Promise<string> {
  if (exists(`${ARM64_ROOTFS}/bin/busybox`)) return ARM64_ROOTFS;
  const dir = Deno.makeTempDirSync({ prefix: "plash-busybox-arm64-" });
  try {
    await unpackDebianPackage("busybox-static:arm64", dir);
    return await busyboxRootfs(ARM64_ROOTFS, `${dir}/bin/busybox`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}
