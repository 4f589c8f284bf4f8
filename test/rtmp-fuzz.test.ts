/**
 * Fuzz against a running server: random bytes, mutated captures of a real
 * ffmpeg session, truncated chunks, chunk size 0 and huge, 16 MB message
 * lengths, deep AMF nesting, too many chunk streams / message streams, garbage
 * after the handshake. Every such connection is closed, the server stays up,
 * and a stream published alongside keeps playing without a gap.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { encodeAmf0 } from "../src/protocol/amf/index.js";
import { encodeChunks } from "../src/protocol/rtmp/chunk-encoder.js";
import { freePort, sleep, startProcess, tempDir, waitFor } from "./helpers/env.js";
import { ffmpegPublish } from "./helpers/ffmpeg.js";
import { readFlvTags } from "./helpers/flv-probe.js";
import { makeMedia } from "./helpers/media.js";
import { publishSynthetic, RawRtmpClient, startRtmpServer } from "./helpers/rtmp-client.js";

/** Opens a connection, writes `bytes`, and resolves once the server has closed it (or rejects after ms). */
async function sendAndExpectClose(port: number, bytes: Buffer[], ms = 8000): Promise<void> {
  const s = connect(port, "127.0.0.1");
  s.on("data", () => {});
  const closed = new Promise<void>((resolve) => {
    s.on("close", () => resolve());
    s.on("error", () => {});
  });
  await new Promise<void>((r) => s.once("connect", () => r()));
  for (const b of bytes) if (!s.destroyed) s.write(b);
  const ok = await Promise.race([closed.then(() => true), sleep(ms).then(() => false)]);
  s.destroy();
  assert.ok(ok, "server closed the connection");
}

/** A handshaken raw client, then `fn` misbehaves; the server must close it. */
async function afterHandshake(port: number, fn: (c: RawRtmpClient) => void, ms = 8000): Promise<void> {
  const c = await RawRtmpClient.open(port);
  try {
    await c.handshake();
    fn(c);
    await waitFor(() => c.closed, ms, "server closes the connection", 20);
  } finally {
    c.close();
  }
}

