/**
 * Test support: increments the number in FILE COUNT times, each time holding
 * the store's lock NAME, with a pause between the read and the write; with
 * `hold` instead of COUNT it takes the lock, prints "locked" and waits to be
 * killed. Run many at once against one PLASH_DATA to race them.
 *
 * usage: deno run -A lock_counter.ts NAME COUNT|hold FILE
 */

import { Store } from "../../core/store/store.ts";

const [name, count, file] = Deno.args;
const store = Store.open();
if (count === "hold") {
  await store.withLock(name, async () => {
    console.log("locked");
    await new Promise(() => setInterval(() => {}, 1000));
  });
}
for (let i = 0; i < Number(count); i++) {
  await store.withLock(name, async () => {
    const value = Number(Deno.readTextFileSync(file));
    await new Promise((resolve) => setTimeout(resolve, 1)); // let another process in, if it can
    Deno.writeTextFileSync(file, String(value + 1));
  });
}
