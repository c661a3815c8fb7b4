/**
 * Commands that need no root run in one Deno start, rootless too: a cached
 * build, `b run` and `exec` of a cached build, `ls`, `inspect`, `nodepath`,
 * `export-*`, `push`, `copy` and `bundle --copy` of an image whose files
 * are the caller's to read, `add-layer` of the caller's own directory,
 * `sudo`, `data`, `with-mount`, `create`, an uncached build, a bud of FROM,
 * RUN and config instructions and `runc`, whose containers alone need the
 * user namespace, the imports, copies and bundle copies, a bud's COPY, ADD
 * and pulls, a build's archive base and registry caches, whose chown alone
 * does, and `rm`, `clean`, `shrink` and `purge`, whose removal of files of
 * the caller's subordinate ids alone does. Counted for real: every program
 * plash execs, traced by strace, the command's parent, or the V8 isolates
 * Deno's starts log.
 */

import assert from "node:assert/strict";
import { budOk, writeContext } from "../support/bud.ts";
import { runCommand } from "../support/command.ts";
import { TestStore } from "../support/plash.ts";
import { HAVE_REGISTRY, TestRegistry } from "../support/registry.ts";
import { STRACE } from "../support/strace.ts";
import { TempDirs } from "../support/temp_dirs.ts";
import { buildArchive } from "../support/tar_fixtures.ts";
import { busyboxRootfs } from "../../scripts/busybox_rootfs.ts";
import { plannedMapping } from "../../core/runtime/id_map.ts";
import { findOciRuntimes } from "../../core/runtime/oci_runtime.ts";
import { TMP_PREFIX } from "../../core/store/layout.ts";
import { selfCommand } from "../../core/self_command.ts";
import { getXattr } from "../../ffi/file_attributes.ts";

/** runc, which runs on this host's hybrid cgroups (crun refuses them). */
const OCI_RUNTIME = findOciRuntimes({ ...Deno.env.toObject(), PLASH_OCI_RUNTIME: "runc" })[0];

/** The programs `plash ARGS...` and its children exec'd, in order, and plash's exit status. */
async function execs(
  store: TestStore,
  temp: TempDirs,
  args: string[],
  cwd?: string,
  env: Record<string, string> = {},
) {
  const log = `${temp.make()}/trace`;
  const result = await runCommand(
    STRACE!,
    ["-f", "-qq", "-e", "trace=execve", "-e", "signal=none", "-o", log, ...selfCommand(args)],
    { env: { PLASH_DATA: store.data, ...env }, cwd },
  );
  return { code: result.code, stderr: result.stderr, programs: execedPrograms(log) };
}

/**
 * The programs an strace -f log of execve shows run, in the order their execs
 * returned. An exec that another process's line cut in two is logged as
 * `PID execve("PATH", ... <unfinished ...>` and later `PID <... execve
 * resumed>) = 0`: its path is on the first line, its result on the second.
 */
function execedPrograms(log: string): string[] {
  const unfinished = new Map<string, string>();
  const programs: string[] = [];
  for (const line of Deno.readTextFileSync(log).split("\n")) {
    const pid = line.match(/^\d+/)?.[0] ?? "";
    const path = line.match(/execve\("([^"]+)"/)?.[1];
    if (path !== undefined && line.endsWith("<unfinished ...>")) unfinished.set(pid, path);
    else if (line.endsWith(" = 0")) {
      const program = path ?? unfinished.get(pid);
      if (program === undefined) throw new Error(`strace: no program in: ${line}`);
      programs.push(program);
    }
  }
  return programs;
}

