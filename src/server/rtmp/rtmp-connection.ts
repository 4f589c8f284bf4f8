/**
 * One RTMP connection: socket, handshake (time-bounded), chunk decoding with
 * the server's bounds, protocol control, acknowledgements, ping, and the
 * session that answers commands. Any broken bound closes THIS connection with
 * a logged reason; nothing is shared with other connections but the engine.
 */
import type { Socket } from "node:net";
import type { RtmpApplicationConfig, RtmpServerConfig } from "../../config/types.js";
import type { LiveEngine } from "../../engine/live/live-engine.js";
import { type AmfValue, decodeAmf0, decodeAmf3 } from "../../protocol/amf/index.js";
import { ChunkDecoder } from "../../protocol/rtmp/chunk-decoder.js";
import { encodeChunks } from "../../protocol/rtmp/chunk-encoder.js";
import { ServerHandshake } from "../../protocol/rtmp/handshake.js";
import { MessageType, type RtmpMessage } from "../../protocol/rtmp/message.js";
import type { Logger } from "../../util/logger.js";
import { POISON_BUFFERS } from "./poison.js";
import {
  acknowledgement,
  pingRequest,
  pingResponse,
  Status,
  status,
  streamBegin,
  streamEof,
} from "./rtmp-replies.js";
import { RtmpSession, type SessionHost, SessionLimitError } from "./rtmp-session.js";
import { READ_BUFFER_BYTES, SocketReader } from "./socket-reader.js";
import { OutputQueue, type PacedReader, type WriteBatcher } from "./write-batcher.js";

/** A connection's phases (RtmpConnection.#phase). */
const Phase = { Handshake: 0, Open: 1, Closed: 2 } as const;

/** User Control event type of a ping request (RTMP spec 7.1.7). */
const PING_REQUEST = 6;
/** Longest a client may take to finish the handshake. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** AMF bounds for commands: nesting depth and element count. */
export const COMMAND_AMF_LIMITS = { maxDepth: 32, maxElements: 4096 };
/** Open chunk streams one connection may use (nginx-rtmp max_streams default 32). */
export const MAX_CHUNK_STREAMS = 32;
/** Control/command bytes a peer may leave unread before it is dropped. */
export const MAX_CONTROL_BACKLOG = 1 << 20;

/**
 * What every connection of one server block shares: one object per block,
 * not closures per connection (a player's memory is mostly the objects it
 * is made of).
 */
export interface ConnectionContext {
  readonly engine: LiveEngine;
  readonly log: Logger;
  readonly playerQueueBytes: number;
  readonly batcher: WriteBatcher;
  /** The block's config now (a reload may replace it). */
  config(): RtmpServerConfig;
  /** The live application named `name` in this block, or null (unknown or removed by reload). */
  findApp(name: string): RtmpApplicationConfig | null;
  /** The connection's socket is closed: forget it. */
  closed(c: RtmpConnection): void;
}

export interface ConnectionStats {
  id: number;
  address: string;
  app: string | null;
  role: "none" | "publisher" | "player";
  bytesIn: number;
  bytesOut: number;
  pendingBytes: number;
  uptimeMs: number;
}

export class RtmpConnection implements SessionHost {
  readonly id: number;
  readonly address: string;
  readonly socket: Socket;
  readonly startedAt = Date.now();
  readonly #d: ConnectionContext;
  /** Dropped once the handshake is done (nothing of it is needed later). */
  #hs: ServerHandshake | null;
  readonly #decoder: ChunkDecoder;
  readonly #session: RtmpSession;
  readonly #out: OutputQueue;
  /** Reads land in a buffer shared by every connection: keep nothing of it past the call. */
  readonly #reader: SocketReader;
  /** What the batcher calls at each tick once this is a publisher (made then: players have none). */
  #pacer: PacedReader | null = null;
  #outChunkSize = 128;
  #peerWindow = 0;
  #lastAck = 0;
  #lastRecvAt = Date.now();
  #pingSentAt = 0;
  #hsTimer: NodeJS.Timeout | null;
  /** Read once per batcher tick (a publisher: see WriteBatcher). */
  #paced = false;
  /** A read is being handled: replies wait for its end (see send). */
  #inRead = false;
  /**
   * Handshake, open, closed. One field that changes on every connection, not
   * a `closed` flag set only at the end: V8 treats a field no object ever
   * changed as a constant, and the first connection ever to close would then
   * throw away the compiled fan-out code that read it (deliver inlines write).
   */
  #phase: number = Phase.Handshake;
  closeReason = "";

