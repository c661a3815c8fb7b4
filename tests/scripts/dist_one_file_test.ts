/**
 * The one-file form of the x86_64 release archive (`dist/plash-VERSION-linux-x86_64`),
 * started with nothing but busybox's applets on PATH: the first start checks and
 * unpacks it into the user's cache directory, later starts run from there; two
 * first starts at once share one directory; a damaged cache is replaced, never
 * run; a changed payload is refused; without a writable home it falls back to
 * $TMPDIR, where a directory another user could have made is refused.
 */

import assert from "node:assert/strict";
import { busyboxRootfs } from "../../scripts/busybox_rootfs.ts";
import { VERSION } from "../../core/version.ts";
import { runCommand } from "../support/command.ts";
import { distOneFiles } from "../support/dist.ts";
import { TempDirs } from "../support/temp_dirs.ts";

// The shared build lives in .fixtures/, which the unprivileged test users cannot read.
const ignore = Deno.uid() !== 0 || Deno.build.arch !== "x86_64";
const NAME = `plash-${VERSION}-linux-x86_64`;
const VERSION_LINE = `plash ${VERSION} (deno ${Deno.version.deno}, linux x86_64)\n`;
/** What the header uses: sh, and id and ls for the $TMPDIR fallback only. */
const APPLETS = [
  "sh",
  "tail",
  "sha256sum",
  "gzip",
  "tar",
  "mkdir",
  "mktemp",
  "mv",
  "rm",
  "id",
  "ls",
];

/**
 * A test's work directory, removed with `using`: `tools/`, busybox's applets the
 * header needs and nothing else, and an empty `home/`.
 */
class Work implements Disposable {
  readonly #dirs = new TempDirs();
  /** The directory. */
  readonly dir = this.#dirs.make("plash-one-file-");
  /** `dir/home`, empty. */
  readonly home = `${this.dir}/home`;
  /** The one-file form of the x86_64 archive. */
  readonly oneFile: string;

  private constructor(oneFile: string) {
    this.oneFile = oneFile;
  }

  static async make(): Promise<Work> {
    const work = new Work((await distOneFiles()).x86_64);
    Deno.mkdirSync(work.home);
    Deno.mkdirSync(`${work.dir}/tools`);
    const busybox = `${await busyboxRootfs()}/bin/busybox`;
    for (const applet of APPLETS) Deno.symlinkSync(busybox, `${work.dir}/tools/${applet}`);
    return work;
  }

  /** Another temp dir, removed with this one. */
  tempDir(): string {
    return this.#dirs.make("plash-one-file-tmp-");
  }

  /** Starts `oneFile ARGS...` with busybox's sh and only `tools/` on PATH, and `env`. */
  async start(env: Record<string, string>, args = ["version"], oneFile = this.oneFile) {
    const result = await runCommand(`${this.dir}/tools/sh`, [oneFile, ...args], {
      env: { PATH: `${this.dir}/tools`, ...env },
    });
    return {
      code: result.code,
      stdout: new TextDecoder().decode(result.stdout),
      stderr: result.stderr,
    };
  }

  [Symbol.dispose](): void {
    this.#dirs[Symbol.dispose]();
  }
}

/** The sha256 the header names (its `sum=` line). */
function headerSum(oneFile: string): string {
  using file = Deno.openSync(oneFile);
  const head = new Uint8Array(4096);
  file.readSync(head);
  return /^sum=([0-9a-f]{64})$/m.exec(new TextDecoder().decode(head))![1];
}

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
}

Deno.test({
  name: "one file: the first start unpacks into ~/.cache/plash, later ones run from there",
  ignore,
}, async () => {
  using work = await Work.make();
  const { home, oneFile } = work;
  const first = await work.start({ HOME: home });
  assert.deepEqual([first.code, first.stdout, first.stderr], [0, VERSION_LINE, ""]);
  const sum = headerSum(oneFile);
  const dir = `${home}/.cache/plash/${NAME}-${sum}`;
  assert.deepEqual(names(`${home}/.cache/plash`), [`${NAME}-${sum}`], "nothing else left");
  assert.equal(Deno.readTextFileSync(`${dir}/.plash-sha256`), `${sum}\n`);
  assert.deepEqual(names(dir), [".plash-sha256", NAME]);
  // A later start runs what is there: it does not unpack again.
  Deno.writeTextFileSync(`${dir}/kept`, "");
  const later = await work.start({ HOME: home }, ["run", "--help"]);
  assert.equal(later.code, 0, later.stderr);
  assert.deepEqual(names(dir), [".plash-sha256", "kept", NAME]);
  // As `sh FILE` from its directory: $0 is a name without a slash.
  const byName = await runCommand(`${work.dir}/tools/sh`, [NAME, "version"], {
    cwd: oneFile.slice(0, oneFile.lastIndexOf("/")),
    env: { PATH: `${work.dir}/tools`, HOME: `${work.dir}/home-by-name` },
  });
  assert.equal(byName.code, 0, byName.stderr);
  assert.equal(new TextDecoder().decode(byName.stdout), VERSION_LINE);
  // XDG_CACHE_HOME comes first.
  const xdg = await work.start({ HOME: home, XDG_CACHE_HOME: `${work.dir}/xdg` });
  assert.deepEqual([xdg.code, xdg.stdout], [0, VERSION_LINE], xdg.stderr);
  assert.deepEqual(names(`${work.dir}/xdg/plash`), [`${NAME}-${sum}`]);
});