/** The pid `plash ARGS...` started as, and what the command in the container printed. */
async function startedAs(store: TestStore, args: string[]): Promise<{ pid: number; out: string }> {
  const [program, ...rest] = selfCommand(args);
  const child = new Deno.Command(program, {
    args: rest,
    env: { PLASH_DATA: store.data },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = await child.output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return { pid: child.pid, out: new TextDecoder().decode(output.stdout).trim() };
}

Deno.test("a cached build, ls, inspect and nodepath start Deno once", {
  ignore: !STRACE,
}, async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const base = await store.busybox();
  const macros = ["--from", base, "--run", "touch /one"];
  const built = await store.ok(["build", ...macros]);
  const deno = Deno.execPath();
  for (const args of [["build", ...macros], ["ls"], ["inspect", built], ["nodepath", built]]) {
    const { code, stderr, programs } = await execs(store, temp, args);
    assert.equal(code, 0, stderr);
    assert.deepEqual(programs, [deno], args.join(" "));
  }
});

Deno.test("runc starts Deno once: the runtime is plash's child, rootless too", {
  ignore: !STRACE || !OCI_RUNTIME,
}, async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const base = await store.busybox();
  // Traced, the setuid newuidmap cannot map a subordinate range: without it on the PATH only
  // the caller is mapped. plash finds runc in /usr/sbin all the same.
  const env = { PATH: temp.make(), PLASH_OCI_RUNTIME: "runc" };
  const { code, stderr, programs } = await execs(
    store,
    temp,
    ["runc", base, "true"],
    undefined,
    env,
  );
  assert.equal(code, 0, stderr);
  // Deno, then the runtime and what it runs (itself again, the container's `true`); rootless
  // the namespace's holder may run, and Deno starts no more.
  const deno = Deno.execPath();
  assert.deepEqual(programs.filter((program) => program === deno), [deno], programs.join(" "));
  const [first, next] = programs.filter((program) => !program.endsWith("/sleep"));
  assert.deepEqual([first, next], [deno, OCI_RUNTIME!.path], programs.join(" "));
  assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)], []);
});

/** The pid `plash ARGS...` started as, and the pid its container's command printed as its parent. */
async function commandParent(store: TestStore, args: string[]) {
  const child = store.start(args, { stderr: "piped" });
  const output = await child.output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  return { pid: child.pid, parent: Number(stderr.match(/^parent (\d+)$/m)?.[1]) };
}

Deno.test("create and an uncached build step run their container from plash's first start", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  for (
    const args of [
      ["create", base, "sh", "-c", "echo parent $PPID"],
      ["build", "--from", base, "--run", "echo parent $PPID"],
      // A new command string: not in the cache.
      ["build", "--from", base, "--run", "echo parent $PPID; touch /two"],
    ]
  ) {
    const { pid, parent } = await commandParent(store, args);
    // The container is a child of plash, as root and rootless. A plash that started again in a
    // user namespace would be between them.
    assert.equal(parent, pid, args.join(" "));
  }
});

Deno.test("a bud of FROM, RUN and config instructions runs its steps from plash's first start", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const base = await store.busybox();
  // Another user's step where the namespace maps one: its switch must not keep the next
  // step's container (and the removal of its files) from starting.
  const mapped = Deno.uid() === 0 || plannedMapping(Deno.uid()!, Deno.gid()!).ranges;
  const context = writeContext(temp.make(), {
    Dockerfile: `FROM ${base}\nENV A=1\nRUN echo parent $PPID\n` +
      (mapped ? "USER 1000\nRUN echo parent $PPID\nUSER 0\nRUN echo parent $PPID\n" : ""),
  });
  const child = store.start(["bud", context], { stderr: "piped" });
  const output = await child.output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  const parents = [...stderr.matchAll(/^parent (\d+)$/gm)].map((match) => Number(match[1]));
  assert.deepEqual(parents, Array(mapped ? 3 : 1).fill(child.pid), stderr);
});

