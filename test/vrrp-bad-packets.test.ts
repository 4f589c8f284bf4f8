/**
 * Crafted bad packets, sent with onair's own addon from a third namespace,
 * change no state and crash nothing: each receive check (TTL, checksum,
 * version, type, VRID, auth type, password, v2 interval, address count and
 * list), truncated and oversized packets, random bytes. Every one claims
 * priority 254 against a priority-150 master; a final valid advert of the
 * same kind does take the VIP away, so the channel itself works.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseIpv4 } from "../src/protocol/ipv4/ipv4-address.js";
import { AdvertEncoder, type AdvertFields } from "../src/protocol/vrrp/advert-encoder.js";
import { projectRoot, sleep, startProcess, tempDir, waitFor } from "./helpers/env.js";
import { createLab, guideConfig, hasAddress, onairReady, startOnair, waitHolder } from "./helpers/netns.js";

const VIP = "198.18.0.100";

/** Runs in the attacker namespace: sends each (hex, ttl) to 224.0.0.18 through the addon. */
const SENDER = `
const net = require(${JSON.stringify(`${projectRoot}native/build/Release/onair_net.node`)});
const list = JSON.parse(process.argv[1]);
const socks = new Map();
const sock = (ttl) => { if (!socks.has(ttl)) socks.set(ttl, net.openVrrpSocket({ ifname: "eth0", src: "198.18.0.66", ttl })); return socks.get(ttl); };
let sent = 0;
for (let round = 0; round < 3; round++)
  for (const [hex, ttl] of list) if (net.vrrpSend(sock(ttl), Buffer.from(hex, "hex"), "224.0.0.18") >= 0) sent++;
for (const s of socks.values()) net.vrrpClose(s);
console.log("sent", sent);
`;

function crafted(): { name: string; hex: string; ttl: number }[] {
  const good: AdvertFields = {
    version: 2,
    vrid: 51,
    addresses: [parseIpv4(VIP)!],
    adverInt: 1000,
    authPass: "mysecretpass",
  };
  const src = parseIpv4("198.18.0.66")!;
  const grp = parseIpv4("224.0.0.18")!;
  const enc = (f: Partial<AdvertFields>) =>
    Buffer.from(new AdvertEncoder({ ...good, ...f }, src, grp).encode(254));
  const valid = enc({});
  const mutate = (at: number, v: number) => {
    const b = Buffer.from(valid);
    b[at] = v;
    return b;
  };
  const badSum = mutate(6, valid[6]! ^ 0x40);
  const badType = mutate(0, 0x22);
  const rnd = Buffer.alloc(48);
  for (let i = 0; i < rnd.length; i++) rnd[i] = (i * 97 + 13) & 255;
  const list: [string, Buffer, number][] = [
    ["ttl", valid, 64],
    ["checksum", badSum, 255],
    ["version", enc({ version: 3, authPass: null }), 255],
    ["type", badType, 255],
    ["vrid", enc({ vrid: 52 }), 255],
    ["auth_type", enc({ authPass: null }), 255],
    ["auth_failure", enc({ authPass: "wrongpwd" }), 255],
    ["interval", enc({ adverInt: 3000 }), 255],
    ["addr_count", enc({ addresses: [parseIpv4(VIP)!, parseIpv4("198.18.0.101")!] }), 255],
    ["addr_list", enc({ addresses: [parseIpv4("198.18.0.99")!] }), 255],
    ["truncated", valid.subarray(0, 11), 255],
    ["truncated-header", valid.subarray(0, 3), 255],
    ["oversized", Buffer.concat([valid, Buffer.alloc(1400, 0xaa)]), 255],
    ["random", rnd, 255],
    ["empty", Buffer.alloc(0), 255],
  ];
  return list.map(([name, b, ttl]) => ({ name, hex: b.toString("hex"), ttl }));
}

test("crafted bad packets change no state and crash nothing; a valid one does", async (t) => {
  const dir = tempDir(t);
  const lab = await createLab(t, [
    { name: "node1", host: 1 },
    { name: "evil", host: 66 },
  ]);
  const conf = join(dir, "node1.conf");
  writeFileSync(conf, guideConfig("master"));
  const n1 = startOnair(t, lab.node("node1").ns, conf);
  await waitFor(() => onairReady(n1), 15_000, "onair ready");
  await waitHolder(lab.node("node1").ns, VIP, performance.now(), 8000);

  const send = async (list: { hex: string; ttl: number }[]) => {
    const p = startProcess(t, "ip", [
      "netns",
      "exec",
      lab.node("evil").ns,
      process.execPath,
      "-e",
      SENDER,
      JSON.stringify(list.map((x) => [x.hex, x.ttl])),
    ]);
    assert.equal(await p.exited, 0, p.stderr());
    return p.stdout();
  };
  const bad = crafted();
  const out = await send(bad);
  assert.match(out, new RegExp(`sent ${bad.length * 3}`));
  await sleep(1500);
  assert.equal(n1.child.exitCode, null, "onair still running");
  assert.ok(await hasAddress(lab.node("node1").ns, VIP), "still MASTER with the VIP");
  assert.doesNotMatch(n1.stderr(), /Entering BACKUP STATE \(higher/);
  for (const reason of [
    "ttl",
    "checksum",
    "version",
    "type",
    "auth_type_mismatch",
    "auth_failure",
    "interval_mismatch",
    "addr_count",
    "addr_list",
    "too_short",
    "too_long",
  ]) {
    assert.match(n1.stderr(), new RegExp(`dropped on eth0.*: ${reason}\\b`), `drop reason ${reason} logged`);
  }

  // Control: the same advert, valid, makes node1 step down at once.
  const valid = crafted().find((c) => c.name === "ttl")!;
  await send([{ hex: valid.hex, ttl: 255 }]);
  await waitFor(
    async () => !(await hasAddress(lab.node("node1").ns, VIP)),
    2000,
    "VIP released to priority 254",
  );
  assert.match(n1.stderr(), /Entering BACKUP STATE \(higher priority advert\)/);
});
