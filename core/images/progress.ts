/**
 * A download progress display on stderr: a label line, then a line per item
 * (a layer, a file) with a bar, its bytes, total and rate, redrawn in place
 * at most ten times a second. When stderr is not a terminal, or after
 * {@linkcode setQuiet} (`-q`), it prints nothing at all, so logs and tests
 * see only plash's own output. Colors unless `NO_COLOR` is set (and not
 * empty) or `TERM` is `dumb`.
 *
 * @example
 * ```ts
 * import { countBytes, startProgress } from "./progress.ts";
 *
 * // The body of `fetch("https://example.org/layer.tar.gz")`, say:
 * const download = ReadableStream.from([new Uint8Array(3_400_000)]);
 * const progress = startProgress("pulling alpine:3.20"); // on stderr when it is a terminal
 * const layer = progress.item("sha256:4abc…", 3_400_000);
 * const body = countBytes(download, layer); // add() per chunk, done() at the end
 * await body.pipeTo(new WritableStream());
 * progress.finish();
 * ```
 *
 * @module
 */

import { humanSize } from "../human_size.ts";

/** One download of a {@linkcode Progress}. */
export interface ProgressItem {
  /** Counts `bytes` more as received. */
  add(bytes: number): void;
  /** Marks the item complete. */
  done(): void;
}

/** A progress display; see {@linkcode startProgress}. */
export interface Progress {
  /** Adds a line for `name`; `totalBytes` when known (e.g. Content-Length). */
  item(name: string, totalBytes?: number): ProgressItem;
  /** Draws the final state and stops redrawing. Call it on failure too. */
  finish(): void;
}

const REDRAW_MS = 100;

type Line = ProgressLine;

let quiet = false;

/**
 * Silences every progress display of this process (`-q`/`--quiet`).
 *
 * @example
 * ```ts
 * import { setQuiet } from "./progress.ts";
 *
 * setQuiet(true);
 * ```
 */
export function setQuiet(value: boolean): void {
  quiet = value;
}

/**
 * Whether stderr shows colors: a terminal, `NO_COLOR` unset or empty, and
 * a `TERM` that is not `dumb`.
 */
export function colorsOn(): boolean {
  return Deno.stderr.isTerminal() && !Deno.env.get("NO_COLOR") && Deno.env.get("TERM") !== "dumb";
}

/** Starts a progress display titled `label`: a no-op unless stderr is a terminal. */
export function startProgress(label: string): Progress {
  if (quiet || !Deno.stderr.isTerminal()) return SILENT;
  const color = colorsOn();
  const lines: Line[] = [];
  let drawn = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let finished = false;

  const draw = () => {
    timer = undefined;
    const width = Math.max(20, columns() - 1);
    const now = Date.now();
    const title = color ? `\x1b[1m${label.slice(0, width)}\x1b[0m` : label.slice(0, width);
    const text = [title, ...lines.map((line) => progressLine(line, now, width, color))];
    // Up to the first line drawn, then rewrite each line, clearing its rest.
    const up = drawn ? `\x1b[${drawn}F` : "";
    write(up + text.map((line) => `\x1b[2K${line}\n`).join(""));
    drawn = text.length;
  };
  const schedule = () => {
    if (finished || timer !== undefined) return;
    const pending = setTimeout(draw, REDRAW_MS);
    // A pending redraw must not keep plash alive.
    Deno.unrefTimer(pending);
    timer = pending;
  };

  draw();
  return {
    item(name, totalBytes) {
      const line: Line = { name, total: totalBytes, bytes: 0, started: Date.now() };
      lines.push(line);
      schedule();
      return {
        add(bytes) {
          line.bytes += bytes;
          schedule();
        },
        done() {
          line.ended ??= Date.now();
          schedule();
        },
      };
    },
    finish() {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      draw();
    },
  };
}

/**
 * `stream`, counting each chunk into `item` as it is read and marking the
 * item done when the stream ends.
 */
export function countBytes(
  stream: ReadableStream<Uint8Array>,
  item: ProgressItem,
): ReadableStream<Uint8Array> {
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        item.add(chunk.length);
        controller.enqueue(chunk);
      },
      flush: () => item.done(),
    }),
  );
}

/** One item of a progress display, as {@linkcode progressLine} draws it. */
export interface ProgressLine {
  /** What it is: a digest, a file name. */
  name: string;
  /** Its size, when known. */
  total?: number;
  /** Bytes received so far. */
  bytes: number;
  /** When it started and ended, in ms since the epoch. */
  started: number;
  ended?: number;
}

const BAR = 20;

/**
 * The line an item is drawn as at time `now`, at most `width` columns:
 * name, a bar when its size is known, bytes (of the total), and the rate
 * while it runs; the bar colored when `color`.
 *
 * @example
 * ```ts
 * import { progressLine } from "./progress.ts";
 *
 * progressLine({ name: "4abc", total: 2000, bytes: 1000, started: 0 }, 1000, 80, false);
 * // "  4abc  [==========>         ]  1.0kB/2.0kB  1.0kB/s"
 * ```
 */
export function progressLine(
  line: ProgressLine,
  now: number,
  width: number,
  color: boolean,
): string {
  const size = line.total === undefined
    ? humanSize(line.bytes)
    : `${humanSize(line.bytes)}/${humanSize(line.total)}`;
  const seconds = ((line.ended ?? now) - line.started) / 1000;
  const rate = line.ended !== undefined
    ? "done"
    : seconds > 0
    ? `${humanSize(line.bytes / seconds)}/s`
    : "";
  let bar = "";
  if (line.total) {
    const filled = Math.min(BAR, Math.floor(BAR * line.bytes / line.total));
    const done = line.ended !== undefined || filled === BAR;
    const body = done ? "=".repeat(BAR) : `${"=".repeat(filled)}>${" ".repeat(BAR - filled - 1)}`;
    bar = color ? `[\x1b[${done ? 32 : 36}m${body}\x1b[0m]  ` : `[${body}]  `;
  }
  // Cut to the width by the visible text: the color escapes take no columns.
  const head = `  ${line.name}`.slice(0, Math.max(0, width - BAR - 30));
  return `${head}  ${bar}${size}  ${rate}`.trimEnd();
}

function columns(): number {
  try {
    // A terminal that tells no size (a new pseudo-terminal) says 0.
    return Deno.consoleSize().columns || 80;
  } catch {
    return 80; // stderr is a terminal but Deno could not ask it
  }
}

function write(text: string): void {
  let bytes = new TextEncoder().encode(text);
  while (bytes.length) bytes = bytes.subarray(Deno.stderr.writeSync(bytes));
}

const SILENT: Progress = {
  item: () => ({ add() {}, done() {} }),
  finish() {},
};
