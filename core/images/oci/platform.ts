/**
 * Choosing the manifest for a platform from an index, as `docker pull` does:
 * Linux, this machine's architecture, and its usual variant.
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import type { Descriptor, Platform } from "./manifest.ts";

/**
 * The platform wanted: an architecture and, when it matters, a variant.
 *
 * @example
 * ```ts
 * import type { WantedPlatform } from "./platform.ts";
 *
 * const wanted: WantedPlatform = { architecture: "arm64" }; // --arch arm64
 * ```
 */
export interface WantedPlatform {
  /** OCI's name of the architecture: `amd64`, `arm64`. */
  architecture: string;
  /** Its variant, when it matters: `v7`. */
  variant?: string;
}

/** Deno's names of architectures to OCI's, with the variant docker assumes. */
const HOST: Record<string, WantedPlatform> = {
  x86_64: { architecture: "amd64" },
  aarch64: { architecture: "arm64" },
  arm: { architecture: "arm", variant: "v7" },
  riscv64gc: { architecture: "riscv64" },
  s390x: { architecture: "s390x" },
  powerpc64le: { architecture: "ppc64le" },
};

/**
 * The platform to pull: this machine's, unless `architecture` (and
 * `variant`) are given (`--arch`, `--variant`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wantedPlatform } from "./platform.ts";
 *
 * assert.deepEqual(wantedPlatform("arm", "v6"), { architecture: "arm", variant: "v6" });
 * wantedPlatform(); // on x86_64: { architecture: "amd64", variant: undefined }
 * ```
 */
export function wantedPlatform(architecture?: string, variant?: string): WantedPlatform {
  if (architecture === undefined) {
    const host = HOST[Deno.build.arch] ?? { architecture: Deno.build.arch };
    return { ...host, variant: variant ?? host.variant };
  }
  // arm without a variant means what docker means by it: v7.
  return { architecture, variant: variant ?? (architecture === "arm" ? "v7" : undefined) };
}

/** `linux/arm64/v8` */
export function platformName(platform: Platform | WantedPlatform): string {
  const os = "os" in platform ? platform.os : "linux";
  return [os, platform.architecture, platform.variant].filter(Boolean).join("/");
}

/**
 * The entry of `manifests` for `wanted`: Linux, the architecture, and the
 * variant when one is wanted (an entry without a variant serves any). An
 * arm64 entry may say `v8` or nothing. No match fails, listing what the
 * image has.
 */
export function choosePlatform(manifests: Descriptor[], wanted: WantedPlatform): Descriptor {
  const candidates = manifests.filter(({ platform }) =>
    platform?.os === "linux" && platform.architecture === wanted.architecture
  );
  const variantOf = (entry: Descriptor) => entry.platform?.variant;
  const found = candidates.find((entry) => variantOf(entry) === wanted.variant) ??
    candidates.find((entry) => variantOf(entry) === undefined) ??
    (wanted.variant === undefined || (wanted.variant === "v8" && wanted.architecture === "arm64")
      ? candidates[0]
      : undefined);
  if (found) return found;
  // Attestations and the like are listed as unknown/unknown: not platforms.
  const available = manifests
    .filter(({ platform }) => platform && platform.os !== "unknown")
    .map(({ platform }) => platformName(platform!));
  throw new PlashError(
    `no ${platformName(wanted)} image; it has: ${[...new Set(available)].join(", ") || "none"}`,
  );
}
