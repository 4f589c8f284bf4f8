import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { decodeChunks } from "./chunk-decoder.js";
import { HANDSHAKE_SIZE } from "./handshake.js";
import {
  isAudioSequenceHeader,
  isVideoKeyframe,
  isVideoSequenceHeader,
  parseAudioTagHeader,
  parseVideoTagHeader,
} from "./media-header.js";
import { MessageType } from "./message.js";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

const VIDEO_FIXTURES = [
  {
    name: "AVC sequence header",
    bytes: "17 00 000000 01640015",
    info: {
      codec: "avc1",
      enhanced: false,
      frameType: 1,
      packetType: 0,
      keyframe: false,
      sequenceHeader: true,
      compositionTime: 0,
      dataOffset: 5,
    },
  },
  {
    name: "AVC keyframe with composition time 80",
    bytes: "17 01 000050 00000001",
    info: {
      codec: "avc1",
      enhanced: false,
      frameType: 1,
      packetType: 1,
      keyframe: true,
      sequenceHeader: false,
      compositionTime: 80,
      dataOffset: 5,
    },
  },
  {
    name: "AVC inter frame, negative composition time",
    bytes: "27 01 ffffd8 00",
    info: {
      codec: "avc1",
      enhanced: false,
      frameType: 2,
      packetType: 1,
      keyframe: false,
      sequenceHeader: false,
      compositionTime: -40,
      dataOffset: 5,
    },
  },
  {
    name: "E-RTMP hvc1 SequenceStart",
    bytes: "90 68766331 01",
    info: {
      codec: "hvc1",
      enhanced: true,
      frameType: 1,
      packetType: 0,
      keyframe: false,
      sequenceHeader: true,
      compositionTime: 0,
      dataOffset: 5,
    },
  },
  {
    name: "E-RTMP hvc1 CodedFrames keyframe with composition time",
    bytes: "91 68766331 000028 00",
    info: {
      codec: "hvc1",
      enhanced: true,
      frameType: 1,
      packetType: 1,
      keyframe: true,
      sequenceHeader: false,
      compositionTime: 40,
      dataOffset: 8,
    },
  },
  {
    name: "E-RTMP hvc1 CodedFramesX inter frame",
    bytes: "a3 68766331 00",
    info: {
      codec: "hvc1",
      enhanced: true,
      frameType: 2,
      packetType: 3,
      keyframe: false,
      sequenceHeader: false,
      compositionTime: 0,
      dataOffset: 5,
    },
  },
  {
    name: "E-RTMP av01 keyframe",
    bytes: "91 61763031 12",
    info: {
      codec: "av01",
      enhanced: true,
      frameType: 1,
      packetType: 1,
      keyframe: true,
      sequenceHeader: false,
      compositionTime: 0,
      dataOffset: 5,
    },
  },
  {
    name: "E-RTMP vp09 SequenceEnd",
    bytes: "92 76703039",
    info: {
      codec: "vp09",
      enhanced: true,
      frameType: 1,
      packetType: 2,
      keyframe: false,
      sequenceHeader: false,
      compositionTime: 0,
      dataOffset: 5,
    },
  },
  {
    name: "E-RTMP av01 MPEG2TSSequenceStart",
    bytes: "95 61763031",
    info: {
      codec: "av01",
      enhanced: true,
      frameType: 1,
      packetType: 5,
      keyframe: false,
      sequenceHeader: true,
      compositionTime: 0,
      dataOffset: 5,
    },
  },
  {
    name: "E-RTMP Metadata",
    bytes: "94 61763031 02",
    info: {
      codec: "av01",
      enhanced: true,
      frameType: 1,
      packetType: 4,
      keyframe: false,
      sequenceHeader: false,
      compositionTime: 0,
      dataOffset: 5,
    },
  },
  {
    name: "E-RTMP ModEx prefix (1 byte of data) before a keyframe",
    bytes: "97 00 aa 11 61763031",
    info: {
      codec: "av01",
      enhanced: true,
      frameType: 1,
      packetType: 1,
      keyframe: true,
      sequenceHeader: false,
      compositionTime: 0,
      dataOffset: 8,
    },
  },
  {
    name: "VP6 (legacy) keyframe",
    bytes: "14 00",
    info: {
      codec: "vp6",
      enhanced: false,
      frameType: 1,
      packetType: -1,
      keyframe: true,
      sequenceHeader: false,
      compositionTime: 0,
      dataOffset: 1,
    },
  },
];

for (const f of VIDEO_FIXTURES) {
  test(`video header: ${f.name}`, () => {
    const b = hex(f.bytes);
    assert.deepEqual(parseVideoTagHeader(b), f.info);
    assert.equal(isVideoKeyframe(b), f.info.keyframe);
    assert.equal(isVideoSequenceHeader(b), f.info.sequenceHeader);
  });
}

test("audio headers: AAC, MP3, E-RTMP Opus", () => {
  assert.deepEqual(parseAudioTagHeader(hex("af 00 1210")), {
    codec: "mp4a",
    enhanced: false,
    soundFormat: 10,
    packetType: 0,
    sequenceHeader: true,
    dataOffset: 2,
  });
  assert.equal(isAudioSequenceHeader(hex("af 00 1210")), true);
  assert.equal(isAudioSequenceHeader(hex("af 01 21")), false);
  assert.equal(parseAudioTagHeader(hex("2f ff"))?.codec, "mp3");
  assert.deepEqual(parseAudioTagHeader(hex("90 4f707573 01")), {
    codec: "Opus",
    enhanced: true,
    soundFormat: 9,
    packetType: 0,
    sequenceHeader: true,
    dataOffset: 5,
  });
  assert.equal(isAudioSequenceHeader(hex("90 4f707573")), true);
});

test("short payloads give null, never throw", () => {
  assert.equal(parseVideoTagHeader(Buffer.alloc(0)), null);
  assert.equal(parseVideoTagHeader(hex("17 01")), null);
  assert.equal(parseVideoTagHeader(hex("91 6876")), null);
  assert.equal(parseAudioTagHeader(hex("af")), null);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 12 }), (a) => {
      const b = Buffer.from(a);
      parseVideoTagHeader(b);
      parseAudioTagHeader(b);
      isVideoKeyframe(b);
      isVideoSequenceHeader(b);
      isAudioSequenceHeader(b);
    }),
    { numRuns: 2000 },
  );
});

test("real ffmpeg stream: first video tag is the sequence header, then a keyframe", () => {
  const wire = readFileSync(new URL("./fixtures/ffmpeg-5.1-publish.bin", import.meta.url)).subarray(
    1 + 2 * HANDSHAKE_SIZE,
  );
  const msgs = decodeChunks(wire);
  const video = msgs.filter((m) => m.type === MessageType.Video).map((m) => parseVideoTagHeader(m.payload)!);
  assert.equal(video[0]!.sequenceHeader, true);
  assert.equal(video[1]!.keyframe, true);
  assert.ok(
    video.every((v) => v.codec === "avc1"),
    "all avc1",
  );
  const audio = msgs.filter((m) => m.type === MessageType.Audio).map((m) => parseAudioTagHeader(m.payload)!);
  assert.equal(audio[0]!.sequenceHeader, true);
  assert.ok(
    audio.slice(1).every((a) => !a.sequenceHeader && a.codec === "mp4a"),
    "all raw AAC",
  );
});
