/**
 * The `WWW-Authenticate` challenge of a registry's 401 answer.
 *
 * @module
 */

/** A challenge: its scheme (`bearer`, `basic`) and parameters. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses the first challenge of a `WWW-Authenticate` header, or undefined.
 *
 * @example
 * ```ts
 * parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io"');
 * // { scheme: "bearer", params: { realm: "https://auth.docker.io/token", service: "..." } }
 * ```
 */
export function parseChallenge(header: string | null): Challenge | undefined {
  const match = header?.match(/^\s*([A-Za-z]+)\s*(.*)$/s);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  // name=value or name="quoted, with \" escapes", separated by commas.
  const param = /\s*([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*(?:,|$)/gy;
  for (let found = param.exec(match[2]); found; found = param.exec(match[2])) {
    params[found[1].toLowerCase()] = found[2]?.replace(/\\(.)/g, "$1") ?? found[3];
    if (param.lastIndex >= match[2].length) break;
  }
  return { scheme: match[1].toLowerCase(), params };
}
