/** `plash map KEY [ID|'']` @module */

import { openStore } from "../store/data_dir.ts";
import { parseImageId } from "../store/ids.ts";
import { deleteMap, getMap, setMap } from "../store/map.ts";
import { expectArgs, printLine } from "./args.ts";

/** Runs the command line: prints nothing (and exits 0) for an unmapped key, as plash did. */
export function main(args: string[]): void {
  expectArgs("map", args, 1, 2);
  const data = openStore();
  const [key, id] = args;
  if (id === undefined) {
    const found = getMap(data, key);
    if (found !== undefined) printLine(found);
  } else if (id === "") {
    deleteMap(data, key);
  } else {
    setMap(data, key, parseImageId(id));
  }
}
