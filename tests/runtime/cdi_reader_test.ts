/**
 * The CDI reader (`core/runtime/cdi/`): spec files the tests write (JSON and
 * YAML, every version 0.3.0 to 0.8.0), resolved into container edits, with
 * the CDI specification's rules and plash's refusals; host devices from
 * /dev/null and (as root) nodes made with mknod in a test directory.
 */

import assert from "node:assert/strict";
import { mknod, S_IFBLK, S_IFCHR, S_IFIFO } from "../../ffi/device_nodes.ts";
import { PlashError } from "../../core/errors.ts";
import { resolveDevices } from "../../core/runtime/cdi/resolve.ts";
import { SPEC_FILE_LIMIT } from "../../core/runtime/cdi/catalog.ts";
import { TempDirs } from "../support/temp_dirs.ts";

const ROOT = Deno.uid() === 0;

/** A spec directory holding `files`: objects written as JSON, strings as they are. */
function specDir(temp: TempDirs, files: Record<string, unknown>): string {
  const dir = temp.make("plash-cdi-");
  for (const [name, content] of Object.entries(files)) {
    Deno.writeTextFileSync(
      `${dir}/${name}`,
      typeof content === "string" ? content : JSON.stringify(content),
    );
  }
  return dir;
}

/** A spec of `kind` at `version` with the given devices and spec-level edits. */
function spec(
  version: string,
  devices: unknown[],
  extra: Record<string, unknown> = {},
  kind = "vendor.com/device",
) {
  return { cdiVersion: version, kind, devices, ...extra };
}

const NULL_NODE = { deviceNodes: [{ path: "/dev/vendor0", hostPath: "/dev/null" }] };

/** The one-line message resolving `requests` in `dirs` fails with. */
async function refusal(requests: string[], dirs: string[]): Promise<string> {
  try {
    await resolveDevices(requests, { specDirs: dirs });
  } catch (error) {
    assert.ok(error instanceof PlashError, `not a PlashError: ${error}`);
    assert.ok(!error.message.includes("\n"), `more than one line: ${error.message}`);
    return error.message;
  }
  throw new Error(`${requests.join(" ")} resolved`);
}

Deno.test("a device and its spec's edits, from JSON: env, nodes, mounts, hooks, groups", async () => {
  using temp = new TempDirs();
  const hook = { hookName: "createContainer", path: "/usr/bin/hook", args: ["hook", "a"] };
  const dir = specDir(temp, {
    "vendor.json": spec("0.7.0", [
      {
        name: "0",
        containerEdits: {
          env: ["DEVICE=0"],
          deviceNodes: [{ path: "/dev/vendor0", hostPath: "/dev/null", permissions: "rw" }],
          additionalGids: [0, 44],
        },
      },
      { name: "1", containerEdits: { env: ["DEVICE=1"] } },
    ], {
      containerEdits: {
        env: ["VENDOR=yes"],
        mounts: [{ hostPath: "/etc/hostname", containerPath: "/etc/vendor", options: ["ro"] }],
        hooks: [hook, { ...hook, hookName: "startContainer", timeout: 5 }],
      },
    }),
  });
  const edits = await resolveDevices(["vendor.com/device=0"], { specDirs: [dir] });
  assert.deepEqual(edits, {
    env: ["VENDOR=yes", "DEVICE=0"],
    deviceNodes: [{
      path: "/dev/vendor0",
      hostPath: "/dev/null",
      type: "c",
      major: 1,
      minor: 3,
      fileMode: Deno.statSync("/dev/null").mode! & 0o7777,
      permissions: "rw",
    }],
    mounts: [{ hostPath: "/etc/hostname", containerPath: "/etc/vendor", options: ["ro"] }],
    hooks: [hook, { ...hook, hookName: "startContainer", timeout: 5 }],
    additionalGids: [44], // CDI ignores group 0
  });
});

Deno.test("every CDI version 0.3.0 to 0.8.0 reads, in JSON and in YAML", async () => {
  using temp = new TempDirs();
  for (const version of ["0.3.0", "0.4.0", "0.5.0", "0.6.0", "0.7.0", "0.8.0", "v0.8.0"]) {
    const yaml = `cdiVersion: "${version}"\nkind: vendor.com/device\ndevices:\n` +
      `  - name: gpu\n    containerEdits:\n      env: [FROM=yaml]\n`;
    const dir = specDir(temp, {
      "a.json": spec(version, [{ name: "gpu", containerEdits: { env: ["FROM=json"] } }]),
      "b.yaml": yaml.replace("vendor.com/device", "vendor.com/other"),
      "c.yml": yaml.replace("vendor.com/device", "vendor.com/third"),
    });
    for (const [kind, from] of [["device", "json"], ["other", "yaml"], ["third", "yaml"]]) {
      const edits = await resolveDevices([`vendor.com/${kind}=gpu`], { specDirs: [dir] })
        .catch((error) => assert.fail(`${version} ${kind}: ${error.message}`));
      assert.deepEqual(edits.env, [`FROM=${from}`]);
    }
  }
});

