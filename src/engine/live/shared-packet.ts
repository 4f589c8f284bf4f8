/**
 * One media message as the engine holds it: parsed once at ingest, held once,
 * encoded into RTMP chunks once per (outgoing chunk size, message stream id)
 * and that one Buffer handed to every player. Every chunk carries an absolute
 * type-0 header on its first chunk, so the same bytes are right for a player
 * whatever it received before (no per-player delta state to keep in step).
 *
 * A packet given a PayloadDecoder (plain audio/video, which only players and
 * the GOP cache keep) lets go of its payload once its first encoding exists:
 * the GOP cache then holds each frame once, not twice (payload + chunks; at
 * 2.5 Mbit/s and a 2 s GOP that is ~600 KiB per stream as soon as it has a
 * player). The payload is decoded back from the chunks if ever asked for
 * (a player with another chunk size or stream id: rare).
 *
 * A pooled packet (`SharedPacket.pooled`) is encoded at once, for the
 * stream's usual chunk size and stream id, into a piece of the server's
 * PacketArena, and never holds its payload: the payload it was made from
 * is only valid during the ingest call. Whoever keeps it (the GOP cache)
 * calls `release()` when done with it, and after that it must not be used.
 */
import type { RtmpMessage } from "../../protocol/rtmp/message.js";
import { MessageType } from "../../protocol/rtmp/message.js";
import type { ArenaSlab, PacketArena } from "./packet-arena.js";

/** Encodes one message into its chunks (the protocol layer's encodeChunks). */
export type ChunkEncoder = (msg: RtmpMessage, chunkSize: number) => Buffer;

/** The inverse: the payload of the one message a ChunkEncoder wrote with this chunk size. */
export type PayloadDecoder = (chunks: Buffer, chunkSize: number) => Buffer;

/** How pooled packets are encoded: where, for which connections, and the encoder that writes in place. */
export interface PacketPool {
  arena: PacketArena;
  /** The chunk size and message stream id most players use (the server's chunk_size; 1). */
  chunkSize: number;
  streamId: number;
  /** Length of the chunks of `msg` at `chunkSize` (encodedChunksLength). */
  length(msg: RtmpMessage, chunkSize: number): number;
  /** Writes them into `out`, exactly that long (encodeChunksInto). */
  into(msg: RtmpMessage, chunkSize: number, out: Buffer): Buffer;
}

/** Chunk stream ids used for outgoing media, as nginx-rtmp (ngx_rtmp.h NGX_RTMP_CSID_*). */
export const CSID_DATA = 5;
export const CSID_AUDIO = 6;
export const CSID_VIDEO = 7;

export function csidFor(type: number): number {
  if (type === MessageType.Audio) return CSID_AUDIO;
  if (type === MessageType.Video) return CSID_VIDEO;
  return CSID_DATA;
}

/** #key before the first encoding, and of a released packet. */
const UNSET = -1;
const RELEASED = -2;

export class SharedPacket {
  readonly type: number;
  /** Outgoing 32-bit timestamp (ms). */
  readonly timestamp: number;
  /** Video keyframe (or, for the skip logic, any frame a player may restart on). */
  readonly keyframe: boolean;
  readonly sequenceHeader: boolean;
  #payload: Buffer | null;
  readonly #decode: PayloadDecoder | null;
  #key = UNSET;
  #buf: Buffer | null = null;
  #more: Map<number, Buffer> | null = null;
  #arena: PacketArena | null = null;
  #slab: ArenaSlab | null = null;

  constructor(
    type: number,
    timestamp: number,
    payload: Buffer,
    keyframe = false,
    sequenceHeader = false,
    decode: PayloadDecoder | null = null,
  ) {
    this.type = type;
    this.timestamp = timestamp >>> 0;
    this.#payload = payload;
    this.keyframe = keyframe;
    this.sequenceHeader = sequenceHeader;
    this.#decode = decode;
  }

  /**
   * A packet encoded at once into `pool`'s arena. `payload` is only read
   * here (the caller may reuse it afterwards); the packet decodes it back
   * from its chunks with `decode` if ever asked for.
   */
  static pooled(
    type: number,
    timestamp: number,
    payload: Buffer,
    keyframe: boolean,
    pool: PacketPool,
    decode: PayloadDecoder,
  ): SharedPacket {
    const p = new SharedPacket(type, timestamp, payload, keyframe, false, decode);
    const msg: RtmpMessage = {
      type,
      streamId: pool.streamId,
      timestamp: p.timestamp,
      payload,
      csid: csidFor(type),
    };
    const arena = pool.arena;
    p.#buf = pool.into(msg, pool.chunkSize, arena.take(pool.length(msg, pool.chunkSize)));
    p.#slab = arena.lastSlab;
    p.#arena = arena;
    p.#key = pool.streamId * 0x1_0000_0000 + pool.chunkSize;
    p.#payload = null;
    return p;
  }

  /** The holder is done with it: its piece of the arena may be reused (no-op for other packets). */
  release(): void {
    if (!this.#arena) return;
    if (this.#slab) this.#arena.release(this.#slab);
    this.#slab = null;
    this.#arena = null;
    this.#buf = null;
    this.#payload = null;
    this.#more = null;
    this.#key = RELEASED;
  }

  /** The message body (decoded back from the first encoding if it was let go). */
  get payload(): Buffer {
    if (!this.#payload) {
      if (this.#key === RELEASED) throw new Error("SharedPacket used after release()");
      this.#payload = this.#decode!(this.#buf!, this.#key % 0x1_0000_0000);
      // A view into an arena piece is only good until release: keep a copy.
      if (this.#arena && this.#payload.buffer === this.#buf!.buffer)
        this.#payload = Buffer.from(this.#payload);
    }
    return this.#payload;
  }

  /** The chunked bytes for this chunk size and stream id, encoded on first use and then shared. */
  encoded(chunkSize: number, streamId: number, encode: ChunkEncoder): Buffer {
    const key = streamId * 0x1_0000_0000 + chunkSize;
    if (key === this.#key) return this.#buf!;
    if (this.#key === RELEASED) throw new Error("SharedPacket used after release()");
    const hit = this.#more?.get(key);
    if (hit) return hit;
    const msg: RtmpMessage = {
      type: this.type,
      streamId,
      timestamp: this.timestamp,
      payload: this.payload,
      csid: csidFor(this.type),
    };
    const buf = encode(msg, chunkSize);
    if (this.#key === UNSET) {
      this.#key = key;
      this.#buf = buf;
      if (this.#decode) this.#payload = null;
    } else {
      this.#more ??= new Map();
      this.#more.set(key, buf);
    }
    return buf;
  }

  /** Bytes held by this packet (payload + encodings made so far). */
  get heldBytes(): number {
    let n = (this.#payload?.length ?? 0) + (this.#buf?.length ?? 0);
    if (this.#more) for (const b of this.#more.values()) n += b.length;
    return n;
  }

  /** Same payload at another timestamp (small headers re-sent to a joining player). */
  at(timestamp: number): SharedPacket {
    return new SharedPacket(this.type, timestamp, this.payload, this.keyframe, this.sequenceHeader);
  }
}
