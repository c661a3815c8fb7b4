/**
 * Test support: an image run with container edits given as JSON in
 * `PLASH_TEST_EDITS` (what the CDI reader will hand over), through the
 * library, as `plash run`, `plash runc` and `plash bundle` run it:
 *
 *     deno run -A tests/support/run_with_edits.ts run|runc ID CMD...
 *     deno run -A tests/support/run_with_edits.ts bundle [--copy] ID DIR CMD...
 *     deno run -A tests/support/run_with_edits.ts mountless ID ROOT CMD...
 *
 * `mountless` runs the image's spec without mounts in ROOT, a directory
 * holding the image's files, as `PLASH_NO_UNSHARE=1` will.
 *
 * Without root, `runc` and `bundle` need plash's user namespace: run this
 * inside `plash sudo`, as `plash runc` and `plash bundle` are.
 *
 * @module
 */

import { inUserNamespace } from "../../ffi/namespaces.ts";
import { errorLine } from "../../core/errors.ts";
import type { ContainerEdits } from "../../core/runtime/container_edits.ts";
import { containerSpec } from "../../core/runtime/container_spec.ts";
import { executePlan, prepareExecution } from "../../core/runtime/execute.ts";
import { writeBundle } from "../../core/runtime/oci_bundle.ts";
import { copyImage } from "../../core/images/copy_image.ts";
import { containerOps } from "../../core/runtime/plan.ts";
import { runOci } from "../../core/runtime/oci_run.ts";
import { runImage } from "../../core/runtime/run_image.ts";
import { Store } from "../../core/store/store.ts";

const edits: ContainerEdits = JSON.parse(Deno.env.get("PLASH_TEST_EDITS") ?? "{}");
const [mode, ...rest] = Deno.args;
const store = Store.open();
try {
  if (mode === "run") {
    const [id, ...command] = rest;
    Deno.exit(await runImage({ store, id: Number(id), command, imageUser: true, edits }));
  } else if (mode === "runc") {
    const [id, ...command] = rest;
    Deno.exit(
      await runOci({ store, id: Number(id), command, options: {}, network: "host", edits }),
    );
  } else if (mode === "mountless") {
    const [id, root, ...command] = rest;
    const spec = containerSpec({ store, id: Number(id), command, imageUser: true, edits });
    executePlan(await prepareExecution(containerOps(spec, { root })));
  } else {
    const copy = rest[0] === "--copy";
    const [id, dir, ...command] = copy ? rest.slice(1) : rest;
    const rootless = inUserNamespace();
    await writeBundle(dir, {
      store,
      id: Number(id),
      command,
      options: {},
      copy: copy && copyImage,
      network: "host",
      mode: rootless ? "rootless" : "root",
      edits,
    });
  }
} catch (error) {
  console.error(errorLine(error));
  Deno.exit(1);
}
