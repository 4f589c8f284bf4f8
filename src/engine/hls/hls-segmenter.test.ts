import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseMediaPlaylist } from "../../protocol/hls/media-playlist.js";
import { FakeClock } from "../clock.js";
import type { HlsAction, HlsSettings } from "./hls-actions.js";
import {
  AAC_CONFIG,
  AVC_CONFIG,
  AVC_CONFIG_2,
  aacFrame,
  avStream,
  type Msg,
  videoFrame,
} from "./hls-fixtures.test.js";
import { hlsNames } from "./hls-names.js";
import { HlsPlaylistState, type RecoveredPlaylist } from "./hls-playlist-state.js";
import { HlsSegmenter } from "./hls-segmenter.js";

const BASE: HlsSettings = {
  fragmentMs: 3000,
  playlistLengthMs: 20000,
  maxFragmentMs: 30000,
  cleanup: true,
  continuous: true,
  naming: "sequential",
  endlist: true,
};

function harness(
  settings: Partial<HlsSettings> = {},
  recovered: RecoveredPlaylist | null = null,
  nested = false,
) {
  const s = { ...BASE, ...settings };
  const clock = new FakeClock();
  const actions: HlsAction[] = [];
  const times: number[] = [];
  const files = new Set<string>();
  const emit = (a: HlsAction) => {
    actions.push(a);
    times.push(clock.now());
    if (a.type === "segment") files.add(a.path);
    if (a.type === "delete") files.delete(a.path);
  };
  const state = new HlsPlaylistState({
    names: hlsNames("/hls", "cam", nested),
    settings: s,
    clock,
    emit,
    recovered,
  });
  let seg: HlsSegmenter | null = null;
  const h = {
    clock,
    actions,
    times,
    files,
    state,
    start() {
      state.beginPublish();
      seg = new HlsSegmenter({ state, settings: s, emit });
      return seg;
    },
    /** Feeds messages, advancing the fake clock with stream time (paced). */
    feed(msgs: Msg[]) {
      for (const [kind, ts, body] of msgs) {
        const now = clock.now();
        if (ts > now) clock.advance(ts - now);
        if (kind === "video") seg!.video(ts, body);
        else seg!.audio(ts, body);
      }
    },
    stop() {
      seg!.stop();
    },
    playlist() {
      const p = [...actions].reverse().find((a) => a.type === "playlist");
      return p && p.type === "playlist" ? parseMediaPlaylist(p.data.toString()) : null;
    },
    playlists() {
      return actions
        .filter((a) => a.type === "playlist")
        .map((a) => parseMediaPlaylist((a as { data: Buffer }).data.toString())!);
    },
  };
  return h;
}

test("cut points align to multiples of hls_fragment; numbers follow stream time", () => {
  const h = harness();
  h.start();
  h.feed(avStream({ seconds: 20, gopMs: 2000 }));
  h.stop();
  const p = h.playlist()!;
  assert.deepEqual(
    p.segments.map((s) => s.duration),
    [4, 2, 4, 2, 4, 2, 2],
  );
  assert.deepEqual(p.segments.map((s) => s.uri).slice(0, 3), ["cam-0.ts", "cam-1.ts", "cam-2.ts"]);
  assert.equal(p.endList, true);
});

test("a segment is written before the playlist that lists it", () => {
  const h = harness();
  h.start();
  h.feed(avStream({ seconds: 12, gopMs: 1000 }));
  const written = new Set<string>();
  for (const a of h.actions) {
    if (a.type === "segment") written.add(a.path.replace("/hls/", ""));
    if (a.type === "playlist") {
      for (const s of parseMediaPlaylist(a.data.toString())!.segments) assert.ok(written.has(s.uri), s.uri);
    }
  }
});

test("TARGETDURATION never changes and no rounded EXTINF exceeds it, even with a 12 s GOP", () => {
  const h = harness({ fragmentMs: 2000, maxFragmentMs: 20000 });
  h.start();
  h.feed(avStream({ seconds: 60, gopMs: 12000 }));
  h.stop();
  const all = h.playlists();
  const targets = new Set(all.map((p) => p.targetDuration));
  assert.deepEqual([...targets], [3]);
  for (const p of all)
    for (const s of p.segments) assert.ok(Math.round(s.duration) <= 3, `EXTINF ${s.duration}`);
});

test("window measured in seconds: listed durations sum to at most hls_playlist_length", () => {
  const h = harness({ playlistLengthMs: 20000 });
  h.start();
  h.feed(avStream({ seconds: 90, gopMs: 2000 }));
  for (const p of h.playlists().slice(10)) {
    const total = p.segments.reduce((a, s) => a + s.duration, 0);
    assert.ok(total <= 20 && total > 20 - 5, `window ${total}`);
  }
});

