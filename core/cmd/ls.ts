/**
 * `plash ls [-a|--all] [--json]`: the images a user named or built, as
 * podman's `images` lists them: names and references, not plash's own keys;
 * intermediate images (the layers of a pulled image, the earlier layers of a
 * build) only with `--all`.
 *
 * @module
 */

import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { humanSize } from "../human_size.ts";
import { keyKind, shownKey } from "../store/keys.ts";
import { type ImageInfo, listImages } from "../store/list.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export function main(args: Args): void {
  const images = listImages(Store.open());
  if (args.flag("json")) {
    printLine(JSON.stringify(images, null, 2));
    return;
  }
  const all = args.flag("all");
  const parents = new Set(images.map((image) => image.parent));
  const relative = Deno.stdout.isTerminal();
  const rows = [["ID", "PARENT", "SIZE", "TOTAL", "CREATED", "NAMES"]];
  for (const image of images) {
    const names = shownNames(image, all);
    if (!all && names.length === 0 && parents.has(image.id)) continue;
    rows.push([
      String(image.id),
      String(image.parent),
      humanSize(image.size),
      humanSize(image.totalSize),
      relative ? ago(image.created) : image.created.slice(0, 19).replace("T", " "),
      names.join(","),
    ]);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows) {
    printLine(row.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd());
  }
}

const ORDER = { name: 0, reference: 1, internal: 2 };

/** The image's names, then its references; plash's own keys too with `all`. */
function shownNames(image: ImageInfo, all: boolean): string[] {
  return image.names
    .filter((key) => all || keyKind(key).shown !== "internal")
    .sort((a, b) => ORDER[keyKind(a).shown] - ORDER[keyKind(b).shown] || (a < b ? -1 : 1))
    .map(shownKey);
}

const UNITS: [string, number][] = [
  ["year", 365 * 86400],
  ["month", 30 * 86400],
  ["week", 7 * 86400],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

/** `iso` as a terminal shows it: `3 hours ago`. */
function ago(iso: string): string {
  const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000));
  for (const [unit, length] of UNITS) {
    const count = Math.floor(seconds / length);
    if (count >= 1) return `${count} ${unit}${count === 1 ? "" : "s"} ago`;
  }
  return "just now";
}
