/**
 * Test fixture: a real Debian bookworm userland from `debootstrap
 * --variant=minbase`, for the end-to-end build test (apt installs a package).
 *
 * `deno run -A scripts/debootstrap_rootfs.ts [DIR]` builds it (default
 * `.fixtures/debian-bookworm`) and prints its path. It takes a few minutes
 * and needs root, `debootstrap` (apt-get install debootstrap) and Debian's
 * mirror; a rootfs already there is reused.
 *
 * @module
 */

/** Where the fixture is built by default. */
export const DEFAULT_ROOTFS = new URL("../.fixtures/debian-bookworm", import.meta.url).pathname;

const MIRROR = "http://deb.debian.org/debian";

/** Builds the rootfs at `dir` unless it is there already; returns `dir`. */
export async function debootstrapRootfs(dir: string = DEFAULT_ROOTFS): Promise<string> {
  try {
    // The rootfs is renamed into place whole, so one that is there is complete.
    Deno.statSync(`${dir}/usr/bin/apt-get`);
    return dir;
  } catch {
    // Not built yet.
  }
  const staging = `${dir}.${Deno.pid}`;
  await Deno.remove(staging, { recursive: true }).catch(() => {});
  Deno.mkdirSync(staging, { recursive: true });
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("debootstrap", {
      args: ["--variant=minbase", "bookworm", staging, MIRROR],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error("debootstrap is missing: apt-get install debootstrap");
    }
    throw error;
  }
  if (!output.success) {
    await Deno.remove(staging, { recursive: true }).catch(() => {});
    const log = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    throw new Error(`debootstrap failed:\n${log.split("\n").slice(-20).join("\n")}`);
  }
  // apt's own cache is of no use to the tests and would be copied into every image.
  await Deno.remove(`${staging}/var/cache/apt/archives`, { recursive: true }).catch(() => {});
  Deno.mkdirSync(`${staging}/var/cache/apt/archives/partial`, { recursive: true });
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  Deno.renameSync(staging, dir);
  return dir;
}

if (import.meta.main) console.log(await debootstrapRootfs(Deno.args[0]));
