import assert from "node:assert/strict";
import { bud, budOk, ociConfig, writeContext } from "../support/bud.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { TempDirs } from "../support/temp_dirs.ts";
import { onTerminal } from "../support/terminal.ts";

const root = Deno.uid() === 0;

/** A store with the busybox image, and a context of `files` with a Dockerfile of `lines`. */
async function setup(store: TestStore, dirs: TempDirs, lines: string[], files = {}) {
  const base = await store.busybox();
  const context = writeContext(dirs.make("plash-bud-"), {
    ...files,
    Dockerfile: lines.join("\n").replaceAll("BASE", base) + "\n",
  });
  return { base, context };
}

Deno.test("bud builds ENV, ARG, WORKDIR, COPY, RUN, USER and CMD into an image plash runs", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const { context } = await setup(store, dirs, [
    "FROM BASE",
    "ARG V=7",
    'ENV A=1 B="two words"',
    "WORKDIR /app",
    "COPY a.txt ./",
    'RUN echo "v=$V a=$A b=$B home=$HOME pwd=$(pwd)" > out',
    "USER 5:6",
    "RUN id -u > /app/uid || true",
    'CMD ["cat", "/app/out"]',
  ], { "a.txt": "hello\n" });
  const result = await bud(store, [context]);
  assert.equal(result.code, 0, result.stderr);
  const id = result.stdout.trim();
  assert.match(id, /^\d+$/);
  assert.match(result.stderr, /^STEP 1\/9: FROM \d+\nSTEP 2\/9: ARG V=7\n/);
  assert.match(result.stderr, /STEP 6\/9: RUN echo/);
  assert.equal(await store.ok(["run", id]), "v=7 a=1 b=two words home=/root pwd=/app");
  assert.equal(await store.ok(["run", id, "cat", "/app/a.txt"]), "hello");
  const config = JSON.parse(await store.ok(["inspect", "--json", id]))[0].config;
  assert.deepEqual(config.env, {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    A: "1",
    B: "two words",
  }, "an ARG is not kept in the image; PATH is the default one, as buildah's");
  assert.equal(config.workdir, "/app");
  assert.equal(config.user, "5:6");
  assert.deepEqual(config.cmd, ["cat", "/app/out"]);
  assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)], []);
});

Deno.test("a RUN sees docker's environment, not the host's, nor the host's /home, /tmp or cwd", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const hostFile = `${dirs.make("plash-bud-host-")}/marker`;
  Deno.writeTextFileSync(hostFile, "host");
  const { context } = await setup(store, dirs, [
    "FROM BASE",
    "ENV E=image",
    "ARG GIVEN",
    "RUN env | sort > /env; ls /home > /home.txt 2>&1 || true",
    `RUN test ! -e ${hostFile} && test ! -e ${Deno.cwd()}/deno.json && echo ok > /isolated`,
  ]);
  const id = await store.ok(["bud", "-q", "--build-arg", "GIVEN=yes", context], {
    env: { HOST_ONLY: "leak", TERM: "xterm" },
  });
  const env = await store.ok(["run", id, "cat", "/env"]);
  assert.deepEqual(
    env.split("\n").filter((line) => !line.startsWith("PWD=") && !line.startsWith("SHLVL=")),
    [
      "E=image",
      "GIVEN=yes",
      "HOME=/root",
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ],
  );
  assert.equal(await store.ok(["run", id, "cat", "/isolated"]), "ok");
});

