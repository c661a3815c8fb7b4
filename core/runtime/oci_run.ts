/**
 * `plash runc`: an image run by an OCI runtime (runc, crun or
 * `$PLASH_OCI_RUNTIME`, see `oci_runtime.ts`) from a throwaway bundle in the
 * store's tmp, for the isolation plash itself does not give: its own pid,
 * ipc and uts namespaces, docker's capabilities.
 *
 * Plash writes the bundle as its caller; the child that becomes the runtime
 * (a clone sharing plash's memory: no second Deno start), without root
 * joined to plash's user namespace first, makes a mount namespace of its own
 * and mounts the overlay there, which only the runtime sees: it is gone when
 * the runtime has ended. The bundle's directory is named after the runtime's
 * process (the child renames it there before its exec), so `plash clean`
 * leaves it while the runtime runs, also after a SIGKILL of plash, and
 * removes it once the runtime has ended; a normal end, Ctrl-C included,
 * removes it at once, what the container's subordinate ids own included
 * (`remove_staged.ts`). The runtime's exit status is the container's
 * (128 + N for signal N), and plash passes its signals on to it, which
 * passes them to the container.
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
import { bindNow, cString } from "../../ffi/libc.ts";
import { tryRemoveEntry } from "../../ffi/remove_tree.ts";
import { effectiveIds, enterPrivateMountNamespace, execve, rename } from "../../ffi/sys.ts";
import { inUserNamespace } from "../../ffi/namespaces.ts";
import type { Store } from "../store/store.ts";
import { ownTmpDirMaker } from "../store/tmp.ts";
import { explainRefusal } from "./host_support.ts";
import { mountImageLayers, openWorkDir } from "./image_root.ts";
import { orAsImageRoot } from "./image_root_reader.ts";
import { type BundleSpec, writeBundle } from "./oci_bundle.ts";
import { chooseOciRuntime } from "./oci_runtime.ts";
import { removeStaged } from "./remove_staged.ts";
import { reportInChild, SignalRelay, spawnAsNamespaceRoot } from "./user_namespace.ts";

/** What to run: a bundle's spec, less what `plash runc` decides itself. */
export type OciRunSpec = Omit<BundleSpec, "copy" | "mode" | "unmounted">;

/**
 * Runs `spec`'s image with the OCI runtime and returns its exit status. As
 * root of the host or of a user namespace the runtime is plash's child;
 * otherwise it is root of plash's user namespace.
 */
export async function runOci(spec: OciRunSpec): Promise<number> {
  const runtime = chooseOciRuntime();
  const store: Store = spec.store;
  const { uid } = effectiveIds();
  const stage = store.makeTmpDir();
  let dir = stage;
  try {
    const mode = uid !== 0 || inUserNamespace() ? "namespaced" : "root";
    // Without root the bundle maps the ids of the namespace its runtime will be root of. An
    // account file of the image closed to the caller (a subordinate id's, mode 0600) is read
    // as root of that namespace: plash starts again there.
    const { overlay } = await orAsImageRoot(() =>
      writeBundle(`${stage}/bundle`, { ...spec, copy: false, mode, unmounted: true })
    );
    const env = Object.entries(Deno.env.toObject()).map(([name, value]) => `${name}=${value}`);
    const name = `plash-${Deno.pid}-${crypto.getRandomValues(new Uint32Array(1))[0]}`;
    // What the child does is system calls alone, bound now (see ffi/spawn_in_namespaces.ts).
    const makeOwnTmpDir = ownTmpDirMaker(store);
    const stageName = cString(stage);
    bindNow("unshare", "mount", "fsopen", "fsconfig", "fsmount", "move_mount", "fchdir", "chdir");
    bindNow("renameat", "unlinkat", "execve");
    using relay = new SignalRelay();
    const body = () => {
      // The overlay is seen by the runtime alone, and goes when it ends.
      explainRefusal(enterPrivateMountNamespace);
      mountImageLayers(overlay!);
      // The bundle becomes this process's: `clean` keeps it while the runtime runs.
      dir = makeOwnTmpDir();
      rename(`${stage}/bundle`, `${dir}/bundle`);
      tryRemoveEntry(stageName, true);
      execve(runtime.path, [
        runtime.name,
        "--root",
        `${dir}/state`,
        "run",
        "--bundle",
        `${dir}/bundle`,
        name,
      ], env);
    };
    const pid = uid === 0
      ? spawnSharingMemory(body, { onError: reportInChild })
      : await spawnAsNamespaceRoot(body);
    return await relay.wait(pid);
  } finally {
    // Removed as the caller, unless the container left files of subordinate ids.
    openWorkDir(`${dir}/bundle/changes/work`);
    await removeStaged(dir);
    if (dir !== stage) await removeStaged(stage);
  }
}
