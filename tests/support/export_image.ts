/**
 * Test support for the export tests: an image built with `plash build` that
 * has what layers can hold (several layers, a whiteout, an opaque
 * directory, a hard link, a setuid file, config), the tools that read
 * exports (umoci, skopeo, podman), and trees compared.
 *
 * @module
 */

import assert from "node:assert/strict";
import { manifest } from "./tar_fixtures.ts";
import { runCommand } from "./command.ts";
import type { TestStore } from "./plash.ts";

/** The build of {@linkcode builtImage}: three layers on busybox, the last one config only. */
export const BUILD = [
  "--run",
  "mkdir -p /srv/cache && echo old > /srv/cache/old && echo gone > /srv/gone",
  "echo hello > /srv/hello",
  "--layer",
  "--run",
  "rm /srv/gone && rm -rf /srv/cache && mkdir /srv/cache && echo new > /srv/cache/new",
  "ln /srv/hello /srv/hello-link && cp /bin/busybox /srv/suid && chmod 4755 /srv/suid",
  "--layer",
  "--env",
  "GREETING=hi",
  "--entrypoint",
  "/bin/cat",
];

/** Builds {@linkcode BUILD} on the busybox fixture in `store`; returns the image's id. */
export async function builtImage(store: TestStore, extra: string[] = []): Promise<string> {
  const base = await store.busybox();
  return await store.ok(["build", "--from", base, ...BUILD, ...extra]);
}

/** Whether a program is installed (scripts/setup-debian.sh installs them). */
export function installed(program: string): boolean {
  try {
    return Deno.statSync(`/usr/bin/${program}`).isFile;
  } catch {
    return false;
  }
}

/** Runs a program; fails the test unless it exits 0. Returns its stdout as text. */
export async function ok(program: string, args: string[], env?: Record<string, string>) {
  const output = await runCommand(program, args, { env });
  assert.equal(output.code, 0, `${program} ${args.join(" ")}: ${output.stderr}`);
  return new TextDecoder().decode(output.stdout);
}

/** Asserts that the trees at `actual` and `expected` hold the same files, metadata and all. */
export function assertSameTree(actual: string, expected: string): void {
  assert.deepEqual(manifest(actual), manifest(expected));
}

/** Every file under `dir` (relative names) with its bytes. */
export function filesOf(dir: string): Record<string, Uint8Array> {
  const found: Record<string, Uint8Array> = {};
  const visit = (path: string) => {
    for (const entry of Deno.readDirSync(`${dir}${path}`)) {
      const name = `${path}/${entry.name}`;
      if (entry.isDirectory) visit(name);
      else found[name.slice(1)] = Deno.readFileSync(`${dir}${name}`);
    }
  };
  visit("");
  return found;
}

/**
 * `podman run` as podman runs here (`TestPodman` adds runc, DESIGN.md): limits under the
 * machine's hard ones, no network, removed when done.
 */
export const PODMAN_RUN = [
  "run",
  "--rm",
  "--ulimit",
  "nofile=1024:1024",
  "--ulimit",
  "nproc=1024:1024",
  "--network=none",
];

/**
 * Podman with storage of its own in a temp dir (no image left in the host's
 * storage), run as Debian's podman runs here: runc, and ulimits below this
 * machine's hard limit (see DESIGN.md). Remove it with `await using`.
 */
export class TestPodman implements AsyncDisposable {
  readonly dir: string;

  constructor() {
    // In /tmp itself, not $TMPDIR: podman refuses a runroot path longer than 50 characters.
    this.dir = Deno.makeTempDirSync({ dir: "/tmp", prefix: "plash-podman-" });
  }

  /** `podman ARGS...` on this storage; fails the test unless it exits 0. */
  podman(args: string[]): Promise<string> {
    return ok("podman", this.args(args));
  }

  /** The argv (after `podman`) of `podman ARGS...` on this storage. */
  args(args: string[]): string[] {
    return [
      "--root",
      `${this.dir}/root`,
      "--runroot",
      `${this.dir}/run`,
      "--tmpdir",
      `${this.dir}/tmp`,
      "--storage-driver",
      "vfs",
      "--runtime",
      "runc",
      "--events-backend",
      "file",
      "--cgroup-manager",
      "cgroupfs",
      ...args,
    ];
  }

  /** `podman run` of `image` with `command` (and run `flags`), as podman can run here. */
  run(image: string, command: string[], flags: string[] = []): Promise<string> {
    return this.podman([...PODMAN_RUN, ...flags, image, ...command]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.podman(["rm", "--all", "--force"]);
      await this.podman(["rmi", "--all", "--force"]);
    } finally {
      Deno.removeSync(this.dir, { recursive: true });
    }
  }
}
