import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { ClientHandshake, HANDSHAKE_SIZE, ServerHandshake } from "./handshake.js";
import {
  digestPosition,
  FMS_KEY_OPEN,
  FP_KEY_OPEN,
  findDigest,
  GENUINE_FMS_KEY,
  GENUINE_FP_KEY,
  verifyResponse,
} from "./handshake-digest.js";
import { RtmpErrorCode } from "./rtmp-error.js";

const ffmpegCapture = readFileSync(new URL("./fixtures/ffmpeg-5.1-publish.bin", import.meta.url));

function run(server: ServerHandshake, client: ClientHandshake, after = Buffer.alloc(0)) {
  const c0c1 = client.start();
  const s = server.feed(c0c1);
  assert.equal(s.output.length, 1 + 2 * HANDSHAKE_SIZE);
  const c = client.feed(s.output);
  assert.equal(c.done, true);
  const end = server.feed(Buffer.concat([c.output, after]));
  return { s0s1s2: s.output, c2: c.output, end };
}

test("keys are the Genuine Adobe FMS/FP keys (68 and 62 bytes)", () => {
  assert.equal(GENUINE_FMS_KEY.length, 68);
  assert.equal(GENUINE_FP_KEY.length, 62);
  assert.equal(FMS_KEY_OPEN.toString(), "Genuine Adobe Flash Media Server 001");
  assert.equal(FP_KEY_OPEN.toString(), "Genuine Adobe Flash Player 001");
});

for (const scheme of [0, 1] as const) {
  test(`digest C1 (scheme ${scheme}) gets a digest S1 and a signed S2`, () => {
    const server = new ServerHandshake();
    const client = new ClientHandshake({ scheme });
    const { s0s1s2, end } = run(server, client, Buffer.from("connect"));
    assert.equal(s0s1s2[0], 3);
    const s1 = s0s1s2.subarray(1, 1 + HANDSHAKE_SIZE);
    assert.ok(s1[4]! >= 3, "S1 version byte >= 3 so ffmpeg checks it (and it passes)");
    assert.deepEqual(findDigest(s1, FMS_KEY_OPEN)?.scheme, scheme);
    assert.equal(server.digest, true);
    assert.equal(server.scheme, scheme);
    assert.equal(client.serverDigest, true);
    assert.equal(client.serverVerified, true);
    assert.equal(end.done, true);
    assert.equal(end.leftover.toString(), "connect");
  });
}

test("plain C1 (version 0) gets S1 with bytes 4-7 zero and S2 echoing C1", () => {
  const server = new ServerHandshake();
  const client = new ClientHandshake({ scheme: null });
  const c0c1 = client.start();
  const { output } = server.feed(c0c1);
  assert.equal(output.readUInt32BE(1 + 4), 0);
  assert.deepEqual(output.subarray(1 + HANDSHAKE_SIZE), c0c1.subarray(1));
  assert.equal(server.digest, false);
  assert.equal(server.clientVersion, 0);
  const c = client.feed(output);
  assert.equal(client.serverDigest, false);
  assert.equal(client.serverVerified, true);
  assert.equal(server.feed(c.output).done, true);
});

test("non-zero version C1 without a valid digest falls back to plain (librtmp accepts it)", () => {
  const server = new ServerHandshake();
  const c0c1 = Buffer.alloc(1 + HANDSHAKE_SIZE, 0x5a);
  c0c1[0] = 3;
  const { output } = server.feed(c0c1);
  assert.equal(server.digest, false);
  assert.equal(output.readUInt32BE(5), 0);
  assert.deepEqual(output.subarray(1 + HANDSHAKE_SIZE), c0c1.subarray(1));
});

test("real ffmpeg C1 carries a scheme 0 digest and gets a digest answer", () => {
  const c1 = ffmpegCapture.subarray(1, 1 + HANDSHAKE_SIZE);
  assert.equal(findDigest(c1, FP_KEY_OPEN)?.pos, digestPosition(c1, 0));
  const server = new ServerHandshake();
  const { output } = server.feed(ffmpegCapture.subarray(0, 1 + HANDSHAKE_SIZE));
  assert.equal(server.digest, true);
  const pos = digestPosition(c1, 0);
  assert.equal(
    verifyResponse(output.subarray(1 + HANDSHAKE_SIZE), c1.subarray(pos, pos + 32), GENUINE_FMS_KEY),
    true,
  );
});

test("handshake fed one byte at a time; C2 and the first chunk in one read", () => {
  const server = new ServerHandshake();
  const client = new ClientHandshake();
  const c0c1 = client.start();
  const out: Buffer[] = [];
  for (const byte of c0c1) {
    const step = server.feed(Buffer.from([byte]));
    if (step.output.length) out.push(step.output);
  }
  const c = client.feed(Buffer.concat(out));
  const tail = Buffer.concat([c.output, Buffer.from([1, 2, 3])]);
  let last = server.feed(tail.subarray(0, 100));
  assert.equal(last.done, false);
  last = server.feed(tail.subarray(100));
  assert.equal(last.done, true);
  assert.deepEqual([...last.leftover], [1, 2, 3]);
  assert.equal(client.serverVerified, true);
});

test("C0 other than 3 (e.g. an HTTP request, RTMPE 6) is refused at once", () => {
  for (const first of ["G", "\x06"]) {
    assert.throws(() => new ServerHandshake().feed(Buffer.from(`${first}ET / HTTP/1.1`)), {
      code: RtmpErrorCode.HandshakeVersion,
    });
  }
});

test("feeding after the handshake hands the bytes back as leftover", () => {
  const server = new ServerHandshake();
  const client = new ClientHandshake();
  run(server, client);
  assert.deepEqual(server.feed(Buffer.from([9])), {
    output: Buffer.alloc(0),
    done: true,
    leftover: Buffer.from([9]),
  });
});

test("transientInput: reads from one reused buffer, overwritten after each call, in any split, give the same handshake", () => {
  const fixed = () => {
    let k = 0;
    return (b: Buffer) => {
      for (let i = 0; i < b.length; i++) b[i] = (k++ * 31) & 0xff;
    };
  };
  for (const scheme of [0, 1, null] as const) {
    for (const split of [1, 7, 700, 1537, 2000, 5000]) {
      const client = new ClientHandshake({ scheme, random: fixed() });
      const wire = client.start();
      const ref = new ServerHandshake({ random: fixed() }).feed(wire).output;
      const server = new ServerHandshake({ random: fixed(), transientInput: true });
      const reused = Buffer.alloc(split);
      const outs: Buffer[] = [];
      const feedAll = (bytes: Buffer) => {
        let after: string | null = null;
        for (let off = 0; off < bytes.length; off += split) {
          const n = Math.min(split, bytes.length - off);
          bytes.copy(reused, 0, off, off + n);
          const step = server.feed(reused.subarray(0, n));
          if (step.output.length) outs.push(Buffer.from(step.output));
          // Once done, each read's bytes past the handshake are what the chunk decoder gets.
          if (step.done) after = (after ?? "") + step.leftover.toString();
          reused.fill(0xee); // what the next read does to the shared buffer
        }
        return after;
      };
      assert.equal(feedAll(wire), null);
      assert.deepEqual(Buffer.concat(outs), ref, `S0S1S2 (scheme ${scheme}, reads of ${split})`);
      const c = client.feed(ref);
      assert.equal(c.done, true);
      assert.equal(client.serverVerified, true);
      assert.equal(feedAll(Buffer.concat([c.output, Buffer.from("connect")])), "connect");
      assert.equal(server.done, true);
    }
  }
});
