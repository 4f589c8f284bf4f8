/**
 * H.265 access unit from length-prefixed NAL units (ISO/IEC 14496-15) to
 * Annex B (ITU-T H.265 annex B) for MPEG-TS: an access unit delimiter first,
 * VPS/SPS/PPS from the configuration before every IRAP picture that does not
 * carry its own, 4-byte start codes.
 */
import type { HevcDecoderConfig } from "../flv/hevc-decoder-config.js";
import type { GrowBuffer } from "./grow-buffer.js";
import { type AnnexBVerdict, appendNalUnits, START_CODE, scanNalUnits } from "./length-prefixed-nal.js";

const NAL_VPS = 32;
const NAL_AUD = 35;
/** AUD: nal_unit_type 35, layer 0, tid 1; pic_type 2 (I, P, B) + stop bit. */
const AUD = Buffer.from([0, 0, 0, 1, 0x46, 0x01, 0x50]);

/** flags: 1 = has an IRAP picture (types 16..23), 2 = has a VPS. */
function flagsOf(header: number): number {
  const t = (header >> 1) & 0x3f;
  if (t >= 16 && t <= 23) return 1;
  if (t === NAL_VPS) return 2;
  return 0;
}

/** The payload's own AUDs are dropped: ours comes first. */
const isAud = (header: number): boolean => ((header >> 1) & 0x3f) === NAL_AUD;

export function appendAnnexBHevc(out: GrowBuffer, payload: Buffer, cfg: HevcDecoderConfig): AnnexBVerdict {
  const size = cfg.nalLengthSize;
  const flags = scanNalUnits(payload, size, flagsOf);
  if (flags < 0) return "malformed";
  out.append(AUD);
  if (flags & 1 && !(flags & 2)) for (const ps of cfg.parameterSets) out.append(START_CODE).append(ps);
  appendNalUnits(out, payload, size, isAud);
  return "ok";
}
