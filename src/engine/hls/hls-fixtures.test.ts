/** Synthetic FLV tag bodies for engine tests (no ffmpeg needed). */
export const AVC_CONFIG = Buffer.from("1700000000014d401fffe1000467640028010004" + "68ee3c80", "hex");
export const AVC_CONFIG_2 = Buffer.from("1700000000014d401fffe100046764001f010004" + "68ee3c80", "hex");
export const AAC_CONFIG = Buffer.from("af001210", "hex"); // LC 44.1 kHz stereo

export function videoFrame(key: boolean, cts = 0, size = 200): Buffer {
  const nal = Buffer.alloc(size, 0x11);
  nal[0] = key ? 0x65 : 0x41;
  const b = Buffer.alloc(5 + 4 + size);
  b[0] = key ? 0x17 : 0x27;
  b[1] = 1;
  b.writeIntBE(cts, 2, 3);
  b.writeUInt32BE(size, 5);
  nal.copy(b, 9);
  return b;
}

export function aacFrame(size = 100): Buffer {
  const b = Buffer.alloc(2 + size, 0x22);
  b[0] = 0xaf;
  b[1] = 1;
  return b;
}

export type Msg = ["audio" | "video", number, Buffer];

/** A stream of `seconds` with keyframes every `gopMs` (optionally jittered), 25 fps, AAC at 44.1 kHz. */
export function avStream(o: {
  fromMs?: number;
  seconds: number;
  gopMs: number;
  audio?: boolean;
  video?: boolean;
  keyAt?: (ms: number) => boolean;
}): Msg[] {
  const from = o.fromMs ?? 0;
  const out: Msg[] = [];
  if (o.video !== false) out.push(["video", from, AVC_CONFIG]);
  if (o.audio !== false) out.push(["audio", from, AAC_CONFIG]);
  const end = from + o.seconds * 1000;
  let a = from;
  for (let v = from; v < end; v += 40) {
    while (o.audio !== false && a <= v) {
      out.push(["audio", Math.round(a), aacFrame()]);
      a += 1024000 / 44100;
    }
    if (o.video !== false) {
      const key = o.keyAt ? o.keyAt(v) : (v - from) % o.gopMs === 0;
      out.push(["video", v, videoFrame(key, 80)]);
    }
  }
  if (o.video === false) {
    while (a < end) {
      out.push(["audio", Math.round(a), aacFrame()]);
      a += 1024000 / 44100;
    }
  }
  return out;
}

import assert from "node:assert/strict";
// The fixtures themselves parse as what they claim to be.
import { test } from "node:test";
import { parseAvcDecoderConfig } from "../../protocol/flv/avc-decoder-config.js";
import { parseVideoTag } from "../../protocol/flv/video-tag.js";

test("fixtures: AVC config and frames parse", () => {
  assert.equal(parseAvcDecoderConfig(parseVideoTag(AVC_CONFIG).payload).sps.length, 1);
  const f = parseVideoTag(videoFrame(true, 80));
  assert.deepEqual([f.kind, f.frameType, f.cts], ["frame", 1, 80]);
});
