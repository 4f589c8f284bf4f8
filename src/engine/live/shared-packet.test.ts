import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { payloadOfChunks } from "../../protocol/rtmp/chunk-decoder.js";
import { encodeChunks } from "../../protocol/rtmp/chunk-encoder.js";
import { MessageType } from "../../protocol/rtmp/message.js";
import { SharedPacket } from "./shared-packet.js";

const frame = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31) & 0xff));

test("a packet with a payload decoder keeps only its chunks once encoded, and gives the payload back", () => {
  const payload = frame(10_000);
  const p = new SharedPacket(MessageType.Video, 40, payload, true, false, payloadOfChunks);
  const chunks = p.encoded(4096, 1, encodeChunks);
  assert.equal(p.heldBytes, chunks.length, "the payload is let go: one copy of the frame is held");
  assert.ok(p.payload.equals(payload), "decoded back from the chunks");
  // Another chunk size or stream id still encodes the same message.
  const other = p.encoded(128, 3, encodeChunks);
  assert.ok(other.equals(encodeChunks({ type: 9, streamId: 3, timestamp: 40, payload, csid: 7 }, 128)));
  assert.equal(p.encoded(4096, 1, encodeChunks), chunks, "the first encoding stays shared");
});

test("without a decoder (or for headers) the payload is kept", () => {
  const p = new SharedPacket(MessageType.Audio, 0, frame(300));
  const chunks = p.encoded(4096, 1, encodeChunks);
  assert.equal(p.heldBytes, 300 + chunks.length);
});

test("property: payloadOfChunks inverts encodeChunks for any size, chunk size and timestamp", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 3000 }),
      fc.integer({ min: 1, max: 5000 }),
      fc.oneof(fc.nat(0xfffffe), fc.integer({ min: 0xffffff, max: 0xffffffff })),
      (bytes, chunkSize, timestamp) => {
        const payload = Buffer.from(bytes);
        const enc = encodeChunks({ type: 8, streamId: 1, timestamp, payload, csid: 6 }, chunkSize);
        assert.ok(payloadOfChunks(enc, chunkSize).equals(payload));
      },
    ),
  );
});