Deno.test(
  "a bud of COPY --chown, ADD of a local tar, and a pulled FROM and COPY --from runs from plash's first start, with the same owners",
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    await using registry = HAVE_REGISTRY ? await TestRegistry.start() : undefined;
    const base = await store.busybox();
    // Owners other than root where the namespace maps them (as root, or with a subordinate range).
    const mapped = Deno.uid() === 0 ||
      plannedMapping(Deno.uid()!, Deno.gid()!).ranges !== undefined;
    const image = await store.ok([
      "build",
      "--from",
      base,
      "--run",
      "echo p > /p && (chown 1000:1000 /p 2>/dev/null || true) && chmod 4755 /p",
    ]);
    let [from, copyFrom] = [image, base];
    // Pushed, then pulled by the bud into a store that lacks them.
    using pulling = registry ? new TestStore() : undefined;
    if (registry) {
      [from, copyFrom] = [`${registry.host}/plash/budone:1`, `${registry.host}/plash/budone:0`];
      await store.ok(["push", "-q", image, from]);
      await store.ok(["push", "-q", base, copyFrom]);
    }
    const target = pulling ?? store;
    const context = writeContext(temp.make(), {
      f: "f\n",
      Dockerfile: [
        `FROM ${from}`,
        `COPY ${mapped ? "--chown=1000:1000 " : ""}f /f`,
        // A copy's set-id bits are cleared (see below), not those --chmod gives.
        `COPY ${mapped ? "--chown=1000:1000 " : ""}s /s`,
        `COPY ${mapped ? "--chown=1000:1000 " : ""}--chmod=4755 f /g`,
        "ADD owners.tar /t/",
        `COPY --from=${copyFrom} /bin/busybox /bb`,
        "RUN echo parent $PPID",
      ].join("\n") + "\n",
    });
    Deno.copyFileSync(`${context}/f`, `${context}/s`);
    Deno.chmodSync(`${context}/s`, 0o4755);
    Deno.writeFileSync(
      `${context}/owners.tar`,
      await buildArchive([
        { name: "a/", type: "directory", uid: 1000, gid: 1000, mode: 0o750 },
        { name: "a/owned", body: "mine\n", uid: 1000, gid: 1000, mode: 0o600 },
        { name: "a/sgid", body: "g\n", gid: 42, mode: 0o2755 },
      ]),
    );
    const child = target.start(["bud", context], { stderr: "piped" });
    const output = await child.output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, stderr);
    // Its RUN's container is plash's child: a plash started again would be between them.
    assert.deepEqual(
      [...stderr.matchAll(/^parent (\d+)$/gm)].map((match) => Number(match[1])),
      [child.pid],
      stderr,
    );
    const id = new TextDecoder().decode(output.stdout).trim();
    const stat = await target.ok([
      "run",
      id,
      "stat",
      "-c",
      "%n %u:%g %a",
      "/f",
      "/s",
      "/g",
      "/t/a",
      "/t/a/owned",
      "/t/a/sgid",
      "/p",
      "/bb",
    ]);
    const [user, group] = mapped ? ["1000:1000", "0:42"] : ["0:0", "0:0"];
    assert.deepEqual(stat.trim().split("\n"), [
      `/f ${user} 644`,
      // Cleared by the chown, or by the write of a caller without the host's CAP_FSETID (as
      // in the namespace before).
      `/s ${user} 755`,
      `/g ${user} 4755`,
      `/t/a ${user} 750`,
      `/t/a/owned ${user} 600`,
      `/t/a/sgid ${group} 2755`,
      `/p ${user} 4755`,
      "/bb 0:0 755",
    ]);
    assert.deepEqual([...Deno.readDirSync(`${target.data}/tmp`)], []);
  },
);

Deno.test("a build with registry caches starts Deno once, and a layer pulled has its owners", {
  ignore: !STRACE || !HAVE_REGISTRY,
}, async () => {
  using temp = new TempDirs();
  await using registry = await TestRegistry.start();
  const cache = `${registry.host}/plash/budone-cache`;
  // Imported from one archive, the base has the same registry key in every store.
  const tar = `${temp.make()}/busybox.tar`;
  const packed = await runCommand("tar", ["-C", await busyboxRootfs(), "-cf", tar, "."]);
  assert.equal(packed.code, 0, packed.stderr);
  const macros = async (store: TestStore, flag: string) => [
    "--from",
    (await store.ok(["import-tar", tar])).trim(),
    "--run",
    "echo a > /a && (chown 1000:1000 /a 2>/dev/null || true)",
    flag,
    cache,
  ];
  const stat = ["stat", "-c", "%u:%g %a", "/a"];
  using pusher = new TestStore();
  const pushed = await pusher.ok(["build", ...await macros(pusher, "--cache-to")]);
  const owners = await pusher.ok(["run", pushed, ...stat]);
  // Traced, the setuid newuidmap cannot map a subordinate range: without it on the PATH only
  // the caller is mapped (the pulled file of 1000 is then the caller's, with a warning).
  const env = { PATH: temp.make() };
  using puller = new TestStore();
  for (const [store, flag] of [[pusher, "--cache-to"], [puller, "--cache-from"]] as const) {
    const args = ["build", ...await macros(store, flag)];
    const { code, stderr, programs } = await execs(store, temp, args, undefined, env);
    assert.equal(code, 0, stderr);
    assert.deepEqual(programs.filter((program) => program === Deno.execPath()), [Deno.execPath()]);
  }
  // Untraced, with every id plash maps: the owners the layer was built with.
  using other = new TestStore();
  const pulled = await other.plash(["build", ...await macros(other, "--cache-from")]);
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.doesNotMatch(pulled.stderr, /^--> /m, "pulled, not built");
  assert.equal(await other.ok(["run", pulled.stdout.trim(), ...stat]), owners);
  assert.deepEqual([...Deno.readDirSync(`${other.data}/tmp`)], []);
});

