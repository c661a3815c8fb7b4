/**
 * The image index of an LXC image server (`meta/1.0/index-user`), one image
 * build a line: `dist;release;arch;variant;timestamp;path`, and choosing the
 * build a name means.
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import type { LxcName } from "./lxc_name.ts";

/** One line of the index. */
export interface LxcBuild {
  /** The distribution: `debian`. */
  dist: string;
  /** Its release: `trixie`. */
  release: string;
  /** The architecture as LXC names it: `amd64`. */
  arch: string;
  /** The variant: `default`, `cloud`. */
  variant: string;
  /** `YYYYMMDD_HH:MM`: sorts as text. */
  timestamp: string;
  /** The build's directory on the server, `/images/DIST/RELEASE/ARCH/VARIANT/TIMESTAMP/`. */
  path: string;
}

/** The builds listed in `text`; lines that are not six fields are skipped. */
export function parseIndex(text: string): LxcBuild[] {
  const builds: LxcBuild[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(";");
    if (fields.length !== 6 || fields.some((field) => field === "")) continue;
    const [dist, release, arch, variant, timestamp, path] = fields;
    builds.push({ dist, release, arch, variant, timestamp, path });
  }
  return builds;
}

/**
 * The newest build of `name` for `arch` (the `default` variant unless the
 * name says). A bare distribution means its only release, else its release
 * `current`. Throws one line saying what the index has instead.
 */
export function chooseBuild(builds: LxcBuild[], name: LxcName, arch: string): LxcBuild {
  const ofDist = builds.filter((build) => build.dist === name.dist);
  if (!ofDist.length) {
    const dashed = suggestion(builds, name.dist);
    throw new PlashError(
      `no distribution ${name.dist}${dashed}; there are: ${listed(builds, "dist")}`,
    );
  }
  const release = name.release ?? onlyRelease(ofDist, name.dist);
  const ofRelease = ofDist.filter((build) => build.release === release);
  if (!ofRelease.length) {
    throw new PlashError(
      `no release ${release}; ${name.dist} has: ${listed(ofDist, "release")}`,
    );
  }
  const ofArch = ofRelease.filter((build) => build.arch === arch);
  if (!ofArch.length) {
    throw new PlashError(
      `not built for ${arch}; only for: ${listed(ofRelease, "arch")}`,
    );
  }
  const variant = name.variant ?? "default";
  const ofVariant = ofArch.filter((build) => build.variant === variant);
  if (!ofVariant.length) {
    const other = ofArch[0].variant;
    throw new PlashError(
      `no variant ${variant} for ${arch}; there are: ` +
        `${listed(ofArch, "variant")} (name one, as ${name.dist}:${release}:${other})`,
    );
  }
  return ofVariant.reduce((newest, build) => build.timestamp > newest.timestamp ? build : newest);
}

function onlyRelease(ofDist: LxcBuild[], dist: string): string {
  const releases = [...new Set(ofDist.map((build) => build.release))];
  if (releases.length === 1) return releases[0];
  if (releases.includes("current")) return "current";
  throw new PlashError(
    `${dist} has several releases, name one (${dist}:RELEASE): ${listed(ofDist, "release")}`,
  );
}

/** For `alt-p11`, a hint at `alt:p11` when that is listed. */
function suggestion(builds: LxcBuild[], dist: string): string {
  const match = builds.find((build) => dist === `${build.dist}-${build.release}`);
  return match ? ` (did you mean ${match.dist}:${match.release}?)` : "";
}

function listed(builds: LxcBuild[], field: keyof LxcBuild): string {
  return [...new Set(builds.map((build) => build[field]))].sort().join(" ");
}
