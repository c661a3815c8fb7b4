/**
 * Talking to a registry's HTTP API v2 with `fetch`: authentication and
 * redirects.
 *
 * Authentication follows the registry's 401 challenge. `Bearer` (Docker
 * Hub, most registries): a token for the request's scope from the realm the
 * challenge names, asked for anonymously or with the user's stored
 * credentials, then the request again with it. `Basic`: the stored
 * credentials themselves. Tokens are kept for the client's lifetime, so
 * parallel blob downloads share one.
 *
 * Credentials stay with their registry: they go to a realm only on the
 * registry's own host (see `credential_hosts.ts`; any other realm is asked
 * anonymously), and a 401 that comes from where a request was redirected
 * is not answered at all, since whatever it asked for would be sent there.
 *
 * Redirects (blobs are often served from a storage host) are followed as
 * `net/http.ts` follows them: at most ten, and the `Authorization` header
 * never leaves the origin it was meant for. Plain HTTP is used only for this
 * machine's addresses or with `insecure`.
 *
 * @module
 */

import { PlashError } from "../../errors.ts";
import { fetchFollowing, parseUrl, readLimited } from "../../net/http.ts";
import { DOCUMENT_LIMIT, ERROR_BODY_LIMIT } from "../limits.ts";
import { type Credentials, encodeCredentials, findCredentials } from "./auth_file.ts";
import { type Challenge, parseChallenge } from "./challenge.ts";
import { credentialsMayGo } from "./credential_hosts.ts";
import { apiHost, isLoopback } from "./reference.ts";

/** How to reach a registry. */
export interface ClientOptions {
  /** Allow plain HTTP to hosts other than this machine (`--insecure`). */
  insecure?: boolean;
  /** Stops every request (Ctrl-C). */
  signal?: AbortSignal;
  /** Use these instead of the stored ones (`plash login` checks them). */
  credentials?: Credentials;
}

/** What {@linkcode RegistryClient.request} sends besides its method and path. */
export interface RequestOptions {
  /** The media types to accept. */
  accept?: string[];
  /** More headers. */
  headers?: Record<string, string>;
  /** The body, made anew for each try (a 401 is answered by asking again). */
  body?: () => BodyInit | null;
  /** The statuses that are an answer rather than a failure (default: any 2xx). */
  ok?: number[];
}

/** A client of one registry. */
export class RegistryClient {
  /** `https://host[:port]` (or `http://` where allowed). */
  readonly base: string;
  readonly #registry: string;
  readonly #options: ClientOptions;
  /** `Authorization` values by scope ("" for none); a Basic one serves every scope. */
  readonly #authorizations = new Map<string, string>();
  #basic?: string;
  #stored?: Promise<Credentials | undefined>;

  constructor(registry: string, options: ClientOptions = {}) {
    this.#registry = registry;
    this.#options = options;
    const plain = options.insecure || isLoopback(registry);
    this.base = `${plain ? "http" : "https"}://${apiHost(registry)}`;
  }

  /**
   * GETs `path` (`/v2/...`) with access to `scope` (`repository:NAME:pull`)
   * and returns the successful response; any other status fails with a
   * one-line error that calls the resource `what`.
   */
  get(path: string, scope: string, what: string, accept?: string[]): Promise<Response> {
    return this.request("GET", path, scope, what, { accept });
  }

  /**
   * Sends `method` to `path` (`/v2/...`, or a URL the registry gave, such as
   * an upload's `Location`) with access to `scope` (several separated by
   * spaces: `repository:a:pull,push repository:b:pull`), answering a 401
   * challenge once, and returns the response when its status is one of
   * `options.ok` (default: any 2xx); any other fails in one line calling the
   * resource `what`. Credentials go only to the registry's own origin.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { RegistryClient } from "./client.ts";
   *
   * // A registry at 127.0.0.1:5000, say:
   * //   const head = await client.request("HEAD", `/v2/app/blobs/${digest}`, scope, "blob", {
   * //     ok: [200, 404],
   * //   }); // head.status: 200 when it has the blob
   * // None listens on port 1: one line naming the URL.
   * const client = new RegistryClient("127.0.0.1:1");
   * const scope = "repository:app:pull,push";
   * await assert.rejects(
   *   client.request("HEAD", `/v2/app/blobs/sha256:${"0".repeat(64)}`, scope, "blob", {
   *     ok: [200, 404],
   *   }),
   *   /127\.0\.0\.1:1\/v2\/app\/blobs\/.*: cannot connect/,
   * );
   * ```
   */
  async request(
    method: string,
    path: string,
    scope: string,
    what: string,
    options: RequestOptions = {},
  ): Promise<Response> {
    const headers = new Headers(options.headers);
    if (options.accept) headers.set("accept", options.accept.join(", "));
    const send = () => this.#send(method, path, headers, scope, options.body);
    let response = await send();
    if (response.status === 401) {
      const challenge = parseChallenge(response.headers.get("www-authenticate"));
      await response.body?.cancel();
      const answered = new URL(response.url);
      if (answered.origin !== new URL(this.base).origin) {
        throw new PlashError(
          `${what}: the redirect to ${answered.origin} asks for authentication: ` +
            `credentials go only to ${this.#registry}`,
        );
      }
      await this.#authenticate(challenge, scope);
      response = await send();
    }
    const ok = options.ok ? options.ok.includes(response.status) : response.ok;
    if (!ok) throw await statusError(response, what, this.#registry);
    return response;
  }

  /** Checks that the registry accepts the client's credentials (`plash login`). */
  async checkLogin(): Promise<void> {
    const response = await this.get("/v2/", "", `login to ${this.#registry}`);
    await response.body?.cancel();
  }

  async #send(
    method: string,
    path: string,
    headers: Headers,
    scope: string,
    body?: () => BodyInit | null,
  ): Promise<Response> {
    const url = new URL(path, this.base);
    const authorization = this.#authorizations.get(scope) ?? this.#basic;
    // An upload's Location may name another host: it gets no credentials.
    if (authorization && url.origin === new URL(this.base).origin) {
      headers.set("authorization", authorization);
    } else headers.delete("authorization");
    return await this.#fetch(url, headers, method, body);
  }

