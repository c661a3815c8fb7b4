/**
 * The pieces of the image importers on their own: references, challenges,
 * platforms, manifests, blob checks, the credentials file, and whiteouts as
 * the extractor writes them.
 */

import assert from "node:assert/strict";
import { splitDevice } from "../../ffi/device_nodes.ts";
import { getXattr } from "../../ffi/file_attributes.ts";
import { checkBlob, readBlob } from "../../core/images/checked_blob.ts";
import { parseManifest } from "../../core/images/oci/manifest.ts";
import { choosePlatform } from "../../core/images/oci/platform.ts";
import {
  findCredentials,
  removeCredentials,
  storeCredentials,
} from "../../core/images/registry/auth_file.ts";
import { parseChallenge } from "../../core/images/registry/challenge.ts";
import {
  formatReference,
  isLoopback,
  parseReference,
} from "../../core/images/registry/reference.ts";
import { extractTar } from "../../core/tar/extract.ts";
import { digest } from "../support/oci_image.ts";
import { buildArchive } from "../support/tar_fixtures.ts";
import { TempDirs } from "../support/temp_dirs.ts";

Deno.test("references are read as docker reads them", () => {
  const cases: [string, string][] = [
    ["alpine", "docker.io/library/alpine:latest"],
    ["alpine:3.20", "docker.io/library/alpine:3.20"],
    ["user/app", "docker.io/user/app:latest"],
    ["index.docker.io/library/debian:12", "docker.io/library/debian:12"],
    ["localhost/app", "localhost/app:latest"],
    ["127.0.0.1:5000/a/b/c:v1.2-x", "127.0.0.1:5000/a/b/c:v1.2-x"],
    ["ghcr.io/owner/tool", "ghcr.io/owner/tool:latest"],
    [`busybox@sha256:${"a".repeat(64)}`, `docker.io/library/busybox@sha256:${"a".repeat(64)}`],
  ];
  for (const [text, full] of cases) assert.equal(formatReference(parseReference(text)), full);
  for (const bad of ["", "Alpine", "a:b:c", "app@sha256:123", "app@md5:abc", "a//b"]) {
    assert.throws(() => parseReference(bad), /reference|digest/, bad);
  }
  assert.ok(isLoopback("127.0.0.1:5000") && isLoopback("localhost") && isLoopback("[::1]:80"));
  assert.ok(!isLoopback("128.0.0.1") && !isLoopback("localhost.example.org"));
});

Deno.test("WWW-Authenticate challenges are parsed", () => {
  assert.deepEqual(
    parseChallenge(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",' +
        'scope="repository:library/alpine:pull"',
    ),
    {
      scheme: "bearer",
      params: {
        realm: "https://auth.docker.io/token",
        service: "registry.docker.io",
        scope: "repository:library/alpine:pull",
      },
    },
  );
  assert.deepEqual(parseChallenge('Basic realm="x \\"y\\""'), {
    scheme: "basic",
    params: { realm: 'x "y"' },
  });
  assert.equal(parseChallenge(null), undefined);
});

Deno.test("platforms: exact variant, any variant, and the list of what there is", () => {
  const entry = (architecture: string, variant?: string, os = "linux") => ({
    mediaType: "m",
    digest: `sha256:${architecture}${variant ?? ""}`,
    size: 1,
    platform: { os, architecture, variant },
  });
  const list = [entry("arm", "v6"), entry("arm", "v7"), entry("arm64", "v8"), entry("amd64")];
  assert.equal(choosePlatform(list, { architecture: "arm", variant: "v7" }).digest, "sha256:armv7");
  assert.equal(choosePlatform(list, { architecture: "arm64" }).digest, "sha256:arm64v8");
  assert.throws(
    () => choosePlatform([...list, entry("unknown", undefined, "unknown")], { architecture: "x" }),
    /no linux\/x image; it has: linux\/arm\/v6, linux\/arm\/v7, linux\/arm64\/v8, linux\/amd64$/,
  );
});

Deno.test("manifests of unknown types and schema 1 are refused", () => {
  const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  assert.throws(
    () => parseManifest(bytes({}), "application/x-weird"),
    /unknown manifest media type/,
  );
  assert.throws(
    () => parseManifest(bytes({}), "application/vnd.docker.distribution.manifest.v1+prettyjws"),
    /schema 1/,
  );
  assert.throws(() => parseManifest(new TextEncoder().encode("{")), /not JSON/);
  assert.throws(
    () =>
      parseManifest(bytes({
        config: { mediaType: "c", digest: `sha256:${"a".repeat(64)}`, size: 1 },
        layers: [{ mediaType: "x", digest: "sha256:../../etc", size: 1 }],
      })),
    /bad digest/,
  );
});

