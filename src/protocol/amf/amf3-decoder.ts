/**
 * AMF3 decoder (Adobe "Action Message Format -- AMF 3", section 3).
 * Externalizable objects cannot be decoded without their class: AmfError Unsupported.
 */
import { AmfDecodeContext, guardDecode } from "./amf-context.js";
import { AmfError, AmfErrorCode, type AmfLimits } from "./amf-error.js";
import {
  AmfDictionary,
  AmfMixedArray,
  type AmfObject,
  AmfTypedObject,
  type AmfValue,
  AmfVector,
  type AmfVectorKind,
  AmfXml,
  setMember,
} from "./amf-value.js";
import { Amf3Tables, type Amf3Traits } from "./amf3-tables.js";

/** AMF3 type markers (AMF3 spec 3.1). */
export const Amf3Marker = {
  Undefined: 0x00,
  Null: 0x01,
  False: 0x02,
  True: 0x03,
  Integer: 0x04,
  Double: 0x05,
  String: 0x06,
  XmlDocument: 0x07,
  Date: 0x08,
  Array: 0x09,
  Object: 0x0a,
  Xml: 0x0b,
  ByteArray: 0x0c,
  VectorInt: 0x0d,
  VectorUint: 0x0e,
  VectorDouble: 0x0f,
  VectorObject: 0x10,
  Dictionary: 0x11,
} as const;

/** U29 variable-length integer (AMF3 spec 1.3.1). */
export function readU29(ctx: AmfDecodeContext): number {
  const r = ctx.r;
  let v = 0;
  for (let i = 0; i < 3; i++) {
    const b = r.u8();
    if (b < 0x80) return (v << 7) | b;
    v = (v << 7) | (b & 0x7f);
  }
  return (v << 8) | r.u8();
}

function readString(ctx: AmfDecodeContext, t: Amf3Tables): string {
  const h = readU29(ctx);
  if ((h & 1) === 0) return t.get(t.strings, h >>> 1, "string");
  const s = ctx.utf8(h >>> 1);
  if (s.length > 0) t.add(t.strings, s);
  return s;
}

function readTraits(ctx: AmfDecodeContext, t: Amf3Tables, h: number): Amf3Traits {
  if ((h & 2) === 0) return t.get(t.traits, h >>> 2, "traits");
  if ((h & 4) !== 0) {
    throw new AmfError(AmfErrorCode.Unsupported, "AMF3 externalizable object cannot be decoded", {
      offset: ctx.r.offset,
    });
  }
  const count = h >>> 4;
  const traits: Amf3Traits = { className: readString(ctx, t), sealed: [], dynamic: (h & 8) !== 0 };
  ctx.count(count);
  for (let i = 0; i < count; i++) traits.sealed.push(readString(ctx, t));
  t.add(t.traits, traits);
  return traits;
}

function readObject(ctx: AmfDecodeContext, t: Amf3Tables, h: number, depth: number): AmfValue {
  const traits = readTraits(ctx, t, h);
  const members: AmfObject = {};
  const result = traits.className === "" ? members : new AmfTypedObject(traits.className, members);
  t.add(t.objects, result);
  for (const name of traits.sealed) setMember(members, name, readAmf3Value(ctx, t, depth));
  if (traits.dynamic) {
    for (;;) {
      const key = readString(ctx, t);
      if (key === "") break;
      setMember(members, key, readAmf3Value(ctx, t, depth));
    }
  }
  return result;
}

function readArray(ctx: AmfDecodeContext, t: Amf3Tables, h: number, depth: number): AmfValue {
  const count = h >>> 1;
  if (count > ctx.r.remaining) ctx.r.need(count);
  const dense: AmfValue[] = [];
  const assoc: AmfObject = {};
  let hasAssoc = false;
  // The table entry must exist before members so they can refer back to it.
  const index = t.objects.length;
  t.add(t.objects, dense);
  for (;;) {
    const key = readString(ctx, t);
    if (key === "") break;
    hasAssoc = true;
    setMember(assoc, key, readAmf3Value(ctx, t, depth));
  }
  if (hasAssoc) t.objects[index] = new AmfMixedArray(dense, assoc);
  for (let i = 0; i < count; i++) dense.push(readAmf3Value(ctx, t, depth));
  return t.objects[index];
}

const VECTOR_KINDS: Record<number, AmfVectorKind> = { 13: "int", 14: "uint", 15: "double", 16: "object" };

