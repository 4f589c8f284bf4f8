import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { GrowBuffer } from "./grow-buffer.js";
import { appendNalUnits, scanNalUnits } from "./length-prefixed-nal.js";

const flagOfFirst = (h: number) => (h === 0x65 ? 1 : h === 0x67 ? 2 : 0);
const never = () => false;

function prefixed(size: 1 | 2 | 4, units: number[][]): Buffer {
  const parts: Buffer[] = [];
  for (const u of units) {
    const len = Buffer.alloc(size);
    len.writeUIntBE(u.length, 0, size);
    parts.push(len, Buffer.from(u));
  }
  return Buffer.concat(parts);
}

const table: { name: string; size: 1 | 2 | 4; input: Buffer; flags: number; annexB: number[] }[] = [
  { name: "empty access unit", size: 4, input: Buffer.alloc(0), flags: 0, annexB: [] },
  {
    name: "SPS then IDR, 4-byte lengths",
    size: 4,
    input: prefixed(4, [
      [0x67, 1],
      [0x65, 2, 3],
    ]),
    flags: 3,
    annexB: [0, 0, 0, 1, 0x67, 1, 0, 0, 0, 1, 0x65, 2, 3],
  },
  {
    name: "an empty unit is skipped, 2-byte lengths",
    size: 2,
    input: prefixed(2, [[], [0x41, 9]]),
    flags: 0,
    annexB: [0, 0, 0, 1, 0x41, 9],
  },
  { name: "1-byte lengths", size: 1, input: prefixed(1, [[0x65]]), flags: 1, annexB: [0, 0, 0, 1, 0x65] },
  { name: "unit runs past the end", size: 4, input: Buffer.from([0, 0, 0, 5, 0x65]), flags: -1, annexB: [] },
  {
    name: "truncated length prefix",
    size: 4,
    input: Buffer.from([0, 0, 1, 0x65, 0, 0]),
    flags: -1,
    annexB: [],
  },
];

for (const c of table) {
  test(`scan and copy: ${c.name}`, () => {
    assert.equal(scanNalUnits(c.input, c.size, flagOfFirst), c.flags);
    if (c.flags < 0) return;
    const out = new GrowBuffer(16);
    appendNalUnits(out, c.input, c.size, never);
    assert.deepEqual([...out.view()], c.annexB);
  });
}

test("skip drops the units it names", () => {
  const out = new GrowBuffer(16);
  appendNalUnits(
    out,
    prefixed(4, [
      [0x09, 0xf0],
      [0x65, 1],
    ]),
    4,
    (h) => (h & 0x1f) === 9,
  );
  assert.deepEqual([...out.view()], [0, 0, 0, 1, 0x65, 1]);
});

test("fuzz: any bytes give a verdict, never a throw; accepted input round-trips its units", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(1, 2, 4), (bytes, size) => {
      const p = Buffer.from(bytes);
      const flags = scanNalUnits(p, size, flagOfFirst);
      if (flags < 0) return;
      const out = new GrowBuffer(8);
      appendNalUnits(out, p, size, never);
      assert.ok(out.length <= (p.length / size) * 4 + p.length);
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 20 }), { maxLength: 8 }), (units) => {
      const p = prefixed(
        4,
        units.map((u) => [...u]),
      );
      assert.ok(scanNalUnits(p, 4, flagOfFirst) >= 0);
      const out = new GrowBuffer(8);
      appendNalUnits(out, p, 4, never);
      assert.deepEqual(out.view(), Buffer.concat(units.flatMap((u) => [Buffer.from([0, 0, 0, 1]), u])));
      // a cut between units leaves a shorter valid access unit; a cut inside a unit or its prefix is malformed
      const boundaries = new Set<number>([0]);
      let at = 0;
      for (const u of units) {
        at += 4 + u.length;
        boundaries.add(at);
      }
      for (let cut = 0; cut < p.length; cut++) {
        const r = scanNalUnits(p.subarray(0, cut), 4, flagOfFirst);
        assert.equal(r >= 0, boundaries.has(cut), `cut at ${cut}`);
      }
    }),
    { numRuns: 500 },
  );
});
