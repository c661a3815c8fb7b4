/**
 * Imports without root in one start: the archive is extracted as the caller,
 * and only what needs root of the caller's user namespace (owners other than
 * the caller, the set-id bits a chown clears, `security.*` xattrs; see
 * `core/tree/deferred_metadata.ts`) is done there, by one clone child that
 * shares plash's memory, after the extraction and before the layer is
 * published.
 *
 * The child does no more than a list of system calls on C strings made
 * before the clone: no Deno API, no import, no allocation (a dynamic import
 * or a Deno op in such a child has made Deno abort). What fails is written
 * to memory the parent reads once the child has exited. The namespace it
 * joins (a holder process and newuidmap, 5-10 ms) is made only then, after
 * the extraction, and only when something was deferred: most images and the
 * caller's own files need none. (It was made before every extraction while
 * children made after a large one spun now and then: that was V8's handler
 * chain pointing into an earlier child's stack, `ffi/spawn_in_namespaces.ts`.)
 *
 * @module
 */

import { SyscallError } from "../../ffi/errors.ts";
import { bindNow, cString, sym } from "../../ffi/libc.ts";
import { dieWithParent, spawnSharingMemory } from "../../ffi/spawn_in_namespaces.ts";
import { waitForExit } from "../../ffi/processes.ts";
import { closeFd, effectiveIds, processId } from "../../ffi/sys.ts";
import { PlashError } from "../errors.ts";
import { NeedsPrivilege } from "../privilege.ts";
import { plannedMapping } from "../runtime/id_map.ts";
import { mappedUserNamespace } from "../runtime/user_namespace.ts";
import { DeferredMetadata } from "../tree/deferred_metadata.ts";
import { warnOnce } from "../tree/unprivileged.ts";

const EPERM = 1;
const EACCES = 13;
/** The calls the child makes, numbered for the failure it reports. */
const CALLS = ["lchown", "lsetxattr", "chmod"] as const;

/**
 * Notes for an extraction as the caller, or undefined as root (of the host
 * or of a namespace), who sets everything while extracting. An owner is
 * mapped when it is the caller (0) or in the subordinate ranges plash maps.
 */
export function deferredMetadata(): DeferredMetadata | undefined {
  if (Deno.uid() === 0) return undefined;
  const { uid, gid } = effectiveIds();
  const { ranges } = plannedMapping(uid, gid);
  const uids = ranges?.uids.count ?? 0;
  const gids = ranges?.gids.count ?? 0;
  return new DeferredMetadata((u, g) => u <= uids && g <= gids);
}

/** One name's calls, every argument ready before the clone. */
interface Operation {
  shown: string;
  path: Uint8Array;
  uid: number;
  gid: number;
  mode: number;
  names: Uint8Array[];
  values: Uint8Array[];
  sizes: bigint[];
}

/**
 * Does what `deferred` noted, as root of the caller's user namespace (made
 * here, and closed), in one clone child; nothing, and no namespace, when
 * nothing was noted. `roots` are the layer
 * directories about to be published: one whose own owner is not the caller
 * could not be moved into the store by the caller, so that case throws
 * {@linkcode NeedsPrivilege} (the command then runs as namespace root).
 */
export async function applyDeferred(
  deferred: DeferredMetadata | undefined,
  roots: string[],
): Promise<void> {
  if (deferred === undefined || deferred.entries.size === 0) return;
  if (roots.some((root) => (deferred.entries.get(root)?.uid ?? -1) !== -1)) {
    throw new NeedsPrivilege();
  }
  const { uid, gid } = effectiveIds();
  const made = await mappedUserNamespace(plannedMapping(uid, gid));
  try {
    await inNamespace(deferred, made);
  } finally {
    closeFd(made);
  }
}

/** Does what `deferred` noted as root of the user namespace open as `namespace`, in one child. */
async function inNamespace(deferred: DeferredMetadata, namespace: number): Promise<void> {
  const ops: Operation[] = [...deferred.entries].map(([shown, entry]) => ({
    shown,
    path: cString(shown),
    uid: entry.uid,
    gid: entry.gid,
    mode: entry.mode ?? -1,
    names: entry.xattrs.map(([name]) => cString(name)),
    values: entry.xattrs.map(([, value]) => new Uint8Array(value)),
    sizes: entry.xattrs.map(([, value]) => BigInt(value.length)),
  }));
  // [operation + 1, call, errno] of the first failure; a refused xattr per operation.
  const failure = new Int32Array(3);
  const refused = new Uint8Array(ops.length);
  // Bound and made here: binding compiles code, and the child allocates
  // nothing (a heap being marked when the child ran JavaScript that
  // allocated crashed plash).
  // setns, prctl and getppid: spawnSharingMemory's and dieWithParent's calls in the child.
  bindNow("setns", "prctl", "getppid");
  const { lchown, lsetxattr, chmod, _exit } = sym;
  const errnoView = new Deno.UnsafePointerView(sym.__errno_location()!);
  const parent = processId();
  const pid = spawnSharingMemory(() => {
    dieWithParent(parent);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      let call = -1;
      if (op.uid !== -1 && lchown(op.path, op.uid, op.gid) < 0) call = 0;
      for (let x = 0; call < 0 && x < op.names.length; x++) {
        if (lsetxattr(op.path, op.names[x], op.values[x], op.sizes[x], 0) === 0) continue;
        const code = errnoView.getInt32();
        // Refused to namespace root as it was refused when plash restarted there: left out.
        if (code === EPERM || code === EACCES) refused[i] = 1;
        else call = 1;
      }
      // After the chown, which clears setuid and setgid bits.
      if (call < 0 && op.mode !== -1 && chmod(op.path, op.mode) < 0) call = 2;
      if (call >= 0) {
        failure[0] = i + 1;
        failure[1] = call;
        failure[2] = errnoView.getInt32();
        _exit(1);
      }
    }
    _exit(0);
  }, { userNamespaceFd: namespace, onError: () => 1 });
  const status = await waitForExit(pid);
  if (failure[0] > 0) {
    throw new SyscallError(CALLS[failure[1]], ops[failure[0] - 1].shown, failure[2]);
  }
  if (status !== 0) {
    throw new PlashError(`setting owners as root of the user namespace: exit status ${status}`);
  }
  if (refused.some((flag) => flag === 1)) warnOnce("xattr");
}
