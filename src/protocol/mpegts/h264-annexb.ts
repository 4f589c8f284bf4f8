/**
 * H.264 access unit from AVCC (length-prefixed NAL units, ISO/IEC 14496-15)
 * to Annex B byte stream (ITU-T H.264 annex B) for MPEG-TS: an access unit
 * delimiter first, SPS/PPS from the configuration before every IDR that does
 * not carry its own, 4-byte start codes.
 */
import type { AvcDecoderConfig } from "../flv/avc-decoder-config.js";
import type { GrowBuffer } from "./grow-buffer.js";

const NAL_IDR = 5;
const NAL_SPS = 7;
const NAL_AUD = 9;
/** AUD with primary_pic_type 7 (any slice type). */
const AUD = Buffer.from([0, 0, 0, 1, NAL_AUD, 0xf0]);
const START_CODE = Buffer.from([0, 0, 0, 1]);

export type AnnexBVerdict = "ok" | "malformed";

function readLength(p: Buffer, at: number, size: number): number {
  if (size === 4) return p.readUInt32BE(at);
  if (size === 2) return p.readUInt16BE(at);
  return p[at]!;
}

/** Scans the NAL units once: returns flags (1 = has IDR, 2 = has SPS) or -1 if malformed. */
function scan(p: Buffer, size: number): number {
  let at = 0;
  let flags = 0;
  while (at < p.length) {
    if (at + size > p.length) return -1;
    const len = readLength(p, at, size);
    at += size;
    if (len > p.length - at) return -1;
    if (len > 0) {
      const t = p[at]! & 0x1f;
      if (t === NAL_IDR) flags |= 1;
      else if (t === NAL_SPS) flags |= 2;
    }
    at += len;
  }
  return flags;
}

/** Appends the Annex B form of `payload` to `out`. Nothing is appended when malformed. */
export function appendAnnexB(out: GrowBuffer, payload: Buffer, cfg: AvcDecoderConfig): AnnexBVerdict {
  const size = cfg.nalLengthSize;
  const flags = scan(payload, size);
  if (flags < 0) return "malformed";
  out.append(AUD);
  if (flags & 1 && !(flags & 2)) {
    for (const s of cfg.sps) out.append(START_CODE).append(s);
    for (const s of cfg.pps) out.append(START_CODE).append(s);
  }
  let at = 0;
  while (at < payload.length) {
    const len = readLength(payload, at, size);
    at += size;
    if (len > 0) {
      const t = payload[at]! & 0x1f;
      if (t !== NAL_AUD) out.append(START_CODE).append(payload.subarray(at, at + len));
    }
    at += len;
  }
  return "ok";
}
