/**
 * Server life and protocol corners with raw clients: Enhanced RTMP connect and
 * ex-header relay, media sinks, ping / ping_timeout, reload (new apps start,
 * removed apps refuse new sessions, live sessions stay) and graceful quit.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { MediaSink } from "../src/engine/media-sink.js";
import { decodeAmf0, encodeAmf0 } from "../src/protocol/amf/index.js";
import type { RtmpMessage } from "../src/protocol/rtmp/message.js";
import { sleep, waitFor } from "./helpers/env.js";
import { RawRtmpClient, rtmpApp, rtmpConfig, startRtmpServer } from "./helpers/rtmp-client.js";

const isStatus = (code: string) => (m: RtmpMessage) => m.type === 20 && m.payload.includes(code);

/** An Enhanced RTMP HEVC frame: ex-header, FourCC hvc1 (veovera enhanced-rtmp v1). */
function hevc(packetType: number, key: boolean, n: number): Buffer {
  const b = Buffer.alloc(5 + n, 0x33);
  b[0] = 0x80 | ((key ? 1 : 2) << 4) | packetType;
  b.write("hvc1", 1, "latin1");
  return b;
}

test("Enhanced RTMP: connect answers fourCcList; ex-header video is relayed unchanged, keyframe first", async (t) => {
  const srv = await startRtmpServer(t);
  const c = await RawRtmpClient.open(srv.port);
  t.after(() => c.close());
  await c.handshake();
  c.command(0, "connect", 1, { app: "live", fourCcList: ["hvc1", "av01"], capsEx: 0 });
  const res = await c.waitFor((m) => m.type === 20 && m.payload.includes("_result"));
  const [, , props, info] = decodeAmf0(res.payload) as [
    string,
    number,
    Record<string, unknown>,
    Record<string, unknown>,
  ];
  assert.ok(Array.isArray(props.fourCcList) && (props.fourCcList as string[]).includes("hvc1"));
  assert.equal(props.capsEx, 0);
  assert.equal(info.code, "NetConnection.Connect.Success");
  c.command(0, "createStream", 2, null);
  c.command(1, "publish", 3, null, "hevc", "live");
  await c.waitFor(isStatus("NetStream.Publish.Start"));
  const seq = hevc(0, true, 20);
  const frames = [hevc(1, true, 500), hevc(1, false, 300), hevc(3, false, 200)];
  c.send({ type: 9, streamId: 1, timestamp: 0, payload: seq, csid: 7 });
  frames.forEach((f, i) => {
    c.send({ type: 9, streamId: 1, timestamp: 40 * i, payload: f, csid: 7 });
  });
  await waitFor(() => srv.server.stats()[0]?.videoCodec === "H265", 3000, "codec seen");
  const p = await RawRtmpClient.open(srv.port);
  t.after(() => p.close());
  await p.start("live", "hevc", "play");
  await waitFor(() => p.messages.filter((m) => m.type === 9).length >= 4, 3000, "cached frames");
  const video = p.messages.filter((m) => m.type === 9);
  assert.ok(video[0]!.payload.equals(seq), "sequence start first");
  assert.ok(video[1]!.payload.equals(frames[0]!), "then the keyframe, unchanged");
  assert.ok(video[2]!.payload.equals(frames[1]!));
  assert.ok(video[3]!.payload.equals(frames[2]!));
});

test("media sinks get start, messages (metadata without @setDataFrame) and stop", async (t) => {
  const seen: string[] = [];
  const sink: MediaSink = {
    start: (s) => seen.push(`start ${s.app}/${s.name}`),
    message: (kind, ts, payload) => seen.push(`${kind}@${ts}:${payload.subarray(3, 13).toString("latin1")}`),
    stop: () => seen.push("stop"),
  };
  const srv = await startRtmpServer(t, { sinks: () => [sink] });
  const c = await RawRtmpClient.open(srv.port);
  t.after(() => c.close());
  await c.start("live", "s", "publish");
  c.send({
    type: 18,
    streamId: 1,
    timestamp: 0,
    payload: encodeAmf0("@setDataFrame", "onMetaData", { width: 320, height: 240 }),
    csid: 5,
  });
  await waitFor(() => seen.length >= 2, 3000, "metadata");
  c.command(1, "deleteStream", 4, null, 1);
  await waitFor(() => seen.includes("stop"), 3000, "stop");
  assert.deepEqual(seen, ["start live/s", "data@0:onMetaData", "stop"]);
  assert.equal(srv.server.stats().length, 0, "the stream is gone");
});

