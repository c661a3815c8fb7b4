/**
 * Names of LXC images (images.linuxcontainers.org): `DIST[:RELEASE[:VARIANT]]`,
 * as in `debian:trixie`, `alt:Sisyphus`, `centos:10-Stream`,
 * `gentoo:current:openrc`, and the host's architecture as LXC names it.
 *
 * The original plash took `DIST:RELEASE` (and, in its Python days, a bare
 * `DIST` for that distribution's newest release). It never split `DIST-RELEASE`:
 * dashes occur inside both parts (`ubuntu-core`, `9-Stream`), so only the
 * colon separates them.
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import { KEYS } from "../../store/keys.ts";

/** A parsed image name; a missing release or variant is chosen from the index. */
export interface LxcName {
  dist: string;
  release?: string;
  variant?: string;
}

const PART = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** Parses `DIST[:RELEASE[:VARIANT]]`; a malformed name is a usage error. */
export function parseLxcName(name: string): LxcName {
  const parts = name.split(":");
  if (parts.length > 3 || !parts.every((part) => PART.test(part))) {
    throw new PlashError(
      `not an lxc image name: ${JSON.stringify(name)} (DIST[:RELEASE[:VARIANT]], as debian:trixie)`,
    );
  }
  const [dist, release, variant] = parts;
  return { dist, release, variant };
}

/**
 * The architecture to fetch, as LXC names it: `$PLASH_LXC_ARCH` when set
 * (say i386 on amd64, armhf on arm64), else the host's. Deno runs on x86_64
 * and aarch64 only.
 */
export function lxcArch(): string {
  const chosen = Deno.env.get("PLASH_LXC_ARCH");
  if (chosen) return chosen;
  return Deno.build.arch === "x86_64" ? "amd64" : "arm64";
}

/** The server: `$PLASH_LXC_SERVER`, default https://images.linuxcontainers.org. */
export function lxcServer(): string {
  return (Deno.env.get("PLASH_LXC_SERVER") || "https://images.linuxcontainers.org")
    .replace(/\/+$/, "");
}

/**
 * The map key of the image `--from-lxc NAME` uses, set by the first import
 * of NAME and by each `plash import-lxc NAME`. Found by name alone, as the
 * original plash did: a build whose base is there asks no server (and works
 * offline), and keeps the build it first got until `plash import-lxc NAME`
 * brings the newest. Throws for a malformed name.
 */
export function lxcNameKey(name: string, arch: string): string {
  parseLxcName(name);
  return KEYS.lxcName(name, arch);
}
