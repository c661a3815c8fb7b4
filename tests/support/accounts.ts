/**
 * Test support: the busybox image with accounts, for runs as another user:
 * root, nobody (65534, group nogroup, also in staff 50) and app (1000).
 *
 * @module
 */

import type { TestStore } from "./plash.ts";
import { TempDirs } from "./temp_dirs.ts";

/** The passwd of {@linkcode imageWithAccounts}. */
export const PASSWD = "root:x:0:0:root:/root:/bin/sh\n" +
  "nobody:x:65534:65534:nobody:/nonexistent:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n";
/** Its group file. */
export const GROUP = "root:x:0:\nstaff:x:50:nobody\napp:x:1000:\nnogroup:x:65534:\n";

/** Imports busybox and adds a layer with {@linkcode PASSWD} and {@linkcode GROUP}; its id. */
export async function imageWithAccounts(store: TestStore): Promise<string> {
  const base = await store.busybox();
  using dirs = new TempDirs();
  // add-layer moves the layer into the store: the temp dir around it stays to be removed.
  const dir = `${dirs.make("plash-accounts-")}/layer`;
  Deno.mkdirSync(dir);
  Deno.chmodSync(dir, 0o755); // the image's /, which its users must be able to enter
  Deno.mkdirSync(`${dir}/etc`);
  Deno.mkdirSync(`${dir}/srv`);
  Deno.writeTextFileSync(`${dir}/etc/passwd`, PASSWD);
  Deno.writeTextFileSync(`${dir}/etc/group`, GROUP);
  return await store.ok(["add-layer", base, dir]);
}