Deno.test("each version takes the fields it has and refuses newer ones", async () => {
  using temp = new TempDirs();
  const cases: {
    field: string;
    since: string;
    device: unknown;
    extra?: Record<string, unknown>;
    kind?: string;
  }[] = [
    {
      field: "mounts[0].type",
      since: "0.4.0",
      device: {
        name: "d",
        containerEdits: {
          mounts: [{ hostPath: "/etc/hostname", containerPath: "/x", type: "bind" }],
        },
      },
    },
    { field: "hostPath", since: "0.5.0", device: { name: "d", containerEdits: NULL_NODE } },
    {
      field: "starts with a digit",
      since: "0.5.0",
      device: { name: "0", containerEdits: { env: ["A=1"] } },
    },
    {
      field: "annotations",
      since: "0.6.0",
      device: { name: "d", containerEdits: { env: ["A=1"] } },
      extra: { annotations: { "vendor.com/note": "x" } },
    },
    {
      field: "has a dot in its class",
      since: "0.6.0",
      device: { name: "d", containerEdits: { env: ["A=1"] } },
      kind: "vendor.com/device.x",
    },
    {
      field: "additionalGids",
      since: "0.7.0",
      device: { name: "d", containerEdits: { additionalGids: [5] } },
    },
    {
      field: "intelRdt",
      since: "0.7.0",
      device: { name: "d", containerEdits: { env: ["A=1"], intelRdt: { closID: "x" } } },
    },
  ];
  const versions = ["0.3.0", "0.4.0", "0.5.0", "0.6.0", "0.7.0", "0.8.0"];
  for (const { field, since, device, extra, kind } of cases) {
    const before = versions[versions.indexOf(since) - 1];
    const kindName = kind ?? "vendor.com/device";
    const name = (device as { name: string }).name;
    const request = `${kindName}=${name}`;
    const old = specDir(temp, { "s.json": spec(before, [device], extra, kindName) });
    const message = await refusal([request], [old]);
    assert.match(
      message,
      new RegExp(`^CDI spec ${old}/s\\.json: .*${since.replaceAll(".", "\\.")}`),
    );
    assert.ok(message.includes(field.split("[")[0]), `${message} names ${field}`);
    const fine = specDir(temp, { "s.json": spec(since, [device], extra, kindName) });
    if (field === "intelRdt") {
      // Valid from 0.7.0, but plash cannot apply it: refused when asked for.
      assert.match(await refusal([request], [fine]), /plash cannot apply intelRdt/);
    } else await resolveDevices([request], { specDirs: [fine] });
  }
});

