/**
 * One player of a live stream. Its queue is the transport's own write buffer
 * (for a socket: `writableLength`, bytes accepted but not yet sent), bounded
 * here: a message that would take it past `maxQueueBytes` is dropped and the
 * player waits for the next keyframe. Nothing is ever copied per player; the
 * queue holds references to the shared encoded buffers.
 */
import { MessageType } from "../../protocol/rtmp/message.js";
import type { ChunkEncoder, SharedPacket } from "./shared-packet.js";

/**
 * What the server layer gives the engine for each player connection. One
 * object may serve several players (an RTMP connection is the output of
 * every stream it plays): the player passes its message stream id.
 */
export interface PlayerOutput {
  /** Bytes handed over and not yet sent (socket.writableLength). */
  readonly pendingBytes: number;
  /** Sends one shared buffer (never mutated, never copied). */
  write(buf: Buffer): void;
  /** A publisher started on the stream played on `streamId` (StreamBegin + NetStream.Play.PublishNotify). */
  publishStarted(streamId: number): void;
  /** The publisher stopped (NetStream.Play.UnpublishNotify + StreamEOF). */
  publishStopped(streamId: number): void;
}

export interface PlayerOptions {
  id: number;
  address: string;
  output: PlayerOutput;
  /** Outgoing chunk size of this connection. */
  chunkSize: number;
  /** Message stream id the player plays on. */
  streamId: number;
  /** Queue bound in bytes. */
  maxQueueBytes: number;
}

export class LivePlayer {
  readonly id: number;
  readonly address: string;
  readonly output: PlayerOutput;
  readonly chunkSize: number;
  readonly streamId: number;
  readonly maxQueueBytes: number;
  /** Waiting for a keyframe (joined without a cached GOP, or skipped forward). */
  waitKey = true;
  paused = false;
  receiveAudio = true;
  receiveVideo = true;
  bytesOut = 0;
  messagesOut = 0;
  /** Messages dropped because the queue was full or the player was skipping. */
  dropped = 0;
  /** Times the player was skipped forward to the next keyframe. */
  skips = 0;
  /** Highest pendingBytes seen (tests check it stays within the bound). */
  maxPendingSeen = 0;
  #encode: ChunkEncoder;
  #onClose: ((p: LivePlayer) => void) | null = null;

  constructor(opts: PlayerOptions, encode: ChunkEncoder) {
    this.id = opts.id;
    this.address = opts.address;
    this.output = opts.output;
    this.chunkSize = opts.chunkSize;
    this.streamId = opts.streamId;
    this.maxQueueBytes = opts.maxQueueBytes;
    this.#encode = encode;
  }

  /** @internal the stream registers how to detach the player. */
  bindClose(fn: (p: LivePlayer) => void): void {
    this.#onClose = fn;
  }

  /** The player leaves (closeStream, deleteStream, disconnect). */
  close(): void {
    const fn = this.#onClose;
    this.#onClose = null;
    fn?.(this);
  }

  /** Whether a waiting player may start with `p` (a video keyframe, or any audio when it gets no video). */
  canStartAt(p: SharedPacket, hasVideo: boolean): boolean {
    return p.type === MessageType.Video ? p.keyframe : !hasVideo || !this.receiveVideo;
  }

  /**
   * Before a join's messages go through `deliver` (LiveStream.addPlayer):
   * encodes the packets made for this join (metadata, sequence headers
   * re-timestamped) and starts the player at the cached GOP's first frame
   * when it can. V8 compiles `deliver` from what it has seen run since it
   * made the function's feedback, and a branch that had not run since (a
   * start, encoding a new packet, a header's room) threw the compiled code
   * away at every first join after a quiet time; done here, they do not
   * reach it.
   */
  prepareJoin(packets: readonly SharedPacket[], first: SharedPacket | undefined, hasVideo: boolean): void {
    for (const pkt of packets) pkt.encoded(this.chunkSize, this.streamId, this.#encode);
    if (first && this.waitKey && this.canStartAt(first, hasVideo)) this.waitKey = false;
  }

  /**
   * Offers one packet; returns the bytes written (0 when dropped).
   * `hasVideo` tells whether a skipping player must wait for a video keyframe.
   */
  deliver(p: SharedPacket, hasVideo: boolean): number {
    if (this.paused) return 0;
    const always = p.sequenceHeader || (p.type !== MessageType.Audio && p.type !== MessageType.Video);
    if (p.type === MessageType.Audio && !this.receiveAudio) return 0;
    if (p.type === MessageType.Video && !this.receiveVideo) return 0;
    if (!always && this.waitKey) {
      if (!this.canStartAt(p, hasVideo)) {
        this.dropped++;
        return 0;
      }
      this.waitKey = false;
    }
    const buf = p.encoded(this.chunkSize, this.streamId, this.#encode);
    const pending = this.output.pendingBytes;
    // Headers and data get twice the room (they are small and a player needs
    // them), but nothing a publisher sends can grow a queue without bound.
    if (pending + buf.length > this.maxQueueBytes * (always ? 2 : 1)) {
      this.dropped++;
      if (!always) {
        this.skips++;
        this.waitKey = true;
      }
      return 0;
    }
    this.output.write(buf);
    const now = pending + buf.length;
    if (now > this.maxPendingSeen) this.maxPendingSeen = now;
    this.bytesOut += buf.length;
    this.messagesOut++;
    return buf.length;
  }
}

/**
 * One player that never plays, kept for the life of the process. V8 keeps a
 * class's instance shape only while some object has it, and compiled code
 * refers to it weakly (its type feedback): once every player had left and a
 * full collection ran (the memory reducer's, after a burst), the shape was
 * gone, the fan-out (`LiveStream.#broadcast`) was compiled with no feedback
 * for its loop over players, and the next join threw that code away
 * (`--trace-deopt`: "Insufficient type feedback for generic named access").
 */
const NO_OUTPUT: PlayerOutput = {
  pendingBytes: 0,
  write() {},
  publishStarted() {},
  publishStopped() {},
};
export const KEEPS_PLAYER_SHAPE = new LivePlayer(
  { id: 0, address: "", output: NO_OUTPUT, chunkSize: 128, streamId: 1, maxQueueBytes: 0 },
  () => Buffer.alloc(0),
);
