/**
 * Docker credential helpers: `docker-credential-NAME` on PATH, run as
 * docker runs it, one action an invocation (`get`, `store`, `erase`) with
 * its input on stdin: for `get` and `erase` the server (`host[:port]`, or
 * Docker Hub's `https://index.docker.io/v1/`), for `store` a JSON object
 * `{ServerURL, Username, Secret}`; `get` answers with that object, or
 * fails saying `credentials not found`.
 *
 * A helper is asked for one server at a time and its answer used for that
 * server only (see `client.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { helperErase, helperGet, helperStore } from "./credential_helper.ts";
 *
 * // docker-credential-demo: a helper keeping one server's credentials in a file beside it
 * const dir = Deno.makeTempDirSync();
 * Deno.writeTextFileSync(
 *   `${dir}/docker-credential-demo`,
 *   `#!/bin/sh
 * f="$(dirname "$0")/saved"
 * case "$1" in
 *   store) cat > "$f" ;;
 *   get|erase) [ -f "$f" ] || { echo "credentials not found in native keychain"; exit 1; }
 *     if [ "$1" = get ]; then cat "$f"; else rm "$f"; fi ;;
 * esac
 * `,
 *   { mode: 0o755 },
 * );
 * const path = Deno.env.get("PATH")!;
 * Deno.env.set("PATH", `${dir}:${path}`);
 * await helperStore("demo", "ghcr.io", { username: "me", password: "token" });
 * assert.deepEqual(await helperGet("demo", "ghcr.io"), { username: "me", password: "token" });
 * assert.equal(await helperErase("demo", "ghcr.io"), true);
 * assert.equal(await helperGet("demo", "ghcr.io"), undefined);
 * Deno.env.set("PATH", path);
 * Deno.removeSync(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import type { Credentials } from "./auth_file.ts";

/** What a helper answers for a server it has nothing for. */
const NOT_FOUND = /credentials not found/i;

/** The program of helper `name`; a name that is not one (`../x`) is refused. */
function program(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new PlashError(`bad credential helper name ${JSON.stringify(name)}`);
  }
  return `docker-credential-${name}`;
}

/** Runs helper `name` with `action` and `input` on stdin; its exit status and output. */
async function runHelper(
  name: string,
  action: "get" | "store" | "erase",
  input: string,
): Promise<{ success: boolean; output: string }> {
  const command = program(name);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(command, {
      args: [action],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new PlashError(`credential helper ${command} is not on PATH`, { cause: error });
    }
    throw new PlashError(`cannot run ${command}: ${(error as Error).message}`, { cause: error });
  }
  const writer = child.stdin.getWriter();
  try {
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
  } catch {
    // A helper that does not read its input says why on its output.
  }
  const { success, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return { success, output: (decoder.decode(stdout) + decoder.decode(stderr)).trim() };
}

/** The one-line failure of helper `name` doing `action`. */
function failed(name: string, action: string, output: string): PlashError {
  const why = output.split("\n")[0] || "it failed";
  return new PlashError(`docker-credential-${name} ${action}: ${why}`);
}

/**
 * The credentials helper `name` keeps for `server`, or undefined when it has
 * none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { helperGet } from "./credential_helper.ts";
 *
 * // A helper on PATH, say (the module's example runs one):
 * //   await helperGet("secretservice", "https://index.docker.io/v1/"); // { username, password }
 * // One that is not installed: one line.
 * const refused = /credential helper docker-credential-none is not on PATH/;
 * await assert.rejects(helperGet("none", "https://index.docker.io/v1/"), refused);
 * ```
 */
export async function helperGet(name: string, server: string): Promise<Credentials | undefined> {
  const { success, output } = await runHelper(name, "get", `${server}\n`);
  if (!success) {
    if (NOT_FOUND.test(output)) return undefined;
    throw failed(name, "get", output);
  }
  let answer: { Username?: unknown; Secret?: unknown };
  try {
    answer = JSON.parse(output);
  } catch {
    throw new PlashError(`docker-credential-${name} get: its answer is not JSON`);
  }
  const { Username: username, Secret: password } = answer;
  if (typeof username !== "string" || typeof password !== "string" || password === "") {
    throw new PlashError(`docker-credential-${name} get: no Username and Secret in its answer`);
  }
  if (username === "<token>") {
    // An identity token is exchanged at a token server: not something plash does yet.
    throw new PlashError(
      `docker-credential-${name} get: ${server} has an identity token, which plash cannot use`,
    );
  }
  return { username, password };
}

/**
 * Stores `credentials` for `server` with helper `name`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { helperStore } from "./credential_helper.ts";
 *
 * // A helper on PATH, say (the module's example runs one):
 * //   await helperStore("pass", "ghcr.io", { username: "me", password: "token" });
 * // One that is not installed: one line.
 * const refused = /credential helper docker-credential-none is not on PATH/;
 * const credentials = { username: "me", password: "token" };
 * await assert.rejects(helperStore("none", "ghcr.io", credentials), refused);
 * ```
 */
export async function helperStore(
  name: string,
  server: string,
  credentials: Credentials,
): Promise<void> {
  const input = JSON.stringify({
    ServerURL: server,
    Username: credentials.username,
    Secret: credentials.password,
  });
  const { success, output } = await runHelper(name, "store", input);
  if (!success) throw failed(name, "store", output);
}

/**
 * Removes what helper `name` keeps for `server`; returns whether it had
 * anything.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { helperErase } from "./credential_helper.ts";
 *
 * // A helper on PATH, say (the module's example runs one):
 * //   await helperErase("pass", "ghcr.io"); // true when it had credentials
 * // One that is not installed: one line.
 * const refused = /credential helper docker-credential-none is not on PATH/;
 * await assert.rejects(helperErase("none", "ghcr.io"), refused);
 * ```
 */
export async function helperErase(name: string, server: string): Promise<boolean> {
  const { success, output } = await runHelper(name, "erase", `${server}\n`);
  if (success) return true;
  if (NOT_FOUND.test(output)) return false;
  throw failed(name, "erase", output);
}
