/**
 * Test fixture: a tiny root filesystem from Debian's busybox-static.
 *
 * `deno run -A scripts/busybox_rootfs.ts [DIR]` builds it (default
 * `.fixtures/busybox-rootfs`) and prints its path.
 *
 * @module
 */

const BUSYBOX = "/bin/busybox";

/** Where the fixture is built by default. */
export const DEFAULT_ROOTFS = new URL("../.fixtures/busybox-rootfs", import.meta.url).pathname;

/**
 * Builds the rootfs at `dir` unless it is there already: the static busybox,
 * a relative symlink for each applet at its usual place, a passwd file and the
 * usual empty directories. Returns `dir`.
 */
export async function busyboxRootfs(dir: string = DEFAULT_ROOTFS): Promise<string> {
  try {
    // The rootfs is renamed into place whole, so one that is there is complete.
    Deno.statSync(`${dir}/bin/busybox`);
    return dir;
  } catch {
    // Not built yet.
  }
  try {
    Deno.statSync(BUSYBOX);
  } catch {
    throw new Error(`${BUSYBOX} is missing: apt-get install busybox-static`);
  }
  const staging = `${dir}.${Deno.pid}`;
  await Deno.remove(staging, { recursive: true }).catch(() => {});
  for (const sub of ["bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "dev", "sys", "tmp"]) {
    Deno.mkdirSync(`${staging}/${sub}`, { recursive: true });
  }
  Deno.chmodSync(`${staging}/tmp`, 0o1777);
  Deno.copyFileSync(BUSYBOX, `${staging}/bin/busybox`);
  Deno.chmodSync(`${staging}/bin/busybox`, 0o755);
  const listing = await new Deno.Command(BUSYBOX, { args: ["--list-full"] }).output();
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

if (import.meta.main) console.log(await busyboxRootfs(Deno.args[0]));
