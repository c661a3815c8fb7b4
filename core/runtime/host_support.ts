/**
 * What this host lets plash do, and turning "the host said no" into an
 * error that says where to look: whether it may mount (else plash runs and
 * builds without mounts, see `mountless.ts`), and the one-line errors of the
 * calls it refuses.
 *
 * Read on the start path: no `node:` module here.
 *
 * @module
 */

import { SyscallError } from "../../ffi/errors.ts";
import { effectiveCapabilities } from "../../ffi/capabilities.ts";
import { PlashError } from "../errors.ts";

/** Errors of namespace and mount calls that mean the host forbids them. */
const FORBIDDEN = new Set(["EPERM", "EACCES", "ENOSPC", "EINVAL", "ENOSYS"]);

/** CAP_SYS_ADMIN's bit: the capability mount(2) and unshare(CLONE_NEWNS) need. */
export const CAP_SYS_ADMIN = 21;

/** Whether capability `bit` is in this thread's effective set (its CapEff). */
export function hasCapability(bit: number): boolean {
  return ((effectiveCapabilities() >> BigInt(bit)) & 1n) === 1n;
}

let mountless: string | null | undefined;

/**
 * Why plash runs and builds without mounts here, or undefined where it
 * mounts: `PLASH_NO_UNSHARE=1` forces it; root without CAP_SYS_ADMIN (as in
 * docker's and podman's default containers) cannot mount at all.
 */
export function mountlessReason(): string | undefined {
  if (mountless === undefined) {
    mountless = Deno.env.get("PLASH_NO_UNSHARE") === "1"
      ? "PLASH_NO_UNSHARE=1"
      : Deno.uid() === 0 && !hasCapability(CAP_SYS_ADMIN)
      ? "root without CAP_SYS_ADMIN cannot mount"
      : null;
  }
  return mountless ?? undefined;
}

/** Runs `setup`; a refusal by the host becomes a one-line error naming `plash doctor`. */
export function explainRefusal<T>(setup: () => T): T {
  try {
    return setup();
  } catch (error) {
    if (error instanceof SyscallError && FORBIDDEN.has(error.code)) {
      throw new PlashError(`${error.message} (${refusalHint(error)})`, { cause: error });
    }
    throw error;
  }
}

/** What would let plash run where the host refused `error`. */
function refusalHint(error: SyscallError): string {
  if (Deno.uid() !== 0 && error.message.includes("CLONE_NEWUSER")) {
    // No user namespace and no root: nothing plash can do on its own.
    return "this host refuses user namespaces to non-root users, as a container's default " +
      "seccomp profile does: run plash as root there (it then needs no mounts), or allow " +
      "user namespaces (`plash doctor` tells what this host lacks)";
  }
  return "`plash doctor` tells what this host lacks";
}

/** Throws when this host refuses the mounts that `what` needs. */
export function requireMounts(what: string): void {
  const why = mountlessReason();
  if (why !== undefined) throw new PlashError(`${what} needs mounts: ${why}`);
}
