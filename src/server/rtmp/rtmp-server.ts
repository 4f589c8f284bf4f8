/**
 * The RTMP server: one listener per `listen` of each `rtmp { server {} }`,
 * connections, the live engine shared by all, reload / quit / stop.
 */
import { createServer, type Server, type Socket } from "node:net";
import {
  DEFAULT_FLUSH_INTERVAL_MS,
  type NginxConfig,
  type RtmpApplicationConfig,
  type RtmpServerConfig,
} from "../../config/types.js";
import { systemClock } from "../../engine/clock.js";
import { DEFAULT_PLAYER_QUEUE_BYTES, LiveEngine } from "../../engine/live/live-engine.js";
import { PacketArena } from "../../engine/live/packet-arena.js";
import type { StreamStats } from "../../engine/live/stream-stats.js";
import type { MediaSink } from "../../engine/media-sink.js";
import { MemoryReducer } from "../../engine/memory-reducer.js";
import { payloadOfChunks } from "../../protocol/rtmp/chunk-decoder.js";
import { encodeChunks, encodeChunksInto, encodedChunksLength } from "../../protocol/rtmp/chunk-encoder.js";
import { DEFAULT_CHUNK_SIZE } from "../../protocol/rtmp/chunk-header.js";
import type { Logger } from "../../util/logger.js";
import { fullGc, minorGc, youngGenerationBytes } from "../process/gc.js";
import { mallocKeepTop, mallocTrim } from "../process/malloc-trim.js";
import { POISON_BUFFERS } from "./poison.js";
import { type ConnectionContext, type ConnectionStats, RtmpConnection } from "./rtmp-connection.js";
import { WriteBatcher } from "./write-batcher.js";

export type { StreamStats } from "../../engine/live/stream-stats.js";
export type { ConnectionStats } from "./rtmp-connection.js";

export interface RtmpServerOptions {
  config: NginxConfig;
  log: Logger;
  sinks: (app: RtmpApplicationConfig, streamName: string) => MediaSink[];
  /** Bound of each player's queue in bytes (default 2 MiB). */
  playerQueueBytes?: number;
}

/** Counters over the server's life (cheap, for metrics). */
export interface RtmpCounters {
  accepted: number;
  refused: number;
  closedByError: number;
  open: number;
}

interface Listener {
  key: string;
  server: Server;
  /** Index of the rtmp server block it belongs to. */
  block: number;
}

const TICK_MS = 500;

const mib = (bytes: number): string => (bytes / 1048576).toFixed(1);

function listenKey(host: string | null, port: number): string {
  return `${host ?? "*"}:${port}`;
}

export class RtmpServer {
  readonly engine: LiveEngine;
  readonly counters: RtmpCounters = { accepted: 0, refused: 0, closedByError: 0, open: 0 };
  #config: NginxConfig;
  readonly #log: Logger;
  readonly #playerQueueBytes: number;
  readonly #listeners = new Map<string, Listener>();
  readonly #conns = new Set<RtmpConnection>();
  readonly #perBlock = new Map<number, number>();
  readonly #contexts = new Map<number, ConnectionContext>();
  #nextId = 1;
  #closing = false;
  readonly #batcher: WriteBatcher;
  /** Chunk encodings of every stream's frames (SharedPacket.pooled). */
  readonly arena: PacketArena;
  /** One full collection after a burst of connections, and a small young generation (see engine/memory-reducer.ts). */
  readonly memoryReducer: MemoryReducer;

