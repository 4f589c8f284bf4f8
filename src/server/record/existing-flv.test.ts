import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { flvTag } from "../../protocol/flv/flv-file.js";
import { continueAfter } from "./existing-flv.js";

test("appending continues after the highest of the last timestamps plus one video step", () => {
  const tail = Buffer.concat([
    flvTag(9, 1000, Buffer.alloc(30)),
    flvTag(8, 1030, Buffer.alloc(5)),
    flvTag(9, 1040, Buffer.alloc(30)),
    flvTag(8, 1053, Buffer.alloc(5)),
  ]);
  assert.equal(continueAfter(tail, tail.length), 1053 + 40);
  // a torn last tag is refused
  assert.equal(continueAfter(tail.subarray(0, tail.length - 2), tail.length - 2), null);
});

test("continueAfter never throws on arbitrary bytes", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      const b = Buffer.from(bytes);
      const r = continueAfter(b, b.length);
      assert.ok(r === null || r >= 0);
    }),
  );
});
