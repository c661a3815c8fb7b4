/**
 * The x86_64 release archive (unpacked) and its one-file form inside default
 * containers, as a CI job would use them: `podman --runtime runc run` with
 * podman's default capabilities and seccomp profile, of the Debian image and
 * of a glibc-free one (busybox-static only). Root there cannot mount, so
 * plash builds and runs without mounts; what each builds exports to the
 * layers the same build makes on the host with mounts.
 */

import assert from "node:assert/strict";
import { VERSION } from "../../core/version.ts";
import { busyboxRootfs } from "../../scripts/busybox_rootfs.ts";
import { debootstrapRootfs } from "../../scripts/debootstrap_rootfs.ts";
import { runCommand } from "../support/command.ts";
import { assertRound, hostLayers, roundScript } from "../support/container_round.ts";
import { distArchives, distOneFiles, Unpacked } from "../support/dist.ts";
import { HAVE_PODMAN, PodmanContainers } from "../support/podman_container.ts";
import { TempDirs } from "../support/temp_dirs.ts";

const NAME = `plash-${VERSION}-linux-x86_64`;

Deno.test({
  name: "in default containers the archive and the one file build, run and export without mounts",
  ignore: !HAVE_PODMAN || Deno.build.arch !== "x86_64",
}, async (t) => {
  using dirs = new TempDirs();
  const srv = dirs.make("plash-dist-srv-");
  // Copied out at once: a test run of other sources replaces .fixtures/dist's build.
  Deno.copyFileSync((await distOneFiles()).x86_64, `${srv}/${NAME}`);
  using unpacked = await Unpacked.from((await distArchives()).x86_64);
  await using podman = new PodmanContainers();
  const tar = await runCommand("tar", ["-C", await busyboxRootfs(), "-cf", "-", "."]);
  assert.equal(tar.code, 0, tar.stderr);
  Deno.writeFileSync(`${srv}/busybox.tar`, tar.stdout);
  const onHost = await hostLayers();
  // Both rounds in one container: each starts plash in a store of its own.
  const script = [
    roundScript(`/opt/${NAME}/bin/plash`, "/work/archive", "cat /srv/busybox.tar"),
    roundScript(`/srv/${NAME}`, "/work/one-file", "cat /srv/busybox.tar"),
  ].join("\n");

  const images = [["Debian", debootstrapRootfs], ["busybox-only", busyboxRootfs]] as const;
  for (const [kind, rootfs] of images) {
    await t.step(`in the ${kind} image`, async () => {
      const work = dirs.make("plash-dist-container-");
      const result = await podman.exec(await podman.image(await rootfs()), ["sh", "-c", script], {
        volumes: [
          { source: `${unpacked.dir}/${NAME}`, target: `/opt/${NAME}`, readOnly: true },
          { source: srv, target: "/srv", readOnly: true },
          { source: work, target: "/work" },
          // As a container with a network has it (--network=none gives busybox's tree none):
          // a build lends its runs the resolv.conf of where it runs, as the host build does.
          { source: "/etc/resolv.conf", readOnly: true },
        ],
        // The one file unpacks itself into ~/.cache/plash; busybox's tree has no /root.
        env: { HOME: "/work/home" },
      });
      assert.equal(result.code, 0, result.stderr);
      // Said once per store, and nothing else.
      const note = "plash: no mounts here (root without CAP_SYS_ADMIN cannot mount)";
      assert.deepEqual(
        result.stderr.trimEnd().split("\n").map((line) => line.slice(0, note.length)),
        [note, note],
      );
      await assertRound(`${work}/archive`, onHost);
      await assertRound(`${work}/one-file`, onHost);
      const cached = [...Deno.readDirSync(`${work}/home/.cache/plash`)].map((e) => e.name);
      assert.match(cached.join(" "), new RegExp(`^${NAME}-[0-9a-f]{64}$`), "the one file's own");
    });
  }
});
