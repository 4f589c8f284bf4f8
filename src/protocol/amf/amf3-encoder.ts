/**
 * AMF3 encoder. Strings use the reference table; objects are written inline
 * (anonymous objects as dynamic, typed objects as sealed), never by reference.
 */
import { ByteWriter } from "../byte-writer.js";
import { AmfError, AmfErrorCode, DEFAULT_AMF_LIMITS } from "./amf-error.js";
import {
  AmfDictionary,
  AmfMixedArray,
  type AmfObject,
  AmfTypedObject,
  type AmfValue,
  AmfVector,
  AmfXml,
  isPlainObject,
} from "./amf-value.js";
import { Amf3Marker } from "./amf3-decoder.js";

const U29_MAX = 0x1fffffff;
const INT_MIN = -(1 << 28);
const INT_MAX = (1 << 28) - 1;

export function writeU29(w: ByteWriter, v: number): void {
  if (v < 0 || v > U29_MAX)
    throw new AmfError(AmfErrorCode.Unencodable, `U29 out of range: ${v}`, { value: v });
  if (v < 0x80) w.u8(v);
  else if (v < 0x4000) w.u8((v >> 7) | 0x80).u8(v & 0x7f);
  else if (v < 0x200000)
    w.u8((v >> 14) | 0x80)
      .u8(((v >> 7) & 0x7f) | 0x80)
      .u8(v & 0x7f);
  else
    w.u8((v >> 22) | 0x80)
      .u8(((v >> 15) & 0x7f) | 0x80)
      .u8(((v >> 8) & 0x7f) | 0x80)
      .u8(v & 0xff);
}

/** Per-message AMF3 encoding state (string reference table). */
export class Amf3Encoder {
  readonly #strings = new Map<string, number>();

  constructor(
    readonly w: ByteWriter,
    readonly maxDepth = DEFAULT_AMF_LIMITS.maxDepth,
  ) {}

  string(s: string): void {
    if (s === "") {
      this.w.u8(0x01);
      return;
    }
    const ref = this.#strings.get(s);
    if (ref !== undefined) {
      writeU29(this.w, ref << 1);
      return;
    }
    this.#strings.set(s, this.#strings.size);
    const bytes = Buffer.from(s, "utf8");
    writeU29(this.w, (bytes.length << 1) | 1);
    this.w.bytes(bytes);
  }

  value(v: AmfValue, depth = 0): void {
    const w = this.w;
    if (depth > this.maxDepth) {
      throw new AmfError(AmfErrorCode.TooDeep, `AMF3 value nested deeper than ${this.maxDepth}`, {
        limit: this.maxDepth,
      });
    }
    if (v === undefined) w.u8(Amf3Marker.Undefined);
    else if (v === null) w.u8(Amf3Marker.Null);
    else if (typeof v === "boolean") w.u8(v ? Amf3Marker.True : Amf3Marker.False);
    else if (typeof v === "number") this.number(v);
    else if (typeof v === "string") {
      w.u8(Amf3Marker.String);
      this.string(v);
    } else this.complex(v, depth + 1);
  }

  number(v: number): void {
    if (Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX && !Object.is(v, -0)) {
      this.w.u8(Amf3Marker.Integer);
      writeU29(this.w, v & U29_MAX);
    } else {
      this.w.u8(Amf3Marker.Double).f64(v);
    }
  }

  complex(v: object, depth: number): void {
    const w = this.w;
    if (v instanceof Date) {
      w.u8(Amf3Marker.Date).u8(0x01).f64(v.getTime());
    } else if (v instanceof AmfXml) {
      const bytes = Buffer.from(v.xml, "utf8");
      w.u8(v.legacy ? Amf3Marker.XmlDocument : Amf3Marker.Xml);
      writeU29(w, (bytes.length << 1) | 1);
      w.bytes(bytes);
    } else if (Buffer.isBuffer(v)) {
      w.u8(Amf3Marker.ByteArray);
      writeU29(w, (v.length << 1) | 1);
      w.bytes(v);
    } else if (Array.isArray(v)) {
      this.array(v, {}, depth);
    } else if (v instanceof AmfMixedArray) {
      this.array(v.dense, v.assoc, depth);
    } else if (v instanceof AmfTypedObject) {
      this.typedObject(v, depth);
    } else if (v instanceof AmfVector) {
      this.vector(v, depth);
    } else if (v instanceof AmfDictionary) {
      w.u8(Amf3Marker.Dictionary);
      writeU29(w, (v.entries.length << 1) | 1);
      w.u8(v.weakKeys ? 1 : 0);
      for (const [k, val] of v.entries) {
        this.value(k, depth);
        this.value(val, depth);
      }
    } else if (isPlainObject(v)) {
      w.u8(Amf3Marker.Object).u8(0x0b); // inline object, inline traits, dynamic, 0 sealed
      this.string("");
      this.members(v, depth);
      this.string("");
    } else {
      throw new AmfError(
        AmfErrorCode.Unencodable,
        `cannot encode ${Object.prototype.toString.call(v)} as AMF3`,
      );
    }
  }

  members(obj: AmfObject, depth: number): void {
    for (const key of Object.keys(obj)) {
      if (key === "") continue; // the empty name ends the dynamic members
      this.string(key);
      this.value(obj[key], depth);
    }
  }

  array(dense: AmfValue[], assoc: AmfObject, depth: number): void {
    this.w.u8(Amf3Marker.Array);
    writeU29(this.w, (dense.length << 1) | 1);
    this.members(assoc, depth);
    this.string("");
    for (const item of dense) this.value(item, depth);
  }

  typedObject(v: AmfTypedObject, depth: number): void {
    const keys = Object.keys(v.members);
    this.w.u8(Amf3Marker.Object);
    writeU29(this.w, (keys.length << 4) | 0x03); // inline object, inline sealed traits
    this.string(v.className);
    for (const k of keys) this.string(k);
    for (const k of keys) this.value(v.members[k], depth);
  }

  vector(v: AmfVector, depth: number): void {
    const w = this.w;
    const marker = { int: 0x0d, uint: 0x0e, double: 0x0f, object: 0x10 }[v.kind];
    w.u8(marker);
    writeU29(w, (v.items.length << 1) | 1);
    w.u8(v.fixed ? 1 : 0);
    if (v.kind === "object") this.string(v.typeName);
    for (const item of v.items) {
      if (v.kind === "object") this.value(item, depth);
      else if (typeof item !== "number") throw new AmfError(AmfErrorCode.Unencodable, "non-number in vector");
      else if (v.kind === "int") w.u32(item | 0);
      else if (v.kind === "uint") w.u32(item);
      else w.f64(item);
    }
  }
}

/** Encodes values as AMF3 sharing one set of reference tables. */
export function encodeAmf3(...values: AmfValue[]): Buffer {
  const enc = new Amf3Encoder(new ByteWriter());
  for (const v of values) enc.value(v);
  return enc.w.finish();
}
