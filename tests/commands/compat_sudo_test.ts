/**
 * Compatibility with the original plash (macro era): `plash sudo` runs in
 * namespaces of its own, so what it mounts vanishes with it, and
 * PLASH_NO_UNSHARE (any value but "") leaves it in the caller's.
 */

import assert from "node:assert/strict";
import { selfCommand } from "../../core/self_command.ts";
import { TestStore } from "../support/plash.ts";

const MNT = () => Deno.readLinkSync("/proc/self/ns/mnt");

Deno.test("sudo runs in a mount namespace of its own; PLASH_NO_UNSHARE leaves it out", async () => {
  using store = new TestStore();
  const namespace = (env: Record<string, string> = {}) =>
    store.ok(["sudo", "readlink", "/proc/self/ns/mnt"], { env });
  assert.notEqual(await namespace(), MNT());
  assert.notEqual(await namespace({ PLASH_NO_UNSHARE: "" }), MNT());
  assert.equal(await namespace({ PLASH_NO_UNSHARE: "1" }), MNT());
  assert.equal(await store.ok(["sudo", "id", "-u"]), "0");
  // Without root, PLASH_NO_UNSHARE also leaves out the user namespace: you stay yourself.
  const uid = await store.ok(["sudo", "id", "-u"], { env: { PLASH_NO_UNSHARE: "1" } });
  assert.equal(uid, String(Deno.uid()));
});

Deno.test("what plash mounts inside sudo vanishes with it", async () => {
  using store = new TestStore();
  const base = await store.busybox();
  const target = `${store.data}.mnt`;
  Deno.mkdirSync(target);
  try {
    // The original's mount test: plash mount inside plash sudo.
    const inside = await store.ok([
      "sudo",
      "sh",
      "-c",
      '"$@" && grep -c " $0 " /proc/self/mountinfo',
      target,
      ...selfCommand(["mount", base, target]),
    ]);
    assert.equal(inside, "1");
    assert.ok(!Deno.readTextFileSync("/proc/self/mountinfo").includes(` ${target} `));
  } finally {
    // Today's main left it mounted on the host: take it away before removing it.
    new Deno.Command("umount", { args: ["-l", target], stderr: "null" }).outputSync();
    Deno.removeSync(target);
  }
});