Deno.test("COPY follows docker's directory, trailing-slash, wildcard, symlink and .dockerignore rules", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const { context } = await setup(store, dirs, [
    "FROM BASE",
    "COPY dir /d1",
    "COPY dir/ /d2/",
    "COPY a.txt /file",
    "COPY a.txt /into/",
    "COPY *.txt /glob/",
    "COPY top-link /followed",
    "COPY --chmod=640 a.txt /moded",
    "COPY . /all/",
    "COPY dir /etc/",
  ], {
    "a.txt": "a\n",
    "b.txt": "b\n",
    "dir/x": "x\n",
    "dir/sub/y": "y\n",
    "dir/link": { link: "x" },
    "top-link": { link: "a.txt" },
    "skip.log": "no\n",
    "dir/keep.log": "kept by !\n",
    ".dockerignore": "*.log\n!dir/keep.log\n",
  });
  Deno.chmodSync(`${context}/dir`, 0o750);
  const id = await budOk(store, [context]);
  const listing = await store.ok([
    "run",
    id,
    "sh",
    "-c",
    "cd / && find d1 d2 file into glob followed moded all | sort | while read f; do " +
    "stat -c '%n %F %a %u:%g' \"$f\"; done",
  ]);
  const lines = listing.split("\n");
  const has = (line: string) => assert.ok(lines.includes(line), `${line} in:\n${listing}`);
  has("d1 directory 755 0:0"); // made 0755, as buildah makes it, whatever the source's mode
  has("all/dir directory 750 0:0"); // within the copy, the source's mode
  has("d1/x regular file 644 0:0");
  has("d1/sub/y regular file 644 0:0");
  has("d1/link symbolic link 777 0:0");
  has("d2/x regular file 644 0:0");
  has("file regular file 644 0:0");
  has("into/a.txt regular file 644 0:0");
  has("glob/a.txt regular file 644 0:0");
  has("glob/b.txt regular file 644 0:0");
  has("followed regular file 644 0:0");
  has("moded regular file 640 0:0");
  has("all/dir/keep.log regular file 644 0:0");
  assert.equal(
    await store.ok(["run", id, "stat", "-c", "%a %u", "/etc", "/etc/x"]),
    "755 0\n644 0",
    "a target directory the image has keeps its mode",
  );
  assert.ok(!lines.some((line) => line.startsWith("d1/dir")), "a directory copies what it holds");
  assert.ok(!lines.some((line) => line.startsWith("all/skip.log")), ".dockerignore excludes");
  assert.equal(await store.ok(["run", id, "readlink", "/d1/link"]), "x");
  assert.equal(await store.ok(["run", id, "cat", "/followed"]), "a");
});

Deno.test("an unchanged context is all cache; an mtime alone changes nothing; a changed file rebuilds from its COPY", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const { context } = await setup(store, dirs, [
    "FROM BASE",
    "RUN echo first > /first",
    "COPY a.txt /a.txt",
    "RUN cat /a.txt > /copied",
  ], { "a.txt": "one\n" });
  const first = await bud(store, [context]);
  assert.equal(first.code, 0, first.stderr);
  const id = first.stdout.trim();
  const again = await bud(store, [context]);
  assert.equal(again.stdout.trim(), id);
  assert.equal(again.stderr.match(/--> Using cache/g)?.length, 3, again.stderr);
  Deno.utimeSync(`${context}/a.txt`, new Date(0), new Date(0));
  assert.equal(await budOk(store, [context]), id, "a touched file is the same file");
  Deno.writeTextFileSync(`${context}/a.txt`, "two\n");
  const changed = await bud(store, [context]);
  assert.equal(changed.code, 0, changed.stderr);
  assert.notEqual(changed.stdout.trim(), id);
  assert.equal(changed.stderr.match(/--> Using cache/g)?.length, 1, "only the RUN before the COPY");
  assert.equal(await store.ok(["run", changed.stdout.trim(), "cat", "/copied"]), "two");
  const rebuilt = await bud(store, ["--no-cache", "-q", context]);
  assert.notEqual(rebuilt.stdout.trim(), changed.stdout.trim(), "--no-cache builds again");
});

Deno.test("stages: COPY --from, --target, and a stage nothing needs is not built", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const { base, context } = await setup(store, dirs, [
    "ARG IMG=BASE",
    "FROM $IMG AS builder",
    "RUN echo built > /artifact",
    "FROM BASE AS unused",
    "RUN exit 9",
    "FROM builder AS tested",
    "RUN echo tested > /tested",
    "FROM BASE",
    "COPY --from=builder /artifact /from-builder",
    "COPY --from=base-image /bin/busybox /from-image",
  ]);
  await store.ok(["tag", base, "base-image"]);
  const last = await bud(store, [context]);
  assert.equal(last.code, 0, last.stderr);
  assert.doesNotMatch(last.stderr, /exit 9/);
  assert.match(last.stderr, /^\[1\/2\] STEP 1\/2: FROM/m);
  const id = last.stdout.trim();
  assert.equal(await store.ok(["run", id, "cat", "/from-builder"]), "built");
  assert.equal(await store.ok(["run", id, "cmp", "/from-image", "/bin/busybox"]), "");
  const tested = await budOk(store, ["--target", "tested", context]);
  assert.equal(await store.ok(["run", tested, "cat", "/artifact", "/tested"]), "built\ntested");
  const unknown = await bud(store, ["--target", "nope", context]);
  assert.equal(unknown.code, 1);
  assert.equal(oneLineError(unknown), "plash error: --target nope: no stage of that name");
});

