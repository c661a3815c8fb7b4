/**
 * CDI names: a spec's `kind` (`vendor.com/class`), a device's name, and a
 * request's qualified name `vendor.com/class=device`, with the rules of the
 * CDI specification (SPEC.md, "Kind" and "CDI Devices").
 *
 * @module
 */

import { PlashError } from "../../errors.ts";

/** A device asked for by its qualified name. */
export interface QualifiedName {
  /** `vendor.com/class`. */
  kind: string;
  /** The device's name within its kind (`all` too). */
  name: string;
}

const LETTER = /^[A-Za-z]$/;
const ALNUM = /^[A-Za-z0-9]$/;

/** Why `name` is not a vendor or class name (`_-.` inside, letter first), or undefined. */
function vendorOrClassFault(name: string): string | undefined {
  if (name === "") return "is empty";
  if (!LETTER.test(name[0])) return "must start with a letter";
  if (!ALNUM.test(name.at(-1)!)) return "must end with a letter or digit";
  if (!/^[A-Za-z0-9_.-]*$/.test(name)) return "may hold only letters, digits, '_', '-' and '.'";
  return undefined;
}

/**
 * Why `kind` is not a CDI kind, or undefined: a vendor (a DNS subdomain, at
 * most 253 characters), a slash, a class of at most 63 characters. Dots in
 * the class came with CDI 0.6.0: `checkVersion` asks for that version.
 */
export function kindFault(kind: string): string | undefined {
  const slash = kind.indexOf("/");
  if (slash <= 0 || slash === kind.length - 1 || kind.indexOf("/", slash + 1) !== -1) {
    return `kind ${JSON.stringify(kind)} must be vendor.com/class`;
  }
  const vendor = kind.slice(0, slash);
  const kindClass = kind.slice(slash + 1);
  const vendorFault = vendorOrClassFault(vendor) ??
    (vendor.length > 253 ? "is longer than 253 characters" : undefined);
  if (vendorFault) return `kind ${JSON.stringify(kind)}: the vendor ${vendorFault}`;
  const classFault = vendorOrClassFault(kindClass) ??
    (kindClass.length > 63 ? "is longer than 63 characters" : undefined);
  if (classFault) return `kind ${JSON.stringify(kind)}: the class ${classFault}`;
  return undefined;
}

/**
 * Why `name` is not a CDI device name, or undefined: letters, digits and
 * `_-.:`, starting and ending with a letter or digit (a leading digit came
 * with CDI 0.5.0: `checkVersion` asks for that version).
 */
export function deviceNameFault(name: string): string | undefined {
  if (name === "") return "a device name is empty";
  if (!ALNUM.test(name[0]) || !ALNUM.test(name.at(-1)!) || !/^[A-Za-z0-9_.:-]*$/.test(name)) {
    return `device name ${
      JSON.stringify(name)
    } must be letters, digits, '_', '-', '.' and ':', starting and ending with a letter or digit`;
  }
  return undefined;
}

/**
 * `vendor.com/class=device` split into kind and name; a name that breaks
 * the rules fails in one line.
 *
 * @example
 * ```ts
 * import { parseQualifiedName } from "./names.ts";
 *
 * parseQualifiedName("nvidia.com/gpu=all"); // { kind: "nvidia.com/gpu", name: "all" }
 * ```
 */
export function parseQualifiedName(request: string): QualifiedName {
  const equals = request.indexOf("=");
  const kind = request.slice(0, equals);
  const name = request.slice(equals + 1);
  const fault = kindFault(kind) ?? deviceNameFault(name);
  if (fault) throw new PlashError(`--device ${request}: ${fault}`);
  return { kind, name };
}
