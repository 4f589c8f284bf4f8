/**
 * Publishers: two names stay isolated; a second publisher on a busy name gets
 * NetStream.Publish.BadName; with `publish_replace` a reconnecting encoder
 * takes over at once and players keep playing. Also: unknown application
 * rejected, access rules, max_connections.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { sleep, startProcess, tempDir, waitFor } from "./helpers/env.js";
import { ffmpegPublish } from "./helpers/ffmpeg.js";
import { probePackets, readFlvTags } from "./helpers/flv-probe.js";
import { makeMedia } from "./helpers/media.js";
import { RawRtmpClient, rtmpApp, startRtmpServer } from "./helpers/rtmp-client.js";

function resolution(file: string): string {
  const r = probePackets(file);
  assert.ok(r.length > 0);
  const tags = readFlvTags(readFileSync(file));
  const meta = tags.find((x) => x.type === 18 && x.body.includes("onMetaData"));
  assert.ok(meta, "metadata received");
  const w = meta.body.readDoubleBE(meta.body.indexOf("width") + 6);
  const h = meta.body.readDoubleBE(meta.body.indexOf("height") + 7);
  return `${w}x${h}`;
}

test("two publishers on two names are isolated; a busy name gives BadName", async (t) => {
  const dir = tempDir(t);
  const big = makeMedia({ seconds: 8, size: "640x360" });
  const small = makeMedia({ seconds: 8, size: "320x240", bitrate: "500k" });
  const srv = await startRtmpServer(t);
  const pa = ffmpegPublish(t, big, srv.url("live/a"));
  const pb = ffmpegPublish(t, small, srv.url("live/b"));
  await waitFor(
    () => srv.server.stats().filter((s) => s.publishing && s.bytesIn > 0).length === 2,
    10_000,
    "2 publishers",
  );
  const outA = join(dir, "a.flv");
  const outB = join(dir, "b.flv");
  const ra = startProcess(t, "rtmpdump", ["-q", "-r", srv.url("live/a"), "-o", outA]);
  const rb = startProcess(t, "rtmpdump", ["-q", "-r", srv.url("live/b"), "-o", outB]);
  // A second publisher on "a" is refused with BadName while the first goes on.
  const dup = ffmpegPublish(t, small, srv.url("live/a"));
  const dupCode = await Promise.race([dup.exited, sleep(8000).then(() => "timeout")]);
  assert.notEqual(dupCode, 0);
  assert.notEqual(dupCode, "timeout", "the refused publisher gives up");
  assert.match(dup.stderr(), /Already publishing|BadName/);
  assert.ok(srv.log.lines.some((l) => l.includes('"live/a" already publishing')));
  const stats = srv.server.stats();
  assert.deepEqual(stats.map((s) => `${s.name}:${s.width}x${s.height}:${s.players}`).sort(), [
    "a:640x360:1",
    "b:320x240:1",
  ]);
  for (const s of stats) {
    assert.equal(s.videoCodec, "H264");
    assert.equal(s.audioCodec, "AAC");
    assert.equal(s.publisherAddress, "127.0.0.1");
    assert.ok(s.bitrateIn > 0 && s.uptimeMs > 0);
  }
  assert.equal(await pa.exited, 0);
  assert.equal(await pb.exited, 0);
  await Promise.race([Promise.all([ra.exited, rb.exited]), sleep(8000)]);
  assert.equal(resolution(outA), "640x360");
  assert.equal(resolution(outB), "320x240");
});

test("publish_replace: a reconnecting encoder takes over at once; players keep playing", async (t) => {
  const dir = tempDir(t);
  const first = makeMedia({ seconds: 20, size: "640x360" });
  const second = makeMedia({ seconds: 8, size: "320x240", bitrate: "500k" });
  const srv = await startRtmpServer(t, { apps: [rtmpApp("live", { publishReplace: true })] });
  const p1 = ffmpegPublish(t, first, srv.url("live/x"));
  await waitFor(() => srv.server.stats().find((s) => s.publishing && s.bytesIn > 0), 10_000, "publisher");
  const out = join(dir, "x.flv");
  const player = startProcess(t, "rtmpdump", ["-q", "-r", srv.url("live/x"), "-o", out]);
  await sleep(3000);
  const t0 = Date.now();
  const p2 = ffmpegPublish(t, second, srv.url("live/x"));
  await waitFor(() => srv.server.stats().find((s) => s.width === 320), 5000, "the new publisher's stream");
  const code1 = await Promise.race([p1.exited, sleep(5000).then(() => "timeout")]);
  assert.notEqual(code1, "timeout", "the replaced publisher was disconnected");
  assert.ok(Date.now() - t0 < 5000, "takeover within 5 s");
  assert.equal(await p2.exited, 0, p2.stderr());
  await Promise.race([player.exited, sleep(8000)]);
  // The player stayed on through the takeover: two AVC sequence headers, timestamps never go back.
  const tags = readFlvTags(readFileSync(out));
  const seqHeaders = tags.filter((x) => x.type === 9 && x.body[0] === 0x17 && x.body[1] === 0);
  assert.ok(seqHeaders.length >= 2, `saw ${seqHeaders.length} sequence headers`);
  const video = tags.filter((x) => x.type === 9 && x.body[1] !== 0);
  for (let i = 1; i < video.length; i++) {
    assert.ok(video[i]!.timestamp >= video[i - 1]!.timestamp - 100, `timestamps go on at tag ${i}`);
  }
  const lastTs = video.at(-1)!.timestamp;
  assert.ok(lastTs > 9000, `played through both publishers (${lastTs} ms)`);
});

test("unknown application is rejected; access rules and max_connections hold", async (t) => {
  const pos = { file: "t", line: 1 };
  const srv = await startRtmpServer(t, {
    apps: [
      rtmpApp("live"),
      rtmpApp("closed", {
        access: [
          { action: "deny", what: "publish", from: "127.0.0.0/8", pos },
          { action: "allow", what: "play", from: "all", pos },
        ],
      }),
    ],
    server: { maxConnections: 3 },
  });
  const c = await RawRtmpClient.open(srv.port);
  t.after(() => c.close());
  await c.handshake();
  c.command(0, "connect", 1, { app: "nope", tcUrl: "rtmp://127.0.0.1/nope" });
  const rej = await c.waitFor((m) => m.type === 20 && m.payload.includes("NetConnection.Connect.Rejected"));
  assert.ok(rej);
  await waitFor(() => c.closed, 3000, "rejected connection closed");

  const d = await RawRtmpClient.open(srv.port);
  t.after(() => d.close());
  await d.handshake();
  d.command(0, "connect", 1, { app: "closed", tcUrl: "rtmp://127.0.0.1/closed" });
  d.command(0, "createStream", 2, null);
  d.command(1, "publish", 3, null, "s", "live");
  await waitFor(() => d.closed, 3000, "denied publisher closed");
  assert.ok(srv.log.lines.some((l) => l.includes("access denied to publish closed/s")));
  const e = await RawRtmpClient.open(srv.port);
  t.after(() => e.close());
  await e.start("closed", "s", "play");

  // max_connections 3: e is open; two more fit, the next is refused.
  const more = await Promise.all([RawRtmpClient.open(srv.port), RawRtmpClient.open(srv.port)]);
  for (const m of more) t.after(() => m.close());
  await waitFor(() => srv.server.counters.open === 3, 2000, "3 open");
  const over = await RawRtmpClient.open(srv.port);
  t.after(() => over.close());
  await waitFor(() => over.closed, 3000, "connection over max_connections closed");
  assert.equal(srv.server.counters.refused, 1);
});
