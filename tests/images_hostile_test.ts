/**
 * Registries and archives that attack: servers that stall, bodies that never
 * end, sizes that lie, credentials asked for by another host, images deeper
 * than the store can hold, layers that are not what their config says. Each
 * fails in one line and leaves the store as it was; the servers are the
 * hostile ones of support/hostile_registry.ts, beside Debian's registry.
 */

import assert from "node:assert/strict";
import { image, layer } from "./support/oci_image.ts";
import { oneLineError, TestStore } from "./support/plash.ts";
import { fakeRegistry, SilentServer, stallingResponse } from "./support/hostile_registry.ts";
import { extractTar } from "../core/tar/extract.ts";
import { assertStoreUntouched } from "./tar_fixtures.ts";

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

Deno.test("a layer that is not a tar fails, also when its first bytes come in small pieces", async () => {
  for (const size of [4, 1000, 64 << 10]) {
    const dir = Deno.makeTempDirSync();
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
    await assert.rejects(extractTar(spaces, dir), /Invalid tar header/, `chunks of ${size}`);
    Deno.removeSync(dir, { recursive: true });
  }
});
