/**
 * The differential test of `plash bud`: the same Dockerfiles built by
 * Debian's buildah (`buildah bud --isolation chroot`, in a store of its own,
 * root only) and by plash, on the same busybox base, must give the same
 * files (type, mode, owner, content, link target; not mtimes) and the same
 * config.
 */

import assert from "node:assert/strict";
import {
  budOk,
  hidingStage,
  ociConfig,
  THROUGH_HIDDEN_PATHS,
  writeContext,
} from "../support/bud.ts";
import { installed, ok, TestPodman } from "../support/export_image.ts";
import { TestStore } from "../support/plash.ts";
import { TempDirs } from "../support/temp_dirs.ts";
import { manifest } from "../support/tar_fixtures.ts";

const CONTEXT = {
  "a.txt": "a\n",
  "b.txt": "b\n",
  "dir/x": "x\n",
  "dir/sub/y": "y\n",
  "dir/link": { link: "x" },
  "top-link": { link: "a.txt" },
  "skip.log": "skipped\n",
  ".dockerignore": "*.log\n",
};

/** The Dockerfiles both build, each from `localhost/base`. */
const DOCKERFILES: Record<string, string[]> = {
  instructions: [
    "FROM localhost/base",
    "ARG V=7",
    'ENV A=1 B="two words"',
    "WORKDIR /app",
    "COPY a.txt dir ./",
    "COPY --chown=5:6 --chmod=600 a.txt /owned",
    'RUN echo "v=$V a=$A b=$B" > /app/out',
    "USER 5",
    "LABEL x=y",
    "EXPOSE 80 53/udp",
    'CMD ["cat", "/app/out"]',
  ],
  copyRules: [
    "FROM localhost/base",
    "COPY dir /d1",
    "COPY dir/ /d2/",
    "COPY a.txt /file",
    "COPY a.txt /into/",
    "COPY *.txt /glob/",
    "COPY top-link /followed",
    "COPY . /all/",
    "USER 5:6",
    "WORKDIR rel",
    "WORKDIR deeper",
    "COPY a.txt .",
  ],
  stagesAndWhiteouts: [
    "FROM localhost/base",
    "RUN echo built > /artifact && rm /bin/vi",
    "FROM localhost/base",
    "COPY --from=0 /artifact /from-builder",
    "RUN rm -r /etc/passwd /usr && mkdir /usr",
  ],
  config: [
    "FROM localhost/base",
    'SHELL ["/bin/sh", "-ec"]',
    "RUN echo shell > /shell",
    'ENTRYPOINT ["echo"]',
    "STOPSIGNAL SIGINT",
    'VOLUME ["/data"]',
    "HEALTHCHECK --interval=5s CMD true",
    "ENV PATH=/opt/bin:$PATH",
  ],
  // A base whose upper layers hide what a lower one has under /opq (made opaque), /mid (a
  // whiteout below a new directory) and /ln (now a symlink): COPY and WORKDIR through those
  // paths must not find the hidden files, nor COPY --from copy them.
  hiddenPaths: [
    ...hidingStage("localhost/base"),
    ...THROUGH_HIDDEN_PATHS,
    "COPY --from=hider /mid /mid-copy",
  ],
};

const buildahReady = Deno.uid() === 0 && installed("buildah");

Deno.test({
  name: "plash bud and buildah bud make the same files and config",
  ignore: !buildahReady,
  fn: async () => {
    using store = new TestStore();
    using dirs = new TempDirs();
    const work = dirs.make("plash-bud-buildah-");
    const buildah = (args: string[]) =>
      ok("buildah", [
        "--root",
        `${work}/root`,
        "--runroot",
        `${work}/runroot`,
        "--storage-driver",
        "overlay",
        ...args,
      ]);
    const base = await store.busybox();
    await store.ok(["tag", base, "localhost/base"]);
    await store.ok(["export-oci", base, `${work}/base`]);
    const pulled = (await buildah(["pull", "-q", `oci:${work}/base`])).trim();
    await buildah(["tag", pulled, "localhost/base"]);
    try {
      for (const [name, lines] of Object.entries(DOCKERFILES)) {
        const context = writeContext(`${work}/${name}`, {
          ...CONTEXT,
          Dockerfile: lines.join("\n") + "\n",
        });
        // A mode of its own: a copy's target directory and what it holds differ in it.
        Deno.chmodSync(`${context}/dir`, 0o750);
        const id = await budOk(store, [context]);
        await buildah([
          "bud",
          "--isolation",
          "chroot",
          "--format",
          "docker",
          "-q",
          "-t",
          `localhost/${name.toLowerCase()}`,
          context,
        ]);
        const container = (await buildah(["from", `localhost/${name.toLowerCase()}`])).trim();
        const mounted = (await buildah(["mount", container])).trim();
        await store.ok(["copy", id, `${work}/${name}.plash`]);
        assert.deepEqual(
          comparable(manifest(`${work}/${name}.plash`)),
          comparable(manifest(mounted)),
          `${name}: the files`,
        );
        await buildah(["umount", container]);
        const theirs = JSON.parse(await buildah(["inspect", `localhost/${name.toLowerCase()}`]));
        const ours = await ociConfig(store, id, `${work}/${name}.oci`);
        assert.deepEqual(
          configOf(ours.config),
          configOf(theirs.Docker.config),
          `${name}: the config`,
        );
      }
    } finally {
      await buildah(["rm", "--all"]);
      await buildah(["rmi", "--all", "--force"]);
    }
  },
});