  constructor(o: RtmpServerOptions) {
    this.#config = o.config;
    this.#log = o.log;
    this.#playerQueueBytes = o.playerQueueBytes ?? DEFAULT_PLAYER_QUEUE_BYTES;
    const interval = o.config.rtmp?.flushInterval ?? DEFAULT_FLUSH_INTERVAL_MS;
    // With a tick, players' queues hold frames until the next flush: slabs wait for it (the batcher's cue).
    this.arena = new PacketArena({ quarantine: interval > 0, poison: POISON_BUFFERS });
    this.#batcher = new WriteBatcher(interval, this.arena);
    const gc = fullGc();
    const scavenge = minorGc();
    const trim = mallocTrim();
    // Between two trims glibc keeps at most 64 KiB free at its heap's top (process-wide; see there).
    mallocKeepTop();
    this.memoryReducer = new MemoryReducer({
      clock: systemClock,
      collect: () => {
        if (!gc) return;
        const before = process.memoryUsage.rss();
        gc();
        // What the collection freed to malloc (and what compiling the newly hot paths left there) goes back too.
        trim?.();
        this.#log.info(
          `rtmp: full garbage collection${trim ? " and malloc trim" : ""} after a burst of connections: RSS ${mib(before)} -> ${mib(process.memoryUsage.rss())} MiB`,
        );
      },
      // The young generation kept small between V8's own collections (see engine/memory-reducer.ts).
      young: scavenge ? { bytes: youngGenerationBytes, collect: scavenge } : null,
    });
    this.engine = new LiveEngine({
      clock: systemClock,
      log: o.log,
      encode: encodeChunks,
      decode: payloadOfChunks,
      pool: (app) => ({
        arena: this.arena,
        chunkSize: this.#chunkSizeOf(app),
        // What createStream gives first: every client we know plays on 1.
        streamId: 1,
        length: encodedChunksLength,
        into: encodeChunksInto,
      }),
      sinks: o.sinks,
    });
  }

  /** The outgoing chunk size of the server block `app` belongs to (players get chunks of that size). */
  #chunkSizeOf(app: RtmpApplicationConfig): number {
    const blocks = this.#blocks();
    const b =
      blocks.find((x) => x.applications.includes(app)) ??
      blocks.find((x) => x.applications.some((a) => a.name === app.name));
    return b?.chunkSize ?? DEFAULT_CHUNK_SIZE;
  }

  #blocks(): RtmpServerConfig[] {
    return this.#config.rtmp?.servers ?? [];
  }

  /** Opens every listener; rejects if one cannot bind. */
  async start(): Promise<void> {
    await this.#syncListeners();
    // From the batcher's ticks while a publisher is paced (no wake-up of its own), else its own timer.
    this.#batcher.setChore((now) => {
      // forEach: no iterator result per connection (this runs unoptimized, twice a second).
      this.#conns.forEach((c) => {
        c.tick(now);
      });
      this.memoryReducer.tick();
    }, TICK_MS);
  }

  /** Bound addresses (tests use port 0 → the real port). */
  addresses(): { host: string; port: number }[] {
    return [...this.#listeners.values()].flatMap((l) => {
      const a = l.server.address();
      return a && typeof a === "object" ? [{ host: a.address, port: a.port }] : [];
    });
  }

  async #syncListeners(): Promise<void> {
    const want = new Map<string, { host: string | null; port: number; block: number }>();
    this.#blocks().forEach((b, i) => {
      for (const l of b.listen) {
        const k = listenKey(l.host, l.port);
        if (!want.has(k)) want.set(k, { host: l.host, port: l.port, block: i });
      }
    });
    for (const [k, l] of this.#listeners) {
      if (!want.has(k)) {
        l.server.close();
        this.#listeners.delete(k);
      }
    }
    for (const [k, w] of want) {
      const have = this.#listeners.get(k);
      if (have) {
        have.block = w.block;
        continue;
      }
      const server = createServer((s) => this.#accept(s, k));
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        const done = () => {
          server.off("error", reject);
          server.on("error", (e) => this.#log.error(`rtmp: listener ${k}: ${e.message}`));
          resolve();
        };
        if (w.host === null) server.listen(w.port, done);
        else server.listen(w.port, w.host, done);
      });
      this.#listeners.set(k, { key: k, server, block: w.block });
      this.#log.info(`rtmp: listening on ${k}`);
    }
  }

  #accept(socket: Socket, key: string): void {
    const l = this.#listeners.get(key);
    const blockIdx = l?.block ?? 0;
    const block = this.#blocks()[blockIdx];
    const addr = socket.remoteAddress ?? "?";
    if (!block || this.#closing) {
      socket.destroy();
      return;
    }
    const open = this.#perBlock.get(blockIdx) ?? 0;
    if (block.maxConnections !== null && open >= block.maxConnections) {
      this.counters.refused++;
      this.#log.error(
        `rtmp: refusing connection from ${addr}: max_connections ${block.maxConnections} reached`,
      );
      socket.destroy();
      return;
    }
    this.#perBlock.set(blockIdx, open + 1);
    this.counters.accepted++;
    this.counters.open++;
    const conn = new RtmpConnection(this.#nextId++, socket, this.#context(blockIdx));
    this.#conns.add(conn);
    this.memoryReducer.churn();
  }

  /** What the connections of block `blockIdx` share (made once per block). */
  #context(blockIdx: number): ConnectionContext {
    let ctx = this.#contexts.get(blockIdx);
    if (ctx) return ctx;
    const first = this.#blocks()[blockIdx];
    ctx = {
      engine: this.engine,
      log: this.#log,
      playerQueueBytes: this.#playerQueueBytes,
      batcher: this.#batcher,
      // A reload that removes the block leaves its connections on the config they started with.
      config: () => this.#blocks()[blockIdx] ?? first!,
      findApp: (name) => this.#findApp(blockIdx, name),
      closed: (c) => {
        this.#conns.delete(c);
        this.memoryReducer.churn();
        this.counters.open--;
        this.#perBlock.set(blockIdx, (this.#perBlock.get(blockIdx) ?? 1) - 1);
        if (
          !["peer closed", "server quit"].includes(c.closeReason) &&
          !c.closeReason.startsWith("publisher ")
        )
          this.counters.closedByError++;
      },
    };
    this.#contexts.set(blockIdx, ctx);
    return ctx;
  }

  #findApp(blockIdx: number, name: string): RtmpApplicationConfig | null {
    const block = this.#blocks()[blockIdx];
    const app = block?.applications.find((a) => a.name === name);
    return app?.live ? app : null;
  }

  /** New config: listeners follow it, sessions stay; removed apps refuse new sessions. */
  async reload(config: NginxConfig): Promise<void> {
    this.#config = config;
    const want = config.rtmp?.flushInterval ?? DEFAULT_FLUSH_INTERVAL_MS;
    if (!this.#batcher.setIntervalMs(want)) {
      this.#log.warn(
        `rtmp: flush_interval ${want}ms applies at restart (switching between 0 and a tick needs one; keeping ${this.#batcher.intervalMs}ms)`,
      );
    }
    await this.#syncListeners();
  }

  /** Graceful: players and publishers are told, sinks stopped, sockets flushed; then forced after timeoutMs. */
  async quit(timeoutMs: number): Promise<void> {
    this.#closing = true;
    for (const l of this.#listeners.values()) l.server.close();
    this.#listeners.clear();
    this.engine.endAll("quit");
    for (const c of this.#conns) c.goodbye();
    const deadline = Date.now() + timeoutMs;
    while (this.#conns.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.stop();
  }

  /** Immediate: every socket destroyed, sinks stopped. */
  stop(): void {
    this.#closing = true;
    for (const l of this.#listeners.values()) l.server.close();
    this.#listeners.clear();
    this.engine.endAll("quit");
    this.#batcher.stop();
    for (const c of [...this.#conns]) {
      c.close("server stop", false);
      c.socket.destroy();
    }
  }

  stats(): StreamStats[] {
    return this.engine.stats();
  }

  connections(): ConnectionStats[] {
    const now = Date.now();
    return [...this.#conns].map((c) => c.stats(now));
  }
}
