/** `plash ls [--json]` @module */

import type { Args } from "../cli/parse_args.ts";
import { printLine } from "../cli/output.ts";
import { humanSize } from "../human_size.ts";
import { listImages } from "../store/list.ts";
import { Store } from "../store/store.ts";

/** Runs the command line. */
export function main(args: Args): void {
  const images = listImages(Store.open());
  if (args.flag("json")) {
    printLine(JSON.stringify(images, null, 2));
    return;
  }
  const rows = [["ID", "PARENT", "SIZE", "CREATED", "NAMES"]];
  for (const image of images) {
    rows.push([
      String(image.id),
      String(image.parent),
      humanSize(image.size),
      image.created.slice(0, 19).replace("T", " "),
      image.names.join(","),
    ]);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows) {
    printLine(row.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd());
  }
}
