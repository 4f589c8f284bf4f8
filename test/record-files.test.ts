/**
 * Recording end to end with the real tools: an ffmpeg-made FLV is fed into
 * RecordService sinks (as the live engine would, timestamps driving a fake
 * clock), and every file written must pass ffprobe/ffmpeg with the right
 * duration, metadata and tracks.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import type { RtmpApplicationConfig } from "../src/config/types.js";
import { FakeClock } from "../src/engine/clock.js";
import type { MediaKind } from "../src/engine/media-sink.js";
import { decodeAmf0 } from "../src/protocol/amf/index.js";
import { parseFlvHeader, readFlvTags } from "../src/protocol/flv/flv-file.js";
import { RecordService } from "../src/server/record/record-service.js";
import { memoryLogger } from "../src/util/logger.js";
import { tempDir } from "./helpers/env.js";
import { probeCodecs, probePackets } from "./helpers/flv-probe.js";
import { makeMedia } from "./helpers/media.js";
import { rtmpApp } from "./helpers/rtmp-config.js";

const FRAME_MS = 40; // 25 fps
const WALL_BASE = Date.UTC(2026, 10, 25, 12, 0, 0);

/** Records every track into `dir`; no continuous HLS and a 1 MiB GOP cache. */
function app(dir: string, over: Partial<RtmpApplicationConfig>): RtmpApplicationConfig {
  return rtmpApp("live", {
    record: ["all"],
    recordPath: dir,
    hlsContinuous: false,
    gopCacheSize: 1 << 20,
    ...over,
  });
}

const KINDS: Record<number, MediaKind> = { 8: "audio", 9: "video", 18: "data" };

/** Publishes `media` through a recording sink of `a`; resolves when every file is closed. */
async function record(
  a: RtmpApplicationConfig,
  media: string,
  opts: { clock?: FakeClock; name?: string } = {},
): Promise<{ log: string[] }> {
  const clock = opts.clock ?? new FakeClock();
  const log = memoryLogger();
  const svc = new RecordService({ log, clock, wallClock: () => WALL_BASE + clock.now() });
  const sink = svc.sinkFor(a, opts.name ?? "cam1");
  assert.ok(sink);
  const t0 = clock.now();
  sink.start({ app: a.name, name: opts.name ?? "cam1" });
  for (const tag of readFlvTags(readFileSync(media))) {
    const kind = KINDS[tag.type];
    if (!kind) continue;
    if (t0 + tag.timestamp > clock.now()) clock.advance(t0 + tag.timestamp - clock.now());
    sink.message(kind, tag.timestamp, tag.body);
  }
  sink.stop();
  await svc.quit();
  return { log: log.lines };
}

function flvFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".flv"))
    .sort()
    .map((f) => join(dir, f));
}

function metadata(file: string): Record<string, unknown> {
  const first = readFlvTags(readFileSync(file)).next().value;
  assert.ok(first && first.type === 18, `${file}: first tag is onMetaData`);
  const v = decodeAmf0(first.body);
  assert.equal(v[0], "onMetaData");
  return v[1] as Record<string, unknown>;
}

/** ffprobe and a full ffmpeg decode both run clean; returns ffprobe's format duration (s). */
function assertDecodes(file: string): number {
  const p = spawnSync("ffprobe", ["-v", "error", "-show_format", "-show_streams", "-of", "json", file], {
    encoding: "utf8",
  });
  assert.equal(p.status, 0, `ffprobe ${file}: ${p.stderr}`);
  assert.equal(p.stderr.trim(), "", `ffprobe ${file} complained`);
  const d = spawnSync("ffmpeg", ["-v", "error", "-i", file, "-f", "null", "-"], { encoding: "utf8" });
  assert.equal(d.status, 0, `ffmpeg ${file}: ${d.stderr}`);
  assert.equal(d.stderr.trim(), "", `ffmpeg decoding ${file} printed errors`);
  return Number(JSON.parse(p.stdout).format.duration);
}

/** Every tag and back-pointer of the file is consistent (readFlvTags throws otherwise). */
function tagCount(file: string): number {
  let n = 0;
  for (const _ of readFlvTags(readFileSync(file))) n++;
  return n;
}

/** Checks one recorded file: decodes, metadata duration/filesize right; returns its packets. */
function checkFile(file: string) {
  const probeDuration = assertDecodes(file);
  assert.ok(tagCount(file) > 0);
  const meta = metadata(file);
  assert.equal(meta.filesize, statSync(file).size, `${file}: metadata filesize`);
  const pkts = probePackets(file);
  // (helpers/flv-probe.ts reads ffprobe's pts,dts columns in the other order: take the larger)
  const end = Math.max(...pkts.map((p) => Math.max(p.pts, p.dts))) + FRAME_MS;
  const duration = (meta.duration as number) * 1000;
  assert.ok(Math.abs(duration - end) <= FRAME_MS, `${file}: metadata duration ${duration} vs packets ${end}`);
  assert.ok(
    Math.abs(probeDuration * 1000 - duration) <= FRAME_MS,
    `${file}: ffprobe duration ${probeDuration}`,
  );
  assert.ok(Math.min(...pkts.map((p) => Math.min(p.pts, p.dts))) <= FRAME_MS, `${file}: starts near 0`);
  return pkts;
}

