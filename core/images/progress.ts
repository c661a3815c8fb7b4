/**
 * A download progress display on stderr: a label line, then one line per
 * item with its bytes, total and rate, redrawn in place at most ten times a
 * second. When stderr is not a terminal it prints nothing at all, so logs and
 * tests see only plash's own output.
 *
 * @example
 * ```ts
 * import { countBytes, startProgress } from "./progress.ts";
 *
 * const response = await fetch("https://example.org/layer.tar.gz");
 * const progress = startProgress("pulling alpine:3.20");
 * const layer = progress.item("sha256:4abc…", 3_400_000);
 * const body = countBytes(response.body!, layer); // add() per chunk, done() at the end
 * // ... consume body ...
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

interface Line {
  name: string;
  total?: number;
  bytes: number;
  started: number;
  ended?: number;
}

/** Starts a progress display titled `label`: a no-op unless stderr is a terminal. */
export function startProgress(label: string): Progress {
  if (!Deno.stderr.isTerminal()) return SILENT;
  const lines: Line[] = [];
  let drawn = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let finished = false;

  const draw = () => {
    timer = undefined;
    const width = Math.max(20, columns() - 1);
    const text = [label, ...lines.map(describe)].map((line) => line.slice(0, width));
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

function describe(line: Line): string {
  const size = line.total === undefined
    ? humanSize(line.bytes)
    : `${humanSize(line.bytes)}/${humanSize(line.total)}`;
  const seconds = ((line.ended ?? Date.now()) - line.started) / 1000;
  const rate = seconds > 0 ? `${humanSize(line.bytes / seconds)}/s` : "";
  return `  ${line.name}  ${size}  ${line.ended === undefined ? rate : "done"}`.trimEnd();
}

function columns(): number {
  try {
    return Deno.consoleSize().columns;
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
