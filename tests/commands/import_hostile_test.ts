/**
 * Registries and archives that attack: servers that stall, bodies that never
 * end, sizes that lie, credentials asked for by another host, images deeper
 * than the store can hold, layers that are not what their config says. Each
 * fails in one line and leaves the store as it was; the servers are the
 * hostile ones of support/hostile_registry.ts, beside Debian's registry.
 */

import assert from "node:assert/strict";
import {
  blobsOf,
  describe,
  type Image,
  image,
  jsonBlob,
  layer,
  pushImage,
  writeLayout,
} from "../support/oci_image.ts";
import { MAX_DEPTH } from "../../core/store/store.ts";
import { HAVE_REGISTRY, serveInFront, TestRegistry } from "../support/registry.ts";
import { credentialsMayGo } from "../../core/images/registry/credential_hosts.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import {
  EndlessBody,
  fakeRegistry,
  HostileServer,
  SilentServer,
  stallingResponse,
} from "../support/hostile_registry.ts";
import { extractTar } from "../../core/tar/extract.ts";
import { assertStoreUntouched } from "../support/tar_fixtures.ts";
import { TempDirs } from "../support/temp_dirs.ts";

/** The text of file `name` in image `id` (small images have no `cat` to run). */
async function fileOf(store: TestStore, id: string, name: string): Promise<string> {
  using dirs = new TempDirs();
  const dir = dirs.make();
  await store.ok(["copy", id, `${dir}/copy`]);
  return Deno.readTextFileSync(`${dir}/copy/${name}`);
}

/** One small layer: these tests are about the transport, not the tree. */
const small = () => layer([{ name: "hello", body: "hello\n" }]);

Deno.test("a server that stalls times out in one line (PLASH_HTTP_TIMEOUT)", async (t) => {
  const env = { PLASH_HTTP_TIMEOUT: "1" };

  await t.step("no answer at all", async () => {
    using store = new TestStore();
    await using silent = new SilentServer();
    const result = await store.plash(["import-docker", `${silent.host}/app`], { env });
    assert.match(
      oneLineError(result),
      new RegExp(
        `^plash error: import-docker ${silent.host}/app:latest: ` +
          `http://${silent.host}/v2/\\S*: no answer in 1 s \\(PLASH_HTTP_TIMEOUT\\)$`,
      ),
    );
    assertStoreUntouched(store.data);
  });

  await t.step("a layer that stops half way", async () => {
    using store = new TestStore();
    const top = await small();
    await using registry = fakeRegistry(image([top]), {
      override: (_, url) =>
        url.pathname.endsWith(top.digest) ? stallingResponse(top.bytes.slice(0, 10)) : undefined,
    });
    const result = await store.plash(["import-docker", `${registry.host}/app`], { env });
    assert.match(
      oneLineError(result),
      /: layer [0-9a-f]{12}: http:\/\/\S+: no data for 1 s \(PLASH_HTTP_TIMEOUT\)$/,
    );
    assertStoreUntouched(store.data);
  });

  await t.step("a timeout that is not a number of seconds", async () => {
    using store = new TestStore();
    await using registry = fakeRegistry(image([await small()]));
    const result = await store.plash(["import-docker", `${registry.host}/app`], {
      env: { PLASH_HTTP_TIMEOUT: "soon" },
    });
    assert.match(oneLineError(result), /PLASH_HTTP_TIMEOUT: not a number of seconds: "soon"$/);
    assertStoreUntouched(store.data);
  });
});

/** `img` with its manifest rewritten by `change` (sizes that lie, more layers). */
function withManifest(img: Image, change: (manifest: ManifestJson) => void): Image {
  const manifest = JSON.parse(new TextDecoder().decode(img.manifest.bytes)) as ManifestJson;
  change(manifest);
  return { ...img, manifest: jsonBlob(img.manifest.mediaType, manifest) };
}

