/**
 * Registry authentication: Basic (htpasswd) with credentials from
 * REGISTRY_AUTH_FILE and from `plash login`, and the Bearer token flow
 * against a token server and a proxy run here.
 */

import assert from "node:assert/strict";
import { busyboxLayer } from "../support/images.ts";
import { image, layer, pushImage } from "../support/oci_image.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { HAVE_REGISTRY, serveInFront, TestRegistry } from "../support/registry.ts";
import { assertStoreUntouched } from "../support/tar_fixtures.ts";
import { TempDirs } from "../support/temp_dirs.ts";

const ignore = !HAVE_REGISTRY;
const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;

Deno.test({ name: "Basic auth: auth file, plash login and logout", ignore }, async (t) => {
  await using registry = await TestRegistry.start({ users: { alice: "s3cret" } });
  const img = image([await busyboxLayer(), await layer([{ name: "private", body: "yes" }])]);
  await pushImage(registry.host, "team/app", "v1", img, {
    authorization: basic("alice", "s3cret"),
  });
  const ref = `${registry.host}/team/app:v1`;
  using dirs = new TempDirs();
  const authFile = `${dirs.make()}/auth.json`;
  const env = { REGISTRY_AUTH_FILE: authFile };

  await t.step("without credentials: a one-line error that names plash login", async () => {
    using store = new TestStore();
    const result = await store.plash(["import-docker", ref], { env });
    assert.match(oneLineError(result), new RegExp(`requires authentication: run .plash login`));
    assertStoreUntouched(store.data);
  });

  await t.step("credentials from REGISTRY_AUTH_FILE", async () => {
    using store = new TestStore();
    const auth = btoa("alice:s3cret");
    Deno.writeTextFileSync(authFile, JSON.stringify({ auths: { [registry.host]: { auth } } }));
    const id = await store.ok(["import-docker", ref], { env });
    assert.equal(await store.ok(["run", id, "cat", "/private"]), "yes");
    Deno.removeSync(authFile);
  });

  await t.step("plash login checks and stores, logout forgets", async () => {
    using store = new TestStore();
    const wrong = await store.plash(
      ["login", "--username", "alice", "--password-stdin", registry.host],
      { env, stdin: "wrong\n" },
    );
    assert.match(oneLineError(wrong), /refused the credentials/);
    assert.throws(() => Deno.statSync(authFile), Deno.errors.NotFound);
    const login = await store.plash(
      ["login", "--username", "alice", "--password-stdin", registry.host],
      { env, stdin: "s3cret\n" },
    );
    assert.equal(login.code, 0, login.stderr);
    assert.equal(Deno.statSync(authFile).mode! & 0o777, 0o600);
    const stored = JSON.parse(Deno.readTextFileSync(authFile));
    assert.equal(stored.auths[registry.host].auth, btoa("alice:s3cret"));
    const id = await store.ok(["import-docker", ref], { env });
    assert.equal(await store.ok(["run", id, "cat", "/private"]), "yes");
    await store.ok(["logout", registry.host], { env });
    assert.deepEqual(JSON.parse(Deno.readTextFileSync(authFile)).auths, {});
    const again = await store.plash(["import-docker", `${registry.host}/team/app:v2`], { env });
    assert.match(oneLineError(again), /requires authentication/);
  });
});

Deno.test({ name: "Bearer tokens from the challenge's realm", ignore }, async (t) => {
  await using registry = await TestRegistry.start();
  const img = image([await busyboxLayer(), await layer([{ name: "token", body: "ok" }])]);
  await pushImage(registry.host, "open/app", "latest", img);
  await pushImage(registry.host, "closed/app", "latest", img);
  const tokenRequests: URL[] = [];
  // Issues a token per scope; the "closed" repositories need bob's password.
  await using tokens = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const url = new URL(request.url);
    tokenRequests.push(url);
    const scope = url.searchParams.get("scope") ?? "";
    if (scope.includes(":closed/") && request.headers.get("authorization") !== basic("bob", "pw")) {
      return new Response("no", { status: 401 });
    }
    return Response.json({ token: `token-for-${scope}` });
  });
  const realm = `http://127.0.0.1:${tokens.addr.port}/token`;
  // The registry as the world sees it: a token for the repository's scope, or 401.
  await using proxy = serveInFront(registry.host, (request, forward) => {
    const url = new URL(request.url);
    const repository = url.pathname.match(/^\/v2\/(.+)\/(?:manifests|blobs)\//)?.[1];
    const scope = repository ? `repository:${repository}:pull` : "";
    if (request.headers.get("authorization") === `Bearer token-for-${scope}`) return forward();
    const challenge = `Bearer realm="${realm}",service="test-registry"` +
      (scope ? `,scope="${scope}"` : "");
    return new Response('{"errors":[{"code":"UNAUTHORIZED"}]}', {
      status: 401,
      headers: { "www-authenticate": challenge },
    });
  });
  const host = `127.0.0.1:${proxy.addr.port}`;

  await t.step("anonymous: one token serves the manifest and every blob", async () => {
    using store = new TestStore();
    const id = await store.ok(["import-docker", `${host}/open/app`]);
    assert.equal(await store.ok(["run", id, "cat", "/token"]), "ok");
    assert.equal(tokenRequests.length, 1);
    assert.equal(tokenRequests[0].searchParams.get("service"), "test-registry");
    assert.equal(tokenRequests[0].searchParams.get("scope"), "repository:open/app:pull");
  });

  await t.step("a closed repository: login needed, then the token is asked with it", async () => {
    using store = new TestStore();
    using dirs = new TempDirs();
    const env = { REGISTRY_AUTH_FILE: `${dirs.make()}/auth.json` };
    const denied = await store.plash(["import-docker", `${host}/closed/app`], { env });
    assert.match(oneLineError(denied), /closed\/app:latest: .* requires authentication/);
    assertStoreUntouched(store.data);
    await store.ok(["login", "--username", "bob", "--password-stdin", host], {
      env,
      stdin: "pw",
    });
    const id = await store.ok(["import-docker", `${host}/closed/app`], { env });
    assert.equal(await store.ok(["run", id, "cat", "/token"]), "ok");
  });
});
