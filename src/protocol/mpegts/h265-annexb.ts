/**
 * H.265 access unit from length-prefixed NAL units (ISO/IEC 14496-15) to
 * Annex B (ITU-T H.265 annex B) for MPEG-TS: an access unit delimiter first,
 * VPS/SPS/PPS from the configuration before every IRAP picture that does not
 * carry its own, 4-byte start codes.
 */
import type { HevcDecoderConfig } from "../flv/hevc-decoder-config.js";
import type { GrowBuffer } from "./grow-buffer.js";
import type { AnnexBVerdict } from "./h264-annexb.js";

const NAL_VPS = 32;
const NAL_AUD = 35;
/** AUD: nal_unit_type 35, layer 0, tid 1; pic_type 2 (I, P, B) + stop bit. */
const AUD = Buffer.from([0, 0, 0, 1, 0x46, 0x01, 0x50]);
const START_CODE = Buffer.from([0, 0, 0, 1]);

function readLength(p: Buffer, at: number, size: number): number {
  if (size === 4) return p.readUInt32BE(at);
  if (size === 2) return p.readUInt16BE(at);
  return p[at]!;
}

/** flags: 1 = has an IRAP picture (types 16..23), 2 = has a VPS; -1 if malformed. */
function scan(p: Buffer, size: number): number {
  let at = 0;
  let flags = 0;
  while (at < p.length) {
    if (at + size > p.length) return -1;
    const len = readLength(p, at, size);
    at += size;
    if (len > p.length - at) return -1;
    if (len > 0) {
      const t = (p[at]! >> 1) & 0x3f;
      if (t >= 16 && t <= 23) flags |= 1;
      else if (t === NAL_VPS) flags |= 2;
    }
    at += len;
  }
  return flags;
}

export function appendAnnexBHevc(out: GrowBuffer, payload: Buffer, cfg: HevcDecoderConfig): AnnexBVerdict {
  const size = cfg.nalLengthSize;
  const flags = scan(payload, size);
  if (flags < 0) return "malformed";
  out.append(AUD);
  if (flags & 1 && !(flags & 2)) for (const ps of cfg.parameterSets) out.append(START_CODE).append(ps);
  let at = 0;
  while (at < payload.length) {
    const len = readLength(payload, at, size);
    at += size;
    if (len > 0 && ((payload[at]! >> 1) & 0x3f) !== NAL_AUD) {
      out.append(START_CODE).append(payload.subarray(at, at + len));
    }
    at += len;
  }
  return "ok";
}
