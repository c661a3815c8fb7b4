/**
 * Writing an archive to a file (complete or not at all) or to stdout.
 *
 * @module
 */

import { AT_FDCWD, createFileAt, syncData, writeAll } from "../../ffi/at.ts";
import { SyscallError } from "../../ffi/errors.ts";
import { closeFd } from "../../ffi/sys.ts";
import { wrap } from "../errors.ts";

/**
 * Writes the archive `open` makes to `target`, a file path or "-" for
 * stdout. A file is written under a temporary name beside it and renamed
 * when complete, so a failure leaves no partial archive (and any old file
 * intact); errors read `WHAT TARGET: why` (just `why` without `what`).
 *
 * @example
 * ```ts
 * import { writeArchive } from "./write_archive.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * await writeArchive(() => ReadableStream.from([new Uint8Array(1024)]), `${dir}/empty.tar`, "demo");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function writeArchive(
  open: () => ReadableStream<Uint8Array> | Promise<ReadableStream<Uint8Array>>,
  target: string,
  what?: string,
): Promise<void> {
  let archive: ReadableStream<Uint8Array> | undefined;
  try {
    archive = await open();
    if (target === "-") return await writeStream(archive, Deno.stdout);
    const stream = archive;
    await intoFile(target, (fd) =>
      writeStream(stream, {
        writeSync: (data) => {
          writeAll(fd, data, target);
          return data.length;
        },
      }));
  } catch (error) {
    await archive?.cancel().catch(() => {});
    if (what === undefined) throw error;
    throw wrap(error, `${what} ${target === "-" ? "stdout" : target}`);
  }
}

/**
 * Runs `write` on a new file beside `target` and renames it onto `target`
 * once written and on the disk; on failure the file is removed.
 *
 * @example
 * ```ts
 * import { intoFile } from "./write_archive.ts";
 * import { writeAll } from "../../ffi/at.ts";
 *
 * await intoFile("/tmp/hello.txt", (fd) => writeAll(fd, new TextEncoder().encode("hi\n"), "hello"));
 * ```
 */
export async function intoFile(target: string, write: (fd: number) => unknown): Promise<void> {
  const partial = `${target}.plash-partial-${Deno.pid}`;
  const fd = createFileAt(AT_FDCWD, partial, 0o644);
  if (fd < 0) throw new SyscallError("open", partial, -fd);
  try {
    try {
      await write(fd);
      syncData(fd, partial);
    } finally {
      closeFd(fd);
    }
    await Deno.rename(partial, target);
  } catch (error) {
    await Deno.remove(partial).catch(() => {});
    throw error;
  }
}

/** How much {@linkcode writeStream} gathers before one write. */
const PIECE = 1 << 20;

/**
 * Writes `stream` to `output` with plain synchronous write calls, in pieces
 * of 1 MiB: a packer hands over a 512-byte header and then a small file's
 * contents for each entry, and an async write of each (a hop to another
 * thread) left the packer idle two thirds of the time. (An `FsFile`'s
 * `writable` is no better: it buffers until the file is closed.)
 *
 * @example
 * ```ts
 * import { writeStream } from "./write_archive.ts";
 *
 * await writeStream(ReadableStream.from([new TextEncoder().encode("hi\n")]), Deno.stdout);
 * ```
 */
export async function writeStream(
  stream: ReadableStream<Uint8Array>,
  output: { writeSync(data: Uint8Array): number },
): Promise<void> {
  const gathered = new Uint8Array(PIECE);
  let filled = 0;
  const write = (bytes: Uint8Array) => {
    for (let done = 0; done < bytes.length;) done += output.writeSync(bytes.subarray(done));
  };
  for await (const chunk of stream) {
    if (filled + chunk.length > PIECE) {
      write(gathered.subarray(0, filled));
      filled = 0;
    }
    if (chunk.length >= PIECE) write(chunk);
    else {
      gathered.set(chunk, filled);
      filled += chunk.length;
    }
  }
  write(gathered.subarray(0, filled));
}