/** Records what ffmpeg sends while publishing 2 s of media (a real session capture). */
async function captureFfmpegSession(t: Parameters<typeof tempDir>[0], serverPort: number): Promise<Buffer> {
  const media = makeMedia({ seconds: 2, gop: 1 });
  const chunks: Buffer[] = [];
  const proxyPort = await freePort();
  let ended: () => void = () => {};
  // ffmpeg may exit before the proxy has read all it sent: the capture is whole at the socket's end.
  const whole = new Promise<void>((r) => {
    ended = r;
  });
  const proxy = createServer((client: Socket) => {
    client.on("end", () => ended());
    client.on("close", () => ended());
    const up = connect(serverPort, "127.0.0.1");
    client.on("data", (d: Buffer) => {
      chunks.push(Buffer.from(d));
      up.write(d);
    });
    up.on("data", (d: Buffer) => client.write(d));
    client.on("close", () => up.destroy());
    up.on("close", () => client.destroy());
    client.on("error", () => {});
    up.on("error", () => {});
  });
  await new Promise<void>((r) => proxy.listen(proxyPort, "127.0.0.1", () => r()));
  t.after(() => proxy.close());
  const ff = ffmpegPublish(t, media, `rtmp://127.0.0.1:${proxyPort}/live/capture`, { realtime: false });
  assert.equal(await ff.exited, 0, ff.stderr());
  await whole;
  return Buffer.concat(chunks);
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

function deepAmf(depth: number): Buffer {
  // "connect", 1, then `depth` nested anonymous objects {a: {a: ...}}.
  const head = encodeAmf0("connect", 1);
  const open = Buffer.from([0x00, 0x01, 0x61, 0x03]); // key "a", object marker
  const parts = [head, Buffer.from([0x03])];
  for (let i = 0; i < depth; i++) parts.push(open);
  parts.push(Buffer.from([0x00, 0x00, 0x09]));
  return Buffer.concat(parts);
}

test("bad input closes only the offending connection; a live stream plays on without a gap", async (t) => {
  const dir = tempDir(t);
  const srv = await startRtmpServer(t, { server: { ping: 1500, pingTimeout: 1000, timeout: 3000 } });
  const port = srv.port;
  const capture = await captureFfmpegSession(t, port);
  assert.ok(capture.length > 100_000, "captured a real session");

  // The stream that must not notice anything: a player waits, then a publisher starts.
  const out = join(dir, "watch.flv");
  const watch = startProcess(t, "rtmpdump", ["-q", "-r", srv.url("live/watch"), "-o", out]);
  await waitFor(() => srv.server.connections().some((c) => c.role === "player"), 5000, "watching player");
  const pub = await publishSynthetic(port, "live", "watch", {
    fps: 25,
    frameBytes: 4000,
    seconds: 30,
    gop: 25,
  });
  t.after(() => pub.client.close());

  const rnd = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 4000 }), { numRuns: 40, seed: 42 });
  const hs = () => {
    const c0c1 = Buffer.alloc(1537);
    c0c1[0] = 3;
    return [c0c1, Buffer.alloc(1536)];
  };
  const cases: [string, () => Promise<void>][] = [
    ...rnd.map((r, i): [string, () => Promise<void>] => [
      `random bytes #${i}`,
      () => sendAndExpectClose(port, [Buffer.from(r)]),
    ]),
    ["HTTP request", () => sendAndExpectClose(port, [Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n")])],
    ["half a handshake", () => sendAndExpectClose(port, [Buffer.from([3]), Buffer.alloc(700)])],
    ...rnd
      .slice(0, 15)
      .map((r, i): [string, () => Promise<void>] => [
        `garbage after handshake #${i}`,
        () => sendAndExpectClose(port, [...hs(), Buffer.from(r)]),
      ]),
    ...fc
      .sample(
        fc.record({
          cut: fc.integer({ min: 1, max: capture.length - 1 }),
          flips: fc.array(
            fc.record({
              at: fc.integer({ min: 3073, max: capture.length - 1 }),
              v: fc.integer({ min: 0, max: 255 }),
            }),
            { maxLength: 20 },
          ),
        }),
        { numRuns: 30, seed: 7 },
      )
      .map(({ cut, flips }, i): [string, () => Promise<void>] => [
        `mutated capture #${i}`,
        () => {
          const m = Buffer.from(capture.subarray(0, Math.max(cut, 3074)));
          for (const f of flips) if (f.at < m.length) m[f.at] = f.v;
          // The stream name is "capture": replays publish there, never onto "watch".
          return sendAndExpectClose(port, [m]);
        },
      ]),
    [
      "chunk size 0",
      () =>
        afterHandshake(port, (c) => c.send({ type: 1, streamId: 0, timestamp: 0, payload: u32(0), csid: 2 })),
    ],
    [
      "chunk size 2^31-1 then a 16 MB message",
      () =>
        afterHandshake(port, (c) => {
          c.send({ type: 1, streamId: 0, timestamp: 0, payload: u32(0x7fffffff), csid: 2 });
          c.chunkSize = 0x7fffffff;
          const h = Buffer.from([0x06, 0, 0, 0, 0xff, 0xff, 0xff, 9, 1, 0, 0, 0]);
          c.socket.write(Buffer.concat([h, Buffer.alloc(64 * 1024)]));
        }),
    ],
    [
      "16 MB message length at the default chunk size",
      () =>
        afterHandshake(port, (c) =>
          c.socket.write(Buffer.from([0x04, 0, 0, 0, 0xff, 0xff, 0xff, 20, 0, 0, 0, 0])),
        ),
    ],
    [
      "truncated chunk",
      () =>
        afterHandshake(port, (c) =>
          c.socket.write(Buffer.from([0x03, 0, 0, 0, 0, 0x10, 0, 20, 0, 0, 0, 0, 2, 0])),
        ),
    ],
    [
      "deep AMF nesting",
      () =>
        afterHandshake(port, (c) =>
          c.send({ type: 20, streamId: 0, timestamp: 0, payload: deepAmf(5000), csid: 3 }),
        ),
    ],
    [
      "too many chunk streams",
      () =>
        afterHandshake(port, (c) => {
          for (let csid = 10; csid < 200; csid++) {
            c.socket.write(
              encodeChunks(
                { type: 8, streamId: 1, timestamp: 0, payload: Buffer.alloc(300), csid },
                128,
              ).subarray(0, 150),
            );
          }
        }),
    ],
    [
      "too many message streams",
      () =>
        afterHandshake(port, (c) => {
          c.command(0, "connect", 1, { app: "live" });
          for (let i = 0; i < 200; i++) c.command(0, "createStream", 2 + i, null);
        }),
    ],
    [
      "type 2 chunk with no previous header",
      () => afterHandshake(port, (c) => c.socket.write(Buffer.from([0x84, 0, 0, 1, 0x41]))),
    ],
  ];
  // Run the bad connections a few at a time, concurrently with the live stream.
  const failures: string[] = [];
  for (let i = 0; i < cases.length; i += 8) {
    await Promise.all(
      cases.slice(i, i + 8).map(async ([name, run]) => {
        try {
          await run();
        } catch (e) {
          failures.push(`${name}: ${(e as Error).message}`);
        }
      }),
    );
  }
  assert.deepEqual(failures, []);
  // The server is up and still serves new clients.
  const late = await RawRtmpClient.open(port);
  t.after(() => late.close());
  await late.start("live", "watch", "play");
  await late.waitFor((m) => m.type === 9);
  late.close();
  // Reasons were logged with the peer address.
  for (const what of [
    "ONAIR_RTMP_HANDSHAKE_VERSION",
    "ONAIR_RTMP_MESSAGE_TOO_LARGE",
    "ONAIR_RTMP_BAD_CHUNK_SIZE",
    "ONAIR_AMF",
    "ping timeout",
    "streams on one connection",
  ]) {
    assert.ok(
      srv.log.lines.some((l) => l.includes("from 127.0.0.1") && l.includes(what)),
      `logged: ${what}`,
    );
  }
  // The watched stream: every frame, in order, timestamps without a gap.
  pub.client.close();
  await Promise.race([watch.exited, sleep(5000)]);
  watch.kill("SIGINT");
  const frames = readFlvTags(readFileSync(out)).filter((x) => x.type === 9 && x.body[1] === 1);
  assert.ok(frames.length > 100, `watched ${frames.length} frames`);
  frames.forEach((f, i) => {
    assert.equal(f.body.readUInt32BE(5), i, `frame ${i} in order`);
    if (i > 0) assert.equal(f.timestamp - frames[i - 1]!.timestamp, 40, `no gap at frame ${i}`);
  });
});
