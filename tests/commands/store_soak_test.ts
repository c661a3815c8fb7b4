/**
 * One store, many plash processes: four workers run builds, creates, runs,
 * rm, tag and untag, clean, export-tar, inspect and ls at random while a
 * killer sends SIGKILL to one of them now and then. Every failure must be one
 * `plash error:` line of the kinds a concurrent change explains; afterwards
 * the store is consistent. `PLASH_SOAK_SECONDS` sets the length (default 60).
 */

import assert from "node:assert/strict";
import { selfCommand } from "../../core/self_command.ts";
import { assertStoreConsistent } from "../support/store_check.ts";
import { TempDirs } from "../support/temp_dirs.ts";
import { TestStore } from "../support/plash.ts";

const SECONDS = Number(Deno.env.get("PLASH_SOAK_SECONDS") ?? "60");
const WORKERS = 4;

/** The failures another process's change explains (the whole line). */
const EXPECTED = [
  // An image removed before or while a command used it.
  /^plash error: (-f: )?no image: \d+( \(removed while [a-z ]+\))?$/,
  // A name untagged, or removed with its image, by another worker.
  /^plash error: untag: no image named w\d_\d+[:;] .*$/,
];

/** What the workers did, for the report and the assertions. */
interface Tally {
  done: number;
  failed: number;
  killed: number;
  unexpected: string[];
}

const random = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

Deno.test({
  name:
    `${WORKERS} workers and a killer on one store: only expected one-line errors, a consistent store`,
  fn: async () => {
    using store = new TestStore();
    using dirs = new TempDirs();
    const exports = dirs.make("plash-soak-");
    const base = await store.busybox();
    const images = new Set<number>([Number(base)]);
    const running = new Set<Deno.ChildProcess>();
    const killed = new WeakSet<Deno.ChildProcess>();
    const abandoned: Promise<unknown>[] = [];
    const tally: Tally = { done: 0, failed: 0, killed: 0, unexpected: [] };
    const deadline = Date.now() + SECONDS * 1000;

    /** Runs plash; its stdout, undefined when it failed (checking what it said), null when killed. */
    const plash = async (args: string[]): Promise<string | undefined | null> => {
      const [program, ...rest] = selfCommand(args);
      const child = new Deno.Command(program, {
        args: rest,
        env: { PLASH_DATA: store.data },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      running.add(child);
      const ending = child.output();
      await child.status;
      running.delete(child);
      if (killed.has(child)) {
        tally.killed++;
        // Its output ends when its last child does (see orphansGone).
        abandoned.push(ending);
        return null;
      }
      const output = await ending;
      const stdout = new TextDecoder().decode(output.stdout);
      if (output.success) {
        tally.done++;
        return stdout;
      }
      tally.failed++;
      const stderr = new TextDecoder().decode(output.stderr).trimEnd();
      const gone = /no image: (\d+)/.exec(stderr);
      if (gone && gone[1] !== base) images.delete(Number(gone[1]));
      const lines = stderr.split("\n");
      if (lines.length !== 1 || !EXPECTED.some((pattern) => pattern.test(lines[0]))) {
        tally.unexpected.push(`plash ${args.join(" ")}: ${JSON.stringify(stderr)}`);
      }
      return undefined;
    };
    const made = (stdout: string | undefined | null) => {
      if (typeof stdout === "string") images.add(Number(stdout));
    };
    const someImage = () => String(random([...images]));
    /** An image to remove: any but the base, which every build starts from. */
    const removable = () => random([...images].filter((id) => id !== Number(base)));

    const worker = async (number: number) => {
      let names = 0;
      const operations: (() => Promise<unknown>)[] = [
        async () =>
          made(await plash(["build", "-q", "-f", base, "--run", `echo ${names % 5} > /n`])),
        async () => made(await plash(["build", "-q", "-f", someImage(), "--run", "touch /b"])),
        async () => made(await plash(["create", someImage(), "sh", "-c", "echo x > /c"])),
        () => plash(["run", someImage(), "cat", "/etc/passwd"]),
        async () => {
          const id = removable();
          if (id === undefined) return;
          if (typeof await plash(["rm", String(id)]) === "string") images.delete(id);
        },
        () => plash(["tag", someImage(), `w${number}_${++names}`]),
        () => plash(["untag", `w${number}_${names}`]),
        () => plash(["clean"]),
        async () => {
          const file = `${exports}/${number}.tar`;
          const exported = await plash(["export-tar", someImage(), file]);
          // A failed export leaves no file; a killed one may leave its partial one's name.
          for (const entry of Deno.readDirSync(exports)) {
            if (!entry.name.includes(`${number}.tar`)) continue;
            const failed = exported === undefined;
            if (failed) assert.notEqual(entry.name, `${number}.tar`, "left by a failure");
            Deno.removeSync(`${exports}/${entry.name}`, { recursive: true });
          }
        },
        () => plash(["inspect", someImage()]),
        () => plash(["ls", "-a"]),
        async () => {
          const listed = await plash(["ls", "--json"]);
          if (typeof listed === "string") JSON.parse(listed);
        },
      ];
      while (Date.now() < deadline) await random(operations)();
    };

    const killer = async () => {
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 1200));
        const victim = random([...running]);
        if (victim === undefined) continue;
        killed.add(victim);
        try {
          victim.kill("SIGKILL");
        } catch { /* it ended meanwhile */ }
      }
    };

    await Promise.all([killer(), ...Array.from({ length: WORKERS }, (_, i) => worker(i))]);
    const operations = tally.done + tally.failed + tally.killed;
    console.log(
      `soak: ${operations} operations in ${SECONDS} s (${(operations / SECONDS).toFixed(1)}/s), ` +
        `${tally.failed} expected failures, ${tally.killed} killed, ` +
        `${tally.unexpected.length} unexpected`,
    );
    assert.deepEqual(tally.unexpected, [], "every failure is one expected line");
    assert.ok(tally.done > WORKERS * 5, "the workers got work done");

    await orphansGone(store.data);
    await Promise.all(abandoned);
    await store.ok(["clean"]);
    assertStoreConsistent(store.data, JSON.parse(await store.ok(["ls", "--json"])));
  },
});

/**
 * Waits until no process uses the store at `data`: a killed plash's child (a
 * command of `create`, the plash in a user namespace of a rootless one) runs
 * on to its end, and a `clean` before would find its directories alive. A
 * rootless plash killed between starting its user namespace's holder and
 * killing it leaves the holder asleep in pause(2) for good (the runtime's, a
 * matter of its own): those are killed here.
 */
async function orphansGone(data: string): Promise<void> {
  const mark = `PLASH_DATA=${data}\0`;
  const users = () =>
    [...Deno.readDirSync("/proc")].filter((entry) => {
      if (!/^\d+$/.test(entry.name)) return false;
      try {
        return Deno.readTextFileSync(`/proc/${entry.name}/environ`).includes(mark);
      } catch {
        return false; // gone, or another user's
      }
    }).map((entry) => Number(entry.name));
  for (let waited = 0;; waited += 100) {
    const left = users();
    if (left.length === 0) return;
    for (const pid of left) {
      try {
        if (Deno.readTextFileSync(`/proc/${pid}/wchan`).endsWith("do_sys_pause")) {
          Deno.kill(pid, "SIGKILL");
        }
      } catch { /* ended meanwhile */ }
    }
    assert.ok(waited < 30_000, `processes ${left.join(" ")} still use ${data} after 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
