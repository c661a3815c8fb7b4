import assert from "node:assert/strict";
import { chooseBuild, parseIndex } from "../../core/images/lxc/lxc_index.ts";
import { lxcArch } from "../../core/images/lxc/lxc_name.ts";
import { oneLineError, type Result, TestStore, usageFailure } from "../support/plash.ts";
import { busyboxArchive, type ImageServer, serveImages } from "../support/image_server.ts";
import { assertStoreUntouched } from "../support/tar_fixtures.ts";

const INDEX = "/meta/1.0/index-user";
const OLD = "20261120_05:24";
const NEW = "20261128_05:24";
/** The architecture plash picks on this host, and one it does not. */
const HOST = lxcArch();
const OTHER = HOST === "amd64" ? "arm64" : "amd64";

/** `dist;release;arch;variant;timestamp` for each build the fixture server lists. */
const BUILDS = [
  ...[HOST, OTHER].flatMap((arch) => [
    `debian;trixie;${arch};default;${OLD}`,
    `debian;trixie;${arch};default;${NEW}`,
    `debian;trixie;${arch};cloud;${NEW}`,
    `debian;bookworm;${arch};default;${NEW}`,
    `alt;Sisyphus;${arch};default;${NEW}`,
    `alt;p11;${arch};default;${NEW}`,
    `devuan;excalibur;${arch};default;${NEW}`,
    `centos;10-Stream;${arch};default;${NEW}`,
    `ubuntu-core;24;${arch};default;${NEW}`,
    `archlinux;current;${arch};default;${NEW}`,
    `alpine;3.24;${arch};default;${NEW}`,
    `gentoo;current;${arch};openrc;${NEW}`,
    `gentoo;current;${arch};systemd;${NEW}`,
  ]),
  `debian;trixie;i386;default;${NEW}`,
];

function path(build: string): string {
  return `/images/${build.replaceAll(";", "/")}/`;
}

/** An LXC image server listing `builds`, each with the busybox fixture as its rootfs. */
async function lxcServer(builds = BUILDS): Promise<ImageServer> {
  const xz = await busyboxArchive();
  const server = serveImages({});
  listBuilds(server, builds, xz);
  return server;
}

/** Makes `server`'s index list `builds` and serves their root filesystems. */
function listBuilds(server: ImageServer, builds: string[], xz: Uint8Array): void {
  server.routes[INDEX] = builds.map((build) => `${build};${path(build)}\n`).join("");
  for (const build of builds) server.routes[`${path(build)}rootfs.tar.xz`] = xz;
}

function rootfs(build: string): string {
  return `${path(build)}rootfs.tar.xz`;
}

/** Runs plash against `server`; `arch` sets PLASH_LXC_ARCH. */
function lxc(store: TestStore, server: { url: string }, args: string[], arch?: string) {
  const env: Record<string, string> = { PLASH_LXC_SERVER: server.url };
  if (arch) env.PLASH_LXC_ARCH = arch;
  return store.plash(args, { env });
}

async function lxcOk(store: TestStore, server: { url: string }, args: string[], arch?: string) {
  const result = await lxc(store, server, args, arch);
  assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
  // Builds trace their steps on stderr; the import says nothing there when it is not a terminal.
  if (args[0] === "import-lxc") assert.equal(result.stderr, "");
  return result.stdout.trim();
}

function assertFailed(result: Result, pattern: RegExp, code = 1): void {
  assert.equal(result.code, code, result.stderr);
  assert.equal(result.stdout, "");
  assert.match(oneLineError(result), pattern);
}

Deno.test("import-lxc --dry: newest default build for this host's architecture", async () => {
  using store = new TestStore();
  await using server = await lxcServer();
  const dry = async (name: string, arch?: string) =>
    await lxcOk(store, server, ["import-lxc", name, "--dry"], arch);
  const url = (build: string) => `${server.url}${rootfs(build)}`;

  assert.equal(await dry("debian:trixie"), url(`debian;trixie;${HOST};default;${NEW}`));
  assert.equal(
    await lxcOk(store, server, ["import-lxc", "--dry", "debian:bookworm"]),
    url(`debian;bookworm;${HOST};default;${NEW}`),
  );
  assert.equal(await dry("debian:trixie:cloud"), url(`debian;trixie;${HOST};cloud;${NEW}`));
  assert.equal(await dry("debian:trixie", "i386"), url(`debian;trixie;i386;default;${NEW}`));
  assert.equal(
    await dry("debian:trixie", OTHER),
    url(`debian;trixie;${OTHER};default;${NEW}`),
  );
  // Names as LXC spells them: capitals, dashes in the release or the distribution.
  for (
    const [name, build] of [
      ["alt:Sisyphus", "alt;Sisyphus"],
      ["alt:p11", "alt;p11"],
      ["devuan:excalibur", "devuan;excalibur"],
      ["centos:10-Stream", "centos;10-Stream"],
      ["ubuntu-core:24", "ubuntu-core;24"],
      ["archlinux", "archlinux;current"], // bare: the release `current`
      ["devuan", "devuan;excalibur"], // bare: the only release
    ]
  ) {
    assert.equal(await dry(name), url(`${build};${HOST};default;${NEW}`), name);
  }
  assert.equal(await dry("gentoo:current:openrc"), url(`gentoo;current;${HOST};openrc;${NEW}`));

  assert.equal(server.requests(INDEX), 13);
  assert.equal(server.requests(), 13); // no archive was fetched
});