Deno.test("add-layer of the caller's own directory starts Deno once", {
  ignore: !STRACE,
}, async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  // On the store's filesystem, so that it is moved, not copied.
  const dir = `${store.data}/../layer`;
  Deno.mkdirSync(`${dir}/etc`, { recursive: true });
  Deno.writeTextFileSync(`${dir}/etc/hostname`, "layer\n");
  const { code, stderr, programs } = await execs(store, temp, ["add-layer", "0", dir]);
  assert.equal(code, 0, stderr);
  assert.deepEqual(programs, [Deno.execPath()]);
});

Deno.test("a rootless add-layer of a directory holding files of other owners starts Deno once", {
  // As root nothing needs the namespace; without a subordinate range nobody but the caller can
  // own a file the caller makes.
  ignore: Deno.uid() === 0 || plannedMapping(Deno.uid()!, Deno.gid()!).ranges === undefined,
}, async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const base = await store.busybox();
  // A subordinate id's setuid file and directory, readable by all, in a directory of the
  // caller's own: copied, not moved.
  const script =
    "echo f > /f && chown 1000:1000 /f && chmod 4755 /f && mkdir /d && chown 1000:42 /d";
  const image = await store.ok(["build", "--from", base, "--run", script]);
  const dir = `${temp.make()}/layer`;
  await store.ok(["copy", image, dir]);
  assert.equal(await denoStarts(store, temp, ["add-layer", "0", dir]), 1);
  const added = await store.ok(["add-layer", "0", dir]);
  const stat = ["stat", "-c", "%n %u:%g %a", "/f", "/d"];
  assert.equal(await store.ok(["run", added, ...stat]), await store.ok(["run", image, ...stat]));
  assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)], []);
});

Deno.test(
  "a rootless build step's files of other owners and setuid files keep their owners and modes",
  {
    // Only the caller is mapped without a subordinate range: nobody else can own a file.
    ignore: Deno.uid() !== 0 && plannedMapping(Deno.uid()!, Deno.gid()!).ranges === undefined,
  },
  async () => {
    using store = new TestStore();
    const base = await store.busybox();
    const script = "echo f > /f && chown 1000:1000 /f && touch /s && chmod 4755 /s && " +
      "mkdir -p /d/e && touch /d/e/g && chown -R 1000:1000 /d && chown 1000:1000 /etc /";
    const built = await store.ok(["build", "--from", base, "--run", script]);
    const created = await store.ok(["create", base, "sh", "-c", script]);
    for (const id of [built, created]) {
      const stat = await store.ok([
        "run",
        id,
        "stat",
        "-c",
        "%u:%g %a %n",
        "/f",
        "/s",
        "/d",
        "/d/e/g",
      ]);
      assert.equal(stat, "1000:1000 644 /f\n0:0 4755 /s\n1000:1000 755 /d\n1000:1000 644 /d/e/g");
      // The mount point made for the host's resolv.conf in /etc, a directory the caller may not
      // change once chowned, is not kept in the layer.
      const node = await store.ok(["nodepath", id]);
      // The layer's root is 1000's (a container's / is its own writable layer's, so it is seen
      // here): as /d is.
      const layer = `${node}/_data/root`;
      assert.equal(Deno.statSync(layer).uid, Deno.statSync(`${layer}/d`).uid);
      assert.deepEqual([...Deno.readDirSync(`${node}/_data/root/etc`)], []);
    }
    // A failing step leaves nothing of its files in the store's tmp/, whoever owns them.
    const failed = await store.plash(["build", "--from", base, "--run", `${script} && exit 3`]);
    assert.equal(failed.code, 1, failed.stderr);
    assert.equal((await store.plash(["create", base, "sh", "-c", `${script} && exit 3`])).code, 3);
    assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)], []);
  },
);

Deno.test("a bud found by its memo record starts Deno once, with -q or without", {
  ignore: !STRACE,
}, async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const base = await store.busybox();
  const context = writeContext(temp.make(), {
    "a.txt": "a\n",
    Dockerfile: `FROM ${base}\nCOPY a.txt /\nRUN cat /a.txt > /b.txt\n`,
  });
  // Files changed within the last second are not memoized (racy stats).
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const id = await budOk(store, [context]);
  const deno = Deno.execPath();
  for (const args of [["bud", "-q", context], ["bud", context]]) {
    const { code, stderr, programs } = await execs(store, temp, args);
    assert.equal(code, 0, stderr);
    assert.deepEqual(programs, [deno], args.join(" "));
  }
  assert.equal(await budOk(store, [context]), id);
});

