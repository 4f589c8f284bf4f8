/**
 * AMF0 encoder. Values AMF0 cannot express (ByteArray, AMF3 mixed arrays,
 * vectors, dictionaries) are written after an AMF3 switch marker (0x11).
 */
import { ByteWriter } from "../byte-writer.js";
import { AmfError, AmfErrorCode, DEFAULT_AMF_LIMITS } from "./amf-error.js";
import {
  type AmfObject,
  AmfTypedObject,
  type AmfValue,
  AmfXml,
  isEcmaArray,
  isPlainObject,
} from "./amf-value.js";
import { Amf0Marker } from "./amf0-decoder.js";
import { Amf3Encoder } from "./amf3-encoder.js";

function writeShortString(w: ByteWriter, s: string): void {
  const bytes = Buffer.from(s, "utf8");
  if (bytes.length > 0xffff) {
    throw new AmfError(AmfErrorCode.Unencodable, "AMF0 key or class name longer than 65535 bytes", {
      length: bytes.length,
    });
  }
  w.u16(bytes.length).bytes(bytes);
}

class Amf0Writer {
  constructor(
    readonly w: ByteWriter,
    readonly maxDepth: number,
  ) {}

  value(v: AmfValue, depth: number): void {
    const w = this.w;
    if (v === undefined) w.u8(Amf0Marker.Undefined);
    else if (v === null) w.u8(Amf0Marker.Null);
    else if (typeof v === "number") w.u8(Amf0Marker.Number).f64(v);
    else if (typeof v === "boolean") w.u8(Amf0Marker.Boolean).u8(v ? 1 : 0);
    else if (typeof v === "string") this.string(v);
    else this.complex(v, depth + 1);
  }

  string(s: string): void {
    const bytes = Buffer.from(s, "utf8");
    if (bytes.length > 0xffff) this.w.u8(Amf0Marker.LongString).u32(bytes.length);
    else this.w.u8(Amf0Marker.String).u16(bytes.length);
    this.w.bytes(bytes);
  }

  complex(v: object, depth: number): void {
    const w = this.w;
    if (depth > this.maxDepth) {
      throw new AmfError(AmfErrorCode.TooDeep, `AMF0 value nested deeper than ${this.maxDepth}`, {
        limit: this.maxDepth,
      });
    }
    if (v instanceof Date) {
      w.u8(Amf0Marker.Date).f64(v.getTime()).u16(0);
    } else if (v instanceof AmfXml && v.legacy) {
      const bytes = Buffer.from(v.xml, "utf8");
      w.u8(Amf0Marker.XmlDocument).u32(bytes.length).bytes(bytes);
    } else if (Array.isArray(v)) {
      w.u8(Amf0Marker.StrictArray).u32(v.length);
      for (const item of v) this.value(item, depth);
    } else if (v instanceof AmfTypedObject) {
      w.u8(Amf0Marker.TypedObject);
      writeShortString(w, v.className);
      this.members(v.members, depth);
    } else if (isPlainObject(v)) {
      if (isEcmaArray(v)) w.u8(Amf0Marker.EcmaArray).u32(Object.keys(v).length);
      else w.u8(Amf0Marker.Object);
      this.members(v, depth);
    } else {
      w.u8(Amf0Marker.AvmPlus);
      new Amf3Encoder(w, this.maxDepth).value(v as AmfValue, depth - 1);
    }
  }

  members(obj: AmfObject, depth: number): void {
    for (const key of Object.keys(obj)) {
      writeShortString(this.w, key);
      this.value(obj[key], depth);
    }
    this.w.u16(0).u8(Amf0Marker.ObjectEnd);
  }
}

/** Encodes values one after another as AMF0. */
export function encodeAmf0(...values: AmfValue[]): Buffer {
  const writer = new Amf0Writer(new ByteWriter(), DEFAULT_AMF_LIMITS.maxDepth);
  for (const v of values) writer.value(v, 0);
  return writer.w.finish();
}