  /** Requests `url`, following redirects within the rules of {@linkcode fetchFollowing}. */
  #fetch(
    url: URL,
    headers: Headers,
    method = "GET",
    body?: () => BodyInit | null,
  ): Promise<Response> {
    return fetchFollowing(url, {
      method,
      body,
      headers,
      signal: this.#options.signal,
      check: (next) => this.#checkScheme(next),
    });
  }

  /** Refuses plain HTTP to anything but this machine, unless insecure. */
  #checkScheme(url: URL): void {
    if (url.protocol === "https:") return;
    if (url.protocol === "http:" && (this.#options.insecure || isLoopback(url.host))) return;
    throw new PlashError(`refusing ${url.protocol}//${url.host}: plain HTTP needs --insecure`);
  }

  /** The registry's credentials, looked up once (a helper is a process to run). */
  #credentials(): Promise<Credentials | undefined> {
    this.#stored ??= this.#options.credentials
      ? Promise.resolve(this.#options.credentials)
      : findCredentials(this.#registry);
    return this.#stored;
  }

  /**
   * Answers `challenge`, which the registry's own origin sent: a token for
   * `scope`, or Basic credentials (sent to that origin only).
   */
  async #authenticate(challenge: Challenge | undefined, scope: string): Promise<void> {
    const stored = await this.#credentials();
    if (challenge?.scheme === "basic") {
      if (!stored) throw this.#loginNeeded();
      this.#basic = `Basic ${encodeCredentials(stored)}`;
      return;
    }
    if (challenge?.scheme !== "bearer" || !challenge.params.realm) {
      throw new PlashError(`${this.#registry} asks for unsupported authentication`);
    }
    const realm = parseUrl(challenge.params.realm);
    // A realm elsewhere is whoever the registry names: it gets no credentials.
    const credentials = stored && credentialsMayGo(this.#registry, realm) ? stored : undefined;
    if (challenge.params.service) realm.searchParams.set("service", challenge.params.service);
    const wanted = scope || challenge.params.scope;
    // One scope parameter each, as the token protocol asks for several.
    for (const each of wanted?.split(" ") ?? []) {
      if (each) realm.searchParams.append("scope", each);
    }
    const headers = new Headers();
    if (credentials) headers.set("authorization", `Basic ${encodeCredentials(credentials)}`);
    const response = await this.#fetch(realm, headers);
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      if (credentials) throw this.#refused(credentials);
      if (stored) {
        throw new PlashError(
          `${this.#registry} asks for a token from ${realm.host}, which refused: ` +
            `the credentials of ${this.#registry} are not sent to another host`,
        );
      }
      throw this.#loginNeeded();
    }
    if (!response.ok) throw await statusError(response, `token from ${realm.origin}`, "");
    const bytes = await readLimited(
      response.body ?? ReadableStream.from([]),
      DOCUMENT_LIMIT,
      `token response of ${realm.origin}`,
    );
    let token: unknown;
    try {
      const body = JSON.parse(new TextDecoder().decode(bytes));
      token = body.token ?? body.access_token;
    } catch {
      // Reported below.
    }
    if (typeof token !== "string" || token === "") {
      throw new PlashError(`${realm.origin} answered without a token`);
    }
    this.#authorizations.set(scope, `Bearer ${token}`);
  }

  #loginNeeded(): PlashError {
    return new PlashError(
      `${this.#registry} requires authentication: run \`plash login ${this.#registry}\``,
    );
  }

  #refused(credentials: Credentials): PlashError {
    return new PlashError(
      `${this.#registry} refused the credentials of ${JSON.stringify(credentials.username)}`,
    );
  }
}

/**
 * The one-line error for a failed request: status and the registry's own
 * words, read from at most the first {@linkcode ERROR_BODY_LIMIT} bytes.
 */
async function statusError(
  response: Response,
  what: string,
  registry: string,
): Promise<PlashError> {
  let detail = "";
  try {
    const bytes = await readLimited(
      response.body ?? ReadableStream.from([]),
      ERROR_BODY_LIMIT,
      "error body",
    );
    const body = JSON.parse(new TextDecoder().decode(bytes));
    const first = body?.errors?.[0];
    if (first?.code) detail = ` (${first.code}${first.message ? `: ${first.message}` : ""})`;
  } catch {
    // A body that is not the registry's JSON says nothing more.
  }
  const meaning: Record<number, string> = {
    401: `unauthorized: ${registry} refused the credentials, or needs \`plash login\``,
    403: "access denied",
    404: "not found",
    429: "too many requests: the registry's rate limit",
  };
  const reason = meaning[response.status] ?? `HTTP ${response.status} ${response.statusText}`;
  return new PlashError(`${what}: ${reason}${detail}`);
}
