/**
 * Where a build step sees its image as it is, without the host directories
 * bound over it: the image root bound onto this directory, not recursively.
 * The macros that write files (`--write-file`, `--write-script`) write
 * through it, so a file under /home lands in the image, never in the host's
 * /home that the build sees read-only. The directory is taken out of the
 * layer again like any mount point the run made.
 *
 * @module
 */

/** The path of the image view inside a build step's container. */
export const IMAGE_VIEW = "/.plash-image";
