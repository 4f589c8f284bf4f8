import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { FakeClock } from "../clock.js";
import type { RecordAction, RecordSettings } from "./record-actions.js";
import { Recorder } from "./recorder.js";

const AVC_HEADER = Buffer.from([0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1f]);
const AAC_HEADER = Buffer.from([0xaf, 0, 0x12, 0x10]);
const key = (cts = 0) => Buffer.from([0x17, 1, 0, 0, cts, 0xaa]);
const inter = (cts = 0) => Buffer.from([0x27, 1, 0, 0, cts, 0xbb]);
const aac = () => Buffer.from([0xaf, 1, 0x21]);
const META = Buffer.concat([
  Buffer.from("\x02\x00\x0aonMetaData\x08\x00\x00\x00\x01\x00\x05width\x00", "latin1"),
  Buffer.from([0x40, 0x84, 0, 0, 0, 0, 0, 0]),
  Buffer.from([0, 0, 9]),
]);

function settings(over: Partial<RecordSettings> = {}): RecordSettings {
  return {
    audio: true,
    video: true,
    keyframes: false,
    manual: false,
    dir: "/rec",
    suffix: ".flv",
    unique: false,
    append: false,
    maxSize: null,
    maxFrames: null,
    intervalMs: null,
    ...over,
  };
}

function setup(over: Partial<RecordSettings> = {}, wallScale = 1) {
  const clock = new FakeClock(1000);
  const actions: RecordAction[] = [];
  const r = new Recorder({
    settings: settings(over),
    name: "cam",
    clock,
    wallClock: () => 1_700_000_000_000 + clock.now() * wallScale,
    emit: (a) => actions.push(a),
  });
  return { r, clock, actions };
}

/** A short stream: headers, then 2 GOPs of 4 frames (40 ms apart, keyframe every 160 ms), audio between. */
function feed(r: Recorder, clock: FakeClock, base = 5000, gops = 2): void {
  r.message("data", base, META);
  r.message("video", base, AVC_HEADER);
  r.message("audio", base, AAC_HEADER);
  for (let i = 0; i < gops * 4; i++) {
    const ts = base + i * 40;
    if (clock.now() < 1000 + ts - base) clock.advance(1000 + ts - base - clock.now());
    r.message("video", ts, i % 4 === 0 ? key(80) : inter(40));
    r.message("audio", ts + 10, aac());
  }
}

const tags = (a: RecordAction[]) =>
  a.filter((x) => x.type === "tag").map((x) => (x.type === "tag" ? `${x.tagType}@${x.timestamp}` : ""));

test("a file starts with its head and the sequence headers; timestamps start at 0", () => {
  const { r, clock, actions } = setup();
  r.start();
  assert.equal(actions.length, 0, "nothing is opened before there is something to write");
  feed(r, clock);
  r.stop();
  assert.deepEqual(actions[0], { type: "open", path: "/rec/cam.flv", append: false });
  assert.equal(actions[1]!.type, "head");
  assert.deepEqual(tags(actions).slice(0, 4), ["9@0", "9@0", "8@10", "8@10"]);
  const close = actions.at(-1)!;
  assert.equal(close.type, "close");
  // last video dts 280 + cts 40 = 320, + one 40 ms step
  assert.deepEqual(close, { type: "close", durationMs: 360, hasAudio: true, hasVideo: true, reason: "stop" });
});

test("video waits for its header and a keyframe, AAC for its header", () => {
  const { r, actions } = setup();
  r.start();
  r.message("video", 0, key());
  r.message("audio", 0, aac());
  r.message("video", 40, AVC_HEADER);
  r.message("video", 40, inter());
  assert.equal(actions.length, 0);
  r.message("audio", 50, AAC_HEADER);
  r.message("audio", 60, aac());
  r.message("video", 80, key());
  r.stop();
  assert.deepEqual(tags(actions), ["8@0", "8@0", "9@20", "9@20"]);
});

test("record_interval cuts at the first keyframe after the interval, every file with its headers", () => {
  // wall time runs 10x faster here, so each cut has a new name (one per second)
  const { r, clock, actions } = setup({ intervalMs: 150, suffix: "-%s.flv" }, 10);
  r.start();
  feed(r, clock, 0, 3);
  r.stop();
  const opens = actions.filter((a) => a.type === "open");
  assert.equal(opens.length, 3);
  const closes = actions.filter((a) => a.type === "close").map((a) => a.type === "close" && a.reason);
  assert.deepEqual(closes, ["interval", "interval", "stop"]);
  // after each open: head, then AVC header + keyframe at 0
  for (let i = 0; i < actions.length; i++) {
    if (actions[i]!.type !== "open") continue;
    assert.equal(actions[i + 1]!.type, "head");
    const t1 = actions[i + 2]!;
    assert.ok(t1.type === "tag" && t1.tagType === 9 && t1.timestamp === 0 && t1.body === AVC_HEADER);
  }
});

test("a rotation never reuses the path of the file just written (the current one continues)", () => {
  const { r, clock, actions } = setup({ intervalMs: 100 });
  r.start();
  feed(r, clock, 0, 4);
  r.stop();
  assert.equal(actions.filter((a) => a.type === "open").length, 1);
  assert.equal(actions.filter((a) => a.type === "close").length, 1);
});

