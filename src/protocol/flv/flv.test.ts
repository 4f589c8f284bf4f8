import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { makeMedia } from "../../../test/helpers/media.js";
import { parseAudioSpecificConfig } from "./audio-specific-config.js";
import { parseAudioTag, SOUND_AAC } from "./audio-tag.js";
import { parseAvcDecoderConfig } from "./avc-decoder-config.js";
import { FlvError } from "./flv-error.js";
import {
  FLV_TAG_AUDIO,
  FLV_TAG_SCRIPT,
  FLV_TAG_VIDEO,
  flvFileHeader,
  flvTag,
  readFlvTags,
} from "./flv-file.js";
import { parseHevcDecoderConfig } from "./hevc-decoder-config.js";
import { parseVideoTag } from "./video-tag.js";

/** One table drives the writer test, the reader test and the fuzzers' seeds. */
const TAGS = [
  { name: "script", type: FLV_TAG_SCRIPT, timestamp: 0, body: Buffer.from("0200", "hex") },
  {
    name: "avc config",
    type: FLV_TAG_VIDEO,
    timestamp: 0,
    body: Buffer.from("1700000000014d401fffe100046764002801000468ee3c80", "hex"),
  },
  { name: "aac config", type: FLV_TAG_AUDIO, timestamp: 0, body: Buffer.from("af001210", "hex") },
  {
    name: "avc keyframe cts 80",
    type: FLV_TAG_VIDEO,
    timestamp: 40,
    body: Buffer.from("1701000050000000026588", "hex"),
  },
  {
    name: "extended timestamp",
    type: FLV_TAG_AUDIO,
    timestamp: 0x12345678,
    body: Buffer.from("af01aabb", "hex"),
  },
  {
    name: "negative cts",
    type: FLV_TAG_VIDEO,
    timestamp: 80,
    body: Buffer.from("2701ffffd8000000024188", "hex"),
  },
];

function file(tags = TAGS): Buffer {
  return Buffer.concat([
    flvFileHeader({ audio: true, video: true }),
    ...tags.map((t) => flvTag(t.type, t.timestamp, t.body)),
  ]);
}

test("FLV writer → reader round trip (table)", () => {
  const got = [...readFlvTags(file())];
  assert.equal(got.length, TAGS.length);
  TAGS.forEach((t, i) => {
    assert.equal(got[i]!.type, t.type, t.name);
    assert.equal(got[i]!.timestamp, t.timestamp, t.name);
    assert.ok(got[i]!.body.equals(t.body), t.name);
  });
});

test("video tags: AVC config, keyframe with cts, negative cts", () => {
  const cfg = parseVideoTag(TAGS[1]!.body);
  assert.equal(cfg.kind, "config");
  const avc = parseAvcDecoderConfig(cfg.payload);
  assert.equal(avc.nalLengthSize, 4);
  assert.equal(avc.sps.length, 1);
  assert.equal(avc.sps[0]![0]! & 0x1f, 7);
  assert.equal(avc.pps[0]![0]! & 0x1f, 8);
  const key = parseVideoTag(TAGS[3]!.body);
  assert.deepEqual([key.kind, key.frameType, key.cts], ["frame", 1, 80]);
  assert.equal(parseVideoTag(TAGS[5]!.body).cts, -40);
});

test("enhanced RTMP ex-header: hvc1 sequence start and coded frames", () => {
  const seq = parseVideoTag(Buffer.from([0x90, ...Buffer.from("hvc1"), 1, 2, 3]));
  assert.deepEqual([seq.codec, seq.kind, seq.frameType], ["hevc", "config", 1]);
  const fr = parseVideoTag(Buffer.from([0xa1, ...Buffer.from("hvc1"), 0, 0, 40, 9]));
  assert.deepEqual([fr.codec, fr.kind, fr.frameType, fr.cts, fr.payload.length], ["hevc", "frame", 2, 40, 1]);
});

