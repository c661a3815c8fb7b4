/**
 * An image's layers read without root as root of plash's user namespace
 * sees them, in the caller's own process: what lets `export-*` and `push`
 * run in one Deno start rootless.
 *
 * Outside the namespace a layer's files show host ids (the caller, its
 * subordinate range): the walk turns them back into the image's through the
 * namespace's id maps (`id_map.ts`), an id outside them into the overflow id
 * as the kernel shows it there, and a file capability's root id likewise.
 * Image root is the caller, so most files are the caller's to read; where
 * one is not (an owner of the subordinate range and mode 0600 or 0700, such
 * as apt's `partial` directories, or mode 0) the command goes on as root of
 * the namespace (`core/privilege.ts`: plash starts again there, as every
 * rootless export did before): after the export failed and removed what it
 * had made ({@linkcode orAsImageRoot}), or, for an archive on stdout, which
 * cannot be taken back, after a look at every file's permission before
 * anything is written.
 *
 * (Reading only those files from a clone child in the namespace, whose
 * descriptors plash would share, was tried: a clone child's JavaScript
 * crashes plash when it runs from inside a stream's pull, and a `Deno.dlopen`
 * function, a V8 fast call, spins there.)
 *
 * @example
 * ```ts
 * import { readLayersAsImageRoot } from "./image_root_reader.ts";
 *
 * const layers = ["/store/layer/2", "/store/layer/1"];
 * readLayersAsImageRoot(layers, { lookFirst: true }); // or NeedsPrivilege
 * ```
 *
 * @module
 */

import { SyscallError } from "../../ffi/errors.ts";
import { effectiveIds, mayRead } from "../../ffi/sys.ts";
import { needPrivilege } from "../privilege.ts";
import { layerFiles, OWN_VIEW, readLayersWith } from "../tree/layer_files.ts";
import { type IdRange, plannedMapping } from "./id_map.ts";

/**
 * From now on, this process reads layer files as root of plash's user
 * namespace would (see the module's documentation); as root, as it is.
 * With `lookFirst`, throws `NeedsPrivilege` when the caller may not read
 * all of `layers`.
 */
export function readLayersAsImageRoot(
  layers: string[],
  options: { lookFirst?: boolean } = {},
): void {
  const { uid, gid } = effectiveIds();
  if (uid === 0 || layers.length === 0) return;
  if (options.lookFirst && !layers.every(readableTree)) needPrivilege();
  const { ranges } = plannedMapping(uid, gid);
  const imageUid = idInImage(uid, ranges?.uids);
  const imageGid = idInImage(gid, ranges?.gids);
  const overflowUid = overflowId("uid");
  const overflowGid = overflowId("gid");
  // Only the image's files: the export's own (a layout copied to another filesystem) stay
  // as they are, the caller's.
  const top = commonDirectory(layers);
  const inImage = (path: string) => path === top || path.startsWith(`${top}/`);
  readLayersWith({
    lstat: (path) => {
      const info = OWN_VIEW.lstat(path);
      if (!inImage(path)) return info;
      return {
        ...info,
        uid: info.uid === null ? null : imageUid(info.uid) ?? overflowUid,
        gid: info.gid === null ? null : imageGid(info.gid) ?? overflowGid,
      };
    },
    xattrs: (path) => {
      const xattrs = OWN_VIEW.xattrs(path);
      if (!inImage(path)) return xattrs;
      const capability = xattrs.get(CAPABILITY);
      if (capability) xattrs.set(CAPABILITY, capabilityInImage(capability, imageUid));
      return xattrs;
    },
  });
}

/**
 * Runs `read`, which reads the image of `layers`, with them read as root of
 * plash's user namespace sees them ({@linkcode readLayersAsImageRoot}) and a
 * refusal turned into `NeedsPrivilege` ({@linkcode orAsImageRoot}); then
 * reads layers as before: for a command that reads other files (a build's
 * checkpoints, which read the layers as they are) or other images after.
 */
