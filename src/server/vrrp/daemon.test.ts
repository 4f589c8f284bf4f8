import assert from "node:assert/strict";
import { test } from "node:test";
import type { KeepalivedConfig, VrrpInstanceConfig } from "../../config/types.js";
import { memoryLogger } from "../../util/logger.js";
import { startVrrpDaemon } from "./daemon.js";

function config(over: Partial<VrrpInstanceConfig>): KeepalivedConfig {
  const inst = {
    name: "VI_1",
    state: "MASTER",
    interface: "lo",
    virtualRouterId: 51,
    priority: 150,
    advertInt: 1000,
    version: 2,
    auth: null,
    virtualIpaddress: [],
    unicastSrcIp: null,
    unicastPeer: [],
    pos: { file: "k.conf", line: 1 },
    ...over,
  } as unknown as VrrpInstanceConfig;
  return { instances: [inst] } as unknown as KeepalivedConfig;
}

test("unsupported configurations are refused before any I/O, naming the instance", async () => {
  const log = memoryLogger();
  const cases: [Partial<VrrpInstanceConfig>, RegExp][] = [
    [{ auth: { type: "AH", pass: "x" } }, /\(VI_1\) auth_type AH is not supported/],
    [
      { virtualIpaddress: [{ address: "2001:db8::1", prefixLen: 64, dev: null }] },
      /only IPv4 virtual addresses/,
    ],
    [{ unicastPeer: ["fe80::1"] }, /unicast_peer fe80::1 must be IPv4/],
  ];
  for (const [over, re] of cases) {
    await assert.rejects(
      startVrrpDaemon(config(over), { log, configFile: "k.conf" }),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, "ONAIR_VRRP_UNSUPPORTED");
        assert.match(err.message, re);
        return true;
      },
    );
  }
});
