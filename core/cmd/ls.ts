/** `plash ls [--json]` @module */

import { humanSize } from "../human_size.ts";
import { openStore } from "../store/data_dir.ts";
import { listImages } from "../store/list.ts";
import { expectArgs, printLine, usageError } from "./args.ts";

/** Runs the command line. */
export function main(args: string[]): void {
  expectArgs("ls", args, 0, 1);
  if (args.length && args[0] !== "--json") throw usageError("ls");
  const images = listImages(openStore());
  if (args[0] === "--json") {
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
