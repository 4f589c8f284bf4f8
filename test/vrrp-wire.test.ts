/**
 * What onair puts on the wire, decoded by tshark: every VRRP packet it sends
 * (v2 PASS multicast, v3 unicast, adverts and the priority-0 on shutdown) is
 * valid VRRP with a good checksum and the expected fields, and its gratuitous
 * ARPs are broadcast requests with sender = target = VIP. Two instances in
 * one daemon run side by side on their own VRIDs.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type Proc, sleep, startProcess, tempDir, waitFor } from "./helpers/env.js";
import { createLab, hasAddress, nsExec, onairReady, startOnair } from "./helpers/netns.js";

type Layers = Record<string, Record<string, unknown>>;

function field(l: Layers, proto: string, name: string): string | undefined {
  const p = l[proto];
  if (!p) return undefined;
  const find = (o: Record<string, unknown>): string | undefined => {
    for (const [k, v] of Object.entries(o)) {
      if (k === name) return Array.isArray(v) ? String(v[0]) : String(v);
      if (v && typeof v === "object" && !Array.isArray(v)) {
        const r = find(v as Record<string, unknown>);
        if (r !== undefined) return r;
      }
    }
    return undefined;
  };
  return find(p);
}

test("tshark decodes onair's adverts (v2 PASS multicast, v3 unicast) and gratuitous ARPs", async (t) => {
  const dir = tempDir(t);
  const lab = await createLab(t, [
    { name: "node1", host: 1 },
    { name: "node2", host: 2 },
  ]);
  const pcap = join(dir, "onair.pcap");
  const cap = startProcess(t, "ip", [
    "netns",
    "exec",
    lab.bridgeNs,
    "tshark",
    "-i",
    "br0",
    "-f",
    "ip proto 112 or arp",
    "-w",
    pcap,
  ]);
  await waitFor(() => /Capturing on/.test(cap.stderr()), 15_000, "tshark capturing");
  const conf1 = join(dir, "v2.conf");
  writeFileSync(
    conf1,
    `vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 255
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass mysecretpass
    }
    virtual_ipaddress {
        198.18.0.100/24
    }
}
vrrp_instance VI_2 {
    state MASTER
    interface eth0
    virtual_router_id 52
    priority 255
    advert_int 2
    virtual_ipaddress {
        198.18.0.102/24
        198.18.0.103/24
    }
}
`,
  );
  const conf2 = join(dir, "v3.conf");
  writeFileSync(
    conf2,
    `global_defs {
    vrrp_version 3
}
vrrp_instance VI_3 {
    state MASTER
    interface eth0
    virtual_router_id 53
    priority 255
    advert_int 0.5
    unicast_src_ip 198.18.0.2
    unicast_peer {
        198.18.0.1
    }
    virtual_ipaddress {
        198.18.0.101/24
    }
}
`,
  );
  const n1: Proc = startOnair(t, lab.node("node1").ns, conf1);
  const n2: Proc = startOnair(t, lab.node("node2").ns, conf2);
  await waitFor(() => onairReady(n1) && onairReady(n2), 15_000, "nodes ready");
  await sleep(2500);
  assert.ok(await hasAddress(lab.node("node1").ns, "198.18.0.100"));
  assert.ok(await hasAddress(lab.node("node1").ns, "198.18.0.103"));
  assert.ok(await hasAddress(lab.node("node2").ns, "198.18.0.101"));
  n1.kill("SIGTERM");
  n2.kill("SIGTERM");
  assert.equal(await n1.exited, 0);
  assert.equal(await n2.exited, 0);
  await sleep(300);
  cap.kill("SIGINT");
  await cap.exited;

  const json = await nsExec(lab.bridgeNs, "tshark", ["-r", pcap, "-T", "json"]);
  const packets = (JSON.parse(json) as { _source: { layers: Layers } }[]).map((p) => p._source.layers);
  const vrrp = packets.filter((l) => l.vrrp);
  const seen = new Map<string, number[]>();
  for (const l of vrrp) {
    const vrid = field(l, "vrrp", "vrrp.virt_rtr_id")!;
    const prio = Number(field(l, "vrrp", "vrrp.prio"));
    seen.set(vrid, [...(seen.get(vrid) ?? []), prio]);
    assert.equal(field(l, "vrrp", "vrrp.checksum.status"), "1", `good checksum (VRID ${vrid})`);
    assert.equal(field(l, "ip", "ip.ttl"), "255");
    assert.equal(field(l, "ip", "ip.dsfield"), "0xc0");
    assert.equal(field(l, "vrrp", "vrrp.type"), "1");
    if (vrid === "51") {
      assert.equal(field(l, "vrrp", "vrrp.version"), "2");
      assert.equal(field(l, "ip", "ip.src"), "198.18.0.1");
      assert.equal(field(l, "ip", "ip.dst"), "224.0.0.18");
      assert.equal(field(l, "vrrp", "vrrp.auth_type"), "1");
      assert.equal(field(l, "vrrp", "vrrp.auth_string"), "mysecret");
      assert.equal(field(l, "vrrp", "vrrp.adver_int"), "1");
      assert.equal(field(l, "vrrp", "vrrp.ip_addr"), "198.18.0.100");
    } else if (vrid === "52") {
      assert.equal(field(l, "vrrp", "vrrp.addr_count"), "2");
      assert.equal(field(l, "vrrp", "vrrp.adver_int"), "2");
      assert.equal(field(l, "vrrp", "vrrp.auth_type"), "0");
    } else {
      assert.equal(vrid, "53");
      assert.equal(field(l, "vrrp", "vrrp.version"), "3");
      assert.equal(field(l, "ip", "ip.src"), "198.18.0.2");
      assert.equal(field(l, "ip", "ip.dst"), "198.18.0.1");
      assert.equal(field(l, "vrrp", "vrrp.short_adver_int"), "50");
      assert.equal(field(l, "vrrp", "vrrp.ip_addr"), "198.18.0.101");
    }
  }
  for (const vrid of ["51", "52", "53"]) {
    const prios = seen.get(vrid) ?? [];
    assert.ok(prios.filter((p) => p === 255).length >= 2, `VRID ${vrid} adverts: ${prios}`);
    assert.equal(prios.at(-1), 0, `VRID ${vrid} ends with priority 0`);
  }
  const garps = packets.filter((l) => l.arp && field(l, "arp", "arp.src.proto_ipv4") === "198.18.0.100");
  assert.ok(garps.length >= 5, `gratuitous ARPs for the VIP: ${garps.length}`);
  for (const l of garps) {
    assert.equal(field(l, "arp", "arp.isgratuitous"), "1");
    assert.equal(field(l, "arp", "arp.opcode"), "1");
    assert.equal(field(l, "arp", "arp.dst.proto_ipv4"), "198.18.0.100");
    assert.equal(field(l, "eth", "eth.dst"), "ff:ff:ff:ff:ff:ff");
    assert.equal(field(l, "arp", "arp.src.hw_mac"), lab.node("node1").mac);
  }
});