Deno.test("bad versions, unknown fields, empty devices and bad values are refused", async () => {
  using temp = new TempDirs();
  const ok = { name: "d", containerEdits: { env: ["A=1"] } };
  const cases: [unknown, RegExp][] = [
    [spec("0.2.0", [ok]), /cdiVersion 0\.2\.0 is not one plash reads \(0\.3\.0 to 0\.8\.0\)/],
    [spec("0.9.0", [ok]), /cdiVersion 0\.9\.0 is not one plash reads/],
    [spec("1.0.0", [ok]), /cdiVersion 1\.0\.0 is not one plash reads/],
    [{ kind: "vendor.com/device", devices: [ok] }, /cdiVersion must be a string/],
    [{ ...spec("0.8.0", [ok]), extra: 1 }, /extra is not a CDI field/],
    [
      spec("0.8.0", [{ name: "d", containerEdits: { netDevices: [{ name: "x" }] } }]),
      /devices\[0\]\.containerEdits\.netDevices is not a CDI field/,
    ],
    [spec("0.8.0", []), /devices must list at least one device/],
    [spec("0.8.0", [{ name: "d", containerEdits: {} }]), /devices\[0\]\.containerEdits are empty/],
    [spec("0.8.0", [ok, ok]), /devices\[1\]\.name names a second device d/],
    [
      spec("0.8.0", [{ name: "d", containerEdits: { env: ["NOVALUE"] } }]),
      /env\[0\] must be NAME=VALUE: NOVALUE/,
    ],
    [
      spec("0.8.0", [{ name: "d", containerEdits: { deviceNodes: [{ path: "dev/x" }] } }]),
      /deviceNodes\[0\]\.path must be an absolute path: dev\/x/,
    ],
    [
      spec("0.8.0", [{
        name: "d",
        containerEdits: { deviceNodes: [{ path: "/dev/x", hostPath: "x" }] },
      }]),
      /hostPath must be an absolute path: x/,
    ],
    [
      spec("0.8.0", [{
        name: "d",
        containerEdits: { mounts: [{ hostPath: "/x", containerPath: "y" }] },
      }]),
      /containerPath must be an absolute path: y/,
    ],
    [
      spec("0.8.0", [{
        name: "d",
        containerEdits: { mounts: [{ hostPath: "x", containerPath: "/y" }] },
      }]),
      /mounts\[0\]\.hostPath must be an absolute path: x/,
    ],
    [
      spec("0.8.0", [{ name: "d", containerEdits: { hooks: [{ hookName: "x", path: "/h" }] } }]),
      /hookName must be one of prestart, createRuntime/,
    ],
    [
      spec("0.8.0", [{
        name: "d",
        containerEdits: { hooks: [{ hookName: "createContainer", path: "h" }] },
      }]),
      /hooks\[0\]\.path must be an absolute path: h/,
    ],
    [
      spec("0.8.0", [{
        name: "d",
        containerEdits: { hooks: [{ hookName: "createContainer", path: "/h", timeout: 0 }] },
      }]),
      /timeout must be a whole number from 1/,
    ],
    [
      spec("0.8.0", [{
        name: "d",
        containerEdits: { deviceNodes: [{ path: "/dev/x", type: "z" }] },
      }]),
      /type must be b, c, u or p/,
    ],
    [
      spec("0.8.0", [{
        name: "d",
        containerEdits: { deviceNodes: [{ path: "/dev/x", permissions: "rx" }] },
      }]),
      /permissions must be letters of rwm, or none: rx/,
    ],
    [
      spec("0.8.0", [{
        name: "d",
        containerEdits: { deviceNodes: [{ path: "/dev/x", major: -1 }] },
      }]),
      /major must be a whole number/,
    ],
  ];
  for (const [content, expected] of cases) {
    const dir = specDir(temp, { "s.json": content });
    const message = await refusal(["vendor.com/device=d"], [dir]);
    assert.match(message, new RegExp(`^CDI spec ${dir}/s\\.json: `));
    assert.match(message, expected);
  }
});

Deno.test("kind and device names follow CDI's rules, in specs and in requests", async () => {
  using temp = new TempDirs();
  const device = (name: string) => ({ name, containerEdits: { env: ["A=1"] } });
  for (
    const kind of [
      "vendor",
      "vendor.com/a/b",
      "-v.com/x",
      "vendor.com/x_",
      "v.com/" + "c".repeat(64),
    ]
  ) {
    const dir = specDir(temp, { "s.json": spec("0.8.0", [device("d")], {}, kind) });
    // Unreadable kinds fail every request, a spec being unusable for any of them.
    assert.match(await refusal(["vendor.com/device=d"], [dir]), /^CDI spec .*kind/);
  }
  for (const name of ["-a", "a b", "a:", "é"]) {
    const dir = specDir(temp, { "s.json": spec("0.8.0", [device(name)]) });
    assert.match(
      await refusal(["vendor.com/device=d"], [dir]),
      /device name .* must be letters, digits/,
    );
  }
  // Colons, dots, dashes inside a device name are fine, and digits first since 0.5.0.
  const dir = specDir(temp, { "s.json": spec("0.5.0", [device("0:a.b-c_d")]) });
  await resolveDevices(["vendor.com/device=0:a.b-c_d"], { specDirs: [dir] });
  for (
    const [request, expected] of [
      ["vendor.com=d", /--device vendor\.com=d: kind "vendor\.com" must be vendor\.com\/class/],
      ["vendor.com/device=", /--device vendor\.com\/device=: a device name is empty/],
      ["vendor.com/device=-x", /device name "-x" must be/],
      ["1vendor.com/device=x", /the vendor must start with a letter/],
      [
        "gpu",
        /--device gpu: neither a CDI name \(vendor\.com\/class=name\) nor an absolute host path/,
      ],
    ] as const
  ) {
    assert.match(await refusal([request], [dir]), expected);
  }
});