test("AudioSpecificConfig: LC 44.1k stereo, HE-AAC explicit, 960 frames, escape object type", () => {
  const a = parseAudioTag(TAGS[2]!.body);
  assert.equal(a.soundFormat, SOUND_AAC);
  assert.equal(a.aacPacketType, 0);
  assert.deepEqual(parseAudioSpecificConfig(a.payload), {
    objectType: 2,
    coreObjectType: 2,
    sampleRateIndex: 4,
    sampleRate: 44100,
    channelConfig: 2,
    samplesPerFrame: 1024,
  });
  // HE-AAC v1 explicit: AOT 5, 24 kHz core (idx 6), stereo, ext 48 kHz (idx 3), core AOT 2
  const he = parseAudioSpecificConfig(Buffer.from([0x2b, 0x11, 0x88, 0x00]));
  assert.equal(he.objectType, 5);
  assert.equal(he.coreObjectType, 2);
  assert.equal(he.sampleRateIndex, 6);
  assert.equal(parseAudioSpecificConfig(Buffer.from([0x12, 0x14])).samplesPerFrame, 960);
  assert.equal(parseAudioSpecificConfig(Buffer.from([0xf8, 0x42, 0x10, 0x00])).objectType, 34);
});

test("an ffmpeg-made FLV reads back: configs first, monotonic DTS, AAC + AVC", () => {
  const buf = readFileSync(makeMedia({ seconds: 3, gop: 1 }));
  const tags = [...readFlvTags(buf)];
  const v = tags.filter((t) => t.type === FLV_TAG_VIDEO).map((t) => parseVideoTag(t.body));
  const a = tags.filter((t) => t.type === FLV_TAG_AUDIO).map((t) => parseAudioTag(t.body));
  assert.equal(v[0]!.kind, "config");
  assert.equal(parseAvcDecoderConfig(v[0]!.payload).profile, 100);
  assert.equal(a[0]!.aacPacketType, 0);
  assert.equal(parseAudioSpecificConfig(a[0]!.payload).sampleRate, 44100);
  assert.equal(v.filter((x) => x.kind === "frame" && x.frameType === 1).length, 3);
  assert.ok(
    v.some((x) => x.cts > 0),
    "B-frames give composition offsets",
  );
});

test("a file cut at every byte boundary reads (lenient) as a prefix of its tags", () => {
  const full = file();
  const ends = new Set<number>([13]);
  let at = 13;
  for (const t of TAGS) {
    at += 11 + t.body.length + 4;
    ends.add(at);
  }
  for (let n = 13; n <= full.length; n++) {
    const got = [...readFlvTags(full.subarray(0, n), { lenient: true })];
    assert.ok(got.length <= TAGS.length);
    got.forEach((t, i) => {
      assert.ok(t.body.equals(TAGS[i]!.body));
    });
    if (!ends.has(n)) assert.throws(() => [...readFlvTags(full.subarray(0, n))], FlvError);
  }
});

function onlyFlvErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof FlvError)) throw e;
  }
}

test("fuzz: random bytes make the FLV parsers throw FlvError or nothing", () => {
  const seeds = TAGS.map((t) => t.body);
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u)),
    fc
      .constantFrom(...seeds)
      .chain((s) =>
        fc
          .tuple(fc.nat(s.length), fc.uint8Array({ maxLength: 8 }))
          .map(([cut, junk]) => Buffer.concat([s.subarray(0, cut), Buffer.from(junk)])),
      ),
  );
  fc.assert(
    fc.property(bytes, (b) => {
      onlyFlvErrors(() => parseVideoTag(b));
      onlyFlvErrors(() => parseAudioTag(b));
      onlyFlvErrors(() => parseAvcDecoderConfig(b));
      onlyFlvErrors(() => parseAvcDecoderConfig(b.subarray(5)));
      onlyFlvErrors(() => parseAudioSpecificConfig(b));
      onlyFlvErrors(() => parseHevcDecoderConfig(b));
      onlyFlvErrors(() =>
        parseHevcDecoderConfig(Buffer.concat([Buffer.from([1]), Buffer.alloc(21, 0xff), b])),
      );
      onlyFlvErrors(() => [...readFlvTags(b)]);
      onlyFlvErrors(() => [...readFlvTags(Buffer.concat([file([]), b]))]);
    }),
    { numRuns: 3000 },
  );
});
