/**
 * End to end, without the RTMP server: FLV files made by ffmpeg are read with
 * our FLV reader, fed to HlsService's sink, and the HLS on disk is checked
 * with the real ffprobe/ffmpeg.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { RtmpApplicationConfig } from "../src/config/types.js";
import { FakeClock } from "../src/engine/clock.js";
import type { MediaSink } from "../src/engine/media-sink.js";
import { FLV_TAG_AUDIO, FLV_TAG_VIDEO, readFlvTags } from "../src/protocol/flv/flv-file.js";
import { type MediaPlaylist, parseMediaPlaylist } from "../src/protocol/hls/media-playlist.js";
import { HlsService } from "../src/server/hls/hls-service.js";
import { memoryLogger } from "../src/util/logger.js";
import { tempDir } from "./helpers/env.js";
import { type MediaSpec, makeMedia } from "./helpers/media.js";
import { rtmpApp } from "./helpers/rtmp-config.js";

function hlsApp(hlsPath: string, over: Partial<RtmpApplicationConfig> = {}): RtmpApplicationConfig {
  return rtmpApp("live", {
    hls: true,
    hlsPath,
    hlsFragment: 3000,
    hlsPlaylistLength: 20000,
    hlsMaxFragment: 30000,
    pos: { file: "test", line: 1 },
    ...over,
  });
}

/** Feeds a whole FLV file; after each message, snapshots the playlist when it changed. */
function feed(
  sink: MediaSink,
  file: string,
  svc: HlsService,
  playlistPath: string,
  seen: MediaPlaylist[],
  upToMs = Infinity,
  offsetMs = 0,
): void {
  let etag = "";
  for (const tag of readFlvTags(readFileSync(file))) {
    if (tag.timestamp > upToMs) break;
    if (tag.type === FLV_TAG_AUDIO) sink.message("audio", tag.timestamp + offsetMs, tag.body);
    else if (tag.type === FLV_TAG_VIDEO) sink.message("video", tag.timestamp + offsetMs, tag.body);
    const e = svc.overlay.get(playlistPath);
    if (e && e.etag !== etag) {
      etag = e.etag;
      seen.push(parseMediaPlaylist(e.data.toString())!);
    }
  }
}

interface Span {
  start: number;
  end: number;
  frame: number;
}

/** ffprobe one segment: stderr must be empty; per stream type, first PTS and end (last PTS + duration). */
function probe(path: string): { errors: string; video?: Span; audio?: Span } {
  const r = spawnSync(
    "ffprobe",
    ["-v", "error", "-show_entries", "packet=codec_type,pts_time,duration_time", "-of", "csv=p=0", path],
    { encoding: "utf8" },
  );
  const out: { errors: string; video?: Span; audio?: Span } = {
    errors: r.stderr + (r.status ? `exit ${r.status}` : ""),
  };
  for (const line of r.stdout.trim().split("\n")) {
    const [type, pts, dur] = line.split(",");
    if (type !== "video" && type !== "audio") continue;
    const p = Number(pts);
    const d = Number(dur);
    const s = out[type] ?? { start: Infinity, end: -Infinity, frame: d };
    s.start = Math.min(s.start, p);
    s.end = Math.max(s.end, p + d);
    out[type] = s;
  }
  return out;
}

function checkPlaylistHistory(seen: MediaPlaylist[], lengthS: number): void {
  assert.ok(seen.length > 3, "playlist updated as segments close");
  const targets = new Set(seen.map((p) => p.targetDuration));
  assert.equal(targets.size, 1, `TARGETDURATION changed: ${[...targets]}`);
  const target = seen[0]!.targetDuration;
  for (const p of seen) {
    const total = p.segments.reduce((a, s) => a + s.duration, 0);
    assert.ok(total <= lengthS + 1e-9, `window ${total} s > ${lengthS} s`);
    for (const s of p.segments)
      assert.ok(Math.round(s.duration) <= target, `EXTINF ${s.duration} > ${target}`);
  }
  // once the oldest segment has been dropped, the window is full
  const full = seen.filter((p) => p.mediaSequence > seen[0]!.mediaSequence);
  for (const p of full) {
    const total = p.segments.reduce((a, s) => a + s.duration, 0);
    assert.ok(total > lengthS - target, `window ${total} s too short for ${lengthS} s`);
  }
}

