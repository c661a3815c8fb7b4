/**
 * The ARGs BuildKit predefines for a build on this host, for this host:
 * `TARGETPLATFORM`, `TARGETOS`, `TARGETARCH`, `TARGETVARIANT` and their
 * `BUILD*` twins (plash builds only for the platform it runs on).
 *
 * @example
 * ```ts
 * import { predefinedArgs } from "./platform_args.ts";
 *
 * predefinedArgs().TARGETARCH; // "amd64" on x86_64
 * ```
 *
 * @module
 */

import { platformName, wantedPlatform } from "../../images/oci/platform.ts";

/** The predefined platform ARGs, by name. */
export function predefinedArgs(): Record<string, string> {
  const platform = wantedPlatform();
  const args: Record<string, string> = {};
  for (const prefix of ["TARGET", "BUILD"]) {
    args[`${prefix}PLATFORM`] = platformName(platform);
    args[`${prefix}OS`] = "linux";
    args[`${prefix}ARCH`] = platform.architecture;
    args[`${prefix}VARIANT`] = platform.variant ?? "";
  }
  return args;
}
