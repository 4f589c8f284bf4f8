/**
 * Interop of the protocol layer with real clients: a tiny RTMP server written
 * here from these codecs only (handshake, chunk decoder/encoder, commands,
 * status builders) receives an ffmpeg publish, then serves it to ffmpeg and
 * rtmpdump players (both check our digest handshake). Checks that every FLV
 * tag arrives with its timestamp, and that the players get the same frames.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { freePort, startProcess, tempDir } from "../../../test/helpers/env.js";
import { ffmpegPlay, ffmpegPublish } from "../../../test/helpers/ffmpeg.js";
import { makeMedia } from "../../../test/helpers/media.js";
import { ChunkDecoder } from "./chunk-decoder.js";
import { encodeChunks } from "./chunk-encoder.js";
import { ServerHandshake } from "./handshake.js";
import { MessageType, type RtmpMessage } from "./message.js";
import { Command } from "./messages/command.js";
import { metadataFrame } from "./messages/data.js";
import { SetChunkSize } from "./messages/set-chunk-size.js";
import { BandwidthLimit, SetPeerBandwidth } from "./messages/set-peer-bandwidth.js";
import { UserControlMessage } from "./messages/user-control.js";
import { WindowAckSize } from "./messages/window-ack-size.js";
import { commandResult, connectResult, onStatus, Status, sampleAccess } from "./status.js";

const OUT_CHUNK = 4096;

interface MiniServer {
  server: Server;
  port: number;
  media: RtmpMessage[];
  digests: boolean[];
  firstBytes: Buffer[];
  /** Called when a publisher ends (deleteStream, FCUnpublish or close). */
  onPublished: () => void;
  /** Added to media timestamps sent to players (to cross 0xFFFFFF: extended timestamps). */
  playOffset: number;
}

function send(sock: Socket, msg: RtmpMessage): void {
  sock.write(encodeChunks(msg, OUT_CHUNK));
}

function startPlayback(sock: Socket, streamId: number, media: RtmpMessage[], offset: number): void {
  send(sock, UserControlMessage.streamBegin(streamId));
  send(sock, onStatus(streamId, Status.PlayStart));
  send(sock, sampleAccess(streamId));
  for (const m of media) {
    const av = m.type === MessageType.Audio || m.type === MessageType.Video;
    const timestamp = av ? (m.timestamp + offset) % 0x100000000 : m.timestamp;
    send(sock, { ...m, timestamp, streamId, csid: m.type === MessageType.Audio ? 6 : 7 });
  }
  send(sock, UserControlMessage.streamEof(streamId));
  sock.end();
}

function onCommand(s: MiniServer, sock: Socket, msg: RtmpMessage, done: () => void): void {
  const cmd = Command.decode(msg.payload, msg.type);
  if (cmd.name === "connect") {
    send(sock, WindowAckSize.message(5_000_000));
    send(sock, SetPeerBandwidth.message({ size: 5_000_000, limit: BandwidthLimit.Dynamic }));
    send(sock, SetChunkSize.message(OUT_CHUNK));
    send(sock, connectResult({ transactionId: cmd.transactionId }));
  } else if (cmd.name === "createStream") {
    send(sock, commandResult(cmd.transactionId, 1));
  } else if (cmd.name === "publish") {
    send(sock, onStatus(1, Status.PublishStart));
  } else if (cmd.name === "play") {
    startPlayback(sock, 1, s.media, s.playOffset);
  } else if (cmd.name === "deleteStream" || cmd.name === "FCUnpublish") {
    done();
  }
}

async function startMiniServer(): Promise<MiniServer> {
  const port = await freePort();
  const s: MiniServer = {
    server: createServer(),
    port,
    media: [],
    digests: [],
    firstBytes: [],
    playOffset: 0,
    onPublished: () => {},
  };
  s.server.on("connection", (sock) => {
    const hs = new ServerHandshake();
    const decoder = new ChunkDecoder({ maxMessageLength: 4 << 20 });
    let publishing = false;
    const received: Buffer[] = [];
    const onMessage = (msg: RtmpMessage) => {
      if (msg.type === MessageType.CommandAmf0 || msg.type === MessageType.CommandAmf3) {
        const cmd = Command.decode(msg.payload, msg.type);
        if (cmd.name === "publish") {
          publishing = true;
          s.media = [];
        }
        onCommand(s, sock, msg, () => {
          if (publishing) s.onPublished();
        });
      } else if (msg.type === MessageType.Audio || msg.type === MessageType.Video) {
        s.media.push({ ...msg, payload: Buffer.from(msg.payload) });
      } else if (msg.type === MessageType.DataAmf0) {
        const meta = metadataFrame(msg.payload, msg.type);
        if (meta) s.media.unshift({ ...msg, payload: Buffer.from(meta.payload) });
      }
    };
    sock.on("data", (data: Buffer) => {
      if (received.length < 4) received.push(Buffer.from(data));
      if (!hs.done) {
        const step = hs.feed(data);
        if (step.output.length) sock.write(step.output);
        if (!step.done) return;
        s.digests.push(hs.digest);
        data = step.leftover;
      }
      const err = decoder.feed(data, onMessage);
      if (err) sock.destroy(err);
    });
    sock.on("close", () => {
      s.firstBytes.push(Buffer.concat(received));
      if (publishing) s.onPublished();
    });
    sock.on("error", () => {});
  });
  await new Promise<void>((r) => s.server.listen(port, "127.0.0.1", r));
  return s;
}

