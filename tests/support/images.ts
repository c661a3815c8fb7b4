/**
 * Test support for the image import tests: the busybox fixture as an OCI
 * layer, and the architectures of the multi-platform tests.
 *
 * @module
 */

import assert from "node:assert/strict";
import { busyboxRootfs } from "../../scripts/busybox_rootfs.ts";
import { runCommand } from "./command.ts";
import { type Layer, layer } from "./oci_image.ts";

let busybox: Promise<Layer> | undefined;

/** The busybox rootfs as a gzip layer (made once per test process). */
export function busyboxLayer(): Promise<Layer> {
  busybox ??= (async () => {
    const rootfs = await busyboxRootfs();
    const tar = await runCommand("tar", ["-C", rootfs, "--owner=0", "--group=0", "-c", "."]);
    assert.equal(tar.code, 0, tar.stderr);
    return await layer(tar.stdout, "gzip");
  })();
  return busybox;
}

/** The architecture docker calls this host's. */
export const HOST_ARCH = Deno.build.arch === "aarch64" ? "arm64" : "amd64";
/** Another one, for the multi-platform tests. */
export const OTHER_ARCH = HOST_ARCH === "amd64" ? "arm64" : "amd64";
