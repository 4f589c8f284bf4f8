import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "./clock.js";
import { MEMORY_REDUCER_DEFAULTS, MemoryReducer } from "./memory-reducer.js";

function reducer(clock: FakeClock) {
  let runs = 0;
  const r = new MemoryReducer({ clock, collect: () => runs++, minChurn: 4, quietMs: 1000, maxDelayMs: 5000 });
  return { r, runs: () => runs };
}

test("a burst of connections is followed by one collection once it has been quiet for quietMs", () => {
  const clock = new FakeClock();
  const { r, runs } = reducer(clock);
  for (let i = 0; i < 4; i++) r.churn();
  clock.advance(999);
  assert.equal(r.tick(), false, "not before the burst has been quiet for quietMs");
  clock.advance(1);
  assert.equal(r.tick(), true);
  assert.equal(runs(), 1);
  clock.advance(10_000);
  assert.equal(r.tick(), false, "once per burst");
  assert.equal(runs(), 1);
});

test("fewer than minChurn connections never collect", () => {
  const clock = new FakeClock();
  const { r, runs } = reducer(clock);
  for (let i = 0; i < 3; i++) r.churn();
  clock.advance(60_000);
  assert.equal(r.tick(), false);
  assert.equal(runs(), 0);
  r.churn(); // the fourth, much later: counted with the others
  clock.advance(1000);
  assert.equal(r.tick(), true);
});

test("a server that is never quiet still collects maxDelayMs after a burst began", () => {
  const clock = new FakeClock();
  const { r, runs } = reducer(clock);
  for (let t = 0; t < 4900; t += 500) {
    r.churn();
    assert.equal(r.tick(), false, `at ${t} ms: still within maxDelayMs, never quiet`);
    clock.advance(500);
  }
  r.churn();
  assert.equal(r.tick(), true, "at 5000 ms");
  assert.equal(runs(), 1);
  assert.equal(r.collections, 1);
});

test("maxDelayMs counts from the start of the current burst, not from churn long before it", () => {
  const clock = new FakeClock();
  const { r, runs } = reducer(clock);
  for (let i = 0; i < 3; i++) r.churn(); // a publisher, a player that came and left...
  clock.advance(60_000);
  // ...then a burst of joins, 100 ms apart: the fourth reaches minChurn, but the burst goes on
  for (let i = 0; i < 6; i++) {
    r.churn();
    assert.equal(r.tick(), false, `join ${i + 1}: the burst is not over`);
    clock.advance(100);
  }
  clock.advance(899);
  assert.equal(r.tick(), false);
  clock.advance(1);
  assert.equal(r.tick(), true, "quietMs after the burst's last join");
  assert.equal(runs(), 1);
});

test("the young generation is collected at a tick where it holds youngCapBytes or more, not before", () => {
  const clock = new FakeClock();
  let held = 0;
  let scavenges = 0;
  let full = 0;
  const r = new MemoryReducer({
    clock,
    collect: () => {
      full++;
      held = 0;
    },
    minChurn: 4,
    quietMs: 1000,
    young: {
      bytes: () => held,
      collect: () => {
        scavenges++;
        held = 0;
      },
    },
    youngCapBytes: 1000,
  });
  held = 999;
  assert.equal(r.tick(), false);
  assert.equal(scavenges, 0, "under the cap");
  held = 1000;
  assert.equal(r.tick(), false, "a scavenge is not the full collection");
  assert.equal(scavenges, 1);
  assert.equal(r.youngCollections, 1);
  assert.equal(held, 0);
  r.tick();
  assert.equal(scavenges, 1, "nothing held: no scavenge");
  // A settled burst's full collection empties the young generation too: no scavenge on top of it.
  for (let i = 0; i < 4; i++) r.churn();
  clock.advance(1000);
  held = 5000;
  assert.equal(r.tick(), true);
  assert.equal(full, 1);
  assert.equal(scavenges, 1);
});

test("without a young generation to watch, the default cap is 256 KiB and ticks only collect after bursts", () => {
  assert.equal(MEMORY_REDUCER_DEFAULTS.youngCapBytes, 256 * 1024);
  const clock = new FakeClock();
  const { r, runs } = reducer(clock);
  assert.equal(r.tick(), false);
  assert.equal(r.youngCollections, 0);
  assert.equal(runs(), 0);
});
