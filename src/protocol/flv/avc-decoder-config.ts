/**
 * AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1): profile, level,
 * NAL length size, SPS and PPS NAL units (views, no copy).
 */
import { ByteReader } from "../byte-reader.js";
import { asFlvError, FlvError } from "./flv-error.js";

export interface AvcDecoderConfig {
  profile: number;
  compatibility: number;
  level: number;
  /** 1, 2 or 4 bytes per NAL length prefix. */
  nalLengthSize: number;
  sps: Buffer[];
  pps: Buffer[];
}

export function parseAvcDecoderConfig(buf: Buffer): AvcDecoderConfig {
  return asFlvError("AVCDecoderConfigurationRecord", () => {
    const r = new ByteReader(buf);
    const version = r.u8();
    if (version !== 1) {
      throw new FlvError("ONAIR_FLV_BAD_AVC_CONFIG", `configurationVersion ${version} != 1`, { version });
    }
    const profile = r.u8();
    const compatibility = r.u8();
    const level = r.u8();
    const nalLengthSize = (r.u8() & 3) + 1;
    if (nalLengthSize === 3) {
      throw new FlvError("ONAIR_FLV_BAD_AVC_CONFIG", "lengthSizeMinusOne 2 is reserved");
    }
    const sps: Buffer[] = [];
    const pps: Buffer[] = [];
    const nSps = r.u8() & 0x1f;
    for (let i = 0; i < nSps; i++) sps.push(r.bytes(r.u16()));
    const nPps = r.u8();
    for (let i = 0; i < nPps; i++) pps.push(r.bytes(r.u16()));
    if (sps.length === 0 || pps.length === 0) {
      throw new FlvError("ONAIR_FLV_BAD_AVC_CONFIG", "AVC configuration without SPS or PPS");
    }
    return { profile, compatibility, level, nalLengthSize, sps, pps };
  });
}
