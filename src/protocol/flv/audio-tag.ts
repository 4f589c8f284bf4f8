/**
 * FLV AUDIODATA (FLV spec E.4.2.1): one header byte, for AAC one more
 * (AACPacketType), then the payload.
 */
import { FlvError } from "./flv-error.js";

/** E.4.2.1 SoundFormat values we name. */
export const SOUND_MP3 = 2;
export const SOUND_AAC = 10;
export const SOUND_MP3_8K = 14;

export interface AudioTag {
  soundFormat: number;
  /** 0 = 5.5 kHz, 1 = 11 kHz, 2 = 22 kHz, 3 = 44 kHz (ignored for AAC: the config decides). */
  soundRate: number;
  stereo: boolean;
  /** AAC only: 0 = AudioSpecificConfig, 1 = raw frame; -1 otherwise. */
  aacPacketType: number;
  /** View into the message body. */
  payload: Buffer;
}

export function parseAudioTag(body: Buffer): AudioTag {
  if (body.length < 1) throw new FlvError("ONAIR_FLV_TRUNCATED", "empty audio tag");
  const b0 = body[0]!;
  const soundFormat = b0 >> 4;
  if (soundFormat === SOUND_AAC) {
    if (body.length < 2) throw new FlvError("ONAIR_FLV_TRUNCATED", "AAC audio tag without packet type");
    return {
      soundFormat,
      soundRate: (b0 >> 2) & 3,
      stereo: (b0 & 1) === 1,
      aacPacketType: body[1]!,
      payload: body.subarray(2),
    };
  }
  return {
    soundFormat,
    soundRate: (b0 >> 2) & 3,
    stereo: (b0 & 1) === 1,
    aacPacketType: -1,
    payload: body.subarray(1),
  };
}
