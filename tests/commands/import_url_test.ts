import assert from "node:assert/strict";
import { urlKey } from "../../core/images/tarball/url_key.ts";
import { selfCommand } from "../../core/self_command.ts";
import { oneLineError, type Result, TestStore } from "../support/plash.ts";
import {
  busyboxArchive,
  corrupt,
  type Route,
  serveImages,
  shortBody,
} from "../support/image_server.ts";
import { assertStoreUntouched, buildArchive, names } from "../support/tar_fixtures.ts";

const ROOTFS = "/rootfs.tar.xz";

function redirect(to: string, status = 302): Route {
  return () => new Response(null, { status, headers: { location: to } });
}

/** Asserts a failed import: one `plash error:` line matching `pattern`, nothing on stdout. */
function assertFailed(result: Result, pattern: RegExp): void {
  assert.notEqual(result.code, 0, result.stderr);
  assert.equal(result.stdout, "");
  assert.match(oneLineError(result), pattern);
}

Deno.test("import-url: http, redirects and file: URLs; prints only the id", async () => {
  using store = new TestStore();
  const xz = await busyboxArchive();
  await using server = serveImages({
    [ROOTFS]: xz,
    "/a": redirect("/b", 301),
    "/b": redirect("/c", 307),
    "/c": redirect(ROOTFS, 308),
  });

  const direct = await store.plash(["import-url", `${server.url}${ROOTFS}`]);
  assert.equal(direct.code, 0, direct.stderr);
  assert.equal(direct.stderr, "");
  assert.equal(direct.stdout, "1\n");
  Deno.statSync(`${store.images.layer(1)}/bin/busybox`);
  assert.match(await store.ok(["run", "1", "cat", "/etc/passwd"]), /^root:/);

  assert.equal(await store.ok(["import-url", `${server.url}/a`]), "2");
  assert.equal(server.requests(ROOTFS), 2);

  const file = `${store.data}.rootfs.tar.xz`;
  Deno.writeFileSync(file, xz);
  assert.equal(await store.ok(["import-url", `file://${file}`]), "3");
  assert.deepEqual(names(`${store.data}/tmp`), []);
  assert.equal(await store.ok(["map", `url:${server.url}/a`]), "2");
  assert.equal(await store.ok(["map", `url:file://${file}`]), "3");
  Deno.removeSync(file);
});

Deno.test("--from-url downloads once; import-url brings a new download", async () => {
  using store = new TestStore();
  await using server = serveImages({ [ROOTFS]: await busyboxArchive() });
  const url = `${server.url}${ROOTFS}`;
  const first = await store.ok(["build", "--from-url", url, "-x", "echo hi > /x"]);
  assert.equal(server.requests(), 1);
  assert.equal(await store.ok(["run", first, "cat", "/x"]), "hi");

  // Cached: the same image, and no request at all.
  assert.equal(await store.ok(["build", "--from-url", url, "-x", "echo hi > /x"]), first);
  assert.notEqual(await store.ok(["build", "--from-url", url, "-x", "echo other > /x"]), first);
  assert.equal(server.requests(), 1);

  const fresh = await store.ok(["import-url", url]);
  assert.equal(server.requests(), 2);
  assert.equal(await store.ok(["map", `url:${url}`]), fresh);
  const rebuilt = await store.ok(["build", "--from-url", url, "-x", "echo hi > /x"]);
  assert.equal(await store.ok(["parent", rebuilt]), fresh);
  assert.equal(server.requests(), 2);
});