/** Packets with timestamps made relative to the first packet's dts. */
function relativeFrames(file: string): string[] {
  const lines = probeFrames(file).map((l) => l.split(","));
  const base = Number(lines[0]![2]);
  return lines.map(([kind, pts, dts, ...rest]) =>
    [kind, Number(pts) - base, Number(dts) - base, ...rest].join(","),
  );
}

function nextPublish(s: MiniServer): Promise<void> {
  return new Promise((r) => {
    s.onPublished = r;
  });
}

function probeFrames(file: string): string[] {
  const r = spawnSync(
    "ffprobe",
    ["-v", "error", "-show_entries", "packet=codec_type,pts,dts,size,flags", "-of", "csv=p=0", file],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split("\n");
}

test("ffmpeg publishes to, and ffmpeg and rtmpdump play from, a server built on these codecs", async (t) => {
  const dir = tempDir(t);
  const src = makeMedia({ seconds: 3 });
  const s = await startMiniServer();
  t.after(() => s.server.close());
  const url = `rtmp://127.0.0.1:${s.port}/live/test`;

  const published = nextPublish(s);
  const pub = ffmpegPublish(t, src, url, { realtime: false });
  assert.equal(await pub.exited, 0, pub.stderr());
  await published;
  assert.equal(s.digests[0], true, "ffmpeg sends a digest C1 (scheme 0)");

  const sourceFrames = probeFrames(src);
  const video = s.media.filter((m) => m.type === MessageType.Video);
  const audio = s.media.filter((m) => m.type === MessageType.Audio);
  const srcVideo = sourceFrames.filter((l) => l.startsWith("video")).length;
  const srcAudio = sourceFrames.filter((l) => l.startsWith("audio")).length;
  // Sequence headers (and the AVC end of sequence) ride in tags of their own.
  assert.equal(video.filter((m) => m.payload[1] === 1).length, srcVideo);
  assert.equal(audio.filter((m) => m.payload[1] === 1).length, srcAudio);
  assert.equal(video[0]!.payload[1], 0, "AVC sequence header first");

  const ffOut = join(dir, "ffmpeg.flv");
  const ffPlay = ffmpegPlay(t, url, ffOut);
  assert.equal(await ffPlay.exited, 0, ffPlay.stderr());
  assert.deepEqual(probeFrames(ffOut), sourceFrames);

  const dumpOut = join(dir, "rtmpdump.flv");
  const dump = startProcess(t, "rtmpdump", ["-v", "-r", url, "-o", dumpOut]);
  await dump.exited;
  assert.doesNotMatch(dump.stderr(), /not genuine|Couldn't verify|handshake failed/i);
  assert.deepEqual(probeFrames(dumpOut), sourceFrames);
  // librtmp turns to the FP9 digest handshake when given a SWF hash/size (no download needed);
  // it then verifies our S1 digest and S2 signature and gives up if they are wrong.
  const fp9Out = join(dir, "rtmpdump-fp9.flv");
  const fp9 = startProcess(t, "rtmpdump", ["-V", "-w", "ab".repeat(32), "-x", "1", "-r", url, "-o", fp9Out]);
  await fp9.exited;
  assert.match(fp9.stderr(), /HandShake: Genuine Adobe Flash Media Server/);
  assert.doesNotMatch(fp9.stderr(), /not genuine|Couldn't verify|handshake failed/i);
  assert.deepEqual(probeFrames(fp9Out), sourceFrames);
  // ffmpeg always sends a digest C1; plain rtmp:// in librtmp uses the plain handshake.
  assert.deepEqual(s.digests, [true, true, false, true]);

  // Timestamps crossing 0xFFFFFF (a live stream older than 4h39m): type 0 headers carry the
  // extended timestamp, repeated on continuation chunks; both players must read it.
  s.playOffset = 0xffffff - 1000;
  const expected = relativeFrames(src);
  for (const [name, args] of [
    [
      "ffmpeg-ext.flv",
      ["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", url, "-c", "copy", "-f", "flv"],
    ],
    ["rtmpdump-ext.flv", ["rtmpdump", "-q", "-r", url, "-o"]],
  ] as const) {
    const out = join(dir, name);
    const p = startProcess(t, args[0], [...args.slice(1), out]);
    await p.exited;
    assert.deepEqual(relativeFrames(out), expected, `${args[0]}: ${p.stderr()}`);
  }

  // ffmpeg publishing timestamps that cross 0xFFFFFF: its extended timestamps (type 0/1/2
  // headers and continuation chunks) decode to the same media, shifted.
  // Coded frames only: ffmpeg writes the sequence headers at timestamp 0 whatever the offset.
  const coded = (m: RtmpMessage) =>
    (m.type === MessageType.Audio || m.type === MessageType.Video) && m.payload[1] === 1;
  const first = s.media.filter(coded);
  const published2 = nextPublish(s);
  const pub2 = ffmpegPublish(t, src, `${url}2`, { realtime: false, output: ["-output_ts_offset", "16776"] });
  assert.equal(await pub2.exited, 0, pub2.stderr());
  await published2;
  const second = s.media.filter(coded);
  assert.equal(second.length, first.length);
  assert.ok(second.at(-1)!.timestamp > 0xffffff, "crossed 0xFFFFFF");
  for (const type of [MessageType.Audio, MessageType.Video]) {
    const a = first.filter((m) => m.type === type);
    const b = second.filter((m) => m.type === type);
    const shift = b[0]!.timestamp - a[0]!.timestamp;
    assert.ok(shift > 16_000_000, `shifted by ${shift}`);
    b.forEach((m, i) => {
      assert.equal(m.timestamp - shift, a[i]!.timestamp, `type ${type} message ${i}`);
      assert.deepEqual(m.payload, a[i]!.payload);
    });
  }
});
