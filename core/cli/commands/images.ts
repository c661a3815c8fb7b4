/**
 * The commands that make, name, list, import, pull and push images (`Images`
 * in `plash help`).
 *
 * @module
 */

import { MANY } from "../parse_args.ts";
import { EXPORT_OPTIONS } from "./archives.ts";
import type { Command } from "./command.ts";

/** The commands of `plash help`'s "Images" group, made when first looked in (`mod.ts`). */
export function imageCommands(): Command[] {
  return [
    {
      name: "create",
      asRoot: true,
      rootOnDemand: true,
      usage: "ID [CMD [ARG...]]",
      arity: [1, MANY],
      optionsFirst: true,
      summary: "run a command and keep its changes as a new image; prints the new id",
      details: "The command's stdout goes to stderr. A failing command creates nothing.\n" +
        "Without CMD, the image's /bin/sh runs the script it reads from stdin:\n" +
        "echo 'touch /file' | plash create ID",
      group: "Images",
      module: "create",
    },
    {
      name: "ls",
      usage: "",
      arity: [0, 0],
      options: [
        { name: "json", help: "print a JSON array of every image with every key" },
        { name: "all", short: "a", help: "every image, and every map key (plash's own too)" },
      ],
      summary: "list images: id, parent, size, total size, created, names",
      details:
        "Without --all: the images that have a name or reference, and those no image is built\n" +
        "on; the names and references of each (plash's cache and source keys are left out).\n" +
        "SIZE is the image's own layer, TOTAL the layers of the image and its parents. On a\n" +
        "terminal CREATED is relative (3 hours ago). --json lists every image, as --all does.",
      group: "Images",
      module: "ls",
    },
    {
      name: "inspect",
      usage: "ID|NAME...",
      arity: [1, MANY],
      options: [{ name: "json", help: "print a JSON array, one object an image" }],
      summary: "show an image: parents, names, sizes, created, config, where it came from",
      group: "Images",
      module: "inspect",
    },
    {
      name: "tag",
      usage: "ID|NAME NAME...",
      arity: [2, MANY],
      summary: "name an image (as plash map NAME ID); the name works wherever an id does",
      details: "A name is any text but a number, one starting with -, or white space. An image\n" +
        "may have many names; giving a name again moves it.",
      group: "Images",
      module: "tag",
    },
    {
      name: "untag",
      usage: "NAME...",
      arity: [1, MANY],
      summary: "remove names or pulled references from their images (the images stay)",
      group: "Images",
      module: "untag",
    },
    {
      name: "rm",
      usage: "ID...",
      arity: [1, MANY],
      summary: "remove images and every image built on them",
      group: "Images",
      module: "rm",
    },
    {
      name: "map",
      usage: "KEY [ID|'']",
      arity: [1, 2],
      summary: "print the image named KEY, name an image KEY, or with '' remove KEY",
      group: "Images",
      module: "map",
    },
    {
      name: "nodepath",
      usage: "ID",
      arity: [1, 2],
      // Read as the original plash read it: `nodepath -1` and `nodepath --` are
      // bad image args, not options.
      raw: true,
      options: [{ name: "allow-root-container", help: "allow the empty root image 0" }],
      summary: "print the node directory of an image (its layer is NODE/_data/root)",
      group: "Images",
      module: "nodepath",
    },
    {
      name: "parent",
      usage: "ID",
      arity: [1, 1],
      summary: "print the parent of an image (0 is the empty root)",
      group: "Images",
      module: "parent",
    },
    {
      name: "add-layer",
      asRoot: true,
      rootOnDemand: true,
      usage: "PARENT DIR",
      arity: [2, 2],
      summary: "make DIR a new image on PARENT; prints the new id",
      details: "DIR is moved into the store when it is on the same filesystem, copied otherwise.",
      group: "Images",
      module: "add_layer",
    },
    {
      name: "import-lxc",
      asRoot: true,
      rootOnDemand: true,
      usage: "DIST[:RELEASE[:VARIANT]]",
      arity: [1, 1],
      options: [
        { name: "dry", help: "print the archive's URL instead of importing it" },
        { name: "quiet", short: "q", help: "no progress display" },
      ],
      summary:
        "import the newest build of a distribution image of linuxcontainers.org; prints its id",
      details:
        "For this host's architecture ($PLASH_LXC_ARCH to choose another), the default variant\n" +
        "unless named, from $PLASH_LXC_SERVER (default https://images.linuxcontainers.org).\n" +
        "A bare DIST means its only release, or `current`. The image becomes what --from NAME\n" +
        "and --from-lxc NAME build on (they fetch nothing once it is there). --dry prints the\n" +
        "archive's URL instead. Example: plash import-lxc debian:trixie",
      group: "Images",
      module: "import_lxc",
    },
    {
      name: "import-docker",
      asRoot: true,
      rootOnDemand: true,
      usage: "REF",
      arity: [1, 1],
      options: [
        { name: "arch", value: "ARCH", help: "the architecture to pull (default: this host's)" },
        { name: "variant", value: "V", help: "its variant, as v7 for arm" },
        { name: "insecure", help: "allow plain HTTP to a registry not on this machine" },
        { name: "quiet", short: "q", help: "no progress display" },
      ],
      summary: "pull an image from a docker/OCI registry; prints its id",
      details:
        "REF as docker names images: alpine (docker.io/library/alpine:latest), HOST[:PORT]/NAME:TAG,\n" +
        "NAME@sha256:DIGEST. Each layer becomes an image on the one below (stored once, shared\n" +
        "between images); the top image holds the config (Env, Entrypoint, Cmd, WorkingDir).\n" +
        "A multi-platform image gives this host's architecture unless --arch/--variant say\n" +
        "otherwise. Credentials come from `plash login`, podman's and docker's files and their\n" +
        "credential helpers. A short name (alpine) is looked for in registries.conf's search\n" +
        "registries (docker.io unless it says otherwise); its mirrors, insecure and blocked\n" +
        "registries apply. Plain HTTP only to this machine's addresses, with --insecure or\n" +
        "where registries.conf says insecure. The image becomes what --from-docker REF builds on.",
      group: "Images",
      module: "import_docker",
    },
    {
      name: "import-oci",
      asRoot: true,
      rootOnDemand: true,
      usage: "PATH",
      arity: [1, 1],
      options: [
        { name: "ref", value: "NAME", help: "the image whose ref name annotation is NAME" },
        { name: "arch", value: "ARCH", help: "the architecture to import (default: this host's)" },
        { name: "variant", value: "V", help: "its variant, as v7 for arm" },
        { name: "quiet", short: "q", help: "no progress display" },
      ],
      summary:
        "import an image from an OCI image layout (a directory or a tar of one); prints its id",
      details: "With several images in the layout, --ref picks the one whose\n" +
        "org.opencontainers.image.ref.name annotation is NAME.",
      group: "Images",
      module: "import_oci",
    },
    {
      name: "import-docker-archive",
      asRoot: true,
      rootOnDemand: true,
      usage: "FILE|-",
      arity: [1, 1],
      options: [
        { name: "ref", value: "NAME", help: "the image tagged NAME" },
        { name: "quiet", short: "q", help: "no progress display" },
      ],
      summary: "import an image from `docker save` output; prints its id",
      details:
        "With several images in the archive, --ref picks the one tagged NAME. The image's\n" +
        "tags become what --from-docker TAG builds on.",
      group: "Images",
      module: "import_docker_archive",
    },
    {
      name: "login",
      usage: "HOST",
      arity: [1, 1],
      options: [
        { name: "username", value: "USER", help: "the user name (asked for when not given)" },
        { name: "password-stdin", help: "read the password from stdin" },
        { name: "insecure", help: "allow plain HTTP to a registry not on this machine" },
      ],
      summary: "check and store credentials for a registry",
      details:
        "Asks for what is not given (the password without echo). Stored as docker does, in\n" +
        "$REGISTRY_AUTH_FILE, else $DOCKER_CONFIG/config.json, else ~/.docker/config.json (0600),\n" +
        "or through the credential helper that file names (credHelpers, credsStore). Pulls read\n" +
        "podman's files too: $XDG_RUNTIME_DIR/containers/auth.json, ~/.config/containers/auth.json.",
      group: "Images",
      module: "login",
    },
    {
      name: "logout",
      usage: "HOST",
      arity: [1, 1],
      summary: "remove the stored credentials for a registry",
      group: "Images",
      module: "logout",
    },
    {
      name: "push",
      asRoot: true,
      rootOnDemand: true,
      usage: "ID REF",
      arity: [2, 2],
      options: [
        { name: "insecure", help: "allow plain HTTP to a registry not on this machine" },
        { name: "quiet", short: "q", help: "no progress display" },
        ...EXPORT_OPTIONS,
      ],
      summary: "upload an image to a docker/OCI registry; prints its manifest digest",
      details:
        "REF as import-docker takes it (HOST[:PORT]/NAME:TAG). Blobs the registry has are not\n" +
        "sent (HEAD), blobs another repository of it has are mounted, the rest go up three at a\n" +
        "time, in chunks of $PLASH_PUSH_CHUNK bytes (8 MiB) when larger; the manifest last.\n" +
        "Credentials come from `plash login`. An image pulled from the registry and pushed back\n" +
        "unchanged keeps its digest.",
      group: "Images",
      module: "push",
    },
  ];
}
