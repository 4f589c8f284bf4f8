/**
 * AMF0 decoder (Adobe "Action Message Format -- AMF 0", section 2).
 * Bounded by AmfLimits; raises only AmfError.
 */
import { AmfDecodeContext, guardDecode } from "./amf-context.js";
import { AmfError, AmfErrorCode, type AmfLimits } from "./amf-error.js";
import {
  type AmfObject,
  AmfTypedObject,
  type AmfValue,
  AmfXml,
  markEcmaArray,
  setMember,
} from "./amf-value.js";
import { readAmf3Value } from "./amf3-decoder.js";
import { Amf3Tables } from "./amf3-tables.js";

/** AMF0 type markers (AMF0 spec 2.1). */
export const Amf0Marker = {
  Number: 0x00,
  Boolean: 0x01,
  String: 0x02,
  Object: 0x03,
  MovieClip: 0x04,
  Null: 0x05,
  Undefined: 0x06,
  Reference: 0x07,
  EcmaArray: 0x08,
  ObjectEnd: 0x09,
  StrictArray: 0x0a,
  Date: 0x0b,
  LongString: 0x0c,
  Unsupported: 0x0d,
  RecordSet: 0x0e,
  XmlDocument: 0x0f,
  TypedObject: 0x10,
  AvmPlus: 0x11,
} as const;

class Amf0Reader {
  readonly refs: AmfValue[] = [];

  constructor(readonly ctx: AmfDecodeContext) {}

  value(depth: number): AmfValue {
    const { ctx } = this;
    const r = ctx.r;
    ctx.count();
    const marker = r.u8();
    switch (marker) {
      case Amf0Marker.Number:
        return r.f64();
      case Amf0Marker.Boolean:
        return r.u8() !== 0;
      case Amf0Marker.String:
        return ctx.utf8(r.u16());
      case Amf0Marker.LongString:
        return ctx.utf8(r.u32());
      case Amf0Marker.Null:
        return null;
      case Amf0Marker.Undefined:
      case Amf0Marker.Unsupported:
        return undefined;
      case Amf0Marker.Reference:
        return this.reference(r.u16());
      case Amf0Marker.Date: {
        const ms = r.f64();
        r.skip(2); // time zone, reserved (AMF0 2.13)
        return new Date(ms);
      }
      case Amf0Marker.XmlDocument:
        return new AmfXml(ctx.utf8(r.u32()), true);
      case Amf0Marker.Object:
        return this.object({}, depth + 1, false);
      case Amf0Marker.EcmaArray:
        r.skip(4); // associative-count: a hint only, often wrong in the wild
        return this.object(markEcmaArray({}), depth + 1, true);
      case Amf0Marker.TypedObject: {
        const className = ctx.utf8(r.u16());
        const typed = new AmfTypedObject(className, {});
        this.refs.push(typed);
        this.members(typed.members, depth + 1, false);
        return typed;
      }
      case Amf0Marker.StrictArray:
        return this.strictArray(r.u32(), depth + 1);
      case Amf0Marker.AvmPlus:
        return readAmf3Value(ctx, new Amf3Tables(ctx.limits), depth);
      default:
        throw new AmfError(AmfErrorCode.UnknownMarker, `unknown AMF0 marker 0x${marker.toString(16)}`, {
          marker,
          offset: r.offset - 1,
        });
    }
  }

  reference(index: number): AmfValue {
    if (index >= this.refs.length) {
      throw new AmfError(AmfErrorCode.BadReference, `AMF0 reference ${index} out of range`, {
        index,
        offset: this.ctx.r.offset,
      });
    }
    return this.refs[index];
  }

  object(obj: AmfObject, depth: number, lenientEnd: boolean): AmfObject {
    this.refs.push(obj);
    this.members(obj, depth, lenientEnd);
    return obj;
  }

  /** Reads `key value` pairs up to the 00 00 09 end marker. */
  members(obj: AmfObject, depth: number, lenientEnd: boolean): void {
    const { ctx } = this;
    const r = ctx.r;
    ctx.enter(depth);
    for (;;) {
      // Some encoders end an ECMA array at the end of the buffer without 00 00 09.
      if (lenientEnd && r.remaining === 0) return;
      const keyLen = r.u16();
      if (keyLen === 0 && r.remaining > 0 && r.buf[r.offset] === Amf0Marker.ObjectEnd) {
        r.offset++;
        return;
      }
      const key = ctx.utf8(keyLen);
      setMember(obj, key, this.value(depth));
    }
  }

  strictArray(count: number, depth: number): AmfValue[] {
    const { ctx } = this;
    ctx.enter(depth);
    // Each element takes at least one byte: refuse counts the input cannot hold.
    if (count > ctx.r.remaining) ctx.r.need(count);
    const arr: AmfValue[] = [];
    this.refs.push(arr);
    for (let i = 0; i < count; i++) arr.push(this.value(depth));
    return arr;
  }
}

/** Decodes every AMF0 value in `buf` (from `offset`) until its end. */
export function decodeAmf0(buf: Buffer, limits?: Partial<AmfLimits>, offset = 0): AmfValue[] {
  return guardDecode(() => {
    const ctx = new AmfDecodeContext(buf, limits, offset);
    const reader = new Amf0Reader(ctx);
    const out: AmfValue[] = [];
    while (ctx.r.remaining > 0) out.push(reader.value(0));
    return out;
  });
}