test("record_max_frames closes the file; without a new name recording stays stopped", () => {
  const { r, clock, actions } = setup({ maxFrames: 3, audio: false });
  r.start();
  feed(r, clock, 0, 3);
  r.stop();
  assert.deepEqual(
    actions.filter((a) => a.type === "close").map((a) => a.type === "close" && a.reason),
    ["max-frames"],
  );
  assert.equal(tags(actions).length, 4, "header + 3 frames");
});

test("record_max_size with record_unique opens a new file at a later keyframe", () => {
  const { r, clock, actions } = setup({ maxSize: 1, unique: true, audio: false });
  r.start();
  r.message("video", 0, AVC_HEADER);
  r.message("video", 0, key());
  clock.advance(1000);
  r.message("video", 1000, inter());
  r.message("video", 1040, key());
  r.stop();
  const opens = actions.filter((a) => a.type === "open").map((a) => a.type === "open" && a.path);
  assert.deepEqual(opens, ["/rec/cam-1700000001.flv", "/rec/cam-1700000002.flv"]);
});

test("record keyframes keeps video keyframes only; record audio has no video", () => {
  const k = setup({ audio: false, video: false, keyframes: true });
  k.r.start();
  feed(k.r, k.clock);
  k.r.stop();
  assert.deepEqual(tags(k.actions), ["9@0", "9@0", "9@160"]);
  const a = setup({ video: false });
  a.r.start();
  feed(a.r, a.clock);
  a.r.stop();
  assert.ok(tags(a.actions).every((x) => x.startsWith("8@")));
});

test("record manual never starts by itself; after stop nothing more is written", () => {
  const m = setup({ manual: true });
  m.r.start();
  feed(m.r, m.clock);
  assert.equal(m.actions.length, 0);
  const s = setup();
  s.r.start();
  feed(s.r, s.clock);
  s.r.stop();
  const n = s.actions.length;
  s.r.message("video", 9999, key());
  assert.equal(s.actions.length, n);
});

test("after fail() the recorder ignores the stream until the next start", () => {
  const { r, clock, actions } = setup();
  r.start();
  feed(r, clock, 0, 1);
  r.fail();
  const n = actions.length;
  feed(r, clock, 1000, 1);
  r.stop();
  assert.equal(actions.length, n);
  r.start();
  feed(r, clock, 3000, 1);
  assert.ok(actions.length > n);
});

test("a failure reported while a tag is emitted (queue overflow) stops cleanly, even at a limit", () => {
  const clock = new FakeClock();
  let r: Recorder | null = null;
  let tagsSeen = 0;
  r = new Recorder({
    settings: settings({ maxFrames: 2 }),
    name: "cam",
    clock,
    wallClock: () => 0,
    emit: (a) => {
      if (a.type === "tag" && ++tagsSeen === 4) r!.fail();
    },
  });
  r.start();
  assert.doesNotThrow(() => feed(r!, clock, 0, 2));
  assert.equal(r.failed, true);
  assert.equal(r.recording, false);
});

test("start() again without stop() closes the previous file first", () => {
  const { r, clock, actions } = setup();
  r.start();
  feed(r, clock, 0, 1);
  r.start();
  assert.equal(actions.at(-1)!.type, "close");
});

test("any message sequence gives well-formed actions (open, head, tags, close) and never throws", () => {
  const msg = fc.record({
    kind: fc.constantFrom("audio", "video", "data") as fc.Arbitrary<"audio" | "video" | "data">,
    dt: fc.integer({ min: 0, max: 700 }),
    body: fc.oneof(
      fc.constantFrom(AVC_HEADER, AAC_HEADER, key(80), inter(40), aac(), META),
      fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b)),
    ),
  });
  const opts = fc.record({
    intervalMs: fc.option(fc.integer({ min: 0, max: 2000 })),
    maxFrames: fc.option(fc.integer({ min: 1, max: 20 })),
    maxSize: fc.option(fc.integer({ min: 1, max: 2000 })),
    unique: fc.boolean(),
    audio: fc.boolean(),
    video: fc.boolean(),
    keyframes: fc.boolean(),
  });
  fc.assert(
    fc.property(opts, fc.array(msg, { maxLength: 80 }), (o, msgs) => {
      const { r, clock, actions } = setup(o);
      r.start();
      let ts = 0;
      for (const m of msgs) {
        ts += m.dt;
        clock.advance(m.dt);
        r.message(m.kind, ts, m.body);
      }
      r.stop();
      let open = false;
      let last = "close";
      for (const a of actions) {
        if (a.type === "open") {
          assert.ok(!open, "open while a file is open");
          open = true;
        } else {
          assert.ok(open, `${a.type} without an open file`);
          if (a.type === "head") assert.equal(last, "open");
          if (a.type === "tag") assert.ok(a.timestamp >= 0);
          if (a.type === "close") {
            assert.ok(a.durationMs >= 0);
            open = false;
          }
        }
        last = a.type;
      }
      assert.ok(!open, "every file is closed at stop");
    }),
  );
});
