/**
 * `plash login [--username USER] [--password-stdin] [--insecure] HOST`:
 * checks credentials against a registry, then stores them where docker
 * does (see `auth_file.ts`).
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { optionValue, parseOptions } from "../images/options.ts";
import { storeCredentials } from "../images/registry/auth_file.ts";
import { RegistryClient } from "../images/registry/client.ts";
import { askHidden, readStdinLine } from "../images/registry/ask.ts";
import { usageError } from "./args.ts";

/** Runs the command line. */
export async function main(args: string[]): Promise<void> {
  const parsed = parseOptions("login", args, {
    values: ["username"],
    flags: ["password-stdin", "insecure"],
  });
  if (parsed.positionals.length !== 1) throw usageError("login");
  const [registry] = parsed.positionals;
  const fromStdin = parsed.options["password-stdin"] === true;
  if (!fromStdin && !Deno.stdin.isTerminal()) {
    throw new PlashError("login: no terminal to ask for the password: use --password-stdin");
  }
  const username = optionValue(parsed, "username") ?? prompt("Username:") ?? "";
  if (username === "") throw new PlashError("login: no username");
  const password = fromStdin ? await readStdinLine() : askHidden("Password: ");
  if (password === "") throw new PlashError("login: no password");
  const credentials = { username, password };
  const client = new RegistryClient(registry, {
    insecure: parsed.options.insecure === true,
    credentials,
  });
  try {
    await client.checkLogin();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new PlashError(`login ${registry}: ${why.split("\n")[0]}`);
  }
  storeCredentials(registry, credentials);
  console.error("Login Succeeded");
}
