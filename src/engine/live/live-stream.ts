/**
 * One live stream (application + name): the current publisher's codec state,
 * the GOP cache and the players. Ingest parses each message once and hands the
 * same SharedPacket to every player.
 */

import { MessageType } from "../../protocol/rtmp/message.js";
import type { Clock } from "../clock.js";
import { classifyData, metadataNumber } from "./data-message.js";
import { audioInfo, videoInfo } from "./frame-info.js";
import { GopCache } from "./gop-cache.js";
import type { LivePlayer } from "./live-player.js";
import { RateMeter } from "./rate-meter.js";
import { type PacketPool, type PayloadDecoder, SharedPacket } from "./shared-packet.js";
import type { StreamStats } from "./stream-stats.js";

export class LiveStream {
  readonly app: string;
  readonly name: string;
  readonly players = new Set<LivePlayer>();
  publisherAddress: string | null = null;
  publishedAt = 0;
  metadata: SharedPacket | null = null;
  videoHeader: SharedPacket | null = null;
  audioHeader: SharedPacket | null = null;
  hasVideo = false;
  readonly gop: GopCache;
  videoCodec: string | null = null;
  audioCodec: string | null = null;
  width: number | null = null;
  height: number | null = null;
  frameRate: number | null = null;
  readonly #clock: Clock;
  /** Lets plain audio/video packets drop their payload once encoded (see SharedPacket). */
  readonly #decode: PayloadDecoder | null;
  /** Plain audio/video go into its arena; payloads given to ingest are then only valid during the call. */
  readonly #pool: PacketPool | null;
  readonly #in = new RateMeter();
  readonly #out = new RateMeter();
  /** Added to publisher timestamps so a new publisher continues the players' timeline. */
  #tsOffset = 0;
  #lastOut = -1;
  #rebase = false;

  constructor(o: {
    app: string;
    name: string;
    gopCacheBytes: number;
    clock: Clock;
    decode?: PayloadDecoder;
    /** With `decode`: frames encoded at once into an arena (see SharedPacket.pooled). */
    pool?: PacketPool;
  }) {
    this.app = o.app;
    this.name = o.name;
    this.gop = new GopCache(o.gopCacheBytes);
    this.#clock = o.clock;
    this.#decode = o.decode ?? null;
    this.#pool = o.decode ? (o.pool ?? null) : null;
  }

  /** Frames go into an arena: payloads given to ingest are only valid during the call. */
  get pooled(): boolean {
    return this.#pool !== null;
  }

  get publishing(): boolean {
    return this.publisherAddress !== null;
  }

  /** A publisher takes the stream: codec state starts afresh, players are told. */
  startPublishing(address: string, takeover = false): void {
    this.publisherAddress = address;
    this.publishedAt = this.#clock.now();
    this.metadata = this.videoHeader = this.audioHeader = null;
    this.videoCodec = this.audioCodec = null;
    this.width = this.height = this.frameRate = null;
    this.hasVideo = false;
    this.gop.clear();
    this.#rebase = this.#lastOut >= 0;
    for (const p of this.players) {
      p.waitKey = true;
      if (!takeover) p.output.publishStarted(p.streamId);
    }
  }

  stopPublishing(): void {
    if (!this.publishing) return;
    this.publisherAddress = null;
    this.gop.clear();
    for (const p of this.players) p.output.publishStopped(p.streamId);
  }