Deno.test("import-url failures: one line naming the URL, nothing left behind", async () => {
  using store = new TestStore();
  const xz = await busyboxArchive();
  const gz = await busyboxArchive("gzip");
  const evil = await buildArchive([{ name: "../evil", type: "file", body: "x" }]);
  await using server = serveImages({
    "/forbidden": () => new Response("no\n", { status: 403 }),
    "/short": () => shortBody(xz.subarray(0, 4096), xz.length),
    "/cut.tar.xz": xz.subarray(0, Math.floor(xz.length / 2)),
    "/corrupt.tar.xz": corrupt(xz),
    "/corrupt.tar.gz": corrupt(gz),
    "/evil.tar": evil,
    "/loop": redirect("/loop"),
    "/nowhere": () => new Response(null, { status: 302 }),
    ...Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [`/hop${i}`, redirect(`/hop${i + 1}`)]),
    ),
    "/hop11": xz,
  });
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = closed.addr.port;
  closed.close();
  const u = server.url;

  const cases: [string, RegExp][] = [
    [`${u}/missing.tar`, /: HTTP 404 Not Found$/],
    [`${u}/forbidden`, /: HTTP 403 Forbidden$/],
    [`http://127.0.0.1:${closedPort}/x.tar`, /: cannot connect: .*Connection refused/],
    [`${u}/short`, /short: (archive entry .*: )?download broke off \(got 4096 of \d+ bytes\)/],
    [`${u}/cut.tar.xz`, /cut\.tar\.xz: .*truncated xz data/],
    [`${u}/corrupt.tar.xz`, /corrupt\.tar\.xz: .*corrupt xz data/],
    [`${u}/corrupt.tar.gz`, /corrupt\.tar\.gz: .*corrupt gzip data/],
    [`${u}/evil.tar`, /evil\.tar: .*"\.\." component/],
    [`${u}/loop`, /loop: more than 10 redirects/],
    [`${u}/hop0`, /hop0: more than 10 redirects \(last to \/hop11\)/],
    [`${u}/nowhere`, /nowhere: HTTP 302 without a Location/],
    ["ftp://127.0.0.1/x.tar", /unsupported URL scheme ftp:/],
    [`file://${store.data}.missing.tar`, /missing\.tar: no such file$/],
    ["rootfs.tar", /^plash error: rootfs\.tar: not a URL$/],
  ];
  for (const [url, pattern] of cases) {
    const result = await store.plash(["import-url", url]);
    assertFailed(result, pattern);
    assert.ok(oneLineError(result).includes(url), `${url}: ${result.stderr}`);
    assertStoreUntouched(store.data);
  }
  assert.equal(server.requests("/loop"), 11);

  const build = await store.plash(["build", "--from-url", `${u}/forbidden`, "-x", "true"]);
  assertFailed(build, /^plash error: --from-url: http:.*\/forbidden: HTTP 403 Forbidden$/);
  assertStoreUntouched(store.data);
});

Deno.test("SIGINT during a download exits 130 and leaves the store as it was", async () => {
  using store = new TestStore();
  const xz = await busyboxArchive();
  let release!: () => void;
  const stalled = new Promise<void>((resolve) => release = resolve);
  await using server = serveImages({
    // Headers and part of the body, then nothing until the test ends.
    [ROOTFS]: () =>
      new Response(
        new ReadableStream<Uint8Array>({
          async start(controller) {
            controller.enqueue(xz.subarray(0, 64 * 1024));
            await stalled;
            controller.close();
          },
        }),
        { headers: { "content-length": String(xz.length) } },
      ),
  });
  const [program, ...args] = selfCommand(["import-url", `${server.url}${ROOTFS}`]);
  const child = new Deno.Command(program, {
    args,
    env: { PLASH_DATA: store.data },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    // Staging exists once the download is under way.
    for (let i = 0; i < 200; i++) {
      if (server.requests(ROOTFS) && names(`${store.data}/tmp`).length) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.notDeepEqual(names(`${store.data}/tmp`), []);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const start = Date.now();
    child.kill("SIGINT");
    const output = await child.output();
    // Wound down by the abort, not by interrupt.ts's last-resort timer.
    assert.ok(Date.now() - start < 2000, `took ${Date.now() - start} ms`);
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 130, stderr);
    assert.equal(output.stdout.length, 0);
    assert.equal(stderr, `plash error: ${server.url}${ROOTFS}: interrupted\n`);
    assertStoreUntouched(store.data);
  } finally {
    release();
  }
});

Deno.test("urlKey: the URL itself, or its digest when too long for a file name", async () => {
  assert.equal(await urlKey("https://example.org/a.tar"), "url:https://example.org/a.tar");
  const long = `https://example.org/a.tar?signature=${"x".repeat(300)}`;
  assert.match(await urlKey(long), /^url:sha256:[0-9a-f]{64}$/);
  assert.equal(await urlKey(long), await urlKey(long));
});
