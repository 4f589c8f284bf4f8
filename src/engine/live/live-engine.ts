/**
 * The live engine: streams keyed by application and name, one publisher each,
 * any number of players. No I/O: the server layer hands in a PublisherClient /
 * PlayerOutput per connection and the chunk encoder; time comes from the clock.
 */
import type { RtmpApplicationConfig } from "../../config/types.js";
import type { Logger } from "../../util/logger.js";
import type { Clock } from "../clock.js";
import type { MediaSink } from "../media-sink.js";
import { LivePlayer, type PlayerOutput } from "./live-player.js";
import { type KickReason, LivePublisher, type PublisherClient } from "./live-publisher.js";
import { LiveStream } from "./live-stream.js";
import type { ChunkEncoder, PacketPool, PayloadDecoder } from "./shared-packet.js";
import type { StreamStats } from "./stream-stats.js";

/** Default bound of one player's queue: about 6 s of a 2.5 Mbit/s stream. */
export const DEFAULT_PLAYER_QUEUE_BYTES = 2 * 1024 * 1024;

export interface LiveEngineOptions {
  clock: Clock;
  log: Logger;
  encode: ChunkEncoder;
  /**
   * The inverse of `encode` for one message: given it, cached audio/video
   * frames keep only their chunks once encoded (half the GOP cache memory).
   */
  decode?: PayloadDecoder;
  /**
   * With `decode`: where each stream of `app` encodes its frames at once
   * (SharedPacket.pooled). Publishers' payloads are then only valid during
   * the ingest call: the engine copies what it keeps otherwise, and gives
   * the sinks one copy of each message.
   */
  pool?: (app: RtmpApplicationConfig) => PacketPool;
  /** In-process consumers started for each publisher (HLS, recorder). */
  sinks?: (app: RtmpApplicationConfig, name: string) => MediaSink[];
}

export interface PublishRequest {
  app: RtmpApplicationConfig;
  name: string;
  address: string;
  client: PublisherClient;
}

export type PublishResult = { ok: true; publisher: LivePublisher } | { ok: false; reason: "busy" };

export interface PlayRequest {
  app: RtmpApplicationConfig;
  name: string;
  address: string;
  output: PlayerOutput;
  chunkSize: number;
  streamId: number;
  maxQueueBytes?: number;
}

interface Entry {
  stream: LiveStream;
  publisher: LivePublisher | null;
  /** Detaches a player of this stream: one function per stream, shared by its players (not a closure each). */
  leave: (p: LivePlayer) => void;
}

export class LiveEngine {
  readonly #o: LiveEngineOptions;
  readonly #entries = new Map<string, Entry>();
  #nextPlayerId = 1;

  constructor(o: LiveEngineOptions) {
    this.#o = o;
  }

  #entry(app: RtmpApplicationConfig, name: string): Entry {
    const key = `${app.name}/${name}`;
    let e = this.#entries.get(key);
    if (!e) {
      const stream = new LiveStream({
        app: app.name,
        name,
        gopCacheBytes: app.gopCacheSize,
        clock: this.#o.clock,
        decode: this.#o.decode,
        pool: this.#o.pool?.(app),
      });
      const entry: Entry = {
        stream,
        publisher: null,
        leave: (p) => {
          stream.removePlayer(p);
          this.#gc(entry);
        },
      };
      e = entry;
      this.#entries.set(key, e);
    }
    return e;
  }

  #gc(e: Entry): void {
    if (e.publisher === null && e.stream.idle) this.#entries.delete(`${e.stream.app}/${e.stream.name}`);
  }

  /** Starts publishing `name`; a busy name is refused unless the app lets a new publisher replace the old. */
  publish(req: PublishRequest): PublishResult {
    const e = this.#entry(req.app, req.name);
    const where = `${req.app.name}/${req.name}`;
    if (e.publisher) {
      if (!req.app.publishReplace) {
        this.#gc(e);
        return { ok: false, reason: "busy" };
      }
      this.#o.log.info(`live ${where}: publisher ${req.address} replaces ${e.publisher.address}`);
      // A takeover is seamless for players: no UnpublishNotify (ffmpeg and
      // librtmp players stop on it); the new publisher's headers and keyframe
      // follow, and its timestamps continue the players' timeline.
      const old = e.publisher;
      e.publisher = null;
      old.end("replaced");
      e.stream.startPublishing(req.address, true);
    } else {
      e.stream.startPublishing(req.address);
    }
    const sinks = this.#o.sinks?.(req.app, req.name) ?? [];
    const publisher = new LivePublisher({
      stream: e.stream,
      address: req.address,
      client: req.client,
      sinks,
      copyForSinks: e.stream.pooled,
      clock: this.#o.clock,
      log: this.#o.log,
      dropIdleMs: req.app.dropIdlePublisher,
      onEnd: (p) => {
        if (e.publisher !== p) return;
        e.publisher = null;
        e.stream.stopPublishing();
        this.#gc(e);
      },
    });
    e.publisher = publisher;
    return { ok: true, publisher };
  }

  /** Adds a player; it waits for a publisher if none is live yet (nginx-rtmp's idle streams). */
  play(req: PlayRequest): LivePlayer {
    const e = this.#entry(req.app, req.name);
    const player = new LivePlayer(
      {
        id: this.#nextPlayerId++,
        address: req.address,
        output: req.output,
        chunkSize: req.chunkSize,
        streamId: req.streamId,
        maxQueueBytes: req.maxQueueBytes ?? DEFAULT_PLAYER_QUEUE_BYTES,
      },
      this.#o.encode,
    );
    player.bindClose(e.leave);
    e.stream.addPlayer(player);
    return player;
  }

  /** True while someone publishes app/name. */
  isPublishing(app: string, name: string): boolean {
    return this.#entries.get(`${app}/${name}`)?.publisher != null;
  }

  /** Ends every publisher (server quit/stop); their clients are told with `reason`. */
  endAll(reason: KickReason, app?: string): void {
    for (const e of [...this.#entries.values()]) {
      if (app !== undefined && e.stream.app !== app) continue;
      e.publisher?.end(reason);
    }
  }

  stats(): StreamStats[] {
    return [...this.#entries.values()].map((e) => e.stream.stats());
  }

  get streamCount(): number {
    return this.#entries.size;
  }
}
