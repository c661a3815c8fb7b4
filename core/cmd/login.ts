/**
 * `plash login [--username USER] [--password-stdin] [--insecure] HOST`:
 * checks credentials against a registry, then stores them where docker
 * does (see `auth_file.ts`).
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { PlashError, wrap } from "../errors.ts";
import { askHidden, readStdinLine } from "../images/registry/ask.ts";
import { storeCredentials } from "../images/registry/auth_file.ts";
import { RegistryClient } from "../images/registry/client.ts";

/** Runs the command line. */
export async function main(args: Args): Promise<void> {
  const [registry] = args.positionals;
  const fromStdin = args.flag("password-stdin");
  if (!fromStdin && !Deno.stdin.isTerminal()) {
    throw new PlashError("login: no terminal to ask for the password: use --password-stdin");
  }
  const username = args.value("username") ?? prompt("Username:") ?? "";
  if (username === "") throw new PlashError("login: no username");
  const password = fromStdin ? await readStdinLine() : askHidden("Password: ");
  if (password === "") throw new PlashError("login: no password");
  const credentials = { username, password };
  const client = new RegistryClient(registry, { insecure: args.flag("insecure"), credentials });
  try {
    await client.checkLogin();
  } catch (error) {
    throw wrap(error, `login ${registry}`);
  }
  await storeCredentials(registry, credentials);
  console.error("Login Succeeded");
}