Deno.test("an unknown device lists the known ones; =all is the device all, else every one", async () => {
  using temp = new TempDirs();
  const device = (name: string, value: string) => ({
    name,
    containerEdits: { env: [`${name.toUpperCase()}=${value}`] },
  });
  const dir = specDir(temp, {
    "a.json": spec("0.8.0", [device("b", "1"), device("a", "2")]),
    "b.json": spec("0.8.0", [device("all", "3"), device("x", "4")], {}, "other.org/gpu"),
  });
  assert.equal(
    await refusal(["vendor.com/device=c"], [dir]),
    "no CDI device vendor.com/device=c; known: other.org/gpu=all, other.org/gpu=x, vendor.com/device=a, vendor.com/device=b",
  );
  assert.equal(
    await refusal(["nobody.com/x=y"], [`${dir}/missing`]),
    `no CDI device nobody.com/x=y; known: none (in ${dir}/missing)`,
  );
  const all = await resolveDevices(["vendor.com/device=all"], { specDirs: [dir] });
  assert.deepEqual(all.env, ["A=2", "B=1"]);
  const named = await resolveDevices(["other.org/gpu=all"], { specDirs: [dir] });
  assert.deepEqual(named.env, ["ALL=3"]);
  // Asked twice (by name and by all): made once.
  const twice = await resolveDevices(["vendor.com/device=a", "vendor.com/device=all"], {
    specDirs: [dir],
  });
  assert.deepEqual(twice.env, ["A=2", "B=1"]);
});

Deno.test("a later directory overrides an earlier one; one device twice in one directory is refused", async () => {
  using temp = new TempDirs();
  const device = (value: string) => ({ name: "d", containerEdits: { env: [`V=${value}`] } });
  const early = specDir(temp, { "s.json": spec("0.8.0", [device("early")]) });
  const late = specDir(temp, { "s.json": spec("0.8.0", [device("late")]) });
  const edits = await resolveDevices(["vendor.com/device=d"], { specDirs: [early, late] });
  assert.deepEqual(edits.env, ["V=late"]);
  const both = specDir(temp, {
    "a.json": spec("0.8.0", [device("a")]),
    "b.yaml": JSON.stringify(spec("0.8.0", [device("b")])),
  });
  assert.equal(
    await refusal(["vendor.com/device=d"], [both]),
    `CDI device vendor.com/device=d is defined by ${both}/a.json and ${both}/b.yaml`,
  );
  // =all does not leave a device out for its conflict.
  assert.match(await refusal(["vendor.com/device=all"], [both]), /is defined by .*a\.json and/);
  // A later directory's definition settles an earlier directory's conflict.
  const settled = await resolveDevices(["vendor.com/device=d"], { specDirs: [both, late] });
  assert.deepEqual(settled.env, ["V=late"]);
});

Deno.test("conflicting edits of two specs are refused; agreeing ones are made once", async () => {
  using temp = new TempDirs();
  const edits = (kind: string, containerEdits: object) =>
    spec("0.8.0", [{ name: "d", containerEdits }], {}, kind);
  const cases: [object, object, RegExp][] = [
    [
      { env: ["SHARED=1"] },
      { env: ["SHARED=2"] },
      /^conflicting device edits: env SHARED is "1" in .*\/a\.json, "2" in .*\/b\.json$/,
    ],
    [
      { deviceNodes: [{ path: "/dev/x", type: "c", major: 1, minor: 3 }] },
      { deviceNodes: [{ path: "/dev/x", type: "c", major: 1, minor: 5 }] },
      /^conflicting device edits: device node \/dev\/x is c 1:3 .* in .*\/a\.json, c 1:5 .* in .*\/b\.json$/,
    ],
    [
      { mounts: [{ hostPath: "/etc/hostname", containerPath: "/m" }] },
      { mounts: [{ hostPath: "/etc/hosts", containerPath: "/m" }] },
      /^conflicting device edits: mount \/m is \/etc\/hostname in .*, \/etc\/hosts in /,
    ],
  ];
  for (const [a, b, expected] of cases) {
    const dir = specDir(temp, { "a.json": edits("a.com/x", a), "b.json": edits("b.com/x", b) });
    assert.match(await refusal(["a.com/x=d", "b.com/x=d"], [dir]), expected);
    // Each alone is fine.
    await resolveDevices(["a.com/x=d"], { specDirs: [dir] });
  }
  // The same edits from two specs: once.
  const same = { env: ["SHARED=1"], mounts: [{ hostPath: "/etc/hostname", containerPath: "/m" }] };
  const dir = specDir(temp, { "a.json": edits("a.com/x", same), "b.json": edits("b.com/x", same) });
  const merged = await resolveDevices(["a.com/x=d", "b.com/x=d"], { specDirs: [dir] });
  assert.deepEqual(merged.env, ["SHARED=1"]);
  assert.equal(merged.mounts.length, 1);
  // A host device at a CDI node's path with other numbers conflicts too.
  const node = specDir(temp, {
    "a.json": edits("a.com/x", {
      deviceNodes: [{ path: "/dev/x", type: "c", major: 1, minor: 5 }],
    }),
  });
  assert.match(
    await refusal(["a.com/x=d", "/dev/null:/dev/x"], [node]),
    /^conflicting device edits: device node \/dev\/x is c 1:5 .*, c 1:3 from \/dev\/null .* in --device \/dev\/null:\/dev\/x$/,
  );
  // Within one spec a device's edit wins over its spec's, as CDI appends them.
  const within = specDir(temp, {
    "s.json": spec("0.8.0", [{ name: "d", containerEdits: { env: ["V=device"] } }], {
      containerEdits: { env: ["V=spec", "W=spec"] },
    }),
  });
  const overridden = await resolveDevices(["vendor.com/device=d"], { specDirs: [within] });
  assert.deepEqual(overridden.env, ["V=device", "W=spec"]);
});