Deno.test("import-lxc: unknown names fail in one line saying what there is", async () => {
  using store = new TestStore();
  await using server = await lxcServer();
  const at = `lxc image .* on ${server.url}`;
  const cases: [string[], RegExp, string?][] = [
    [
      ["nosuch:1"],
      new RegExp(
        `^plash error: lxc image nosuch:1 on ${server.url}: no distribution nosuch; ` +
          "there are: alpine alt archlinux centos debian devuan gentoo ubuntu-core$",
      ),
    ],
    [
      ["alt-Sisyphus"],
      new RegExp(`${at}: no distribution alt-Sisyphus \\(did you mean alt:Sisyphus\\?\\)`),
    ],
    [["debian:buster"], /: no release buster; debian has: bookworm trixie$/],
    [["debian:trixie"], /: not built for riscv64; only for: amd64 arm64 i386$/, "riscv64"],
    [
      ["gentoo:current"],
      new RegExp(
        `: no variant default for ${HOST}; there are: openrc systemd ` +
          `\\(name one, as gentoo:current:openrc\\)$`,
      ),
    ],
    [["debian"], /: debian has several releases, name one \(debian:RELEASE\): bookworm trixie$/],
  ];
  for (const [args, pattern, arch] of cases) {
    assertFailed(await lxc(store, server, ["import-lxc", ...args], arch), pattern);
    assertFailed(await lxc(store, server, ["import-lxc", ...args, "--dry"], arch), pattern);
  }
  assertFailed(
    await lxc(store, server, ["import-lxc", "debian:trixie:cloud:x"]),
    /^plash error: not an lxc image name: "debian:trixie:cloud:x" \(DIST\[:RELEASE\[:VARIANT\]\], as debian:trixie\)$/,
  );
  for (const args of [["import-lxc"], ["import-lxc", "a", "b"]]) {
    assert.match(usageFailure(await lxc(store, server, args)), /^usage: plash import-lxc /);
  }
  assertStoreUntouched(store.data);
});

Deno.test("import-lxc: a server that is down, has no index or a broken archive", async () => {
  using store = new TestStore();
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const down = { url: `http://127.0.0.1:${closed.addr.port}` };
  closed.close();
  assertFailed(
    await lxc(store, down, ["import-lxc", "debian:trixie"]),
    new RegExp(`^plash error: ${down.url}${INDEX}: cannot connect: .*Connection refused`),
  );

  await using server = serveImages({});
  assertFailed(
    await lxc(store, server, ["import-lxc", "debian:trixie"]),
    new RegExp(`^plash error: ${server.url}${INDEX}: HTTP 404 Not Found$`),
  );
  server.routes[INDEX] = "<html><body>images</body></html>\n";
  assertFailed(
    await lxc(store, server, ["import-lxc", "debian:trixie"]),
    new RegExp(`^plash error: ${server.url}${INDEX}: not an LXC image index$`),
  );
  // Listed, but its archive is missing, then corrupt.
  const build = `debian;trixie;${HOST};default;${NEW}`;
  server.routes[INDEX] = `${build};${path(build)}\n`;
  for (const args of [["import-lxc", "debian:trixie"], ["build", "-f", "debian:trixie"]]) {
    assertFailed(
      await lxc(store, server, args),
      new RegExp(`${server.url}${rootfs(build)}: HTTP 404 Not Found$`),
    );
  }
  server.routes[rootfs(build)] = (await busyboxArchive()).subarray(0, 20_000);
  assertFailed(
    await lxc(store, server, ["import-lxc", "debian:trixie"]),
    new RegExp(`^plash error: ${server.url}${rootfs(build)}: .*truncated xz data`),
  );
  assertStoreUntouched(store.data);
});

