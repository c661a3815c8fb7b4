/**
 * Which Dockerfile builds need root of plash's user namespace throughout
 * (without root, `bud` then starts again there, core/privilege.ts): those
 * with a RUN that mounts (its sources are read beforehand as root). The
 * rest run as the caller in one Deno start: FROM, RUN and config
 * instructions, each RUN's container in a user namespace of its own
 * (`core/runtime/create_image.ts`); COPY, ADD and WORKDIR's directory, whose
 * owners one clone child gives (`copy_layer.ts`); a FROM or `COPY --from`
 * that must be pulled, as `pull` pulls; and registry caches' layers,
 * imported alike. Where the caller may not read a source or the image, the
 * build starts again there all the same.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { needsNamespaceRoot } from "./root_steps.ts";
 *
 * assert.equal(needsNamespaceRoot({ text: "FROM 1\nRUN true\n", file: "Dockerfile" }), false);
 * assert.equal(needsNamespaceRoot({ text: "FROM 1\nCOPY a /a\n", file: "Dockerfile" }), false);
 * const mount = "FROM 1\nRUN --mount=type=cache,target=/c true\n";
 * assert.equal(needsNamespaceRoot({ text: mount, file: "Dockerfile" }), true);
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

/** Instructions whose layers plash writes as the caller (`copy_layer.ts`), or pulls. */
const WRITTEN_AS_CALLER = new Set(["FROM", "COPY", "ADD", "WORKDIR"]);

/** Whether `build` needs root of plash's user namespace for more than its containers. */
export function needsNamespaceRoot(
  build: Pick<DockerfileBuild, "text" | "file">,
): boolean {
  return !parseDockerfile(build.text, build.file).instructions.every((instruction) =>
    WRITTEN_AS_CALLER.has(instruction.keyword) || CONFIG_ONLY.has(instruction.keyword) ||
    (instruction.keyword === "RUN" && instruction.flags.every((flag) => flag.name === "network"))
  );
}
