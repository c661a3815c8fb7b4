/**
 * Credentials where podman and docker keep them (issue 14, item 5): podman's
 * order of files, merged; docker credential helpers (`credHelpers`,
 * `credsStore`) run as docker runs them, here a helper script the test
 * writes onto PATH; `plash login` and `logout` through the helper. Against
 * Debian's docker-registry demanding Basic auth, on 127.0.0.1.
 */

import assert from "node:assert/strict";
import { busyboxLayer } from "../support/images.ts";
import { image, layer, pushImage } from "../support/oci_image.ts";
import { oneLineError, TestStore } from "../support/plash.ts";
import { HAVE_REGISTRY, TestRegistry } from "../support/registry.ts";
import { HostileServer } from "../support/hostile_registry.ts";

const ignore = !HAVE_REGISTRY;
const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;

/**
 * `docker-credential-plashtest`, as a shell script: it keeps each server's
 * JSON in `$DIR/store/`, logs every action and its input line to `$DIR/log`.
 */
const HELPER = `#!/bin/sh
dir=$(dirname "$0")
read -r input
echo "$1 $input" >> "$dir/log"
case "$1" in
get|erase)
  file="$dir/store/$(printf %s "$input" | tr '/:' '__')"
  [ -f "$file" ] || { echo "credentials not found in native keychain"; exit 1; }
  [ "$1" = get ] && cat "$file" || rm "$file" ;;
store)
  server=$(printf %s "$input" | sed -n 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/p')
  mkdir -p "$dir/store"
  printf %s "$input" > "$dir/store/$(printf %s "$server" | tr '/:' '__')" ;;
*) exit 2 ;;
esac
`;

/** A home of its own with the helper on PATH; what it holds is written by the steps. */
class Home implements Disposable {
  readonly dir = Deno.makeTempDirSync({ prefix: "plash-home-" });
  readonly bin = `${this.dir}/bin`;

  constructor() {
    Deno.mkdirSync(this.bin);
    Deno.writeTextFileSync(`${this.bin}/docker-credential-plashtest`, HELPER, { mode: 0o755 });
  }

  /** The environment plash gets: this home, its runtime dir, the helper first on PATH. */
  get env(): Record<string, string> {
    return {
      HOME: this.dir,
      XDG_RUNTIME_DIR: `${this.dir}/run`,
      PATH: `${this.bin}:${Deno.env.get("PATH")}`,
    };
  }

