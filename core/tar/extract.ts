/**
 * Extracting a tar archive into a directory, safely, with owners, modes,
 * xattrs, device nodes and hard links intact.
 *
 * {@linkcode TarReader} parses; {@linkcode EntryWriter} does every
 * filesystem call, so the safety rules live in one place (see
 * `entry_writer.ts`).
 *
 * @module
 */

import { PlashError, wrap } from "../errors.ts";
import { EntryWriter, type WriterOptions } from "./entry_writer.ts";
import type { AsyncByteSource, ByteSource } from "./file_chunks.ts";
import { TarReader } from "./tar_reader.ts";

/**
 * Extracts the (decompressed) tar archive `input`, a stream or a file read
 * with `readSync` (which it closes), into `root`, an existing directory. Fails on the first
 * bad entry and on an archive that ends early; what was written by then
 * stays, so extract into a staging directory.
 * `options.whiteouts` reads the archive as an OCI layer (see `oci_whiteouts.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packTree } from "./pack.ts";
 * import { walkMerged } from "../tree/merged_tree.ts";
 *
 * const dir = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${dir}/tree`);
 * Deno.writeTextFileSync(`${dir}/tree/hello`, "hi\n");
 * const archive = await Deno.create(`${dir}/rootfs.tar`);
 * await packTree(walkMerged([`${dir}/tree`])).pipeTo(archive.writable);
 * const file = await Deno.open(`${dir}/rootfs.tar`);
 * Deno.mkdirSync(`${dir}/rootfs`);
 * await extractTar(file.readable, `${dir}/rootfs`);
 * assert.equal(Deno.readTextFileSync(`${dir}/rootfs/hello`), "hi\n");
 * Deno.removeSync(dir, { recursive: true });
 * ```
 */
export async function extractTar(
  input: ReadableStream<Uint8Array> | ByteSource | AsyncByteSource,
  root: string,
  options: WriterOptions = {},
): Promise<void> {
  const writer = new EntryWriter(root, options);
  const reader = new TarReader(input);
  try {
    try {
      for (let header; (header = await reader.next()) !== null;) {
        await writer.add(header, reader.contents());
      }
    } catch (error) {
      throw error instanceof PlashError ? error : wrap(error, "bad archive");
    } finally {
      await reader.cancel();
    }
    writer.finish();
  } finally {
    writer.close();
  }
}