test("record all with record_interval and a strftime record_suffix: several files, each decodes alone", async (t: TestContext) => {
  const dir = tempDir(t, "onair-rec-");
  const media = makeMedia({ seconds: 10, gop: 2 });
  const source = probePackets(media);
  const a = app(dir, { recordInterval: 3000, recordSuffix: "-%Y%m%d-%H%M%S.flv" });
  await record(a, media);
  const files = flvFiles(dir);
  // keyframes every 2 s, interval 3 s: new files at the keyframes of 4 s and 8 s
  assert.equal(files.length, 3, `files: ${files.join(", ")}`);
  for (const f of files) assert.match(f, /\/cam1-20261125-\d{6}\.flv$/);
  const expectVideo = [100, 100, 50];
  let video = 0;
  let audio = 0;
  files.forEach((f, i) => {
    const pkts = checkFile(f);
    const v = pkts.filter((p) => p.type === "video");
    assert.equal(v.length, expectVideo[i], `${f}: video frames`);
    assert.ok(v[0]!.key, `${f}: starts with a keyframe`);
    assert.deepEqual(probeCodecs(f), ["aac", "h264"]);
    assert.equal(readFileSync(f)[4], 5, "FLV header says audio + video");
    video += v.length;
    audio += pkts.length - v.length;
  });
  // nothing lost or doubled across the cuts
  assert.equal(video, source.filter((p) => p.type === "video").length);
  assert.equal(audio, source.filter((p) => p.type === "audio").length);
});

test("record audio / video / keyframes keep only what they should", async (t: TestContext) => {
  const media = makeMedia({ seconds: 6, gop: 2 });
  const source = probePackets(media);
  const cases = [
    { mode: "audio", codecs: ["aac"], flags: 4 },
    { mode: "video", codecs: ["h264"], flags: 1 },
    { mode: "keyframes", codecs: ["h264"], flags: 1 },
  ] as const;
  for (const c of cases) {
    const dir = tempDir(t, "onair-rec-");
    await record(app(dir, { record: [c.mode] }), media);
    const files = flvFiles(dir);
    assert.equal(files.length, 1, c.mode);
    const f = files[0]!;
    assertDecodes(f);
    assert.deepEqual(probeCodecs(f), c.codecs, c.mode);
    assert.equal(readFileSync(f)[4], c.flags, `${c.mode}: header flags`);
    assert.equal(metadata(f).filesize, statSync(f).size);
    const pkts = probePackets(f);
    if (c.mode === "audio") {
      assert.equal(pkts.length, source.filter((p) => p.type === "audio").length);
      assert.equal(metadata(f).videocodecid, undefined, "audio file has no video metadata");
    } else if (c.mode === "video") {
      assert.equal(pkts.length, source.filter((p) => p.type === "video").length);
      assert.equal(metadata(f).audiocodecid, undefined, "video file has no audio metadata");
    } else {
      assert.equal(pkts.length, 3, "one keyframe every 2 s of 6 s");
      assert.ok(pkts.every((p) => p.key));
    }
  }
});

test("record_max_frames and record_max_size stop the file at the limit", async (t: TestContext) => {
  const media = makeMedia({ seconds: 6, gop: 2 });
  const frames = tempDir(t, "onair-rec-");
  await record(app(frames, { record: ["video"], recordMaxFrames: 60 }), media);
  let files = flvFiles(frames);
  assert.equal(files.length, 1, "no second file over the first (nginx-rtmp would truncate it)");
  checkFile(files[0]!);
  assert.equal(probePackets(files[0]!).length, 60);

  const size = tempDir(t, "onair-rec-");
  const limit = 200 * 1024;
  await record(app(size, { recordMaxSize: limit }), media);
  files = flvFiles(size);
  assert.equal(files.length, 1);
  const got = statSync(files[0]!).size;
  const biggestTag = Math.max(...[...readFlvTags(readFileSync(media))].map((x) => x.body.length + 15));
  assert.ok(got >= limit && got < limit + biggestTag, `size ${got} vs limit ${limit}`);
  checkFile(files[0]!);
});

test("record_max_frames with record_unique starts a new file at the next keyframe with a new name", async (t: TestContext) => {
  const media = makeMedia({ seconds: 6, gop: 2 });
  const dir = tempDir(t, "onair-rec-");
  await record(app(dir, { record: ["video"], recordMaxFrames: 25, recordUnique: true }), media);
  const files = flvFiles(dir);
  // 25 frames then a pause until the next keyframe (2 s later, so a new second): 3 files
  assert.equal(files.length, 3, files.join(", "));
  for (const f of files) {
    assert.match(f, /\/cam1-\d{10}\.flv$/);
    checkFile(f);
    assert.equal(probePackets(f).length, 25);
  }
});

