/**
 * `PLASH_NO_UNSHARE=1`: running an image where mounting is forbidden (root
 * without CAP_SYS_ADMIN, as in docker's default capabilities). The image's
 * layers are merged once into one directory, `<node>/_data/flat`, whose
 * files are hard links to the layers', and the command is chrooted there.
 *
 * Nothing is mounted, so nothing of the host is shared (/proc, /dev, /tmp
 * ...), and changes are not discarded: they land in the flat directory, and a
 * write into an existing file in place changes the layer it links to.
 *
 * @module
 */

import type { Store } from "../store/store.ts";
import { removeTree } from "../store/tmp.ts";
import { copyTree } from "../tree/copy_tree.ts";
import { executePlan, prepareExecution } from "./execute.ts";
import { requireMounts } from "./host_support.ts";
import { commandOps, type RunSpec } from "./plan.ts";

/** The flat directory of an image, made on first use. */
export function flatRoot(store: Store, id: number): string {
  const chain = store.chain(id);
  const flat = `${store.nodeOf(chain)}/_data/flat`;
  try {
    Deno.statSync(flat);
    return flat;
  } catch {
    // Not made yet.
  }
  const stage = store.makeTmpDir();
  try {
    copyTree(store.layersOf(chain), `${stage}/flat`, { linkFiles: true });
    try {
      Deno.renameSync(`${stage}/flat`, flat);
    } catch (error) {
      // Another plash made it meanwhile: theirs is as good.
      if (!(error instanceof Deno.errors.AlreadyExists) && !isNotEmpty(error)) throw error;
    }
  } finally {
    removeTree(stage);
  }
  return flat;
}

function isNotEmpty(error: unknown): boolean {
  return error instanceof Error && /not empty/i.test(error.message);
}

/** Replaces this process with the command, chrooted into the image's flat directory. */
export async function runChrootOnly(spec: RunSpec): Promise<never> {
  if (spec.changesDir !== undefined) requireMounts("run --changes");
  const host = { cwd: Deno.cwd(), env: Deno.env.toObject() };
  const root = flatRoot(spec.store, spec.id);
  executePlan(
    await prepareExecution({
      ops: [{ op: "chroot", root }, ...commandOps(spec, spec.store.config(spec.id), host)],
    }),
  );
}