Deno.test("YAML is read as CDI's Go reader reads it; a syntax error names the file and line", async () => {
  using temp = new TempDirs();
  const dir = specDir(temp, {
    "s.yaml": `---
cdiVersion: 0.5.0
kind: vendor.com/device
devices:
- name: d
  containerEdits:
    deviceNodes:
    - path: /dev/vendor0
      type: c
      major: 1
      minor: 3
      fileMode: 0640
      permissions: none
`,
  });
  const edits = await resolveDevices(["vendor.com/device=d"], { specDirs: [dir] });
  assert.equal(edits.deviceNodes[0].fileMode, 0o640);
  // A plain whole number where a string belongs is its text, as in Go: `name: 0`.
  const numbered = specDir(temp, {
    "n.yaml": "cdiVersion: 0.5.0\nkind: vendor.com/gpu\ndevices:\n- name: 0\n" +
      "  containerEdits:\n    env: [GPU=0]\n",
  });
  assert.deepEqual(
    (await resolveDevices(["vendor.com/gpu=0"], { specDirs: [numbered] })).env,
    ["GPU=0"],
  );
  assert.equal(edits.deviceNodes[0].permissions, "");
  const broken = specDir(temp, { "s.yaml": "cdiVersion: 0.5.0\nkind: [unclosed\n" });
  assert.match(
    await refusal(["vendor.com/device=d"], [broken]),
    new RegExp(`^${broken}/s\\.yaml:\\d+:\\d+: `),
  );
  const json = specDir(temp, { "s.json": "{ not json" });
  assert.match(
    await refusal(["vendor.com/device=d"], [json]),
    new RegExp(`^CDI spec ${json}/s\\.json: is not JSON`),
  );
});

Deno.test("a broken spec fails the requests of its kind only; a file too large is refused; only files are read", async () => {
  using temp = new TempDirs();
  const dir = specDir(temp, {
    "bad.json": spec("0.9.0", [{ name: "d", containerEdits: { env: ["A=1"] } }], {}, "bad.com/x"),
    "good.json": spec("0.8.0", [{ name: "d", containerEdits: { env: ["A=1"] } }]),
    "notes.txt": "not a spec: not read",
  });
  // Neither a directory nor a fifo named like a spec is read (a fifo would block).
  Deno.mkdirSync(`${dir}/sub.json`);
  mknod(`${dir}/pipe.yaml`, S_IFIFO | 0o644);
  await resolveDevices(["vendor.com/device=d"], { specDirs: [dir] });
  assert.match(await refusal(["bad.com/x=d"], [dir]), /bad\.json: cdiVersion 0\.9\.0/);
  const large = specDir(temp, {
    "big.json": JSON.stringify(spec("0.8.0", [{ name: "d", containerEdits: { env: ["A=1"] } }]))
      .replace("{", `{${" ".repeat(SPEC_FILE_LIMIT)}`),
  });
  assert.match(await refusal(["vendor.com/device=d"], [large]), /big\.json: is larger than 8 MiB/);
});