Deno.test("b run and exec of a cached build, sudo, data and with-mount run their command from plash's first start", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const base = await store.busybox();
  const macros = ["--from", base, "--run", "touch /one"];
  const dir = temp.make();
  Deno.writeTextFileSync(
    `${dir}/Plashfile`,
    `--from\n${base}\n--run\ntouch /one\n--entrypoint\n/bin/sh\n`,
  );
  const script = ["-c", "echo $$ $PPID"];
  await store.ok(["exec", `${dir}/Plashfile`, ...script]); // built once
  await store.ok(["b", "run", ...macros, "--", "true"]);
  for (
    const args of [
      ["b", "run", ...macros, "--", "sh", ...script],
      ["exec", `${dir}/Plashfile`, ...script],
      ["sudo", "sh", ...script],
      ["data", "sh", ...script],
      ["with-mount", base, "sh", ...script],
    ]
  ) {
    const { pid, out } = await startedAs(store, args);
    const [self, parent] = out.split(" ").map(Number);
    // As root the command is plash's process itself; rootless its child. A plash that
    // started again in a user namespace would be between them.
    assert.equal(Deno.uid() === 0 ? self : parent, pid, args.join(" "));
  }
});

Deno.test(
  "export-tar, export-oci, export-docker-archive and push of readable files start Deno once, with the image's owners",
  {
    ignore: !STRACE,
  },
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    await using registry = HAVE_REGISTRY ? await TestRegistry.start() : undefined;
    const base = await store.busybox();
    // Owned by container ids 42 and 43 where a subordinate range maps them (else by root),
    // readable by all: the files the caller may read, as they are in the image.
    const image = await store.ok([
      "build",
      "--from",
      base,
      "--run",
      "echo a > /f && mkdir /e && touch /e/g && (chown -R 42:43 /f /e 2>/dev/null || true)",
    ]);
    const owners = (await store.ok(["run", image, "stat", "-c", "%u:%g", "/f"])).trim();
    const dir = temp.make();
    const deno = Deno.execPath();
    for (
      const args of [
        ["export-tar", image, `${dir}/image.tar`],
        ["export-oci", image, `${dir}/layout`],
        ["export-docker-archive", image, `${dir}/docker.tar`],
        ...registry ? [["push", "-q", image, `${registry.host}/plash/once:1`]] : [],
      ]
    ) {
      const { code, stderr, programs } = await execs(store, temp, args);
      assert.equal(code, 0, stderr);
      assert.deepEqual(programs, [deno], args[0]);
    }
    const listing = await runCommand("tar", ["--numeric-owner", "-tvf", `${dir}/image.tar`]);
    const text = new TextDecoder().decode(listing.stdout);
    const line = text.split("\n").find((entry) => entry.endsWith(" ./f"));
    assert.match(
      line ?? "",
      new RegExp(`^-rw-r--r-- ${owners.replace(":", "/")} `),
      text,
    );
    // A file closed to the caller: read as root of the namespace, to a file (the partial one
    // made as the caller removed) and to stdout, whole.
    const closed = await store.ok(["build", "--from", image, "--run", "echo s > /s && chmod 0 /s"]);
    const closedTar = `${temp.make()}/closed.tar`;
    await store.ok(["export-tar", closed, closedTar]);
    const [program, ...rest] = selfCommand(["export-tar", closed]);
    const onStdout = await runCommand(program, rest, { env: { PLASH_DATA: store.data } });
    assert.equal(onStdout.code, 0, onStdout.stderr);
    for (const tar of [closedTar, `${closedTar}.stdout`]) {
      if (tar !== closedTar) Deno.writeFileSync(tar, onStdout.stdout);
      const read = await runCommand("tar", ["-xOf", tar, "./s"]);
      assert.equal(new TextDecoder().decode(read.stdout), "s\n", tar);
    }
    assert.deepEqual(
      [...Deno.readDirSync(closedTar.slice(0, -"/closed.tar".length))].map((entry) => entry.name)
        .sort(),
      ["closed.tar", "closed.tar.stdout"],
    );
  },
);

