import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { raisesOnly, randomOrMutated } from "../../../test/helpers/fuzz.js";
import { amfValue } from "./amf-arbitrary.js";
import { AmfError, AmfErrorCode } from "./amf-error.js";
import {
  AmfDictionary,
  AmfMixedArray,
  AmfTypedObject,
  type AmfValue,
  AmfVector,
  AmfXml,
} from "./amf-value.js";
import { decodeAmf0 } from "./amf0-decoder.js";
import { decodeAmf3 } from "./amf3-decoder.js";
import { encodeAmf3 } from "./amf3-encoder.js";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

export const AMF3_FIXTURES: { name: string; decoded: AmfValue[]; encoded: Buffer }[] = [
  {
    name: "undefined, null, false, true",
    decoded: [undefined, null, false, true],
    encoded: hex("00 01 02 03"),
  },
  { name: "integer 1-byte", decoded: [5], encoded: hex("04 05") },
  { name: "integer 2-byte", decoded: [200], encoded: hex("04 8148") },
  { name: "integer 4-byte max", decoded: [(1 << 28) - 1], encoded: hex("04 bfffffff") },
  { name: "integer negative", decoded: [-1], encoded: hex("04 ffffffff") },
  { name: "double", decoded: [0.5], encoded: hex("05 3fe0000000000000") },
  {
    name: "integer out of 29-bit range is a double",
    decoded: [2 ** 28],
    encoded: hex("05 41b0000000000000"),
  },
  { name: "string and string reference", decoded: ["ab", "ab", ""], encoded: hex("06 05 6162 06 00 06 01") },
  { name: "date", decoded: [new Date(1000)], encoded: hex("08 01 408f400000000000") },
  { name: "XMLDocument", decoded: [new AmfXml("<a/>", true)], encoded: hex("07 09 3c612f3e") },
  { name: "XML", decoded: [new AmfXml("<a/>", false)], encoded: hex("0b 09 3c612f3e") },
  { name: "dense array", decoded: [[1, "x"]], encoded: hex("09 05 01 04 01 06 03 78") },
  {
    name: "mixed array",
    decoded: [new AmfMixedArray([true], { k: 1 })],
    encoded: hex("09 03 03 6b 04 01 01 03"),
  },
  {
    name: "anonymous dynamic object",
    decoded: [{ a: 1 }],
    encoded: hex("0a 0b 01 03 61 04 01 01"),
  },
  {
    name: "typed sealed object",
    decoded: [new AmfTypedObject("T", { a: 1 })],
    encoded: hex("0a 13 03 54 03 61 04 01"),
  },
  { name: "ByteArray", decoded: [Buffer.from([1, 2, 3])], encoded: hex("0c 07 010203") },
  {
    name: "Vector.<int>",
    decoded: [new AmfVector("int", [-1, 2])],
    encoded: hex("0d 05 00 ffffffff 00000002"),
  },
  {
    name: "Dictionary",
    decoded: [new AmfDictionary([["k", 1]])],
    encoded: hex("11 03 00 06 03 6b 04 01"),
  },
];

for (const f of AMF3_FIXTURES) {
  test(`AMF3 decode: ${f.name}`, () => {
    assert.deepEqual(decodeAmf3(f.encoded), f.decoded);
  });
  test(`AMF3 encode: ${f.name}`, () => {
    assert.equal(encodeAmf3(...f.decoded).toString("hex"), f.encoded.toString("hex"));
  });
}

test("AMF3 object references and traits references", () => {
  // [obj {a:1} (dynamic), object ref 1, obj with traits ref 0 {a:2}]
  const enc = hex("09 07 01 0a 0b 01 03 61 04 01 01 0a 02 0a 01 00 04 02 01");
  const [arr] = decodeAmf3(enc) as [AmfValue[]];
  assert.equal(arr[0], arr[1]);
  assert.deepEqual(arr[2], { a: 2 });
  assert.throws(() => decodeAmf3(hex("0a 08")), { code: AmfErrorCode.BadReference });
  assert.throws(() => decodeAmf3(hex("06 08")), { code: AmfErrorCode.BadReference });
});

test("AMF3 externalizable object is refused with a typed error", () => {
  assert.throws(() => decodeAmf3(hex("0a 07 03 54")), { code: AmfErrorCode.Unsupported });
});

test("AMF3 bounds: depth and element counts", () => {
  const nest = Buffer.concat(Array.from({ length: 100 }, () => hex("09 03 01")).concat([hex("01")]));
  assert.throws(() => decodeAmf3(nest), { code: AmfErrorCode.TooDeep });
  assert.doesNotThrow(() => decodeAmf3(nest, { maxDepth: 101 }));
  assert.throws(() => decodeAmf3(encodeAmf3(new Array(100).fill(1)), { maxElements: 10 }), {
    code: AmfErrorCode.TooManyElements,
  });
  assert.throws(() => decodeAmf3(hex("09 bfffffff 01")), { code: AmfErrorCode.Truncated });
  assert.throws(() => decodeAmf3(hex("0c 21 00"), { maxStringLength: 4 }), {
    code: AmfErrorCode.StringTooLong,
  });
});

test("AMF3 value inside AMF0 (avmplus switch) decodes with its own tables", () => {
  assert.deepEqual(decodeAmf0(hex("11 06 05 6162 11 06 05 6162")), ["ab", "ab"]);
});

test("property: AMF3 round trip", () => {
  fc.assert(
    fc.property(fc.array(amfValue({ ecma: false }), { maxLength: 4 }), (values) => {
      assert.deepEqual(decodeAmf3(encodeAmf3(...values)), values);
    }),
    { numRuns: 500 },
  );
});

test("property: AMF3 decoder on random and mutated bytes raises only AmfError", () => {
  const input = randomOrMutated(AMF3_FIXTURES.map((f) => f.encoded));
  fc.assert(
    fc.property(
      input,
      raisesOnly(AmfError, (buf: Buffer) => decodeAmf3(buf)),
    ),
    { numRuns: 2000 },
  );
});
