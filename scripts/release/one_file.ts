/**
 * The one-file form of a release archive, `dist/plash-VERSION-linux-ARCH`: an
 * executable sh header (one_file.sh, then the launcher's own run lines) with
 * the archive appended, which unpacks itself into the user's cache directory
 * on its first start and runs plash from there (one_file.sh says how).
 *
 * @module
 */

import { createHash } from "node:crypto";

const RELEASE = new URL(".", import.meta.url).pathname;

/** The launcher's lines from where it has found `lib` on: the header runs plash as it does. */
function launcherRunLines(): string {
  const launcher = Deno.readTextFileSync(`${RELEASE}launcher.sh`);
  const found = /^lib=.*\n/m.exec(launcher);
  if (!found) throw new Error(`${RELEASE}launcher.sh: no line setting lib`);
  return launcher.slice(found.index + found[0].length);
}

/**
 * Writes the one-file form of `archive` (the release archive of directory
 * `name`) to `destination`, mode 0755.
 */
export function writeOneFile(archive: string, name: string, destination: string): void {
  const payload = Deno.readFileSync(archive);
  const sha256 = createHash("sha256").update(payload).digest("hex");
  const template = Deno.readTextFileSync(`${RELEASE}one_file.sh`);
  const header = template.replaceAll("@NAME@", name).replaceAll("@SHA256@", sha256)
    .replaceAll("@SIZE@", String(payload.length)) + launcherRunLines();
  const bytes = new TextEncoder().encode(header);
  const whole = new Uint8Array(bytes.length + payload.length);
  whole.set(bytes);
  whole.set(payload, bytes.length);
  Deno.writeFileSync(destination, whole, { createNew: true });
  Deno.chmodSync(destination, 0o755); // whatever the umask
}
