import assert from "node:assert/strict";
import { debootstrapRootfs } from "../../scripts/debootstrap_rootfs.ts";
import { bud, writeContext } from "../support/bud.ts";
import { TestStore } from "../support/plash.ts";
import { HAVE_REGISTRY, TestRegistry } from "../support/registry.ts";
import { TempDirs } from "../support/temp_dirs.ts";

// As root only: the fixture, owned by root and holding device nodes, is copied with cp -a.
const ignore = Deno.uid() !== 0 || !HAVE_REGISTRY;

Deno.test({
  name: "bud pulls a Debian base it lacks from a registry, as podman build does, and builds on it",
  ignore,
}, async () => {
  await using registry = await TestRegistry.start();
  using dirs = new TempDirs();
  const ref = `${registry.host}/debian:bookworm`;
  {
    using pusher = new TestStore();
    const copy = `${pusher.data}.debian`;
    const cp = await new Deno.Command("cp", { args: ["-a", await debootstrapRootfs(), copy] })
      .output();
    assert.ok(cp.success, "cp of the debootstrap fixture");
    const base = await pusher.ok(["add-layer", "0", copy]);
    await pusher.ok(["push", base, ref]);
  }
  using store = new TestStore();
  const context = writeContext(dirs.make("plash-bud-debian-"), {
    "app/main.sh": '#!/bin/sh\necho "main as $(id -un) in $(pwd)"\n',
    Dockerfile: [
      `FROM ${ref}`,
      "ENV APP_HOME=/srv/app",
      "WORKDIR $APP_HOME",
      "COPY app/ ./",
      "RUN useradd --create-home builder",
      "RUN chmod 755 main.sh && chown -R builder: .",
      "ARG GREETING=hello",
      "USER builder",
      'RUN echo "$GREETING from $HOME" > greeting',
      'CMD ["./main.sh"]',
    ].join("\n") + "\n",
  });
  const result = await bud(store, [context]);
  assert.equal(result.code, 0, result.stderr);
  const id = result.stdout.trim();
  assert.equal(await store.ok(["run", id]), "main as builder in /srv/app");
  // A command of the caller's starts in the caller's directory when the image has it.
  assert.equal(await store.ok(["run", id, "cat", "/srv/app/greeting"]), "hello from /home/builder");
  assert.equal(
    await store.ok(["run", "-u", "0", id, "stat", "-c", "%U", "/srv/app/greeting"]),
    "builder",
  );
  const again = await bud(store, ["-q", context]);
  assert.equal(again.stdout.trim(), id, "all cache");
});
