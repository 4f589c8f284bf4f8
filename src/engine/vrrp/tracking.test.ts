import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { makeConfig, makeInstance, makeScript } from "../../../test/vrrp-health-fixtures.js";
import { FakeClock } from "../clock.js";
import { type CheckStatus, effectivePriority, RiseFallCounter, TrackingModel } from "./tracking.js";
import { type CheckOutcome, CheckScheduler } from "./tracking-scheduler.js";

test("rise/fall: the first result decides, then fall failures to go bad and rise successes to come back", () => {
  const c = new RiseFallCounter(2, 3);
  assert.equal(c.status, "init");
  assert.equal(c.record(true), true); // one success is enough at start (keepalived: result = rise - 1)
  assert.equal(c.status, "good");
  assert.equal(c.record(false), false);
  assert.equal(c.record(false), false);
  assert.equal(c.status, "good");
  assert.equal(c.record(false), true); // third consecutive failure
  assert.equal(c.status, "bad");
  assert.equal(c.record(true), false); // first success of two
  assert.equal(c.status, "bad");
  assert.equal(c.record(false), false); // a failure resets the climb
  assert.equal(c.record(true), false);
  assert.equal(c.record(true), true);
  assert.equal(c.status, "good");
  // a success in between failures restores the full margin
  c.record(false);
  c.record(false);
  c.record(true);
  c.record(false);
  c.record(false);
  assert.equal(c.status, "good");
  c.record(false);
  assert.equal(c.status, "bad");
});

test("rise/fall: a first failure makes the check bad at once", () => {
  const c = new RiseFallCounter(3, 3);
  assert.equal(c.record(false), true);
  assert.equal(c.status, "bad");
});

test("rise/fall property: n consecutive results flip the status exactly at rise/fall", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), (rise, fall) => {
      const c = new RiseFallCounter(rise, fall);
      const st = (): CheckStatus => c.status;
      c.record(true);
      for (let i = 1; i < fall; i++) {
        c.record(false);
        if (st() !== "good") return false;
      }
      c.record(false);
      if (st() !== "bad") return false;
      for (let i = 1; i < rise; i++) {
        c.record(true);
        if (st() !== "bad") return false;
      }
      c.record(true);
      return c.status === "good";
    }),
  );
});

test("effective priority clamps to 1..254 and never moves an owner", () => {
  assert.equal(effectivePriority(150, -20), 130);
  assert.equal(effectivePriority(150, -51), 99);
  assert.equal(effectivePriority(50, -100), 1);
  assert.equal(effectivePriority(250, 30), 254);
  assert.equal(effectivePriority(255, -100), 255);
  assert.equal(effectivePriority(255, 10), 255);
});

function guideModel(weight: number, over: { rise?: number; fall?: number } = {}) {
  const cfg = makeConfig(
    [makeInstance("VI_1", { trackScript: [{ name: "chk_nginx", weight: null }] })],
    [makeScript("chk_nginx", { script: "/usr/local/bin/check_nginx.sh", interval: 2000, weight, ...over })],
  );
  return new TrackingModel(cfg, { trackPrimaryInterface: false });
}

test("negative weight: subtracted while failing (the guide: 150 - 20 = 130)", () => {
  const m = guideModel(-20);
  assert.equal(m.verdict("VI_1").effectivePriority, 150); // init: no contribution
  m.recordScript("chk_nginx", true);
  assert.equal(m.verdict("VI_1").effectivePriority, 150);
  const r = m.recordScript("chk_nginx", false);
  assert.deepEqual(r.instances, ["VI_1"]);
  const v = m.verdict("VI_1");
  assert.equal(v.effectivePriority, 130);
  assert.equal(v.delta, -20);
  assert.equal(v.fault, null);
  assert.deepEqual(v.failing, [{ kind: "script", name: "chk_nginx", weight: -20 }]);
  m.recordScript("chk_nginx", true);
  assert.equal(m.verdict("VI_1").effectivePriority, 150);
});

test("weight -51 drops the guide's master to 99", () => {
  const m = guideModel(-51);
  m.recordScript("chk_nginx", false);
  assert.equal(m.verdict("VI_1").effectivePriority, 99);
});

test("positive weight: added while healthy only", () => {
  const m = guideModel(30);
  m.recordScript("chk_nginx", true);
  assert.equal(m.verdict("VI_1").effectivePriority, 180);
  m.recordScript("chk_nginx", false);
  assert.equal(m.verdict("VI_1").effectivePriority, 150);
});

test("weight 0: a failing check puts the instance in FAULT, and it comes back", () => {
  const m = guideModel(0, { fall: 2, rise: 2 });
  m.recordScript("chk_nginx", true);
  assert.equal(m.verdict("VI_1").fault, null);
  m.recordScript("chk_nginx", false);
  assert.equal(m.verdict("VI_1").fault, null);
  m.recordScript("chk_nginx", false);
  assert.equal(m.verdict("VI_1").fault, "vrrp_script chk_nginx failed");
  assert.equal(m.verdict("VI_1").effectivePriority, 150); // priority untouched; FAULT advertises nothing
  m.recordScript("chk_nginx", true);
  assert.notEqual(m.verdict("VI_1").fault, null);
  m.recordScript("chk_nginx", true);
  assert.equal(m.verdict("VI_1").fault, null);
});

