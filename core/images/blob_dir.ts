/**
 * A directory of blobs named by their digests, as an OCI image layout keeps
 * them (`blobs/sha256/<hex>`): where an export writes what it makes.
 *
 * A blob is written under a temporary name and renamed to its digest once
 * complete, so a name in the directory is always a whole blob.
 *
 * @example
 * ```ts
 * import { BlobDir } from "./blob_dir.ts";
 *
 * const blobs = BlobDir.create("/tmp/layout");
 * const { digest, size } = await blobs.writeBytes(new TextEncoder().encode("{}"));
 * blobs.path(digest); // "/tmp/layout/blobs/sha256/44136fa3..."
 * ```
 *
 * @module
 */

import { createSha256 } from "../sha256.ts";
import { writeStream } from "../tar/write_archive.ts";

/** A blob written: its digest and size. */
export interface WrittenBlob {
  /** `sha256:<hex>` */
  digest: string;
  /** Its size in bytes. */
  size: number;
}

/** Blobs under `ROOT/blobs/sha256/`; see the module documentation. */
export class BlobDir {
  /** The directory that holds `blobs/`. */
  readonly root: string;

  private constructor(root: string) {
    this.root = root;
  }

  /** The blob directory at `root`, made (with `blobs/sha256/`) when it is not there. */
  static create(root: string): BlobDir {
    Deno.mkdirSync(`${root}/blobs/sha256`, { recursive: true, mode: 0o755 });
    return new BlobDir(root);
  }

  /** Where the blob with `digest` is (or would be). */
  path(digest: string): string {
    return `${this.root}/blobs/sha256/${digest.slice("sha256:".length)}`;
  }

  /** The blob's name relative to the root: `blobs/sha256/<hex>`. */
  name(digest: string): string {
    return `blobs/sha256/${digest.slice("sha256:".length)}`;
  }

  /** Writes all of `stream` as a blob, hashing it on the way. */
  async write(stream: ReadableStream<Uint8Array>): Promise<WrittenBlob> {
    const hash = await createSha256();
    let size = 0;
    const counted = stream.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          hash.update(chunk);
          size += chunk.length;
          controller.enqueue(chunk);
        },
      }),
    );
    const partial = `${this.root}/blobs/sha256/.partial-${crypto.randomUUID()}`;
    try {
      {
        using file = await Deno.open(partial, { write: true, createNew: true, mode: 0o644 });
        await writeStream(counted, file);
      }
      const digest = `sha256:${hash.hex()}`;
      await Deno.rename(partial, this.path(digest));
      return { digest, size };
    } catch (error) {
      await Deno.remove(partial).catch(() => {});
      throw error;
    }
  }

  /** Writes `bytes` as a blob. */
  writeBytes(bytes: Uint8Array): Promise<WrittenBlob> {
    return this.write(ReadableStream.from([bytes]));
  }
}
