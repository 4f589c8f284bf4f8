/**
 * Streaming RTMP chunk decoder (RTMP spec 5.3): bytes in, whole messages out.
 *
 * - Header types 0–3, 1- to 3-byte chunk stream ids, extended timestamps.
 * - Type 3 chunks: a new message reuses the previous timestamp field as its
 *   delta (spec 5.3.1.2.4; ffmpeg writes and reads it so). When the stream's
 *   last header had an extended timestamp, a type 3 chunk starting a message
 *   always carries it (as nginx-rtmp reads); on a continuation chunk it is
 *   taken only if the 4 bytes equal the message's extended value, since
 *   ffmpeg/librtmp repeat it and some encoders omit it.
 * - Set Chunk Size and Abort are applied here, then still handed on.
 * - A single-chunk message that arrives whole is a subarray of the input (no
 *   copy), unless `reusedInput` says the caller reuses its input buffer after
 *   `feed` returns (then it is copied); any other message is copied once into
 *   one buffer of its length. Payloads handed out are never touched again.
 * - With `transientPayloads`, a payload is only valid until the handler
 *   returns: single-chunk messages are views of the input, and each chunk
 *   stream assembles its messages in one buffer of its own, reused for the
 *   next (grown when a bigger message comes). No allocation per message:
 *   the handler copies what it keeps.
 * - Bounds: message length (maxMessageLength), open chunk streams
 *   (maxChunkStreams), bytes held for unfinished messages (maxPendingBytes, so
 *   many chunk streams cannot each pin a maxMessageLength buffer for a few
 *   header bytes), chunk size 1..2^31-1. A broken bound is a verdict:
 *   `feed` returns an RtmpProtocolError (stable code) and the decoder stays
 *   failed; the owner closes the connection.
 */

import { DEFAULT_CHUNK_SIZE, EXTENDED_TIMESTAMP, MAX_CHUNK_SIZE, MAX_HEADER_LENGTH } from "./chunk-header.js";
import type { RtmpMessage } from "./message.js";
import { MessageType } from "./message.js";
import { RtmpErrorCode, RtmpProtocolError } from "./rtmp-error.js";

export interface ChunkDecoderOptions {
  /** Largest message accepted, in bytes (nginx-rtmp `max_message`, default 1 MiB). */
  maxMessageLength?: number;
  /** Most chunk streams one connection may open (default 64). */
  maxChunkStreams?: number;
  /** Most bytes allocated for unfinished multi-chunk messages, all chunk streams together (default 2 × maxMessageLength). */
  maxPendingBytes?: number;
  /** Initial incoming chunk size (default 128, spec 5.4.1). */
  chunkSize?: number;
  /**
   * The caller overwrites the bytes it fed once `feed` returns (one read
   * buffer reused for every read): payloads are then always copied out.
   */
  reusedInput?: boolean;
  /** Payloads are only valid during the handler call (see above); implies reusedInput. */
  transientPayloads?: boolean;
  /** With transientPayloads: overwrite each payload with 0xEE once the handler returns (tests catch a payload kept). */
  poison?: boolean;
}

export const DEFAULT_MAX_MESSAGE_LENGTH = 1 << 20;
export const DEFAULT_MAX_CHUNK_STREAMS = 64;

interface StreamState {
  csid: number;
  /** Absolute timestamp of the current (or last) message. */
  timestamp: number;
  /** Last timestamp field read (delta, or absolute for type 0), extended value included. */
  tsField: number;
  extended: boolean;
  length: number;
  type: number;
  streamId: number;
  /**
   * The unfinished message's buffer, of its length (null between messages). With
   * transientPayloads, this chunk stream's reused assembly buffer instead (kept
   * between messages, capacity counted in pendingBytes): a message fills its
   * first `length` bytes. One field for both, as one mode never uses the other.
   */
  buf: Buffer | null;
  /** Bytes of the current message received so far; 0 between messages. */
  received: number;
}

interface ParsedHeader {
  fmt: number;
  csid: number;
  tsField: number;
  ext: boolean;
  length: number;
  type: number;
  streamId: number;
}

export type MessageHandler = (msg: RtmpMessage) => void;

/** Message types whose chunk stream keeps its assembly buffer for the next message (transientPayloads): media. */
const REUSES_BUFFER: Record<number, boolean> = {
  [MessageType.Audio]: true,
  [MessageType.Video]: true,
  [MessageType.Aggregate]: true,
};