Deno.test("heredocs: RUN <<EOF runs the script, COPY <<EOF writes the file", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const { context } = await setup(store, dirs, [
    "FROM BASE",
    "ENV WHO=world",
    "RUN <<EOF",
    "echo one > /script",
    "echo two >> /script",
    "EOF",
    "COPY <<EOF /greeting",
    "hello $WHO",
    "EOF",
    "RUN cat <<A > /stdin",
    "from a heredoc",
    "A",
    "RUN <<EOF",
    "#!/bin/busybox awk -f",
    'BEGIN { print "by its interpreter" > "/interpreted" }',
    "EOF",
  ]);
  const id = await budOk(store, [context]);
  assert.equal(await store.ok(["run", id, "cat", "/script"]), "one\ntwo");
  assert.equal(await store.ok(["run", id, "cat", "/greeting"]), "hello world");
  assert.equal(await store.ok(["run", id, "cat", "/stdin"]), "from a heredoc");
  assert.equal(await store.ok(["run", id, "cat", "/interpreted"]), "by its interpreter");
});

Deno.test("a file removed by a RUN is a whiteout over the layer that had it", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const { context } = await setup(store, dirs, [
    "FROM BASE",
    "COPY a.txt /a.txt",
    "RUN rm /a.txt && rm /bin/vi",
  ], { "a.txt": "a\n" });
  const id = await budOk(store, [context]);
  const gone = await store.plash(["run", id, "ls", "/a.txt", "/bin/vi"]);
  assert.notEqual(gone.code, 0);
});

Deno.test("the config instructions reach inspect and export-oci under docker's names", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const { context } = await setup(store, dirs, [
    "FROM BASE",
    'LABEL a=1 b="two words"',
    "EXPOSE 80 53/udp",
    'VOLUME ["/data"]',
    "STOPSIGNAL SIGTERM",
    "HEALTHCHECK --interval=30s --retries=2 CMD true",
    'SHELL ["/bin/sh", "-ec"]',
    "ONBUILD RUN echo triggered > /onbuild",
    "MAINTAINER someone",
    'ENTRYPOINT ["echo"]',
  ]);
  const id = await budOk(store, ["--label", "c=3", context]);
  const layout = `${dirs.make("plash-bud-oci-")}/oci`;
  const config = await ociConfig(store, id, layout);
  const imported = await store.ok(["import-oci", layout]);
  const back = JSON.parse(await store.ok(["inspect", "--json", imported]))[0].config;
  assert.deepEqual(
    [back.labels, back.exposedPorts, back.stopSignal, back.shell, back.author],
    [
      { a: "1", b: "two words", c: "3" },
      ["80/tcp", "53/udp"],
      "SIGTERM",
      ["/bin/sh", "-ec"],
      "someone",
    ],
    "an image imported back keeps them",
  );
  assert.deepEqual(config.config.Labels, { a: "1", b: "two words", c: "3" });
  assert.deepEqual(config.config.ExposedPorts, { "80/tcp": {}, "53/udp": {} });
  assert.deepEqual(config.config.Volumes, { "/data": {} });
  assert.equal(config.config.StopSignal, "SIGTERM");
  assert.deepEqual(config.config.Healthcheck, {
    Test: ["CMD-SHELL", "true"],
    Interval: 30e9,
    Retries: 2,
  });
  assert.deepEqual(config.config.Shell, ["/bin/sh", "-ec"]);
  assert.deepEqual(config.config.OnBuild, ["RUN echo triggered > /onbuild"]);
  assert.deepEqual(config.config.Entrypoint, ["echo"]);
  assert.equal(config.author, "someone");
  // A build FROM it runs the trigger first, and passes it on no further.
  const child = writeContext(dirs.make("plash-bud-child-"), {
    Dockerfile: `FROM ${id}\nENTRYPOINT []\n`,
  });
  const childId = await budOk(store, [child]);
  assert.equal(await store.ok(["run", childId, "cat", "/onbuild"]), "triggered");
  const childConfig = JSON.parse(await store.ok(["inspect", "--json", childId]))[0].config;
  assert.deepEqual(childConfig.onBuild ?? [], []);
});

