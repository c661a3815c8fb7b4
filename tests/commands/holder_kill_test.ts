/**
 * A rootless plash killed while its user namespace's holder lives (issue 26):
 * the holder dies with it, and holds none of plash's descriptors meanwhile,
 * so a later build of the same layer takes the layer's lock and finishes.
 *
 * The holder's window is made long enough to see with a `newuidmap` first on
 * PATH, a script this test writes, which sleeps before it execs the real one. As root, plash runs as plash-sub (setpriv); as a user
 * with a subordinate range, as that user; without a range there is no holder.
 */

import assert from "node:assert/strict";
import { plannedMapping } from "../../core/runtime/id_map.ts";
import { selfCommand } from "../../core/self_command.ts";
import { busyboxRootfs } from "../../scripts/busybox_rootfs.ts";
import { runCommand } from "../support/command.ts";

const ROOT = Deno.uid() === 0;
const USER = "plash-sub";

/** Whether plash (as plash-sub when root) maps a range through newuidmap, with a holder. */
function usesHolder(): boolean {
  if (!ROOT) return plannedMapping(Deno.uid()!, Deno.gid()!).ranges !== undefined;
  try {
    return Deno.readTextFileSync("/etc/subuid").split("\n").some((line) =>
      line.startsWith(`${USER}:`)
    );
  } catch {
    return false;
  }
}

/** The uid and gid of USER. */
async function userIds(): Promise<[number, number]> {
  const ids = await Promise.all(["-u", "-g"].map((flag) => runCommand("id", [flag, USER])));
  return ids.map((id) => Number(new TextDecoder().decode(id.stdout))) as [number, number];
}

/** The pids of the children of `parent` in another user namespace than it: its holders. */
function holdersOf(parent: number): number[] {
  const own = Deno.readLinkSync(`/proc/${parent}/ns/user`);
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== parent) continue;
      if (Deno.readLinkSync(`/proc/${entry.name}/ns/user`) !== own) found.push(Number(entry.name));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** Whether process `pid` still lives (a zombie does not: it holds nothing). */
function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, seconds: number): Promise<boolean> {
  for (let i = 0; i < seconds * 20; i++) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

Deno.test({
  name: "a rootless plash SIGKILLed while its holder lives leaves no holder, no open pipe, no lock",
  ignore: !usesHolder(),
  fn: async () => {
    const home = Deno.makeTempDirSync({ prefix: "plash-holder-" });
    Deno.chmodSync(home, 0o755);
    const data = `${home}/data`;
    const bin = `${home}/bin`;
    Deno.mkdirSync(bin);
    const realNewuidmap = plannedMapping(0, 0).ranges?.newuidmap ?? "/usr/bin/newuidmap";
    // plash runs the helpers with an empty environment: absolute paths only. The script lets go
    // of plash's stdout, which the real helper holds only for an instant.
    Deno.writeTextFileSync(
      `${bin}/newuidmap`,
      `#!/bin/sh\nexec >/dev/null\n/bin/sleep 5\nexec ${realNewuidmap} "$@"\n`,
      { mode: 0o755 },
    );
    const prefix = ROOT ? ["setpriv", `--reuid=${USER}`, `--regid=${USER}`, "--init-groups"] : [];
    const env = (slow: boolean) => ({
      PLASH_DATA: data,
      HOME: home,
      PATH: `${slow ? `${bin}:` : ""}${Deno.env.get("PATH")}`,
    });
    const start = (args: string[], slow: boolean, signal?: AbortSignal) => {
      const [program, ...rest] = [...prefix, ...selfCommand(args)];
      return new Deno.Command(program, {
        args: rest,
        env: env(slow),
        stdout: "piped",
        stderr: slow ? "null" : "piped",
        signal,
      }).spawn();
    };
    const plash = async (args: string[]) => {
      const output = await start(args, false).output();
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 0, `plash ${args.join(" ")}: ${stderr}`);
      return new TextDecoder().decode(output.stdout).trim();
    };
    const leftover: number[] = [];
    try {
      const rootfs = `${home}/rootfs`;
      await runCommand("cp", ["-a", await busyboxRootfs(), rootfs]);
      if (ROOT) {
        const [uid, gid] = await userIds();
        for (const path of [home, rootfs]) await runCommand("chown", ["-R", `${uid}:${gid}`, path]);
      }
      await plash(["init"]);
      const base = await plash(["add-layer", "0", rootfs]);
      const build = ["build", "-f", base, "-x", "touch /built"];

      const killed = start(build, true);
      let holders: number[] = [];
      const inWindow = () => alive(killed.pid) && (holders = holdersOf(killed.pid)).length > 0;
      assert.ok(await until(inWindow, 120), "no holder seen");
      leftover.push(...holders);
      assert.equal(holders.length, 1, "one holder while newuidmap runs");
      const closed = new Response(killed.stdout).arrayBuffer().then(() => true);
      killed.kill("SIGKILL");
      await killed.status;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<false>((resolve) =>
        timer = setTimeout(() => resolve(false), 10_000)
      );
      const ended = await Promise.race([closed, late]);
      clearTimeout(timer);
      assert.ok(ended, "plash's stdout stayed open after it was killed");
      assert.ok(await until(() => !holders.some(alive), 5), `holder ${holders} outlived plash`);

      // Its lock was the killed plash's; nothing else may hold it now.
      const again = await start(build, false, AbortSignal.timeout(120_000)).output();
      const stderr = new TextDecoder().decode(again.stderr);
      assert.equal(again.code, 0, `the build again: ${again.signal ?? ""} ${stderr}`);
    } finally {
      for (const pid of leftover) if (alive(pid)) Deno.kill(pid, "SIGKILL");
      if (ROOT) Deno.removeSync(home, { recursive: true });
      else {
        await start(["purge", "--yes"], false).output();
        Deno.removeSync(home, { recursive: true });
      }
    }
  },
});

