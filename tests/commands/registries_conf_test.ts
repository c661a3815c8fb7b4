/**
 * registries.conf (issue 14, item 6): mirrors, locations, insecure and
 * blocked registries, search registries and aliases for short names, read
 * from `$PLASH_REGISTRIES_CONF`; against Debian's docker-registry on
 * 127.0.0.1 standing in for a registry name that resolves nowhere.
 */

import assert from "node:assert/strict";
import { busyboxLayer } from "../support/images.ts";
import { image, layer, pushImage } from "../support/oci_image.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { freePort, HAVE_REGISTRY, TestRegistry } from "../support/registry.ts";
import { assertStoreUntouched } from "../support/tar_fixtures.ts";

/** Where nothing answers: a reference to it fails if plash ever asks it. */
const UPSTREAM = "upstream.invalid";

/** A registries.conf holding `text` beside `store` (removed with it), as the environment that names it. */
function conf(store: TestStore, text: string): Record<string, string> {
  const file = `${store.data}.registries-${crypto.randomUUID()}.conf`;
  Deno.writeTextFileSync(file, text);
  return { PLASH_REGISTRIES_CONF: file };
}

Deno.test(
  { name: "registries.conf: mirrors, search, aliases, blocked", ignore: !HAVE_REGISTRY },
  async (t) => {
    await using registry = await TestRegistry.start();
    const img = image([await busyboxLayer(), await layer([{ name: "from", body: "mirror\n" }])]);
    await pushImage(registry.host, "mirror/team/app", "v1", img);
    await pushImage(registry.host, "team/app", "v1", img);
    const dead = `127.0.0.1:${freePort()}`;
    const manifests = () => registry.requests(/GET \/v2\/.*\/manifests\//).length;

    await t.step("a mirror stands in for an upstream name; the image keeps that name", async () => {
      using store = new TestStore();
      const env = conf(
        store,
        `
[[registry]]
prefix = "${UPSTREAM}"
[[registry.mirror]]
location = "${dead}"
[[registry.mirror]]
location = "${registry.host}/mirror"
`,
      );
      const ref = `${UPSTREAM}/team/app:v1`;
      const id = await store.ok(["import-docker", ref], { env });
      assert.equal(await store.ok(["run", ref, "cat", "/from"], { env }), "mirror");
      assert.equal(await store.ok(["map", `docker-ref:${ref}`]), id);
      // A build finds it by that name and asks no registry.
      const before = manifests();
      const built = await store.ok(["build", "--from-docker", ref, "--run", "cat /from > /b"], {
        env,
      });
      assert.equal(await store.ok(["run", built, "cat", "/b"]), "mirror");
      assert.equal(manifests(), before);
    });

    await t.step(
      "a location replaces the registry; a mirror that fails is passed over",
      async () => {
        using store = new TestStore();
        const env = conf(
          store,
          `
[[registry]]
prefix = "${UPSTREAM}/team"
location = "${registry.host}/team"
[[registry.mirror]]
location = "${dead}/team"
`,
        );
        assert.equal(
          await store.ok([
            "run",
            await store.ok(["import-docker", `${UPSTREAM}/team/app:v1`], { env }),
            "cat",
            "/from",
          ]),
          "mirror",
        );
      },
    );

    await t.step("a blocked registry is refused in one line, mirrors and all", async () => {
      using store = new TestStore();
      const env = conf(
        store,
        `
[[registry]]
prefix = "${registry.host}"
blocked = true
[[registry.mirror]]
location = "${registry.host}"
`,
      );
      const before = manifests();
      const result = await store.plash(["import-docker", `${registry.host}/team/app:v1`], { env });
      assert.equal(result.code, 1);
      assert.match(
        oneLineError(result),
        new RegExp(`registry ${registry.host} is blocked in ${env.PLASH_REGISTRIES_CONF}$`),
      );
      assert.equal(manifests(), before);
      assertStoreUntouched(store.data);
    });

    await t.step("short names: the search registries in order, then aliases", async () => {
      using store = new TestStore();
      const env = conf(
        store,
        `
unqualified-search-registries = ["${dead}", "${registry.host}"]
[aliases]
"myapp" = "${registry.host}/team/app"
`,
      );
      const id = await store.ok(["import-docker", "team/app:v1"], { env });
      assert.equal(await store.ok(["map", `docker-ref:${registry.host}/team/app:v1`]), id);
      assert.equal(await store.ok(["run", "team/app:v1", "cat", "/from"], { env }), "mirror");
      assert.equal(await store.ok(["import-docker", "myapp:v1"], { env }), id);
      assert.equal(
        await store.ok(["inspect", "--json", "myapp:v1"], { env }).then((text) =>
          JSON.parse(text)[0].id
        ),
        Number(id),
      );
      // Nowhere to be found: one line naming each place asked.
      const missing = await store.plash(["import-docker", "team/none:v1"], { env });
      assert.equal(missing.code, 1);
      assert.match(
        oneLineError(missing),
        new RegExp(
          `import-docker team/none:v1: tried ${dead}/team/none:v1: .*; ${registry.host}/team/none:v1: .*not found`,
        ),
      );
      // An empty search list: short names have only their aliases.
      const none = conf(store, "unqualified-search-registries = []\n");
      assert.match(
        oneLineError(await store.plash(["import-docker", "team/app:v1"], { env: none })),
        /a short name, and no unqualified-search-registries/,
      );
    });

    await t.step(
      "insecure: plain HTTP to a registry whose name is not this machine's",
      async () => {
        using store = new TestStore();
        // 127.1 is 127.0.0.1, but not by name: plash asks it over HTTPS unless told.
        const name = registry.host.replace("127.0.0.1", "127.1");
        const refused = await store.plash(["import-docker", `${name}/team/app:v1`], {
          env: conf(store, ""),
        });
        assert.equal(refused.code, 1);
        oneLineError(refused);
        const env = conf(store, `[[registry]]\nprefix = "${name}"\ninsecure = true\n`);
        const id = await store.ok(["import-docker", `${name}/team/app:v1`], { env });
        assert.equal(await store.ok(["run", id, "cat", "/from"]), "mirror");
      },
    );

    await t.step("a file plash cannot read is one line naming it", async () => {
      using store = new TestStore();
      for (
        const [text, why] of [
          ["unqualified-search-registries = [", /\.conf:1:\d+: unfinished array$/],
          ["[registries.search]\nregistries = ['docker.io']\n", /version 1 tables .* are not read/],
          ["[[registry]]\nprefix = 5\n", /prefix must be a string/],
        ] as const
      ) {
        const env = conf(store, text);
        const result = await store.plash(["import-docker", `${registry.host}/team/app:v1`], {
          env,
        });
        assert.equal(result.code, 1);
        assert.match(oneLineError(result), why);
        assert.ok(oneLineError(result).includes(env.PLASH_REGISTRIES_CONF));
      }
      const missing = await store.plash(["import-docker", "alpine"], {
        env: { PLASH_REGISTRIES_CONF: "/nonexistent.conf" },
      });
      assert.equal(
        oneLineError(missing),
        "plash error: PLASH_REGISTRIES_CONF=/nonexistent.conf: no such file",
      );
      assertStoreUntouched(store.data);
    });
  },
);
