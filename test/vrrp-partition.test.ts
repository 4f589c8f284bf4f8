/**
 * Issue 7, partition heal with two onair nodes: node1's port is taken off the
 * bridge with its carrier up (both nodes become MASTER, the client follows
 * node2), then put back, 15 times, while a client opens a TCP connection to a
 * web server on the VIP every 10 ms. The heals alternate between the two
 * orders that matter (aimed with tshark at the advert phases, and checked on
 * the wire): the winner's advert reaches the loser first (the loser yields
 * with one advert, which makes the winner send its advert and gratuitous ARPs
 * at once; keepalived's loser says nothing there), or the loser's reaches the
 * winner first (the winner answers with advert and ARPs). No heal leaves the
 * client without an answer for more than 1 s, and after each heal node1 alone
 * holds the VIP and the client's ARP entry names it. Kernel-default neighbour
 * timers on the client (a missed ARP update would cost tens of seconds).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { tempDir } from "./helpers/env.js";
import {
  type HealPhase,
  healLab,
  partitionAndHeal,
  settled,
  startNode,
  startProbe,
  summary,
  watchAdverts,
} from "./vrrp-partition-lab.js";

const HEALS = 15;

test(`onair pair: ${HEALS} partition heals, each outage ≤ 1 s, one holder, the client's ARP entry names it`, async (t) => {
  const dir = tempDir(t);
  const lab = await healLab(t);
  const watches = {
    winner: await watchAdverts(t, lab.node("node1").ns, "eth0"),
    bridge: await watchAdverts(t, lab.bridgeNs, "br0"),
  };
  await startNode(t, lab, dir, "node2", "onair");
  await startNode(t, lab, dir, "node1", "onair");
  const probe = await startProbe(t, lab);
  await settled(lab, probe);
  const outages: number[] = [];
  const phases = new Map<HealPhase, number>();
  for (let i = 0; i < HEALS; i++) {
    const phase: HealPhase = i % 2 === 0 ? "winner first" : "loser first";
    // 5 s bound: a failure shows as an outage above 1 s without waiting for the ARP entry to age out.
    const r = await partitionAndHeal(lab, probe, 5_000, { phase, watches });
    outages.push(Math.round(r.outage));
    phases.set(r.phase!, (phases.get(r.phase!) ?? 0) + 1);
    const what = `heal ${i + 1} (${r.phase})`;
    assert.ok(r.outage <= 1000, `${what}: the client had no answer for ${r.outage.toFixed(0)} ms`);
    assert.deepEqual(r.holders, ["node1"], `${what}: one holder`);
    assert.ok(r.arpOk, `${what}: the client's ARP entry names node1`);
  }
  t.diagnostic(`heal outages (ms): ${outages.join(" ")} ${JSON.stringify(summary(outages))}`);
  t.diagnostic(`phases seen on the wire: ${JSON.stringify(Object.fromEntries(phases))}`);
  assert.ok((phases.get("winner first") ?? 0) >= 3, "the winner-first order was exercised");
  assert.ok((phases.get("loser first") ?? 0) >= 3, "the loser-first order was exercised");
});
