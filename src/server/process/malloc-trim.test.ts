import assert from "node:assert/strict";
import { test } from "node:test";
import { fullGc } from "./full-gc.js";
import { mallocTrim } from "./malloc-trim.js";

test("mallocTrim gives malloc's free pages back, also those under memory still in use", () => {
  const trim = mallocTrim();
  assert.ok(trim, "the addon is built and has mallocTrim");
  const gc = fullGc();
  assert.ok(gc);
  // 48 MiB in 64 KiB blocks (below glibc's mmap threshold: they come from the heap), then one
  // more kept at the top, so that glibc cannot give the rest back on its own when it is freed.
  let blocks: Buffer[] | null = Array.from({ length: 768 }, () => Buffer.allocUnsafeSlow(64 << 10).fill(1));
  const top = Buffer.allocUnsafeSlow(64 << 10).fill(2);
  blocks = null;
  gc();
  gc();
  const before = process.memoryUsage.rss();
  assert.equal(trim(), true, "something was given back");
  const after = process.memoryUsage.rss();
  assert.equal(blocks, null);
  assert.equal(top[0], 2);
  assert.ok(before - after > 16 << 20, `RSS ${before >> 20} -> ${after >> 20} MiB`);
});
