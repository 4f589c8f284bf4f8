/**
 * H.265 over Enhanced RTMP (FourCC hvc1): an x265 stream made by ffmpeg is
 * wrapped in ex-header FLV video tags (ffmpeg 5.1 cannot write HEVC in FLV),
 * fed to HlsService, and the segments are checked with ffprobe/ffmpeg.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { FakeClock } from "../src/engine/clock.js";
import { parseMediaPlaylist } from "../src/protocol/hls/media-playlist.js";
import { HlsService } from "../src/server/hls/hls-service.js";
import { memoryLogger } from "../src/util/logger.js";
import { tempDir } from "./helpers/env.js";
import { rtmpApp } from "./helpers/rtmp-client.js";

/** Splits an Annex B byte stream into NAL units (start codes removed). */
function nalUnits(b: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let i = 0; i + 3 <= b.length; i++) {
    if (b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 1) {
      starts.push(i + 3);
      i += 2;
    }
  }
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1]! - 3 : b.length;
    while (end > s && b[end - 1] === 0) end--;
    return b.subarray(s, end);
  });
}

const nalType = (n: Buffer) => (n[0]! >> 1) & 0x3f;

function hvcC(ps: Buffer[]): Buffer {
  const head = Buffer.from([
    1, 0x01, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 0x5d, 0xf0, 0, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0, 0x0f,
  ]);
  const parts: Buffer[] = [head, Buffer.from([ps.length])];
  for (const p of ps) {
    const h = Buffer.alloc(5);
    h[0] = 0x80 | nalType(p);
    h.writeUInt16BE(1, 1);
    h.writeUInt16BE(p.length, 3);
    parts.push(h, p);
  }
  return Buffer.concat(parts);
}

function exTag(frameType: number, packetType: number, body: Buffer[]): Buffer {
  const head = Buffer.from([0x80 | (frameType << 4) | packetType, ...Buffer.from("hvc1")]);
  return Buffer.concat([head, ...(packetType === 1 ? [Buffer.alloc(3)] : []), ...body]);
}

test("H.265 (Enhanced RTMP hvc1) is packaged: stream type 0x24, AUD, VPS/SPS/PPS before IRAP, ffprobe-clean", async (t) => {
  const dir = tempDir(t, "onair-hls-hevc-");
  const raw = join(dir, "x.hevc");
  const r = spawnSync("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=320x240:rate=25:duration=8",
    "-c:v",
    "libx265",
    "-preset",
    "ultrafast",
    "-x265-params",
    "bframes=0:keyint=25:min-keyint=25:scenecut=0:log-level=error",
    "-f",
    "hevc",
    raw,
  ]);
  assert.equal(r.status, 0, r.stderr?.toString());
  const nals = nalUnits(readFileSync(raw));
  const ps = [32, 33, 34].map((ty) => nals.find((n) => nalType(n) === ty)!);
  // access units: a new one starts at a VCL NAL whose first_slice_segment_in_pic_flag is set
  const aus: Buffer[][] = [];
  let cur: Buffer[] = [];
  for (const n of nals) {
    const ty = nalType(n);
    // parameter sets come from hvcC only; x265's 2 kB info SEI is dropped (ffmpeg 5.1's HEVC
    // parser reports it as an access unit without picture even in ffmpeg's own remux)
    if ((ty >= 32 && ty <= 34) || ty === 39) continue;
    if (ty < 32 && n[2]! & 0x80 && cur.some((x) => nalType(x) < 32)) {
      aus.push(cur);
      cur = [];
    }
    cur.push(n);
  }
  aus.push(cur);
  const svc = new HlsService({ log: memoryLogger(), clock: new FakeClock() });
  const sink = svc.sinkFor(
    rtmpApp("live", { hls: true, hlsPath: dir, hlsFragment: 2000, hlsPlaylistLength: 20000 }),
    "h",
  )!;
  sink.start({ app: "live", name: "h" });
  sink.message("video", 0, exTag(1, 0, [hvcC(ps)]));
  aus.forEach((au, i) => {
    const key = au.some((n) => nalType(n) >= 16 && nalType(n) <= 23);
    const body = au.flatMap((n) => {
      const l = Buffer.alloc(4);
      l.writeUInt32BE(n.length);
      return [l, n];
    });
    sink.message("video", i * 40, exTag(key ? 1 : 2, 1, body));
  });
  sink.stop();
  await svc.idle();
  const playlist = join(dir, "h.m3u8");
  const p = parseMediaPlaylist(readFileSync(playlist, "utf8"))!;
  assert.equal(p.segments.length, 4);
  for (const s of p.segments) {
    const pr = spawnSync(
      "ffprobe",
      ["-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", join(dir, s.uri)],
      { encoding: "utf8" },
    );
    assert.equal(pr.stderr, "", s.uri);
    assert.ok(pr.stdout.includes("hevc"), s.uri);
  }
  const dec = spawnSync("ffmpeg", ["-v", "error", "-i", playlist, "-f", "null", "-"], { encoding: "utf8" });
  assert.equal(dec.status, 0);
  assert.equal(dec.stderr, "", "ffmpeg decodes the HEVC playlist without errors");
  const frames = spawnSync(
    "ffprobe",
    ["-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", playlist],
    { encoding: "utf8" },
  );
  assert.equal(Number(frames.stdout.trim().split("\n")[0]), 200);
});
