/**
 * Pulls that the network breaks: an unreachable registry, a redirect loop,
 * a blob cut short, and Ctrl-C in the middle of a download. Each fails in
 * one line and leaves the store as it was.
 */

import assert from "node:assert/strict";
import { selfCommand } from "../../core/self_command.ts";
import { busyboxLayer } from "../support/images.ts";
import { image, layer, pushImage } from "../support/oci_image.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { freePort, HAVE_REGISTRY, serveInFront, TestRegistry } from "../support/registry.ts";
import { assertStoreUntouched } from "../support/tar_fixtures.ts";

const isBlob = (request: Request) => new URL(request.url).pathname.includes("/blobs/");

Deno.test("an unreachable registry fails in one line", async () => {
  using store = new TestStore();
  const port = freePort();
  const result = await store.plash(["import-docker", `127.0.0.1:${port}/app`]);
  assert.match(
    oneLineError(result),
    new RegExp(
      `import-docker 127.0.0.1:${port}/app:latest: http://127.0.0.1:${port}/v2/.*: cannot connect`,
    ),
  );
  assertStoreUntouched(store.data);
});

Deno.test("a redirect loop stops after 10", async () => {
  using store = new TestStore();
  let hops = 0;
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    hops++;
    return Response.redirect(new URL(`/v2/loop/${hops}`, request.url), 307);
  });
  const result = await store.plash(["import-docker", `127.0.0.1:${server.addr.port}/app`]);
  assert.match(oneLineError(result), /more than 10 redirects \(last to /);
  assert.equal(hops, 11);
  assertStoreUntouched(store.data);
});

Deno.test({ name: "broken downloads and Ctrl-C", ignore: !HAVE_REGISTRY }, async (t) => {
  await using registry = await TestRegistry.start();
  // Big enough not to fit in one read, and not compressible.
  const noise = crypto.getRandomValues(new Uint8Array(60_000));
  const big = await layer([{ name: "noise", body: noise }, { name: "noise2", body: noise }]);
  const img = image([await busyboxLayer(), big]);
  await pushImage(registry.host, "app", "latest", img);

  await t.step("a blob that ends early", async () => {
    using store = new TestStore();
    await using proxy = serveInFront(registry.host, async (request, forward) => {
      const response = await forward();
      if (!isBlob(request) || !request.url.includes(big.digest)) return response;
      const bytes = new Uint8Array(await response.arrayBuffer());
      return new Response(bytes.slice(0, bytes.length / 2));
    });
    const result = await store.plash(["import-docker", `127.0.0.1:${proxy.addr.port}/app`]);
    assert.match(oneLineError(result), /truncated blob: \d+ of \d+ bytes/);
    assertStoreUntouched(store.data);
  });

  await t.step("a connection that breaks", async () => {
    using store = new TestStore();
    await using proxy = serveInFront(registry.host, async (request, forward) => {
      const response = await forward();
      if (!isBlob(request) || !request.url.includes(big.digest)) return response;
      const bytes = new Uint8Array(await response.arrayBuffer());
      let sent = false;
      return new Response(
        new ReadableStream({
          pull(controller) {
            if (sent) return controller.error(new Error("connection lost"));
            controller.enqueue(bytes.slice(0, 1000));
            sent = true;
          },
        }),
      );
    });
    const result = await store.plash(["import-docker", `127.0.0.1:${proxy.addr.port}/app`]);
    assert.match(oneLineError(result), /reading the blob failed|truncated blob/);
    assertStoreUntouched(store.data);
  });

  await t.step("SIGINT mid-download: exit 130, nothing left", async () => {
    using store = new TestStore();
    const { promise: started, resolve } = Promise.withResolvers<void>();
    await using proxy = serveInFront(registry.host, async (request, forward) => {
      const response = await forward();
      if (!isBlob(request) || !request.url.includes(big.digest)) return response;
      const reader = response.body!.getReader();
      const gone = Promise.withResolvers<void>();
      // Sends the first chunk, then nothing until the client goes away.
      return new Response(
        new ReadableStream({
          async pull(controller) {
            const { value } = await reader.read();
            controller.enqueue(value);
            resolve();
            await gone.promise;
          },
          cancel: async () => {
            gone.resolve();
            await reader.cancel();
          },
        }),
      );
    });
    const [program, ...args] = selfCommand(["import-docker", `127.0.0.1:${proxy.addr.port}/app`]);
    const child = new Deno.Command(program, {
      args,
      env: { PLASH_DATA: store.data },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    await started;
    // The layer is being extracted into its staging directory now.
    await new Promise((done) => setTimeout(done, 300));
    child.kill("SIGINT");
    const output = await child.output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 130, stderr);
    assert.match(stderr.trim(), /^plash error: import-docker .*: interrupted$/);
    assert.equal(output.stdout.length, 0);
    assertStoreUntouched(store.data);
  });
});
