import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { randomOrMutated } from "../../../test/helpers/fuzz.js";
import { ChunkDecoder, decodeChunks } from "./chunk-decoder.js";
import { ChunkEncoder, encodeChunks } from "./chunk-encoder.js";
import { basicHeaderLength, EXTENDED_TIMESTAMP } from "./chunk-header.js";
import { HANDSHAKE_SIZE } from "./handshake.js";
import { MessageType, type RtmpMessage } from "./message.js";
import { Command } from "./messages/command.js";
import { SetChunkSize } from "./messages/set-chunk-size.js";
import { RtmpErrorCode, RtmpProtocolError } from "./rtmp-error.js";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");
const msg = (p: Partial<RtmpMessage> & { payload: Buffer }): RtmpMessage => ({
  type: 9,
  streamId: 1,
  timestamp: 0,
  csid: 7,
  ...p,
});

/** Golden post-handshake bytes of a real ffmpeg 5.1 publish (see fixtures/README.md). */
const ffmpegChunks = readFileSync(new URL("./fixtures/ffmpeg-5.1-publish.bin", import.meta.url)).subarray(
  1 + 2 * HANDSHAKE_SIZE,
);

/** One table drives decode, encode and the fuzz seeds. */
export const CHUNK_FIXTURES: { name: string; chunkSize: number; decoded: RtmpMessage; encoded: Buffer }[] = [
  {
    name: "one chunk, 1-byte basic header",
    chunkSize: 128,
    decoded: msg({ type: 8, streamId: 1, timestamp: 40, csid: 6, payload: hex("af01") }),
    encoded: hex("06 000028 000002 08 01000000 af01"),
  },
  {
    name: "two chunks, type 3 continuation",
    chunkSize: 2,
    decoded: msg({ timestamp: 1, csid: 3, payload: hex("010203") }),
    encoded: hex("03 000001 000003 09 01000000 0102 c3 03"),
  },
  {
    name: "2-byte basic header (csid 64..319)",
    chunkSize: 128,
    decoded: msg({ csid: 100, payload: hex("00") }),
    encoded: hex("00 24 000000 000001 09 01000000 00"),
  },
  {
    name: "3-byte basic header (csid 320..65599)",
    chunkSize: 128,
    decoded: msg({ csid: 65599, payload: hex("00") }),
    encoded: hex("01 ffff 000000 000001 09 01000000 00"),
  },
  {
    name: "extended timestamp, repeated on the continuation chunk",
    chunkSize: 1,
    decoded: msg({ timestamp: 0x01000000, csid: 4, payload: hex("aabb") }),
    encoded: hex("04 ffffff 000002 09 01000000 01000000 aa c4 01000000 bb"),
  },
  {
    name: "empty message",
    chunkSize: 128,
    decoded: msg({ type: 20, streamId: 0, csid: 3, payload: Buffer.alloc(0) }),
    encoded: hex("03 000000 000000 14 00000000"),
  },
];

for (const f of CHUNK_FIXTURES) {
  test(`chunk decode: ${f.name}`, () => {
    assert.deepEqual(decodeChunks(f.encoded, { chunkSize: f.chunkSize }), [f.decoded]);
  });
  test(`chunk encode: ${f.name}`, () => {
    assert.equal(encodeChunks(f.decoded, f.chunkSize).toString("hex"), f.encoded.toString("hex"));
  });
}

test("type 1, 2 and 3 headers apply deltas; type 3 new message reuses the last delta", () => {
  const encoded = hex(
    "47 000028 000001 09 01" + // fmt1 csid7 delta 40, len 1 (needs a fmt0 before)
      "87 000028 02" + // fmt2 delta 40
      "c7 03", // fmt3: delta 40 again
  );
  const first = hex("07 000064 000001 09 01000000 00"); // fmt0 ts 100
  const out = decodeChunks(Buffer.concat([first, encoded]));
  assert.deepEqual(
    out.map((m) => m.timestamp),
    [100, 140, 180, 220],
  );
  assert.deepEqual(
    out.map((m) => m.streamId),
    [1, 1, 1, 1],
  );
});

test("extended timestamp omitted on continuation chunks (some encoders) decodes the same", () => {
  const omitted = hex("04 ffffff 000002 09 01000000 01000000 aa c4 bb");
  assert.deepEqual(decodeChunks(omitted, { chunkSize: 1 }), [
    msg({ timestamp: 0x01000000, csid: 4, payload: hex("aabb") }),
  ]);
});

