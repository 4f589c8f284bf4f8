/**
 * Recording behind the real RTMP server: ffmpeg publishes, rtmpdump plays,
 * the RecordService records with record_interval and a strftime suffix; the
 * player gets the stream while the files are cut, and every file decodes
 * alone with all the published frames between them.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import type { RtmpApplicationConfig } from "../src/config/types.js";
import type { MediaSink } from "../src/engine/media-sink.js";
import { HlsService } from "../src/server/hls/hls-service.js";
import { RecordService } from "../src/server/record/record-service.js";
import { memoryLogger } from "../src/util/logger.js";
import { startProcess, tempDir, waitFor } from "./helpers/env.js";
import { ffmpegPublish } from "./helpers/ffmpeg.js";
import { probePackets } from "./helpers/flv-probe.js";
import { makeMedia } from "./helpers/media.js";
import { rtmpApp, startRtmpServer } from "./helpers/rtmp-client.js";

test("ffmpeg publishes, rtmpdump plays, the recorder cuts files that all decode", async (t: TestContext) => {
  const dir = tempDir(t, "onair-rec-rtmp-");
  const recDir = join(dir, "rec");
  const media = makeMedia({ seconds: 8, gop: 1 });
  const source = probePackets(media);
  const log = memoryLogger("info");
  const rec = new RecordService({ log });
  const live = rtmpApp("live", {
    record: ["all"],
    recordPath: recDir,
    recordInterval: 2000,
    recordSuffix: "-%H%M%S.flv",
  });
  const sinks = (app: RtmpApplicationConfig, name: string): MediaSink[] => {
    const s = rec.sinkFor(app, name);
    return s ? [s] : [];
  };
  const srv = await startRtmpServer(t, { apps: [live], sinks });
  t.after(() => rec.quit());
  const pub = ffmpegPublish(t, media, srv.url("live/cam1"));
  await waitFor(() => srv.server.stats().some((s) => s.publishing && s.bytesIn > 0), 10_000, "publisher");
  const played = join(dir, "played.flv");
  const player = startProcess(t, "rtmpdump", ["-q", "-r", srv.url("live/cam1"), "-o", played]);
  assert.equal(await pub.exited, 0, "ffmpeg published the whole file");
  await player.exited;
  await waitFor(() => rec.openFiles === 0, 10_000, "recordings closed");

  assert.ok(probePackets(played).filter((p) => p.type === "video").length > 100, "the player got the stream");
  const files = readdirSync(recDir)
    .filter((f) => f.endsWith(".flv"))
    .sort()
    .map((f) => join(recDir, f));
  assert.ok(files.length >= 3, `several files: ${files.join(", ")}`);
  let video = 0;
  for (const f of files) {
    assert.match(f, /\/cam1-\d{6}\.flv$/);
    const d = spawnSync("ffmpeg", ["-v", "error", "-i", f, "-f", "null", "-"], { encoding: "utf8" });
    assert.equal(d.status, 0, d.stderr);
    assert.equal(d.stderr.trim(), "", `${f} decodes clean`);
    const v = probePackets(f).filter((p) => p.type === "video");
    assert.ok(v[0]!.key, `${f} starts with a keyframe`);
    video += v.length;
  }
  assert.equal(video, source.filter((p) => p.type === "video").length, "every published frame, once");
  assert.equal(log.lines.filter((l) => l.startsWith("[error]")).length, 0, log.lines.join("\n"));
});

test("a full disk stops the recording while the player and HLS go on", async (t: TestContext) => {
  // own temp folder: the tmpfs must be unmounted before the folder is removed
  const dir = mkdtempSync(join(tmpdir(), "onair-rec-rtmp-"));
  const disk = join(dir, "disk");
  mkdirSync(disk);
  const m = spawnSync("mount", ["-t", "tmpfs", "-o", "size=300k", "tmpfs", disk]);
  // after-hooks run in registration order: the writers stop here, before the folder goes
  let stopWriters = async () => {};
  t.after(async () => {
    await stopWriters();
    if (m.status === 0) spawnSync("umount", ["-l", disk]);
    rmSync(dir, { recursive: true, force: true });
  });
  if (m.status !== 0) {
    t.skip("cannot mount a tmpfs here (not root?)");
    return;
  }
  const hlsDir = join(dir, "hls");
  const media = makeMedia({ seconds: 8, gop: 1 });
  const log = memoryLogger("info");
  const rec = new RecordService({ log });
  const hls = new HlsService({ log });
  const live = rtmpApp("live", {
    record: ["all"],
    recordPath: disk,
    hls: true,
    hlsPath: hlsDir,
    hlsFragment: 1000,
  });
  const sinks = (app: RtmpApplicationConfig, name: string): MediaSink[] =>
    [rec.sinkFor(app, name), hls.sinkFor(app, name)].filter((s): s is MediaSink => s !== null);
  stopWriters = async () => {
    await rec.quit();
    await hls.quit();
  };
  const srv = await startRtmpServer(t, { apps: [live], sinks });
  const pub = ffmpegPublish(t, media, srv.url("live/cam1"));
  await waitFor(() => srv.server.stats().some((s) => s.publishing && s.bytesIn > 0), 10_000, "publisher");
  const played = join(dir, "played.flv");
  const player = startProcess(t, "rtmpdump", ["-q", "-r", srv.url("live/cam1"), "-o", played]);
  // the recording fails early (300 KiB at ~1.2 Mbit/s), the stream goes on
  await waitFor(() => log.lines.some((l) => l.includes("stopped recording")), 10_000, "recording stopped");
  const segmentsAtFailure = readdirSync(hlsDir).filter((f) => f.endsWith(".ts")).length;
  assert.equal(await pub.exited, 0, "the publisher was never disturbed");
  await player.exited;
  await waitFor(() => rec.openFiles === 0, 10_000, "recording closed");

  const errors = log.lines.filter((l) => l.startsWith("[error]"));
  assert.equal(errors.length, 1, errors.join("\n"));
  assert.match(errors[0]!, /'live\/cam1' stopped recording: write .*cam1\.flv failed: .*ENOSPC/);
  const src = probePackets(media).filter((p) => p.type === "video").length;
  const got = probePackets(played).filter((p) => p.type === "video").length;
  assert.ok(got >= src - 30, `the player got the stream to the end (${got}/${src} frames)`);
  const segments = readdirSync(hlsDir).filter((f) => f.endsWith(".ts")).length;
  assert.ok(
    segments > segmentsAtFailure + 2,
    `HLS went on after the failure (${segmentsAtFailure} -> ${segments})`,
  );
  const d = spawnSync("ffmpeg", ["-v", "error", "-i", join(disk, "cam1.flv"), "-f", "null", "-"], {
    encoding: "utf8",
  });
  assert.equal(d.stderr.trim(), "", "what was recorded stays playable");
});
