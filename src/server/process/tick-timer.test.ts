import assert from "node:assert/strict";
import { test } from "node:test";
import { NodeTickTimer, nativeTickTimer, type TickTimer, tickTimer } from "./tick-timer.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("the addon's tick timer is the one the server gets (the addon is built by npm ci)", () => {
  assert.equal(nativeTickTimer(), true);
});

for (const [name, make] of [
  ["addon", tickTimer],
  ["node", (fn: () => void) => new NodeTickTimer(fn)],
] as const) {
  test(`${name} tick timer: fires once per start, re-arms, stops, closes for good`, async () => {
    const fired: number[] = [];
    const t0 = performance.now();
    const timer: TickTimer = make(() => fired.push(performance.now() - t0));
    timer.start(30);
    await sleep(120);
    assert.equal(fired.length, 1, "one shot");
    assert.ok(fired[0]! >= 29, `not early: ${fired[0]}`);
    // Re-armed while armed: fires once, at the later time.
    const t1 = performance.now() - t0;
    timer.start(40);
    await sleep(10);
    timer.start(40);
    await sleep(120);
    assert.equal(fired.length, 2, "re-arming an armed timer moves it");
    assert.ok(fired[1]! - t1 >= 49, `the second start counts: ${fired[1]! - t1}`);
    timer.start(30);
    timer.stop();
    await sleep(80);
    assert.equal(fired.length, 2, "stopped");
    timer.start(20);
    await sleep(80);
    assert.equal(fired.length, 3, "started again after a stop");
    timer.close();
    timer.start(10);
    await sleep(60);
    assert.equal(fired.length, 3, "closed for good");
  });

  test(`${name} tick timer: next ticks and microtasks queued by the callback run right after it`, async () => {
    const order: string[] = [];
    const timer = make(() => {
      order.push("tick");
      setImmediate(() => order.push("immediate"));
      void Promise.resolve().then(() => order.push("microtask"));
      process.nextTick(() => order.push("nextTick"));
    });
    timer.start(5);
    await sleep(60);
    timer.close();
    assert.deepEqual(order, ["tick", "nextTick", "microtask", "immediate"]);
  });
}