Deno.test("a blob is checked for digest and size as it streams", async () => {
  const bytes = new TextEncoder().encode("some blob");
  const stream = () => new Blob([bytes]).stream();
  assert.deepEqual(await readBlob(stream(), { digest: digest(bytes), size: bytes.length }), bytes);
  await assert.rejects(
    readBlob(stream(), { digest: digest(new Uint8Array(1)) }),
    /digest mismatch/,
  );
  await assert.rejects(readBlob(stream(), { size: bytes.length + 1 }), /truncated blob: 9 of 10/);
  await assert.rejects(readBlob(stream(), { size: 3 }), /larger than the 3 bytes/);
  // A consumer that stops early: the rest is still read for the check.
  const blob = checkBlob(stream(), { digest: digest(bytes) });
  await blob.stream.cancel();
  await blob.verified;
});

Deno.test("the credentials file: stored 0600, found, removed", async () => {
  const dir = Deno.makeTempDirSync();
  const previous = Deno.env.get("REGISTRY_AUTH_FILE");
  Deno.env.set("REGISTRY_AUTH_FILE", `${dir}/auth.json`);
  try {
    Deno.writeTextFileSync(`${dir}/auth.json`, JSON.stringify({ psFormat: "keep-me" }));
    await storeCredentials("docker.io", { username: "me", password: "p:w" });
    await storeCredentials("reg.example.org:5000", { username: "you", password: "x" });
    const file = JSON.parse(Deno.readTextFileSync(`${dir}/auth.json`));
    assert.equal(file.psFormat, "keep-me");
    assert.deepEqual(Object.keys(file.auths), [
      "https://index.docker.io/v1/",
      "reg.example.org:5000",
    ]);
    assert.equal(Deno.statSync(`${dir}/auth.json`).mode! & 0o777, 0o600);
    assert.deepEqual(await findCredentials("docker.io"), { username: "me", password: "p:w" });
    assert.equal(await findCredentials("reg.example.org"), undefined);
    assert.ok(await removeCredentials("docker.io"));
    assert.ok(!(await removeCredentials("docker.io")));
    assert.equal(await findCredentials("docker.io"), undefined);
  } finally {
    if (previous === undefined) Deno.env.delete("REGISTRY_AUTH_FILE");
    else Deno.env.set("REGISTRY_AUTH_FILE", previous);
    Deno.removeSync(dir, { recursive: true });
  }
});

// In-process extraction chowns to the archive's owners: root's. (The CLI tests cover rootless.)
Deno.test({
  name: "whiteouts become 0/0 devices and opaque directories, also within one layer",
  ignore: Deno.uid() !== 0,
}, async () => {
  using dirs = new TempDirs();
  const root = dirs.make();
  const archive = await buildArchive([
    { name: ".wh.gone", type: "file", body: "" },
    { name: "opaque/.wh..wh..opq", type: "file", body: "" },
    { name: ".wh.again", type: "file", body: "" },
    { name: "again/inside", type: "file", body: "new" },
    { name: "kept", type: "file", body: "mine" },
    { name: ".wh.kept", type: "file", body: "" },
  ]);
  await extractTar(new Blob([archive as Uint8Array<ArrayBuffer>]).stream(), root, {
    whiteouts: true,
  });
  const gone = Deno.lstatSync(`${root}/gone`);
  assert.ok(gone.isCharDevice);
  assert.deepEqual(splitDevice(gone.rdev!), { major: 0, minor: 0 });
  const opaque = (path: string) => new TextDecoder().decode(getXattr(path, "user.overlay.opaque"));
  assert.equal(opaque(`${root}/opaque`), "y");
  // Deleted below and made again in the same layer: a directory hiding the lower one.
  assert.equal(opaque(`${root}/again`), "y");
  assert.equal(Deno.readTextFileSync(`${root}/again/inside`), "new");
  // A whiteout only deletes what lower layers have: this layer's file stays.
  assert.equal(Deno.readTextFileSync(`${root}/kept`), "mine");
  await assert.rejects(
    extractTar(
      new Blob([
        await buildArchive([{ name: ".wh...", type: "file", body: "" }]) as Uint8Array<ArrayBuffer>,
      ]).stream(),
      dirs.make(),
      { whiteouts: true },
    ),
    /bad whiteout/,
  );
});
