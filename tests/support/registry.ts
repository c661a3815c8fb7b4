/**
 * Test support: a real OCI registry on 127.0.0.1, Debian's `docker-registry`
 * (the CNCF distribution registry), started on a free port with its storage
 * in a temp dir, optionally behind htpasswd Basic auth.
 *
 * @module
 */

import { runCommand } from "./command.ts";

const BINARY = "/usr/bin/docker-registry";

/** Whether the registry binary is installed (scripts/setup-debian.sh installs it). */
export const HAVE_REGISTRY = (() => {
  try {
    return Deno.statSync(BINARY).isFile;
  } catch {
    return false;
  }
})();

/** A running registry; stop it with `await using`. */
export class TestRegistry implements AsyncDisposable {
  /** `127.0.0.1:PORT`, as image references name it. */
  readonly host: string;
  /** Its directory: storage/, config.yml, log. */
  readonly dir: string;
  readonly #process: Deno.ChildProcess;

  private constructor(host: string, dir: string, process: Deno.ChildProcess) {
    this.host = host;
    this.dir = dir;
    this.#process = process;
  }

  /**
   * Starts a registry and waits until it answers /v2/. With `users`
   * (name → password) it demands Basic auth from them.
   */
  static async start(options: { users?: Record<string, string> } = {}): Promise<TestRegistry> {
    const dir = Deno.makeTempDirSync({ prefix: "plash-registry-" });
    let process: Deno.ChildProcess;
    let port: number;
    try {
      port = freePort();
      process = await serveRegistry(dir, port, options.users);
    } catch (error) {
      Deno.removeSync(dir, { recursive: true }); // no server: nothing but the temp dir to remove
      throw error;
    }
    const registry = new TestRegistry(`127.0.0.1:${port}`, dir, process);
    for (let attempt = 0;; attempt++) {
      try {
        const response = await fetch(`http://${registry.host}/v2/`);
        await response.body?.cancel();
        if (response.status === 200 || response.status === 401) return registry;
      } catch {
        // Not listening yet.
      }
      if (attempt === 100) {
        await registry[Symbol.asyncDispose]();
        throw new Error(`docker-registry did not start on ${registry.host}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The requests the registry logged whose line matches `pattern`. */
  requests(pattern: RegExp): string[] {
    return Deno.readTextFileSync(`${this.dir}/log`).split("\n").filter((line) =>
      pattern.test(line)
    );
  }

  /** Where the registry keeps blob `digest`. */
  blobPath(digest: string): string {
    const hex = digest.slice("sha256:".length);
    return `${this.dir}/storage/docker/registry/v2/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      this.#process.kill("SIGTERM");
    } catch {
      // Already gone.
    }
    await this.#process.status;
    Deno.removeSync(this.dir, { recursive: true });
  }
}

/** Writes `dir`'s config (with `users` in an htpasswd file) and starts docker-registry on it. */
async function serveRegistry(
  dir: string,
  port: number,
  users?: Record<string, string>,
): Promise<Deno.ChildProcess> {
  let auth = "";
  if (users) {
    const lines = [];
    for (const [user, password] of Object.entries(users)) {
      const out = await runCommand("htpasswd", ["-nbB", user, password]);
      if (out.code !== 0) throw new Error(`htpasswd: ${out.stderr}`);
      lines.push(new TextDecoder().decode(out.stdout).trim());
    }
    Deno.writeTextFileSync(`${dir}/htpasswd`, lines.join("\n") + "\n");
    auth = `auth:\n  htpasswd:\n    realm: plash-test\n    path: ${dir}/htpasswd\n`;
  }
  Deno.writeTextFileSync(
    `${dir}/config.yml`,
    `version: 0.1\nlog:\n  level: warn\n  formatter: text\n` +
      `storage:\n  filesystem:\n    rootdirectory: ${dir}/storage\n  delete:\n    enabled: true\n` +
      `http:\n  addr: 127.0.0.1:${port}\n  secret: plash-test-secret\n` + auth,
  );
  // The access log (a line per request) goes to stdout, the rest to stderr: both to log.
  return new Deno.Command("sh", {
    args: ["-c", 'exec "$0" serve "$1/config.yml" >"$1/log" 2>&1', BINARY, dir],
    stdin: "null",
  }).spawn();
}

/** A TCP port nobody listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * A server on 127.0.0.1 in front of the registry at `host`: `handle`
 * answers each request itself, or calls `forward` to have the registry
 * answer it. Shut it down with `await using`.
 */
export function serveInFront(
  host: string,
  handle: (request: Request, forward: () => Promise<Response>) => Response | Promise<Response>,
): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const url = new URL(request.url);
    const forward = () =>
      fetch(`http://${host}${url.pathname}${url.search}`, {
        headers: { accept: request.headers.get("accept") ?? "*/*" },
        redirect: "manual",
      });
    return handle(request, forward);
  });
}