test("ping: a silent peer that answers pings stays, one that does not is closed", async (t) => {
  const srv = await startRtmpServer(t, { server: { ping: 600, pingTimeout: 600 } });
  const good = await RawRtmpClient.open(srv.port);
  const bad = await RawRtmpClient.open(srv.port);
  t.after(() => good.close());
  t.after(() => bad.close());
  await good.start("live", "a", "play");
  await bad.start("live", "b", "play");
  const answer = setInterval(() => {
    for (const m of good.messages.splice(0)) {
      if (m.type === 4 && m.payload.readUInt16BE(0) === 6) {
        const r = Buffer.from(m.payload);
        r.writeUInt16BE(7, 0);
        good.send({ type: 4, streamId: 0, timestamp: 0, payload: r, csid: 2 });
      }
    }
  }, 50);
  t.after(() => clearInterval(answer));
  await waitFor(() => bad.closed, 4000, "the silent peer is closed");
  assert.equal(good.closed, false);
  assert.ok(srv.log.lines.some((l) => l.includes("ping timeout")));
});

test("reload: new apps start, removed apps refuse new sessions, live sessions stay; quit tells everyone", async (t) => {
  const srv = await startRtmpServer(t, { apps: [rtmpApp("live")] });
  const pub = await RawRtmpClient.open(srv.port);
  t.after(() => pub.close());
  await pub.start("live", "s", "publish");
  const player = await RawRtmpClient.open(srv.port);
  t.after(() => player.close());
  await player.start("live", "s", "play");
  await srv.server.reload(rtmpConfig(srv.port, [rtmpApp("other")]));
  // The live session goes on.
  pub.send({ type: 9, streamId: 1, timestamp: 0, payload: Buffer.from([0x17, 1, 0, 0, 0, 9]), csid: 7 });
  await player.waitFor((m) => m.type === 9);
  // "live" is gone for new sessions; "other" works.
  const refused = await RawRtmpClient.open(srv.port);
  t.after(() => refused.close());
  await refused.handshake();
  refused.command(0, "connect", 1, { app: "live" });
  await refused.waitFor(isStatus("NetConnection.Connect.Rejected"));
  const ok = await RawRtmpClient.open(srv.port);
  t.after(() => ok.close());
  await ok.start("other", "x", "publish");
  // Quit: the player hears the stream end, publishers are told, sockets close.
  const quitting = srv.server.quit(3000);
  await player.waitFor(isStatus("NetStream.Play.UnpublishNotify"));
  await pub.waitFor(isStatus("NetStream.Unpublish.Success")).catch(() => undefined);
  await quitting;
  await sleep(100);
  assert.ok(pub.closed && player.closed && ok.closed, "every connection closed");
  assert.ok(
    player.messages.some((m) => m.type === 4 && m.payload.readUInt16BE(0) === 1),
    "StreamEOF",
  );
});