  constructor(id: number, socket: Socket, d: ConnectionContext) {
    this.#d = d;
    this.id = id;
    this.socket = socket;
    this.address = normalizeAddress(socket.remoteAddress ?? "?");
    this.#out = new OutputQueue(socket, d.batcher);
    const srv = d.config();
    this.#reader = new SocketReader(socket, this.#onData, this);
    // The handshake copies only what it keeps of a shared read (a partial C0C1 or C2), not every read.
    this.#hs = new ServerHandshake({ transientInput: this.#reader.reusesBuffer });
    this.#decoder = new ChunkDecoder({
      maxMessageLength: srv.maxMessage,
      maxChunkStreams: MAX_CHUNK_STREAMS,
      // Payloads are read in place (the engine copies or encodes what it keeps): no allocation per message.
      transientPayloads: true,
      poison: POISON_BUFFERS,
    });
    this.#session = new RtmpSession(this);
    this.socket.setNoDelay(true);
    this.#hsTimer = setTimeout(
      () => this.close("handshake timeout", false),
      Math.min(HANDSHAKE_TIMEOUT_MS, srv.timeout),
    );
    // One listener function each for every connection, not closures per connection.
    (socket as unknown as Record<symbol, RtmpConnection>)[kConnection] = this;
    socket.on("error", RtmpConnection.#onSocketError);
    socket.on("close", RtmpConnection.#onSocketClose);
    // The peer's FIN: Node ends our side too (no half-open sockets), so a later write would fail with EPIPE.
    socket.on("end", RtmpConnection.#onSocketEnd);
  }

  static readonly #onSocketError = function (this: Socket, e: Error): void {
    connectionOf(this).close(`socket error: ${e.message}`, false);
  };

  static readonly #onSocketClose = function (this: Socket): void {
    connectionOf(this).#onSocketClosed();
  };

  static readonly #onSocketEnd = function (this: Socket): void {
    connectionOf(this).#peerGone();
  };

  get closed(): boolean {
    return this.#phase === Phase.Closed;
  }

  get engine(): LiveEngine {
    return this.#d.engine;
  }

  get log(): Logger {
    return this.#d.log;
  }

  get playerQueueBytes(): number {
    return this.#d.playerQueueBytes;
  }

  get configChunkSize(): number {
    return this.#d.config().chunkSize;
  }

  get outChunkSize(): number {
    return this.#outChunkSize;
  }

  setOutChunkSize(size: number): void {
    this.#outChunkSize = size;
  }

  get pendingBytes(): number {
    return this.#out.pendingBytes;
  }

  get session(): RtmpSession {
    return this.#session;
  }

  findApp(name: string): RtmpApplicationConfig | null {
    return this.#d.findApp(name);
  }

  /** Media for players (PlayerOutput): queued by reference and written in batches. */
  write(buf: Buffer): void {
    if (!this.closed) this.#out.push(buf);
  }

  publishStarted(streamId: number): void {
    this.send(streamBegin(streamId));
    this.send(status(streamId, Status.PlayPublishNotify));
  }

  publishStopped(streamId: number): void {
    this.send(status(streamId, Status.PlayUnpublishNotify));
    this.send(streamEof(streamId));
  }

  send(msg: RtmpMessage): void {
    if (this.closed) return;
    if (this.#out.pendingBytes > this.playerQueueBytes * 2 + MAX_CONTROL_BACKLOG) {
      this.close("peer does not read what it asked for", false);
      return;
    }
    // Control and commands go after any media already queued (order kept): at once, or, while
    // a read is handled, with the other replies to it at its end (one writev for a player's join:
    // the replies to connect, createStream and play, then the GOP cache, instead of a write each).
    this.#out.add(encodeChunks(msg, this.#outChunkSize));
    if (!this.#inRead) this.#out.flush();
  }

  #onData(buf: Buffer): void {
    if (this.closed) return;
    this.#lastRecvAt = Date.now();
    this.#pingSentAt = 0;
    this.#inRead = true;
    try {
      let data = buf;
      if (this.#hs) {
        const step = this.#hs.feed(data);
        if (step.output.length > 0) this.#out.add(step.output);
        if (!step.done) return;
        if (this.#hsTimer) clearTimeout(this.#hsTimer);
        this.#hsTimer = null;
        this.#hs = null;
        this.#phase = Phase.Open;
        data = step.leftover;
        if (data.length === 0) return;
      }
      const err = this.#decoder.feed(data, this.#onMessage, this);
      if (err) {
        this.close(`${err.code}: ${err.message}`, false);
        return;
      }
      if (!this.#paced && this.#session.role === "publisher") {
        this.#pacer ??= { onTick: () => this.#pacedTick() };
        this.#paced = this.#d.batcher.pace(this.#pacer);
      }
      if (this.#paced) this.#afterPacedRead(buf.length);
      this.#maybeAck();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (e instanceof SessionLimitError || code) {
        this.close(`${code ?? "ONAIR_RTMP_LIMIT"}: ${(e as Error).message}`, false);
      } else {
        this.log.error(`rtmp: ${this.address}: internal error: ${(e as Error).stack ?? String(e)}`);
        this.close("internal error", false);
      }
    } finally {
      this.#inRead = false;
      // The replies to this read (and media queued meanwhile, e.g. a joiner's GOP cache) leave now.
      if (!this.closed) this.#out.flush();
    }
  }

  /** A publisher is read at each batcher tick (see WriteBatcher). */
  #pacedTick(): void {
    if (this.closed) return;
    if (this.#reader.canReadNow) this.#reader.readNow();
    else this.#reader.resume();
  }

  /**
   * After a publisher's read. Read by the tick (`readNow`): nothing to do,
   * the tick flushes. Its first paced read, which came from the loop: stop
   * the loop's reads for good and send what it brought at once. Without
   * `readNow`: pause until the next tick unless the read filled the buffer
   * (more waits in the kernel), and send what it brought at once.
   */
  #afterPacedRead(n: number): void {
    if (this.closed) return;
    if (this.#reader.canReadNow) {
      if (this.#reader.paused) return;
      this.#reader.pause();
    } else if (n < READ_BUFFER_BYTES) this.#reader.pause();
    this.#d.batcher.flushAll();
  }

  #maybeAck(): void {
    if (this.#peerWindow <= 0) return;
    const total = this.#decoder.bytesIn;
    if (total - this.#lastAck >= this.#peerWindow) {
      this.#lastAck = total;
      this.send(acknowledgement(total % 0x1_0000_0000));
    }
  }

  #onMessage(m: RtmpMessage): void {
    if (this.closed) return;
    switch (m.type) {
      case MessageType.Audio:
      case MessageType.Video:
      case MessageType.DataAmf0:
      case MessageType.DataAmf3:
      case MessageType.Aggregate:
        this.#media(m);
        return;
      case MessageType.CommandAmf0:
        this.#session.command(m.streamId, decodeAmf0(m.payload, COMMAND_AMF_LIMITS));
        return;
      case MessageType.CommandAmf3:
        this.#session.command(m.streamId, decodeCommand3(m.payload));
        return;
      case MessageType.WindowAckSize:
        if (m.payload.length >= 4) this.#peerWindow = m.payload.readUInt32BE(0);
        return;
      case MessageType.UserControl:
        this.#userControl(m.payload);
        return;
      default:
        return; // Set Chunk Size / Abort applied by the decoder; Ack, Set Peer Bandwidth, shared objects ignored
    }
  }

  #media(m: RtmpMessage): void {
    const pub = this.#session.publisherOn(m.streamId);
    if (!pub) {
      // Data messages outside publishing (e.g. @setDataFrame before publish) are dropped as nginx-rtmp does.
      return;
    }
    let payload = m.payload;
    if (m.type === MessageType.DataAmf3 && payload.length > 0 && payload[0] === 0)
      payload = payload.subarray(1);
    const type = m.type === MessageType.DataAmf3 ? MessageType.DataAmf0 : m.type;
    const v = pub.message(type, m.timestamp, payload);
    if (v === "bad-aggregate") this.close("ONAIR_RTMP_BAD_MESSAGE: malformed aggregate message", false);
  }

  #userControl(p: Buffer): void {
    if (p.length < 6) return;
    const ev = p.readUInt16BE(0);
    if (ev === PING_REQUEST) this.send(pingResponse(p.readUInt32BE(2)));
    // PingResponse: any byte already counted as life; SetBufferLength: live players need nothing from it.
  }

  /** Called by the server every tick: ping and idle timeout (nginx-rtmp `ping`, `ping_timeout`, `timeout`). */
  tick(now: number): void {
    if (this.closed || this.#hs) return;
    const srv = this.#d.config();
    const silent = now - this.#lastRecvAt;
    if (srv.ping > 0) {
      if (this.#pingSentAt && now - this.#pingSentAt >= srv.pingTimeout) {
        this.close("ping timeout", false);
        return;
      }
      if (!this.#pingSentAt && silent >= srv.ping) {
        this.#pingSentAt = now;
        this.send(pingRequest(now % 0x1_0000_0000));
      }
    } else if (srv.timeout > 0 && silent >= srv.timeout && this.#session.role !== "player") {
      this.close("timed out", false);
    }
  }

  /** Quit: tell the peer (statuses), then close once written. */
  goodbye(): void {
    if (this.closed) return;
    this.#session.goodbye();
    this.close("server quit", true);
  }

  close(reason: string, graceful: boolean): void {
    if (this.closed) return;
    this.#phase = Phase.Closed;
    this.closeReason = reason;
    if (this.#hsTimer) clearTimeout(this.#hsTimer);
    this.#hsTimer = null;
    // A peer going away (reset, broken pipe) is ordinary; protocol violations are errors.
    const quiet = graceful || /ECONNRESET|EPIPE|ETIMEDOUT/.test(reason);
    this.log.log(
      quiet ? "info" : "error",
      `rtmp: closing connection ${this.id} from ${this.address}: ${reason}`,
    );
    this.#session.dispose();
    if (this.#paced) {
      // Read again on every arrival, so the peer's FIN after our end() is seen at once.
      this.#d.batcher.unpace(this.#pacer!);
      this.#reader.resume();
    }
    if (graceful) {
      this.#out.flush();
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 5000).unref();
    } else {
      this.#out.clear();
      this.socket.destroy();
    }
  }

  /** The peer went away (FIN or close): not an error, nothing more can reach it. */
  #peerGone(): void {
    if (this.closed) return;
    this.#phase = Phase.Closed;
    this.closeReason = "peer closed";
    if (this.#hsTimer) clearTimeout(this.#hsTimer);
    this.#hsTimer = null;
    this.#session.dispose();
    this.#out.clear();
    if (this.#paced) this.#d.batcher.unpace(this.#pacer!);
    if (!this.socket.destroyed) this.socket.destroy();
  }

  #onSocketClosed(): void {
    this.#peerGone();
    this.#d.closed(this);
  }

  stats(now = Date.now()): ConnectionStats {
    return {
      id: this.id,
      address: this.address,
      app: this.#session.appName,
      role: this.#session.role,
      bytesIn: this.socket.bytesRead + this.#reader.directBytes,
      bytesOut: this.socket.bytesWritten + this.#out.directBytes,
      pendingBytes: this.#out.pendingBytes,
      uptimeMs: now - this.startedAt,
    };
  }
}

/** The connection a socket belongs to (set by the connection's constructor). */
const kConnection = Symbol("onair.rtmpConnection");

function connectionOf(s: Socket): RtmpConnection {
  return (s as unknown as Record<symbol, RtmpConnection>)[kConnection]!;
}

/** AMF3 command (type 17): a format byte 0, then AMF0 values (which may switch to AMF3). */
function decodeCommand3(p: Buffer): AmfValue[] {
  if (p.length > 0 && p[0] === 0) return decodeAmf0(p.subarray(1), COMMAND_AMF_LIMITS);
  return decodeAmf3(p, COMMAND_AMF_LIMITS);
}

/** "::ffff:1.2.3.4" → "1.2.3.4" (dual-stack listeners). */
export function normalizeAddress(a: string): string {
  return a.startsWith("::ffff:") && a.includes(".") ? a.slice(7) : a;
}
