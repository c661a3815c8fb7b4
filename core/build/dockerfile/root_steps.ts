/**
 * Which Dockerfile builds need root of plash's user namespace throughout
 * (without root, `bud` then starts again there, core/privilege.ts): those
 * with a step that writes files of the image's owners as root (COPY, ADD,
 * WORKDIR's directory), a RUN that mounts (its sources are read beforehand
 * as root), or registry caches. The rest (FROM, RUN, instructions of the
 * config) run as the caller, each RUN's container in a user namespace of its
 * own (`core/runtime/create_image.ts`), in one Deno start. A FROM that must
 * be pulled asks for root where it pulls.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { needsNamespaceRoot } from "./root_steps.ts";
 *
 * assert.equal(needsNamespaceRoot({ text: "FROM 1\nRUN true\n", file: "Dockerfile" }), false);
 * assert.equal(needsNamespaceRoot({ text: "FROM 1\nCOPY a /a\n", file: "Dockerfile" }), true);
 * ```
 *
 * @module
 */

import type { DockerfileBuild } from "./build_dockerfile.ts";
import { parseDockerfile } from "./parse.ts";

/** Instructions that change the image's config alone. */
const CONFIG_ONLY = new Set([
  "ARG",
  "CMD",
  "ENTRYPOINT",
  "ENV",
  "EXPOSE",
  "HEALTHCHECK",
  "LABEL",
  "MAINTAINER",
  "ONBUILD",
  "SHELL",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
]);

/** Whether `build` needs root of plash's user namespace for more than its containers. */
export function needsNamespaceRoot(
  build: Pick<DockerfileBuild, "text" | "file" | "cacheFrom" | "cacheTo">,
): boolean {
  if (build.cacheFrom?.length || build.cacheTo?.length) return true;
  return !parseDockerfile(build.text, build.file).instructions.every((instruction) =>
    instruction.keyword === "FROM" || CONFIG_ONLY.has(instruction.keyword) ||
    (instruction.keyword === "RUN" && instruction.flags.every((flag) => flag.name === "network"))
  );
}
