/**
 * Turning "the host said no" into an error that says where to look.
 *
 * @module
 */

import { SyscallError } from "../../ffi/errors.ts";
import { PlashError } from "../errors.ts";

/** Errors of namespace and mount calls that mean the host forbids them. */
const FORBIDDEN = new Set(["EPERM", "EACCES", "ENOSPC", "EINVAL", "ENOSYS"]);

/** Runs `setup`; a refusal by the host becomes a one-line error naming `plash doctor`. */
export function explainRefusal<T>(setup: () => T): T {
  try {
    return setup();
  } catch (error) {
    if (error instanceof SyscallError && FORBIDDEN.has(error.code)) {
      throw new PlashError(
        `${error.message} (\`plash doctor\` tells what this host lacks; as root ` +
          "PLASH_NO_UNSHARE=1 runs images without mounts)",
        { cause: error },
      );
    }
    throw error;
  }
}

/** Throws when PLASH_NO_UNSHARE=1 rules out the overlay mount that `what` needs. */
export function requireMounts(what: string): void {
  if (Deno.env.get("PLASH_NO_UNSHARE") === "1") {
    throw new PlashError(
      `${what}: keeping changes needs an overlay mount, which PLASH_NO_UNSHARE=1 rules out`,
    );
  }
}
