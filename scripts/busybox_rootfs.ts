/**
 * Test fixture: a tiny root filesystem from Debian's busybox-static.
 *
 * `deno run -A scripts/busybox_rootfs.ts [DIR [BUSYBOX]]` builds it (default
 * `.fixtures/busybox-rootfs`) and prints its path. Another architecture's
 * busybox may be given where the machine runs it (qemu-user and binfmt): its
 * own `--list-full` names the applet links.
 *
 * @module
 */

const BUSYBOX = "/bin/busybox";

/** Where the fixture is built by default. */
export const DEFAULT_ROOTFS = new URL("../.fixtures/busybox-rootfs", import.meta.url).pathname;

/**
 * Builds the rootfs at `dir` unless it is there already: the static `busybox`,
 * a relative symlink for each applet at its usual place, a passwd file and the
 * usual empty directories. Returns `dir`.
 */
export async function busyboxRootfs(
  dir: string = DEFAULT_ROOTFS,
  busybox: string = BUSYBOX,
): Promise<string> {
  try {
    // The rootfs is renamed into place whole, so one that is there is complete.
    Deno.statSync(`${dir}/bin/busybox`);
    return dir;
  } catch {
    // Not built yet.
  }
  try {
    Deno.statSync(busybox);
  } catch {
    throw new Error(`${busybox} is missing: apt-get install busybox-static`);
  }
  const staging = `${dir}.${Deno.pid}`;
  await Deno.remove(staging, { recursive: true }).catch(() => {});
  for (const sub of ["bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "dev", "sys", "tmp"]) {
    Deno.mkdirSync(`${staging}/${sub}`, { recursive: true });
  }
  Deno.chmodSync(`${staging}/tmp`, 0o1777);
  Deno.copyFileSync(busybox, `${staging}/bin/busybox`);
  Deno.chmodSync(`${staging}/bin/busybox`, 0o755);
  const listing = await new Deno.Command(busybox, { args: ["--list-full"] }).output();
  if (!listing.success) throw new Error(`${busybox} --list-full failed`);
  for (const applet of new TextDecoder().decode(listing.stdout).split("\n")) {
    if (!applet || applet === "bin/busybox") continue;
    const depth = applet.split("/").length - 1;
    Deno.symlinkSync(`${"../".repeat(depth)}bin/busybox`, `${staging}/${applet}`);
  }
  Deno.writeTextFileSync(`${staging}/etc/passwd`, "root:x:0:0:root:/root:/bin/sh\n");
  Deno.writeTextFileSync(`${staging}/etc/group`, "root:x:0:\n");
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  Deno.mkdirSync(dir.slice(0, dir.lastIndexOf("/")), { recursive: true });
  Deno.renameSync(staging, dir);
  return dir;
}

if (import.meta.main) console.log(await busyboxRootfs(Deno.args[0], Deno.args[1]));
