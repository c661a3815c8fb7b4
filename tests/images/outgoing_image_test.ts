/**
 * The outgoing-image interface (`core/images/outgoing_image.ts`): the
 * layout and docker archive writers take any image that has layers as
 * streams and a config, not only an image of the store. One made here from
 * two directories goes out through each writer and comes back in through
 * the matching reader, and runs.
 */

import assert from "node:assert/strict";
import { busyboxRootfs } from "../../scripts/busybox_rootfs.ts";
import { writeDockerArchive } from "../../core/images/docker_archive/write_docker_archive.ts";
import { layerBlobStream } from "../../core/images/layer_blob.ts";
import { writeOciLayout } from "../../core/images/layout/write_layout.ts";
import { OCI_CONFIG } from "../../core/images/oci/media_types.ts";
import { documentsOf, type OutgoingImage } from "../../core/images/outgoing_image.ts";
import { HOST_ARCH } from "../support/images.ts";
import { TestStore } from "../support/plash.ts";
import { TempDirs } from "../support/temp_dirs.ts";

/** An image of the directories `dirs` (the bottom one first) that runs `cmd`; no store made it. */
function imageOf(dirs: string[], cmd: string[]): OutgoingImage {
  return {
    layers: dirs.map((dir, i) => ({
      id: i + 1,
      name: `layer ${i + 1}`,
      open: (compression, progress, signal) => layerBlobStream(dir, compression, progress, signal),
    })),
    documents: (written) => {
      const config = {
        architecture: HOST_ARCH,
        os: "linux",
        config: { Cmd: cmd },
        rootfs: { type: "layers", diff_ids: written.map(({ blob }) => blob.diffId) },
      };
      return documentsOf(config, OCI_CONFIG, written);
    },
  };
}

Deno.test("an image from outside the store goes out through each writer and back in", async () => {
  using temp = new TempDirs();
  const top = temp.make();
  Deno.writeTextFileSync(`${top}/who`, "outgoing\n");
  const image = imageOf([await busyboxRootfs(), top], ["cat", "/who"]);
  using store = new TestStore();

  const layout = `${temp.make()}/layout`;
  const written = await writeOciLayout(image, layout, { stage: temp.make(), title: "layout" });
  assert.equal(written.layers.length, 2);
  const fromLayout = await store.ok(["import-oci", layout]);
  assert.equal(await store.ok(["run", fromLayout]), "outgoing");

  const archive = `${temp.make()}/image.tar`;
  await writeDockerArchive(image, archive, {
    stage: temp.make(),
    title: "archive",
    compression: "none",
    tag: "outgoing:1",
  });
  const fromArchive = await store.ok(["import-docker-archive", archive]);
  assert.equal(await store.ok(["run", fromArchive]), "outgoing");
  assert.equal(await store.ok(["run", "outgoing:1"]), "outgoing", "the archive's tag names it");
});