Deno.test("host devices: /dev/null at its own or another path, with permissions", async () => {
  const fileMode = Deno.statSync("/dev/null").mode! & 0o7777;
  const null_ = { hostPath: "/dev/null", type: "c", major: 1, minor: 3, fileMode };
  assert.deepEqual((await resolveDevices(["/dev/null"])).deviceNodes, [{
    path: "/dev/null",
    ...null_,
  }]);
  assert.deepEqual((await resolveDevices(["/dev/null:/dev/nothing"])).deviceNodes, [{
    path: "/dev/nothing",
    ...null_,
  }]);
  assert.deepEqual((await resolveDevices(["/dev/null:rw"])).deviceNodes, [{
    path: "/dev/null",
    ...null_,
    permissions: "rw",
  }]);
  assert.deepEqual((await resolveDevices(["/dev/null:/dev/n:r"])).deviceNodes, [{
    path: "/dev/n",
    ...null_,
    permissions: "r",
  }]);
  using temp = new TempDirs();
  const file = `${temp.make()}/file`;
  Deno.writeTextFileSync(file, "");
  for (
    const [request, expected] of [
      [
        "/dev/null:/dev/n:rx",
        /^--device \/dev\/null:\/dev\/n:rx: not \/dev\/HOST\[:\/dev\/CONTAINER\]\[:PERMISSIONS\]/,
      ],
      ["/dev/null:dev/n:r", /the container path must be absolute, without '\.\.': dev\/n/],
      ["/dev/null:/dev/../etc/x", /the container path must be absolute, without '\.\.'/],
      ["/dev/null:/a:r:w", /not \/dev\/HOST/],
      ["dev/null", /neither a CDI name/],
      [
        "/dev/plash-no-such-device",
        /^--device \/dev\/plash-no-such-device: \/dev\/plash-no-such-device: No such file/,
      ],
      [file, new RegExp(`^--device ${file}: ${file}: not a device node$`)],
    ] as const
  ) {
    assert.match(await refusal([request], []), expected);
  }
});

Deno.test("nodes made with mknod: a host device, and a CDI node completed from its host node", {
  ignore: !ROOT,
}, async () => {
  using temp = new TempDirs();
  const dir = temp.make();
  mknod(`${dir}/char`, S_IFCHR, 240, 17);
  Deno.chmodSync(`${dir}/char`, 0o620); // past the umask
  mknod(`${dir}/block`, S_IFBLK | 0o600, 7, 300);
  assert.deepEqual((await resolveDevices([`${dir}/block:/dev/loop-test`])).deviceNodes, [{
    path: "/dev/loop-test",
    hostPath: `${dir}/block`,
    type: "b",
    major: 7,
    minor: 300,
    fileMode: 0o600,
  }]);
  const specs = specDir(temp, {
    "s.json": spec("0.5.0", [
      {
        name: "char",
        containerEdits: { deviceNodes: [{ path: "/dev/c", hostPath: `${dir}/char` }] },
      },
      {
        name: "wrong",
        containerEdits: { deviceNodes: [{ path: "/dev/w", hostPath: `${dir}/char`, type: "b" }] },
      },
      {
        name: "absent",
        containerEdits: { deviceNodes: [{ path: "/dev/a", hostPath: `${dir}/absent` }] },
      },
      {
        name: "described",
        containerEdits: {
          deviceNodes: [{ path: "/dev/d", hostPath: `${dir}/absent`, type: "c", major: 9 }],
        },
      },
    ]),
  });
  assert.deepEqual(
    (await resolveDevices(["vendor.com/device=char"], { specDirs: [specs] }))
      .deviceNodes,
    [{
      path: "/dev/c",
      hostPath: `${dir}/char`,
      type: "c",
      major: 240,
      minor: 17,
      fileMode: 0o620,
    }],
  );
  assert.match(
    await refusal(["vendor.com/device=wrong"], [specs]),
    /host device .*\/char is of type c, the spec says b$/,
  );
  assert.match(
    await refusal(["vendor.com/device=absent"], [specs]),
    new RegExp(
      `^${specs}/s\\.json \\(vendor\\.com/device=absent\\): host device ${dir}/absent: No such file`,
    ),
  );
  // Fully described by its spec: the host node may be missing, as CDI allows.
  assert.deepEqual(
    (await resolveDevices(["vendor.com/device=described"], { specDirs: [specs] }))
      .deviceNodes,
    [{ path: "/dev/d", hostPath: `${dir}/absent`, type: "c", major: 9, minor: 0 }],
  );
});