function checkSegments(dir: string, p: MediaPlaylist, hasVideo: boolean): void {
  let prevEnd = Number.NaN;
  for (const s of p.segments) {
    const r = probe(join(dir, s.uri));
    assert.equal(r.errors, "", `ffprobe ${s.uri}: ${r.errors}`);
    const span = hasVideo ? r.video! : r.audio!;
    assert.ok(span, `${s.uri} has its main stream`);
    assert.ok(
      Math.abs(span.end - span.start - s.duration) <= span.frame + 1e-3,
      `${s.uri}: EXTINF ${s.duration} vs real ${span.end - span.start}`,
    );
    if (!Number.isNaN(prevEnd) && !s.discontinuity) {
      assert.ok(
        Math.abs(span.start - prevEnd) <= span.frame + 1e-3,
        `${s.uri}: PTS gap ${span.start - prevEnd}`,
      );
    }
    prevEnd = span.end;
  }
}

const VARIANTS: { name: string; spec: MediaSpec }[] = [
  { name: "video+audio, B-frames, 2 s GOP", spec: { seconds: 40, gop: 2 } },
  { name: "video+audio, 1 s GOP", spec: { seconds: 40, gop: 1 } },
  { name: "audio only", spec: { seconds: 40, video: false } },
  { name: "video only, 2 s GOP", spec: { seconds: 40, gop: 2, audio: false } },
];

for (const v of VARIANTS) {
  test(`HLS from ffmpeg FLV (${v.name}): ffprobe-clean segments, EXTINF = real duration, PTS continuous, window in seconds, ENDLIST`, async (t) => {
    const dir = tempDir(t, "onair-hls-");
    const svc = new HlsService({ log: memoryLogger(), clock: new FakeClock() });
    const app = hlsApp(dir);
    const sink = svc.sinkFor(app, "test")!;
    const playlist = join(dir, "test.m3u8");
    const seen: MediaPlaylist[] = [];
    sink.start({ app: "live", name: "test" });
    feed(sink, makeMedia(v.spec), svc, playlist, seen);
    sink.stop();
    await svc.idle();
    const final = parseMediaPlaylist(readFileSync(playlist, "utf8"))!;
    assert.equal(final.endList, true);
    checkPlaylistHistory([...seen, final], 20);
    checkSegments(dir, final, v.spec.video !== false);
    const dec = spawnSync("ffmpeg", ["-v", "error", "-i", playlist, "-f", "null", "-"], { encoding: "utf8" });
    assert.equal(dec.status, 0);
    assert.equal(dec.stderr, "", "ffmpeg decodes the playlist without errors");
  });
}

test("republish under the same name: media sequence larger, DISCONTINUITY at the seam, all ffprobe-clean", async (t) => {
  const dir = tempDir(t, "onair-hls-");
  const svc = new HlsService({ log: memoryLogger(), clock: new FakeClock() });
  const app = hlsApp(dir, { hlsPlaylistLength: 30000 });
  const file = makeMedia({ seconds: 20, gop: 2 });
  const playlist = join(dir, "test.m3u8");
  const seen: MediaPlaylist[] = [];
  const s1 = svc.sinkFor(app, "test")!;
  s1.start({ app: "live", name: "test" });
  feed(s1, file, svc, playlist, seen);
  s1.stop();
  await svc.idle();
  const before = parseMediaPlaylist(readFileSync(playlist, "utf8"))!;
  const lastBefore = before.mediaSequence + before.segments.length - 1;
  const s2 = svc.sinkFor(app, "test")!;
  s2.start({ app: "live", name: "test" });
  feed(s2, file, svc, playlist, seen, 12000);
  await svc.idle();
  const after = parseMediaPlaylist(readFileSync(playlist, "utf8"))!;
  assert.equal(after.endList, false);
  const seam = after.segments.findIndex((s) => s.discontinuity);
  assert.ok(seam > 0, "DISCONTINUITY inside the window");
  assert.equal(after.mediaSequence + seam, lastBefore + 1, "media sequence goes on");
  checkSegments(dir, after, true);
  checkPlaylistHistory(seen, 30);
});