test("regression: extended timestamp on continuation chunks, repeated or omitted", () => {
  // The check once read `byte !== (ts >>> shift) & 0xff`, which binds as `(byte !== …) & 0xff`:
  // the second byte never matched, so a repeated extended timestamp was taken as payload.
  const head = "04 ffffff 000002 09 01000000 01000000 aa c4";
  assert.deepEqual(decodeChunks(hex(`${head} 01000000 bb`), { chunkSize: 1 })[0]?.payload, hex("aa bb"));
  assert.equal(decodeChunks(hex(`${head} 01 00 00`), { chunkSize: 1 }).length, 0, "waits while bytes match");
  assert.deepEqual(decodeChunks(hex(`${head} 01 02`), { chunkSize: 1 })[0]?.payload, hex("aa 01"));
});

test("real ffmpeg publish decodes whole, byte by byte, and at random splits alike", () => {
  const whole = decodeChunks(ffmpegChunks);
  const names = whole
    .filter((m) => m.type === MessageType.CommandAmf0)
    .map((m) => Command.decode(m.payload, m.type).name);
  assert.deepEqual(names, [
    "connect",
    "releaseStream",
    "FCPublish",
    "createStream",
    "publish",
    "FCUnpublish",
    "deleteStream",
  ]);
  assert.equal(whole[1]!.type, MessageType.SetChunkSize, "ffmpeg sets its chunk size right after connect");
  assert.ok(whole.filter((m) => m.type === MessageType.Video).length >= 5, "video messages");
  const oneByOne: RtmpMessage[] = [];
  const dec = new ChunkDecoder();
  for (let i = 0; i < ffmpegChunks.length; i++) {
    assert.equal(
      dec.feed(ffmpegChunks.subarray(i, i + 1), (m) => oneByOne.push(m)),
      null,
    );
  }
  assert.deepEqual(oneByOne, whole);
  fc.assert(
    fc.property(fc.uniqueArray(fc.nat(ffmpegChunks.length), { maxLength: 30 }), (cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), ffmpegChunks.length];
      const out: RtmpMessage[] = [];
      const d = new ChunkDecoder();
      for (let i = 1; i < points.length; i++)
        d.feed(ffmpegChunks.subarray(points[i - 1], points[i]), (m) => out.push(m));
      assert.deepEqual(out, whole);
    }),
    { numRuns: 200 },
  );
});

test("every split point of a multi-message input gives the same messages", () => {
  const msgs = [
    SetChunkSize.message(5),
    msg({ timestamp: 0xffffff, csid: 6, payload: Buffer.alloc(23, 1) }),
    msg({ timestamp: 10, csid: 300, payload: Buffer.alloc(7, 2) }),
    msg({ timestamp: 11, csid: 6, payload: Buffer.alloc(0) }),
  ];
  const input = Buffer.concat([encodeChunks(msgs[0]!, 128), ...msgs.slice(1).map((m) => encodeChunks(m, 5))]);
  const whole = decodeChunks(input);
  assert.deepEqual(whole, msgs);
  for (let cut = 0; cut <= input.length; cut++) {
    for (const cut2 of [cut, Math.min(input.length, cut + 3)]) {
      const out: RtmpMessage[] = [];
      const d = new ChunkDecoder();
      for (const part of [input.subarray(0, cut), input.subarray(cut, cut2), input.subarray(cut2)]) {
        d.feed(part, (m) => out.push(m));
      }
      assert.deepEqual(out, whole, `split at ${cut}/${cut2}`);
    }
  }
});

test("a single-chunk message arriving whole is a view of the input, not a copy", () => {
  const input = encodeChunks(msg({ payload: Buffer.alloc(100, 9) }), 128);
  const [m] = decodeChunks(input);
  assert.equal(m!.payload.buffer, input.buffer);
});

test("with reusedInput, every payload survives the caller overwriting its read buffer", () => {
  const msgs = [
    msg({ timestamp: 1, csid: 6, payload: Buffer.alloc(100, 9) }), // single chunk, arrives whole
    msg({ timestamp: 2, csid: 7, payload: Buffer.alloc(300, 5) }), // three chunks
    msg({ timestamp: 3, csid: 6, payload: Buffer.alloc(50, 3) }),
  ];
  const input = Buffer.concat(msgs.map((m) => encodeChunks(m, 128)));
  for (const readSize of [1, 7, 64, input.length]) {
    const d = new ChunkDecoder({ reusedInput: true });
    const out: RtmpMessage[] = [];
    const read = Buffer.alloc(readSize); // one buffer for every read, as the server's shared read buffer
    for (let off = 0; off < input.length; off += readSize) {
      const n = input.copy(read, 0, off, off + readSize);
      assert.equal(
        d.feed(read.subarray(0, n), (m) => out.push(m)),
        null,
      );
      read.fill(0xee);
    }
    assert.deepEqual(out, msgs, `reads of ${readSize} bytes`);
  }
});

