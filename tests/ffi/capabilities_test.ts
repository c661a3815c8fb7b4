import assert from "node:assert/strict";
import { effectiveCapabilities } from "../../ffi/capabilities.ts";

/** The CapEff line of `status`, a /proc/PID/status. */
function capEff(status: string): bigint {
  const line = status.split("\n").find((each) => each.startsWith("CapEff:"));
  assert.ok(line, "a CapEff line");
  return BigInt("0x" + line.slice("CapEff:".length).trim());
}

Deno.test("effectiveCapabilities is the CapEff of /proc/self/status, all 64 bits", () => {
  assert.equal(effectiveCapabilities(), capEff(Deno.readTextFileSync("/proc/self/status")));
});

Deno.test("effectiveCapabilities tells a set without CAP_SYS_ADMIN from root's whole set", {
  // setpriv (util-linux) drops the capability, as docker's default set lacks it: root only.
  ignore: Deno.uid() !== 0,
}, async () => {
  const probe = "import { effectiveCapabilities } from " +
    `${JSON.stringify(new URL("../../ffi/capabilities.ts", import.meta.url).href)};` +
    "const own = Deno.readTextFileSync('/proc/self/status');" +
    "console.log(effectiveCapabilities().toString(16), own.match(/CapEff:\\s*(\\w+)/)[1]);";
  const { code, stdout, stderr } = await new Deno.Command("setpriv", {
    args: ["--inh-caps=-sys_admin", "--bounding-set=-sys_admin", Deno.execPath(), "eval", probe],
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const [mine, proc] = new TextDecoder().decode(stdout).trim().split(" ");
  assert.equal(BigInt("0x" + mine), BigInt("0x" + proc));
  assert.equal((BigInt("0x" + mine) >> 21n) & 1n, 0n, "CAP_SYS_ADMIN (21) dropped");
  assert.notEqual(BigInt("0x" + mine), 0n);
});
