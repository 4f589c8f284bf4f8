/**
 * HLS through the whole onair process (issue 4, "Done when"): the guide's
 * nginx.conf (ports, paths and HLS durations adapted) run by `onair -p -c`,
 * ffmpeg publishing over RTMP, a poller fetching the playlist every 200 ms
 * and every listed segment over HTTP through the whole test.
 * - first playlist served within hls_fragment + 1 s of ffmpeg starting to send;
 * - zero 404s, the guide's headers on every response, TARGETDURATION fixed,
 *   every segment ffprobe-clean, EXTINF within one frame of the segment's
 *   real duration and PTS running on from segment to segment;
 * - publisher stops -> EXT-X-ENDLIST; publishes again -> the media sequence
 *   goes on with a DISCONTINUITY at the seam; onair restarted mid-stream
 *   (SIGTERM, start, the publisher reconnects) -> the same.
 * Audio-only and video-only publishers (2 s GOP, hls_fragment 2s) too.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { parseMediaPlaylist } from "../src/protocol/hls/media-playlist.js";
import { tempDir, waitFor } from "./helpers/env.js";
import { ffmpegPublish } from "./helpers/ffmpeg.js";
import { HlsPoller, type PolledSegment } from "./helpers/hls-poller.js";
import { makeMedia } from "./helpers/media.js";
import { type OnairProcess, startOnair } from "./helpers/onair-process.js";

const FRAME_S = 1 / 25;
const AAC_FRAME_S = 1024 / 44100;
const WINDOW_S = 6;
/** makeMedia's x264 -bf 2. */
const REORDER_FRAMES = 2;

/** ms from `since` until GET `path` answers 200 (polled every 20 ms). */
async function timeToPlaylist(onair: OnairProcess, path: string, since: number): Promise<number> {
  await waitFor(
    async () => {
      const res = await fetch(onair.httpBase + path, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      return res.status === 200;
    },
    15_000,
    `${path} to be served`,
    20,
  );
  return Math.round(performance.now() - since);
}

interface Probe {
  start: number;
  duration: number;
  /** End of the last video frame (or audio frame for audio-only), seconds. */
  end: number;
}

/** ffprobe must read the segment with no error; returns its first and last timestamps (null: no packets of `kind`). */
function probe(seg: PolledSegment, kind: "video" | "audio"): Probe | null {
  const r = spawnSync(
    "ffprobe",
    [
      "-v",
      "error",
      "-select_streams",
      kind === "video" ? "v:0" : "a:0",
      "-show_entries",
      "packet=pts_time,duration_time",
      "-of",
      "csv=p=0",
      seg.file,
    ],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, `ffprobe ${seg.uri}: exit ${r.status} ${r.stderr}`);
  assert.equal(r.stderr.trim(), "", `ffprobe ${seg.uri} reported errors`);
  const pkts = r.stdout
    .trim()
    .split("\n")
    .filter((l) => /^\d/.test(l)) // csv also prints an empty line per packet's side data
    .map((l) => l.split(",").map(Number) as [number, number]);
  if (pkts.length === 0) return null;
  const start = Math.min(...pkts.map((p) => p[0]));
  const end = Math.max(...pkts.map((p) => p[0] + (p[1] || 0)));
  return { start, end, duration: end - start };
}

/**
 * Every fetched segment is ffprobe-clean; within one publish (no discontinuity
 * between two consecutive sequence numbers) the next segment starts where this
 * one ended (within a frame). With `extinf`, EXTINF is the segment's real
 * duration (next segment's start - this one's; for the last of a publish, its
 * own span) within a frame. (Audio beside video is cut at the video's
 * keyframes, not at audio frame edges: its gaps are checked, not EXTINF.)
 */
function checkSegments(
  t: TestContext,
  segs: PolledSegment[],
  o: { kind: "video" | "audio"; frame: number; extinf: boolean },
): void {
  const sorted = [...segs].sort((a, b) => a.seq - b.seq);
  const probes = sorted.map((s) => probe(s, o.kind));
  let worstExtinf = 0;
  let worstGap = 0;
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i]!;
    const next = sorted[i + 1];
    const joined = next && next.seq === s.seq + 1 && !next.discontinuity;
    const here = probes[i];
    if (!here) {
      // The segment closed when onair stops (SIGTERM) can end before the audio that was still
      // in flight arrived: only the last segment of a publish, and only audio beside video,
      // may lack its stream; every other segment must carry it.
      assert.ok(!joined && o.kind === "audio" && !o.extinf, `${s.uri} has ${o.kind} packets`);
      continue;
    }
    const after = joined ? probes[i + 1] : null;
    const real = after ? after.start - here.start : here.duration;
    if (o.extinf) {
      // the last segment of a publish cut short (publisher gone, onair stopped) may end on
      // frames whose B-frames never came: its PTS span can exceed its DTS span by the reorder depth
      const tolerance = joined ? o.frame : o.frame * (1 + REORDER_FRAMES);
      if (joined) worstExtinf = Math.max(worstExtinf, Math.abs(s.duration - real));
      assert.ok(
        Math.abs(s.duration - real) <= tolerance + 0.001,
        `${s.uri}: EXTINF ${s.duration} vs real ${real.toFixed(3)}`,
      );
    }
    if (!after) continue;
    const gap = after.start - here.start - here.duration;
    worstGap = Math.max(worstGap, Math.abs(gap));
    assert.ok(Math.abs(gap) <= o.frame + 0.001, `${s.uri} -> ${next.uri}: PTS gap ${gap.toFixed(3)} s`);
  }
  t.diagnostic(
    `${o.kind}: ${sorted.length} segments ffprobe-clean; worst PTS gap ${(worstGap * 1000).toFixed(1)} ms` +
      (o.extinf ? `, worst EXTINF error ${(worstExtinf * 1000).toFixed(1)} ms` : ""),
  );
}

