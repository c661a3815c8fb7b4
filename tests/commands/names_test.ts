/**
 * Images by name (issue 14, item 1): `plash tag`/`untag`, and names and pulled
 * references (from Debian's docker-registry on 127.0.0.1) wherever an id goes,
 * resolved from the store only.
 */

import assert from "node:assert/strict";
import { busyboxLayer } from "../support/images.ts";
import { image, layer, pushImage } from "../support/oci_image.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { HAVE_REGISTRY, TestRegistry } from "../support/registry.ts";

const ignore = !HAVE_REGISTRY;

/** A registries.conf of `text` beside `store` (removed with it), as the environment that names it. */
function registriesConf(store: TestStore, text: string): Record<string, string> {
  const file = `${store.data}.registries-${crypto.randomUUID()}.conf`;
  Deno.writeTextFileSync(file, text);
  return { PLASH_REGISTRIES_CONF: file };
}

Deno.test("tag names an image wherever an id goes; untag removes the name", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  assert.equal(await store.ok(["tag", base, "box", "my-box:v1"]), "");
  assert.equal(await store.ok(["map", "box"]), base);
  assert.equal(await store.ok(["run", "box", "echo", "hi"]), "hi");
  assert.equal(await store.ok(["run", "my-box:v1", "echo", "hi"]), "hi");
  // Every command that takes an image takes the name.
  const child = await store.ok(["create", "box", "sh", "-c", "echo child > /child"]);
  await store.ok(["tag", child, "kid"]);
  assert.equal(await store.ok(["parent", "kid"]), base);
  assert.equal(await store.ok(["nodepath", "kid"]), await store.ok(["nodepath", child]));
  assert.equal(await store.ok(["run", "kid", "cat", "/child"]), "child");
  await store.ok(["map", "alias", "kid"]);
  assert.equal(await store.ok(["map", "alias"]), child);
  const out = `${store.data}.out`;
  await store.ok(["copy", "kid", out]);
  assert.equal(Deno.readTextFileSync(`${out}/child`), "child\n");
  await store.ok(["export-tar", "kid", `${out}.tar`]);
  assert.ok(Deno.statSync(`${out}.tar`).size > 0);
  assert.equal(await store.ok(["with-mount", "kid", "cat", "child"]), "child");
  const dir = Deno.makeTempDirSync({ dir: store.data.slice(0, -"/data".length) });
  Deno.writeTextFileSync(`${dir}/added`, "added\n");
  const added = await store.ok(["add-layer", "kid", dir]);
  assert.equal(await store.ok(["parent", added]), child);
  const built = await store.ok(["build", "--from-id", "kid", "--run", "cat /child > /built"]);
  assert.equal(await store.ok(["run", built, "cat", "/built"]), "child");
  // untag: the name goes, the image stays.
  await store.ok(["untag", "kid", "alias"]);
  assert.equal(await store.ok(["map", "kid"]), "");
  assert.equal(await store.ok(["run", child, "cat", "/child"]), "child");
  await store.ok(["rm", "my-box:v1"]);
  assert.equal((await store.plash(["run", base, "true"])).code, 1);
});

Deno.test("a number stays an id; unknown names are one line listing what is there", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const none = await store.plash(["run", "myimg", "true"]);
  assert.equal(none.code, 1);
  assert.equal(
    oneLineError(none),
    "plash error: image arg must be a positive number or a name, got: myimg " +
      "(the store has no names; an id names an image: see plash ls)",
  );
  // A name that is a number is an id where an image is asked for.
  await store.ok(["map", "999", base]);
  assert.equal(
    oneLineError(await store.plash(["run", "999", "true"])),
    "plash error: no image: 999",
  );
  const number = await store.plash(["tag", base, "42"]);
  assert.equal(number.code, 1);
  assert.match(oneLineError(number), /tag: cannot name an image 42: a number is an image id/);
  for (const bad of ["-x", "a b", `cache:${"0".repeat(64)}`, "docker-ref:x"]) {
    const refused = await store.plash(["tag", "--", base, "ok", bad]);
    assert.equal(refused.code, 1, bad);
    oneLineError(refused);
  }
  // Nothing was named by the refused commands.
  assert.equal(await store.ok(["map", "ok"]), "");
  await store.ok(["map", "999", ""]);
  await store.ok(["tag", base, "web", "db"]);
  for (const command of [["run", "myimg"], ["inspect", "myimg"], ["rm", "web", "myimg"]]) {
    const unknown = await store.plash(command);
    assert.equal(unknown.code, 1);
    assert.equal(
      oneLineError(unknown),
      "plash error: image arg must be a positive number or a name, got: myimg " +
        "(the store has db, web)",
    );
  }
  // rm read every argument first: web is still there.
  assert.equal(await store.ok(["run", "web", "echo", "ok"]), "ok");
  assert.equal(
    oneLineError(await store.plash(["untag", "web", "nope"])),
    "plash error: untag: no image named nope; the store has db, web",
  );
  assert.equal(await store.ok(["map", "web"]), base);
  assert.match(oneLineError(await store.plash(["untag", base])), /is an image id, not a name/);
});

