import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseRange, type RangeVerdict } from "./byte-range.js";

const none: RangeVerdict = { kind: "none" };
const bad: RangeVerdict = { kind: "unsatisfiable" };
const r = (start: number, end: number): RangeVerdict => ({ kind: "range", start, end });

// Expected answers as nginx's range filter gives them (single range).
const TABLE: [string | undefined, number, RangeVerdict][] = [
  [undefined, 100, none],
  ["bytes=0-9", 100, r(0, 9)],
  ["bytes=90-", 100, r(90, 99)],
  ["bytes=-10", 100, r(90, 99)],
  ["bytes=-1000", 100, r(0, 99)],
  ["bytes=0-1000", 100, r(0, 99)],
  ["bytes=99-99", 100, r(99, 99)],
  ["BYTES=1-2", 100, r(1, 2)],
  ["bytes= 1 - 2 ", 100, r(1, 2)],
  ["bytes=100-", 100, bad],
  ["bytes=100-200", 100, bad],
  ["bytes=5-3", 100, bad],
  ["bytes=-0", 100, bad],
  ["bytes=abc", 100, bad],
  ["bytes=1-2x", 100, bad],
  ["bytes=0-", 0, none],
  ["bytes=0-0", 0, none],
  ["bytes=1-2", 0, bad],
  ["bytes=0-1,5-6", 100, none],
  ["bytes=200-300,0-1", 100, r(0, 1)],
  ["items=0-1", 100, none],
  ["bytes", 100, none],
  ["bytes=99999999999999999999-", 100, bad],
];

test("Range answers as nginx's range filter", () => {
  for (const [h, len, want] of TABLE) assert.deepEqual(parseRange(h, len), want, `${h} / ${len}`);
});

test("fuzz: a range verdict always lies inside the body", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), fc.nat(1_000_000), (s, len) => {
      const v = parseRange(`bytes=${s}`, len);
      if (v.kind === "range") assert.ok(v.start >= 0 && v.start <= v.end && v.end < len);
    }),
    { numRuns: 3000 },
  );
});