Deno.test("import-lxc imports; --from-lxc and -f then build on it without asking", async () => {
  using store = new TestStore();
  await using server = await lxcServer();
  const newest = rootfs(`debian;trixie;${HOST};default;${NEW}`);

  const id = await lxcOk(store, server, ["import-lxc", "debian:trixie"]);
  assert.equal(id, "1");
  assert.deepEqual([server.requests(INDEX), server.requests(newest), server.requests()], [1, 1, 2]);
  assert.equal(await store.ok(["map", `lxc:debian:trixie:${HOST}`]), id);
  assert.equal(await store.ok(["map", `lxc:debian:trixie:${HOST}:default:${NEW}`]), id);
  // The same build again: the index is asked, the archive is not fetched again.
  assert.equal(await lxcOk(store, server, ["import-lxc", "debian:trixie"]), id);
  assert.deepEqual([server.requests(INDEX), server.requests()], [2, 3]);

  const built = await lxcOk(store, server, [
    "build",
    "--from-lxc",
    "debian:trixie",
    "-x",
    "echo hi > /x",
  ]);
  assert.equal(await store.ok(["parent", built]), id);
  assert.equal(await store.ok(["run", built, "cat", "/x"]), "hi");
  assert.equal(
    await lxcOk(store, server, ["build", "-f", "debian:trixie", "-x", "echo hi > /x"]),
    built,
  );
  assert.notEqual(
    await lxcOk(store, server, ["build", "--from", "debian:trixie", "-x", "true"]),
    built,
  );
  assert.equal(server.requests(), 3);

  // A newer build appears: builds keep theirs until import-lxc brings it.
  const newer = `debian;trixie;${HOST};default;20261129_05:24`;
  listBuilds(server, [...BUILDS, newer], await busyboxArchive());
  assert.equal(
    await lxcOk(store, server, ["build", "-f", "debian:trixie", "-x", "echo hi > /x"]),
    built,
  );
  assert.equal(server.requests(), 3);
  const fresh = await lxcOk(store, server, ["import-lxc", "debian:trixie"]);
  assert.notEqual(fresh, id);
  assert.equal(server.requests(rootfs(newer)), 1);
  const rebuilt = await lxcOk(store, server, [
    "build",
    "-f",
    "debian:trixie",
    "-x",
    "echo hi > /x",
  ]);
  assert.equal(await store.ok(["parent", rebuilt]), fresh);
  assert.equal(await store.ok(["run", rebuilt, "cat", "/x"]), "hi");
  assert.deepEqual(Array.from(Deno.readDirSync(`${store.data}/tmp`)), []);
});

Deno.test("--from-lxc and the shortcuts import on first use, once", async () => {
  using store = new TestStore();
  await using server = await lxcServer();
  const sisyphus = rootfs(`alt;Sisyphus;${HOST};default;${NEW}`);
  const built = await lxcOk(store, server, [
    "build",
    "--from-lxc",
    "alt:Sisyphus",
    "-x",
    "echo hi > /x",
  ]);
  assert.equal(await store.ok(["run", built, "cat", "/x"]), "hi");
  assert.deepEqual([server.requests(INDEX), server.requests(sisyphus)], [1, 1]);
  assert.equal(
    await lxcOk(store, server, ["build", "--from-lxc", "alt:Sisyphus", "-x", "echo hi > /x"]),
    built,
  );
  assert.equal(server.requests(), 2);

  const alpine = await lxcOk(store, server, ["eval", "-A", "git"]);
  assert.match(alpine, /^### plash hint: image=\d+\napk update\napk add 'git'$/);
  assert.equal(server.requests(rootfs(`alpine;3.24;${HOST};default;${NEW}`)), 1);
  const gentoo = await lxcOk(store, server, ["eval", "-G", "vim"]);
  assert.match(gentoo, /^### plash hint: image=\d+\nemerge 'vim'$/);
  assert.equal(server.requests(rootfs(`gentoo;current;${HOST};openrc;${NEW}`)), 1);
  await lxcOk(store, server, ["eval", "-A", "git"]);
  assert.equal(server.requests(), 6);

  assertFailed(
    await lxc(store, server, ["build", "--from-lxc", "nosuch:1", "-x", "true"]),
    new RegExp(`^plash error: --from-lxc: lxc image nosuch:1 on ${server.url}: no distribution`),
  );
  assertFailed(
    await lxc(store, server, ["build", "--from-lxc", "a:b:c:d", "-x", "true"]),
    /^plash error: --from-lxc: not an lxc image name: "a:b:c:d"/,
  );
});

Deno.test("the index: lines that are not six fields are skipped; the newest build wins", () => {
  const builds = parseIndex(
    "debian;trixie;amd64;default;20261120_05:24;/a/\n" +
      "garbage line\n\n" +
      "debian;trixie;amd64;default;;/b/\n" +
      "debian;trixie;amd64;default;20261128_05:24;/c/\r\n" +
      "debian;trixie;amd64;default;20261124_05:24;/d/\n",
  );
  assert.deepEqual(builds.map((build) => build.path), ["/a/", "/c/", "/d/"]);
  assert.equal(chooseBuild(builds, { dist: "debian", release: "trixie" }, "amd64").path, "/c/");
});
