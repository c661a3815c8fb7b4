/**
 * The files of an offline image (an OCI image layout, a `docker save`
 * archive), whether given as a directory or as a tar archive of one.
 *
 * An archive is unpacked by plash's safe extractor into a staging
 * directory, removed when the import ends. Names the image's index or
 * manifest give are then looked up inside the directory only: no `..`, and
 * no symlink that leads out of it.
 *
 * Shared by the readers of both formats (`layout/`, `docker_archive/`).
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import type { Store } from "../store/store.ts";
import { removeTree } from "../store/tmp.ts";
import { normalizeEntryName, quote } from "../tar/entry_name.ts";
import { extractTar } from "../tar/extract.ts";
import { openTar } from "../tar/open_tar.ts";
import { deferredMetadata } from "./apply_deferred.ts";
import { readBlob } from "./checked_blob.ts";

/** The directory of `source` (a directory, an archive file or "-"), for the time `use` runs. */
export async function withArchiveDir<T>(
  store: Store,
  source: string,
  use: (dir: string) => Promise<T>,
): Promise<T> {
  if (source !== "-" && isDirectory(source)) return await use(Deno.realPathSync(source));
  const stage = store.makeTmpDir();
  try {
    const root = `${stage}/root`;
    Deno.mkdirSync(root);
    // The archive's files are read, not run: their owners need no namespace.
    await extractTar(await openTar(source), root, { deferred: deferredMetadata() });
    return await use(root);
  } finally {
    removeTree(stage);
  }
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new PlashError("no such file or directory");
    throw error;
  }
}

/**
 * The path of the regular file `name` inside `dir` (a real path). A name
 * that leaves the directory, or is not a file, fails calling it `what`.
 */
export function fileInside(dir: string, name: string, what: string): string {
  const parts = normalizeEntryName(name, `${what} ${quote(name)}`);
  let real: string;
  try {
    real = Deno.realPathSync(`${dir}/${parts.join("/")}`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new PlashError(`${what} ${name} is missing`);
    throw error;
  }
  if (!real.startsWith(`${dir}/`)) throw new PlashError(`${what} ${quote(name)} leaves the image`);
  if (!Deno.statSync(real).isFile) throw new PlashError(`${what} ${quote(name)} is not a file`);
  return real;
}

/** The bytes of small file `path` (a manifest, a config): at most 16 MiB, checked when `digest` is given. */
export async function readSmallFile(
  path: string,
  expected: { digest?: string; size?: number },
): Promise<Uint8Array<ArrayBuffer>> {
  const file = await Deno.open(path);
  return await readBlob(file.readable, { ...expected, limit: 16 << 20 });
}

/**
 * The only image of an archive that holds `items`, named `names` (for the
 * error); several fail asking for `--ref`.
 */
export function onlyImage<T>(items: T[], names: string[]): T {
  if (items.length === 1) return items[0];
  if (items.length === 0) throw new PlashError("the archive holds no image");
  throw new PlashError(`${items.length} images: pick one with --ref (${names.join(", ")})`);
}