test("pause / unpause, receiveVideo false, getStreamLength, FCPublish answer", async (t) => {
  const srv = await startRtmpServer(t);
  const pub = await RawRtmpClient.open(srv.port);
  t.after(() => pub.close());
  await pub.handshake();
  pub.command(0, "connect", 1, { app: "live" });
  pub.command(0, "releaseStream", 2, null, "s");
  pub.command(0, "FCPublish", 3, null, "s");
  pub.command(0, "createStream", 4, null);
  pub.command(1, "publish", 5, null, "s", "live");
  await pub.waitFor(isStatus("NetStream.Publish.Start"));
  assert.ok(pub.messages.some((m) => m.type === 20 && m.payload.includes("onFCPublish")));
  const p = await RawRtmpClient.open(srv.port);
  t.after(() => p.close());
  await p.start("live", "s", "play");
  p.command(0, "getStreamLength", 9, null, "s");
  await p.waitFor((m) => m.type === 20 && m.payload.includes("_result") && decodeAmf0(m.payload)[1] === 9);
  let ts = 0;
  const frame = (k: boolean) => {
    ts += 40;
    pub.send({
      type: 9,
      streamId: 1,
      timestamp: ts,
      payload: Buffer.from([k ? 0x17 : 0x27, 1, 0, 0, 0, 1]),
      csid: 7,
    });
    pub.send({ type: 8, streamId: 1, timestamp: ts, payload: Buffer.from([0xaf, 1, 2]), csid: 6 });
  };
  frame(true);
  await p.waitFor((m) => m.type === 9);
  p.command(1, "pause", 10, null, true, 0);
  await p.waitFor(isStatus("NetStream.Pause.Notify"));
  const before = p.messages.filter((m) => m.type === 9 || m.type === 8).length;
  frame(false);
  await sleep(200);
  assert.equal(p.messages.filter((m) => m.type === 9 || m.type === 8).length, before, "nothing while paused");
  p.command(1, "pause", 11, null, false, 0);
  await p.waitFor(isStatus("NetStream.Unpause.Notify"));
  p.command(1, "receiveVideo", 0, null, false);
  await sleep(100);
  frame(true);
  await p.waitFor((m) => m.type === 8 && m.timestamp === ts);
  assert.ok(!p.messages.some((m) => m.type === 9 && m.timestamp === ts), "no video after receiveVideo false");
});

test("drop_idle_publisher closes a publisher that sends no media", async (t) => {
  const srv = await startRtmpServer(t, { apps: [rtmpApp("live", { dropIdlePublisher: 500 })] });
  const pub = await RawRtmpClient.open(srv.port);
  t.after(() => pub.close());
  await pub.start("live", "idle", "publish");
  const t0 = Date.now();
  await waitFor(() => pub.closed, 3000, "idle publisher dropped");
  assert.ok(Date.now() - t0 >= 400, "not before the idle time");
  assert.ok(srv.log.lines.some((l) => l.includes("dropping idle publisher")));
  assert.equal(srv.server.stats().length, 0);
});

test("a burst of connections is followed by one full garbage collection once it has settled", async (t) => {
  const srv = await startRtmpServer(t);
  const clients = await Promise.all(Array.from({ length: 10 }, () => RawRtmpClient.open(srv.port)));
  await Promise.all(clients.map((c, i) => c.start("live", `s${i}`, "play")));
  for (const c of clients) c.close();
  // 20 opened or closed; the server's 500 ms tick collects once they have been quiet for 2 s.
  await waitFor(() => srv.server.memoryReducer.collections === 1, 6000, "one collection");
  assert.ok(
    srv.log.lines.some((l) =>
      /full garbage collection( and malloc trim)? after a burst of connections: RSS [\d.]+ -> [\d.]+ MiB/.test(
        l,
      ),
    ),
  );
  await sleep(1500);
  assert.equal(srv.server.memoryReducer.collections, 1, "once per burst");
});

test("the server's tick collects V8's young generation once it holds 256 KiB", async (t) => {
  const srv = await startRtmpServer(t);
  const before = srv.server.memoryReducer.youngCollections;
  // ~0.6 MB of small objects, alive until the tick has seen them in the young generation.
  let keep: object[] | null = Array.from({ length: 20_000 }, (_, i) => ({ i }));
  await waitFor(
    () => srv.server.memoryReducer.youngCollections > before,
    3000,
    "a scavenge from the 500 ms tick",
  );
  assert.equal(keep.length, 20_000);
  keep = null;
  assert.equal(srv.server.memoryReducer.collections, 0, "a scavenge, not the full collection of a burst");
});
