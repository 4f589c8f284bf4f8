/**
 * Small byte-level readers for the few things the engine needs from data
 * messages and aggregates, without a full AMF decode on the ingest path.
 */

const SET_DATA_FRAME = Buffer.from("@setDataFrame", "latin1");
const CLEAR_DATA_FRAME = Buffer.from("@clearDataFrame", "latin1");
const ON_META_DATA = Buffer.from("onMetaData", "latin1");
const AMF0_STRING = 0x02;
const AMF0_NUMBER = 0x00;

/** The AMF0 string at `at` if there is one: [start, end) of its bytes. */
function amf0StringAt(p: Buffer, at: number): [number, number] | null {
  if (p.length < at + 3 || p[at] !== AMF0_STRING) return null;
  const len = p.readUInt16BE(at + 1);
  if (p.length < at + 3 + len) return null;
  return [at + 3, at + 3 + len];
}

function firstStringIs(p: Buffer, want: Buffer): [number, number] | null {
  const s = amf0StringAt(p, 0);
  if (!s || s[1] - s[0] !== want.length) return null;
  return p.compare(want, 0, want.length, s[0], s[1]) === 0 ? s : null;
}

export type DataVerdict = { kind: "metadata"; body: Buffer } | { kind: "clear" } | { kind: "relay" };

/**
 * Classifies an AMF0 data message from a publisher: `@setDataFrame onMetaData
 * {...}` is kept as `onMetaData {...}` (what nginx-rtmp sends players),
 * `@clearDataFrame` drops it, anything else is relayed as is.
 */
export function classifyData(p: Buffer): DataVerdict {
  const set = firstStringIs(p, SET_DATA_FRAME);
  if (set) {
    const body = p.subarray(set[1]);
    return firstStringIs(body, ON_META_DATA) ? { kind: "metadata", body } : { kind: "relay" };
  }
  if (firstStringIs(p, CLEAR_DATA_FRAME)) return { kind: "clear" };
  if (firstStringIs(p, ON_META_DATA)) return { kind: "metadata", body: p };
  return { kind: "relay" };
}

/** A number property of a metadata object (`"\x00\x05width" 0x00 f64`), found by its key bytes. */
export function metadataNumber(p: Buffer, key: string): number | null {
  const k = Buffer.alloc(2 + key.length + 1);
  k.writeUInt16BE(key.length, 0);
  k.write(key, 2, "latin1");
  k[k.length - 1] = AMF0_NUMBER;
  const at = p.indexOf(k);
  if (at < 0 || at + k.length + 8 > p.length) return null;
  const v = p.readDoubleBE(at + k.length);
  return Number.isFinite(v) ? v : null;
}

/** A string property of a metadata object (`"\x00\x07encoder" 0x02 u16 bytes`). */
export function metadataString(p: Buffer, key: string): string | null {
  const k = Buffer.alloc(2 + key.length);
  k.writeUInt16BE(key.length, 0);
  k.write(key, 2, "latin1");
  const at = p.indexOf(k);
  if (at < 0) return null;
  const s = amf0StringAt(p, at + k.length);
  return s ? p.toString("utf8", s[0], s[1]) : null;
}

export interface AggregatePart {
  type: number;
  timestamp: number;
  payload: Buffer;
}

/**
 * Splits an Aggregate message (RTMP spec 7.1.6): FLV tags (type, 24-bit size,
 * 24+8-bit timestamp, 24-bit stream id, body, 32-bit back pointer). Sub-message
 * timestamps are moved so the first one equals the aggregate's. Returns null
 * when the body is malformed (a sub-tag overruns the message).
 */
export function splitAggregate(p: Buffer, timestamp: number): AggregatePart[] | null {
  const out: AggregatePart[] = [];
  let at = 0;
  let base = -1;
  while (at < p.length) {
    if (p.length - at < 11) return null;
    const type = p[at]!;
    const size = p.readUIntBE(at + 1, 3);
    const ts = (p.readUIntBE(at + 4, 3) | (p[at + 7]! << 24)) >>> 0;
    const start = at + 11;
    if (start + size > p.length) return null;
    if (base < 0) base = ts;
    out.push({ type, timestamp: (timestamp + (ts - base)) >>> 0, payload: p.subarray(start, start + size) });
    at = start + size + 4;
  }
  return out;
}
