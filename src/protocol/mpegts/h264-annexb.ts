/**
 * H.264 access unit from AVCC (length-prefixed NAL units, ISO/IEC 14496-15)
 * to Annex B byte stream (ITU-T H.264 annex B) for MPEG-TS: an access unit
 * delimiter first, SPS/PPS from the configuration before every IDR that does
 * not carry its own, 4-byte start codes.
 */
import type { AvcDecoderConfig } from "../flv/avc-decoder-config.js";
import type { GrowBuffer } from "./grow-buffer.js";
import { type AnnexBVerdict, appendNalUnits, START_CODE, scanNalUnits } from "./length-prefixed-nal.js";

export type { AnnexBVerdict } from "./length-prefixed-nal.js";

const NAL_IDR = 5;
const NAL_SPS = 7;
const NAL_AUD = 9;
/** AUD with primary_pic_type 7 (any slice type). */
const AUD = Buffer.from([0, 0, 0, 1, NAL_AUD, 0xf0]);

/** flags: 1 = has an IDR, 2 = has an SPS. */
function flagsOf(header: number): number {
  const t = header & 0x1f;
  if (t === NAL_IDR) return 1;
  if (t === NAL_SPS) return 2;
  return 0;
}

/** The payload's own AUDs are dropped: ours comes first. */
const isAud = (header: number): boolean => (header & 0x1f) === NAL_AUD;

/** Appends the Annex B form of `payload` to `out`. Nothing is appended when malformed. */
export function appendAnnexB(out: GrowBuffer, payload: Buffer, cfg: AvcDecoderConfig): AnnexBVerdict {
  const size = cfg.nalLengthSize;
  const flags = scanNalUnits(payload, size, flagsOf);
  if (flags < 0) return "malformed";
  out.append(AUD);
  if (flags & 1 && !(flags & 2)) {
    for (const s of cfg.sps) out.append(START_CODE).append(s);
    for (const s of cfg.pps) out.append(START_CODE).append(s);
  }
  appendNalUnits(out, payload, size, isAud);
  return "ok";
}
