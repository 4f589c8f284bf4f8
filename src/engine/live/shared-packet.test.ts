import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { payloadOfChunks } from "../../protocol/rtmp/chunk-decoder.js";
import { encodeChunks, encodeChunksInto, encodedChunksLength } from "../../protocol/rtmp/chunk-encoder.js";
import { MessageType } from "../../protocol/rtmp/message.js";
import { GopCache } from "./gop-cache.js";
import { PacketArena } from "./packet-arena.js";
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

test("a pooled packet is encoded at once into the arena, gives its payload back, and is unusable once released", () => {
  const arena = new PacketArena({ slabBytes: 64 * 1024, quarantine: false });
  const pool = { arena, chunkSize: 4096, streamId: 1, length: encodedChunksLength, into: encodeChunksInto };
  const payload = frame(10_000);
  const p = SharedPacket.pooled(MessageType.Video, 0x1234567, payload, true, pool, payloadOfChunks);
  payload.fill(0); // the caller reuses its memory at once
  const want = encodeChunks(
    { type: 9, streamId: 1, timestamp: 0x1234567, payload: frame(10_000), csid: 7 },
    4096,
  );
  const chunks = p.encoded(4096, 1, encodeChunks);
  assert.ok(chunks.equals(want), "the same bytes as encodeChunks");
  assert.equal(chunks.buffer, arena.lastSlab!.buf.buffer, "in the arena");
  assert.ok(p.payload.equals(frame(10_000)));
  assert.ok(
    p
      .encoded(128, 3, encodeChunks)
      .equals(
        encodeChunks({ type: 9, streamId: 3, timestamp: 0x1234567, payload: frame(10_000), csid: 7 }, 128),
      ),
  );
  assert.equal(arena.stats().pieces, 1);
  p.release();
  assert.equal(arena.stats().pieces, 0);
  assert.throws(() => p.encoded(4096, 1, encodeChunks), /after release/);
  assert.throws(() => p.payload, /after release/);
  p.release(); // twice is harmless
  assert.equal(arena.stats().pieces, 0);
});

test("a single-chunk pooled packet's payload is a copy, not a view of the arena", () => {
  const arena = new PacketArena({ slabBytes: 64 * 1024, quarantine: false });
  const pool = { arena, chunkSize: 4096, streamId: 1, length: encodedChunksLength, into: encodeChunksInto };
  const p = SharedPacket.pooled(MessageType.Audio, 20, frame(300), false, pool, payloadOfChunks);
  assert.notEqual(p.payload.buffer, arena.lastSlab!.buf.buffer);
  assert.ok(p.payload.equals(frame(300)));
});

test("the GOP cache releases what it does not keep and what it drops", () => {
  const arena = new PacketArena({ slabBytes: 64 * 1024, quarantine: false });
  const pool = { arena, chunkSize: 4096, streamId: 1, length: encodedChunksLength, into: encodeChunksInto };
  const pkt = (key: boolean, n = 1000) =>
    SharedPacket.pooled(MessageType.Video, 0, frame(n), key, pool, payloadOfChunks);
  const gop = new GopCache(5000);
  gop.push(pkt(false), false); // before any keyframe: not kept
  assert.equal(arena.stats().pieces, 0);
  gop.push(pkt(true), true);
  gop.push(pkt(false), false);
  assert.equal(arena.stats().pieces, 2);
  gop.push(pkt(true), true); // a new GOP: the old one is released
  assert.equal(arena.stats().pieces, 1);
  for (let i = 0; i < 5; i++) gop.push(pkt(false), false); // past the bound: all dropped
  assert.equal(gop.packets.length, 0);
  assert.equal(arena.stats().pieces, 0);
  const off = new GopCache(0);
  off.push(pkt(true), true);
  assert.equal(arena.stats().pieces, 0, "a disabled cache releases at once");
});