test("transientPayloads: each chunk stream assembles in one reused buffer, payloads are views poisoned after the handler", () => {
  const msgs = [
    msg({ timestamp: 1, csid: 7, payload: Buffer.alloc(300, 5) }), // three chunks
    msg({ timestamp: 2, csid: 6, payload: Buffer.alloc(100, 9) }), // one chunk, arrives whole
    msg({ timestamp: 3, csid: 7, payload: Buffer.alloc(200, 4) }), // smaller: the same buffer again
    msg({ timestamp: 4, csid: 7, payload: Buffer.alloc(5000, 3) }), // bigger: grown once
  ];
  const input = Buffer.concat(msgs.map((m) => encodeChunks(m, 128)));
  const d = new ChunkDecoder({ transientPayloads: true, poison: true });
  const kept: Buffer[] = [];
  const copies: RtmpMessage[] = [];
  assert.equal(
    d.feed(input, (m) => {
      kept.push(m.payload);
      copies.push({ ...m, payload: Buffer.from(m.payload) });
    }),
    null,
  );
  assert.deepEqual(copies, msgs, "what the handler saw");
  assert.equal(kept[0]!.buffer, kept[2]!.buffer, "csid 7 reused its buffer");
  assert.equal(kept[1]!.buffer, input.buffer, "a whole single chunk is a view of the input");
  for (const k of kept)
    assert.ok(
      k.every((b) => b === 0xee),
      "kept past the handler: poisoned",
    );
});

test("property: transientPayloads gives the same messages as copies, whatever the reads (one reused read buffer)", () => {
  fc.assert(
    fc.property(
      fc.array(messageArb, { minLength: 1, maxLength: 12 }),
      fc.constantFrom(1, 50, 128, 4096),
      fc.integer({ min: 1, max: 3000 }),
      (messages, chunkSize, readSize) => {
        const input = Buffer.concat(messages.map((m) => encodeChunks(m, chunkSize)));
        const d = new ChunkDecoder({ chunkSize, transientPayloads: true, poison: true });
        const out: RtmpMessage[] = [];
        const read = Buffer.alloc(readSize);
        for (let off = 0; off < input.length; off += readSize) {
          const n = input.copy(read, 0, off, off + readSize);
          const err = d.feed(read.subarray(0, n), (m) => out.push({ ...m, payload: Buffer.from(m.payload) }));
          assert.equal(err, null);
          read.fill(0xee);
        }
        assert.deepEqual(out, messages);
      },
    ),
    { numRuns: 300 },
  );
});

test("transientPayloads: assembly buffers stay within maxPendingBytes (idle chunk streams give theirs back)", () => {
  const d = new ChunkDecoder({ transientPayloads: true, maxMessageLength: 10_000, maxPendingBytes: 12_000 });
  const big = (csid: number) => encodeChunks(msg({ csid, payload: Buffer.alloc(9000, csid) }), 128);
  let n = 0;
  assert.equal(
    d.feed(Buffer.concat([big(3), big(4), big(5)]), () => n++),
    null,
  );
  assert.equal(n, 3, "each stream's message fits once the idle ones let go");
  // Two unfinished messages that together pass the bound: refused. (Cut after 31 whole chunks: 12 + 128, then 1 + 128 each.)
  const half = (csid: number) => big(csid).subarray(0, 140 + 30 * 129);
  const err = d.feed(Buffer.concat([half(6), half(7)]), () => n++);
  assert.equal(err?.code, RtmpErrorCode.TooMuchPending);
});

/** Splits the output of encodeChunks into its chunks. */
function chunksOf(m: RtmpMessage, chunkSize: number): Buffer[] {
  const all = encodeChunks(m, chunkSize);
  const ext = m.timestamp >= EXTENDED_TIMESTAMP ? 4 : 0;
  const basic = basicHeaderLength(m.csid);
  const out: Buffer[] = [];
  let off = 0;
  let left = m.payload.length;
  let header = basic + 11 + ext;
  do {
    const n = Math.min(chunkSize, left);
    out.push(all.subarray(off, off + header + n));
    off += header + n;
    left -= n;
    header = basic + ext;
  } while (left > 0);
  assert.equal(off, all.length);
  return out;
}

