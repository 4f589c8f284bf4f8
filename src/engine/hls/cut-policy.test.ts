import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  forceCutMs,
  isKeyframeBoundary,
  isTimeBoundary,
  sequenceFromTime,
  targetDurationFor,
} from "./cut-policy.js";

function cuts(keys: number[], f: number): number[] {
  const out: number[] = [];
  for (let i = 1; i < keys.length; i++) if (isKeyframeBoundary(keys[i - 1]!, keys[i]!, f)) out.push(keys[i]!);
  return out;
}

test("2 s GOP, hls_fragment 3s: cuts at 4, 6, 10, 12... (segments average 3 s, not nginx-rtmp's 4 s)", () => {
  const keys = Array.from({ length: 16 }, (_, i) => i * 2000);
  const c = cuts(keys, 3000);
  assert.deepEqual(c.slice(0, 6), [4000, 6000, 10000, 12000, 16000, 18000]);
  const durations = [0, ...c].slice(1).map((x, i) => x - [0, ...c][i]!);
  assert.equal(durations.reduce((a, b) => a + b, 0) / durations.length, 3000);
});

test("1 s GOP, hls_fragment 3s: every cut exactly on a multiple", () => {
  const keys = Array.from({ length: 20 }, (_, i) => i * 1000);
  assert.deepEqual(cuts(keys, 3000), [3000, 6000, 9000, 12000, 15000, 18000]);
});

test("each cut is the keyframe nearest to a multiple (jittered GOPs)", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 500, max: 2000 }), { minLength: 5, maxLength: 60 }), (gops) => {
      const F = 2000;
      const keys = [0];
      for (const g of gops) keys.push(keys[keys.length - 1]! + g);
      for (const c of cuts(keys, F)) {
        const m = Math.round(c / F) * F;
        assert.ok(Math.abs(c - m) <= 1000, `cut ${c} is within half a fragment of ${m}`);
      }
    }),
  );
});

test("two servers fed the same keyframes, one joining late, cut at the same frames", () => {
  const keys = Array.from({ length: 40 }, (_, i) => i * 1500 + (i % 3) * 40);
  const a = cuts(keys, 4000);
  const b = cuts(keys.slice(11), 4000);
  assert.deepEqual(
    a.filter((x) => x > keys[11]!),
    b.filter((x) => x > keys[11]!),
  );
  // and the numbers stream time gives match the counting of the first server
  const seqA = a.map((_, i) => i + 1);
  const seqB = a.map((x) => sequenceFromTime(x, 4000));
  assert.deepEqual(seqA, seqB);
});

test("audio-only: cut at the first frame at or past each multiple", () => {
  assert.equal(isTimeBoundary(0, 2999, 3000), false);
  assert.equal(isTimeBoundary(0, 3000, 3000), true);
  assert.equal(isTimeBoundary(3000, 5999, 3000), false);
});

test("TARGETDURATION: ceil(1.5 × fragment) capped by hls_max_fragment; force cut keeps rounding under it", () => {
  assert.equal(targetDurationFor(3000, 30000), 5);
  assert.equal(targetDurationFor(2000, 20000), 3);
  assert.equal(targetDurationFor(5000, 4000), 4);
  assert.equal(targetDurationFor(100, 1000), 1);
  assert.ok(Math.round((forceCutMs(5) + 239) / 1000) <= 5);
});
