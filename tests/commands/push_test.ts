/**
 * `plash push`: images uploaded to Debian's docker-registry, read back by
 * skopeo and plash; blobs the registry has are not sent again, pulled images
 * keep their digests; a scriptable fake registry for refusals, lies and
 * interrupts.
 */

import assert from "node:assert/strict";
import { busyboxLayer } from "../support/images.ts";
import { builtImage, installed, ok } from "../support/export_image.ts";
import { FakeUploadRegistry } from "../support/hostile_registry.ts";
import { image, layer, pushImage } from "../support/oci_image.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { HAVE_REGISTRY, TestRegistry } from "../support/registry.ts";
import { names } from "../support/tar_fixtures.ts";

const ignore = !HAVE_REGISTRY;

/** What the registry's access log says was sent to upload blobs (not mounts). */
function blobUploads(registry: TestRegistry): string[] {
  return registry.requests(/"(PATCH|PUT) \/v2\/[^ ]+\/blobs\/uploads\//);
}

Deno.test({ name: "push: what skopeo and plash read back", ignore }, async (t) => {
  await using registry = await TestRegistry.start();
  using store = new TestStore();
  const id = await builtImage(store);
  const ref = `${registry.host}/plash/app:1`;
  const pushed = await store.plash(["push", id, ref]);
  assert.equal(pushed.code, 0, pushed.stderr);
  const digest = pushed.stdout.trim();
  assert.match(pushed.stdout, /^sha256:[a-f0-9]{64}\n$/);

  await t.step("the digest is the export's: the same bytes", async () => {
    assert.equal(await store.ok(["export-oci", id, `${store.data}.layout`]), digest);
    Deno.removeSync(`${store.data}.layout`, { recursive: true });
  });

  await t.step(
    {
      name: "skopeo inspect sees the image",
      ignore: !installed("skopeo"),
      fn: async () => {
        const inspected = JSON.parse(
          await ok("skopeo", ["inspect", "--tls-verify=false", `docker://${ref}`]),
        );
        assert.equal(inspected.Digest, digest);
        assert.equal(inspected.Layers.length, 3);
        assert.ok(inspected.Env.includes("GREETING=hi"));
      },
    },
  );

  await t.step("plash import-docker gives back the files and the config", async () => {
    using other = new TestStore();
    const imported = await other.ok(["import-docker", ref]);
    assert.equal(
      await other.ok(["run", imported, "cat", "/srv/cache/new", "/srv/hello"]),
      "new\nhello",
    );
    assert.equal(await other.ok(["run", imported, "ls", "/srv"]), "cache\nhello\nhello-link\nsuid");
    const config = JSON.parse(
      Deno.readTextFileSync(`${await other.ok(["nodepath", imported])}/_data/config.json`),
    );
    assert.deepEqual(config.entrypoint, ["/bin/cat"]);
    assert.equal(config.env.GREETING, "hi");
  });

  await t.step("a second push sends no blob; another repository mounts them", async () => {
    const before = blobUploads(registry).length;
    assert.equal(await store.ok(["push", id, ref]), digest);
    assert.equal(blobUploads(registry).length, before, "no blob was sent again");
    assert.equal(await store.ok(["push", id, `${registry.host}/plash/copy:1`]), digest);
    // The layers are mounted; the config, a few hundred bytes, is sent.
    assert.equal(blobUploads(registry).length, before + 1);
    assert.equal(registry.requests(/"POST \/v2\/plash\/copy\/blobs\/uploads\/\?mount=/).length, 3);
  });

  await t.step("chunked uploads make the same image", async () => {
    await using second = await TestRegistry.start();
    const chunked = await store.ok(["push", id, `${second.host}/plash/app:1`], {
      env: { PLASH_PUSH_CHUNK: "65536" },
    });
    assert.equal(chunked, digest);
    assert.ok(second.requests(/"PATCH \/v2\/plash\/app\/blobs\/uploads\//).length > 10);
  });
  assert.deepEqual(names(`${store.data}/tmp`), []);
});

Deno.test({ name: "push: a pulled image pushed unchanged keeps its digest", ignore }, async () => {
  await using registry = await TestRegistry.start();
  const original = image([await busyboxLayer(), await layer([{ name: "etc/app", body: "1\n" }])], {
    Env: ["PATH=/bin"],
    Cmd: ["sh"],
  });
  await pushImage(registry.host, "upstream/app", "1", original);
  using store = new TestStore();
  const id = await store.ok(["import-docker", `${registry.host}/upstream/app:1`]);
  const before = blobUploads(registry).length;
  const digest = await store.ok(["push", id, `${registry.host}/mirror/app:1`]);
  assert.equal(digest, original.manifest.digest);
  assert.equal(blobUploads(registry).length, before, "layers were mounted, not sent");
  // Another registry has none of its blobs: plash packs the layers anew.
  await using elsewhere = await TestRegistry.start();
  const moved = await store.ok(["push", id, `${elsewhere.host}/app:1`]);
  assert.notEqual(moved, original.manifest.digest);
  using other = new TestStore();
  const back = await other.ok(["import-docker", `${elsewhere.host}/app:1`]);
  assert.equal(await other.ok(["run", back, "cat", "/etc/app"]), "1");
  const config = JSON.parse(
    Deno.readTextFileSync(`${await other.ok(["nodepath", back])}/_data/config.json`),
  );
  assert.deepEqual(config.cmd, ["sh"]);
});

Deno.test({ name: "push: credentials as for pulls", ignore }, async () => {
  await using registry = await TestRegistry.start({ users: { alice: "s3cret" } });
  using store = new TestStore();
  const base = await store.busybox();
  const env = { REGISTRY_AUTH_FILE: `${store.data}.auth.json` };
  const denied = await store.plash(["push", base, `${registry.host}/team/app:1`], { env });
  assert.match(oneLineError(denied), /requires authentication: run .plash login/);
  const auth = btoa("alice:s3cret");
  Deno.writeTextFileSync(
    env.REGISTRY_AUTH_FILE,
    JSON.stringify({ auths: { [registry.host]: { auth } } }),
  );
  assert.match(await store.ok(["push", base, `${registry.host}/team/app:1`], { env }), /^sha256:/);
  Deno.removeSync(env.REGISTRY_AUTH_FILE);
});

Deno.test("push: a Bearer token for pull and push, and for the mount's source", async () => {
  await using fake = new FakeUploadRegistry({ token: true });
  using store = new TestStore();
  const base = await store.busybox();
  await store.ok(["push", base, `${fake.host}/team/app:1`]);
  assert.ok(fake.scopes.includes("repository:team/app:pull,push"), fake.scopes.join(", "));
  await store.ok(["push", base, `${fake.host}/team/copy:1`]);
  assert.ok(
    fake.scopes.includes("repository:team/copy:pull,push repository:team/app:pull"),
    fake.scopes.join(", "),
  );
  assert.ok(fake.uploaded.manifests.has("team/copy:1"));
});

Deno.test("push: a registry that refuses or lies fails the push in one line", async (t) => {
  using store = new TestStore();
  const base = await store.busybox();
  const refusing = (method: string, path: RegExp, status: number) =>
    new FakeUploadRegistry({
      override: (request, url) =>
        request.method === method && path.test(url.pathname)
          ? Response.json({ errors: [{ code: "NOPE", message: "refused here" }] }, { status })
          : undefined,
    });
  for (
    const [method, path, status, expected] of [
      [
        "POST",
        /\/blobs\/uploads\/$/,
        403,
        /upload of layer of image \d+: access denied \(NOPE: refused here\)/,
      ],
      ["POST", /\/blobs\/uploads\/$/, 404, /not found/],
      ["PUT", /\/blobs\/uploads\//, 500, /HTTP 500/],
      ["PUT", /\/manifests\//, 401, /requires authentication|unsupported authentication/],
    ] as const
  ) {
    await t.step(`${status} on ${method} ${path.source}`, async () => {
      await using fake = refusing(method, path, status);
      const result = await store.plash(["push", base, `${fake.host}/app:1`]);
      assert.equal(result.code, 1);
      assert.match(
        oneLineError(result),
        new RegExp(`push ${fake.host}/app:1: .*${expected.source}`),
      );
      if (!(method === "PUT" && path.source.includes("manifests"))) {
        assert.equal(fake.uploaded.manifests.size, 0, "no manifest after a failed blob");
      }
    });
  }

  await t.step("a PATCH refused mid-way", async () => {
    await using fake = refusing("PATCH", /\/blobs\/uploads\//, 500);
    const result = await store.plash(["push", base, `${fake.host}/app:1`], {
      env: { PLASH_PUSH_CHUNK: "4096" },
    });
    assert.match(oneLineError(result), /HTTP 500/);
    assert.equal(fake.uploaded.manifests.size, 0);
  });

  for (const kind of ["blob", "manifest"] as const) {
    await t.step(`a registry that says it stored another ${kind}`, async () => {
      const lie = `sha256:${"0".repeat(64)}`;
      await using fake = new FakeUploadRegistry({
        report: (reported, digest) => reported === kind ? lie : digest,
      });
      const result = await store.plash(["push", base, `${fake.host}/app:1`]);
      assert.match(
        oneLineError(result),
        new RegExp(`the registry stored ${lie}, plash sent sha256:`),
      );
    });
  }
  assert.deepEqual(names(`${store.data}/tmp`), []);
});

Deno.test("push: Ctrl-C stops it: one line, exit 130, no manifest", async () => {
  let uploading = () => {};
  const started = new Promise<void>((resolve) => uploading = resolve);
  let release = () => {};
  const never = new Promise<Response>((resolve) =>
    release = () => resolve(new Response(null, { status: 500 }))
  );
  // The upload of the layer gets no answer (until the test is over).
  await using fake = new FakeUploadRegistry({
    override: (request, url) => {
      if (request.method !== "PUT" || !url.pathname.includes("/blobs/uploads/")) return;
      uploading();
      return never;
    },
  });
  using store = new TestStore();
  const base = await store.busybox();
  const child = store.start(["push", base, `${fake.host}/app:1`], { stderr: "piped" });
  await started;
  child.kill("SIGINT");
  const output = await child.output();
  release();
  assert.equal(output.code, 130);
  const stderr = new TextDecoder().decode(output.stderr);
  assert.match(
    oneLineError({ code: 130, signal: null, stdout: "", stderr }),
    new RegExp(`push ${fake.host}/app:1: interrupted`),
  );
  assert.equal(fake.uploaded.manifests.size, 0);
  assert.deepEqual(names(`${store.data}/tmp`), []);
});

Deno.test("push: an unknown image, a bad reference", async () => {
  using store = new TestStore();
  const unknown = await store.plash(["push", "99", "127.0.0.1:1/app:1"]);
  assert.match(oneLineError(unknown), /no image: 99/);
  const base = await store.busybox();
  const bad = await store.plash(["push", base, "127.0.0.1:1/App:1"]);
  assert.match(oneLineError(bad), /bad image reference/);
});
