/**
 * fast-check generators of AMF values that survive an encode/decode round
 * trip unchanged (test support; imported only by tests).
 */
import fc from "fast-check";
import {
  AmfDictionary,
  AmfMixedArray,
  type AmfObject,
  AmfTypedObject,
  type AmfValue,
  AmfVector,
  AmfXml,
  markEcmaArray,
} from "./amf-value.js";

const key = fc.fullUnicodeString({ maxLength: 8 }).filter((k) => k !== "" && k !== "__proto__");

function objectOf(value: fc.Arbitrary<AmfValue>): fc.Arbitrary<AmfObject> {
  return fc
    .uniqueArray(fc.tuple(key, value), { maxLength: 5, selector: (e) => e[0] })
    .map((entries) => Object.fromEntries(entries) as AmfObject);
}

const scalar: fc.Arbitrary<AmfValue> = fc.oneof(
  fc.double(),
  fc.integer({ min: -(1 << 28), max: (1 << 28) - 1 }),
  fc.boolean(),
  fc.fullUnicodeString({ maxLength: 20 }),
  fc.constant(null),
  fc.constant(undefined),
  fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15) }),
);

const extraScalar: fc.Arbitrary<AmfValue> = fc.oneof(
  fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)),
  fc.tuple(fc.fullUnicodeString({ maxLength: 20 }), fc.boolean()).map(([x, legacy]) => new AmfXml(x, legacy)),
  fc
    .array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 4 })
    .map((a) => new AmfVector("int", a)),
  fc
    .array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 4 })
    .map((a) => new AmfVector("uint", a, true)),
  fc.array(fc.double(), { maxLength: 4 }).map((a) => new AmfVector("double", a)),
);

/** Values both AMF0 (directly or through the AMF3 switch) and AMF3 round-trip. */
export function amfValue(opts: { ecma: boolean; depth?: number }): fc.Arbitrary<AmfValue> {
  const { value } = fc.letrec<{ value: AmfValue }>((tie) => {
    const child = tie("value");
    const containers: fc.Arbitrary<AmfValue>[] = [
      fc.array(child, { maxLength: 4 }),
      objectOf(child),
      fc.tuple(key, objectOf(child)).map(([name, members]) => new AmfTypedObject(name, members)),
      fc
        .tuple(
          fc.array(child, { maxLength: 3 }),
          objectOf(child).filter((o) => Object.keys(o).length > 0),
        )
        .map(([dense, assoc]) => new AmfMixedArray(dense, assoc)),
      fc.array(child, { maxLength: 3 }).map((a) => new AmfVector("object", a, false, "T")),
      fc
        .array(fc.tuple(child, child), { maxLength: 3 })
        .map((entries) => new AmfDictionary(entries as [AmfValue, AmfValue][], false)),
    ];
    if (opts.ecma) containers.push(objectOf(child).map((o) => markEcmaArray(o)));
    return {
      value: fc.oneof(
        { depthSize: "small", maxDepth: opts.depth ?? 4 },
        scalar,
        extraScalar,
        ...containers,
      ) as fc.Arbitrary<AmfValue>,
    };
  });
  return value;
}