test("a segment is deleted only after leaving the playlist plus the grace period", () => {
  const L = 12000;
  const h = harness({ playlistLengthMs: L });
  h.start();
  h.feed(avStream({ seconds: 60, gopMs: 2000 }));
  h.clock.advance(60000);
  const leftAt = new Map<string, { t: number; duration: number }>();
  let last = new Map<string, number>();
  let deletes = 0;
  h.actions.forEach((a, i) => {
    const t = h.times[i]!;
    if (a.type === "playlist") {
      const now = new Map(
        parseMediaPlaylist(a.data.toString())!.segments.map((s) => [`/hls/${s.uri}`, s.duration]),
      );
      for (const [u, d] of last) if (!now.has(u)) leftAt.set(u, { t, duration: d });
      last = now;
    }
    if (a.type === "delete") {
      deletes++;
      assert.ok(!last.has(a.path), `${a.path} deleted while listed`);
      const left = leftAt.get(a.path);
      assert.ok(left, `${a.path} deleted before leaving`);
      assert.ok(t - left.t >= left.duration * 1000 + L, `${a.path} deleted ${t - left.t} ms after leaving`);
    }
  });
  assert.ok(deletes >= 10, "old segments get deleted");
});

test("republish: media sequence goes on, DISCONTINUITY at the seam, DISCONTINUITY-SEQUENCE later", () => {
  const h = harness({ playlistLengthMs: 20000 });
  h.start();
  h.feed(avStream({ seconds: 12, gopMs: 2000 }));
  h.stop();
  const first = h.playlist()!;
  assert.equal(first.endList, true);
  const lastSeq = first.mediaSequence + first.segments.length - 1;
  h.start();
  h.feed(avStream({ fromMs: 0, seconds: 10, gopMs: 2000 }).map(([k, ts, b]) => [k, ts + 0, b] as Msg));
  const p = h.playlist()!;
  assert.equal(p.endList, false);
  const seam = p.segments.findIndex((s) => s.discontinuity);
  assert.ok(seam > 0, "discontinuity inside the window");
  assert.equal(p.mediaSequence + seam, lastSeq + 1);
  // let the old publish leave the window: the sequence takes the discontinuity over
  h.feed(avStream({ fromMs: 10000, seconds: 30, gopMs: 2000 }).filter(([, , b]) => b.length > 4));
  const later = h.playlist()!;
  assert.equal(later.discontinuitySequence, 1);
  assert.ok(!later.segments.some((s) => s.discontinuity));
});

test("hls_endlist off: no ENDLIST (nginx-rtmp behaviour)", () => {
  const h = harness({ endlist: false });
  h.start();
  h.feed(avStream({ seconds: 8, gopMs: 2000 }));
  h.stop();
  assert.equal(h.playlist()!.endList, false);
});

test("hls_continuous off: a new publish starts over at 0 without discontinuity", () => {
  const h = harness({ continuous: false });
  h.start();
  h.feed(avStream({ seconds: 10, gopMs: 2000 }));
  h.stop();
  h.start();
  h.feed(avStream({ seconds: 7, gopMs: 2000 }));
  const p = h.playlist()!;
  assert.equal(p.mediaSequence, 0);
  assert.ok(!p.segments.some((s) => s.discontinuity));
});

test("restart recovery: sequence and discontinuity sequence continue from the playlist on disk", () => {
  const h = harness(
    {},
    {
      mediaSequence: 40,
      discontinuitySequence: 3,
      targetDuration: 5,
      segments: [
        { uri: "cam-40.ts", durationMs: 4000, discontinuity: false },
        { uri: "cam-41.ts", durationMs: 2000, discontinuity: false },
      ],
    },
  );
  h.start();
  h.feed(avStream({ seconds: 7, gopMs: 2000 }));
  const p = h.playlist()!;
  assert.equal(p.mediaSequence, 40);
  assert.equal(p.discontinuitySequence, 3);
  assert.deepEqual(p.segments.map((s) => s.uri).slice(0, 3), ["cam-40.ts", "cam-41.ts", "cam-42.ts"]);
  assert.equal(p.segments[2]!.discontinuity, true);
});

test("codec or resolution change mid-stream: new segment at the next keyframe, DISCONTINUITY", () => {
  const h = harness();
  h.start();
  h.feed(avStream({ seconds: 7, gopMs: 1000 }));
  const rest = avStream({ fromMs: 7000, seconds: 6, gopMs: 1000 });
  rest[0] = ["video", 7000, AVC_CONFIG_2];
  h.feed(rest);
  const p = h.playlist()!;
  const i = p.segments.findIndex((s) => s.discontinuity);
  assert.ok(i > 0);
  const before = p.segments.slice(0, i).reduce((a, s) => a + s.duration, 0);
  assert.equal(before, 7);
});