function readVector(
  ctx: AmfDecodeContext,
  t: Amf3Tables,
  marker: number,
  h: number,
  depth: number,
): AmfValue {
  const r = ctx.r;
  const count = h >>> 1;
  if (count > r.remaining) r.need(count);
  const fixed = r.u8() !== 0;
  const kind = VECTOR_KINDS[marker]!;
  const typeName = kind === "object" ? readString(ctx, t) : "";
  const vec = new AmfVector(kind, [], fixed, typeName);
  t.add(t.objects, vec);
  ctx.count(count);
  for (let i = 0; i < count; i++) {
    if (kind === "int") vec.items.push(r.u32() | 0);
    else if (kind === "uint") vec.items.push(r.u32());
    else if (kind === "double") vec.items.push(r.f64());
    else vec.items.push(readAmf3Value(ctx, t, depth));
  }
  return vec;
}

function readDictionary(ctx: AmfDecodeContext, t: Amf3Tables, h: number, depth: number): AmfValue {
  const count = h >>> 1;
  if (count > ctx.r.remaining) ctx.r.need(count);
  const dict = new AmfDictionary([], ctx.r.u8() !== 0);
  t.add(t.objects, dict);
  for (let i = 0; i < count; i++) {
    const k = readAmf3Value(ctx, t, depth);
    dict.entries.push([k, readAmf3Value(ctx, t, depth)]);
  }
  return dict;
}

/** Reads a reference-or-inline header of a complex value; returns the referenced value or the header. */
function complexValue(ctx: AmfDecodeContext, t: Amf3Tables, marker: number, depth: number): AmfValue {
  const h = readU29(ctx);
  if ((h & 1) === 0) return t.get(t.objects, h >>> 1, "object");
  const r = ctx.r;
  let v: AmfValue;
  switch (marker) {
    case Amf3Marker.XmlDocument:
    case Amf3Marker.Xml:
      v = new AmfXml(ctx.utf8(h >>> 1), marker === Amf3Marker.XmlDocument);
      break;
    case Amf3Marker.Date:
      v = new Date(r.f64());
      break;
    case Amf3Marker.ByteArray:
      ctx.checkString(h >>> 1);
      // A copy: the input may be a connection's reused buffer (values outlive it).
      v = Buffer.from(r.bytes(h >>> 1));
      break;
    case Amf3Marker.Array:
      return readArray(ctx, t, h, depth + 1);
    case Amf3Marker.Object:
      return readObject(ctx, t, h, depth + 1);
    case Amf3Marker.Dictionary:
      return readDictionary(ctx, t, h, depth + 1);
    default:
      return readVector(ctx, t, marker, h, depth + 1);
  }
  t.add(t.objects, v);
  return v;
}

/** Reads one AMF3 value at `depth` (containers it opens are depth + 1). */
export function readAmf3Value(ctx: AmfDecodeContext, t: Amf3Tables, depth: number): AmfValue {
  ctx.enter(depth);
  ctx.count();
  const r = ctx.r;
  const marker = r.u8();
  switch (marker) {
    case Amf3Marker.Undefined:
      return undefined;
    case Amf3Marker.Null:
      return null;
    case Amf3Marker.False:
      return false;
    case Amf3Marker.True:
      return true;
    case Amf3Marker.Integer:
      return (readU29(ctx) << 3) >> 3; // sign-extend 29 bits
    case Amf3Marker.Double:
      return r.f64();
    case Amf3Marker.String:
      return readString(ctx, t);
    default:
      if (marker > Amf3Marker.Dictionary) {
        throw new AmfError(AmfErrorCode.UnknownMarker, `unknown AMF3 marker 0x${marker.toString(16)}`, {
          marker,
          offset: r.offset - 1,
        });
      }
      return complexValue(ctx, t, marker, depth);
  }
}

/** Decodes every AMF3 value in `buf` (one set of reference tables). */
export function decodeAmf3(buf: Buffer, limits?: Partial<AmfLimits>, offset = 0): AmfValue[] {
  return guardDecode(() => {
    const ctx = new AmfDecodeContext(buf, limits, offset);
    const tables = new Amf3Tables(ctx.limits);
    const out: AmfValue[] = [];
    while (ctx.r.remaining > 0) out.push(readAmf3Value(ctx, tables, 0));
    return out;
  });
}
