/**
 * Test support: temporary directories of one test, removed with `using`.
 *
 * @module
 */

/** Makes temporary directories and removes them all when disposed. */
export class TempDirs implements Disposable {
  readonly #made: string[] = [];

  /** A new directory named `prefix...` in `dir` (default: the system's temp dir). */
  make(prefix = "plash-test-", dir?: string): string {
    const path = Deno.makeTempDirSync({ prefix, dir });
    this.#made.push(path);
    return path;
  }

  [Symbol.dispose](): void {
    for (const path of this.#made) Deno.removeSync(path, { recursive: true });
  }
}
