/**
 * FLV file container (Adobe FLV and F4V File Format Specification v10.1,
 * annex E): 9-byte header, then PreviousTagSize0 followed by tags, each tag
 * followed by its PreviousTagSize back-pointer.
 */
import { ByteReader } from "../byte-reader.js";
import { FlvError } from "./flv-error.js";

/** E.4.1 TagType values. */
export const FLV_TAG_AUDIO = 8;
export const FLV_TAG_VIDEO = 9;
export const FLV_TAG_SCRIPT = 18;

export const FLV_HEADER_SIZE = 9;
/** Bounds: a tag body can not exceed 24 bits anyway; we also refuse absurd header offsets. */
const MAX_DATA_OFFSET = 1024;

export interface FlvHeader {
  version: number;
  hasAudio: boolean;
  hasVideo: boolean;
  dataOffset: number;
}

export interface FlvTag {
  type: number;
  /** ms, with TimestampExtended as the upper 8 bits. */
  timestamp: number;
  /** A view into the file buffer (no copy). */
  body: Buffer;
}

export function parseFlvHeader(buf: Buffer): FlvHeader {
  if (buf.length < FLV_HEADER_SIZE) throw new FlvError("ONAIR_FLV_TRUNCATED", "FLV header truncated");
  if (buf[0] !== 0x46 || buf[1] !== 0x4c || buf[2] !== 0x56) {
    throw new FlvError("ONAIR_FLV_BAD_SIGNATURE", "not an FLV file (no 'FLV' signature)");
  }
  const flags = buf[4]!;
  const dataOffset = buf.readUInt32BE(5);
  if (dataOffset < FLV_HEADER_SIZE || dataOffset > MAX_DATA_OFFSET) {
    throw new FlvError("ONAIR_FLV_BAD_HEADER", `bad FLV DataOffset ${dataOffset}`, { dataOffset });
  }
  return { version: buf[3]!, hasAudio: (flags & 4) !== 0, hasVideo: (flags & 1) !== 0, dataOffset };
}

/**
 * Iterates over the tags of a whole FLV file held in memory. A truncated last
 * tag ends the iteration when `lenient` (a file still being written),
 * otherwise it throws FlvError.
 */
export function* readFlvTags(buf: Buffer, opts: { lenient?: boolean } = {}): Generator<FlvTag> {
  const header = parseFlvHeader(buf);
  const r = new ByteReader(buf, header.dataOffset);
  if (r.remaining < 4) return;
  r.skip(4); // PreviousTagSize0
  while (r.remaining > 0) {
    if (r.remaining < 11) {
      if (opts.lenient) return;
      throw new FlvError("ONAIR_FLV_TRUNCATED", "FLV tag header truncated", { offset: r.offset });
    }
    const start = r.offset;
    const b0 = r.u8();
    if (b0 & 0x20) throw new FlvError("ONAIR_FLV_ENCRYPTED", "encrypted FLV tags are not supported");
    const type = b0 & 0x1f;
    const size = r.u24();
    const ts = r.u24();
    const tsExt = r.u8();
    r.skip(3); // StreamID, always 0
    if (r.remaining < size + 4) {
      if (opts.lenient) return;
      throw new FlvError("ONAIR_FLV_TRUNCATED", `FLV tag body truncated (${size} bytes wanted)`, {
        offset: start,
        size,
      });
    }
    const body = r.bytes(size);
    const back = r.u32();
    if (back !== size + 11) {
      throw new FlvError("ONAIR_FLV_BAD_BACKPOINTER", `PreviousTagSize ${back} != ${size + 11}`, {
        offset: start,
      });
    }
    yield { type, timestamp: tsExt * 0x1000000 + ts, body };
  }
}

/** FLV file writing, piece by piece: each call returns the bytes to append. */
export function flvFileHeader(opts: { audio: boolean; video: boolean }): Buffer {
  const b = Buffer.alloc(FLV_HEADER_SIZE + 4);
  b.write("FLV", 0, "latin1");
  b[3] = 1;
  b[4] = (opts.audio ? 4 : 0) | (opts.video ? 1 : 0);
  b.writeUInt32BE(FLV_HEADER_SIZE, 5);
  // PreviousTagSize0 = 0 already
  return b;
}

/** One tag with its trailing PreviousTagSize; `timestamp` in ms (wraps at 2^32). */
export function flvTag(type: number, timestamp: number, body: Uint8Array): Buffer {
  if (body.length > 0xffffff) {
    throw new FlvError("ONAIR_FLV_TAG_TOO_LARGE", `FLV tag body of ${body.length} bytes`, {
      size: body.length,
    });
  }
  const out = Buffer.allocUnsafe(11 + body.length + 4);
  const ts = timestamp % 0x100000000;
  out[0] = type & 0x1f;
  out.writeUIntBE(body.length, 1, 3);
  out.writeUIntBE(ts % 0x1000000, 4, 3);
  out[7] = Math.floor(ts / 0x1000000) & 0xff;
  out.writeUIntBE(0, 8, 3);
  out.set(body, 11);
  out.writeUInt32BE(11 + body.length, 11 + body.length);
  return out;
}
