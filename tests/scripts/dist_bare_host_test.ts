/**
 * The x86_64 release archive (`deno task dist`) on a bare host: a fresh
 * debootstrap minbase Debian with no node, npm or deno and no network.
 * Installed there by scripts/install.sh, it imports, builds, runs and runs a
 * Plashfile, as root and as a user with a subordinate id range; without
 * CAP_SYS_ADMIN (a docker container's root) it runs without mounts by
 * itself. Deno's cache may be missing or read-only, and nothing is
 * fetched or compiled into it.
 */

import assert from "node:assert/strict";
import { busyboxRootfs } from "../../scripts/busybox_rootfs.ts";
import { unpackDebianPackage } from "../../scripts/debian_package.ts";
import { VERSION } from "../../core/version.ts";
import { BareRoot } from "../support/bare_root.ts";
import { runCommand } from "../support/command.ts";
import { distArchives } from "../support/dist.ts";

// Mounts, pivot_root, useradd in the copy: root only.
const ignore = Deno.uid() !== 0 || Deno.build.arch !== "x86_64";
const USER = "plash";
const DROP_SYS_ADMIN = "setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin";

/** The Plashfile the kernel runs through `#!/usr/bin/env plash`, plash found on PATH. */
function plashfile(base: string): string {
  return [
    "#!/usr/bin/env plash",
    `--from ${base}`,
    "--run",
    "echo from the plashfile > /msg",
    "--layer",
    "--entrypoint cat /msg",
    "",
  ].join("\n");
}

/** A user of the root with a subordinate id range, and newuidmap/newgidmap to use it. */
async function addUser(root: BareRoot): Promise<void> {
  // minbase has no uidmap: Debian's package, unpacked; its install script would make these setuid.
  for (const spec of ["uidmap", "libsubid4"]) await unpackDebianPackage(spec, root.path);
  for (const tool of ["newuidmap", "newgidmap"]) {
    Deno.chmodSync(`${root.path}/usr/bin/${tool}`, 0o4755);
  }
  await root.ok(`useradd --create-home --shell /bin/sh ${USER}`);
  for (const file of ["subuid", "subgid"]) {
    const path = `${root.path}/etc/${file}`;
    let text = "";
    try {
      text = Deno.readTextFileSync(path);
    } catch {
      // Not there in minbase.
    }
    if (!text.includes(`${USER}:`)) Deno.writeTextFileSync(path, `${text}${USER}:100000:65536\n`);
  }
}

/** Import, two-layer build, run and a Plashfile as `user`, in `home`; the built image's id. */
async function useIt(root: BareRoot, user: string, home: string): Promise<string> {
  const as = { user };
  await root.ok("plash init", as); // as the original: no other command makes the data directory
  const base = await root.ok("plash import-tar /srv/busybox.tar.xz", as);
  assert.match(base, /^\d+$/);
  const built = await root.sh(
    `plash build -f ${base} --run 'echo one > /one' --layer --run 'echo two > /two'`,
    as,
  );
  assert.equal(built.code, 0, built.stderr);
  const id = built.stdout.trim();
  assert.equal(await root.ok(`plash parent $(plash parent ${id})`, as), base, "two layers");
  assert.equal(await root.ok(`plash run ${id} cat /one /two`, as), "one\ntwo");
  Deno.writeTextFileSync(`${root.path}${home}/Plashfile`, plashfile(base));
  await root.ok(`chmod 755 ${home}/Plashfile && chown ${user}: ${home}/Plashfile`);
  assert.equal(await root.ok(`cd ${home} && ./Plashfile`, as), "from the plashfile");
  return id;
}

/** What Deno keeps in `cache`: caches of what it read, never downloads or compiled TypeScript. */
async function assertNothingFetched(root: BareRoot, cache: string): Promise<void> {
  const listing = await root.ok(`ls -A ${cache}; ls -A ${cache}/npm 2>/dev/null || true`);
  const entries = listing.split("\n");
  assert.ok(entries.length > 0, "Deno kept its code cache");
  for (const fetched of ["remote", "gen", "registry.npmjs.org"]) {
    assert.ok(!entries.includes(fetched), `${cache} holds ${fetched}: ${listing}`);
  }
}

