/**
 * The VRRP state machine driven by a FakeClock through every transition of
 * RFC 5798 §6.4 (Initialize, Backup, Master) plus keepalived's choices.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { FakeClock } from "../clock.js";
import { InstanceDriver } from "./instance-driver.js";
import type { InstanceParams, VrrpAction } from "./vrrp-instance.js";
import { effectivePriority, masterDownInterval, skewTime } from "./vrrp-timers.js";

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

test("timers: v2 skew and Master_Down_Interval as keepalived, v3 scaled by the interval", () => {
  assert.equal(skewTime(2, 100, 1000), 609.375);
  assert.equal(masterDownInterval(2, 100, 1000), 3609.375);
  assert.equal(skewTime(2, 100, 3000), 609.375, "v2 skew does not depend on advert_int");
  assert.equal(skewTime(3, 100, 500), 304.6875);
  assert.equal(masterDownInterval(3, 150, 500), 1500 + (106 * 500) / 256);
  assert.equal(effectivePriority(150, -20), 130);
  assert.equal(effectivePriority(100, -200), 1);
  assert.equal(effectivePriority(250, 20), 254);
  assert.equal(effectivePriority(255, -50), 255);
});

test("§6.4.1 Initialize: address owner (255) becomes MASTER at once: advert, VIPs, ARPs", () => {
  const { d, types } = make({ basePriority: 255, initialState: "MASTER" });
  d.dispatch({ type: "start" });
  assert.equal(d.state.state, "MASTER");
  assert.deepEqual(types(), ["advert:255", "INIT->MASTER", "add-vips", "garp"]);
});

test("§6.4.1 Initialize: state MASTER below 255 starts BACKUP and takes over after Master_Down_Interval", () => {
  const { d, clock, types, log } = make({ basePriority: 150, initialState: "MASTER" });
  d.dispatch({ type: "start" });
  assert.equal(d.state.state, "BACKUP");
  assert.deepEqual(types(), ["INIT->BACKUP"]);
  const mdi = masterDownInterval(2, 150, 1000);
  clock.advance(mdi - 1);
  assert.equal(d.state.state, "BACKUP", "nothing is ever sent while BACKUP");
  assert.deepEqual(types(), ["INIT->BACKUP"]);
  clock.advance(1);
  assert.equal(d.state.state, "MASTER");
  assert.deepEqual(types(), ["INIT->BACKUP", "advert:150", "BACKUP->MASTER", "add-vips", "garp"]);
  assert.equal(log.at(-1)!.at, 1000 + mdi);
});

test("§6.4.3 Master: adverts every Advertisement_Interval, second ARP burst after garp_master_delay", () => {
  const { d, clock, types, clear } = make({ basePriority: 255 });
  d.dispatch({ type: "start" });
  clear();
  clock.advance(4999);
  assert.deepEqual(types(), ["advert:255", "advert:255", "advert:255", "advert:255"]);
  clear();
  clock.advance(1);
  assert.deepEqual(types(), ["advert:255", "garp"]);
  clear();
  clock.advance(10_000);
  assert.equal(types().filter((t) => t === "garp").length, 0, "no refresh unless garp_master_refresh");
});

test("garp_master_refresh: periodic ARPs while MASTER", () => {
  const { d, clock, types, clear } = make({ basePriority: 255, garpMasterDelay: 0, garpMasterRefresh: 2000 });
  d.dispatch({ type: "start" });
  clear();
  clock.advance(6000);
  assert.equal(types().filter((t) => t === "garp").length, 3);
});

test("§6.4.2 Backup: adverts of equal or higher priority reset the down timer", () => {
  const { d, clock, advert } = make();
  d.dispatch({ type: "start" });
  for (let i = 0; i < 10; i++) {
    clock.advance(1000);
    advert(150);
    advert(100, 0xc6120001);
  }
  assert.equal(d.state.state, "BACKUP");
  clock.advance(masterDownInterval(2, 100, 1000) - 1);
  assert.equal(d.state.state, "BACKUP");
  clock.advance(1);
  assert.equal(d.state.state, "MASTER");
});

test("§6.4.2 Backup: priority 0 from the master → MASTER after Skew_Time alone", () => {
  const { d, clock, advert } = make();
  d.dispatch({ type: "start" });
  clock.advance(500);
  advert(150);
  clock.advance(300);
  advert(0);
  clock.advance(skewTime(2, 100, 1000) - 1);
  assert.equal(d.state.state, "BACKUP");
  clock.advance(1);
  assert.equal(d.state.state, "MASTER");
});

test("§6.4.2 Backup with preemption: lower-priority adverts are discarded, the timer runs out", () => {
  const { d, clock, advert, log } = make({ basePriority: 150 });
  d.dispatch({ type: "start" });
  advert(100);
  for (let i = 0; i < 4; i++) {
    clock.advance(1000);
    if (d.state.state === "BACKUP") advert(100);
  }
  assert.equal(d.state.state, "MASTER");
  const t = log.find((l) => l.a.type === "transition" && l.a.to === "MASTER")!;
  assert.equal(t.at, 1000 + masterDownInterval(2, 150, 1000));
});

test("nopreempt (initial BACKUP): a lower-priority master keeps the VIP", () => {
  const { d, clock, advert } = make({ basePriority: 150, nopreempt: true });
  d.dispatch({ type: "start" });
  for (let i = 0; i < 20; i++) {
    advert(100);
    clock.advance(1000);
  }
  assert.equal(d.state.state, "BACKUP");
});

test("nopreempt and preempt_delay are ignored with initial state MASTER (keepalived)", () => {
  const { d, clock, advert } = make({
    basePriority: 150,
    nopreempt: true,
    preemptDelay: 60_000,
    initialState: "MASTER",
  });
  d.dispatch({ type: "start" });
  for (let i = 0; i < 5; i++) {
    advert(100);
    clock.advance(1000);
  }
  assert.equal(d.state.state, "MASTER");
});

test("preempt_delay: lower adverts accepted for the delay after the first one, then preempt", () => {
  const { d, clock, advert, log } = make({ basePriority: 150, preemptDelay: 5000 });
  d.dispatch({ type: "start" });
  for (let i = 0; i < 12 && d.state.state === "BACKUP"; i++) {
    advert(100);
    clock.advance(1000);
  }
  const t = log.find((l) => l.a.type === "transition" && l.a.to === "MASTER")!;
  // first lower advert at 1000 starts the delay (until 6000); the last one accepted is at 5000.
  assert.equal(t.at, 5000 + masterDownInterval(2, 150, 1000));
});

test("preempt_delay restarts when a higher-priority master shows up", () => {
  const { d, clock, advert } = make({ basePriority: 150, preemptDelay: 3000 });
  d.dispatch({ type: "start" });
  advert(100);
  clock.advance(2000);
  advert(200);
  assert.equal(d.state.preemptAt, 0);
});

test("§6.4.3 Master: higher priority → BACKUP: one last advert at our priority, VIPs gone, no priority 0", () => {
  const { d, types, clear } = make({ basePriority: 255 });
  d.dispatch({ type: "start" });
  clear();
  for (const over of [{}, { higherPrioSendAdvert: true }]) {
    const m = make({ basePriority: 100, ...over });
    m.d.dispatch({ type: "start" });
    m.clock.advance(masterDownInterval(2, 100, 1000));
    m.clear();
    m.advert(150);
    assert.equal(m.d.state.state, "BACKUP");
    // issue 7: the yield advert is always sent (keepalived: only with higher_prio_send_advert)
    assert.deepEqual(m.types(), ["advert:100", "remove-vips", "MASTER->BACKUP"]);
    assert.ok(
      m.log.every((l) => l.at === m.log[0]!.at),
      "all in the same step",
    );
  }
  assert.deepEqual(types(), [], "an address owner hears nothing higher");
});

test("§6.4.3 Master: equal priority is won by the higher primary address", () => {
  const hi = make({ primaryAddress: 0xc6120009 });
  hi.d.dispatch({ type: "start" });
  hi.clock.advance(5000);
  hi.clear();
  hi.advert(100, 0xc6120001);
  assert.equal(hi.d.state.state, "MASTER");
  assert.deepEqual(hi.types(), ["advert:100", "garp"]);
  const lo = make({ primaryAddress: 0xc6120001 });
  lo.d.dispatch({ type: "start" });
  lo.clock.advance(5000);
  lo.advert(100, 0xc6120009);
  assert.equal(lo.d.state.state, "BACKUP");
});

test("§6.4.3 Master: lower priority is answered at once with our advert (and ARPs)", () => {
  const { d, clock, types, clear, advert, log } = make();
  d.dispatch({ type: "start" });
  clock.advance(4000);
  clear();
  clock.advance(250);
  advert(50);
  assert.deepEqual(types(), ["advert:100", "garp"]);
  assert.equal(log[0]!.at, 5250);
  clear();
  clock.advance(999);
  assert.deepEqual(types(), [], "advert timer restarted from the answer");
  clock.advance(1);
  assert.deepEqual(types(), ["advert:100"]);
});

test("§6.4.3 Master: priority 0 from another router is answered at once", () => {
  const { d, clock, types, clear, advert } = make();
  d.dispatch({ type: "start" });
  clock.advance(4000);
  clear();
  advert(0);
  assert.deepEqual(types(), ["advert:100"]);
  assert.equal(d.state.state, "MASTER");
});

test("§6.4.3 Shutdown: master sends priority 0 and removes the VIPs; a backup sends nothing", () => {
  const m = make();
  m.d.dispatch({ type: "start" });
  m.clock.advance(4000);
  m.clear();
  m.d.dispatch({ type: "shutdown" });
  assert.deepEqual(m.types(), ["advert:0", "remove-vips", "MASTER->STOP"]);
  m.clear();
  m.clock.advance(10_000);
  assert.deepEqual(m.types(), []);
  const b = make();
  b.d.dispatch({ type: "start" });
  b.clear();
  b.d.dispatch({ type: "shutdown" });
  assert.deepEqual(b.types(), ["BACKUP->STOP"]);
});

test("FAULT: master sends priority 0, drops VIPs, stays silent, returns to BACKUP when cleared", () => {
  const { d, clock, types, clear, advert } = make();
  d.dispatch({ type: "start" });
  clock.advance(4000);
  clear();
  d.dispatch({ type: "fault", reason: "eth0 down" });
  assert.deepEqual(types(), ["advert:0", "remove-vips", "MASTER->FAULT"]);
  clear();
  advert(50);
  clock.advance(20_000);
  assert.deepEqual(types(), [], "silent in FAULT, adverts ignored");
  d.dispatch({ type: "fault", reason: null });
  assert.deepEqual(types(), ["FAULT->BACKUP"]);
  clock.advance(masterDownInterval(2, 100, 1000));
  assert.equal(d.state.state, "MASTER");
});

test("FAULT before start: the instance starts in FAULT", () => {
  const { d } = make();
  d.dispatch({ type: "fault", reason: "script" });
  d.dispatch({ type: "start" });
  assert.equal(d.state.state, "FAULT");
});

test("tracking: effective priority is sent and used to compare", () => {
  const { d, clock, types, clear, advert } = make({ basePriority: 150 });
  d.dispatch({ type: "start" });
  clock.advance(4000);
  d.dispatch({ type: "track", delta: -60 });
  clear();
  clock.advance(1000);
  assert.deepEqual(types(), ["advert:90"]);
  advert(100);
  assert.equal(d.state.state, "BACKUP");
});

test("v3: the backup adopts the master's advert interval for its down timer", () => {
  const { d, clock, advert, log } = make({ version: 3, adverInt: 1000 });
  d.dispatch({ type: "start" });
  advert(200, 0xc6120001, 200);
  clock.advance(masterDownInterval(3, 100, 200));
  assert.equal(d.state.state, "MASTER");
  assert.equal(log.at(-3)!.a.type, "transition");
});

test("two instances on a simulated wire: election, failover, preempt back", () => {
  const clock = new FakeClock(0);
  const nodes: InstanceDriver[] = [];
  const wire = (from: number) => (as: VrrpAction[]) => {
    for (const a of as) {
      if (a.type !== "send-advert") continue;
      const other = nodes[1 - from]!;
      const src = nodes[from]!.params.primaryAddress;
      clock.setTimeout(
        () => other.dispatch({ type: "advert", priority: a.priority, src, adverInt: 1000 }),
        1,
      );
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
  nodes[1]!.dispatch({ type: "start" });
  nodes[0]!.dispatch({ type: "start" });
  clock.advance(10_000);
  assert.deepEqual(
    nodes.map((n) => n.state.state),
    ["MASTER", "BACKUP"],
  );
  nodes[0]!.dispatch({ type: "shutdown" });
  clock.advance(skewTime(2, 100, 1000) + 2);
  assert.deepEqual(
    nodes.map((n) => n.state.state),
    ["STOP", "MASTER"],
  );
  nodes[0] = new InstanceDriver(
    { ...base, basePriority: 150, initialState: "MASTER", primaryAddress: 1 },
    clock,
    wire(0),
  );
  nodes[0].dispatch({ type: "start" });
  clock.advance(masterDownInterval(2, 150, 1000) + 5);
  assert.deepEqual(
    nodes.map((n) => n.state.state),
    ["MASTER", "BACKUP"],
  );
});

test("fuzz: random event sequences keep the invariants (nothing sent from BACKUP/FAULT, VIPs only with MASTER)", () => {
  fc.assert(
    fc.property(
      fc.record({
        prio: fc.integer({ min: 1, max: 255 }),
        nopreempt: fc.boolean(),
        delay: fc.constantFrom(0, 3000),
      }),
      fc.array(
        fc.oneof(
          fc.record({
            kind: fc.constant("advert" as const),
            prio: fc.integer({ min: 0, max: 255 }),
            src: fc.integer({ min: 1, max: 9 }),
          }),
          fc.record({ kind: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 5000 }) }),
          fc.record({ kind: fc.constant("track" as const), delta: fc.integer({ min: -300, max: 300 }) }),
          fc.record({ kind: fc.constant("fault" as const), on: fc.boolean() }),
        ),
        { maxLength: 40 },
      ),
      (cfg, events) => {
        const { d, clock, log } = make({
          basePriority: cfg.prio,
          nopreempt: cfg.nopreempt,
          preemptDelay: cfg.delay,
          primaryAddress: 5,
        });
        let state = "INIT";
        let vips = false;
        const check = () => {
          const batch = log.splice(0).map((l) => l.a);
          for (const [i, a] of batch.entries()) {
            if (a.type === "transition") state = a.to;
            else if (a.type === "add-vips") {
              assert.equal(state, "MASTER");
              vips = true;
            } else if (a.type === "remove-vips") vips = false;
            else if (a.type === "send-advert") {
              // the first advert of a new master goes out just before its transition (keepalived's order)
              const next = batch[i + 1];
              const becoming = next?.type === "transition" && next.to === "MASTER";
              assert.ok(state === "MASTER" || a.priority === 0 || becoming, `advert from ${state}`);
            }
          }
          assert.equal(state, d.state.state);
          assert.equal(vips, state === "MASTER");
          assert.ok(d.priority >= 1 && d.priority <= 255);
        };
        d.dispatch({ type: "start" });
        check();
        for (const e of events) {
          if (e.kind === "advert")
            d.dispatch({ type: "advert", priority: e.prio, src: e.src, adverInt: 1000 });
          else if (e.kind === "wait") clock.advance(e.ms);
          else if (e.kind === "track") d.dispatch({ type: "track", delta: e.delta });
          else d.dispatch({ type: "fault", reason: e.on ? "x" : null });
          check();
        }
        d.dispatch({ type: "shutdown" });
        check();
        clock.advance(60_000);
        assert.equal(log.length, 0, "silent after shutdown");
      },
    ),
    { numRuns: 300 },
  );
});