test("restart of onair mid-stream: a new HlsService continues sequence and discontinuity from disk", async (t) => {
  const dir = tempDir(t, "onair-hls-");
  const app = hlsApp(dir);
  const file = makeMedia({ seconds: 20, gop: 2 });
  const playlist = join(dir, "test.m3u8");
  // first run "crashes" mid-stream: no stop, no ENDLIST
  const first = new HlsService({ log: memoryLogger(), clock: new FakeClock() });
  const s1 = first.sinkFor(app, "test")!;
  s1.start({ app: "live", name: "test" });
  feed(s1, file, first, playlist, [], 14000);
  await first.idle();
  const crashed = parseMediaPlaylist(readFileSync(playlist, "utf8"))!;
  assert.equal(crashed.endList, false);
  const lastSeq = crashed.mediaSequence + crashed.segments.length - 1;
  // second run: the publisher comes back (its clock restarts at 0)
  const log = memoryLogger();
  const second = new HlsService({ log, clock: new FakeClock() });
  const s2 = second.sinkFor(app, "test")!;
  s2.start({ app: "live", name: "test" });
  feed(s2, file, second, playlist, [], 10000);
  await second.idle();
  const p = parseMediaPlaylist(readFileSync(playlist, "utf8"))!;
  const seam = p.segments.findIndex((s) => s.discontinuity);
  assert.ok(seam > 0);
  assert.equal(p.mediaSequence + seam, lastSeq + 1);
  for (const s of p.segments) assert.ok(existsSync(join(dir, s.uri)), `${s.uri} listed and on disk`);
  assert.ok(log.lines.some((l) => l.includes("continues from")));
  checkSegments(dir, p, true);
});

test("nested layout and write errors: NAME/index.m3u8; an unwritable hls_path is logged, not thrown", async (t) => {
  const dir = tempDir(t, "onair-hls-");
  const svc = new HlsService({ log: memoryLogger(), clock: new FakeClock() });
  const sink = svc.sinkFor(hlsApp(dir, { hlsNested: true }), "cam")!;
  sink.start({ app: "live", name: "cam" });
  feed(sink, makeMedia({ seconds: 10, gop: 1 }), svc, join(dir, "cam/index.m3u8"), []);
  sink.stop();
  await svc.idle();
  const p = parseMediaPlaylist(readFileSync(join(dir, "cam/index.m3u8"), "utf8"))!;
  assert.equal(p.segments[0]!.uri, "0.ts");
  assert.ok(existsSync(join(dir, "cam/0.ts")));

  // a regular file where hls_path's parent should be: every write fails (ENOTDIR)
  const blocker = join(dir, "blocker");
  writeFileSync(blocker, "");
  const log = memoryLogger();
  const bad = new HlsService({ log, clock: new FakeClock() });
  const s2 = bad.sinkFor(hlsApp(join(blocker, "hls")), "x")!;
  s2.start({ app: "live", name: "x" });
  feed(s2, makeMedia({ seconds: 10, gop: 1 }), bad, join(blocker, "hls/x.m3u8"), []);
  s2.stop();
  await bad.idle();
  assert.ok(
    log.lines.some((l) => l.startsWith("[error] hls:")),
    "write failure logged",
  );
  assert.ok(bad.overlay.get(join(blocker, "hls/x.m3u8")), "memory still serves the stream");
  assert.equal(svc.sinkFor(hlsApp(dir), "../etc"), null, "unsafe names refused");
});

test("a stream crossing the 33-bit PTS wrap (26.5 h of stream time) stays clean and continuous", async (t) => {
  const dir = tempDir(t, "onair-hls-");
  const svc = new HlsService({ log: memoryLogger(), clock: new FakeClock() });
  const sink = svc.sinkFor(hlsApp(dir), "wrap")!;
  const playlist = join(dir, "wrap.m3u8");
  const seen: MediaPlaylist[] = [];
  sink.start({ app: "live", name: "wrap" });
  // 2^33 / 90 ms is where the 90 kHz clock wraps; start 9 s before it
  const offset = Math.floor(2 ** 33 / 90) - 9000;
  feed(sink, makeMedia({ seconds: 20, gop: 2 }), svc, playlist, seen, Infinity, offset);
  sink.stop();
  await svc.idle();
  const p = parseMediaPlaylist(readFileSync(playlist, "utf8"))!;
  assert.ok(!p.segments.some((s) => s.discontinuity));
  checkPlaylistHistory([...seen, p], 20);
  for (const s of p.segments) assert.equal(probe(join(dir, s.uri)).errors, "", s.uri);
  const dec = spawnSync("ffmpeg", ["-v", "error", "-i", playlist, "-f", "null", "-"], { encoding: "utf8" });
  assert.equal(dec.status, 0);
  assert.equal(dec.stderr, "");
});