  /**
   * One audio, video or data message from the publisher (aggregates already
   * split). With a pool, `payload` is only read during the call (the
   * connection reuses its memory): what is kept is encoded or copied.
   */
  ingest(type: number, timestamp: number, payload: Buffer): void {
    const now = this.#clock.now();
    this.#in.add(payload.length, now);
    if (this.#rebase) {
      this.#tsOffset = this.#lastOut + 1 - timestamp;
      this.#rebase = false;
    }
    const ts = (timestamp + this.#tsOffset) >>> 0;
    this.#lastOut = ts;
    let pkt: SharedPacket;
    if (type === MessageType.Video) {
      const info = videoInfo(payload);
      this.hasVideo = true;
      if (info.codec && info.sequenceHeader) this.videoCodec = info.codec;
      else if (!this.videoCodec && info.codec) this.videoCodec = info.codec;
      pkt = this.#media(type, ts, payload, info);
      if (info.sequenceHeader) this.videoHeader = pkt;
    } else if (type === MessageType.Audio) {
      const info = audioInfo(payload);
      if (info.codec && !this.audioCodec) this.audioCodec = info.codec;
      pkt = this.#media(type, ts, payload, info);
      if (info.sequenceHeader) this.audioHeader = pkt;
    } else if (type === MessageType.DataAmf0) {
      const v = classifyData(payload);
      if (v.kind === "clear") {
        this.metadata = null;
        return;
      }
      // Metadata always goes at timestamp 0: ffmpeg's FLV reader takes a script
      // tag with another timestamp for a subtitle stream, not for metadata.
      pkt =
        v.kind === "metadata"
          ? new SharedPacket(type, 0, this.#own(v.body))
          : new SharedPacket(type, ts, this.#own(payload));
      if (v.kind === "metadata") this.#takeMetadata(pkt);
    } else {
      pkt = new SharedPacket(type, ts, this.#own(payload));
    }
    this.#broadcast(pkt, now);
    if (!pkt.sequenceHeader && pkt !== this.metadata) {
      this.gop.push(pkt, pkt.type === MessageType.Video && pkt.keyframe);
    }
  }

  /** An audio or video packet: plain frames into the arena when there is one, sequence headers kept whole. */
  #media(type: number, ts: number, payload: Buffer, info: { keyframe: boolean; sequenceHeader: boolean }) {
    const decode = info.sequenceHeader ? null : this.#decode;
    if (decode && this.#pool)
      return SharedPacket.pooled(type, ts, payload, info.keyframe, this.#pool, decode);
    return new SharedPacket(type, ts, this.#own(payload), info.keyframe, info.sequenceHeader, decode);
  }

  /** A payload kept as is: a copy when the caller reuses its memory (with a pool). */
  #own(payload: Buffer): Buffer {
    return this.#pool ? Buffer.from(payload) : payload;
  }

  #takeMetadata(pkt: SharedPacket): void {
    this.metadata = pkt;
    this.width = metadataNumber(pkt.payload, "width");
    this.height = metadataNumber(pkt.payload, "height");
    this.frameRate = metadataNumber(pkt.payload, "framerate");
    if (metadataNumber(pkt.payload, "videocodecid") !== null) this.hasVideo = true;
  }

  #broadcast(pkt: SharedPacket, now: number): void {
    let out = 0;
    for (const p of this.players) out += p.deliver(pkt, this.hasVideo);
    if (out) this.#out.add(out, now);
  }

  /** A player joins: metadata, sequence headers, then the cached GOP (keyframe first). */
  addPlayer(p: LivePlayer): void {
    this.players.add(p);
    if (!this.publishing) return;
    const cached = this.gop.packets;
    const ts = cached.length > 0 ? cached[0]!.timestamp : Math.max(0, this.#lastOut);
    const first: SharedPacket[] = [];
    if (this.metadata) first.push(this.metadata);
    for (const h of [this.videoHeader, this.audioHeader]) if (h) first.push(h.at(ts));
    p.prepareJoin(first, cached[0], this.hasVideo);
    let out = 0;
    for (const pkt of first) out += p.deliver(pkt, this.hasVideo);
    for (const pkt of cached) out += p.deliver(pkt, this.hasVideo);
    if (out) this.#out.add(out, this.#clock.now());
  }

  removePlayer(p: LivePlayer): void {
    this.players.delete(p);
  }

  get idle(): boolean {
    return !this.publishing && this.players.size === 0;
  }

  stats(): StreamStats {
    const now = this.#clock.now();
    return {
      app: this.app,
      name: this.name,
      publishing: this.publishing,
      publisherAddress: this.publisherAddress,
      videoCodec: this.videoCodec,
      audioCodec: this.audioCodec,
      width: this.width,
      height: this.height,
      frameRate: this.frameRate,
      bitrateIn: this.#in.rate(now),
      bitrateOut: this.#out.rate(now),
      bytesIn: this.#in.total,
      bytesOut: this.#out.total,
      players: this.players.size,
      uptimeMs: this.publishing ? Math.round(now - this.publishedAt) : 0,
      gopCacheBytes: this.gop.bytes,
      playerQueues: [...this.players].map((p) => ({
        id: p.id,
        address: p.address,
        pending: p.output.pendingBytes,
        maxPending: p.maxPendingSeen,
        dropped: p.dropped,
        skips: p.skips,
      })),
    };
  }
}
