/**
 * What an unprivileged user's namespace cannot keep of an archive or a copy,
 * and what plash does instead: owners outside the mapped ids become the
 * caller's, `trusted.*` xattrs and device nodes are left out, each with one
 * warning line, so the import still succeeds (the original plash failed).
 * The same holds for the caller outside its namespace (an import extracts as
 * the caller, see `deferred_metadata.ts`): it can do no more than namespace
 * root there. As real root nothing is given up: the same errors are raised.
 *
 * @module
 */

import { SyscallError } from "../../ffi/errors.ts";
import { inUserNamespace } from "../../ffi/namespaces.ts";

const warned = new Set<string>();

/** Whether `error` is the kernel refusing `call` only because plash is not real root. */
function namespaceRefusal(error: unknown, codes: string[]): boolean {
  return error instanceof SyscallError && codes.includes(error.code) &&
    (Deno.uid() !== 0 || inUserNamespace());
}

/** Runs `attempt`; a refusal only a user namespace makes runs `instead` and warns once. */
export function orInNamespace(
  what: "owner" | "xattr" | "device",
  attempt: () => void,
  instead: () => void = () => {},
): void {
  try {
    attempt();
  } catch (error) {
    if (!namespaceRefusal(error, what === "owner" ? ["EINVAL", "EPERM"] : ["EPERM", "EACCES"])) {
      throw error;
    }
    instead();
    warnOnce(what);
  }
}

/** Says once a process that `what` (owners, xattrs, device nodes) was given up. */
export function warnOnce(what: keyof typeof WARNINGS): void {
  if (warned.has(what)) return;
  warned.add(what);
  console.error(`plash warning: ${WARNINGS[what]}`);
}

const WARNINGS = {
  owner: "owners outside your mapped ids became yours (`plash doctor` tells how to map more)",
  xattr: "trusted.* xattrs were left out: only real root may set them",
  device: "device nodes were left out: only real root may make them",
};