const csidArb = fc.oneof(
  fc.integer({ min: 3, max: 63 }),
  fc.integer({ min: 64, max: 319 }),
  fc.integer({ min: 320, max: 65599 }),
);
const messageArb = fc.record({
  type: fc.constantFrom(8, 9, 18, 20, 22),
  streamId: fc.oneof(fc.constant(1), fc.nat()),
  timestamp: fc.oneof(fc.nat(0xfffffe), fc.integer({ min: 0xfffffe, max: 0xffffffff })),
  payload: fc.uint8Array({ maxLength: 700 }).map((a) => Buffer.from(a)),
  csid: csidArb,
});

test("property: chunk round trip with random messages, chunk sizes and interleaved chunk streams", () => {
  fc.assert(
    fc.property(
      fc.array(messageArb, { minLength: 1, maxLength: 12 }),
      fc.oneof(fc.constantFrom(1, 2, 128, 4096, 0x7fffffff), fc.integer({ min: 1, max: 1000 })),
      fc.array(fc.nat(), { maxLength: 200 }),
      (messages, chunkSize, schedule) => {
        // Chunks of one chunk stream stay in order; different chunk streams interleave freely.
        const queues = new Map<number, Buffer[]>();
        for (const m of messages) {
          const q = queues.get(m.csid) ?? [];
          q.push(...chunksOf(m, chunkSize));
          queues.set(m.csid, q);
        }
        const order: Buffer[] = [];
        const live = [...queues.values()];
        let s = 0;
        while (live.length > 0) {
          const i = (schedule[s++ % Math.max(1, schedule.length)] ?? 0) % live.length;
          order.push(live[i]!.shift()!);
          if (live[i]!.length === 0) live.splice(i, 1);
        }
        const d = new ChunkDecoder({ chunkSize, maxMessageLength: 1 << 20 });
        const out: RtmpMessage[] = [];
        for (const c of order)
          assert.equal(
            d.feed(c, (m) => out.push(m)),
            null,
          );
        for (const csid of queues.keys()) {
          assert.deepEqual(
            out.filter((m) => m.csid === csid),
            messages.filter((m) => m.csid === csid),
          );
        }
      },
    ),
    { numRuns: 300 },
  );
});

test("property: ChunkEncoder (type 1-3 headers) round trip, fed one byte at a time", () => {
  fc.assert(
    fc.property(
      fc.array(messageArb, { minLength: 1, maxLength: 10 }),
      fc.integer({ min: 1, max: 300 }),
      (messages, cs) => {
        const enc = new ChunkEncoder(cs);
        // Several messages per chunk stream with growing and repeated timestamps.
        const ms = messages.map((m, i) => ({ ...m, csid: 3 + (i % 3) }));
        const wire = Buffer.concat(ms.map((m) => enc.encode(m)));
        const d = new ChunkDecoder({ chunkSize: cs });
        const out: RtmpMessage[] = [];
        for (let i = 0; i < wire.length; i++) d.feed(wire.subarray(i, i + 1), (m) => out.push(m));
        assert.deepEqual(out, ms);
      },
    ),
    { numRuns: 200 },
  );
});

test("ChunkEncoder compresses repeated headers", () => {
  const enc = new ChunkEncoder(128);
  const a = enc.encode(msg({ timestamp: 0, payload: Buffer.alloc(10) }));
  const b = enc.encode(msg({ timestamp: 40, payload: Buffer.alloc(10) }));
  const c = enc.encode(msg({ timestamp: 80, payload: Buffer.alloc(10) }));
  assert.deepEqual([a[0]! >> 6, b[0]! >> 6, c[0]! >> 6], [0, 2, 3]);
  assert.equal(c.length, 11);
});

function expectError(input: Buffer, code: string, opts = {}): RtmpProtocolError {
  const d = new ChunkDecoder(opts);
  const err = d.feed(input, () => {});
  assert.equal(err?.code, code);
  assert.equal(err instanceof RtmpProtocolError, true);
  assert.equal(
    d.feed(Buffer.from([0]), () => {}),
    err,
    "stays failed",
  );
  return err as RtmpProtocolError;
}