Deno.test("bad input fails in one line naming FILE:LINE, and leaves nothing behind", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const { base, context } = await setup(store, dirs, ["FROM BASE", "FOO bar"], {
    out: { link: "/etc" },
  });
  const before = await store.ok(["ls", "--json"]);
  const unknown = await bud(store, [context]);
  assert.equal(unknown.code, 1);
  assert.equal(oneLineError(unknown), "plash error: Dockerfile:2: unknown instruction: FOO");
  const cases: [string[], RegExp][] = [
    [["COPY missing.txt /"], /^plash error: Dockerfile:2: COPY: missing.txt: no such file/],
    [
      ["COPY ../outside /"],
      /^plash error: Dockerfile:2: COPY: \.\.\/outside: outside the build context/,
    ],
    [
      ["COPY out/passwd /"],
      /^plash error: Dockerfile:2: COPY: out\/passwd: its symlink leads outside/,
    ],
    [
      ["RUN --mount=type=bind,source=out,target=/x cat /x/passwd"],
      /^plash error: Dockerfile:2: RUN: out: its symlink leads outside the build context/,
    ],
    [
      ["RUN exit 3"],
      /^plash error: Dockerfile:2: RUN exit 3 failed in image \d+ with exit status 3$/,
    ],
    [
      ["COPY --from=nowhere /a /a"],
      /^plash error: Dockerfile:2: COPY: --from=nowhere: no earlier stage of that name, and no such image: /,
    ],
  ];
  for (const [lines, expected] of cases) {
    Deno.writeTextFileSync(`${context}/Dockerfile`, `FROM ${base}\n${lines.join("\n")}\n`);
    const result = await bud(store, ["-q", context]);
    assert.notEqual(result.code, 0, lines[0]);
    assert.match(oneLineError(result), expected);
  }
  assert.equal(await store.ok(["ls", "--json"]), before, "no image was made");
  assert.deepEqual([...Deno.readDirSync(`${store.data}/tmp`)], []);
});

Deno.test("-f - reads the Dockerfile from stdin; -t names the image", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const base = await store.busybox();
  const context = writeContext(dirs.make("plash-bud-"), { "a.txt": "from context\n" });
  const result = await bud(
    store,
    ["-q", "-f", "-", "-t", "myapp", context],
    `FROM ${base}\nCOPY a.txt /\n`,
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await store.ok(["run", "myapp", "cat", "/a.txt"]), "from context");
});

Deno.test("ADD unpacks a local tar archive into its destination", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const src = writeContext(dirs.make("plash-bud-src-"), { "in/packed.txt": "packed\n" });
  const context = dirs.make("plash-bud-");
  const tar = await new Deno.Command("tar", {
    args: ["-czf", `${context}/files.tar.gz`, "-C", src, "in"],
  }).output();
  assert.ok(tar.success);
  const base = await store.busybox();
  Deno.writeTextFileSync(
    `${context}/Dockerfile`,
    `FROM ${base}\nADD files.tar.gz /unpacked/\nCOPY files.tar.gz /kept/\n`,
  );
  const id = await budOk(store, [context]);
  assert.equal(await store.ok(["run", id, "cat", "/unpacked/in/packed.txt"]), "packed");
  assert.equal(await store.ok(["run", id, "ls", "/kept"]), "files.tar.gz");
});

Deno.test({
  name: "COPY --chown to ids outside the caller's range is refused, naming the subuid fix",
  ignore: root,
  fn: async () => {
    using store = new TestStore();
    using dirs = new TempDirs();
    const { context } = await setup(store, dirs, [
      "FROM BASE",
      "COPY --chown=4000000000:4000000000 a.txt /a",
    ], { "a.txt": "a\n" });
    const result = await bud(store, ["-q", context]);
    assert.equal(result.code, 1);
    assert.match(oneLineError(result), /--chown=4000000000:4000000000: .*\/etc\/subuid/);
  },
});

Deno.test("RUN --mount: bind from the context (read-only), cache kept across builds, tmpfs, secret", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const secret = `${dirs.make("plash-bud-secret-")}/token`;
  Deno.writeTextFileSync(secret, "s3cret\n");
  const { context } = await setup(store, dirs, [
    "FROM BASE",
    "RUN --mount=type=bind,source=src,target=/src cat /src/in.txt > /bound && " +
    "! touch /src/new 2>/dev/null",
    "RUN --mount=type=cache,target=/cache echo run >> /cache/log && wc -l < /cache/log > /count",
    "RUN --mount=type=tmpfs,target=/scratch touch /scratch/x && ls /scratch > /scratched",
    "RUN --mount=type=secret,id=token cat /run/secrets/token > /told",
    "RUN --mount=type=bind,source=src,target=/src,rw echo scratch > /src/in.txt && " +
    "cat /src/in.txt > /rw",
  ], { "src/in.txt": "bound\n" });
  const id = await budOk(store, ["--secret", `id=token,src=${secret}`, context]);
  assert.equal(
    await store.ok(["run", id, "cat", "/bound", "/count", "/scratched", "/told"]),
    "bound\n1\nx\ns3cret",
  );
  const left = await store.plash([
    "run",
    id,
    "ls",
    "-d",
    "/src",
    "/cache",
    "/scratch",
    "/run/secrets",
  ]);
  assert.notEqual(left.code, 0, "no mount point is left in the image");
  assert.equal(left.stdout, "");
  Deno.writeTextFileSync(`${context}/src/in.txt`, "changed\n");
  const next = await budOk(store, ["--secret", `id=token,src=${secret}`, context]);
  assert.equal(
    await store.ok(["run", next, "cat", "/bound", "/count"]),
    "changed\n2",
    "the bind's content keys its RUN; the cache mount kept its file",
  );
});