Deno.test(
  "copy and bundle --copy of a file of another owner start Deno once, with the image's owner and mode",
  {
    ignore: !STRACE,
  },
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    const base = await store.busybox();
    // 1000's where the namespace maps it (as root, or with a subordinate range), else root's.
    const image = await store.ok([
      "build",
      "--from",
      base,
      "--run",
      "echo f > /f; (chown 1000:1000 /f 2>/dev/null || true); chmod 4755 /f",
    ]);
    const stat = ["stat", "-c", "%u:%g %a"];
    const expected = (await store.ok(["run", image, ...stat, "/f"])).trim();
    const dir = temp.make();
    const deno = Deno.execPath();
    // Traced, the setuid newuidmap cannot map a subordinate range: without it on the PATH only
    // the caller is mapped, and the copy still sets what the caller cannot.
    const env = { PATH: temp.make() };
    for (
      const args of [["copy", image, `${dir}/traced`], ["bundle", "--copy", image, `${dir}/tb`]]
    ) {
      const { code, stderr, programs } = await execs(store, temp, args, undefined, env);
      assert.equal(code, 0, stderr);
      assert.deepEqual(programs.filter((program) => program === deno), [deno], args[0]);
    }
    // Untraced, with every id plash maps: the owner and mode root of the namespace sees.
    await store.ok(["copy", image, `${dir}/copy`]);
    await store.ok(["bundle", "--copy", image, `${dir}/bundle`]);
    for (const file of [`${dir}/copy/f`, `${dir}/bundle/rootfs/f`]) {
      assert.equal((await store.ok(["sudo", ...stat, file])).trim(), expected, file);
    }
    // A file closed to the caller: found by a look before anything is made, and copied as root
    // of the namespace, where plash starts again.
    const closed = await store.ok(["build", "--from", image, "--run", "echo s > /s && chmod 0 /s"]);
    await store.ok(["copy", closed, `${dir}/closed`]);
    assert.equal(await store.ok(["sudo", "cat", `${dir}/closed/s`]), "s");
    if (Deno.uid() === 0) return;
    // A rootless runtime gets the namespace's own id maps.
    const config = JSON.parse(Deno.readTextFileSync(`${dir}/bundle/config.json`));
    const maps = (await store.ok(["sudo", "cat", "/proc/self/uid_map"])).trim().split("\n")
      .map((line) => line.trim().split(/\s+/).map(Number))
      .map(([containerID, hostID, size]) => ({ containerID, hostID, size }));
    assert.deepEqual(config.linux.uidMappings, maps);
  },
);