export class ChunkDecoder {
  readonly #maxMessageLength: number;
  readonly #maxChunkStreams: number;
  readonly #maxPendingBytes: number;
  readonly #reusedInput: boolean;
  readonly #transient: boolean;
  readonly #poison: boolean;
  #pendingBytes = 0;
  /**
   * Open chunk streams in order of first use, null until the first; found by a
   * scan of csid. A player has 3, a publisher 3-5: this costs 32 B + 8 B a slot
   * where a Map cost ~184 B, and scanning so few beats hashing.
   */
  #streams: StreamState[] | null = null;
  readonly #h: ParsedHeader = { fmt: 0, csid: 0, tsField: 0, ext: false, length: 0, type: 0, streamId: 0 };
  #chunkSize: number;
  #rem: Buffer | null = null;
  /**
   * The chunk stream of the last chunk header: its payload is being copied
   * while #chunkLeft > 0, else it is only where #find looks first (the next
   * chunk mostly continues the same message or media stream).
   */
  #cur: StreamState | null = null;
  #chunkLeft = 0;
  #failed: RtmpProtocolError | null = null;
  /** `this` for the handler of the current feed (a method of the caller, not a closure per caller). */
  #self: unknown = undefined;
  /** Bytes fed so far (for Acknowledgement). */
  bytesIn = 0;

  constructor(opts: ChunkDecoderOptions = {}) {
    this.#maxMessageLength = opts.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
    this.#maxChunkStreams = opts.maxChunkStreams ?? DEFAULT_MAX_CHUNK_STREAMS;
    this.#maxPendingBytes = opts.maxPendingBytes ?? 2 * this.#maxMessageLength;
    this.#chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.#transient = opts.transientPayloads === true;
    this.#reusedInput = opts.reusedInput === true && !this.#transient;
    this.#poison = this.#transient && opts.poison === true;
  }

  get chunkSize(): number {
    return this.#chunkSize;
  }

  /** The error that stopped the decoder, if any. */
  get error(): RtmpProtocolError | null {
    return this.#failed;
  }

  /** Applies a new incoming chunk size (done automatically for in-band Set Chunk Size). */
  setChunkSize(size: number): void {
    if (!Number.isInteger(size) || size < 1 || size > MAX_CHUNK_SIZE) {
      throw new RtmpProtocolError(RtmpErrorCode.BadChunkSize, `chunk size ${size} out of 1..2^31-1`, {
        size,
      });
    }
    this.#chunkSize = size;
  }

  /**
   * Decodes `data`, calling `onMessage` for each complete message in order
   * (with `self` as `this`: a caller passes its own method, no closure).
   * Returns null, or the protocol error that makes this connection unusable.
   */
  feed(data: Buffer, onMessage: MessageHandler, self?: unknown): RtmpProtocolError | null {
    if (this.#failed) return this.#failed;
    this.#self = self;
    this.bytesIn += data.length;
    try {
      let off = 0;
      const rem = this.#rem;
      if (rem) {
        const head = Buffer.concat([rem, data.subarray(0, MAX_HEADER_LENGTH)]);
        const n = this.#parse(head, 0);
        if (n < 0) {
          this.#rem = head; // data was shorter than a header: all of it is in head
          return null;
        }
        this.#rem = null;
        off = this.#afterHeader(data, n - rem.length, onMessage);
      }
      this.#run(data, off, onMessage);
      return null;
    } catch (e) {
      if (e instanceof RtmpProtocolError) {
        this.#failed = e;
        return e;
      }
      throw e;
    }
  }

  #run(buf: Buffer, off: number, onMessage: MessageHandler): void {
    while (off < buf.length) {
      if (this.#chunkLeft > 0) {
        off = this.#copy(buf, off, onMessage);
        continue;
      }
      const n = this.#parse(buf, off);
      if (n < 0) {
        this.#rem = Buffer.from(buf.subarray(off));
        return;
      }
      off = this.#afterHeader(buf, off + n, onMessage);
    }
  }

