/**
 * The commands that read and write archives and image layouts (`Archives` in
 * `plash help`), and the options of every command that writes an image out,
 * parsed beside them (`parse_export_options.ts`).
 *
 * @module
 */

import type { OptionSpec } from "../parse_args.ts";
import type { Command } from "./command.ts";

/** The options of every command that writes an image out. */
export const EXPORT_OPTIONS: OptionSpec[] = [
  { name: "compress", value: "C", help: "compress layers with gzip, zstd or none" },
  { name: "base", value: "ID", help: "only the layers above image ID" },
  { name: "arch", value: "ARCH", help: "the architecture the image says (default: this host's)" },
  { name: "variant", value: "V", help: "its variant, as v7 for arm" },
];

/** The commands of `plash help`'s "Archives" group, made when first looked in (`mod.ts`). */
export function archiveCommands(): Command[] {
  return [
    {
      name: "import-tar",
      asRoot: true,
      rootOnDemand: true,
      usage: "[FILE|-]",
      arity: [0, 1],
      summary: "make an image from a tar archive (plain, gzip, zstd or xz); prints the new id",
      group: "Archives",
      module: "import_tar",
    },
    {
      name: "import-url",
      asRoot: true,
      rootOnDemand: true,
      usage: "URL",
      arity: [1, 1],
      options: [
        { name: "quiet", short: "q", help: "no progress display" },
      ],
      summary: "make an image from a tar archive at an http, https or file URL; prints the new id",
      details: "Plain, gzip, zstd or xz, told by content. The image becomes what --from-url URL\n" +
        "builds on. Redirects are followed (at most 10); a progress display runs on a terminal.",
      group: "Archives",
      module: "import_url",
    },
    {
      name: "export-tar",
      asRoot: true,
      rootOnDemand: true,
      usage: "ID [FILE|-]",
      arity: [1, 2],
      summary: "write an image's files as one tar archive",
      group: "Archives",
      module: "export_tar",
    },
    {
      name: "copy",
      asRoot: true,
      rootOnDemand: true,
      usage: "ID DIR",
      arity: [2, 2],
      summary: "copy an image's files into DIR",
      group: "Archives",
      module: "copy",
    },
    {
      name: "export-oci",
      asRoot: true,
      rootOnDemand: true,
      usage: "ID PATH",
      arity: [2, 2],
      options: [
        {
          name: "ref",
          value: "NAME",
          help: "name the image NAME in the layout (ref name annotation)",
        },
        ...EXPORT_OPTIONS,
      ],
      summary:
        "write an image as an OCI image layout (a tar when PATH ends in .tar); prints its digest",
      details:
        "Each plash layer becomes one OCI layer (whiteouts as .wh. entries; owners, modes, links,\n" +
        "xattrs and mtimes kept), the same bytes every time. Into an existing layout the image is\n" +
        "added, replacing the one of the same --ref. Read it with skopeo copy oci:PATH:NAME, umoci\n" +
        "or plash import-oci.",
      group: "Archives",
      module: "export_oci",
    },
    {
      name: "export-docker-archive",
      asRoot: true,
      rootOnDemand: true,
      usage: "ID FILE|-",
      arity: [2, 2],
      options: [
        { name: "ref", value: "NAME:TAG", help: "tag the image NAME:TAG (:latest when no tag)" },
        ...EXPORT_OPTIONS,
      ],
      summary: "write an image as `docker save` does, for docker load and podman load",
      details: "Layers are plain tars unless --compress says otherwise.",
      group: "Archives",
      module: "export_docker_archive",
    },
  ];
}