/** Playlist-level invariants over every playlist the poller saw. */
function checkPlaylists(t: TestContext, poller: HlsPoller, fragmentS: number): void {
  const parsed = poller.playlists.map(parseOrFail);
  const targets = new Set(parsed.map((p) => p.targetDuration));
  assert.equal(targets.size, 1, `TARGETDURATION never changes: ${[...targets]}`);
  t.diagnostic(
    `TARGETDURATION ${[...targets]} in all ${parsed.length} playlists (hls_fragment ${fragmentS}s)`,
  );
  let seq = -1;
  let disc = -1;
  let widest = 0;
  for (const p of parsed) {
    assert.ok(p.mediaSequence >= seq, `media sequence went back: ${p.mediaSequence} < ${seq}`);
    assert.ok(p.discontinuitySequence >= disc, "discontinuity sequence went back");
    seq = p.mediaSequence;
    disc = p.discontinuitySequence;
    for (const s of p.segments)
      assert.ok(Math.round(s.duration) <= p.targetDuration, `EXTINF ${s.duration} > TARGETDURATION`);
    const window = p.segments.reduce((a, s) => a + s.duration, 0);
    assert.ok(window <= WINDOW_S + 0.001, `window ${window} s > hls_playlist_length ${WINDOW_S}s`);
    widest = Math.max(widest, window);
  }
  t.diagnostic(`widest window ${widest.toFixed(3)} s (hls_playlist_length ${WINDOW_S}s)`);
  assert.ok(widest >= WINDOW_S - fragmentS * 1.5, `window never filled: ${widest} s`);
  const s = poller.stats;
  t.diagnostic(
    `poller: ${s.playlistRequests} playlist + ${s.segmentRequests} segment requests, ${s.notFound.length} 404s, ${s.connectionErrors} refused (restart), ${poller.playlists.length} distinct playlists`,
  );
  assert.deepEqual(s.notFound, [], "no 404 for a listed segment or a live playlist");
  assert.deepEqual(s.badHeaders, [], "the guide's headers on every response");
  assert.deepEqual(s.otherStatus, [], "only 200 and 404 statuses");
}

function parseOrFail(text: string) {
  const p = parseMediaPlaylist(text);
  assert.ok(p, `unparsable playlist: ${text}`);
  return p;
}

/** Waits until the poller saw a playlist for which `check` holds. */
function seen(
  poller: HlsPoller,
  what: string,
  check: (p: NonNullable<HlsPoller["last"]>) => boolean,
  ms = 15_000,
) {
  return waitFor(
    () => {
      const p = poller.last;
      return p && check(p) ? p : null;
    },
    ms,
    what,
    50,
  );
}

const lastSeq = (p: NonNullable<HlsPoller["last"]>) => p.mediaSequence + p.segments.length - 1;