type ManifestJson = { config: { size: number }; layers: { size: number; digest: string }[] };

/** 10 TB: more than any disk here, and more than any cap. */
const HUGE = 10_000_000_000_000;

Deno.test("reads are bounded: documents by a cap, blobs by their size", async (t) => {
  const top = await small();
  const img = image([top]);
  const ref = (registry: { host: string }) => `${registry.host}/app`;
  /** A registry serving `img` where `path` (a suffix) answers with `answer` instead. */
  const serving = (img: Image, suffix: string, answer: () => Response) =>
    fakeRegistry(img, {
      override: (_, url) => url.pathname.endsWith(suffix) ? answer() : undefined,
    });

  await t.step("a manifest that never ends stops at the cap", async () => {
    using store = new TestStore();
    const endless = new EndlessBody();
    await using registry = serving(img, "/manifests/latest", () => endless.response());
    const result = await store.plash(["import-docker", ref(registry)]);
    assert.match(oneLineError(result), /: manifest latest: blob is larger than 4194304 bytes$/);
    assert.ok(endless.stoppedNear(4 << 20), `${endless.sent} bytes sent`);
    assertStoreUntouched(store.data);
  });

  await t.step("an error body that never ends is not read to its end", async () => {
    using store = new TestStore();
    const endless = new EndlessBody();
    await using registry = serving(
      img,
      "/manifests/latest",
      () => endless.response({ status: 404 }),
    );
    const result = await store.plash(["import-docker", ref(registry)]);
    assert.match(oneLineError(result), /: manifest latest: not found$/);
    assert.ok(endless.stoppedNear(4 << 20), `${endless.sent} bytes sent`);
    assertStoreUntouched(store.data);
  });

  await t.step("a token response that never ends stops at the cap", async () => {
    using store = new TestStore();
    const endless = new EndlessBody();
    await using registry = fakeRegistry(img, {
      override: (request, url) => {
        if (url.pathname === "/token") return endless.response();
        if (request.headers.has("authorization")) return undefined;
        const realm = `http://${url.host}/token`;
        return new Response("{}", {
          status: 401,
          headers: { "www-authenticate": `Bearer realm="${realm}",service="hostile"` },
        });
      },
    });
    const result = await store.plash(["import-docker", ref(registry)]);
    assert.match(
      oneLineError(result),
      /: token response of http:\/\/127\.0\.0\.1:\d+ is larger than \d+ bytes$/,
    );
    assert.ok(endless.stoppedNear(4 << 20), `${endless.sent} bytes sent`);
    assertStoreUntouched(store.data);
  });

  await t.step("a config declared larger than the cap is not asked for", async () => {
    using store = new TestStore();
    const endless = new EndlessBody();
    const lying = withManifest(img, (manifest) => manifest.config.size = HUGE);
    await using registry = serving(lying, img.config.digest, () => endless.response());
    const result = await store.plash(["import-docker", ref(registry)]);
    assert.match(
      oneLineError(result),
      new RegExp(
        `: config ${img.config.digest}: declared as ${HUGE} bytes, ` +
          `more than the \\d+ plash reads$`,
      ),
    );
    assert.equal(registry.requests(/\/blobs\//).length, 0);
    assertStoreUntouched(store.data);
  });

  await t.step("a config longer than its size stops at size+1", async () => {
    using store = new TestStore();
    const endless = new EndlessBody();
    await using registry = serving(img, img.config.digest, () => endless.response());
    const result = await store.plash(["import-docker", ref(registry)]);
    assert.match(
      oneLineError(result),
      new RegExp(
        `: config ${img.config.digest}: blob is larger than the ` +
          `${img.config.size} bytes announced$`,
      ),
    );
    assert.ok(endless.stoppedNear(img.config.size), `${endless.sent} bytes sent`);
    assertStoreUntouched(store.data);
  });

  await t.step("a layer declared larger than the free space is not downloaded", async () => {
    using store = new TestStore();
    const endless = new EndlessBody();
    const lying = withManifest(img, (manifest) => manifest.layers[0].size = HUGE);
    await using registry = serving(lying, top.digest, () => endless.response());
    const result = await store.plash(["import-docker", ref(registry)]);
    assert.match(
      oneLineError(result),
      new RegExp(
        `: layer ${top.digest.slice(7, 19)}: declared as ${HUGE} bytes, ` +
          `more than the \\d+ bytes free on the store's filesystem$`,
      ),
    );
    assert.equal(registry.requests(new RegExp(top.digest)).length, 0);
    assertStoreUntouched(store.data);
  });

  await t.step("a layer longer than its size stops at size+1", async () => {
    using store = new TestStore();
    const endless = new EndlessBody();
    await using registry = serving(img, top.digest, () => endless.response());
    const result = await store.plash(["import-docker", ref(registry)]);
    assert.match(
      oneLineError(result),
      new RegExp(
        `: layer ${top.digest.slice(7, 19)}: blob is larger than the ` +
          `${top.size} bytes announced$`,
      ),
    );
    assert.ok(endless.stoppedNear(top.size), `${endless.sent} bytes sent`);
    assertStoreUntouched(store.data);
  });

  await t.step("an LXC index that never ends stops at the cap", async () => {
    using store = new TestStore();
    const endless = new EndlessBody();
    await using server = new HostileServer("127.0.0.1", () => endless.response());
    const result = await store.plash(["import-lxc", "debian:trixie"], {
      env: { PLASH_LXC_SERVER: server.url },
    });
    assert.match(
      oneLineError(result),
      new RegExp(`: ${server.url}/meta/1.0/index-user is larger than \\d+ bytes$`),
    );
    assert.ok(endless.stoppedNear(4 << 20), `${endless.sent} bytes sent`);
    assertStoreUntouched(store.data);
  });
});

Deno.test("a layer that is not a tar fails, also when its first bytes come in small pieces", async () => {
  for (const size of [4, 1000, 64 << 10]) {
    using dirs = new TempDirs();
    const dir = dirs.make();
    const chunk = new Uint8Array(size).fill(0x20);
    let sent = 0;
    const spaces = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        if (sent >= 1 << 20) return controller.close();
        sent += size;
        controller.enqueue(chunk.slice());
      },
    }, { highWaterMark: 0 });
    // A write that finds the parser destroyed by the header it was given once waited forever.
    await assert.rejects(extractTar(spaces, dir), /bad header checksum/, `chunks of ${size}`);
  }
});