export async function readingAsImageRoot<T>(
  layers: string[],
  read: () => Promise<T>,
): Promise<T> {
  const view = layerFiles();
  readLayersAsImageRoot(layers);
  try {
    return await orAsImageRoot(read);
  } finally {
    readLayersWith(view);
  }
}

/** The deepest directory that holds all of `paths` (a chain's layers nest in its first node). */
function commonDirectory(paths: string[]): string {
  let common = paths[0].split("/");
  for (const path of paths.slice(1)) {
    const parts = path.split("/");
    let same = 0;
    while (same < common.length && common[same] === parts[same]) same++;
    common = common.slice(0, same);
  }
  return common.join("/");
}

/**
 * Runs `exported`, an export that removes what it made when it fails; where
 * it failed because a file of the image was refused to a caller without
 * root, throws `NeedsPrivilege` instead, and the command starts again as
 * root of the namespace.
 */
export async function orAsImageRoot<T>(exported: () => Promise<T>): Promise<T> {
  try {
    return await exported();
  } catch (error) {
    if (effectiveIds().uid !== 0 && refusedSomewhere(error)) needPrivilege();
    throw error;
  }
}

/** Whether `error`, or an error it was made from, is the kernel refusing the caller. */
function refusedSomewhere(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof Deno.errors.PermissionDenied) return true;
    if (cause instanceof SyscallError && cause.code === "EACCES") return true;
  }
  return false;
}

/**
 * Whether the caller may read every directory and regular file under `dir`
 * (and their `user.*` xattrs, which need the same): one access(2) each, the
 * kind read from the directory. A symlink is read without permission, and a
 * device or fifo is never opened.
 */
function readableTree(dir: string): boolean {
  if (!mayRead(dir, true)) return false;
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory ? !readableTree(path) : entry.isFile && !mayRead(path)) return false;
  }
  return true;
}

/**
 * The host id to image id function of one map: the caller is 0, its range
 * 1..N (`plannedMapping`'s maps); undefined for an id the map leaves out.
 */
function idInImage(caller: number, range: IdRange | undefined) {
  return (id: number): number | undefined => {
    if (id === caller) return 0;
    if (range && id >= range.start && id < range.start + range.count) return id - range.start + 1;
    return undefined;
  };
}

/** The id the kernel shows for an unmapped owner (65534 unless set otherwise). */
function overflowId(kind: "uid" | "gid"): number {
  try {
    return Number(Deno.readTextFileSync(`/proc/sys/kernel/overflow${kind}`).trim());
  } catch {
    return 65534;
  }
}

const CAPABILITY = "security.capability";
const REVISION_MASK = 0xff000000;
const REVISION_2 = 0x02000000;
const REVISION_3 = 0x03000000;
/** The size of a revision 2 value: a revision 3 one adds the root id (4 bytes). */
const REVISION_2_SIZE = 20;

/**
 * A file capability as the kernel shows it in the namespace: a revision 3
 * value (which names the root id it was set by, a host id) becomes revision 2
 * where that id is the namespace's root or the host's, and keeps its root id
 * turned into the image's otherwise (see the kernel's cap_inode_getsecurity).
 */
function capabilityInImage(
  value: Uint8Array,
  imageUid: (id: number) => number | undefined,
): Uint8Array {
  if (value.length !== REVISION_2_SIZE + 4) return value;
  const view = new DataView(value.buffer, value.byteOffset, value.length);
  const magic = view.getUint32(0, true);
  if ((magic & REVISION_MASK) >>> 0 !== REVISION_3) return value;
  const rootId = view.getUint32(REVISION_2_SIZE, true);
  const mapped = imageUid(rootId);
  if (mapped === 0 || rootId === 0) {
    const shown = value.slice(0, REVISION_2_SIZE);
    new DataView(shown.buffer).setUint32(0, ((magic & ~REVISION_MASK) | REVISION_2) >>> 0, true);
    return shown;
  }
  if (mapped === undefined) return value;
  const shown = value.slice();
  new DataView(shown.buffer).setUint32(REVISION_2_SIZE, mapped, true);
  return shown;
}