Deno.test({ name: "references an image was pulled as, resolved locally", ignore }, async (t) => {
  await using registry = await TestRegistry.start();
  const base = await busyboxLayer();
  const one = image([base, await layer([{ name: "which", body: "one\n" }])]);
  const two = image([base, await layer([{ name: "which", body: "two\n" }])]);
  await pushImage(registry.host, "team/app", "v1", one);
  await pushImage(registry.host, "team/app", "latest", one);
  using store = new TestStore();
  const env = registriesConf(store, ""); // no search registry but docker.io
  const id = await store.ok(["import-docker", `${registry.host}/team/app:v1`], { env });
  await store.ok(["import-docker", `${registry.host}/team/app`], { env });
  const which = async (name: string) => await store.ok(["run", name, "cat", "/which"], { env });

  await t.step("in full, with the default tag, by digest, and by a short tail", async () => {
    assert.equal(await which(`${registry.host}/team/app:v1`), "one");
    assert.equal(await which(`${registry.host}/team/app`), "one");
    const digest = one.manifest.digest;
    assert.equal(await which(`${registry.host}/team/app@${digest}`), "one");
    assert.equal(await which("team/app:v1"), "one");
    // A digest names that image only in the repository it was pulled from.
    const elsewhere = await store.plash(["run", `${registry.host}/other/app@${digest}`], { env });
    assert.match(oneLineError(elsewhere), /must be a positive number or a name, got: /);
    assert.equal(
      await store.ok(["parent", `${registry.host}/team/app:v1`], { env }),
      await store.ok(["parent", id]),
    );
  });

  await t.step("docker.io's short names, as docker spells them", async () => {
    await store.ok(["map", "docker-ref:docker.io/library/alpine:3.20", id]);
    for (const name of ["alpine:3.20", "docker.io/library/alpine:3.20", "docker.io/alpine:3.20"]) {
      assert.equal(await which(name), "one", name);
    }
    assert.match(
      oneLineError(await store.plash(["run", "alpine"], { env })),
      /must be a positive number or a name, got: alpine \(/,
    );
  });

  await t.step("the same short name in two registries is ambiguous", async () => {
    await pushImage(registry.host, "team/app", "v1", two);
    // The same registry by another name: a second reference of its own.
    const other = registry.host.replace("127.0.0.1", "localhost");
    await store.ok(["import-docker", `${other}/team/app:v1`], { env });
    assert.equal(await which(`${other}/team/app:v1`), "two");
    const ambiguous = await store.plash(["run", "team/app:v1", "true"], { env });
    assert.equal(ambiguous.code, 1);
    assert.match(
      oneLineError(ambiguous),
      new RegExp(`ambiguous image name team/app:v1: .*${other}/team/app:v1 .*; give one in full`),
    );
    // The search registries decide, as podman's do.
    const search = registriesConf(store, `unqualified-search-registries = ["${other}"]\n`);
    assert.equal(await store.ok(["run", "team/app:v1", "cat", "/which"], { env: search }), "two");
    // untag takes a reference too.
    await store.ok(["untag", `${other}/team/app:v1`], { env });
    assert.equal(await which("team/app:v1"), "one");
  });
});