test("bounds: message length, chunk streams, chunk size, missing header", () => {
  const big = expectError(hex("03 000000 ffffff 09 01000000"), RtmpErrorCode.MessageTooLarge);
  assert.equal(big.context.length, 0xffffff);
  expectError(hex("03 000000 000011 09 01000000"), RtmpErrorCode.MessageTooLarge, { maxMessageLength: 16 });
  const many = Buffer.concat(
    Array.from({ length: 65 }, (_, i) => encodeChunks(msg({ csid: 3 + i, payload: hex("00") }), 128)),
  );
  expectError(many, RtmpErrorCode.TooManyChunkStreams);
  assert.equal(decodeChunks(many, { maxChunkStreams: 65 }).length, 65);
  expectError(encodeChunks(SetChunkSize.message(0), 128), RtmpErrorCode.BadChunkSize);
  expectError(encodeChunks(SetChunkSize.message(0x80000000), 128), RtmpErrorCode.BadChunkSize);
  expectError(hex("c9 00"), RtmpErrorCode.NoPreviousHeader);
  expectError(hex("89 000000"), RtmpErrorCode.NoPreviousHeader);
  expectError(hex("02 000000 000002 01 00000000 0000"), RtmpErrorCode.BadMessage);
});

test("bounds: unfinished messages cannot pin more than maxPendingBytes", () => {
  // Each chunk stream announces a 600 KiB message and sends its first 128-byte chunk:
  // 3 fit in 2 MiB, 4 do not.
  const starts = Array.from({ length: 4 }, (_, i) =>
    encodeChunks(msg({ csid: 3 + i, payload: Buffer.alloc(600 << 10) }), 128).subarray(0, 12 + 128),
  );
  const err = expectError(Buffer.concat(starts), RtmpErrorCode.TooMuchPending);
  assert.equal(err.context.limit, 2 << 20);
  assert.equal(decodeChunks(Buffer.concat(starts.slice(0, 3))).length, 0);
  // Completed messages give their bytes back.
  const whole = Array.from({ length: 8 }, (_, i) =>
    encodeChunks(msg({ csid: 3 + (i % 2), payload: Buffer.alloc(600 << 10) }), 4096),
  );
  assert.equal(
    decodeChunks(Buffer.concat([encodeChunks(SetChunkSize.message(4096), 128), ...whole])).length,
    9,
  );
});

test("encoder refuses chunk stream ids outside 2..65599", () => {
  for (const csid of [0, 1, 65600]) {
    assert.throws(() => encodeChunks(msg({ csid, payload: hex("00") }), 128), {
      code: RtmpErrorCode.BadMessage,
    });
  }
});

test("encoder: 24-bit length and timestamp fields at their limits round trip; a longer message is refused", () => {
  const payload = Buffer.alloc(0xff_ffff, 7);
  for (const timestamp of [0xff_fffe, 0x12_3456]) {
    const [m] = decodeChunks(encodeChunks(msg({ timestamp, payload }), 65536), {
      maxMessageLength: 0x100_0000,
      chunkSize: 65536,
    });
    assert.equal(m!.timestamp, timestamp);
    assert.equal(m!.payload.length, 0xff_ffff);
  }
  assert.throws(() => encodeChunks(msg({ payload: Buffer.alloc(0x100_0000) }), 65536), {
    code: RtmpErrorCode.BadMessage,
  });
});

test("huge chunk size is accepted; memory stays bounded by the message length", () => {
  const m = msg({ payload: Buffer.alloc(1000, 3) });
  const input = Buffer.concat([
    encodeChunks(SetChunkSize.message(0x7fffffff), 128),
    encodeChunks(m, 0x7fffffff),
  ]);
  const out = decodeChunks(input);
  assert.deepEqual(out[1], m);
});

test("Abort drops the partial message of its chunk stream", () => {
  const m = msg({ csid: 6, payload: Buffer.alloc(200, 1) });
  const partial = encodeChunks(m, 128).subarray(0, 12 + 128);
  const abort = encodeChunks({ type: 2, streamId: 0, timestamp: 0, csid: 2, payload: hex("00000006") }, 128);
  const next = encodeChunks(msg({ csid: 6, payload: hex("07") }), 128);
  const out = decodeChunks(Buffer.concat([partial, abort, next]));
  assert.deepEqual(
    out.map((x) => x.type),
    [2, 9],
  );
  assert.deepEqual(out[1]!.payload, hex("07"));
});

test("property: decoder on random and mutated bytes never throws, only returns its own errors", () => {
  const seeds = [ffmpegChunks.subarray(0, 3000), ...CHUNK_FIXTURES.map((f) => f.encoded)];
  fc.assert(
    fc.property(randomOrMutated(seeds, { maxLength: 300, maxEdits: 8 }), fc.nat(300), (buf, cut) => {
      const d = new ChunkDecoder({ maxMessageLength: 1 << 16 });
      for (const part of [buf.subarray(0, cut), buf.subarray(cut)]) {
        const err = d.feed(part, () => {});
        if (err) assert.ok(err instanceof RtmpProtocolError, String(err));
      }
    }),
    { numRuns: 3000 },
  );
});
