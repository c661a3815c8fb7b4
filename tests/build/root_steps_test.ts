/** Which Dockerfile builds need root of plash's user namespace (`core/build/dockerfile/root_steps.ts`). */

import assert from "node:assert/strict";
import { needsNamespaceRoot } from "../../core/build/dockerfile/root_steps.ts";

const file = "Dockerfile";

Deno.test("FROM, RUN, config instructions, COPY, ADD and WORKDIR need no root; mounts do", () => {
  const free = "FROM 1 AS a\nARG X\nENV A=1\nLABEL l=1\nUSER 1000\nRUN --network=none true\n" +
    'CMD ["sh"]\nFROM a\nRUN <<EOF\ntrue\nEOF\nCOPY --chown=1000 a /a\nADD b.tar /b/\n' +
    "WORKDIR /w\nCOPY --from=a /a /c\n";
  assert.equal(needsNamespaceRoot({ text: free, file }), false);
  for (
    const step of ["RUN --mount=type=cache,target=/c true", "RUN --mount=type=bind,target=/c true"]
  ) {
    assert.equal(needsNamespaceRoot({ text: `FROM 1\n${step}\n`, file }), true, step);
  }
});
