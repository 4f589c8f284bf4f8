import assert from "node:assert/strict";
import { test } from "node:test";
import { fullGc, minorGc, youngGenerationBytes } from "./gc.js";

test("fullGc gives V8's full collection on this node, without --expose-gc, and it frees the old generation's garbage", () => {
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, "undefined", "the test runs without --expose-gc");
  const gc = fullGc();
  assert.ok(gc, "a collector");
  let keep: object[] | null = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `x${i}` }));
  gc(); // promoted: now in the old generation
  const before = process.memoryUsage().heapUsed;
  keep = null;
  gc();
  const after = process.memoryUsage().heapUsed;
  assert.equal(keep, null);
  assert.ok(before - after > 5_000_000, `freed ${before - after} bytes`);
});

test("minorGc empties the young generation of its garbage, and youngGenerationBytes says how much it holds", () => {
  const minor = minorGc();
  assert.ok(minor, "a collector");
  minor();
  const empty = youngGenerationBytes();
  let garbage: object[] | null = Array.from({ length: 2000 }, (_, i) => ({ i }));
  const held = youngGenerationBytes();
  assert.ok(held - empty > 40_000, `2000 small objects in the young generation: ${empty} -> ${held} bytes`);
  garbage = null;
  minor();
  assert.equal(garbage, null);
  assert.ok(
    youngGenerationBytes() < held - 40_000,
    `after the scavenge: ${youngGenerationBytes()} bytes (was ${held})`,
  );
});
