import assert from "node:assert/strict";
import { KEY_KINDS, keyKind, KEYS } from "../../core/store/keys.ts";

const DIGEST = `sha256:${"ab".repeat(32)}`;

Deno.test("every key plash makes is of the kind that made it, and shown as that kind says", () => {
  const made: [string, string, string][] = [
    [KEYS.cache("0".repeat(64)), "cache", "internal"],
    [KEYS.dockerManifest(DIGEST), "docker-manifest", "internal"],
    [KEYS.dockerReference("docker.io/library/alpine:3.20"), "docker-reference", "reference"],
    [KEYS.dockerLayer(3, DIGEST), "docker-layer", "internal"],
    [KEYS.dockerConfig(4, DIGEST), "docker-config", "internal"],
    [KEYS.tar("c".repeat(64)), "tar", "internal"],
    [KEYS.url("https://example.org/a.tar"), "url", "internal"],
    [KEYS.urlHash("d".repeat(64)), "url", "internal"],
    [KEYS.lxcName("debian:trixie", "amd64"), "lxc", "internal"],
    [
      KEYS.lxcBuild({
        dist: "debian",
        release: "trixie",
        arch: "amd64",
        variant: "default",
        timestamp: "20261201_05:24",
      }),
      "lxc",
      "internal",
    ],
  ];
  for (const [key, name, shown] of made) {
    assert.equal(keyKind(key).name, name, key);
    assert.equal(keyKind(key).shown, shown, key);
  }
  assert.equal(new Set(KEY_KINDS.map((kind) => kind.name)).size, KEY_KINDS.length);
});

Deno.test("a user's names are names, also when they resemble a kind", () => {
  for (const key of ["web", "my/app:latest", "cache:not-hex", "docker:latest", "50%"]) {
    assert.equal(keyKind(key).shown, "name", key);
  }
});
