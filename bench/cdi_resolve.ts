/**
 * What a `--device` request costs a start: resolves the requests against the
 * CDI spec directory DIR and prints how many device nodes came out. With no
 * request the reader is not loaded (a run without `--device`). The FFI
 * bindings are loaded either way, as every run loads them.
 *
 * usage: deno run -A bench/cdi_resolve.ts DIR [REQUEST...]   (see bench/cdi.sh)
 *
 * @module
 */

// Loaded by every run already (the mounts): not the reader's cost.
import "../ffi/sys.ts";

const [dir, ...requests] = Deno.args;
if (requests.length) {
  const { resolveDevices } = await import("../core/runtime/cdi/resolve.ts");
  const edits = await resolveDevices(requests, { specDirs: [dir] });
  console.log(edits.deviceNodes.length);
}
