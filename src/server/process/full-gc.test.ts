import assert from "node:assert/strict";
import { test } from "node:test";
import { fullGc } from "./full-gc.js";

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