test("record_append continues the file of the previous publish", async (t: TestContext) => {
  const media = makeMedia({ seconds: 4, gop: 2 });
  const dir = tempDir(t, "onair-rec-");
  const a = app(dir, { recordAppend: true });
  const clock = new FakeClock();
  await record(a, media, { clock });
  const first = probePackets(flvFiles(dir)[0]!).length;
  clock.advance(5000);
  await record(a, media, { clock });
  const files = flvFiles(dir);
  assert.equal(files.length, 1);
  const pkts = checkFile(files[0]!);
  assert.equal(pkts.length, 2 * first);
  const v = pkts.filter((p) => p.type === "video").map((p) => Math.min(p.dts, p.pts));
  for (let i = 1; i < v.length; i++) assert.ok(v[i]! >= v[i - 1]!, "timestamps keep rising");
  assert.ok(Math.max(...v) > 7000, "second publish after the first");
  assert.equal(parseFlvHeader(readFileSync(files[0]!)).hasVideo, true);
});

test("a restarted publish without record_append truncates the file (nginx-rtmp behaviour)", async (t: TestContext) => {
  const media = makeMedia({ seconds: 4, gop: 2 });
  const dir = tempDir(t, "onair-rec-");
  const a = app(dir, {});
  await record(a, media);
  const size = statSync(flvFiles(dir)[0]!).size;
  await record(a, media);
  assert.equal(statSync(flvFiles(dir)[0]!).size, size);
});

test("record_append refuses a file that does not end on a whole tag, and leaves it untouched", async (t: TestContext) => {
  const media = makeMedia({ seconds: 4, gop: 2 });
  const dir = tempDir(t, "onair-rec-");
  const broken = Buffer.concat([readFileSync(media).subarray(0, 5000)]);
  writeFileSync(join(dir, "cam1.flv"), broken);
  const { log } = await record(app(dir, { recordAppend: true }), media);
  assert.deepEqual(readFileSync(join(dir, "cam1.flv")), broken);
  const errors = log.filter((l) => l.startsWith("[error]"));
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /cannot append to .*cam1\.flv: it does not end on a whole FLV tag/);
});

test("quit() while a stream is still publishing closes its file properly", async (t: TestContext) => {
  const media = makeMedia({ seconds: 4, gop: 2 });
  const dir = tempDir(t, "onair-rec-");
  const clock = new FakeClock();
  const svc = new RecordService({ log: memoryLogger(), clock });
  const sink = svc.sinkFor(app(dir, {}), "cam1")!;
  sink.start({ app: "live", name: "cam1" });
  for (const tag of readFlvTags(readFileSync(media))) {
    const kind = KINDS[tag.type];
    if (kind && tag.timestamp < 2500) sink.message(kind, tag.timestamp, tag.body);
  }
  await svc.quit();
  assert.equal(svc.openFiles, 0);
  const pkts = checkFile(flvFiles(dir)[0]!);
  assert.ok(pkts.length > 100);
  sink.stop(); // the engine's later stop is harmless
  sink.message("video", 3000, Buffer.from([0x17, 1, 0, 0, 0]));
});

test("sinkFor: no sink without record, without record_path, or for record manual", (t: TestContext) => {
  const dir = tempDir(t, "onair-rec-");
  const log = memoryLogger();
  const svc = new RecordService({ log });
  assert.equal(svc.sinkFor(app(dir, { record: [] }), "a"), null);
  assert.equal(svc.sinkFor(app(dir, { recordPath: null }), "a"), null);
  assert.equal(svc.sinkFor(app(dir, { record: ["manual"] }), "a"), null);
  assert.ok(svc.sinkFor(app(dir, {}), "a"));
  assert.equal(log.lines.filter((l) => l.startsWith("[warn]")).length, 1, "one warning per application");
});

test("a quick republish waits for the previous file to be closed before reopening the path", async (t: TestContext) => {
  const media = makeMedia({ seconds: 4, gop: 2 });
  const dir = tempDir(t, "onair-rec-");
  const clock = new FakeClock();
  const svc = new RecordService({ log: memoryLogger(), clock });
  const a = app(dir, { recordAppend: true });
  for (let round = 0; round < 2; round++) {
    const sink = svc.sinkFor(a, "cam1")!;
    sink.start({ app: "live", name: "cam1" });
    for (const tag of readFlvTags(readFileSync(media))) {
      const kind = KINDS[tag.type];
      if (kind) sink.message(kind, tag.timestamp, tag.body);
    }
    sink.stop(); // no waiting: the second publish starts while the first file is still being written
  }
  await svc.quit();
  const pkts = checkFile(flvFiles(dir)[0]!);
  assert.equal(pkts.length, 2 * probePackets(media).length);
});
