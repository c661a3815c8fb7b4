/**
 * Test support: commands run inside a container as CI users run them, in
 * `podman --runtime runc run` with podman's DEFAULT capabilities and seccomp
 * profile (no --privileged, no --cap-add): root there has no CAP_SYS_ADMIN
 * and may not make user namespaces (DESIGN.md, "Inside a default container").
 *
 * Images are made from rootfs directories (`podman import` of a tar of the
 * tree: the Debian fixture, the busybox one), each once per storage, named by
 * a key of the tree's contents. The storage is the test's own (see
 * `TestPodman`), removed with `await using`.
 *
 * @example
 * ```ts
 * import { HAVE_PODMAN, PodmanContainers } from "./podman_container.ts";
 *
 * await using podman = new PodmanContainers();
 * const image = await podman.image("/srv/rootfs");
 * const { stdout } = await podman.run(image, ["cat", "/etc/os-release"]);
 * ```
 *
 * @module
 */

import { sha256Hex } from "../../core/sha256.ts";
import { runCommand } from "./command.ts";
import { installed, PODMAN_RUN, TestPodman } from "./export_image.ts";

/** Whether containers can be run here: as root, with podman installed. */
export const HAVE_PODMAN = Deno.uid() === 0 && installed("podman");

/** A host path bound into the container (`-v SOURCE:TARGET[:ro]`). */
export interface Volume {
  source: string;
  /** Where it shows in the container; the same path as on the host by default. */
  target?: string;
  readOnly?: boolean;
}

/** How to run a command in a container. */
export interface ContainerRun {
  volumes?: Volume[];
  env?: Record<string, string>;
  /** `--user`: a uid (or uid:gid) to run as instead of root. */
  user?: string;
  /** A seccomp profile (JSON) instead of podman's default. */
  seccomp?: string;
  stdin?: string;
}

/** What a command in a container did. */
export interface ContainerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Podman storage of the test's own, with images made from rootfs directories. */
export class PodmanContainers extends TestPodman {
  readonly #images = new Set<string>();

  /** The image of the rootfs at `rootfs`, imported the first time its contents are seen. */
  async image(rootfs: string): Promise<string> {
    const name = `localhost/plash-test-rootfs:${await contentKey(rootfs)}`;
    if (!this.#images.has(name)) {
      const tar = new Deno.Command("tar", {
        args: ["--numeric-owner", "--xattrs", "-C", rootfs, "-c", "."],
        stdout: "piped",
      }).spawn();
      const podman = new Deno.Command("podman", {
        args: this.args(["import", "--quiet", "-", name]),
        stdin: "piped",
        stdout: "null",
        stderr: "piped",
      }).spawn();
      await tar.stdout.pipeTo(podman.stdin);
      const [packed, imported] = await Promise.all([tar.status, podman.output()]);
      if (!packed.success || !imported.success) {
        throw new Error(`podman import of ${rootfs}: ${new TextDecoder().decode(imported.stderr)}`);
      }
      this.#images.add(name);
    }
    return name;
  }

  /** Runs `command` in a new container of `image` and returns what it did; removes it after. */
  async exec(image: string, command: string[], run: ContainerRun = {}): Promise<ContainerResult> {
    const flags = [
      ...(run.volumes ?? []).flatMap(({ source, target, readOnly }) => [
        "-v",
        `${source}:${target ?? source}${readOnly ? ":ro" : ""}`,
      ]),
      ...Object.entries(run.env ?? {}).flatMap(([name, value]) => ["-e", `${name}=${value}`]),
      ...(run.user === undefined ? [] : ["--user", run.user]),
      ...(run.seccomp === undefined ? [] : ["--security-opt", `seccomp=${run.seccomp}`]),
      ...(run.stdin === undefined ? [] : ["-i"]),
    ];
    const output = await runCommand(
      "podman",
      this.args([...PODMAN_RUN, ...flags, image, ...command]),
      { stdin: run.stdin },
    );
    return {
      code: output.code,
      stdout: new TextDecoder().decode(output.stdout),
      stderr: output.stderr,
    };
  }
}

/** A key of the tree at `root`: each entry's path, type, mode, owner, size and mtime. */
async function contentKey(root: string): Promise<string> {
  const lines: string[] = [];
  const walk = (path: string) => {
    for (const { name } of Deno.readDirSync(`${root}${path}`)) {
      const rel = `${path}/${name}`;
      const info = Deno.lstatSync(`${root}${rel}`);
      lines.push(
        `${rel} ${info.mode} ${info.uid}:${info.gid} ${info.size} ${info.mtime?.getTime()}`,
      );
      if (info.isDirectory) walk(rel);
    }
  };
  walk("");
  return (await sha256Hex(new TextEncoder().encode(lines.sort().join("\n")))).slice(0, 16);
}
