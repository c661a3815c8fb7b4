/**
 * Test support: a bare host to drop plash onto. A copy of the debootstrap
 * minbase Debian root (`scripts/debootstrap_rootfs.ts`; no node, npm or deno
 * in it), or of another root tree (a busybox-static one has no C library at
 * all), entered as a container would be: a mount namespace of its own with
 * the copy as its root (pivot_root, not chroot: the kernel refuses a user
 * namespace to a chrooted process, and plash makes one without root), /proc,
 * /dev and /sys mounted, and no network (a network namespace with nothing in
 * it). Each command gets a fresh namespace, gone when it ends: no mount is
 * left behind. As root only.
 *
 * @module
 */

import { debootstrapRootfs } from "../../scripts/debootstrap_rootfs.ts";
import { runCommand } from "./command.ts";

/** The environment a command starts with inside: nothing of the test's. */
const PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** How the copy becomes the root of a new mount namespace, then runs "$@". */
const ENTER = `set -e
root=$1
shift
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys"
cd "$root"
mkdir -p .host
pivot_root . .host
cd /
umount -l /.host
rmdir /.host
exec "$@"`;

/** What a command inside did. */
export interface RootResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A copied Debian root; removed with `using`. */
export class BareRoot implements Disposable {
  /** The copy, on the host. */
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  /**
   * A fresh copy of root tree `fixture`, by default the debootstrap fixture
   * (built first when missing: a few minutes).
   */
  static async make(fixture?: string): Promise<BareRoot> {
    fixture ??= await debootstrapRootfs();
    const dir = Deno.makeTempDirSync({ prefix: "plash-bare-root-" });
    const root = new BareRoot(`${dir}/root`);
    const cp = await runCommand("cp", ["-a", fixture, root.path]);
    if (cp.code !== 0) {
      root[Symbol.dispose]();
      throw new Error(`cp of ${fixture}: ${cp.stderr}`);
    }
    return root;
  }

  /**
   * Runs `script` with sh inside, as root or as `user` (a user of the root),
   * with only PATH, HOME and `env` set.
   */
  async sh(
    script: string,
    options: { user?: string; env?: Record<string, string>; stdin?: string } = {},
  ): Promise<RootResult> {
    const user = options.user ?? "root";
    const home = user === "root" ? "/root" : `/home/${user}`;
    const env = Object.entries({ PATH, HOME: home, USER: user, ...options.env })
      .map(([name, value]) => `${name}=${value}`);
    const become = user === "root"
      ? []
      : ["setpriv", `--reuid=${user}`, `--regid=${user}`, "--init-groups"];
    const argv = [...become, "env", "-i", ...env, "sh", "-c", script];
    const result = await runCommand(
      "unshare",
      [
        "--mount",
        "--propagation",
        "private",
        "--net",
        "sh",
        "-c",
        ENTER,
        "enter",
        this.path,
        ...argv,
      ],
      { stdin: options.stdin, env: { PATH } },
    );
    return {
      code: result.code,
      stdout: new TextDecoder().decode(result.stdout),
      stderr: result.stderr,
    };
  }

  /** Like {@linkcode sh}, and fails unless the script exits 0; returns its trimmed stdout. */
  async ok(script: string, options: { user?: string; env?: Record<string, string> } = {}) {
    const result = await this.sh(script, options);
    if (result.code !== 0) {
      throw new Error(
        `in the bare root (${
          options.user ?? "root"
        }): ${script}: exit ${result.code}: ${result.stderr}`,
      );
    }
    return result.stdout.trim();
  }

  [Symbol.dispose](): void {
    Deno.removeSync(this.path.slice(0, this.path.lastIndexOf("/")), { recursive: true });
  }
}
