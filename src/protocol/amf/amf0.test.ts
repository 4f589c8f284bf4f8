import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { raisesOnly, randomOrMutated } from "../../../test/helpers/fuzz.js";
import { amfValue } from "./amf-arbitrary.js";
import { AmfError, AmfErrorCode } from "./amf-error.js";
import { AmfTypedObject, type AmfValue, AmfXml, isEcmaArray, markEcmaArray } from "./amf-value.js";
import { decodeAmf0 } from "./amf0-decoder.js";
import { encodeAmf0 } from "./amf0-encoder.js";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

/** One table drives decode, encode and the fuzzers' seeds. */
export const AMF0_FIXTURES: { name: string; decoded: AmfValue[]; encoded: Buffer }[] = [
  { name: "number", decoded: [1.5], encoded: hex("00 3ff8000000000000") },
  { name: "boolean", decoded: [true, false], encoded: hex("0101 0100") },
  { name: "string", decoded: ["app"], encoded: hex("02 0003 617070") },
  { name: "null, undefined", decoded: [null, undefined], encoded: hex("05 06") },
  {
    name: "object",
    decoded: [{ app: "live", n: 0 }],
    encoded: hex("03 0003 617070 02 0004 6c697665 0001 6e 00 0000000000000000 000009"),
  },
  {
    name: "ECMA array",
    decoded: [markEcmaArray({ w: 640 })],
    encoded: hex("08 00000001 0001 77 00 4084000000000000 000009"),
  },
  { name: "strict array", decoded: [[1, "a"]], encoded: hex("0a 00000002 00 3ff0000000000000 02 0001 61") },
  { name: "date", decoded: [new Date(1000)], encoded: hex("0b 408f400000000000 0000") },
  { name: "XML document", decoded: [new AmfXml("<a/>")], encoded: hex("0f 00000004 3c612f3e") },
  {
    name: "typed object",
    decoded: [new AmfTypedObject("T", { a: true })],
    encoded: hex("10 0001 54 0001 61 01 01 000009"),
  },
  { name: "AMF3 switch (ByteArray)", decoded: [Buffer.from([1, 2])], encoded: hex("11 0c 05 0102") },
  {
    name: "connect command (ffmpeg)",
    decoded: ["connect", 1, { app: "live", type: "nonprivate" }],
    encoded: hex(
      "02 0007 636f6e6e656374 00 3ff0000000000000 03 0003 617070 02 0004 6c697665 0004 74797065 02 000a 6e6f6e70726976617465 000009",
    ),
  },
];

for (const f of AMF0_FIXTURES) {
  test(`AMF0 decode: ${f.name}`, () => {
    assert.deepEqual(decodeAmf0(f.encoded), f.decoded);
  });
  test(`AMF0 encode: ${f.name}`, () => {
    assert.equal(encodeAmf0(...f.decoded).toString("hex"), f.encoded.toString("hex"));
  });
}

test("AMF0 keeps ECMA arrays apart from objects", () => {
  const [ecma, obj] = decodeAmf0(encodeAmf0(markEcmaArray({ a: 1 }), { a: 1 }));
  assert.equal(isEcmaArray(ecma), true);
  assert.equal(isEcmaArray(obj), false);
});

test("AMF0 long strings above 65535 bytes", () => {
  const s = "x".repeat(70_000);
  const enc = encodeAmf0(s);
  assert.equal(enc[0], 0x0c);
  assert.deepEqual(decodeAmf0(enc), [s]);
});

test("AMF0 reference resolves to the object decoded earlier", () => {
  // strict array of [object {a:1}, reference 1] (index 0 is the array itself)
  const enc = hex("0a 00000002 03 0001 61 00 3ff0000000000000 000009 07 0001");
  const [arr] = decodeAmf0(enc) as [AmfValue[]];
  assert.equal(arr[0], arr[1]);
  assert.throws(() => decodeAmf0(hex("07 0005")), { code: AmfErrorCode.BadReference });
});

test("AMF0 ECMA array without its end marker at the end of input (seen in the wild)", () => {
  assert.deepEqual(decodeAmf0(hex("08 00000001 0001 77 00 4084000000000000")), [markEcmaArray({ w: 640 })]);
});

test("AMF0 '__proto__' key stays an own property", () => {
  const [obj] = decodeAmf0(hex("03 0009 5f5f70726f746f5f5f 00 3ff0000000000000 000009")) as [object];
  assert.equal(Object.getPrototypeOf(obj), Object.prototype);
  assert.deepEqual(Object.keys(obj), ["__proto__"]);
});

test("AMF0 bounds: depth, elements, string length, total size", () => {
  // 100 nested strict arrays of one element: 0a 00000001 ...
  const nest = Buffer.concat(Array.from({ length: 100 }, () => hex("0a 00000001")).concat([hex("05")]));
  assert.throws(() => decodeAmf0(nest), { code: AmfErrorCode.TooDeep });
  assert.doesNotThrow(() => decodeAmf0(nest, { maxDepth: 200 }));
  const many = encodeAmf0(Array.from({ length: 100 }, () => null));
  assert.throws(() => decodeAmf0(many, { maxElements: 50 }), { code: AmfErrorCode.TooManyElements });
  assert.throws(() => decodeAmf0(encodeAmf0("x".repeat(100)), { maxStringLength: 10 }), {
    code: AmfErrorCode.StringTooLong,
  });
  assert.throws(() => decodeAmf0(encodeAmf0("x".repeat(100)), { maxTotalBytes: 10 }), {
    code: AmfErrorCode.TooLarge,
  });
  // A strict array announcing 2^32-1 elements in 5 bytes fails fast, without allocating.
  assert.throws(() => decodeAmf0(hex("0a ffffffff")), { code: AmfErrorCode.Truncated });
  assert.throws(() => decodeAmf0(hex("04")), { code: AmfErrorCode.UnknownMarker });
});

test("AMF0 encoder refuses cycles (depth) instead of recursing forever", () => {
  const a: { self?: unknown } = {};
  a.self = a;
  assert.throws(() => encodeAmf0(a as AmfValue), { code: AmfErrorCode.TooDeep });
});

test("property: AMF0 round trip", () => {
  fc.assert(
    fc.property(fc.array(amfValue({ ecma: true }), { maxLength: 4 }), (values) => {
      assert.deepEqual(decodeAmf0(encodeAmf0(...values)), values);
    }),
    { numRuns: 500 },
  );
});

test("property: AMF0 decoder on random and mutated bytes raises only AmfError", () => {
  const input = randomOrMutated(AMF0_FIXTURES.map((f) => f.encoded));
  fc.assert(
    fc.property(
      input,
      raisesOnly(AmfError, (buf: Buffer) => decodeAmf0(buf)),
    ),
    { numRuns: 2000 },
  );
});