test("video+audio (B-frames, 1 s GOP): publish, stop, republish, restart onair; no 404, ENDLIST, continuity", async (t) => {
  const a = makeMedia({ seconds: 7, gop: 1 });
  const long = makeMedia({ seconds: 30, gop: 1 });
  const onair = await startOnair(t, { fragment: "1s", playlistLength: "6s" });
  const poller = new HlsPoller({
    base: onair.httpBase,
    playlistPath: "/hls/test.m3u8",
    saveDir: tempDir(t, "onair-e2e-segs-"),
  });
  t.after(() => poller.stop());
  poller.start();

  // 1. first publish: first playlist within hls_fragment + 1 s
  const sent = performance.now();
  const pubA = ffmpegPublish(t, a, onair.rtmpUrl("test"));
  const first = await timeToPlaylist(onair, "/hls/test.m3u8", sent);
  t.diagnostic(`first playlist served ${first} ms after ffmpeg started (bound: hls_fragment 1s + 1 s)`);
  assert.ok(first <= 2000, `first playlist after ${first} ms`);
  assert.equal(await pubA.exited, 0, `publisher A: ${pubA.stderr()}`);
  const endA = await seen(poller, "ENDLIST after publisher A stopped", (p) => p.endList);
  const lastA = lastSeq(endA);

  // 2. republish under the same name: the sequence goes on, DISCONTINUITY at the seam
  const pubB = ffmpegPublish(t, long, onair.rtmpUrl("test"));
  const b = await seen(poller, "republished segments", (p) => !p.endList && lastSeq(p) > lastA);
  const seamB = b.segments[lastA + 1 - b.mediaSequence];
  assert.ok(seamB?.discontinuity, `DISCONTINUITY before segment ${lastA + 1}: ${poller.playlists.at(-1)}`);
  t.diagnostic(
    `publish A ended at segment ${lastA}; republish went on with ${lastA + 1} after a DISCONTINUITY`,
  );
  await seen(poller, "4 segments of publisher B", (p) => lastSeq(p) >= lastA + 4);

  // 3. restart onair mid-stream (SIGTERM), the publisher reconnects
  await onair.stop("SIGTERM");
  pubB.kill();
  await pubB.exited;
  // what the stopped onair left on disk (its stop may have closed one more segment)
  const leftB = parseOrFail(readFileSync(join(onair.setup.hlsDir, "test.m3u8"), "utf8"));
  const lastB = lastSeq(leftB);
  t.diagnostic(`onair stopped (SIGTERM): playlist on disk ends at ${lastB}, ENDLIST ${leftB.endList}`);
  await onair.start();
  const pubC = ffmpegPublish(t, a, onair.rtmpUrl("test"));
  const c = await seen(poller, "segments after the restart", (p) => lastSeq(p) > lastB);
  const seamIndex = Math.max(0, lastB + 1 - c.mediaSequence);
  const firstC = c.mediaSequence + seamIndex;
  assert.ok(firstC > lastB, "media sequence continues after the restart");
  assert.ok(
    c.segments[seamIndex]?.discontinuity,
    `DISCONTINUITY at the restart seam: ${poller.playlists.at(-1)}`,
  );
  t.diagnostic(`before the restart the last segment was ${lastB}; after it ${firstC}, after a DISCONTINUITY`);
  assert.equal(await pubC.exited, 0, `publisher C: ${pubC.stderr()}`);
  await seen(poller, "ENDLIST after publisher C stopped", (p) => p.endList);
  await poller.stop();

  checkPlaylists(t, poller, 1);
  const segs = [...poller.segments.values()];
  checkSegments(t, segs, { kind: "video", frame: FRAME_S, extinf: true });
  checkSegments(t, segs, { kind: "audio", frame: AAC_FRAME_S, extinf: false });
});

test("audio-only and video-only publishers (2 s GOP, hls_fragment 2s) side by side", async (t) => {
  const onair = await startOnair(t, { fragment: "2s", playlistLength: "6s" });
  const cases = [
    {
      name: "radio",
      kind: "audio" as const,
      media: makeMedia({ seconds: 9, video: false }),
      frame: 1024 / 44100,
    },
    {
      name: "cam",
      kind: "video" as const,
      media: makeMedia({ seconds: 9, gop: 2, audio: false }),
      frame: FRAME_S,
    },
  ];
  const runs = cases.map((c) => {
    const poller = new HlsPoller({
      base: onair.httpBase,
      playlistPath: `/hls/${c.name}.m3u8`,
      saveDir: tempDir(t, "onair-e2e-segs-"),
    });
    t.after(() => poller.stop());
    poller.start();
    const sent = performance.now();
    const pub = ffmpegPublish(t, c.media, onair.rtmpUrl(c.name));
    return { ...c, poller, pub, first: timeToPlaylist(onair, `/hls/${c.name}.m3u8`, sent) };
  });
  for (const r of runs) {
    const ms = await r.first;
    t.diagnostic(`${r.kind}-only: first playlist served ${ms} ms after ffmpeg started (bound 3000 ms)`);
    assert.ok(ms <= 3000, `${r.kind}-only first playlist after ${ms} ms`);
  }
  for (const r of runs) {
    assert.equal(await r.pub.exited, 0, `${r.name}: ${r.pub.stderr()}`);
    await seen(r.poller, `ENDLIST for ${r.name}`, (p) => p.endList);
    await r.poller.stop();
    checkPlaylists(t, r.poller, 2);
    checkSegments(t, [...r.poller.segments.values()], { kind: r.kind, frame: r.frame, extinf: true });
    const other = r.kind === "audio" ? "v:0" : "a:0";
    for (const s of r.poller.segments.values()) {
      const x = spawnSync(
        "ffprobe",
        ["-v", "error", "-select_streams", other, "-show_entries", "stream=index", "-of", "csv=p=0", s.file],
        { encoding: "utf8" },
      );
      assert.equal(x.stdout.trim(), "", `${s.uri} (${r.kind}-only) lists no other elementary stream`);
    }
  }
});
