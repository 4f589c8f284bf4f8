/**
 * The publishing side of one stream: feeds the stream and the in-process
 * sinks (HLS, recorder), splits aggregates, unwraps 32-bit timestamps for the
 * sinks and watches `drop_idle_publisher`.
 */

import { MessageType } from "../../protocol/rtmp/message.js";
import type { Logger } from "../../util/logger.js";
import type { Clock, TimerHandle } from "../clock.js";
import type { MediaKind, MediaSink } from "../media-sink.js";
import { classifyData, splitAggregate } from "./data-message.js";
import type { LiveStream } from "./live-stream.js";

export type KickReason = "replaced" | "idle" | "quit";

/** What the server layer gives the engine for each publishing connection. */
export interface PublisherClient {
  /** The engine ends this publisher (replaced, idle, quitting): tell the client and close. */
  kick(reason: KickReason): void;
}

export type IngestVerdict = "ok" | "ignored" | "bad-aggregate";

export interface PublisherOptions {
  stream: LiveStream;
  address: string;
  client: PublisherClient;
  sinks: MediaSink[];
  /** Payloads are only valid during message(): the sinks (which may keep them) get a copy. */
  copyForSinks?: boolean;
  clock: Clock;
  log: Logger;
  /** ms without audio/video before the publisher is dropped; null = never. */
  dropIdleMs: number | null;
  onEnd: (p: LivePublisher) => void;
}

export class LivePublisher {
  readonly stream: LiveStream;
  readonly address: string;
  readonly client: PublisherClient;
  #sinks: MediaSink[];
  readonly #copyForSinks: boolean;
  #clock: Clock;
  #log: Logger;
  #dropIdleMs: number | null;
  #idleTimer: TimerHandle | null = null;
  #lastMediaAt: number;
  #onEnd: (p: LivePublisher) => void;
  #active = true;
  #last32 = -1;
  #high = 0;
  messagesIn = 0;
  bytesIn = 0;

  constructor(o: PublisherOptions) {
    this.stream = o.stream;
    this.address = o.address;
    this.client = o.client;
    this.#sinks = o.sinks;
    this.#copyForSinks = o.copyForSinks === true;
    this.#clock = o.clock;
    this.#log = o.log;
    this.#dropIdleMs = o.dropIdleMs;
    this.#onEnd = o.onEnd;
    this.#lastMediaAt = o.clock.now();
    this.#forEachSink((s) => s.start({ app: o.stream.app, name: o.stream.name }));
    this.#armIdle(this.#dropIdleMs);
  }

  get active(): boolean {
    return this.#active;
  }

  /** One message from the publisher's stream. */
  message(type: number, timestamp: number, payload: Buffer): IngestVerdict {
    if (!this.#active) return "ignored";
    if (type === MessageType.Aggregate) {
      const parts = splitAggregate(payload, timestamp);
      if (!parts) return "bad-aggregate";
      for (const p of parts) this.#one(p.type, p.timestamp, p.payload);
      return "ok";
    }
    return this.#one(type, timestamp, payload);
  }

  #one(type: number, timestamp: number, payload: Buffer): IngestVerdict {
    let kind: MediaKind;
    if (type === MessageType.Audio) kind = "audio";
    else if (type === MessageType.Video) kind = "video";
    else if (type === MessageType.DataAmf0 || type === MessageType.DataAmf3) kind = "data";
    else return "ignored";
    this.messagesIn++;
    this.bytesIn += payload.length;
    if (kind !== "data") this.#lastMediaAt = this.#clock.now();
    this.stream.ingest(type, timestamp, payload);
    if (this.#sinks.length > 0) {
      const ts = this.#unwrap(timestamp);
      let body = type === MessageType.DataAmf0 ? dataBody(payload) : payload;
      if (this.#copyForSinks) body = Buffer.from(body);
      this.#forEachSink((s) => s.message(kind, ts, body));
    }
    return "ok";
  }

  #unwrap(ts32: number): number {
    if (this.#last32 >= 0 && ts32 < this.#last32 && this.#last32 - ts32 > 0x8000_0000) this.#high++;
    this.#last32 = ts32;
    return this.#high * 0x1_0000_0000 + ts32;
  }

  #forEachSink(fn: (s: MediaSink) => void): void {
    for (const s of this.#sinks) {
      try {
        fn(s);
      } catch (e) {
        this.#log.error(`live ${this.stream.app}/${this.stream.name}: media sink failed: ${String(e)}`);
      }
    }
  }

  #armIdle(ms: number | null): void {
    if (ms === null || ms <= 0) return;
    this.#idleTimer = this.#clock.setTimeout(() => {
      this.#idleTimer = null;
      if (!this.#active) return;
      const idle = this.#clock.now() - this.#lastMediaAt;
      if (idle >= this.#dropIdleMs!) {
        this.#log.info(
          `live ${this.stream.app}/${this.stream.name}: dropping idle publisher ${this.address} (${Math.round(idle)} ms)`,
        );
        this.end("idle");
      } else {
        this.#armIdle(this.#dropIdleMs! - idle);
      }
    }, ms);
  }

  /**
   * Ends the publishing session. With a reason the client is told (kicked);
   * without one the client itself left (unpublish, deleteStream, disconnect).
   */
  end(reason?: KickReason): void {
    if (!this.#active) return;
    this.#active = false;
    if (this.#idleTimer) this.#clock.clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    this.#forEachSink((s) => s.stop());
    this.#onEnd(this);
    if (reason) this.client.kick(reason);
  }
}

/** Sinks get metadata as players do (`onMetaData {...}`, without `@setDataFrame`); data messages are rare. */
function dataBody(payload: Buffer): Buffer {
  const v = classifyData(payload);
  return v.kind === "metadata" ? v.body : payload;
}
