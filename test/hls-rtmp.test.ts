/**
 * ffmpeg publishes over RTMP to RtmpServer wired to HlsService (as the
 * composition root wires them): the first playlist is on disk within
 * hls_fragment + 1 s of the first keyframe; segments are ffprobe-clean;
 * ENDLIST at stop; a republish continues the media sequence with a
 * DISCONTINUITY. Audio-only and video-only publishers too.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { RtmpApplicationConfig } from "../src/config/types.js";
import type { MediaSink } from "../src/engine/media-sink.js";
import { parseMediaPlaylist } from "../src/protocol/hls/media-playlist.js";
import { HlsService } from "../src/server/hls/hls-service.js";
import { memoryLogger } from "../src/util/logger.js";
import { tempDir, waitFor } from "./helpers/env.js";
import { ffmpegPublish } from "./helpers/ffmpeg.js";
import { makeMedia } from "./helpers/media.js";
import { rtmpApp, startRtmpServer } from "./helpers/rtmp-client.js";

/** Wires HlsService into the server and notes when each stream's first video keyframe (or first audio frame) arrived. */
function wire(hls: HlsService, firstFrameAt: Map<string, number>) {
  return (app: RtmpApplicationConfig, name: string): MediaSink[] => {
    const s = hls.sinkFor(app, name);
    if (!s) return [];
    return [
      {
        start: (x) => s.start(x),
        message: (kind, ts, body) => {
          const first =
            (kind === "video" && body[0]! >> 4 === 1 && body[1] === 1) || (kind === "audio" && body[1] === 1);
          if (first && !firstFrameAt.has(name)) firstFrameAt.set(name, performance.now());
          s.message(kind, ts, body);
        },
        stop: () => s.stop(),
      },
    ];
  };
}

function probeErrors(path: string): string {
  const r = spawnSync("ffprobe", ["-v", "error", "-show_format", path], { encoding: "utf8" });
  return r.status === 0 ? r.stderr : `exit ${r.status}: ${r.stderr}`;
}

function hlsAppFor(dir: string, over: Partial<RtmpApplicationConfig> = {}): RtmpApplicationConfig {
  return rtmpApp("live", {
    hls: true,
    hlsPath: dir,
    hlsFragment: 2000,
    hlsPlaylistLength: 20000,
    hlsMaxFragment: 20000,
    hlsContinuous: true,
    ...over,
  });
}

test("ffmpeg → RTMP → HLS: first playlist within hls_fragment + 1 s, clean segments, ENDLIST, republish continues", async (t) => {
  const dir = tempDir(t, "onair-hls-rtmp-");
  const hls = new HlsService({ log: memoryLogger() });
  const firstAt = new Map<string, number>();
  const srv = await startRtmpServer(t, { apps: [hlsAppFor(dir)], sinks: wire(hls, firstAt) });
  const media = makeMedia({ seconds: 8, gop: 1 });
  const playlist = join(dir, "cam.m3u8");
  const ff = ffmpegPublish(t, media, srv.url("live/cam"));
  await waitFor(() => firstAt.has("cam"), 10_000, "first keyframe");
  await waitFor(() => existsSync(playlist), 5_000, "first playlist on disk", 10);
  const delay = performance.now() - firstAt.get("cam")!;
  console.log(`first playlist on disk ${delay.toFixed(0)} ms after the first keyframe (hls_fragment 2 s)`);
  assert.ok(delay <= 2000 + 1000, `first playlist after ${delay} ms`);
  assert.equal(await ff.exited, 0, ff.stderr());
  await waitFor(() => parseMediaPlaylist(readFileSync(playlist, "utf8"))?.endList, 5_000, "ENDLIST");
  await hls.idle();
  const first = parseMediaPlaylist(readFileSync(playlist, "utf8"))!;
  const total = first.segments.reduce((a, s) => a + s.duration, 0);
  assert.ok(Math.abs(total - 8) < 0.2, `${total} s packaged of 8 s`);
  for (const s of first.segments) assert.equal(probeErrors(join(dir, s.uri)), "", s.uri);
  // the same publisher comes back
  const ff2 = ffmpegPublish(t, media, srv.url("live/cam"));
  assert.equal(await ff2.exited, 0, ff2.stderr());
  await waitFor(() => parseMediaPlaylist(readFileSync(playlist, "utf8"))?.endList, 5_000, "second ENDLIST");
  await hls.idle();
  const second = parseMediaPlaylist(readFileSync(playlist, "utf8"))!;
  const seam = second.segments.findIndex((s) => s.discontinuity);
  assert.ok(seam > 0, "DISCONTINUITY at the seam");
  assert.equal(second.mediaSequence + seam, first.mediaSequence + first.segments.length);
  assert.equal(second.targetDuration, first.targetDuration);
  for (const s of second.segments) assert.equal(probeErrors(join(dir, s.uri)), "", s.uri);
  const dec = spawnSync("ffmpeg", ["-v", "error", "-i", playlist, "-f", "null", "-"], { encoding: "utf8" });
  assert.equal(dec.status, 0, dec.stderr);
});

test("ffmpeg → RTMP → HLS: audio-only and video-only publishers, at the same time", async (t) => {
  const dir = tempDir(t, "onair-hls-rtmp-");
  const hls = new HlsService({ log: memoryLogger() });
  const firstAt = new Map<string, number>();
  const srv = await startRtmpServer(t, {
    apps: [hlsAppFor(dir, { hlsNested: true })],
    sinks: wire(hls, firstAt),
  });
  const a = ffmpegPublish(t, makeMedia({ seconds: 6, video: false }), srv.url("live/radio"));
  const v = ffmpegPublish(t, makeMedia({ seconds: 6, gop: 2, audio: false }), srv.url("live/mute"));
  assert.equal(await a.exited, 0, a.stderr());
  assert.equal(await v.exited, 0, v.stderr());
  for (const name of ["radio", "mute"]) {
    const pl = join(dir, name, "index.m3u8");
    await waitFor(
      () => existsSync(pl) && parseMediaPlaylist(readFileSync(pl, "utf8"))?.endList,
      5_000,
      `${name} ENDLIST`,
    );
    await hls.idle();
    const p = parseMediaPlaylist(readFileSync(pl, "utf8"))!;
    assert.ok(p.segments.length >= 2, name);
    for (const s of p.segments) assert.equal(probeErrors(join(dir, name, s.uri)), "", `${name}/${s.uri}`);
    const streams = spawnSync(
      "ffprobe",
      [
        "-v",
        "error",
        "-show_entries",
        "stream=codec_type",
        "-of",
        "csv=p=0",
        join(dir, name, p.segments[0]!.uri),
      ],
      {
        encoding: "utf8",
      },
    ).stdout;
    const types = [...new Set(streams.split("\n").filter((l) => l.trim() !== ""))];
    assert.deepEqual(types, [name === "radio" ? "audio" : "video"], "the PMT lists only what exists");
  }
  assert.deepEqual(
    hls
      .streams()
      .map((s) => s.relativePlaylist)
      .sort(),
    ["mute/index.m3u8", "radio/index.m3u8"],
  );
});
