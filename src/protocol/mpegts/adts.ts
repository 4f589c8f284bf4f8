/**
 * ADTS header (ISO/IEC 13818-7 6.2, ISO/IEC 14496-3 1.A.2.2) made from an
 * AudioSpecificConfig, 7 bytes, no CRC.
 */
import type { AudioSpecificConfig } from "../flv/audio-specific-config.js";

export const ADTS_HEADER_SIZE = 7;
/** aac_frame_length is 13 bits. */
export const ADTS_MAX_FRAME = 8191;

export interface AdtsParams {
  /** ADTS profile = object type - 1, 0..3. */
  profile: number;
  sampleRateIndex: number;
  channelConfig: number;
}

/**
 * ADTS can express object types 1..4 only. SBR/PS (5, 29) with explicit
 * signalling map to their core type (implicit signalling, which every decoder
 * handles); anything else is sent as LC, as nginx-rtmp does. Returns null when
 * the sample rate has no index (explicit frequency not in the table).
 */
export function adtsParamsFor(asc: AudioSpecificConfig): AdtsParams | null {
  if (asc.sampleRateIndex < 0) return null;
  let ot = asc.objectType === 5 || asc.objectType === 29 ? asc.coreObjectType : asc.objectType;
  if (ot < 1 || ot > 4) ot = 2;
  return { profile: ot - 1, sampleRateIndex: asc.sampleRateIndex, channelConfig: asc.channelConfig & 7 };
}

/** Writes the 7-byte header for a raw frame of `rawLength` bytes. */
export function writeAdtsHeader(buf: Buffer, at: number, p: AdtsParams, rawLength: number): void {
  const len = rawLength + ADTS_HEADER_SIZE;
  buf[at] = 0xff;
  buf[at + 1] = 0xf1; // syncword, MPEG-4, layer 0, no CRC
  buf[at + 2] = (p.profile << 6) | (p.sampleRateIndex << 2) | ((p.channelConfig >> 2) & 1);
  buf[at + 3] = ((p.channelConfig & 3) << 6) | ((len >> 11) & 3);
  buf[at + 4] = (len >> 3) & 0xff;
  buf[at + 5] = ((len & 7) << 5) | 0x1f; // buffer fullness 0x7FF (VBR)
  buf[at + 6] = 0xfc; // buffer fullness low bits, 1 raw data block
}
