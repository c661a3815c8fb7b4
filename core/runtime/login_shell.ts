/**
 * The shell a container starts when neither the caller nor the image names a command.
 *
 * @module
 */

import { isExecutable } from "../../ffi/sys.ts";

/** Root's login shell from the current root's /etc/passwd, else /bin/sh. */
export function rootLoginShell(): string {
  try {
    for (const line of Deno.readTextFileSync("/etc/passwd").split("\n")) {
      const fields = line.split(":");
      if (fields[2] === "0" && fields[6] && isExecutable(fields[6])) return fields[6];
    }
  } catch {
    // No passwd file: images without users still get a shell when they have one.
  }
  return "/bin/sh";
}
