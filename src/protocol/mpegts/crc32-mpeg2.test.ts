import assert from "node:assert/strict";
import { test } from "node:test";
import { crc32Mpeg2 } from "./crc32-mpeg2.js";
import { buildPat, buildPmt } from "./psi.js";
import { PID_AUDIO, PID_VIDEO, STREAM_TYPE_AAC_ADTS, STREAM_TYPE_H264 } from "./ts-constants.js";

test("CRC-32/MPEG-2 check value of '123456789' is 0x0376E6E7", () => {
  assert.equal(crc32Mpeg2(Buffer.from("123456789")), 0x0376e6e7);
});

test("a section followed by its CRC has CRC 0 (PAT and PMT)", () => {
  for (const pkt of [
    buildPat(),
    buildPmt(
      [
        { streamType: STREAM_TYPE_H264, pid: PID_VIDEO },
        { streamType: STREAM_TYPE_AAC_ADTS, pid: PID_AUDIO },
      ],
      PID_VIDEO,
    ),
  ]) {
    assert.equal(pkt.length, 188);
    const sectionLength = ((pkt[6]! & 0x0f) << 8) | pkt[7]!;
    assert.equal(crc32Mpeg2(pkt, 5, 5 + 3 + sectionLength), 0);
  }
});

test("PAT golden bytes: the packet ffmpeg 5.1 -f mpegts writes for program 1 → PMT 0x1000", () => {
  // first 21 bytes of the PID 0 packet of `ffmpeg -f lavfi -i sine -c:a aac -f mpegts a.ts` (cc 0)
  const pat = buildPat();
  assert.equal(pat.subarray(0, 21).toString("hex"), "474000100000b00d0001c100000001f0002ab104b2");
});

test("PMT lists only the streams given (audio only: one entry, PCR on audio)", () => {
  const pmt = buildPmt([{ streamType: STREAM_TYPE_AAC_ADTS, pid: PID_AUDIO }], PID_AUDIO);
  const sectionLength = ((pmt[6]! & 0x0f) << 8) | pmt[7]!;
  assert.equal(sectionLength, 9 + 5 + 4);
  assert.equal(((pmt[13]! & 0x1f) << 8) | pmt[14]!, PID_AUDIO);
  assert.equal(pmt[17], STREAM_TYPE_AAC_ADTS);
});