Deno.test({
  name: "credentials stay with their registry: realms and redirects elsewhere get none",
  ignore: !HAVE_REGISTRY,
}, async (t) => {
  await using registry = await TestRegistry.start();
  const img = image([await small()]);
  await pushImage(registry.host, "team/app", "v1", img);
  using dirs = new TempDirs();
  const alice = `Basic ${btoa("alice:s3cret")}`;
  /** An auth file holding alice's credentials for `host`, in the environment plash gets. */
  const credentialsFor = (host: string) => {
    const file = `${dirs.make()}/auth.json`;
    Deno.writeTextFileSync(
      file,
      JSON.stringify({ auths: { [host]: { auth: btoa("alice:s3cret") } } }),
    );
    return { REGISTRY_AUTH_FILE: file };
  };
  const unauthorized = (challenge: string) =>
    new Response('{"errors":[{"code":"UNAUTHORIZED"}]}', {
      status: 401,
      headers: { "www-authenticate": challenge },
    });

  await t.step("a Bearer realm on another host is asked without them", async () => {
    using store = new TestStore();
    await using realm = new HostileServer("127.0.0.2", () => Response.json({ token: "t" }));
    await using front = serveInFront(
      registry.host,
      (request, forward) =>
        request.headers.get("authorization") === "Bearer t"
          ? forward()
          : unauthorized(`Bearer realm="${realm.url}/token",service="front"`),
    );
    const host = `127.0.0.1:${front.addr.port}`;
    const id = await store.ok(["import-docker", `${host}/team/app:v1`], {
      env: credentialsFor(host),
    });
    assert.equal(await fileOf(store, id, "hello"), "hello\n");
    assert.ok(realm.seen.length > 0, "the realm was asked");
    assert.deepEqual(realm.seen.map((seen) => seen.authorization), realm.seen.map(() => null));
  });

  await t.step("a realm on another host that wants them is refused in one line", async () => {
    using store = new TestStore();
    await using realm = new HostileServer("127.0.0.2", () => new Response("no", { status: 401 }));
    await using front = serveInFront(
      registry.host,
      () => unauthorized(`Bearer realm="${realm.url}/token",service="front"`),
    );
    const host = `127.0.0.1:${front.addr.port}`;
    const result = await store.plash(["import-docker", `${host}/team/app:v1`], {
      env: credentialsFor(host),
    });
    assert.deepEqual(realm.seen.map((seen) => seen.authorization), [null]);
    assert.match(
      oneLineError(result),
      new RegExp(
        `: ${host} asks for a token from ${realm.host}, which refused: ` +
          `the credentials of ${host} are not sent to another host$`,
      ),
    );
    assertStoreUntouched(store.data);
  });

  await t.step("a blob redirected elsewhere gets none, nor does its realm", async () => {
    using store = new TestStore();
    // Where blobs go: it asks for a token from a realm of its own.
    await using elsewhere = new HostileServer(
      "127.0.0.2",
      (_, url) =>
        url.pathname === "/token"
          ? Response.json({ token: "stolen" })
          : unauthorized(`Bearer realm="http://${url.host}/token",service="elsewhere"`),
    );
    await using front = serveInFront(registry.host, (request, forward) => {
      if (request.headers.get("authorization") !== alice) {
        return unauthorized('Basic realm="front"');
      }
      const url = new URL(request.url);
      if (!url.pathname.includes("/blobs/")) return forward();
      return Response.redirect(`${elsewhere.url}/storage${url.pathname}`, 307);
    });
    const host = `127.0.0.1:${front.addr.port}`;
    const result = await store.plash(["import-docker", `${host}/team/app:v1`], {
      env: credentialsFor(host),
    });
    assert.ok(elsewhere.seen.length > 0, "the redirect was followed");
    assert.deepEqual(
      elsewhere.seen.map((seen) => seen.authorization),
      elsewhere.seen.map(() => null),
    );
    assert.match(
      oneLineError(result),
      new RegExp(
        `: config sha256:[0-9a-f]{64}: the redirect to ${elsewhere.url} asks for ` +
          `authentication: credentials go only to ${host}$`,
      ),
    );
    assertStoreUntouched(store.data);
  });

  await t.step("a blob served from elsewhere is fetched without them", async () => {
    using store = new TestStore();
    await using elsewhere = new HostileServer(
      "127.0.0.2",
      (_, url) => fetch(`http://${registry.host}${url.pathname.replace(/^\/storage/, "")}`),
    );
    await using front = serveInFront(registry.host, (request, forward) => {
      if (request.headers.get("authorization") !== alice) {
        return unauthorized('Basic realm="front"');
      }
      const url = new URL(request.url);
      if (!url.pathname.includes("/blobs/")) return forward();
      return Response.redirect(`${elsewhere.url}/storage${url.pathname}`, 307);
    });
    const host = `127.0.0.1:${front.addr.port}`;
    const id = await store.ok(["import-docker", `${host}/team/app:v1`], {
      env: credentialsFor(host),
    });
    assert.equal(await fileOf(store, id, "hello"), "hello\n");
    assert.equal(elsewhere.requests(/\/blobs\//).length, 2, "config and layer");
    assert.deepEqual(elsewhere.seen.map((seen) => seen.authorization), [null, null]);
  });
});

Deno.test("credentials go to a realm on the registry's own host, and Docker Hub's", () => {
  const cases: [string, string, boolean][] = [
    ["docker.io", "https://auth.docker.io/token", true],
    ["docker.io", "https://registry-1.docker.io/token", true],
    ["registry-1.docker.io", "https://auth.docker.io/token", true],
    ["ghcr.io", "https://ghcr.io/token", true],
    ["127.0.0.1:5000", "http://127.0.0.1:5001/token", true],
    ["quay.io", "https://auth.docker.io/token", false],
    ["docker.io", "https://auth.docker.io.example.org/token", false],
    ["registry.example.org", "https://example.org/token", false],
    ["127.0.0.1:5000", "http://127.0.0.2:5000/token", false],
  ];
  for (const [registry, realm, expected] of cases) {
    assert.equal(credentialsMayGo(registry, new URL(realm)), expected, `${registry} ${realm}`);
  }
});

Deno.test("an image deeper than the store can hold is refused before any download", async (t) => {
  const top = await small();
  const deep = (count: number) => image(Array(count).fill(top));
  const tooDeep = deep(MAX_DEPTH - 1); // with the empty root and the config: one too many
  const refusal = new RegExp(
    `: ${MAX_DEPTH - 1} layers: an image can have at most ${MAX_DEPTH - 2} ` +
      `\\(${MAX_DEPTH} with the empty root and its config\\)$`,
  );

  await t.step("from a registry: not even the config is fetched", async () => {
    using store = new TestStore();
    await using registry = fakeRegistry(tooDeep);
    const result = await store.plash(["import-docker", `${registry.host}/app`]);
    assert.match(oneLineError(result), refusal);
    assert.equal(registry.requests(/\/blobs\//).length, 0);
    assertStoreUntouched(store.data);
  });

  await t.step("from an OCI layout, and the deepest that fits", async () => {
    using store = new TestStore();
    using dirs = new TempDirs();
    const dir = dirs.make();
    writeLayout(`${dir}/deep`, blobsOf(tooDeep), [{ blob: tooDeep.manifest }]);
    assert.match(oneLineError(await store.plash(["import-oci", `${dir}/deep`])), refusal);
    assertStoreUntouched(store.data);
    const deepest = deep(MAX_DEPTH - 2);
    writeLayout(`${dir}/deepest`, blobsOf(deepest), [{ blob: deepest.manifest }]);
    const id = await store.ok(["import-oci", `${dir}/deepest`]);
    assert.equal(store.images.chain(Number(id)).length, MAX_DEPTH);
  });

  await t.step("from a docker archive", async () => {
    using store = new TestStore();
    using dirs = new TempDirs();
    const dir = dirs.make();
    const names = tooDeep.layers.map(() => `blobs/sha256/${top.digest.slice(7)}`);
    writeDockerArchive(dir, tooDeep, names);
    assert.match(oneLineError(await store.plash(["import-docker-archive", dir])), refusal);
    assertStoreUntouched(store.data);
  });
});

/**
 * Writes `img` into `dir` as `docker save` (docker 25 and later) lays it
 * out: blobs by digest and a manifest.json naming the config and `layers`.
 */
function writeDockerArchive(dir: string, img: Image, layers: string[]): void {
  Deno.mkdirSync(`${dir}/blobs/sha256`, { recursive: true });
  for (const blob of [img.config, ...img.layers]) {
    Deno.writeFileSync(`${dir}/blobs/sha256/${blob.digest.slice(7)}`, blob.bytes);
  }
  const manifest = [{ Config: `blobs/sha256/${img.config.digest.slice(7)}`, Layers: layers }];
  Deno.writeTextFileSync(`${dir}/manifest.json`, JSON.stringify(manifest));
}

/** `img` with its config rewritten by `change`, and a manifest that names the new config. */
function withConfig(
  img: Image,
  change: (config: { rootfs?: { diff_ids?: string[] } }) => void,
): Image {
  const config = JSON.parse(new TextDecoder().decode(img.config.bytes));
  change(config);
  const blob = jsonBlob(img.config.mediaType, config);
  const changed = { ...img, config: blob };
  return withManifest(changed, (manifest) => Object.assign(manifest.config, describe(blob)));
}

Deno.test({
  name: "every layer is checked against the config's diff_ids, from every source",
  ignore: !HAVE_REGISTRY,
}, async (t) => {
  await using registry = await TestRegistry.start();
  const bottom = await small();
  const top = await layer([{ name: "top", body: "top\n" }]);
  const good = image([bottom, top]);
  const wrongDiff = withConfig(good, (config) => config.rootfs!.diff_ids![1] = bottom.diffId);
  const mismatch = new RegExp(
    `: layer ${top.digest.slice(7, 19)}: diff_id mismatch: the uncompressed layer is ` +
      `${top.diffId}, the config says ${bottom.diffId}$`,
  );
  const bad: [string, Image, RegExp][] = [
    ["a wrong diff_id", wrongDiff, mismatch],
    [
      "no diff_ids",
      withConfig(good, (config) => delete config.rootfs),
      /: image config: rootfs\.diff_ids lists 0 digests for 2 layers$/,
    ],
    [
      "too few diff_ids",
      withConfig(good, (config) => config.rootfs!.diff_ids!.pop()),
      /: image config: rootfs\.diff_ids lists 1 digests for 2 layers$/,
    ],
    [
      "a diff_id that is not a digest",
      withConfig(good, (config) => config.rootfs!.diff_ids![0] = "sha256:../../x"),
      /: image config: bad diff_id: "sha256:\.\.\/\.\.\/x"$/,
    ],
  ];

  for (const [what, img, pattern] of bad) {
    await t.step(`from a registry: ${what}`, async () => {
      using store = new TestStore();
      await pushImage(registry.host, "checked", "latest", img);
      const result = await store.plash(["import-docker", `${registry.host}/checked`]);
      assert.match(oneLineError(result), pattern);
      assertStoreUntouched(store.data);
    });

    await t.step(`from an OCI layout: ${what}`, async () => {
      using store = new TestStore();
      using dirs = new TempDirs();
      const dir = dirs.make();
      writeLayout(dir, blobsOf(img), [{ blob: img.manifest }]);
      assert.match(oneLineError(await store.plash(["import-oci", dir])), pattern);
      assertStoreUntouched(store.data);
    });

    await t.step(`from a docker archive: ${what}`, async () => {
      using store = new TestStore();
      using dirs = new TempDirs();
      const dir = dirs.make();
      writeDockerArchive(
        dir,
        img,
        img.layers.map((each) => `blobs/sha256/${each.digest.slice(7)}`),
      );
      assert.match(oneLineError(await store.plash(["import-docker-archive", dir])), pattern);
      assertStoreUntouched(store.data);
    });
  }

  await t.step("the same image with its true diff_ids imports from each", async () => {
    using store = new TestStore();
    await pushImage(registry.host, "checked", "good", good);
    const pulled = await store.ok(["import-docker", `${registry.host}/checked:good`]);
    using dirs = new TempDirs();
    const dir = dirs.make();
    writeLayout(`${dir}/layout`, blobsOf(good), [{ blob: good.manifest }]);
    assert.equal(await store.ok(["import-oci", `${dir}/layout`]), pulled);
    writeDockerArchive(
      `${dir}/archive`,
      good,
      good.layers.map((each) => `blobs/sha256/${each.digest.slice(7)}`),
    );
    assert.equal(await store.ok(["import-docker-archive", `${dir}/archive`]), pulled);
    assert.equal(await fileOf(store, pulled, "top"), "top\n");
  });
});