test("per-instance weight override and summed deltas, clamped", () => {
  const cfg = makeConfig(
    [
      makeInstance("VI_1", {
        priority: 100,
        trackScript: [
          { name: "a", weight: null },
          { name: "b", weight: -60 },
        ],
      }),
      makeInstance("VI_2", { virtualRouterId: 52, priority: 200, trackScript: [{ name: "a", weight: 80 }] }),
    ],
    [makeScript("a", { weight: -50 }), makeScript("b", { weight: -5 })],
  );
  const m = new TrackingModel(cfg, { trackPrimaryInterface: false });
  m.recordScript("a", false);
  m.recordScript("b", false);
  const v1 = m.verdict("VI_1");
  assert.equal(v1.rawDelta, -110);
  assert.equal(v1.effectivePriority, 1);
  assert.equal(v1.delta, -99);
  // VI_2 overrides a's weight to +80: failing adds nothing
  assert.equal(m.verdict("VI_2").effectivePriority, 200);
  m.recordScript("a", true);
  assert.equal(m.verdict("VI_2").effectivePriority, 254); // 280 clamped
  assert.equal(m.verdict("VI_1").effectivePriority, 40);
});

test("address owner (255) is never changed by weights, but weight 0 still faults it", () => {
  const cfg = makeConfig(
    [
      makeInstance("VI_1", {
        priority: 255,
        trackScript: [
          { name: "w", weight: null },
          { name: "z", weight: null },
        ],
      }),
    ],
    [makeScript("w", { weight: -100 }), makeScript("z", { weight: 0 })],
  );
  const m = new TrackingModel(cfg, { trackPrimaryInterface: false });
  m.recordScript("w", false);
  m.recordScript("z", true);
  assert.equal(m.verdict("VI_1").effectivePriority, 255);
  assert.equal(m.verdict("VI_1").delta, 0);
  m.recordScript("z", false);
  assert.equal(m.verdict("VI_1").fault, "vrrp_script z failed");
});

test("track_interface: down faults (weight 0), weighted interfaces add or subtract; the primary is tracked", () => {
  const cfg = makeConfig([
    makeInstance("VI_1", {
      interface: "veth0",
      trackInterface: [
        { name: "uplink", weight: null },
        { name: "spare", weight: -30 },
      ],
    }),
  ]);
  const m = new TrackingModel(cfg);
  assert.deepEqual(m.trackedInterfaces().sort(), ["spare", "uplink", "veth0"]);
  m.setInterface("veth0", true);
  m.setInterface("uplink", true);
  m.setInterface("spare", true);
  assert.equal(m.verdict("VI_1").fault, null);
  assert.equal(m.setInterface("uplink", false).changed, true);
  assert.equal(m.verdict("VI_1").fault, "interface uplink down");
  assert.equal(m.setInterface("uplink", false).changed, false);
  m.setInterface("uplink", true);
  assert.equal(m.verdict("VI_1").fault, null);
  m.setInterface("spare", false);
  assert.equal(m.verdict("VI_1").effectivePriority, 120);
  m.setInterface("veth0", false);
  assert.equal(m.verdict("VI_1").fault, "interface veth0 down");
});

test("scheduler: first run at once, then every interval; overlapping runs are skipped; rise/fall over time", async () => {
  const clock = new FakeClock();
  const m = guideModel(-20, { fall: 2, rise: 2 });
  const results: boolean[] = [true, false, false, true, true];
  const starts: number[] = [];
  const pending: ((o: CheckOutcome) => void)[] = [];
  const seen: number[] = [];
  const sched = new CheckScheduler({
    clock,
    intervalMs: 2000,
    run: () => {
      starts.push(clock.now());
      return new Promise<CheckOutcome>((resolve) => pending.push(resolve));
    },
    onResult: (o) => {
      m.recordScript("chk_nginx", o.ok);
      seen.push(m.verdict("VI_1").effectivePriority);
    },
  });
  sched.start();
  const settle = () => new Promise((r) => setImmediate(r));
  for (let i = 0; i < results.length; i++) {
    clock.advance(i === 0 ? 0 : 2000);
    assert.equal(pending.length, 1, `run ${i} started`);
    pending.shift()!({ ok: results[i]!, detail: results[i] ? "exit status 0" : "exit status 1" });
    await settle();
  }
  assert.deepEqual(starts, [0, 2000, 4000, 6000, 8000]);
  assert.deepEqual(seen, [150, 150, 130, 130, 150]);
  // a hung run: the next due run is skipped, not doubled
  clock.advance(2000);
  assert.equal(pending.length, 1);
  clock.advance(2000);
  assert.equal(pending.length, 1);
  assert.equal(sched.skipped, 1);
  pending.shift()!({ ok: true, detail: "" });
  await settle();
  const stopped = sched.stop();
  await stopped;
  clock.advance(10000);
  assert.equal(pending.length, 0);
});

test("scheduler: a check that throws counts as a failure", async () => {
  const clock = new FakeClock();
  const outcomes: CheckOutcome[] = [];
  const sched = new CheckScheduler({
    clock,
    intervalMs: 1000,
    run: async () => {
      throw new Error("boom");
    },
    onResult: (o) => outcomes.push(o),
  });
  sched.start();
  clock.advance(0);
  await new Promise((r) => setImmediate(r));
  assert.equal(outcomes.length, 1);
  assert.equal(outcomes[0]!.ok, false);
  assert.match(outcomes[0]!.detail, /boom/);
  await sched.stop();
});
