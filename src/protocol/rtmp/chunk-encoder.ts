/**
 * RTMP chunk encoder (RTMP spec 5.3): one message → ONE Buffer holding all of
 * its chunks, so a message encoded once per chunk size can be shared by every
 * player.
 *
 * `encodeChunks` writes a type 0 header (absolute timestamp, message stream id)
 * then type 3 continuation chunks. Timestamps >= 0xFFFFFF go in the extended
 * field, repeated on every continuation chunk (what ffmpeg writes and
 * nginx-rtmp's default `play_time_fix on` sends; librtmp and ffmpeg read it).
 * Players therefore receive absolute timestamps on every message.
 *
 * `ChunkEncoder` keeps the last header per chunk stream of one connection and
 * uses type 1/2/3 headers when they say the same thing (smaller, but per
 * connection: not shareable).
 */
import {
  basicHeaderLength,
  EXTENDED_TIMESTAMP,
  MAX_CSID,
  MIN_CSID,
  writeBasicHeader,
} from "./chunk-header.js";
import type { RtmpMessage } from "./message.js";
import { RtmpErrorCode, RtmpProtocolError } from "./rtmp-error.js";

const MESSAGE_HEADER_LENGTH = [11, 7, 3, 0] as const;
/** The message length field's 24 bits. */
const MAX_MESSAGE_LENGTH = 0xff_ffff;

/** Size of the chunks of a `length`-byte message sent with a type `fmt` first header. */
function encodedLength(fmt: number, csid: number, length: number, chunkSize: number, ext: boolean): number {
  const basic = basicHeaderLength(csid);
  const extLen = ext ? 4 : 0;
  const chunks = length === 0 ? 1 : Math.ceil(length / chunkSize);
  return basic + MESSAGE_HEADER_LENGTH[fmt]! + extLen + length + (chunks - 1) * (basic + extLen);
}

function checkCsid(csid: number): void {
  if (!(csid >= MIN_CSID && csid <= MAX_CSID)) {
    throw new RtmpProtocolError(RtmpErrorCode.BadMessage, `chunk stream id ${csid} out of 2..65599`, {
      csid,
    });
  }
}

/** Writes `msg` with a first header of type `fmt` whose timestamp field is `tsField`. */
function writeChunks(msg: RtmpMessage, chunkSize: number, fmt: number, tsField: number): Buffer {
  checkCsid(msg.csid);
  const ext = tsField >= EXTENDED_TIMESTAMP;
  const out = Buffer.allocUnsafe(encodedLength(fmt, msg.csid, msg.payload.length, chunkSize, ext));
  writeInto(out, msg, chunkSize, fmt, tsField);
  return out;
}

/**
 * A 24-bit big-endian field. Byte stores that V8 compiles into writeInto,
 * where `Buffer#writeUIntBE` was a call into node's library that ran
 * interpreted (~1.5% of the server's CPU at 10 players, perf).
 */
function put24(out: Buffer, p: number, v: number): void {
  out[p] = (v >>> 16) & 0xff;
  out[p + 1] = (v >>> 8) & 0xff;
  out[p + 2] = v & 0xff;
}

/** Writes the chunks into `out` (exactly encodedLength bytes long). */
function writeInto(out: Buffer, msg: RtmpMessage, chunkSize: number, fmt: number, tsField: number): void {
  const { payload, csid } = msg;
  if (payload.length > MAX_MESSAGE_LENGTH) {
    throw new RtmpProtocolError(
      RtmpErrorCode.BadMessage,
      `message of ${payload.length} bytes: at most 16777215`,
    );
  }
  const ext = tsField >= EXTENDED_TIMESTAMP;
  let p = writeBasicHeader(out, 0, fmt, csid);
  if (fmt <= 2) {
    put24(out, p, ext ? EXTENDED_TIMESTAMP : tsField);
    p += 3;
  }
  if (fmt <= 1) {
    put24(out, p, payload.length);
    out[p + 3] = msg.type;
    p += 4;
  }
  if (fmt === 0) {
    out.writeUInt32LE(msg.streamId >>> 0, p);
    p += 4;
  }
  if (ext) {
    out.writeUInt32BE(tsField >>> 0, p);
    p += 4;
  }
  let off = 0;
  for (;;) {
    const n = Math.min(chunkSize, payload.length - off);
    payload.copy(out, p, off, off + n);
    p += n;
    off += n;
    if (off >= payload.length) break;
    p = writeBasicHeader(out, p, 3, csid);
    if (ext) {
      out.writeUInt32BE(tsField >>> 0, p);
      p += 4;
    }
  }
}

/** All chunks of `msg` (type 0 header, absolute timestamp) in one Buffer. */
export function encodeChunks(msg: RtmpMessage, chunkSize: number): Buffer {
  return writeChunks(msg, chunkSize, 0, msg.timestamp >>> 0);
}

/** Length of what encodeChunks writes for `msg` (so a caller can find the room first). */
export function encodedChunksLength(msg: RtmpMessage, chunkSize: number): number {
  checkCsid(msg.csid);
  const ts = msg.timestamp >>> 0;
  return encodedLength(0, msg.csid, msg.payload.length, chunkSize, ts >= EXTENDED_TIMESTAMP);
}

/**
 * encodeChunks into room the caller found: `out` must be exactly
 * encodedChunksLength(msg, chunkSize) bytes (a view into a larger slab).
 */
export function encodeChunksInto(msg: RtmpMessage, chunkSize: number, out: Buffer): Buffer {
  writeInto(out, msg, chunkSize, 0, msg.timestamp >>> 0);
  return out;
}

interface LastHeader {
  timestamp: number;
  tsField: number;
  length: number;
  type: number;
  streamId: number;
}

/** Per-connection encoder using compressed headers (types 1–3) where possible. */
export class ChunkEncoder {
  readonly #last = new Map<number, LastHeader>();
  /** Chunk streams whose last header was type 0 (absolute timestamp field). */
  readonly #absolute = new Set<number>();

  constructor(public chunkSize: number) {}

  encode(msg: RtmpMessage): Buffer {
    const last = this.#last.get(msg.csid);
    const ts = msg.timestamp >>> 0;
    let fmt = 0;
    let tsField = ts;
    if (last && last.streamId === msg.streamId && ts >= last.timestamp) {
      const delta = ts - last.timestamp;
      tsField = delta;
      fmt = 1;
      if (last.type === msg.type && last.length === msg.payload.length) {
        fmt = 2;
        // Type 3 for a new message reuses the previous field as delta; only after
        // a delta field (not an absolute one) do all readers agree on it.
        if (last.tsField === delta && last.length > 0 && !this.#absolute.has(msg.csid)) fmt = 3;
      }
    }
    const out = writeChunks(msg, this.chunkSize, fmt, tsField);
    if (fmt === 0) this.#absolute.add(msg.csid);
    else this.#absolute.delete(msg.csid);
    this.#last.set(msg.csid, {
      timestamp: ts,
      tsField,
      length: msg.payload.length,
      type: msg.type,
      streamId: msg.streamId,
    });
    return out;
  }

  /** Forgets a chunk stream's last header (next message gets a type 0 header). */
  reset(csid?: number): void {
    if (csid === undefined) this.#last.clear();
    else this.#last.delete(csid);
    if (csid === undefined) this.#absolute.clear();
    else this.#absolute.delete(csid);
  }
}