  /** Parses a chunk header at `off` into #h without changing state; -1 when more bytes are needed. */
  #parse(buf: Buffer, off: number): number {
    const end = buf.length;
    if (off >= end) return -1;
    const b0 = buf[off]!;
    const fmt = b0 >> 6;
    let csid = b0 & 0x3f;
    let p = off + 1;
    if (csid === 0) {
      if (p + 1 > end) return -1;
      csid = 64 + buf[p]!;
      p += 1;
    } else if (csid === 1) {
      if (p + 2 > end) return -1;
      csid = 64 + buf[p]! + buf[p + 1]! * 256;
      p += 2;
    }
    const h = this.#h;
    h.fmt = fmt;
    h.csid = csid;
    if (fmt === 3) {
      const st = this.#find(csid);
      h.ext = st?.extended === true;
      if (!st || !h.ext) return p - off;
      if (st.received === 0) {
        if (p + 4 > end) return -1;
        h.tsField = buf.readUInt32BE(p);
        return p + 4 - off;
      }
      // Continuation: the 4 bytes are the extended timestamp only if they repeat it.
      // Decide as soon as the bytes at hand differ from it; wait while they match.
      const avail = Math.min(4, end - p);
      for (let i = 0; i < avail; i++) {
        if (buf[p + i] !== ((st.tsField >>> (24 - 8 * i)) & 0xff)) return p - off;
      }
      if (avail < 4) return -1;
      return p + 4 - off;
    }
    const size = fmt === 0 ? 11 : fmt === 1 ? 7 : 3;
    if (p + size > end) return -1;
    // 24-bit fields read byte by byte: compiled in, not a call into node's Buffer library.
    let ts = (buf[p]! << 16) | (buf[p + 1]! << 8) | buf[p + 2]!;
    if (fmt <= 1) {
      h.length = (buf[p + 3]! << 16) | (buf[p + 4]! << 8) | buf[p + 5]!;
      h.type = buf[p + 6]!;
    }
    if (fmt === 0) h.streamId = buf.readUInt32LE(p + 7);
    p += size;
    h.ext = ts === EXTENDED_TIMESTAMP;
    if (h.ext) {
      if (p + 4 > end) return -1;
      ts = buf.readUInt32BE(p);
      p += 4;
    }
    h.tsField = ts;
    return p - off;
  }

  /** The open chunk stream `csid`, if any: the last chunk's first, then a scan (≤ maxChunkStreams, mostly ≤ 4). */
  #find(csid: number): StreamState | undefined {
    const cur = this.#cur;
    if (cur !== null && cur.csid === csid) return cur;
    const list = this.#streams;
    if (list === null) return undefined;
    for (let i = 0; i < list.length; i++) {
      if (list[i]!.csid === csid) return list[i];
    }
    return undefined;
  }

  #stream(csid: number, fmt: number): StreamState {
    const found = this.#find(csid);
    if (found) return found;
    if (fmt >= 2) {
      throw new RtmpProtocolError(
        RtmpErrorCode.NoPreviousHeader,
        `chunk type ${fmt} on chunk stream ${csid} with no previous header`,
        { csid, fmt },
      );
    }
    const list = this.#streams;
    if ((list === null ? 0 : list.length) >= this.#maxChunkStreams) {
      throw new RtmpProtocolError(RtmpErrorCode.TooManyChunkStreams, "too many chunk streams", {
        csid,
        limit: this.#maxChunkStreams,
      });
    }
    const st: StreamState = {
      csid,
      timestamp: 0,
      tsField: 0,
      extended: false,
      length: 0,
      type: 0,
      streamId: 0,
      buf: null,
      received: 0,
    };
    // A new array of exactly the new length (push would add 16 spare slots): new
    // chunk streams are few and come once, at most maxChunkStreams of them.
    this.#streams = list === null ? [st] : list.concat([st]);
    return st;
  }

  /** Applies the parsed header to its chunk stream and starts the chunk's payload. */
  #afterHeader(buf: Buffer, off: number, onMessage: MessageHandler): number {
    const h = this.#h;
    const st = this.#stream(h.csid, h.fmt);
    this.#cur = st;
    if (h.fmt !== 3 || st.received === 0) {
      // A full header in the middle of a message restarts it (the partial one is dropped).
      this.#drop(st);
      if (h.fmt <= 1) {
        if (h.length > this.#maxMessageLength) {
          throw new RtmpProtocolError(
            RtmpErrorCode.MessageTooLarge,
            `message of ${h.length} bytes too large`,
            {
              csid: h.csid,
              length: h.length,
              limit: this.#maxMessageLength,
            },
          );
        }
        st.length = h.length;
        st.type = h.type;
      }
      if (h.fmt === 0) {
        st.streamId = h.streamId;
        st.timestamp = h.tsField;
      } else {
        if (h.fmt !== 3 || h.ext) st.tsField = h.tsField;
        st.timestamp = (st.timestamp + st.tsField) % 0x100000000;
      }
      if (h.fmt === 0) st.tsField = h.tsField;
      if (h.fmt !== 3) st.extended = h.ext;
    }
    const n = Math.min(this.#chunkSize, st.length - st.received);
    if (st.received === 0 && n === st.length && buf.length - off >= n) {
      const whole = buf.subarray(off, off + n);
      this.#emit(st, this.#reusedInput ? Buffer.from(whole) : whole, onMessage);
      return off + n;
    }
    if (st.received === 0) this.#allocate(st); // a message starts: else its buffer is there
    this.#chunkLeft = n;
    return off;
  }

  #copy(buf: Buffer, off: number, onMessage: MessageHandler): number {
    const st = this.#cur!;
    const n = Math.min(this.#chunkLeft, buf.length - off);
    buf.copy(st.buf!, st.received, off, off + n);
    st.received += n;
    this.#chunkLeft -= n;
    if (this.#chunkLeft === 0) {
      if (st.received === st.length) {
        const payload = this.#transient ? st.buf!.subarray(0, st.length) : st.buf!;
        this.#drop(st);
        this.#emit(st, payload, onMessage);
        // Commands and control messages are rare: their stream keeps no buffer (a player's connection holds none).
        if (this.#transient && st.buf && !REUSES_BUFFER[st.type]) {
          this.#pendingBytes -= st.buf.length;
          st.buf = null;
        }
      }
    }
    return off + n;
  }

  /** Gives `st.buf` room for the message starting. */
  #allocate(st: StreamState): void {
    if (this.#transient) {
      this.#reuse(st);
      return;
    }
    if (this.#pendingBytes + st.length > this.#maxPendingBytes) {
      throw new RtmpProtocolError(
        RtmpErrorCode.TooMuchPending,
        "too many bytes held for unfinished messages",
        {
          csid: st.csid,
          pending: this.#pendingBytes,
          length: st.length,
          limit: this.#maxPendingBytes,
        },
      );
    }
    this.#pendingBytes += st.length;
    st.buf = Buffer.allocUnsafe(st.length);
  }

  /** transientPayloads: the stream's own buffer, grown (within maxPendingBytes for all streams) when too small. */
  #reuse(st: StreamState): void {
    const have = st.buf?.length ?? 0;
    if (have >= st.length) return;
    // Room for somewhat bigger messages to come (keyframes vary), within the bounds.
    const want = Math.min(Math.max(st.length, Math.ceil((have * 3) / 2)), this.#maxMessageLength);
    let cap = Math.max(st.length, want - (want % 4096));
    if (this.#pendingBytes - have + cap > this.#maxPendingBytes) {
      // Idle chunk streams give their buffers back first.
      for (const o of this.#streams!) {
        if (o !== st && o.received === 0 && o.buf) {
          this.#pendingBytes -= o.buf.length;
          o.buf = null;
        }
      }
      cap = st.length;
      if (this.#pendingBytes - have + cap > this.#maxPendingBytes) {
        throw new RtmpProtocolError(
          RtmpErrorCode.TooMuchPending,
          "too many bytes held for unfinished messages",
          { csid: st.csid, pending: this.#pendingBytes, length: st.length, limit: this.#maxPendingBytes },
        );
      }
    }
    this.#pendingBytes += cap - have;
    st.buf = Buffer.allocUnsafeSlow(cap);
  }

  /** Forgets the stream's unfinished message (complete, restarted or aborted). */
  #drop(st: StreamState): void {
    if (!this.#transient && st.buf) {
      this.#pendingBytes -= st.buf.length;
      st.buf = null;
    }
    st.received = 0;
  }

  #emit(st: StreamState, payload: Buffer, onMessage: MessageHandler): void {
    const msg: RtmpMessage = {
      type: st.type,
      streamId: st.streamId,
      timestamp: st.timestamp,
      payload,
      csid: st.csid,
    };
    if (st.type === MessageType.SetChunkSize) this.#applyChunkSize(payload);
    else if (st.type === MessageType.Abort) this.#applyAbort(payload);
    onMessage.call(this.#self, msg);
    if (this.#poison) payload.fill(0xee);
  }

  #applyChunkSize(payload: Buffer): void {
    if (payload.length < 4) {
      throw new RtmpProtocolError(RtmpErrorCode.BadMessage, "short Set Chunk Size message", {
        length: payload.length,
      });
    }
    this.setChunkSize(payload.readUInt32BE(0));
  }

  #applyAbort(payload: Buffer): void {
    if (payload.length < 4) {
      throw new RtmpProtocolError(RtmpErrorCode.BadMessage, "short Abort message", {
        length: payload.length,
      });
    }
    const st = this.#find(payload.readUInt32BE(0));
    if (st) this.#drop(st);
  }
}

/** Decodes a whole byte string at once (tests, tools). Throws the decoder's error. */
export function decodeChunks(data: Buffer, opts?: ChunkDecoderOptions): RtmpMessage[] {
  const out: RtmpMessage[] = [];
  const err = new ChunkDecoder(opts).feed(data, (m) => out.push(m));
  if (err) throw err;
  return out;
}

/**
 * The payload of the one message `chunks` holds (as encodeChunks wrote it with
 * this chunk size): a view when it is one chunk, else one copy. Throws when
 * the bytes are not exactly one whole message.
 */
export function payloadOfChunks(chunks: Buffer, chunkSize: number): Buffer {
  const msgs = decodeChunks(chunks, { chunkSize, maxMessageLength: chunks.length });
  if (msgs.length !== 1) {
    throw new RtmpProtocolError(RtmpErrorCode.BadMessage, `expected one message, got ${msgs.length}`, {
      messages: msgs.length,
    });
  }
  return msgs[0]!.payload;
}
