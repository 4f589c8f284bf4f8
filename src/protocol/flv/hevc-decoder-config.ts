/**
 * HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1): NAL length size
 * and the parameter-set NAL units (VPS, SPS, PPS, SEI arrays), as views.
 */
import { ByteReader } from "../byte-reader.js";
import { asFlvError, FlvError } from "./flv-error.js";

export interface HevcDecoderConfig {
  nalLengthSize: number;
  /** Every NAL unit of every array, in record order (VPS, SPS, PPS...). */
  parameterSets: Buffer[];
}

export function parseHevcDecoderConfig(buf: Buffer): HevcDecoderConfig {
  return asFlvError("HEVCDecoderConfigurationRecord", () => {
    const r = new ByteReader(buf);
    const version = r.u8();
    if (version !== 1) {
      throw new FlvError("ONAIR_FLV_BAD_HEVC_CONFIG", `configurationVersion ${version} != 1`, { version });
    }
    r.skip(20); // profile, tier, level, constraint flags, chroma, bit depths, frame rate
    const nalLengthSize = (r.u8() & 3) + 1;
    if (nalLengthSize === 3)
      throw new FlvError("ONAIR_FLV_BAD_HEVC_CONFIG", "lengthSizeMinusOne 2 is reserved");
    const parameterSets: Buffer[] = [];
    const arrays = r.u8();
    for (let i = 0; i < arrays; i++) {
      r.u8(); // completeness, NAL unit type
      const n = r.u16();
      for (let k = 0; k < n; k++) parameterSets.push(r.bytes(r.u16()));
    }
    if (parameterSets.length === 0)
      throw new FlvError("ONAIR_FLV_BAD_HEVC_CONFIG", "HEVC configuration without parameter sets");
    return { nalLengthSize, parameterSets };
  });
}
