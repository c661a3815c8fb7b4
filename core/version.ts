/** plash's version. @module */

/** The version `plash version` prints. */
export const VERSION = "0.1.0";
