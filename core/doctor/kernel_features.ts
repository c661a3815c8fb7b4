/**
 * `plash doctor`'s view of the kernel: each system call or overlay option
 * newer kernels added that plash uses, and what plash does where it is
 * missing (it falls back on ENOSYS by itself; this only says so).
 *
 * @module
 */

import { kernelHas } from "../../ffi/kernel_calls.ts";
import { overlayTakesLayerByLayer } from "../../ffi/overlay.ts";
import type { Check } from "./checks.ts";

interface Feature {
  name: string;
  /** The first Linux release that has it. */
  since: string;
  /** Whether this kernel has it; undefined when this process cannot tell. */
  present: () => boolean | undefined;
  /** What plash does without it. */
  instead: string;
}

const FEATURES: Feature[] = [
  {
    name: "openat2",
    since: "5.6",
    present: () => kernelHas("openat2"),
    instead: "paths in an image are resolved one component at a time (openat), by the same rules",
  },
  {
    name: "new mount API (fsopen)",
    since: "5.2",
    present: () => kernelHas("fsopen"),
    instead: "overlay is mounted by mount(2), each layer named by a descriptor number",
  },
  {
    name: "overlay lowerdir+",
    since: "6.8",
    // Without the new mount API the line above says it all.
    present: () => !kernelHas("fsopen") || overlayTakesLayerByLayer(),
    instead: "overlay is mounted by mount(2), each layer named by a descriptor number",
  },
  {
    name: "mount_setattr",
    since: "5.12",
    present: () => kernelHas("mount_setattr"),
    instead: "a read-only volume is made so by remounting each mount in it read-only",
  },
  {
    name: "clone3",
    since: "5.3",
    present: () => kernelHas("clone3"),
    instead: "glibc and Deno start threads and processes with clone",
  },
  {
    name: "close_range",
    since: "5.9",
    present: () => kernelHas("close_range"),
    instead: "glibc and Deno do without it",
  },
];

/**
 * One warning for each missing feature, saying what plash does instead; one
 * line saying all are there when none is missing.
 */
export function kernelFeatures(): Check[] {
  const missing = FEATURES.filter((feature) => feature.present() === false);
  if (missing.length === 0) {
    return [{
      name: "kernel features",
      ok: true,
      detail: FEATURES.map((feature) => feature.name).join(", "),
      required: false,
    }];
  }
  return missing.map((feature) => ({
    name: feature.name,
    ok: false,
    detail: `missing (Linux ${feature.since}): ${feature.instead}`,
    fix: `nothing needed; Linux ${feature.since} or newer has it`,
    required: false,
  }));
}
