/**
 * Issue 7 in the pure state machine, on a FakeClock: two masters meeting when
 * a partition heals (whichever is heard first, the loser yields with one
 * advert and drops its VIPs in the same step, the winner ARPs at once), the
 * peer priority/address kept for status, and garp_master_refresh across
 * transitions.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../clock.js";
import { InstanceDriver } from "./instance-driver.js";
import type { InstanceParams, VrrpAction } from "./vrrp-instance.js";
import { masterDownInterval } from "./vrrp-timers.js";

const base: InstanceParams = {
  name: "VI_1",
  version: 2,
  basePriority: 100,
  adverInt: 1000,
  initialState: "BACKUP",
  nopreempt: false,
  preemptDelay: 0,
  garpMasterDelay: 5000,
  garpMasterRefresh: 0,
  primaryAddress: 0xc6120002,
};

function make(over: Partial<InstanceParams> = {}) {
  const clock = new FakeClock(1000);
  const log: { at: number; a: VrrpAction }[] = [];
  const d = new InstanceDriver({ ...base, ...over }, clock, (as) => {
    for (const a of as) log.push({ at: clock.now(), a });
  });
  const types = () =>
    log.map((l) =>
      l.a.type === "send-advert"
        ? `advert:${l.a.priority}`
        : l.a.type === "transition"
          ? `${l.a.from}->${l.a.to}`
          : l.a.type,
    );
  const clear = () => {
    log.length = 0;
  };
  const advert = (priority: number, src = 0xc6120001, adverInt = 1000) =>
    d.dispatch({ type: "advert", priority, src, adverInt });
  return { clock, d, log, types, clear, advert };
}

/** Two drivers on a wire that can be cut: node 0 (150) and node 1 (100); the wire delay per direction. */
function pair(delay: [number, number]) {
  const clock = new FakeClock(0);
  const nodes: InstanceDriver[] = [];
  const logs: { at: number; a: VrrpAction }[][] = [[], []];
  let cut = false;
  const wire = (from: number) => (as: VrrpAction[]) => {
    for (const a of as) {
      logs[from]!.push({ at: clock.now(), a });
      if (a.type !== "send-advert" || cut) continue;
      const other = nodes[1 - from]!;
      const src = nodes[from]!.params.primaryAddress;
      const prio = a.priority;
      clock.setTimeout(() => {
        if (!cut) other.dispatch({ type: "advert", priority: prio, src, adverInt: 1000 });
      }, delay[from]!);
    }
  };
  nodes.push(
    new InstanceDriver(
      { ...base, basePriority: 150, initialState: "MASTER", primaryAddress: 1 },
      clock,
      wire(0),
    ),
  );
  nodes.push(new InstanceDriver({ ...base, basePriority: 100, primaryAddress: 2 }, clock, wire(1)));
  return {
    clock,
    nodes,
    logs,
    setCut(v: boolean) {
      cut = v;
    },
  };
}

/** Partitions a pair and heals it `offset` ms into the second; returns who was heard first. */
function healOnce(offset: number): "winner first" | "loser first" {
  const w = pair([1, 1]);
  w.nodes[1]!.dispatch({ type: "start" });
  w.nodes[0]!.dispatch({ type: "start" });
  w.clock.advance(10_000);
  assert.deepEqual(
    w.nodes.map((n) => n.state.state),
    ["MASTER", "BACKUP"],
  );
  w.setCut(true);
  w.clock.advance(5_000);
  assert.deepEqual(
    w.nodes.map((n) => n.state.state),
    ["MASTER", "MASTER"],
    "both MASTER while apart",
  );
  w.clock.advance(Math.ceil(w.clock.now() / 1000) * 1000 + offset - w.clock.now());
  const first = w.nodes[0]!.state.adverAt! < w.nodes[1]!.state.adverAt! ? "winner first" : "loser first";
  w.setCut(false);
  w.logs[0]!.length = 0;
  w.logs[1]!.length = 0;
  w.clock.advance(1_100);
  assert.deepEqual(
    w.nodes.map((n) => n.state.state),
    ["MASTER", "BACKUP"],
  );
  const yieldAt = w.logs[1]!.find((l) => l.a.type === "remove-vips")!.at;
  const loser = w.logs[1]!.filter((l) => l.at === yieldAt).map((l) => l.a.type);
  assert.deepEqual(
    loser,
    ["send-advert", "remove-vips", "transition"],
    "yield advert + VIP removal in one step",
  );
  const garp = w.logs[0]!.find((l) => l.a.type === "garp");
  assert.ok(garp, `${first}: the winner sends gratuitous ARPs`);
  assert.ok(garp.at - yieldAt <= 2, `${first}: winner ARPs ${garp.at - yieldAt} ms after the loser yields`);
  assert.equal(w.nodes[0]!.state.peerPriority, 100);
  assert.equal(w.nodes[1]!.state.peerPriority, 150);
  return first;
}

test("partition heal, whichever master is heard first: the loser yields with one advert and drops the VIP, the winner ARPs at once", () => {
  const seen = new Set<string>();
  for (let offset = 0; offset < 1000; offset += 50) seen.add(healOnce(offset));
  assert.deepEqual([...seen].sort(), ["loser first", "winner first"], "both orders exercised");
});

test("peerPriority/peerAddress: what a backup heard is kept when it becomes MASTER; priority 0 is not recorded", () => {
  const { d, clock, advert } = make();
  d.dispatch({ type: "start" });
  assert.equal(d.state.peerPriority, null);
  advert(120, 0xc6120001);
  assert.equal(d.state.peerPriority, 120);
  assert.equal(d.state.peerAddress, 0xc6120001);
  advert(0, 0xc6120001);
  assert.equal(d.state.peerPriority, 120, "a stopping peer keeps its last real priority");
  clock.advance(5000);
  assert.equal(d.state.state, "MASTER");
  assert.equal(d.state.peerPriority, 120, "kept while MASTER (backups are silent)");
  advert(90, 0xc6120003);
  assert.equal(d.state.peerPriority, 90, "a lower master heard while MASTER");
  assert.equal(d.state.peerAddress, 0xc6120003);
});

test("garp_master_refresh: refresh ARPs stop on leaving MASTER and restart on the next takeover", () => {
  const { d, clock, types, clear, advert } = make({ garpMasterDelay: 0, garpMasterRefresh: 1500 });
  d.dispatch({ type: "start" });
  clock.advance(masterDownInterval(2, 100, 1000));
  clear();
  clock.advance(3000);
  assert.equal(types().filter((t) => t === "garp").length, 2);
  advert(200);
  clear();
  clock.advance(2000);
  assert.deepEqual(types(), [], "silent as BACKUP");
  clock.advance(masterDownInterval(2, 100, 1000));
  assert.equal(d.state.state, "MASTER");
  clear();
  clock.advance(1500);
  assert.ok(types().includes("garp"), "refresh again as MASTER");
});
