/**
 * `plash import-docker` and `--from-docker` against a real registry
 * (Debian's docker-registry on 127.0.0.1), with images made and pushed here.
 */

import assert from "node:assert/strict";
import { busyboxLayer, HOST_ARCH, OTHER_ARCH } from "../support/images.ts";
import {
  blob,
  describe,
  image,
  index,
  jsonBlob,
  layer,
  push,
  pushImage,
  pushIndex,
} from "../support/oci_image.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { HAVE_REGISTRY, TestRegistry } from "../support/registry.ts";
import { assertStoreUntouched } from "../support/tar_fixtures.ts";
import { TempDirs } from "../support/temp_dirs.ts";

const ignore = !HAVE_REGISTRY;

/** The number of images in the store. */
async function imageCount(store: TestStore): Promise<number> {
  return JSON.parse(await store.ok(["ls", "--json"])).length;
}

Deno.test({ name: "import-docker from a registry", ignore }, async (t) => {
  await using registry = await TestRegistry.start();
  const base = await busyboxLayer();
  const ref = (name: string) => `${registry.host}/${name}`;

  await t.step("config is honored, layers are images, a re-pull fetches nothing", async () => {
    using store = new TestStore();
    const app = await layer([
      { name: "srv/", type: "directory", mode: 0o755 },
      { name: "etc/greeting", body: "hello\n" },
    ]);
    const img = image([base, app], {
      Env: ["GREETING=hi", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "EMPTY="],
      Entrypoint: ["/bin/sh", "-c"],
      Cmd: ['echo "$GREETING from $(pwd)"'],
      WorkingDir: "/srv",
      User: "1000:1000",
    });
    await pushImage(registry.host, "app", "v1", img);
    const id = await store.ok(["import-docker", ref("app:v1")]);
    assert.match(id, /^\d+$/);
    // The caller's cwd is not in the image (busybox has no /var): WorkingDir is used.
    const run = await store.plash(["run", id], { cwd: "/var" });
    assert.equal(run.stdout, "hi from /srv\n", run.stderr);
    assert.equal(await store.ok(["run", id, "cat", "/etc/greeting"]), "hello");
    // Config image on the app layer on the busybox layer on the empty root.
    const appLayer = await store.ok(["parent", id]);
    const baseLayer = await store.ok(["parent", appLayer]);
    assert.equal(await store.ok(["parent", baseLayer]), "0");
    const config = JSON.parse(
      Deno.readTextFileSync(`${await store.ok(["nodepath", id])}/_data/config.json`),
    );
    assert.equal(config.env.GREETING, "hi");
    assert.equal(config.env.EMPTY, "");
    assert.equal(config.user, "1000:1000");

    const blobGets = () => registry.requests(/"GET \/v2\/app\/blobs\//).length;
    const gets = blobGets();
    const count = await imageCount(store);
    assert.equal(await store.ok(["import-docker", ref("app:v1")]), id);
    assert.equal(await store.ok(["import-docker", ref(`app@${img.manifest.digest}`)]), id);
    assert.equal(blobGets(), gets, "no blob fetched again");
    assert.equal(await imageCount(store), count, "no new image");
    // A build names the image and fetches nothing at all.
    const manifestGets = registry.requests(/"GET \/v2\/app\/manifests\//).length;
    assert.equal(await store.ok(["build", "--from-docker", ref("app:v1")]), id);
    assert.equal(registry.requests(/"GET \/v2\/app\/manifests\//).length, manifestGets);

    // An image on top of this one shares its layers.
    const more = await layer([{ name: "etc/more", body: "more\n" }]);
    const child = image([base, app, more], { Cmd: ["cat", "/etc/more"] });
    await pushImage(registry.host, "child", "latest", child);
    const childId = await store.ok(["import-docker", ref("child")]);
    assert.equal(await store.ok(["parent", await store.ok(["parent", childId])]), appLayer);
    assert.equal(await store.ok(["run", childId]), "more");
    const childEnv = await store.ok(["run", childId, "env"]);
    assert.doesNotMatch(childEnv, /GREETING/, "nothing of the other image's config");
  });

  await t.step("a multi-platform index gives the host's, or --arch's", async () => {
    using store = new TestStore();
    const variants = await Promise.all([HOST_ARCH, OTHER_ARCH].map(async (arch) => {
      const marker = await layer([{ name: "arch", body: arch }]);
      return { image: image([base, marker], {}, arch), architecture: arch };
    }));
    const list = index(variants);
    await pushIndex(registry.host, "multi", "latest", variants.map(({ image }) => image), list);
    const host = await store.ok(["import-docker", ref("multi")]);
    assert.equal(await store.ok(["run", host, "cat", "/arch"]), HOST_ARCH);
    const other = await store.ok(["import-docker", "--arch", OTHER_ARCH, ref("multi")]);
    using dirs = new TempDirs();
    const copy = `${dirs.make()}/copy`;
    await store.ok(["copy", other, copy]);
    assert.equal(Deno.readTextFileSync(`${copy}/arch`), OTHER_ARCH);
    // --arch does not move the name builds use.
    assert.equal(await store.ok(["build", "--from-docker", ref("multi")]), host);
    const missing = await store.plash(["import-docker", "--arch", "s390x", ref("multi")]);
    assert.equal(missing.code, 1);
    const line = oneLineError(missing);
    assert.match(line, /multi:latest: no linux\/s390x image; it has: /);
    assert.match(line, new RegExp(`linux/${HOST_ARCH}`));
    assert.match(line, new RegExp(`linux/${OTHER_ARCH}`));
  });

  await t.step("a 100-layer image", async () => {
    using store = new TestStore();
    const layers = [base];
    for (let i = 0; i < 100; i++) {
      layers.push(await layer([{ name: `layers/${i}`, body: "" }, { name: "top", body: `${i}` }]));
    }
    const img = image(layers);
    await pushImage(registry.host, "deep", "latest", img);
    const id = await store.ok(["import-docker", ref("deep")]);
    assert.equal(
      await store.ok(["run", id, "sh", "-c", "ls /layers | wc -l; cat /top"]),
      "100\n99",
    );
    assert.equal(await imageCount(store), 102);
  });

  await t.step("gzip, zstd and plain layers mixed", async () => {
    using store = new TestStore();
    const img = image([
      base,
      await layer([{ name: "z", body: "zstd" }], "zstd"),
      await layer([{ name: "p", body: "plain" }], "none"),
      await layer([{ name: "g", body: "gzip" }], "gzip"),
    ]);
    await pushImage(registry.host, "mixed", "latest", img);
    const id = await store.ok(["import-docker", ref("mixed")]);
    assert.equal(await store.ok(["run", id, "cat", "/z", "/p", "/g"]), "zstdplaingzip");
  });

  await t.step("whiteouts, opaque directories and type changes", async () => {
    using store = new TestStore();
    const dir = (name: string) => ({ name, type: "directory" as const, mode: 0o755 });
    const img = image([
      base,
      await layer([
        dir("a/"),
        { name: "a/file1", body: "1" },
        { name: "a/file2", body: "2" },
        dir("b/"),
        { name: "b/x", body: "x" },
        dir("c/"),
        { name: "c/old", body: "old" },
        dir("c/sub/"),
        { name: "c/sub/deep", body: "deep" },
        { name: "f", body: "file" },
        dir("d/"),
        { name: "d/inner", body: "inner" },
        { name: "g", body: "old g" },
        { name: "keep", body: "keep" },
      ]),
      await layer([
        { name: "a/.wh.file1", body: "" },
        { name: ".wh.b", body: "" },
        { name: "c/.wh..wh..opq", body: "" },
        { name: "c/new", body: "new" },
        dir("f/"),
        { name: "f/child", body: "child" },
        { name: "d", type: "symlink", linkname: "keep" },
        { name: ".wh.g", body: "" },
      ]),
      await layer([
        { name: "g", body: "new g" },
        { name: "b/y", body: "y" },
      ]),
    ]);
    await pushImage(registry.host, "whiteouts", "latest", img);
    const id = await store.ok(["import-docker", ref("whiteouts")]);
    const script = "find /a /b /c /d /f /g /keep | sort; readlink /d; cat /g";
    const shown = await store.ok(["run", id, "sh", "-c", script]);
    assert.deepEqual(shown.split("\n"), [
      "/a",
      "/a/file2",
      "/b",
      "/b/y",
      "/c",
      "/c/new",
      "/d",
      "/f",
      "/f/child",
      "/g",
      "/keep",
      "keep",
      "new g",
    ]);
  });

  await t.step("bad input fails in one line and imports nothing", async () => {
    const good = await layer([{ name: "ok", body: "ok" }]);
    const corruptGzip = blob("application/vnd.oci.image.layer.v1.tar+gzip", good.bytes.slice());
    corruptGzip.bytes[20] ^= 0xff;
    Object.assign(corruptGzip, blob(corruptGzip.mediaType, corruptGzip.bytes));
    const escaping = await layer([{ name: "../escape", body: "x" }]);
    const cases: [string, () => Promise<string>, RegExp][] = [
      ["missing tag", () => Promise.resolve(ref("app:nope")), /app:nope: manifest nope: not found/],
      ["missing repository", () => Promise.resolve(ref("nobody/here")), /not found/],
      ["digest mismatch", async () => {
        const victim = await layer([{ name: "corrupted", body: "in the registry" }]);
        const img = image([base, victim]);
        await pushImage(registry.host, "corrupt", "latest", img);
        const path = registry.blobPath(victim.digest);
        const bytes = Deno.readFileSync(path);
        bytes[bytes.length - 1] ^= 1;
        Deno.writeFileSync(path, bytes);
        return ref("corrupt");
      }, /layer [0-9a-f]{12}: digest mismatch: got sha256:/],
      ["corrupt gzip", async () => {
        const img = image([base, { ...corruptGzip, diffId: good.diffId }]);
        await pushImage(registry.host, "badgzip", "latest", img);
        return ref("badgzip");
      }, /corrupt gzip data/],
      ["unknown media type", async () => {
        const odd = { ...good, mediaType: "application/x-strange" };
        const img = image([base, odd]);
        await pushImage(registry.host, "odd", "latest", img);
        return ref("odd");
      }, /unknown media type application\/x-strange/],
      ["malicious layer", async () => {
        const img = image([base, escaping]);
        await pushImage(registry.host, "evil", "latest", img);
        return ref("evil");
      }, /"\.\.\/escape": name has a "\.\." component/],
      ["bad reference", () => Promise.resolve("UPPER/case"), /bad image reference/],
    ];
    for (const [what, make, pattern] of cases) {
      using store = new TestStore();
      const result = await store.plash(["import-docker", await make()]);
      assert.equal(result.code, 1, `${what}: ${result.stderr}`);
      assert.match(oneLineError(result), pattern, what);
      assert.equal(result.stdout, "", what);
      assertStoreUntouched(store.data);
    }
  });

  await t.step("a manifest list nesting a list is refused", async () => {
    using store = new TestStore();
    const only = image([base]);
    const inner = index([{ image: only, architecture: HOST_ARCH }]);
    const outer = jsonBlob("application/vnd.oci.image.index.v1+json", {
      schemaVersion: 2,
      manifests: [{ ...describe(inner), platform: { os: "linux", architecture: HOST_ARCH } }],
    });
    await pushIndex(registry.host, "nested", inner.digest, [only], inner);
    await push(registry.host, "nested", "latest", [], outer);
    const result = await store.plash(["import-docker", ref("nested")]);
    assert.match(oneLineError(result), /an index lists another index/);
    assertStoreUntouched(store.data);
  });
});