test("audio only: cut on time at multiples; PMT without a video stream", () => {
  const h = harness();
  h.start();
  h.feed(avStream({ seconds: 14, gopMs: 0, video: false }));
  h.stop();
  const p = h.playlist()!;
  for (const s of p.segments.slice(0, -1)) assert.ok(Math.abs(s.duration - 3) < 0.03, `${s.duration}`);
  const seg = h.actions.find((a) => a.type === "segment") as { data: Buffer };
  const pmt = seg.data.subarray(188, 376);
  const sectionLength = ((pmt[6]! & 0x0f) << 8) | pmt[7]!;
  assert.equal(sectionLength, 18, "one elementary stream");
});

test("two servers: one joining 9 s late names its segments like the first", () => {
  const msgs = avStream({ seconds: 40, gopMs: 1000 });
  const a = harness();
  a.start();
  a.feed(msgs);
  const b = harness();
  b.start();
  const late = msgs.filter(([, ts, body]) => ts >= 9000 || body.length <= 4);
  b.feed(late);
  const pa = a.playlist()!;
  const pb = b.playlist()!;
  const lastA = pa.segments.map((s) => s.uri).slice(-4);
  const lastB = pb.segments.map((s) => s.uri).slice(-4);
  assert.deepEqual(lastB, lastA);
});

test("nested names: NAME/index.m3u8 and NAME/N.ts listed as N.ts", () => {
  const h = harness({}, null, true);
  h.start();
  h.feed(avStream({ seconds: 7, gopMs: 1000 }));
  const pl = h.actions.find((a) => a.type === "playlist") as { path: string };
  assert.equal(pl.path, "/hls/cam/index.m3u8");
  assert.equal(h.playlist()!.segments[0]!.uri, "0.ts");
  assert.ok(h.files.has("/hls/cam/0.ts"));
});

test("malformed frames are counted and dropped, the stream goes on", () => {
  const h = harness();
  const seg = h.start();
  const msgs = avStream({ seconds: 7, gopMs: 1000 });
  msgs.splice(
    10,
    0,
    ["video", 100, Buffer.from([0x27, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1])],
    ["audio", 100, Buffer.alloc(0)],
  );
  h.feed(msgs);
  assert.equal(seg.counters.malformed, 2);
  assert.ok(h.playlist()!.segments.length >= 2);
});

test("after the stop: playlist forgotten after hls_playlist_length, segments after twice that; a republish before keeps them", () => {
  const h = harness({ playlistLengthMs: 10000 });
  h.start();
  h.feed(avStream({ seconds: 8, gopMs: 2000 }));
  h.stop();
  const listed = h.playlist()!.segments.length;
  h.clock.advance(5000);
  h.start(); // comes back within the window: nothing deleted
  h.feed(avStream({ seconds: 4, gopMs: 2000 }));
  h.stop();
  const deletesBefore = h.actions.filter((a) => a.type === "delete").length;
  assert.equal(deletesBefore, 0);
  h.clock.advance(10000);
  assert.ok(h.actions.some((a) => a.type === "delete" && a.path === "/hls/cam.m3u8"));
  h.clock.advance(10000);
  const deleted = h.actions.filter((a) => a.type === "delete" && a.path.endsWith(".ts")).length;
  assert.ok(deleted >= listed, `${deleted} segments deleted`);
  // a later publish starts a fresh window, the sequence still goes on
  h.start();
  h.feed(avStream({ seconds: 8, gopMs: 2000 }));
  const p = h.playlist()!;
  assert.equal(p.mediaSequence, 4, JSON.stringify(p));
  assert.ok(!p.segments.some((s) => s.discontinuity));
});

test("fuzz: random GOPs, jitter, garbage and clock jumps never throw nor break TARGETDURATION", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          gap: fc.integer({ min: 0, max: 400 }),
          key: fc.boolean(),
          kind: fc.constantFrom("video", "audio", "garbage", "jump"),
          junk: fc.uint8Array({ maxLength: 12 }),
        }),
        { minLength: 1, maxLength: 150 },
      ),
      fc.integer({ min: 500, max: 6000 }),
      (steps, fragmentMs) => {
        const h = harness({ fragmentMs, maxFragmentMs: fragmentMs * 10, playlistLengthMs: fragmentMs * 4 });
        h.start();
        let ts = 0;
        const msgs: Msg[] = [
          ["video", 0, AVC_CONFIG],
          ["audio", 0, AAC_CONFIG],
        ];
        for (const s of steps) {
          ts += s.gap;
          if (s.kind === "jump") ts += s.gap * 1000;
          if (s.kind === "video" || s.kind === "jump") msgs.push(["video", ts, videoFrame(s.key, 40)]);
          else if (s.kind === "audio") msgs.push(["audio", ts, aacFrame()]);
          else msgs.push([s.key ? "video" : "audio", ts, Buffer.from(s.junk)]);
        }
        h.feed(msgs);
        h.stop();
        const all = h.playlists();
        const targets = new Set(all.map((p) => p.targetDuration));
        assert.ok(targets.size <= 1);
        for (const p of all)
          for (const seg of p.segments) assert.ok(Math.round(seg.duration) <= p.targetDuration);
      },
    ),
    { numRuns: 100 },
  );
});