Deno.test({
  name: "one file: three first starts at once all run, and leave one cache directory",
  ignore,
}, async () => {
  using work = await Work.make();
  const { home, oneFile } = work;
  const starts = await Promise.all([1, 2, 3].map(() => work.start({ HOME: home })));
  for (const each of starts) {
    assert.deepEqual([each.code, each.stdout], [0, VERSION_LINE], each.stderr);
  }
  assert.deepEqual(names(`${home}/.cache/plash`), [`${NAME}-${headerSum(oneFile)}`]);
});

Deno.test({
  name: "one file: a damaged cache (no marker, a wrong one, a changed launcher) is never run",
  ignore,
}, async () => {
  using work = await Work.make();
  const { home, oneFile } = work;
  const dir = `${home}/.cache/plash/${NAME}-${headerSum(oneFile)}`;
  const unpack = await work.start({ HOME: home });
  assert.equal(unpack.code, 0, unpack.stderr);
  const planted = "#!/bin/sh\necho planted\n";
  const damages: Record<string, () => void> = {
    // As an unpack cut short would look, had it been renamed: no marker, files missing.
    "no marker": () => {
      Deno.removeSync(`${dir}/.plash-sha256`);
      Deno.removeSync(`${dir}/${NAME}/lib/plash/deno`);
    },
    "a wrong marker": () => {
      Deno.writeTextFileSync(`${dir}/.plash-sha256`, `${"0".repeat(64)}\n`);
      Deno.writeTextFileSync(`${dir}/${NAME}/lib/plash/deno`, planted, { mode: 0o755 });
    },
    // The header runs Deno itself: the unpacked launcher is not what starts plash.
    "a changed launcher": () => {
      Deno.writeTextFileSync(`${dir}/${NAME}/bin/plash`, planted, { mode: 0o755 });
    },
  };
  for (const [damage, make] of Object.entries(damages)) {
    make();
    const result = await work.start({ HOME: home });
    assert.deepEqual([result.code, result.stdout, result.stderr], [0, VERSION_LINE, ""], damage);
    assert.deepEqual(names(`${home}/.cache/plash`), [dir.slice(dir.lastIndexOf("/") + 1)]);
  }
});

Deno.test({
  name: "one file: a changed payload byte is refused in one line, and nothing is unpacked",
  ignore,
}, async () => {
  using work = await Work.make();
  const { home, oneFile } = work;
  const bytes = Deno.readFileSync(oneFile);
  bytes[bytes.length - 1000] ^= 1;
  const damaged = `${work.dir}/${NAME}`;
  Deno.writeFileSync(damaged, bytes, { mode: 0o755 });
  const result = await work.start({ HOME: home }, ["version"], damaged);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, "");
  const sum = headerSum(oneFile);
  assert.match(
    result.stderr,
    new RegExp(`^plash error: ${damaged}: its archive's sha256 is [0-9a-f]{64}, not ${sum}.*\n$`),
  );
  assert.deepEqual(names(`${home}/.cache/plash`), [], "no directory left");
});

Deno.test({
  name: "one file: a home that cannot be written falls back to $TMPDIR/plash-UID, only our own",
  ignore,
}, async (t) => {
  using work = await Work.make();
  const { oneFile } = work;
  const sum = headerSum(oneFile);

  await t.step("a home on a read-only mount", async () => {
    const { home } = work;
    Deno.mkdirSync(`${home}/.cache/plash`, { recursive: true });
    Deno.mkdirSync(`${work.dir}/tmp`);
    // Root writes wherever modes say no: a read-only mount it cannot.
    const script = `/bin/mount --bind ${home} ${home} && /bin/mount -o remount,bind,ro ${home} &&
      exec ${work.dir}/tools/sh ${oneFile} version`;
    const result = await runCommand("/usr/bin/unshare", [
      "--mount",
      "--propagation",
      "private",
      "sh",
      "-c",
      script,
    ], {
      env: { PATH: `${work.dir}/tools`, HOME: home, TMPDIR: `${work.dir}/tmp` },
    });
    assert.deepEqual(
      [result.code, new TextDecoder().decode(result.stdout)],
      [0, VERSION_LINE],
      result.stderr,
    );
    assert.deepEqual(names(`${home}/.cache/plash`), []);
    assert.deepEqual(names(`${work.dir}/tmp/plash-0`), [`${NAME}-${sum}`]);
    assert.equal(Deno.statSync(`${work.dir}/tmp/plash-0`).mode! & 0o777, 0o700);
  });

  await t.step("no home at all (it cannot be made)", async () => {
    const result = await work.start({ HOME: "/proc/plash-home", TMPDIR: `${work.dir}/tmp` });
    assert.deepEqual([result.code, result.stdout], [0, VERSION_LINE], result.stderr);
  });

  await t.step(
    "a directory there of another user's, or that others may write: refused",
    async () => {
      for (
        const [why, plant] of [
          [
            "not a directory of this user's own",
            (dir: string) => Deno.chownSync(dir, 12345, 12345),
          ],
          ["others may write into it", (dir: string) => Deno.chmodSync(dir, 0o777)],
        ] as const
      ) {
        const tmp = work.tempDir();
        Deno.mkdirSync(`${tmp}/plash-0`, { mode: 0o700 });
        plant(`${tmp}/plash-0`);
        const result = await work.start({ HOME: "/proc/plash-home", TMPDIR: tmp });
        assert.equal(result.code, 1);
        assert.equal(result.stdout, "");
        assert.equal(
          result.stderr,
          `plash error: ${tmp}/plash-0: ${why}: refusing it (set TMPDIR to another)\n`,
        );
        assert.deepEqual(names(`${tmp}/plash-0`), [], "nothing written into it");
      }
    },
  );
});
