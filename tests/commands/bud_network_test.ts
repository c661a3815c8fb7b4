import assert from "node:assert/strict";
import { budOk, writeContext } from "../support/bud.ts";
import { TestStore } from "../support/plash.ts";
import { TempDirs } from "../support/temp_dirs.ts";

/** A TCP server on 127.0.0.1 of the host that answers `pong` to each connection. */
function pongServer(): { port: number; served: Promise<void>; close: () => void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const served = (async () => {
    for await (const connection of listener) {
      await connection.write(new TextEncoder().encode("pong\n"));
      connection.close();
    }
  })();
  return { port: listener.addr.port, served, close: () => listener.close() };
}

Deno.test("RUN --network=none has only loopback, up; a RUN without it reaches the host's 127.0.0.1", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const server = pongServer();
  try {
    const base = await store.busybox();
    const reach = `nc 127.0.0.1 ${server.port} </dev/null`;
    const context = writeContext(dirs.make("plash-bud-"), {
      Dockerfile: [
        `FROM ${base}`,
        `RUN --network=none (${reach} || echo unreachable) > /none; ip link > /links; ls /sys/class/net > /sys-net`,
        `RUN --network=default ${reach} > /default`,
        `RUN --network=host ${reach} > /host`,
      ].join("\n") + "\n",
    });
    const id = await budOk(store, [context]);
    const cat = (path: string) => store.ok(["run", id, "cat", path]);
    assert.equal(await cat("/none"), "unreachable");
    assert.equal(await cat("/default"), "pong");
    assert.equal(await cat("/host"), "pong");
    const links = (await cat("/links")).split("\n").filter((line) => /^\d+:/.test(line));
    assert.equal(links.length, 1, `only lo: ${links}`);
    assert.match(links[0], /^1: lo: <LOOPBACK,UP,/);
    assert.equal(await cat("/sys-net"), "lo", "a sysfs of the step's network namespace");
  } finally {
    server.close();
    await server.served.catch(() => {});
  }
});

Deno.test("RUN --network= other than none, host or default fails in one line", async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const base = await store.busybox();
  const context = writeContext(dirs.make("plash-bud-"), {
    Dockerfile: `FROM ${base}\nRUN --network=bridge true\n`,
  });
  const result = await store.plash(["bud", context]);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /^plash error: .*--network=bridge: only none, host and default/m);
});

Deno.test("RUN --network=none fails in one line where the host refuses a network namespace", {
  ignore: Deno.uid() !== 0,
}, async () => {
  using store = new TestStore();
  using dirs = new TempDirs();
  const base = await store.busybox();
  const context = writeContext(dirs.make("plash-bud-"), {
    Dockerfile: `FROM ${base}\nRUN --network=none true\n`,
  });
  const before = await store.ok(["ls", "--json"]);
  // Root without CAP_SYS_ADMIN, as in docker's default capabilities: the mount-less mode.
  const result = await store.plash(["bud", "-q", context], {
    prefix: ["setpriv", "--inh-caps=-sys_admin", "--bounding-set=-sys_admin"],
  });
  assert.notEqual(result.code, 0);
  // After the notice of the mount-less mode, one line.
  const lines = result.stderr.trimEnd().split("\n").filter((line) =>
    !/^plash: no mounts/.test(line)
  );
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /^plash error: Dockerfile:2: RUN: unshare CLONE_NEWNET: /);
  assert.equal(await store.ok(["ls", "--json"]), before, "no image was made");
  // The step's copy, reverted and pooled (warm copies), alone.
  assert.deepEqual(
    [...Deno.readDirSync(`${store.data}/tmp`)].filter((e) => !e.name.startsWith("plashwarm_")),
    [],
  );
});