/** The capability `cap_net_raw+ep` as `setcap` writes it (VFS_CAP_REVISION_2). */
const NET_RAW = new Uint8Array([0, 0, 0, 2, 0, 0x20, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

/**
 * A rootfs archive with busybox's `stat`, and files of other owners than
 * root: a group-owned secret, a set-gid and a setuid binary, a directory of
 * a user closed to the others, and a file with a capability.
 */
async function ownersArchive(): Promise<Uint8Array> {
  const busybox = Deno.readFileSync(`${await busyboxRootfs()}/bin/busybox`);
  return await buildArchive([
    { name: "./", type: "directory" },
    { name: "bin/", type: "directory" },
    { name: "bin/busybox", body: busybox, mode: 0o755 },
    { name: "bin/sh", type: "symlink", linkname: "busybox" },
    { name: "bin/stat", type: "symlink", linkname: "busybox" },
    {
      name: "bin/ping",
      body: busybox,
      mode: 0o755,
      pax: { "SCHILY.xattr.security.capability": NET_RAW },
    },
    { name: "etc/", type: "directory" },
    { name: "etc/shadow", body: "root:*:1:0:99999:7:::\n", gid: 42, mode: 0o640 },
    { name: "usr/bin/", type: "directory" },
    { name: "usr/bin/chage", body: busybox, gid: 42, mode: 0o2755 },
    { name: "usr/bin/su", body: busybox, mode: 0o4755 },
    { name: "srv/user/", type: "directory", uid: 1000, gid: 1000, mode: 0o700 },
    { name: "srv/user/notes", body: "mine\n", uid: 1000, gid: 1000, mode: 0o600 },
  ]);
}

Deno.test(
  "import-tar, import-url, import-oci and import-docker-archive start Deno once, with the archive's owners",
  {
    ignore: !STRACE,
  },
  async () => {
    using store = new TestStore();
    using temp = new TempDirs();
    const dir = temp.make();
    const archive = `${dir}/rootfs.tar`;
    Deno.writeFileSync(archive, await ownersArchive());
    const deno = Deno.execPath();
    // Traced, the setuid newuidmap cannot map a subordinate range: without it on the PATH
    // only the caller is mapped, and the capability still needs the namespace.
    const env = { PATH: temp.make() };
    const startsOf = async (target: TestStore, args: string[]) => {
      const { code, stderr, programs } = await execs(target, temp, args, undefined, env);
      assert.equal(code, 0, stderr);
      // The namespace's holder may run; plash starts once.
      assert.deepEqual(programs.filter((program) => program === deno), [deno], args[0]);
    };
    await startsOf(store, ["import-tar", archive]);
    await startsOf(store, ["import-url", `file://${archive}`]);
    // Owners inside the container: exact where the caller's ids reach them, else the caller's.
    const image = await store.ok(["import-tar", archive]);
    const { ranges } = plannedMapping(Deno.uid()!, Deno.gid()!);
    const mapped = Deno.uid() === 0 || ranges !== undefined;
    const [group, user] = mapped ? ["0:42", "1000:1000"] : ["0:0", "0:0"];
    const stat = await store.ok([
      "run",
      image.trim(),
      "stat",
      "-c",
      "%n %u:%g %a",
      "/etc/shadow",
      "/usr/bin/chage",
      "/usr/bin/su",
      "/srv/user",
    ]);
    assert.deepEqual(stat.trim().split("\n"), [
      `/etc/shadow ${group} 640`,
      `/usr/bin/chage ${group} 2755`,
      "/usr/bin/su 0:0 4755",
      `/srv/user ${user} 700`,
    ]);
    const ping = `${(await store.ok(["nodepath", image.trim()])).trim()}/_data/root/bin/ping`;
    assert.ok(getXattr(ping, "security.capability").length >= NET_RAW.length);
    // The OCI readers, into a store that has none of the layers yet.
    await store.ok(["export-oci", image.trim(), `${dir}/layout`]);
    await store.ok(["export-docker-archive", image.trim(), `${dir}/docker.tar`]);
    using fresh = new TestStore();
    await startsOf(fresh, ["import-oci", `${dir}/layout`]);
    using other = new TestStore();
    await startsOf(other, ["import-docker-archive", `${dir}/docker.tar`]);
  },
);

Deno.test("a build from an archive not imported yet starts Deno once, with the archive's owners", {
  ignore: !STRACE,
}, async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const dir = temp.make();
  Deno.writeFileSync(`${dir}/rootfs.tar`, await ownersArchive());
  Deno.writeFileSync(`${dir}/other.tar`, await ownersArchive());
  // Traced, the setuid newuidmap cannot map a subordinate range (see the imports' test).
  const env = { PATH: temp.make() };
  for (
    const from of [["--from-tar", `${dir}/rootfs.tar`], ["--from-url", `file://${dir}/other.tar`]]
  ) {
    const { code, stderr, programs } = await execs(store, temp, ["build", ...from], undefined, env);
    assert.equal(code, 0, stderr);
    assert.deepEqual(programs.filter((program) => program === Deno.execPath()), [Deno.execPath()]);
  }
  // Untraced, with every id plash maps: the archive's owners.
  using fresh = new TestStore();
  const image = (await fresh.ok(["build", "--from-tar", `${dir}/rootfs.tar`])).trim();
  const mapped = Deno.uid() === 0 || plannedMapping(Deno.uid()!, Deno.gid()!).ranges !== undefined;
  const stat = await fresh.ok([
    "run",
    image,
    "stat",
    "-c",
    "%n %u:%g %a",
    "/srv/user",
    "/usr/bin/chage",
  ]);
  assert.deepEqual(stat.trim().split("\n"), [
    `/srv/user ${mapped ? "1000:1000" : "0:0"} 700`,
    `/usr/bin/chage ${mapped ? "0:42" : "0:0"} 2755`,
  ]);
});

Deno.test("a rootless import of the caller's own files makes no user namespace", {
  // As root there is none to make.
  ignore: !STRACE || Deno.uid() === 0,
}, async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const archive = `${temp.make()}/rootfs.tar`;
  Deno.writeFileSync(
    archive,
    await buildArchive([
      { name: "./", type: "directory" },
      { name: "etc/", type: "directory" },
      { name: "etc/hostname", body: "mine\n" },
    ]),
  );
  // Neither the namespace's holder (sleep) nor newuidmap and newgidmap: Deno alone.
  const { code, stderr, programs } = await execs(store, temp, ["import-tar", archive]);
  assert.equal(code, 0, stderr);
  assert.deepEqual(programs, [Deno.execPath()]);
  const image = (await store.ok(["import-tar", archive])).trim();
  const layer = `${(await store.ok(["nodepath", image])).trim()}/_data/root`;
  assert.equal(Deno.readTextFileSync(`${layer}/etc/hostname`), "mine\n");
});