Deno.test("ARG scope and defaults, --build-arg, and the ignore files podman reads", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const { context } = await setup(store, dirs, [
    "ARG GLOBAL=g",
    "FROM BASE",
    "ARG UNSET",
    "ARG GLOBAL",
    "ARG GIVEN=default",
    'RUN echo "${UNSET-unset} [$TARGETARCH] $GLOBAL $GIVEN" > /args',
    "ARG TARGETARCH",
    'RUN echo "$TARGETARCH" > /arch',
    "COPY . /ctx/",
  ], {
    "a.txt": "a\n",
    "b.txt": "b\n",
    ".containerignore": "a.txt\n",
    ".dockerignore": "b.txt\n",
    "other.ignore": "*.txt\n",
  });
  const id = await budOk(store, ["--build-arg", "GIVEN=given", context]);
  assert.equal(await store.ok(["run", id, "cat", "/args"]), "unset [] g given");
  assert.match(await store.ok(["run", id, "cat", "/arch"]), /^(amd64|arm64)$/);
  assert.deepEqual((await store.ok(["run", id, "ls", "/ctx"])).split("\n"), [
    "Dockerfile",
    "b.txt",
    "other.ignore",
  ], ".containerignore first");
  const other = await budOk(store, ["--ignorefile", `${context}/other.ignore`, context]);
  assert.deepEqual((await store.ok(["run", other, "ls", "/ctx"])).split("\n"), [
    "Dockerfile",
    "other.ignore",
  ]);
});

Deno.test("a COPY of many files shows its progress on a terminal, and none with -q", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const files: Record<string, string> = {};
  for (let i = 0; i < 1200; i++) files[`many/f${i}`] = `${i}\n`;
  const { context } = await setup(store, dirs, ["FROM BASE", "COPY many /many/"], files);
  const shown = await onTerminal(store, ["bud", context]);
  assert.equal(shown.code, 0, shown.stdout);
  assert.match(shown.stdout, /COPY[\s\S]*1200 files/);
  const quiet = await onTerminal(store, ["bud", "-q", "--no-cache", context]);
  assert.equal(quiet.code, 0, quiet.stdout);
  assert.doesNotMatch(quiet.stdout, /1200 files/);
});

Deno.test(
  "without mounts bud makes the same layers and keys; a RUN --mount is refused in one line",
  {
    ignore: !root,
  },
  async () => {
    using store = new TestStore();
    using dirs = new TempDirs();
    const { context } = await setup(store, dirs, [
      "FROM BASE",
      "ENV A=1",
      "RUN echo $A > /a && rm /bin/ls",
      "COPY f /f",
      'CMD ["cat", "/a"]',
    ], { f: "hi\n" });
    const mountless = { PLASH_NO_UNSHARE: "1" };
    const built = await store.plash(["bud", "-q", context], { env: mountless });
    assert.equal(built.code, 0, built.stderr);
    const id = built.stdout.trim();
    assert.equal(await store.ok(["run", id]), "1");
    assert.equal((await store.plash(["run", id, "ls"])).code, 127, "the RUN's deletion holds");
    // The same build with mounts is all cache: the same keys made the same image.
    assert.equal(await budOk(store, [context]), id);
    writeContext(context, { Dockerfile: `FROM ${id}\nRUN --mount=type=tmpfs,target=/t true\n` });
    const refused = await store.plash(["bud", "-q", context], { env: mountless });
    assert.equal(refused.code, 1);
    assert.match(oneLineError(refused), /RUN --mount is a mount: PLASH_NO_UNSHARE=1$/);
    // The build's copies, reverted and pooled (warm copies), alone.
    assert.deepEqual(
      [...Deno.readDirSync(`${store.data}/tmp`)].filter((e) => !e.name.startsWith("plashwarm_")),
      [],
    );
  },
);