  /** Writes `value` as JSON at `path` (relative to the home). */
  write(path: string, value: unknown): void {
    const file = `${this.dir}/${path}`;
    Deno.mkdirSync(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    Deno.writeTextFileSync(file, JSON.stringify(value));
  }

  /** The helper keeps `password` of `user` for `server`. */
  helperHas(server: string, user: string, password: string): void {
    this.write(
      `bin/store/${server.replaceAll(/[/:]/g, "_")}`,
      { ServerURL: server, Username: user, Secret: password },
    );
  }

  /** The helper's log: `ACTION INPUT` a line; emptied. */
  takeLog(): string[] {
    let text = "";
    try {
      text = Deno.readTextFileSync(`${this.bin}/log`);
      Deno.removeSync(`${this.bin}/log`);
    } catch { /* nothing asked */ }
    return text.split("\n").filter((line) => line !== "");
  }

  [Symbol.dispose](): void {
    Deno.removeSync(this.dir, { recursive: true });
  }
}

Deno.test({ name: "credentials: podman's files merged, helpers, login", ignore }, async (t) => {
  await using a = await TestRegistry.start({ users: { alice: "a-pw" } });
  await using b = await TestRegistry.start({ users: { bob: "b-pw" } });
  const img = image([await busyboxLayer(), await layer([{ name: "secret", body: "yes" }])]);
  await pushImage(a.host, "team/app", "v1", img, { authorization: basic("alice", "a-pw") });
  await pushImage(b.host, "team/app", "v1", img, { authorization: basic("bob", "b-pw") });
  const pull = (store: TestStore, host: string, env: Record<string, string>) =>
    store.plash(["import-docker", `${host}/team/app:v1`], { env });
  const auth = (user: string, password: string) => ({ auth: btoa(`${user}:${password}`) });

  await t.step("podman's order: the first file that knows a registry answers", async () => {
    using home = new Home();
    using store = new TestStore();
    home.write("run/containers/auth.json", { auths: { [a.host]: auth("alice", "a-pw") } });
    // Later in the order: a wrong password for A is not used, B's is.
    home.write(".config/containers/auth.json", { auths: { [a.host]: auth("alice", "wrong") } });
    home.write(".docker/config.json", { auths: { [b.host]: auth("bob", "b-pw") } });
    for (const host of [a.host, b.host]) {
      const result = await pull(store, host, home.env);
      assert.equal(result.code, 0, result.stderr);
    }
    // REGISTRY_AUTH_FILE is the only file when it is set, as podman's --authfile.
    home.write("only.json", { auths: { [a.host]: auth("alice", "a-pw") } });
    const env = { ...home.env, REGISTRY_AUTH_FILE: `${home.dir}/only.json` };
    assert.equal((await pull(store, a.host, env)).code, 0);
    await store.ok(["rm", `${b.host}/team/app:v1`]);
    assert.match(oneLineError(await pull(store, b.host, env)), /requires authentication/);
  });

  await t.step("credHelpers and credsStore: docker-credential-NAME get HOST", async () => {
    using home = new Home();
    using store = new TestStore();
    home.helperHas(a.host, "alice", "a-pw");
    home.helperHas(b.host, "bob", "b-pw");
    home.write(".docker/config.json", { credHelpers: { [a.host]: "plashtest" } });
    assert.equal((await pull(store, a.host, home.env)).code, 0);
    assert.deepEqual(home.takeLog(), [`get ${a.host}`]);
    // B is not the helper's: plash asked it nothing, and B needs a login.
    assert.match(oneLineError(await pull(store, b.host, home.env)), /requires authentication/);
    assert.deepEqual(home.takeLog(), []);
    home.write(".docker/config.json", { credsStore: "plashtest" });
    assert.equal((await pull(store, b.host, home.env)).code, 0);
    assert.deepEqual(home.takeLog(), [`get ${b.host}`]);
  });

  await t.step("login stores through the helper, logout erases", async () => {
    using home = new Home();
    using store = new TestStore();
    home.write(".docker/config.json", { credsStore: "plashtest", other: "kept" });
    const login = ["login", "--username", "bob", "--password-stdin", b.host];
    const result = await store.plash(login, { env: home.env, stdin: "b-pw\n" });
    assert.equal(result.code, 0, result.stderr);
    const file = JSON.parse(Deno.readTextFileSync(`${home.dir}/.docker/config.json`));
    // No password in the file: an empty entry, as docker writes it.
    assert.deepEqual(file, { credsStore: "plashtest", other: "kept", auths: { [b.host]: {} } });
    assert.deepEqual(home.takeLog(), [
      `store {"ServerURL":"${b.host}","Username":"bob","Secret":"b-pw"}`,
    ]);
    assert.equal((await pull(store, b.host, home.env)).code, 0);
    assert.deepEqual(home.takeLog(), [`get ${b.host}`]);
    await store.ok(["logout", b.host], { env: home.env });
    assert.deepEqual(home.takeLog(), [`erase ${b.host}`]);
    await store.ok(["rm", `${b.host}/team/app:v1`]);
    assert.match(oneLineError(await pull(store, b.host, home.env)), /requires authentication/);
    // A helper that fails says so in one line.
    home.write(".docker/config.json", { credsStore: "missing" });
    const missing = await pull(store, b.host, home.env);
    assert.match(oneLineError(missing), /docker-credential-missing is not on PATH/);
  });

  await t.step("a helper's answer for one registry goes to that registry only", async () => {
    using home = new Home();
    using store = new TestStore();
    // A registry whose token realm is on another host: it must get nothing.
    await using realm = new HostileServer("127.0.0.2", () => Response.json({ token: "t" }));
    await using front = new HostileServer(
      "127.0.0.1",
      (request) =>
        request.headers.get("authorization") === "Bearer t"
          ? Response.json({ errors: [{ code: "MANIFEST_UNKNOWN" }] }, { status: 404 })
          : new Response("{}", {
            status: 401,
            headers: { "www-authenticate": `Bearer realm="${realm.url}/token",service="x"` },
          }),
    );
    const host = front.host;
    home.helperHas(host, "carol", "c-pw");
    home.write(".docker/config.json", { credsStore: "plashtest" });
    assert.match(oneLineError(await pull(store, host, home.env)), /not found/);
    assert.deepEqual(home.takeLog(), [`get ${host}`]);
    assert.ok(realm.seen.length > 0, "the realm was asked");
    assert.deepEqual(realm.seen.map((seen) => seen.authorization), realm.seen.map(() => null));
  });
});
