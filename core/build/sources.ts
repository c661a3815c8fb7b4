/**
 * Where a build's base image comes from: one entry per `--from-NAME` macro.
 *
 * A source turns a reference (an id, a map key, a file, an image name) into
 * an image id, importing the image when it has to. Adding a source is adding
 * an entry; an import that is worth keeping goes through
 * {@linkcode cachedImport}, so the next build that names the same thing finds
 * it in the map.
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { parseImageId } from "../store/ids.ts";
import { getMap, setMap } from "../store/map.ts";
import { ancestry } from "../store/nodes.ts";

/** One place images come from. */
export interface Source {
  /** What the reference is, for `plash help-macros`. */
  arg: string;
  summary: string;
  /** The id of the image `ref` names, imported into `data` when needed. */
  resolve(data: string, ref: string): Promise<number>;
}

/** The sources, by the NAME of their `--from-NAME` macro. */
export const SOURCES: Record<string, Source> = {
  id: {
    arg: "ID",
    summary: "start from the image with this id",
    resolve: (data, ref) => {
      const id = parseImageId(ref);
      ancestry(data, id); // fails for an image that is not there
      return Promise.resolve(id);
    },
  },
  map: {
    arg: "KEY",
    summary: "start from the image mapped to KEY (see plash map)",
    resolve: (data, ref) => {
      const id = getMap(data, ref);
      if (id === undefined) throw new PlashError(`no such map key: ${ref}`);
      return Promise.resolve(id);
    },
  },
  tar: {
    arg: "FILE",
    summary: "start from a tar archive (plain, gzip, zstd or xz), imported once",
    resolve: async (data, ref) => {
      // Loaded only here: the tar code and node:crypto stay off the start path.
      const [{ sha256File }, { importTar }] = await Promise.all([
        lazyImport<typeof import("./sha256_file.ts")>(import.meta.url, "./sha256_file.ts"),
        lazyImport<typeof import("../tar/import_tar.ts")>(import.meta.url, "../tar/import_tar.ts"),
      ]);
      return cachedImport(data, `tar:${await sha256File(ref)}`, () => importTar(data, ref));
    },
  },
  url: {
    arg: "URL",
    summary: "start from a tar archive at an http, https or file URL, downloaded once",
    resolve: async (data, ref) => {
      // Loaded only when used: a build from an id or a map key loads no source's code.
      const { urlKey } = await lazyImport<typeof import("../images/url/url_key.ts")>(
        import.meta.url,
        "../images/url/url_key.ts",
      );
      return cachedImport(data, await urlKey(ref), async () => {
        // Loaded only here: a cached base costs no download or archive code.
        const { importUrl } = await lazyImport<typeof import("../images/url/import_url.ts")>(
          import.meta.url,
          "../images/url/import_url.ts",
        );
        return await importUrl(data, ref);
      });
    },
  },
  docker: {
    arg: "IMAGE",
    summary: "start from an image in a docker/OCI registry (docker's naming), pulled once",
    // Found by name, so a build asks no registry once the image is here; `plash
    // import-docker IMAGE` pulls it again and moves the name.
    resolve: async (data, ref) => {
      const { pullImage } = await lazyImport<
        typeof import("../images/registry/pull.ts")
      >(import.meta.url, "../images/registry/pull.ts");
      const { interruptible } = await lazyImport<typeof import("../images/interrupt.ts")>(
        import.meta.url,
        "../images/interrupt.ts",
      );
      const { referenceKey } = await lazyImport<
        typeof import("../images/registry/reference.ts")
      >(import.meta.url, "../images/registry/reference.ts");
      return cachedImport(
        data,
        referenceKey(ref),
        () =>
          interruptible(data, `--from-docker ${ref}`, (signal) => pullImage(data, ref, {}, signal)),
      );
    },
  },
  lxc: {
    arg: "DIST[:RELEASE[:VARIANT]]",
    summary: "start from a distribution image of linuxcontainers.org, downloaded once",
    // Found by name, so the second build asks no server (see lxcNameKey).
    resolve: async (data, ref) => {
      const { lxcArch, lxcNameKey } = await lazyImport<
        typeof import("../images/lxc/lxc_name.ts")
      >(import.meta.url, "../images/lxc/lxc_name.ts");
      return cachedImport(data, lxcNameKey(ref, lxcArch()), async () => {
        const { importLxc } = await lazyImport<typeof import("../images/lxc/import_lxc.ts")>(
          import.meta.url,
          "../images/lxc/import_lxc.ts",
        );
        return await importLxc(data, ref);
      });
    },
  },
};

/** The source of `--from REF` when REF is not an id, and of the distribution shortcuts. */
export const DEFAULT_SOURCE = "lxc";

/**
 * The image mapped to `key`, else the one `load` imports, mapped to `key`
 * for the next time.
 */
export async function cachedImport(
  data: string,
  key: string,
  load: () => Promise<number>,
): Promise<number> {
  const cached = getMap(data, key);
  if (cached !== undefined) return cached;
  const id = await load();
  setMap(data, key, id);
  return id;
}