/** Whether process `pid`'s command line holds `word`. */
function runs(pid: number, word: string): boolean {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").includes(word);
  } catch {
    return false;
  }
}

Deno.test({
  name: "a rootless plash SIGKILLed takes the plash it started in its user namespace with it",
  ignore: ROOT && !usesHolder(), // as root, plash-sub (made by the rootless suite) runs it
  fn: async () => {
    const home = Deno.makeTempDirSync({ prefix: "plash-inner-" });
    Deno.chmodSync(home, 0o755);
    const prefix = ROOT ? ["setpriv", `--reuid=${USER}`, `--regid=${USER}`, "--init-groups"] : [];
    if (ROOT) {
      const [uid, gid] = await userIds();
      await runCommand("chown", [`${uid}:${gid}`, home]);
    }
    const start = (args: string[], stdin: "piped" | "null" = "null") => {
      const [program, ...rest] = [...prefix, ...selfCommand(args)];
      return new Deno.Command(program, {
        args: rest,
        env: { PLASH_DATA: `${home}/data`, HOME: home, PATH: Deno.env.get("PATH")! },
        stdin,
        stdout: "null",
        stderr: "null",
      }).spawn();
    };
    let inner: number | undefined;
    try {
      assert.equal((await start(["init"]).status).code, 0);
      // An import that waits for its archive on stdin: plash again, in the user namespace.
      const outer = start(["import-tar", "-"], "piped");
      const found = () =>
        (inner = holdersOf(outer.pid).find((pid) => runs(pid, "import-tar"))) !== undefined;
      assert.ok(await until(found, 60), "no plash seen in the user namespace");
      outer.kill("SIGKILL");
      await outer.status;
      assert.ok(await until(() => !alive(inner!), 5), `plash ${inner} outlived the one killed`);
      await outer.stdin.close().catch(() => {});
    } finally {
      if (inner !== undefined && alive(inner)) Deno.kill(inner, "SIGKILL");
      await start(["purge", "--yes"]).status;
      Deno.removeSync(home, { recursive: true });
    }
  },
});