/**
 * What both must agree on: not mtimes, and not what buildah leaves behind of
 * its own set-up (the mount points of /etc/hostname, /etc/hosts and
 * /etc/resolv.conf, /run) or the mode it gives its mounted root (0555).
 */
function comparable(tree: Record<string, { mtime?: number; xattrs?: unknown }>) {
  const result: Record<string, unknown> = {};
  for (const [path, entry] of Object.entries(tree)) {
    if ([".", "etc/hostname", "etc/hosts", "etc/resolv.conf", "run"].includes(path)) continue;
    const { mtime: _mtime, xattrs: _xattrs, ...rest } = entry;
    result[path] = rest;
  }
  return result;
}

/** The config fields both write; empty ones as absent (buildah writes `"Volumes": {}`). */
function configOf(config: Record<string, unknown>) {
  const fields = [
    "Env",
    "Entrypoint",
    "Cmd",
    "WorkingDir",
    "User",
    "ExposedPorts",
    "Volumes",
    "StopSignal",
    "Healthcheck",
    "Shell",
    "OnBuild",
  ];
  const result: Record<string, unknown> = {};
  for (const field of fields) {
    const value = config[field];
    const empty = value === undefined || value === null || value === "" ||
      (typeof value === "object" && Object.keys(value).length === 0);
    if (!empty) result[field] = value;
  }
  const labels = { ...(config.Labels as Record<string, string> | undefined) };
  delete labels["io.buildah.version"];
  if (Object.keys(labels).length) result.Labels = labels;
  return result;
}

Deno.test({
  name: "podman runs a plash-built image as it runs the podman-built one, and plash run agrees",
  ignore: Deno.uid() !== 0 || !installed("podman"),
  fn: async () => {
    using store = new TestStore();
    using dirs = new TempDirs();
    await using podman = new TestPodman();
    const base = await store.busybox();
    await store.ok(["tag", base, "localhost/base"]);
    const baseArchive = `${dirs.make("plash-bud-podman-")}/base.tar`;
    await store.ok(["export-docker-archive", "--ref", "localhost/base:latest", base, baseArchive]);
    await podman.podman(["load", "--quiet", "-i", baseArchive]);
    const context = writeContext(dirs.make("plash-bud-podman-ctx-"), {
      "a.txt": "from the context\n",
      Dockerfile: [
        "FROM localhost/base",
        "ENV GREETING=hi",
        "WORKDIR /srv",
        "COPY a.txt .",
        "USER 5:6",
        'ENTRYPOINT ["/bin/sh", "-c"]',
        'CMD ["echo $GREETING; pwd; id -u; id -g; cat a.txt"]',
      ].join("\n") + "\n",
    });
    const id = await budOk(store, [context]);
    const archive = `${dirs.make("plash-bud-podman-out-")}/app.tar`;
    await store.ok(["export-docker-archive", "--ref", "localhost/plash-built:1", id, archive]);
    await podman.podman(["load", "--quiet", "-i", archive]);
    await podman.podman([
      "build",
      "--isolation",
      "chroot",
      "-q",
      "-t",
      "localhost/podman-built:1",
      context,
    ]);
    const expected = "hi\n/srv\n5\n6\nfrom the context\n";
    assert.equal(await podman.run("localhost/podman-built:1", []), expected);
    assert.equal(await podman.run("localhost/plash-built:1", []), expected);
    assert.equal(await store.ok(["run", id]) + "\n", expected);
  },
});