Deno.test({
  name: "the x86_64 archive on a bare Debian root: as root and as a user with a subuid range",
  ignore,
}, async (t) => {
  const { x86_64: archive } = await distArchives();
  using root = await BareRoot.make();
  const srv = `${root.path}/srv`;
  Deno.copyFileSync(archive, `${srv}/${archive.slice(archive.lastIndexOf("/") + 1)}`);
  Deno.copyFileSync(
    new URL("../../scripts/install.sh", import.meta.url).pathname,
    `${srv}/install.sh`,
  );
  // xz: the import reaches the wasm decompressor, an npm package from the archive.
  const tar = await runCommand("tar", [
    "-C",
    await busyboxRootfs(),
    "-cJf",
    `${srv}/busybox.tar.xz`,
    ".",
  ]);
  assert.equal(tar.code, 0, tar.stderr);
  Deno.chmodSync(`${srv}/busybox.tar.xz`, 0o644);
  await addUser(root);

  await t.step("the root has no node, npm or deno, and no network", async () => {
    const found = await root.ok("for tool in node npm npx deno; do command -v $tool; done; true");
    assert.equal(found, "");
    // /proc/net is the process's own network namespace: loopback only.
    assert.equal(await root.ok("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"), "lo");
  });

  await t.step("install.sh unpacks it into /opt/plash and links it onto PATH", async () => {
    const installed = await root.sh("sh /srv/install.sh /opt/plash /srv/plash-*.tar.gz");
    assert.equal(installed.code, 0, installed.stderr);
    assert.equal(
      installed.stdout,
      `installed plash ${VERSION} (deno ${Deno.version.deno}, linux x86_64) in /opt/plash\n` +
        "linked /usr/local/bin/plash -> /opt/plash/bin/plash\n",
    );
    assert.equal(await root.ok("ls -A /opt/plash"), "bin\nlib\nshare");
    assert.equal(await root.ok("command -v plash"), "/usr/local/bin/plash");
    // Again, over itself: replaced whole, nothing of the old one or of the staging left.
    await root.ok(
      "touch /opt/plash/lib/plash/stale && sh /srv/install.sh /opt/plash /srv/plash-*.tar.gz",
    );
    assert.equal(
      await root.ok("ls -A /opt/plash /opt/plash/lib"),
      "/opt/plash:\nbin\nlib\nshare\n\n/opt/plash/lib:\nplash",
    );
    assert.equal(await root.sh("ls /opt/plash/lib/plash/stale").then((r) => r.code), 2);
  });

  let image = "";
  await t.step("as root: version, import-tar, a two-layer build, run, a Plashfile", async () => {
    const version = await root.sh("plash version");
    assert.deepEqual(
      [version.stdout, version.stderr],
      [`plash ${VERSION} (deno ${Deno.version.deno}, linux x86_64)\n`, ""],
    );
    image = await useIt(root, "root", "/root");
    await assertNothingFetched(root, "/root/.cache/deno");
  });

  await t.step("as root, with a Deno cache that cannot be made", async () => {
    const run = await root.sh(`plash run ${image} cat /two`, {
      env: { DENO_DIR: "/proc/plash-deno-cache" },
    });
    assert.deepEqual([run.code, run.stdout, run.stderr], [0, "two\n", ""]);
  });

  await t.step("as a user with a subuid range, installed read-only", async () => {
    const id = await useIt(root, USER, `/home/${USER}`);
    await assertNothingFetched(root, `/home/${USER}/.cache/deno`);
    // newuidmap mapped the range: container ids 1..65536 are the user's subordinate ids.
    const map = await root.ok(`plash run ${id} cat /proc/self/uid_map`, { user: USER });
    assert.match(map, /^\s*1\s+100000\s+65536$/m, map);
    // A cache directory the user may read but not write.
    await root.ok("mkdir -m 555 /srv/ro-cache");
    const run = await root.sh(`plash run ${id} true`, {
      user: USER,
      env: { DENO_DIR: "/srv/ro-cache" },
    });
    assert.deepEqual([run.code, run.stderr], [0, ""]);
  });

  await t.step("without CAP_SYS_ADMIN plash runs without mounts, by itself", async () => {
    const run = await root.sh(`${DROP_SYS_ADMIN} plash run ${image} cat /one /two`);
    assert.deepEqual([run.code, run.stdout], [0, "one\ntwo\n"], run.stderr);
    assert.match(run.stderr, /^plash: no mounts here \(root without CAP_SYS_ADMIN/);
  });
});
