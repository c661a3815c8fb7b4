/**
 * `plash runc`: an image run by an OCI runtime (runc, crun or
 * `$PLASH_OCI_RUNTIME`, see `oci_runtime.ts`) from a throwaway bundle in the
 * store's tmp, for the isolation plash itself does not give: its own pid,
 * ipc and uts namespaces, docker's capabilities.
 *
 * The overlay is mounted in a mount namespace of plash's own thread, which
 * the runtime's process shares and nobody else sees: it is gone when both
 * have ended. The bundle's directory is named after the runtime's process
 * (the child renames it there before its exec), so `plash clean` leaves it
 * while the runtime runs, also after a SIGKILL of plash, and removes it once
 * the runtime has ended; a normal end, Ctrl-C included, removes it at once.
 * The runtime's exit status is the container's (128 + N for signal N), and
 * plash passes its signals on to it, which passes them to the container.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runOci } from "./oci_run.ts";
 * import { Store } from "../store/store.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * const store = Store.create(`${dir}/store`);
 * const layer = store.makeTmpDir();
 * Deno.mkdirSync(`${layer}/bin`);
 * Deno.copyFileSync("/bin/busybox", `${layer}/bin/true`); // a static busybox is `true`
 * const id = store.addLayer(0, layer);
 * // runc or crun on PATH (as root here)
 * const status = await runOci({ store, id, command: ["true"], options: {}, network: "host" });
 * assert.equal(status, 0);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { spawnSharingMemory } from "../../ffi/spawn_in_namespaces.ts";
import { enterPrivateMountNamespace, execve, processId, umount } from "../../ffi/sys.ts";
import { inUserNamespace } from "../../ffi/namespaces.ts";
import type { Store } from "../store/store.ts";
import { removeTree } from "../store/tmp.ts";
import { explainRefusal } from "./host_support.ts";
import { type BundleSpec, writeBundle } from "./oci_bundle.ts";
import { chooseOciRuntime } from "./oci_runtime.ts";
import { reportInChild, SignalRelay } from "./user_namespace.ts";

const MNT_DETACH = 2;

/** What to run: a bundle's spec, less what `plash runc` decides itself. */
export type OciRunSpec = Omit<BundleSpec, "copy" | "mode">;

/**
 * Runs `spec`'s image with the OCI runtime and returns its exit status.
 * Needs root, of the host or of plash's user namespace.
 */
export async function runOci(spec: OciRunSpec): Promise<number> {
  const runtime = chooseOciRuntime();
  const store: Store = spec.store;
  explainRefusal(enterPrivateMountNamespace);
  const stage = store.makeTmpDir();
  let dir = stage;
  try {
    const mode = inUserNamespace() ? "namespaced" : "root";
    await writeBundle(`${stage}/bundle`, { ...spec, copy: false, mode });
    const env = Object.entries(Deno.env.toObject()).map(([name, value]) => `${name}=${value}`);
    const name = `plash-${Deno.pid}-${crypto.getRandomValues(new Uint32Array(1))[0]}`;
    using relay = new SignalRelay();
    const pid = spawnSharingMemory(() => {
      // The bundle becomes this process's: `clean` keeps it while the runtime runs.
      const owned = store.makeTmpDir(processId());
      Deno.renameSync(`${stage}/bundle`, `${owned}/bundle`);
      dir = owned;
      Deno.removeSync(stage);
      execve(runtime.path, [
        runtime.name,
        "--root",
        `${owned}/state`,
        "run",
        "--bundle",
        `${owned}/bundle`,
        name,
      ], env);
    }, { onError: reportInChild });
    return await relay.wait(pid);
  } finally {
    try {
      umount(`${dir}/bundle/rootfs`, MNT_DETACH);
    } catch {
      // Not mounted: the bundle was not made.
    }
    removeTree(dir);
    if (dir !== stage) removeTree(stage);
  }
}
