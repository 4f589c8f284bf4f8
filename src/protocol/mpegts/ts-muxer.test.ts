import assert from "node:assert/strict";
import { test } from "node:test";
import { diff33, msTo90k, PTS_MODULO, readPcr, readTimestamp, wrap33, writeTimestamp } from "./timestamps.js";
import { PID_AUDIO, PID_PAT, PID_PMT, PID_VIDEO } from "./ts-constants.js";
import { PCR_DELAY_90K, TsMuxer } from "./ts-muxer.js";

interface Pkt {
  pid: number;
  pusi: boolean;
  cc: number;
  af: Buffer | null;
  payload: Buffer;
}

function packets(seg: Buffer): Pkt[] {
  assert.equal(seg.length % 188, 0);
  const out: Pkt[] = [];
  for (let o = 0; o < seg.length; o += 188) {
    const p = seg.subarray(o, o + 188);
    assert.equal(p[0], 0x47);
    const afc = (p[3]! >> 4) & 3;
    let q = 4;
    let af: Buffer | null = null;
    if (afc & 2) {
      af = p.subarray(5, 5 + p[4]!);
      q = 5 + p[4]!;
    }
    out.push({
      pid: ((p[1]! & 0x1f) << 8) | p[2]!,
      pusi: (p[1]! & 0x40) !== 0,
      cc: p[3]! & 0x0f,
      af,
      payload: p.subarray(q),
    });
  }
  return out;
}

/** Reassembles the PES packets of one PID. */
function pesOf(pkts: Pkt[], pid: number): Buffer[] {
  const res: Buffer[][] = [];
  for (const p of pkts) {
    if (p.pid !== pid) continue;
    if (p.pusi) res.push([]);
    res[res.length - 1]!.push(p.payload);
  }
  return res.map((parts) => Buffer.concat(parts));
}

test("PTS/DTS fields round-trip over the whole 33-bit range, wrap included", () => {
  const b = Buffer.alloc(5);
  for (const v of [
    0,
    1,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 32 + 12345,
    PTS_MODULO - 1,
    PTS_MODULO,
    PTS_MODULO + 7,
    -90,
  ]) {
    writeTimestamp(b, 0, 2, v);
    assert.equal(readTimestamp(b, 0), wrap33(v));
    assert.equal(b[0]! >> 4, 2);
    assert.equal(b[0]! & 1, 1);
    assert.equal(b[2]! & 1, 1);
    assert.equal(b[4]! & 1, 1);
  }
});

test("33-bit arithmetic: ms → 90 kHz wraps, diff33 sees across the wrap", () => {
  const wrapMs = PTS_MODULO / 90; // ~26.5 h
  assert.equal(msTo90k(wrapMs), 0);
  assert.equal(msTo90k(wrapMs + 40), 3600);
  assert.equal(diff33(msTo90k(wrapMs - 40), msTo90k(wrapMs + 40)), 7200);
  assert.equal(diff33(msTo90k(wrapMs + 40), msTo90k(wrapMs - 40)), -7200);
  // 2^32 ms (the RTMP wrap, unwrapped by the engine) is still exact
  assert.equal(msTo90k(2 ** 32), wrap33(2 ** 32 * 90));
});

test("a segment starts with PAT and PMT; continuity counters run per PID across segments", () => {
  const mux = new TsMuxer({ video: "h264", audio: "aac" });
  const seen = new Map<number, number>();
  for (let s = 0; s < 3; s++) {
    mux.beginSegment(0);
    for (let i = 0; i < 5; i++) {
      mux.writeVideo({
        pts: i * 3600 + 7200,
        dts: i * 3600,
        key: i === 0,
        pcr: true,
        payload: Buffer.alloc(1000 + i * 97, i),
      });
      mux.writeAudio({
        pts: i * 3600,
        dts: i * 3600,
        key: false,
        pcr: false,
        payload: Buffer.alloc(300, 0xaa),
      });
    }
    const pk = packets(mux.finishSegment());
    assert.equal(pk[0]!.pid, PID_PAT);
    assert.equal(pk[1]!.pid, PID_PMT);
    for (const p of pk) {
      const prev = seen.get(p.pid);
      if (prev !== undefined) assert.equal(p.cc, (prev + 1) & 15, `cc of PID ${p.pid}`);
      seen.set(p.pid, p.cc);
    }
  }
});

test("PES: payload reassembles exactly; PTS/DTS, PCR and random access on the first packet", () => {
  const mux = new TsMuxer({ video: "h264", audio: null });
  mux.beginSegment(0);
  for (const size of [1, 100, 157, 158, 165, 166, 183, 184, 185, 1000, 65535, 70000]) {
    const payload = Buffer.alloc(size);
    for (let i = 0; i < size; i++) payload[i] = (i * 7 + size) & 0xff;
    const dts = PTS_MODULO - 1800; // straddles the wrap
    mux.writeVideo({ pts: dts + 7200, dts, key: true, pcr: true, payload });
    const pk = packets(mux.finishSegment()).filter((p) => p.pid === PID_VIDEO);
    mux.beginSegment(0);
    const first = pk[0]!;
    assert.ok(first.af && first.af[0]! & 0x40, "random_access_indicator");
    assert.ok(first.af[0]! & 0x10, "PCR flag");
    assert.equal(readPcr(first.af, 1), wrap33(dts - PCR_DELAY_90K));
    const [pes] = pesOf(pk, PID_VIDEO);
    assert.deepEqual(pes!.subarray(0, 4), Buffer.from([0, 0, 1, 0xe0]));
    assert.equal(pes![7], 0xc0);
    assert.equal(readTimestamp(pes!, 9), wrap33(dts + 7200));
    assert.equal(readTimestamp(pes!, 14), dts);
    const body = pes!.subarray(9 + pes![8]!);
    assert.ok(body.equals(payload), `payload of ${size} bytes`);
    const len = pes!.readUInt16BE(4);
    assert.equal(len, size + 13 > 0xffff ? 0 : size + 13);
  }
});

test("audio PES without DTS has PTS only and a PES_packet_length", () => {
  const mux = new TsMuxer({ video: null, audio: "aac" });
  mux.beginSegment(0);
  mux.writeAudio({ pts: 900, dts: 900, key: false, pcr: true, payload: Buffer.alloc(500, 1) });
  const pk = packets(mux.finishSegment());
  const [pes] = pesOf(pk, PID_AUDIO);
  assert.equal(pes![7], 0x80);
  assert.equal(pes!.readUInt16BE(4), 500 + 8);
  assert.equal(readTimestamp(pes!, 9), 900);
  assert.ok(
    pk.some((p) => p.pid === PID_AUDIO && p.af && p.af[0]! & 0x10),
    "PCR on audio when audio only",
  );
});
