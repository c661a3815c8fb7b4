/** Which Dockerfile builds need root of plash's user namespace (`core/build/dockerfile/root_steps.ts`). */

import assert from "node:assert/strict";
import { needsNamespaceRoot } from "../../core/build/dockerfile/root_steps.ts";

const file = "Dockerfile";

Deno.test("FROM, RUN and config instructions need no root; files, mounts and caches do", () => {
  const free = "FROM 1 AS a\nARG X\nENV A=1\nLABEL l=1\nUSER 1000\nRUN --network=none true\n" +
    'CMD ["sh"]\nFROM a\nRUN <<EOF\ntrue\nEOF\n';
  assert.equal(needsNamespaceRoot({ text: free, file }), false);
  for (
    const step of ["COPY a /a", "ADD a /a", "WORKDIR /w", "RUN --mount=type=cache,target=/c true"]
  ) {
    assert.equal(needsNamespaceRoot({ text: `FROM 1\n${step}\n`, file }), true, step);
  }
  assert.equal(needsNamespaceRoot({ text: "FROM 1\n", file, cacheTo: ["r/c"] }), true);
  assert.equal(needsNamespaceRoot({ text: "FROM 1\n", file, cacheFrom: ["r/c"] }), true);
});
