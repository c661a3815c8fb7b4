/**
 * strace, for tests that read what plash really does (the programs it execs,
 * the files it opens): its path, or undefined where it is not installed
 * (such a test is then ignored).
 */
export const STRACE = ["/usr/bin/strace", "/bin/strace"].find((path) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
});