Deno.test("a rootless import that fails after its chown leaves nothing in tmp/", {
  // Only with a subordinate range does the chown give files to ids other than the caller.
  ignore: Deno.uid() === 0 || plannedMapping(Deno.uid()!, Deno.gid()!).ranges === undefined,
}, async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const archive = `${temp.make()}/rootfs.tar`;
  Deno.writeFileSync(archive, await ownersArchive());
  // The layer is extracted and chowned, then it cannot be moved under the root image's node.
  const root = `${(await store.ok(["nodepath", "0", "--allow-root-container"])).trim()}`;
  Deno.chmodSync(root, 0o555);
  try {
    const result = await store.plash(["import-tar", archive]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /^plash error: import-tar .*Permission denied[^\n]*\n$/);
  } finally {
    Deno.chmodSync(root, 0o755);
  }
  assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)], []);
});

/**
 * How many times `plash ARGS...` started Deno: each start's V8 isolate
 * writes its own log file in the working directory, which a plash started
 * again inherits. Not by strace: a traced newuidmap runs without its setuid
 * bit and cannot map the subordinate range these removals need.
 */
async function denoStarts(store: TestStore, temp: TempDirs, args: string[]): Promise<number> {
  const dir = temp.make();
  const [program, ...rest] = selfCommand(args);
  const result = await runCommand(program, rest, {
    env: { PLASH_DATA: store.data, DENO_V8_FLAGS: "--log,--logfile=v8.log" },
    cwd: dir,
  });
  assert.equal(result.code, 0, result.stderr);
  return [...Deno.readDirSync(dir)].filter((entry) => /^isolate-.*-v8\.log$/.test(entry.name))
    .length;
}

Deno.test("rm, clean, shrink and purge of files of subordinate ids start Deno once and leave nothing", async () => {
  using store = new TestStore();
  using temp = new TempDirs();
  const base = await store.busybox();
  // Files of a subordinate id, one a directory closed to the caller, where a range maps them;
  // else the caller's own, removed as the caller.
  const script = "echo f > /f && mkdir -p /d/e && touch /d/e/g && " +
    "(chown -R 1000:1000 /f /d 2>/dev/null || true) && chmod 700 /d";
  const image = async () => (await store.ok(["build", "--from", base, "--run", script])).trim();
  const listing = (dir: string) => [...Deno.readDirSync(`${store.data}/${dir}`)].map((e) => e.name);
  const onlyBase = () => {
    assert.deepEqual(listing("tmp"), []);
    assert.deepEqual(listing("index").sort(), ["0", base.trim()]);
    // No map entry names a removed image.
    for (const name of listing("map")) Deno.statSync(`${store.data}/map/${name}`);
  };

  const removed = await image();
  // Where a range maps 1000, /d is a subordinate id's, closed to the caller: without root only
  // the namespace child may remove it.
  const node = (id: string) => store.ok(["nodepath", id]).then((path) => path.trim());
  const mapped = Deno.uid() === 0 || plannedMapping(Deno.uid()!, Deno.gid()!).ranges !== undefined;
  assert.equal(Deno.statSync(`${await node(removed)}/_data/root/d`).uid !== Deno.uid(), mapped);
  assert.equal(await denoStarts(store, temp, ["rm", removed]), 1, "rm");
  onlyBase();

  // What an `rm` killed after its rename leaves: the node in a temporary directory of a process
  // that has ended (no pid is that high), and links that dangle.
  Deno.renameSync(await node(await image()), `${store.data}/tmp/${TMP_PREFIX}99999999_1_1`);
  assert.equal(await denoStarts(store, temp, ["clean"]), 1, "clean");
  onlyBase();

  const shrunk = await image();
  assert.equal(await denoStarts(store, temp, ["shrink"]), 1, "shrink");
  assert.notEqual((await store.plash(["nodepath", shrunk])).code, 0);
  onlyBase();

  await image();
  assert.equal(await denoStarts(store, temp, ["purge", "--yes"]), 1, "purge");
  assert.deepEqual(listing("."), []);
});
