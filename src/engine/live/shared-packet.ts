/**
 * One media message as the engine holds it: parsed once at ingest, held once,
 * encoded into RTMP chunks once per (outgoing chunk size, message stream id)
 * and that one Buffer handed to every player. Every chunk carries an absolute
 * type-0 header on its first chunk, so the same bytes are right for a player
 * whatever it received before (no per-player delta state to keep in step).
 */
import type { RtmpMessage } from "../../protocol/rtmp/message.js";
import { MessageType } from "../../protocol/rtmp/message.js";

/** Encodes one message into its chunks (the protocol layer's encodeChunks). */
export type ChunkEncoder = (msg: RtmpMessage, chunkSize: number) => Buffer;

/** Chunk stream ids used for outgoing media, as nginx-rtmp (ngx_rtmp.h NGX_RTMP_CSID_*). */
export const CSID_DATA = 5;
export const CSID_AUDIO = 6;
export const CSID_VIDEO = 7;

export function csidFor(type: number): number {
  if (type === MessageType.Audio) return CSID_AUDIO;
  if (type === MessageType.Video) return CSID_VIDEO;
  return CSID_DATA;
}

export class SharedPacket {
  readonly type: number;
  /** Outgoing 32-bit timestamp (ms). */
  readonly timestamp: number;
  readonly payload: Buffer;
  /** Video keyframe (or, for the skip logic, any frame a player may restart on). */
  readonly keyframe: boolean;
  readonly sequenceHeader: boolean;
  #key = -1;
  #buf: Buffer | null = null;
  #more: Map<number, Buffer> | null = null;

  constructor(type: number, timestamp: number, payload: Buffer, keyframe = false, sequenceHeader = false) {
    this.type = type;
    this.timestamp = timestamp >>> 0;
    this.payload = payload;
    this.keyframe = keyframe;
    this.sequenceHeader = sequenceHeader;
  }

  /** The chunked bytes for this chunk size and stream id, encoded on first use and then shared. */
  encoded(chunkSize: number, streamId: number, encode: ChunkEncoder): Buffer {
    const key = streamId * 0x1_0000_0000 + chunkSize;
    if (key === this.#key) return this.#buf!;
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
    if (this.#key < 0) {
      this.#key = key;
      this.#buf = buf;
    } else {
      this.#more ??= new Map();
      this.#more.set(key, buf);
    }
    return buf;
  }

  /** Bytes held by this packet (payload + encodings made so far). */
  get heldBytes(): number {
    let n = this.payload.length + (this.#buf?.length ?? 0);
    if (this.#more) for (const b of this.#more.values()) n += b.length;
    return n;
  }

  /** Same payload at another timestamp (small headers re-sent to a joining player). */
  at(timestamp: number): SharedPacket {
    return new SharedPacket(this.type, timestamp, this.payload, this.keyframe, this.sequenceHeader);
  }
}
