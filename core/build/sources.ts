/**
 * Where a build's base image comes from: one entry per `--from-NAME` macro.
 *
 * A source turns a reference (an id, a map key, a file, an image name) into
 * an image id, importing the image when it has to. Adding a source is adding
 * an entry; an import that is worth keeping goes through `Store.cached`, so
 * the next build that names the same thing finds it in the map.
 *
 * @module
 */

import { PlashError } from "../errors.ts";
import { lazyImport } from "../lazy_import.ts";
import { parseImageId } from "../store/ids.ts";
import { KEYS } from "../store/keys.ts";
import type { Store } from "../store/store.ts";

/** One place images come from. */
export interface Source {
  /** What the reference is, for `plash help-macros`. */
  arg: string;
  summary: string;
  /** The reference is a host path: a relative one starts in the build's context. */
  hostPath?: true;
  /** The id of the image `ref` names, imported into `store` when needed. */
  resolve(store: Store, ref: string): Promise<number>;
}

/** The sources, by the NAME of their `--from-NAME` macro. */
export const SOURCES: Record<string, Source> = {
  id: {
    arg: "ID",
    summary: "start from the image with this id (or name, or pulled reference)",
    resolve: async (store, ref) => {
      let id: number;
      if (/^\d+$/.test(ref)) {
        id = parseImageId(ref);
      } else {
        // Loaded only for a name: a build from an id stays as cheap as it was.
        const { resolveImage } = await lazyImport("imageNames");
        id = await resolveImage(store, ref);
      }
      store.chain(id); // fails for an image that is not there
      return id;
    },
  },
  map: {
    arg: "KEY",
    summary: "start from the image mapped to KEY (see plash map)",
    resolve: (store, ref) => {
      const id = store.getMap(ref);
      if (id === undefined) throw new PlashError(`no such map key: ${ref}`);
      return Promise.resolve(id);
    },
  },
  tar: {
    arg: "FILE",
    summary: "start from a tar archive (plain, gzip, zstd or xz), imported once",
    hostPath: true,
    resolve: async (store, ref) => {
      // Loaded only here: the tar code and node:crypto stay off the start path.
      const [{ sha256File }, { importTar }] = await Promise.all([
        lazyImport("sha256"),
        lazyImport("importTar"),
      ]);
      // Imported in this start, rootless too (its chown in one child: apply_deferred.ts).
      return store.cached(KEYS.tar(await sha256File(ref)), () => importTar(store, ref));
    },
  },
  url: {
    arg: "URL",
    summary: "start from a tar archive at an http, https or file URL, downloaded once",
    resolve: async (store, ref) => {
      // Loaded only when used: a build from an id or a map key loads no source's code.
      const { urlKey } = await lazyImport("urlKey");
      return store.cached(await urlKey(ref), async () => {
        // Loaded only here: a cached base costs no download or archive code.
        const { importUrl } = await lazyImport("importUrl");
        return await importUrl(store, ref);
      });
    },
  },
  docker: {
    arg: "IMAGE",
    summary: "start from an image in a docker/OCI registry (docker's naming), pulled once",
    // Found by name, so a build asks no registry once the image is here; `plash
    // import-docker IMAGE` pulls it again and moves the name.
    resolve: async (store, ref) => {
      const { findPulled } = await lazyImport("imageNames");
      const found = await findPulled(store, ref);
      if (found !== undefined) return found;
      // Two builds pulling the same image: one pulls, the other then finds it.
      return await store.withLock(`docker-pull:${ref}`, async () => {
        const pulled = await findPulled(store, ref);
        if (pulled !== undefined) return pulled;
        const [{ pullImage }, { interruptible }] = await Promise.all([
          lazyImport("registryPull"),
          lazyImport("interrupt"),
        ]);
        return await interruptible(
          store,
          `--from-docker ${ref}`,
          (signal) => pullImage(store, ref, {}, signal),
        );
      });
    },
  },
  lxc: {
    arg: "DIST[:RELEASE[:VARIANT]]",
    summary: "start from a distribution image of linuxcontainers.org, downloaded once",
    // Found by name, so the second build asks no server (see lxcNameKey).
    resolve: async (store, ref) => {
      const { lxcArch, lxcNameKey } = await lazyImport("lxcName");
      return store.cached(lxcNameKey(ref, lxcArch()), async () => {
        const { importLxc } = await lazyImport("importLxc");
        return await importLxc(store, ref);
      });
    },
  },
};

/** The source of `--from REF` when REF is not an id, and of the distribution shortcuts. */
export const DEFAULT_SOURCE = "lxc";
