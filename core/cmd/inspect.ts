/**
 * `plash inspect [--json] ID|NAME...`: an image's parents, names, sizes,
 * config and sources, as text or (like podman's) a JSON array.
 *
 * @module
 */

import { imageArg } from "../cli/image_arg.ts";
import type { Args } from "../cli/parse_args.ts";
import { printLine, writeOut } from "../cli/output.ts";
import { humanSize } from "../human_size.ts";
import { type ImageReport, type ImageSource, inspectImage } from "../store/inspect.ts";
import { Store } from "../store/store.ts";

/** Runs the command line: every image is found before anything is printed. */
export async function main(args: Args): Promise<void> {
  const store = Store.open();
  const ids: number[] = [];
  for (const arg of args.positionals) ids.push(await imageArg(store, arg));
  const reports = ids.map((id) => inspectImage(store, id));
  if (args.flag("json")) return printLine(JSON.stringify(reports, null, 2));
  writeOut(reports.map(describe).join("\n"));
}

/** What each kind of source key says, for people. */
const SOURCE_WORDS: Record<string, string> = {
  "docker-manifest": "registry manifest",
  "docker-config": "OCI config (on its top layer)",
  "docker-layer": "OCI layer (on parent:digest)",
  tar: "tar archive, sha256",
  url: "downloaded from",
  lxc: "LXC image",
  cache: "built layer, cache key",
};

function sourceLine(source: ImageSource): string {
  return `${SOURCE_WORDS[source.kind] ?? source.kind} ${source.value}`;
}

/** The text of one report: a `label: value` line a field, lists a line an item. */
function describe(report: ImageReport): string {
  const { config } = report;
  const fields: [string, string[]][] = [
    ["id", [String(report.id)]],
    ["parents", [report.parents.join(" ")]],
    ["names", report.names],
    ["references", report.references],
    ["created", [report.created]],
    ["size", [`${humanSize(report.size.layer)} layer, ${humanSize(report.size.total)} in all`]],
    ["env", Object.entries(config.env ?? {}).map(([name, value]) => `${name}=${value}`)],
    ["passes env", [
      ...config.importEnv ?? [],
      ...(config.importEnvPrefixes ?? []).map((p) => `${p}*`),
    ]],
    ["entrypoint", config.entrypoint?.length ? [JSON.stringify(config.entrypoint)] : []],
    ["cmd", config.cmd?.length ? [JSON.stringify(config.cmd)] : []],
    ["workdir", config.workdir ? [config.workdir] : []],
    ["user", config.user ? [config.user] : []],
    ["mounts", (config.mounts ?? []).map((mount) => `${mount.source}:${mount.target}`)],
    [
      "source",
      report.sources.length
        ? report.sources.map(sourceLine)
        : ["none recorded (add-layer, create)"],
    ],
  ];
  const width = Math.max(...fields.map(([label]) => label.length)) + 2;
  const lines: string[] = [];
  for (const [label, values] of fields) {
    values.forEach((value, i) => lines.push(`${(i ? "" : `${label}:`).padEnd(width)}${value}`));
  }
  return lines.join("\n") + "\n";
}
