/**
 * Waiting out backpressure on tar-stream's (streamx) writable streams.
 *
 * @module
 */

/** The events a streamx writable emits that end a wait for room. */
interface Emitter {
  /** Set once the stream is destroyed, when its "close" has been emitted or is on its way. */
  destroyed?: boolean;
  on(event: "drain" | "close", listener: () => void): unknown;
  off(event: "drain" | "close", listener: () => void): unknown;
}

/**
 * Resolves when `stream` has room again, or is closed (so that a stream
 * destroyed by an error does not leave its writer waiting forever). A stream
 * destroyed already resolves at once: its "close" may have been emitted
 * before the write that found it full (a bad header in the first chunk).
 */
export function drainedOrClosed(stream: Emitter): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed) return resolve();
    const done = () => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}
