/**
 * A Debian package's files without installing it, for roots other than this
 * machine's own (the tests' copied Debian root and arm64 rootfs, the C library
 * a release archive carries): `apt-get download` (from Debian's mirror, any
 * architecture apt knows) into a cache directory (the tests' `.fixtures/debs/`
 * unless told), reused after, then `dpkg -x`. No maintainer scripts run:
 * whoever unpacks does their work (a setuid bit, say).
 *
 * `deno run -A scripts/debian_package.ts PACKAGE[:ARCH] DIR` unpacks it into DIR.
 *
 * @module
 */

/** Where downloaded packages are kept. */
export const DEBS = new URL("../.fixtures/debs", import.meta.url).pathname;

async function run(program: string, args: string[], cwd?: string): Promise<void> {
  let output: Deno.CommandOutput;
  try {
    // A missing program throws here, not in the promise.
    output = await new Deno.Command(program, { args, cwd, stdout: "piped", stderr: "piped" })
      .output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new Error(`${program} is missing`);
    throw error;
  }
  if (!output.success) {
    const log = new TextDecoder().decode(output.stderr).trim();
    throw new Error(`${program} ${args.join(" ")}: ${log.split("\n").at(-1)}`);
  }
}

/**
 * The `.deb` of `spec` (`uidmap`, `busybox-static:arm64`), downloaded once
 * into `cache` (default {@linkcode DEBS}) and kept there.
 */
export async function debianPackage(spec: string, cache = DEBS): Promise<string> {
  const dir = `${cache}/${spec.replace(":", "_")}`;
  const find = () => [...Deno.readDirSync(dir)].find((entry) => entry.name.endsWith(".deb"));
  try {
    // The directory is renamed into place holding its package, so one that is there is whole.
    const found = find();
    if (found) return `${dir}/${found.name}`;
  } catch {
    // Not downloaded yet.
  }
  Deno.mkdirSync(cache, { recursive: true });
  const staging = Deno.makeTempDirSync({ dir: cache, prefix: ".download-" });
  try {
    // apt's _apt user cannot write here, so apt downloads as root and says so: harmless.
    await run("apt-get", ["download", "-q", spec], staging);
    Deno.renameSync(staging, dir);
  } catch (error) {
    Deno.removeSync(staging, { recursive: true });
    throw error;
  }
  return `${dir}/${find()!.name}`;
}

/**
 * Unpacks the files of package `spec` into `dir` (made if missing), as
 * `dpkg -x` does; the package is downloaded into `cache` when not there.
 */
export async function unpackDebianPackage(spec: string, dir: string, cache = DEBS): Promise<void> {
  await run("dpkg", ["-x", await debianPackage(spec, cache), dir]);
}

if (import.meta.main) {
  const [spec, dir] = Deno.args;
  await unpackDebianPackage(spec, dir);
}
