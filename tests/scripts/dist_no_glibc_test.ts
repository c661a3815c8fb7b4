/**
 * The x86_64 release archive and its one-file form on a host with no C library
 * at all: a root of busybox-static only (entered as tests/support/bare_root.ts
 * does, /proc and /dev bound in). Deno starts through the glibc loader the
 * archive carries; plash imports, builds, runs, exports and starts itself again
 * (`plash doctor`'s overlay probe). And on this glibc host, the FFI uses the
 * carried libc, never the host's.
 */

import assert from "node:assert/strict";
import { busyboxRootfs } from "../../scripts/busybox_rootfs.ts";
import { VERSION } from "../../core/version.ts";
import { BareRoot } from "../support/bare_root.ts";
import { runCommand } from "../support/command.ts";
import { distArchives, distOneFiles, Unpacked } from "../support/dist.ts";

// Mounts and pivot_root into the copy: root only.
const ignore = Deno.uid() !== 0 || Deno.build.arch !== "x86_64";
const NAME = `plash-${VERSION}-linux-x86_64`;

Deno.test({
  name: "the x86_64 archive and its one-file form on a root with no C library (busybox only)",
  ignore,
}, async (t) => {
  const { x86_64: archive } = await distArchives();
  const { x86_64: oneFile } = await distOneFiles();
  using root = await BareRoot.make(await busyboxRootfs());

  await t.step("the root has no C library and no loader", async () => {
    const found = await root.ok("find / -xdev -name 'libc.so*' -o -xdev -name 'ld-*.so*'");
    assert.equal(found, "");
  });

  Deno.mkdirSync(`${root.path}/srv`);
  Deno.copyFileSync(archive, `${root.path}/srv/${NAME}.tar.gz`);
  Deno.copyFileSync(oneFile, `${root.path}/srv/${NAME}`);
  Deno.chmodSync(`${root.path}/srv/${NAME}`, 0o755);
  const tar = await runCommand("tar", ["-C", await busyboxRootfs(), "-cf", "-", "."]);
  assert.equal(tar.code, 0, tar.stderr);
  Deno.writeFileSync(`${root.path}/srv/busybox.tar`, tar.stdout);
  await root.ok(`mkdir -p /opt && tar -xzf /srv/${NAME}.tar.gz -C /opt`);

  /** version, init, import-tar, a two-layer build, run, export-oci, each with its own store. */
  const useIt = async (plash: string, data: string) => {
    const env = { PLASH_DATA: data };
    assert.equal(
      await root.ok(`${plash} version`, { env }),
      `plash ${VERSION} (deno ${Deno.version.deno}, linux x86_64)`,
    );
    await root.ok(`${plash} init`, { env });
    const base = await root.ok(`${plash} import-tar /srv/busybox.tar`, { env });
    const image = await root.ok(
      `${plash} build -f ${base} --run 'echo one > /one' --layer --run 'echo two > /two'`,
      { env },
    );
    assert.equal(await root.ok(`${plash} run ${image} cat /one /two`, { env }), "one\ntwo");
    await root.ok(`${plash} export-oci ${image} ${data}-oci`, { env });
    const index = JSON.parse(await root.ok(`cat ${data}-oci/index.json`));
    assert.equal(index.manifests.length, 1);
  };

  await t.step("the archive: version, init, import-tar, a build, run, export-oci", async () => {
    await useIt(`/opt/${NAME}/bin/plash`, "/root/archive");
  });

  await t.step("plash starting itself again: doctor's overlay probe mounts", async () => {
    const doctor = await root.sh(`/opt/${NAME}/bin/plash doctor`, {
      env: { PLASH_DATA: "/root/archive" },
    });
    assert.match(doctor.stdout, /^ok +mounting: /m, doctor.stdout + doctor.stderr);
  });

  await t.step("the one file, unpacked into ~/.cache/plash: the same", async () => {
    await useIt(`/srv/${NAME}`, "/root/one-file");
    const cached = await root.ok("ls /root/.cache/plash");
    assert.match(cached, new RegExp(`^${NAME}-[0-9a-f]{64}$`));
  });
});

Deno.test({
  name: "the archive's plash maps the libc it carries, never the host's",
  ignore,
}, async () => {
  const { x86_64 } = await distArchives();
  using archive = await Unpacked.from(x86_64);
  const glibc = `${archive.plash.slice(0, -"bin/plash".length)}lib/plash/glibc`;
  const env = { PLASH_DATA: `${archive.dir}/data`, HOME: archive.dir };
  // A store to import into: without one the import ends at once, before its maps can be read.
  const init = await new Deno.Command(archive.plash, { args: ["init"], env }).output();
  assert.equal(init.code, 0, new TextDecoder().decode(init.stderr));
  // Waiting for its tar on stdin, after the FFI has loaded: its mappings can be read.
  const child = new Deno.Command(archive.plash, {
    args: ["import-tar", "-"],
    env,
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let libcs: string[] = [];
  try {
    // Once the launcher (sh, the host's libc) has exec'd what runs Deno, from the archive.
    const dir = Deno.realPathSync(archive.dir);
    for (let tries = 0; tries < 200 && !libcs.length; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (!Deno.readLinkSync(`/proc/${child.pid}/exe`).startsWith(dir)) continue;
      const maps = Deno.readTextFileSync(`/proc/${child.pid}/maps`);
      libcs = [...new Set(maps.match(/\/\S*libc\.so\.6$/gm) ?? [])];
    }
  } finally {
    child.kill();
    await child.status;
  }
  const carried = Deno.realPathSync(`${glibc}/libc.so.6`);
  assert.deepEqual(libcs, [carried]);
});
