/**
 * Helpers for the RTMP end-to-end suites: the NginxConfig builders of
 * rtmp-config.ts (re-exported), an in-process RtmpServer on a free port, and
 * a tiny raw RTMP client (handshake, connect, createStream, play/publish) for
 * slow-reader and fuzz tests.
 */
import { type Socket, connect as tcpConnect } from "node:net";
import type { TestContext } from "node:test";
import type { RtmpApplicationConfig, RtmpServerConfig } from "../../src/config/types.js";
import type { MediaSink } from "../../src/engine/media-sink.js";
import { encodeAmf0 } from "../../src/protocol/amf/index.js";
import { ChunkDecoder } from "../../src/protocol/rtmp/chunk-decoder.js";
import { encodeChunks } from "../../src/protocol/rtmp/chunk-encoder.js";
import { ClientHandshake } from "../../src/protocol/rtmp/handshake.js";
import type { RtmpMessage } from "../../src/protocol/rtmp/message.js";
import { RtmpServer } from "../../src/server/rtmp/rtmp-server.js";
import { type Logger, memoryLogger } from "../../src/util/logger.js";
import { freePort, sleep } from "./env.js";
import { rtmpConfig } from "./rtmp-config.js";

export { rtmpApp, rtmpConfig } from "./rtmp-config.js";

export interface TestServer {
  server: RtmpServer;
  port: number;
  url: (path: string) => string;
  log: Logger & { lines: string[] };
}

/** Starts an RtmpServer in-process on a free port; stopped when the test ends. */
export async function startRtmpServer(
  t: TestContext,
  opts: {
    apps?: RtmpApplicationConfig[];
    server?: Partial<RtmpServerConfig>;
    sinks?: (app: RtmpApplicationConfig, name: string) => MediaSink[];
    playerQueueBytes?: number;
    /** The config's flush_interval (ms). */
    flushInterval?: number;
  } = {},
): Promise<TestServer> {
  const log = memoryLogger("info");
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const config = rtmpConfig(port, opts.apps, opts.server);
    if (opts.flushInterval !== undefined) config.rtmp!.flushInterval = opts.flushInterval;
    const server = new RtmpServer({
      config,
      log,
      sinks: opts.sinks ?? (() => []),
      playerQueueBytes: opts.playerQueueBytes,
    });
    try {
      await server.start();
    } catch (e) {
      server.stop();
      if (attempt < 3) continue;
      throw e;
    }
    t.after(() => server.stop());
    return { server, port, url: (p) => `rtmp://127.0.0.1:${port}/${p}`, log };
  }
}

/** A raw RTMP client: enough protocol to connect, play or publish, and misbehave on purpose. */
export class RawRtmpClient {
  readonly socket: Socket;
  readonly messages: RtmpMessage[] = [];
  readonly decoder = new ChunkDecoder({ maxMessageLength: 16 << 20 });
  closed = false;
  bytesIn = 0;
  #hs = new ClientHandshake({ scheme: null });
  #handshook!: Promise<void>;
  chunkSize = 128;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("close", () => {
      this.closed = true;
    });
    socket.on("error", () => {
      this.closed = true;
    });
  }

  static async open(port: number): Promise<RawRtmpClient> {
    const socket = tcpConnect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new RawRtmpClient(socket);
  }

  /** Does the handshake and then decodes what the server sends (unless `keepReading` is false later). */
  handshake(): Promise<void> {
    this.#handshook = new Promise<void>((resolve, reject) => {
      const onData = (b: Buffer) => {
        this.bytesIn += b.length;
        if (!this.#hs.done) {
          const step = this.#hs.feed(b);
          if (step.output.length) this.socket.write(step.output);
          if (!step.done) return;
          resolve();
          b = step.leftover;
        }
        const err = this.decoder.feed(b, (m) => this.messages.push(m));
        if (err) reject(err);
      };
      this.socket.on("data", onData);
      this.socket.once("close", () => reject(new Error("closed during handshake")));
    });
    this.socket.write(this.#hs.start());
    return this.#handshook;
  }

  send(msg: RtmpMessage): void {
    this.socket.write(encodeChunks(msg, this.chunkSize));
  }

  command(streamId: number, ...values: Parameters<typeof encodeAmf0>): void {
    this.send({ type: 20, streamId, timestamp: 0, payload: encodeAmf0(...values), csid: 3 });
  }

  /** connect + createStream (stream id 1) + play or publish. */
  async start(app: string, name: string, mode: "play" | "publish"): Promise<void> {
    await this.handshake();
    this.command(0, "connect", 1, { app, tcUrl: `rtmp://127.0.0.1/${app}` });
    this.command(0, "createStream", 2, null);
    this.command(1, mode, 3, null, name, ...(mode === "publish" ? ["live"] : []));
    await this.waitFor(
      (m) => m.type === 20 && m.payload.includes(mode === "play" ? "Play.Start" : "Publish.Start"),
    );
  }

  async waitFor(pred: (m: RtmpMessage) => boolean, ms = 5000): Promise<RtmpMessage> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const m = this.messages.find(pred);
      if (m) return m;
      if (this.closed) throw new Error("connection closed");
      await sleep(20);
    }
    throw new Error("timed out waiting for a message");
  }

  /** Stops reading from the socket (the kernel buffers fill, then the server's queue). */
  stopReading(): void {
    this.socket.pause();
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface SyntheticOptions {
  fps?: number;
  frameBytes?: number;
  seconds?: number;
  /** Frames per GOP (default fps). */
  gop?: number;
  /** Outgoing chunk size (default 65536). */
  chunkSize?: number;
}

/**
 * Publishes a synthetic video-only stream from a raw client, paced in real
 * time: an AVC sequence header, then frames every 1000/fps ms (keyframe every
 * `gop`). Each frame's body starts with its frame number (u32 after the 5-byte
 * AVC header) so players' files can be checked for gaps. Resolves with the
 * number of frames sent.
 */
export async function publishSynthetic(
  port: number,
  app: string,
  name: string,
  o: SyntheticOptions = {},
): Promise<{ client: RawRtmpClient; done: Promise<number> }> {
  const { fps = 50, frameBytes = 20_000, seconds = 8, gop = fps, chunkSize = 65536 } = o;
  const client = await RawRtmpClient.open(port);
  await client.start(app, name, "publish");
  const csz = Buffer.alloc(4);
  csz.writeUInt32BE(chunkSize);
  client.send({ type: 1, streamId: 0, timestamp: 0, payload: csz, csid: 2 });
  client.chunkSize = chunkSize;
  client.send({
    type: 9,
    streamId: 1,
    timestamp: 0,
    payload: Buffer.from([0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1e]),
    csid: 7,
  });
  const body = Buffer.alloc(frameBytes, 0x55);
  const total = Math.round(seconds * fps);
  const step = 1000 / fps;
  const done = (async () => {
    const t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = t0 + i * step - performance.now();
      if (wait > 0) await sleep(wait);
      if (client.closed) return i;
      const frame = Buffer.from(body);
      frame[0] = i % gop === 0 ? 0x17 : 0x27;
      frame[1] = 1;
      frame.writeUIntBE(0, 2, 3);
      frame.writeUInt32BE(i, 5);
      client.send({ type: 9, streamId: 1, timestamp: Math.round(i * step), payload: frame, csid: 7 });
    }
    return total;
  })();
  return { client, done };
}
